"""Personal data stays in the encrypted store (issue 14, item 6): attacks through the real workflow.

Each test is an attack on what leaves the call's encrypted history — a ticket, the CRM note,
the `state` query, the Web UI's view of the call, the logs — or on the help desk itself
(an unverified caller opening ticket after urgent ticket). Real Temporal dev server, real
worker, real sandbox over HTTP.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from temporalio.client import Client

from activities import redaction
from callengine import caller_voice, logs
from callengine.calls import Call
from callengine.settings import DEFAULT_SEED
from callengine.temporal import DATA_CONVERTER
from tests.conftest import MARIA, Engine, Sandbox, WorkerFactory, verify_maria
from tests.conftest import start_call as start

STRANGER = "+19995550000"  # on no account
ZIP_SPOKEN = "nine four one oh three"
# Everything that would give Maria's second factor, phone or e-mail away, in the forms a
# transcript or a brain writes them.
SECRETS = [
    MARIA["zip"],
    "9 4 1 0 3",
    "nine four one",
    "4155550101",
    "415-555-0101",
    "555-0101",
    "five five five",
    MARIA["email"],
    "maria%40example",
    "maria at example",
]


def leaked(text: str) -> list[str]:
    """Which of Maria's secrets a text carries, in any of their forms."""
    low = text.lower()
    return [s for s in SECRETS if s.lower() in low]


async def say(call: Call, *lines: str) -> None:
    for line in lines:
        await call.turn("caller", line)


async def call_tickets(sandbox: Sandbox, call: Call) -> list[dict[str, Any]]:
    """The help desk's tickets opened by one call (its workflow id is on each)."""
    return [t for t in await sandbox.tickets() if str(t.get("external_id", "")).startswith(call.workflow_id)]


# ------------------------------------------------------------------ tickets and notes


async def test_dropped_call_after_the_zip_leaves_no_secret_in_the_ticket_or_note(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    """'Caller said last: "nine four one oh three"' put the second factor in a Zendesk ticket."""
    async with worker() as tq:
        call = await start(temporal_client, tq, caller=STRANGER, inactivity_timeout_s=2.0)
        await say(call, "Hi, I need help with my bill, my email is maria at example dot com")
        assert (await call.tool("identify_customer", email=MARIA["email"])).data["found"]
        await say(call, f"my zip is {ZIP_SPOKEN}")
        assert (await call.tool("verify_customer", zip=MARIA["zip"], phone_last4=MARIA["phone"][-4:])).data[
            "verified"
        ]
        await say(call, "you can call me back on 415-555-0101, or 9 4 1 0 3 is the zip again")
        result = await call.result()  # the caller goes silent: dropped, follow-up ticket, CRM note
    assert result.outcome == "dropped"
    [ticket] = await call_tickets(sandbox, call)
    assert "follow_up" in ticket["tags"]
    assert leaked(ticket["subject"] + ticket["description"]) == []
    assert "Caller said last:" in ticket["description"]  # still quoted, only masked
    assert "[number]" in ticket["description"]
    notes = [n for n in await sandbox.crm_notes(MARIA["id"]) if n["call_id"] == call.workflow_id]
    assert len(notes) == 1 and leaked(notes[0]["body"]) == []
    assert leaked(result.summary) == []


async def test_handoff_ticket_quotes_the_caller_without_their_numbers(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        call = await start(temporal_client, tq)
        await verify_maria(call)
        await say(call, f"zip {ZIP_SPOKEN}, double five five oh one oh one, just get me a person")
        assert (await call.tool("escalate", reason="caller_request")).ok
        await call.end("transferred")
        await call.result()
    [handoff] = [t for t in await call_tickets(sandbox, call) if "handoff" in t["tags"]]
    assert leaked(handoff["description"]) == []
    assert "just get me a person" in handoff["description"]
    assert "Customer: C1001" in handoff["description"]  # what the agent found is still named


async def test_brain_written_ticket_keeps_the_found_order_and_loses_the_callers_numbers(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        call = await start(temporal_client, tq)
        await verify_maria(call)
        assert (await call.tool("lookup_order", order_id="10482")).ok
        ticket = await call.tool(
            "create_ticket",
            subject="Order 10482 arrived dented",
            description=(
                "Caller (maria@example.com, ZIP 94103, phone 415-555-0101) says order #10482 "
                f"arrived dented. Caller said: my zip is {ZIP_SPOKEN}"
            ),
        )
        assert ticket.ok
        await call.end(resolved=True)
        await call.result()
        state = await call.state()
    [opened] = [t for t in await call_tickets(sandbox, call) if t["id"] == ticket.data["ticket_id"]]
    assert leaked(opened["subject"] + opened["description"]) == []
    assert opened["subject"] == "Order 10482 arrived dented"  # an id the agent found stays
    assert "order #10482 arrived dented" in opened["description"]
    [record] = [c for c in state.tool_calls if c.name == "create_ticket"]
    assert leaked(json.dumps(record.arguments)) == [] and "10482" in record.arguments["subject"]


# ---------------------------------------------------------------------- queryable state


async def test_state_query_and_web_ui_show_no_identity_values(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    """ZIP attempts, phone and e-mail were in `state.tool_calls[].arguments` for anyone to query."""
    async with worker() as tq:
        call = await start(temporal_client, tq, caller=STRANGER)
        assert (await call.tool("identify_customer", phone="415 555 0101")).ok
        assert (await call.tool("identify_customer", email=MARIA["email"])).ok
        for attempt in ("94105", "94107"):
            assert (await call.tool("verify_customer", zip=attempt, phone_last4=MARIA["phone"][-4:])).data[
                "verified"
            ] is False
        bad = await call.tool("identify_customer", email="maria at example")  # invalid: recorded too
        assert bad.error_code == "invalid_input"
        assert (await call.tool("verify_customer", zip=MARIA["zip"], phone_last4=MARIA["phone"][-4:])).data[
            "verified"
        ]
        state = await call.state()
        metadata = await call.handle.query("__temporal_workflow_metadata")
        await call.end(resolved=True)
        await call.result()
        desc = await call.handle.describe()
    shown = json.dumps(state.model_dump(mode="json"))
    assert leaked(shown) == [] and "94105" not in shown and "94107" not in shown
    assert "5550000" not in shown  # the caller's own number either
    identify = [c.arguments for c in state.tool_calls if c.name == "identify_customer"]
    assert identify == [{"phone": "•••"}, {"email": "•••"}, {"email": "•••"}]
    assert [c.arguments for c in state.tool_calls if c.name == "verify_customer"] == [
        {"zip": "•••", "phone_last4": "•••"}
    ] * 3
    # The Web UI: the call's details line, search attributes, memo, and every activity's summary.
    details = str(metadata)
    assert "Customer" in details and not re.search(r"\d{4}", details.replace("C1001", "")), details
    attrs = json.dumps({k.name: str(v) for k, v in desc.typed_search_attributes})  # type: ignore[attr-defined]
    memo = json.dumps(await desc.memo())
    summaries = []
    async for event in call.handle.fetch_history_events():
        if event.user_metadata.HasField("summary"):
            [text] = await DATA_CONVERTER.decode([event.user_metadata.summary])
            summaries.append(str(text))
    assert summaries and leaked(attrs + memo + " ".join(summaries)) == []


# ----------------------------------------------------------------------- ticket limit


async def test_unverified_caller_asking_for_five_urgent_tickets_gets_one(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        call = await start(temporal_client, tq, caller=STRANGER)
        answers = [
            await call.tool(
                "create_ticket",
                subject=f"Urgent problem {n}",
                description="Everything is down!",
                priority="urgent",
            )
            for n in ("one", "two", "three", "four", "five")
        ]
        await call.end()
        result = await call.result()
    opened = await call_tickets(sandbox, call)
    assert len(opened) == 1 and result.ticket_ids == [opened[0]["id"]]
    assert opened[0]["priority"] != "urgent"  # an anonymous caller pages nobody
    # Every ask is answered with the one ticket: the brain has a number to say, and a reason.
    assert all(a.ok and a.data["ticket_id"] == opened[0]["id"] for a in answers)
    assert [a.data.get("already_open", False) for a in answers] == [False, True, True, True, True]
    assert "already open" in (answers[-1].message or "")


async def test_a_verified_caller_is_not_limited(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        call = await start(temporal_client, tq)
        await verify_maria(call)
        for n in ("one", "two"):
            res = await call.tool(
                "create_ticket", subject=f"Problem {n}", description="Details.", priority="urgent"
            )
            assert res.ok and not res.data.get("already_open")
        await call.end(resolved=True)
        await call.result()
    opened = await call_tickets(sandbox, call)
    assert len(opened) == 2 and {t["priority"] for t in opened} == {"urgent"}


# ------------------------------------------------------------------------------- logs


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Every process log line at debug level, through the product's logging setup."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    out = io.StringIO()
    logs.configure("debug", fmt="json", stream=out)
    yield out
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)
    logging.captureWarnings(False)


async def test_log_output_of_a_whole_call_has_no_caller_digits(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox, captured_logs: io.StringIO
) -> None:
    async with worker() as tq:
        call = await start(temporal_client, tq, caller=STRANGER, inactivity_timeout_s=2.0)
        await say(call, "my phone is 415 555 0101")
        await call.tool("identify_customer", phone="+1 415 555 0101")
        await call.tool("identify_customer", email=MARIA["email"])
        await say(call, f"my zip is {ZIP_SPOKEN}")
        await call.tool("verify_customer", zip="94105", phone_last4=MARIA["phone"][-4:])
        await call.tool("verify_customer", zip=MARIA["zip"], phone_last4=MARIA["phone"][-4:])
        await call.tool("create_ticket", subject="Call me on 415-555-0101", description="ZIP 94103.")
        await call.result()
    text = captured_logs.getvalue()
    assert text, "nothing was logged: the capture is broken"
    # The digits as a number of their own: Temporal's DEBUG lines print encrypted payloads as
    # escaped bytes, where "\\0101F" (an octal escape, then "1F") turns up by chance.
    assert leaked(text) == [] and not re.search(r"(?<![\w\\])0101(?!\w)", text) and "5550000" not in text


def test_every_customers_values_as_the_bench_callers_say_them_are_masked() -> None:
    """Every seed customer's ZIP, phone and e-mail, in each phrasing bank's spoken form."""
    from bench.callers import spoken_email, spoken_value
    from bench.phrases import BANKS

    rng = random.Random(7)
    digit_word = re.compile(
        r"\b(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|double|ten|eleven|twelve|\w+teen|\w+ty)\b"
    )
    said = 0
    for seed in [DEFAULT_SEED, *sorted((DEFAULT_SEED.parent / "seeds").glob("*.json"))]:
        for c in json.loads(seed.read_text())["customers"]:
            for bank in BANKS:
                for line in (
                    f"my zip is {spoken_value(c['zip'], rng, bank)}",
                    f"reach me at {spoken_value(c['phone'], rng, bank)} please",
                    f"sure, it's {spoken_email(c['email'], bank)}, that's it",
                ):
                    shown = redaction.mask(line).lower()
                    said += 1
                    assert not re.search(r"\d", shown) and not digit_word.search(shown), (line, shown)
                    # The name in the address, without its digits ("jovan" of jovan86), is not shown.
                    name = re.sub(r"\d", "", c["email"].split("@")[0].split(".")[0].lower())
                    assert len(name) < 3 or name not in shown, (line, shown)
    assert said > 100


def test_the_masking_rule() -> None:
    """Unit view of the rule the attacks rely on (activities/redaction.py)."""
    keep = redaction.kept_digits(["#10482", "57"])
    cases = {
        "my zip is nine four one oh three": "my zip is [number]",
        "Nine, four, one, zero, three.": "[number].",
        "double seven three four": "[number]",
        "ninety four one oh three": "[number]",
        "call 415-555-0101 or (415) 555.0101": "call [number] or ([number]",
        "it's john dot smith at example dot com thanks": "it's [e-mail] thanks",
        "j o h n at gmail.com": "[e-mail]",
        "maria@example.com": "[e-mail]",
        "I was looking at it. The router broke": "I was looking at it. The router broke",
        "I need this one fixed, two routers": "I need this one fixed, two routers",
        "oh no": "oh no",
        "order 10482 and ticket 57, zip 94103": "order 10482 and ticket 57, zip [number]",
        "this is Maria Lopez": "this is [redacted]",
    }
    for said, shown in cases.items():
        assert redaction.mask(said, keep=keep, secrets=["maria lopez"]) == shown, said


async def test_a_voice_call_logs_no_caller_digits_and_tickets_none(
    engine: Engine, sandbox: Sandbox, captured_logs: io.StringIO
) -> None:
    """A real call over the phone simulator: every process's log lines and the ticket it leaves."""
    phone = engine.phone(caller=MARIA["phone"])
    await phone.dial()
    await phone.wait_agent_done(since=0)
    for line in (
        "Hi, I have a question about my bill.",
        ZIP_SPOKEN,
        "Yes.",
        "Also my email is maria at example dot com, call me on four one five, five five five, oh one oh one.",
    ):
        await phone.say(caller_voice.say(line, tail_ms=100))
        await phone.wait_agent_done(since=phone._now(), quiet_s=1.5)
    await phone.hang_up()
    call = Call.attach(engine.handler.services.client, phone.call_sid)
    result = await asyncio.wait_for(call.result(), 30)
    state = await call.state()
    said = " ".join(t.text.lower() for t in state.turns if t.speaker == "caller")
    assert re.search(r"9|nine", said), said  # the secret was really in the call
    text = captured_logs.getvalue()
    assert phone.call_sid in text  # the capture saw the call's own lines
    # The digits as a number of their own: Temporal's DEBUG lines print encrypted payloads as
    # escaped bytes, where "\\0101F" (an octal escape, then "1F") turns up by chance.
    assert leaked(text) == [] and not re.search(r"(?<![\w\\])0101(?!\w)", text)
    for ticket in await call_tickets(sandbox, call):
        assert leaked(ticket["subject"] + ticket["description"]) == [], ticket
    assert leaked(result.summary) == []
    assert state.verified  # so the wrap-up left a CRM note: it quotes the caller too
    [note] = [n for n in await sandbox.crm_notes(MARIA["id"]) if n["call_id"] == call.workflow_id]
    assert leaked(note["body"]) == [] and "Caller said last:" in note["body"], note["body"]


async def test_the_offline_agent_answers_a_fifth_ticket_request_gracefully(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    """An unverified caller asking ticket after ticket hears the one already open, and why."""
    from tests.test_offline_brain import UNKNOWN_NUMBER, converse

    asks = [
        "I'd like to update the mailing address on file please",
        "yes, I also want to change the name on my invoices",
        "yes, and please send me a paper catalog",
        "yes, please send a paper catalog to my office as well",
        "yes, and update the mailing address for my invoices too",
    ]
    async with worker() as tq:
        conv = await converse(temporal_client, tq, *asks, "no", caller=UNKNOWN_NUMBER)
    assert len(conv.result.ticket_ids) == 1
    opened = [a for a in conv.agent if "I've opened ticket" in a]
    again = [a for a in conv.agent if "already a ticket open from this call" in a]
    # Some of these asks may be answered from the help center instead (the brain routes a request
    # to an article when one is about it); every one that asks for a ticket hears the open one.
    assert len(opened) == 1 and len(again) >= 2, conv.agent
    assert all("once your account is verified" in a for a in again)
