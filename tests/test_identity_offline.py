"""Identity that holds, as the offline agent says it: the attacks of issue 14 as text conversations."""

from __future__ import annotations

import json

from temporalio.client import Client

from callengine.chat import context_for
from callengine.settings import DEFAULT_SEED
from realtime.brain import speak
from realtime.brain.base import CallerInput, Say
from realtime.brain.offline import OfflineBrain, lines
from tests.conftest import Sandbox, WorkerFactory, sent_arguments, start_call
from tests.test_offline_brain import TODAY, UNKNOWN_NUMBER, VERIFY, converse
from tests.test_repair import assert_grammatical

SEED = json.loads(DEFAULT_SEED.read_text())
MARIA = SEED["customers"][0]
NEIGHBOUR = next(c for c in SEED["customers"][1:] if c["zip"] == MARIA["zip"])
MARIAS_ORDER = next(o for o in SEED["orders"] if o["customer_id"] == MARIA["id"])
THEIR_ORDER = next(o for o in SEED["orders"] if o["customer_id"] not in (MARIA["id"],))
MISSING_ORDER = "10999"
assert MISSING_ORDER not in {o["id"] for o in SEED["orders"]}


def spoken_digits(value: str) -> str:
    """How a caller says a number: digit by digit."""
    return " ".join(value)


# Maria's two factors, said and confirmed: the ZIP, then the phone's last four digits.
TWO_FACTORS = (spoken_digits(MARIA["zip"]), "yes", spoken_digits(MARIA["phone"][-4:]), "yes")


def without(text: list[str], number: str) -> list[str]:
    """The agent's lines with one number (as said back) blanked out."""
    return [a.replace(speak.say_digits(number), "<n>").replace(number, "<n>") for a in text]


async def test_a_customers_order_number_and_a_missing_one_sound_the_same_to_a_stranger(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    """Before verification: every reply is byte-identical apart from the number."""
    heard = []
    async with worker() as tq:
        for number in (THEIR_ORDER["id"], MISSING_ORDER):
            conv = await converse(
                temporal_client,
                tq,
                f"Where is my order? It's order {spoken_digits(number)}.",
                "yes",
                spoken_digits(MARIA["zip"]),
                "yes",
                "1 2 3 4",
                "yes",
                "no thanks",
                caller=UNKNOWN_NUMBER,
            )
            assert not conv.result.verified
            heard.append(without(conv.agent, number))
    assert heard[0] == heard[1]
    assert any(lines.CHECK_MISMATCH in a for a in heard[0])
    assert not any("found the account" in a for a in heard[0])


async def test_another_customers_order_and_a_missing_one_sound_the_same_when_verified(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    """After verification: "not yours" is said exactly like "does not exist"."""
    heard = []
    async with worker() as tq:
        for number in (THEIR_ORDER["id"], MISSING_ORDER):
            conv = await converse(
                temporal_client,
                tq,
                "Where is my order?",
                *VERIFY,
                spoken_digits(number),
                "yes",
                "no thanks",
            )
            assert conv.result.verified
            heard.append(without(conv.agent, number))
    assert heard[0] == heard[1]
    assert any("couldn't find order <n>" in a for a in heard[0]), heard[0]


async def test_a_neighbour_with_the_shared_zip_and_the_order_number_is_not_verified(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    """The neighbour knows Maria's order number and shares her ZIP; their own digits and name fail."""
    async with worker() as tq:
        conv = await converse(
            temporal_client,
            tq,
            f"Where is order {spoken_digits(MARIAS_ORDER['id'])}?",
            "yes",
            spoken_digits(NEIGHBOUR["zip"]),
            "yes",
            spoken_digits(NEIGHBOUR["phone"][-4:]),
            "yes",
            # A mismatch starts again from the identifier (a misheard one finds another account).
            spoken_digits(MARIAS_ORDER["id"]),
            "yes",
            spoken_digits(NEIGHBOUR["zip"]),
            "yes",
            "I don't know",
            NEIGHBOUR["name"],
            "yes",
            "okay",
            caller=UNKNOWN_NUMBER,
        )
        state = await conv.outcome.call.state()
    assert not conv.result.verified and not state.verified
    assert lines.LAST4_QUESTION in conv.agent and lines.NAME_QUESTION in conv.agent
    assert any(a.startswith(lines.CHECK_MISMATCH) for a in conv.agent)
    order_facts = [str(MARIAS_ORDER.get(k)) for k in ("carrier", "tracking", "eta") if MARIAS_ORDER.get(k)]
    assert not any(fact in conv.text for fact in order_facts)
    assert await sent_arguments(conv.outcome.call, "verify_customer") == [
        {"zip": NEIGHBOUR["zip"], "phone_last4": NEIGHBOUR["phone"][-4:]},
        {"zip": NEIGHBOUR["zip"], "account_name": NEIGHBOUR["name"]},
    ]
    assert_grammatical(conv)


async def test_the_customer_who_forgot_the_digits_verifies_with_the_name(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    """Second factor with repair: a misheard digit corrected, then "I don't know" leads to the name."""
    first, last = MARIA["name"].split(" ", 1)
    async with worker() as tq:
        conv = await converse(
            temporal_client,
            tq,
            f"Hi, where is order {spoken_digits(MARIAS_ORDER['id'])}?",
            "yes",
            spoken_digits(MARIA["zip"]),
            "yes",
            "I'm not sure, I don't know",
            f"it's {first.lower()} {last.lower()}",
            "yes",
            "no thanks",
            caller=UNKNOWN_NUMBER,
        )
        state = await conv.outcome.call.state()
    assert state.verified and state.customer_id == MARIA["id"]
    assert lines.name_read_back(MARIA["name"]) in conv.agent
    assert any(lines.verified(first) in a for a in conv.agent)
    assert_grammatical(conv)


async def test_a_misheard_last_four_is_corrected_in_the_read_back(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    last4 = MARIA["phone"][-4:]
    wrong = last4[:3] + str((int(last4[3]) + 1) % 10)
    async with worker() as tq:
        conv = await converse(
            temporal_client,
            tq,
            f"Where is order {spoken_digits(MARIAS_ORDER['id'])}?",
            "yes",
            spoken_digits(MARIA["zip"]),
            "yes",
            spoken_digits(wrong),
            f"no, it's {spoken_digits(last4)}",
            "yes",
            "no thanks",
            caller=UNKNOWN_NUMBER,
        )
        state = await conv.outcome.call.state()
    assert state.verified
    assert await sent_arguments(conv.outcome.call, "verify_customer") == [
        {"zip": MARIA["zip"], "phone_last4": last4}
    ]  # the misheard digits were never tried


async def test_taking_over_after_a_said_identifier_asks_for_both_factors_either_way(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    """A brain taking over (the LLM failed) resumes at the ZIP, then asks the second factor too,
    whether the e-mail named an account or not."""
    heard = []
    async with worker() as tq:
        for email in (MARIA["email"], "nobody@nowhere.example"):
            call = await start_call(temporal_client, tq, caller=UNKNOWN_NUMBER)
            await call.turn("agent", "What's the billing ZIP?", intent="account", confidence=0.9)
            assert (await call.tool("identify_customer", email=email)).data["second_factor"]
            brain = OfflineBrain(context_for(call, TODAY))
            await brain.take_over()
            said = []
            for answer in TWO_FACTORS:
                said += [ev.text async for ev in brain.respond(CallerInput(answer)) if isinstance(ev, Say)]
            heard.append(said[:3])
            await call.end()
            result = await call.result()
            assert result.verified == (email == MARIA["email"])
    assert heard[0] == heard[1]
    assert lines.LAST4_QUESTION in heard[0]


async def test_a_misheard_e_mail_leads_to_the_phone_number_not_the_same_question(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    """An e-mail is never read back, so a misheard one fails only at the check: then the number is asked."""
    misheard = "that's use only thirty at home dot example dot net"  # a name Whisper got wrong
    async with worker() as tq:
        conv = await converse(
            temporal_client,
            tq,
            "what's my balance",
            misheard,
            *TWO_FACTORS,
            spoken_digits(MARIA["phone"][2:]),
            "yes",
            "no thanks",
            caller=UNKNOWN_NUMBER,
        )
    assert f"{lines.CHECK_MISMATCH} {lines.PHONE_INSTEAD}" in conv.agent, conv.agent
    assert conv.result.verified, conv.agent
    # The ZIP and the last four digits, confirmed once, are not asked for again.
    assert sum(lines.LAST4_QUESTION in line for line in conv.agent) == 1, conv.agent
    assert_grammatical(conv)


async def test_an_e_mail_given_instead_of_the_number_read_back_is_taken_not_answered_with_okay(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        conv = await converse(
            temporal_client,
            tq,
            "what's my balance",
            "my number is 4 1 5 5 5 5 0 1 9 9",
            f"no, use my e-mail instead, it's {MARIA['email']}",
            *TWO_FACTORS,
            "no thanks",
            caller=UNKNOWN_NUMBER,
        )
    assert lines.OKAY not in conv.agent, conv.agent
    assert conv.result.verified, conv.agent
    assert_grammatical(conv)
