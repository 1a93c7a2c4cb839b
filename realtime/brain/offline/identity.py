"""Who is calling: caller ID, else a phone number, e-mail or order number; then the checks.

Found by caller ID, the billing ZIP verifies. Found by an identifier the caller
said, the ZIP and one more factor neighbours do not share: the last four
digits of the phone number on the account, or (if they don't know them) the
name on the account. Whether a said identifier named an account never shows:
the same "Thanks." and the same questions follow, and one verdict on all the
answers ("Those details don't match the account.").

The workflow enforces the identity gate; this flow only follows it politely.
Values the caller gave with the request are used, not asked for again, and
digits heard over the phone are read back before they are used.
"""

from __future__ import annotations

from typing import Any

from realtime.brain import slots
from realtime.brain.base import CallerInput, Say
from realtime.brain.offline import lines, step
from realtime.brain.offline.agent import Agent, Flow
from realtime.brain.offline.step import Ask
from workflows.types import NOTE_MATCH_TWO_FACTORS, NOTE_NO_MATCH_TWO_FACTORS, ToolResult


def resume(agent: Agent, last_note: str) -> None:
    """Take over a call at the ZIP question if its last identification asked for the checks.

    Args:
        agent: The call.
        last_note: The audit note of the call's last `identify_customer`.
    """
    second = last_note in (NOTE_MATCH_TWO_FACTORS, NOTE_NO_MATCH_TWO_FACTORS)
    if last_note == "match" or second:
        # The caller was asked for the ZIP: their next words are the answer.
        agent.d.identity = "candidate"
        agent.d.second_factor = second
        step.hold(agent, zip_ask(agent))


async def identify(agent: Agent, order_hint: str | None = None) -> Flow:
    """Get the caller verified, then continue the request.

    Args:
        agent: The call.
        order_hint: An order number the caller gave with an order request, usable to find the account.
    """
    d = agent.d
    if d.identity == "locked":
        async for ev in agent.escalate("identity_failure"):
            yield ev
        return
    if d.identity == "candidate":
        async for ev in ask_zip(agent):
            yield ev
        return
    if not d.caller_id_tried:
        d.caller_id_tried = True
        res = await agent.tool("identify_customer", {"use_caller_id": True})
        yield agent.last
        if res.ok and res.data.get("found"):
            async for ev in _found(agent, res, lines.FOUND_BY_CALLER_ID):
                yield ev
            return
        if not res.ok and res.error_code == "backend_unavailable":
            async for ev in agent.backend_down("account"):
                yield ev
            return
    heard = d.heard
    if heard.email:
        async for ev in _identify(agent, {"email": heard.email}):
            yield ev
    elif heard.phone or order_hint:
        value = heard.phone or order_hint or ""
        async for ev in step.offer(agent, identifier_ask(agent), value, lines.identifier_heard(value)):
            yield ev
    else:
        async for ev in step.ask(agent, identifier_ask(agent)):
            yield ev


def identifier_ask(agent: Agent) -> Ask:
    """The phone number, e-mail or an order number on the account."""

    def extract(said: CallerInput) -> str | None:
        return slots.email(said.text) or slots.phone_number(said.text) or slots.order_number(said.text)

    def read_back(value: str) -> str | None:
        return None if "@" in value else lines.identifier_read_back(value)

    def correct(text: str, pending: str) -> str | None:
        return slots.correction(text, "phone" if pending.startswith("+") else "order")

    async def then(value: str) -> Flow:
        if "@" in value:
            args = {"email": value}
        elif value.startswith("+") or (value.isdigit() and len(value) in (10, 11)):
            args = {"phone": value}
        else:
            args = {"order_id": value}
        async for ev in _identify(agent, args):
            yield ev

    async def unknown() -> Flow:
        # Another factor is asked for; still a miss, so "I don't know" cannot go on forever.
        async for ev in step.miss(agent, again=lines.IDENTIFIER_UNKNOWN):
            yield ev

    return Ask(
        name="identifier",
        question=lines.IDENTIFIER_QUESTION,
        retry=lines.IDENTIFIER_RETRY,
        other_way=lines.IDENTIFIER_OTHER_WAY,
        extract=extract,
        then=then,
        read_back=read_back,
        correct=correct,
        keyed=step.keyed_digits(3, 12),
        unknown=unknown,
        by_keypad=lines.IDENTIFIER_KEYPAD,
    )


async def _identify(agent: Agent, args: dict[str, Any]) -> Flow:
    res = await agent.tool("identify_customer", args)
    yield agent.last
    d = agent.d
    d.by_email = "email" in args
    if res.ok and res.data.get("found"):
        if "order_id" in args:
            d.order_id = str(
                args["order_id"]
            )  # the order they identified with is likely the one they ask about
        taken = lines.IDENTIFIER_TAKEN if res.data.get("second_factor") else lines.FOUND
        async for ev in _found(agent, res, taken):
            yield ev
    elif res.error_code == "identity_locked":
        async for ev in agent.escalate("identity_failure"):
            yield ev
    elif res.ok or res.error_code in ("not_found", "invalid_input"):
        # Not found, or not a value the CRM takes: either way the caller can try another.
        async for ev in step.miss(
            agent,
            lines.IDENTIFIER_NOT_FOUND,
            again=lines.IDENTIFIER_NOT_FOUND_RETRY,
            step=identifier_ask(agent),
        ):
            yield ev
    else:
        async for ev in agent.tool_failed(res, "account"):
            yield ev


async def _found(agent: Agent, res: ToolResult, found: str) -> Flow:
    d = agent.d
    if res.data.get("verified"):
        d.identity = "verified"
        async for ev in agent.proceed():
            yield ev
        return
    d.identity = "candidate"
    d.second_factor = bool(res.data.get("second_factor"))
    d.verify_zip = None
    kept, d.kept_factors = d.kept_factors, None
    if kept and d.second_factor:
        # The e-mail was misheard, not the ZIP and digits the caller confirmed one by one: they are
        # checked against this account (once; the workflow counts it as any other check).
        async for ev in _check(agent, kept):
            yield ev
        return
    async for ev in ask_zip(agent, found):
        yield ev


def zip_ask(agent: Agent) -> Ask:
    """The billing ZIP code: the second factor."""

    async def then(zip_code: str) -> Flow:
        async for ev in _verify(agent, zip_code):
            yield ev

    async def unknown() -> Flow:
        # Verification here takes the ZIP only: a person can verify another way.
        async for ev in agent.escalate("identity_failure", lead=lines.ZIP_UNKNOWN):
            yield ev

    return Ask(
        name="zip",
        question=lines.ZIP_QUESTION,
        retry=lines.ZIP_RETRY,
        other_way=lines.ZIP_OTHER_WAY,
        extract=lambda said: slots.zip_code(said.text),
        then=then,
        read_back=lines.zip_read_back,
        correct=lambda text, _: slots.correction(text, "zip"),
        keyed=lambda keys: keys[:5] if len(keys) >= 5 and keys[:5].isdigit() else None,
        unknown=unknown,
        by_keypad=lines.ZIP_KEYPAD,
    )


async def ask_zip(agent: Agent, found: str | None = None) -> Flow:
    """Ask for the ZIP code, unless the caller already gave it (then read it back).

    Args:
        agent: The call.
        found: How the account was found, said first ("Thanks, I found the account.").
    """
    heard = agent.d.heard.zip
    prefix = f"{found} " if found else ""
    if heard:
        async for ev in step.offer(agent, zip_ask(agent), heard, prefix + lines.zip_heard(heard)):
            yield ev
        return
    line = prefix + lines.ZIP_AFTER_FOUND if found else None
    async for ev in step.ask(agent, zip_ask(agent), line):
        yield ev


async def _verify(agent: Agent, zip_code: str) -> Flow:
    d = agent.d
    if d.second_factor:
        # Nothing is checked until the second answer: a verdict on the ZIP alone would tell a
        # neighbour who shares it that they are halfway there.
        d.verify_zip = zip_code
        async for ev in step.ask(agent, last4_ask(agent)):
            yield ev
        return
    async for ev in _check(agent, {"zip": zip_code}):
        yield ev


def last4_ask(agent: Agent) -> Ask:
    """The last four digits of the phone number on the account: the factor asked first."""

    async def then(value: str) -> Flow:
        async for ev in _check(agent, {"zip": agent.d.verify_zip or "", "phone_last4": value}):
            yield ev

    async def unknown() -> Flow:
        async for ev in step.ask(agent, name_ask(agent)):
            yield ev

    return Ask(
        name="last4",
        question=lines.LAST4_QUESTION,
        retry=lines.LAST4_RETRY,
        other_way=lines.LAST4_OTHER_WAY,
        extract=lambda said: slots.last4(said.text),
        then=then,
        read_back=lines.last4_read_back,
        correct=lambda text, _: slots.correction(text, "last4"),
        keyed=step.keyed_digits(4, 4),
        unknown=unknown,
        by_keypad=lines.LAST4_KEYPAD,
    )


def name_ask(agent: Agent) -> Ask:
    """The first and last name on the account, for a caller who doesn't know the phone's digits."""

    async def then(value: str) -> Flow:
        async for ev in _check(agent, {"zip": agent.d.verify_zip or "", "account_name": value}):
            yield ev

    async def unknown() -> Flow:
        async for ev in agent.escalate("identity_failure", lead=lines.NAME_UNKNOWN):
            yield ev

    return Ask(
        name="account_name",
        question=lines.NAME_QUESTION,
        retry=lines.NAME_RETRY,
        other_way=lines.NAME_OTHER_WAY,
        extract=lambda said: slots.person_name(said.text),
        then=then,
        read_back=lines.name_read_back,
        correct=lambda text, _: slots.name_correction(text),
        unknown=unknown,
    )


async def _check(agent: Agent, factors: dict[str, str]) -> Flow:
    d = agent.d
    res = await agent.tool("verify_customer", factors)
    yield agent.last
    if res.ok and res.data.get("verified"):
        d.identity = "verified"
        d.first_name = res.data.get("first_name")
        d.ask, d.pending, d.verify_zip = None, None, None
        yield Say(lines.verified(d.first_name))
        async for ev in agent.proceed():
            yield ev
    elif res.ok and int(res.data.get("attempts_left", 0)) > 0:
        if d.second_factor:
            # Which answer was wrong is not said. The account came from a number or address the
            # caller said, and a misheard one finds someone else's account: start again from
            # the identifier (another way than the same two questions again). The workflow
            # counts the failed checks per call, so starting again never buys more attempts.
            # An e-mail is the likeliest to be misheard (a name, never read back): ask for the number.
            again = lines.PHONE_INSTEAD if d.by_email else lines.IDENTIFIER_AGAIN
            d.kept_factors = dict(factors) if d.by_email else None
            d.verify_zip, d.identity, d.order_id, d.by_email = None, "unknown", None, False
            d.heard = slots.Mentioned()
            async for ev in step.miss(agent, lines.CHECK_MISMATCH, again=again, step=identifier_ask(agent)):
                yield ev
        else:
            async for ev in step.miss(agent, lines.ZIP_MISMATCH):
                yield ev
    elif res.ok or res.error_code == "identity_locked":
        d.identity = "locked"
        async for ev in agent.escalate("identity_failure"):
            yield ev
    else:
        # The values sent are well-formed, so "invalid input" is about the account's own record
        # (an id the CRM refuses): asking the caller again cannot help, and it is no outage.
        async for ev in agent.tool_failed(res, "account"):
            yield ev
