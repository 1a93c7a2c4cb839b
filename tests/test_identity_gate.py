"""Identity that holds (issue 14): existence leaks, a second factor, a lockout across calls.

Each test performs the attack against the real processes: a Temporal dev server, a worker with
the real activities and the sandbox's CRM and shop over HTTP.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from temporalio.client import Client

from activities.lockout import LockPolicy
from callengine.calls import Call
from callengine.settings import DEFAULT_SEED
from tests.conftest import Sandbox, WorkerFactory
from tests.conftest import start_call as start
from workflows.verify_guard import MAX_FAILURES

SEED = json.loads(DEFAULT_SEED.read_text())
MARIA = SEED["customers"][0]
# A neighbour: another customer with Maria's billing ZIP (the seed has several such pairs).
NEIGHBOUR = next(c for c in SEED["customers"][1:] if c["zip"] == MARIA["zip"])
MARIAS_ORDER = next(o for o in SEED["orders"] if o["customer_id"] == MARIA["id"])
STRANGER = "+19995550000"  # a caller ID on no account


def last4(customer: dict[str, Any]) -> str:
    """The last four digits of a customer's phone number."""
    return str(customer["phone"])[-4:]


def brain_view(results: list[Any]) -> list[dict[str, Any]]:
    """Everything the brain (and so an LLM) is given of each tool result."""
    return [r.model_dump(mode="json") for r in results]


async def attempt(call: Call, identifier: dict[str, str], factors: dict[str, str]) -> list[Any]:
    """Identify with `identifier`, then verify with `factors`: the two results."""
    found = await call.tool("identify_customer", **identifier)
    checked = await call.tool("verify_customer", **factors)
    return [found, checked]


async def test_an_identifier_that_names_nobody_is_answered_like_one_that_names_a_customer(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    """A stranger cannot enumerate customers by e-mail, phone or order number."""
    wrong = {"zip": "10001", "phone_last4": "1234"}
    pairs = [
        ({"email": MARIA["email"]}, {"email": "nobody@nowhere.example"}),
        ({"phone": MARIA["phone"]}, {"phone": "+14155559999"}),
        ({"order_id": MARIAS_ORDER["id"]}, {"order_id": "99999"}),
    ]
    async with worker() as tq:
        for real, missing in pairs:
            seen = []
            for identifier in (real, missing):
                call = await start(temporal_client, tq, caller=STRANGER)
                assert (await call.tool("identify_customer", use_caller_id=True)).data == {"found": False}
                seen.append(brain_view(await attempt(call, identifier, wrong)))
                # The ZIP alone is not enough after a said identifier, whether it matched or not.
                zip_only = await call.tool("verify_customer", zip=MARIA["zip"])
                seen[-1].append(zip_only.model_dump(mode="json"))
                await call.end()
                await call.result()
            assert seen[0] == seen[1], (real, missing)
            found, checked, zip_only = seen[0]
            assert found["data"]["found"] is True and found["data"]["second_factor"] is True
            assert checked["data"] == {"verified": False, "attempts_left": 2}
            assert zip_only["error_code"] == "invalid_input"


async def test_a_neighbour_with_the_shared_zip_and_the_order_number_is_not_verified(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    """Account takeover with a shared ZIP: the second factor is the victim's, not the area's."""
    assert NEIGHBOUR["zip"] == MARIA["zip"] and NEIGHBOUR["phone"] != MARIA["phone"]
    order = {"order_id": MARIAS_ORDER["id"]}
    async with worker() as tq:
        call = await start(temporal_client, tq, caller=NEIGHBOUR["phone"])
        for factor in (
            {"phone_last4": last4(NEIGHBOUR)},
            {"account_name": NEIGHBOUR["name"]},
            {"pin": "0000"},
        ):
            found, checked = await attempt(call, order, {"zip": NEIGHBOUR["zip"], **factor})
            assert found.ok and found.data["found"]
            if checked.ok:
                assert checked.data["verified"] is False, factor
            else:
                assert checked.error_code == "identity_locked"
        assert (await call.tool("lookup_order", **order)).error_code == "not_verified"
        await call.end()
        result = await call.result()
        state = await call.state()
    assert not result.verified and result.customer_id is None
    # The factors tried are not in the audit's notes or the call's outcome.
    assert all("mismatch" in c.note or "match" in c.note or not c.note for c in state.tool_calls)
    assert not any(NEIGHBOUR["name"] in c.note or last4(NEIGHBOUR) in c.note for c in state.tool_calls)


async def test_the_right_second_factor_verifies_leniently_and_caller_id_keeps_the_zip_alone(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    """The real customer gets in with the last four digits or their name as said; caller ID needs the ZIP."""
    first, last = MARIA["name"].split(" ", 1)
    spoken = f"  {first.upper()}   {last.lower()}. "
    async with worker() as tq:
        for factor in ({"phone_last4": last4(MARIA)}, {"account_name": spoken}):
            call = await start(temporal_client, tq, caller=STRANGER)
            _, checked = await attempt(call, {"email": MARIA["email"]}, {"zip": MARIA["zip"], **factor})
            assert checked.ok and checked.data == {"verified": True, "first_name": first}, factor
            await call.end(resolved=True)
            await call.result()
        call = await start(temporal_client, tq)  # from her own number
        found, checked = await attempt(call, {"use_caller_id": True}, {"zip": MARIA["zip"]})
        assert found.data.get("second_factor") is None
        assert checked.ok and checked.data["verified"] is True
        await call.end(resolved=True)
        await call.result()


async def test_failed_checks_lock_the_account_across_calls_until_a_person_helps(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    """Calls of wrong factors against one account, two a call: the next, with the right ones, is refused."""
    victim = {"email": MARIA["email"]}
    right = {"zip": MARIA["zip"], "phone_last4": last4(MARIA)}
    async with worker() as tq:
        tries = 0
        for _ in range(-(-MAX_FAILURES // 2)):  # enough calls of two misses to reach the limit
            call = await start(temporal_client, tq, caller=STRANGER)
            for wrong in ("0000", "1111"):  # two per call: under the per-call limit of three
                _, checked = await attempt(call, victim, {"zip": MARIA["zip"], "phone_last4": wrong})
                tries += 1
                if tries < MAX_FAILURES:
                    assert checked.data == {"verified": False, "attempts_left": 2 if wrong == "0000" else 1}
            await call.end()
            await call.result()
        assert tries >= MAX_FAILURES
        call = await start(temporal_client, tq, caller=STRANGER)
        found, checked = await attempt(call, victim, right)
        assert found.data["found"] and checked.error_code == "identity_locked"
        # Caller ID does not get around the lock either: it is the account that is locked.
        own = await start(temporal_client, tq)
        _, by_caller_id = await attempt(own, {"use_caller_id": True}, {"zip": MARIA["zip"]})
        assert by_caller_id.error_code == "identity_locked"
        # The brain hands locked callers to a person.
        handoff = await call.tool("escalate", reason="identity_failure")
        assert handoff.ok
        for c in (call, own):
            await c.end()
            await c.result()
    # One CRM note says verification was locked, with no digits (no factor, no count, no date).
    notes = [n for n in await sandbox.crm_notes(MARIA["id"]) if "locked" in n["body"]]
    assert len(notes) == 1
    assert not re.search(r"\d", notes[0]["body"])
    # The guard's workflow id names no customer, phone or e-mail.
    assert notes[0]["call_id"].startswith("verify-guard-")
    assert MARIA["id"] not in notes[0]["call_id"] and last4(MARIA) not in notes[0]["call_id"]


async def test_identifiers_matching_nobody_lock_the_same_way(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    """A lock does not tell a stranger that an account exists: an unknown e-mail locks too."""
    nobody = {"email": "nobody@nowhere.example"}
    async with worker() as tq:
        results = []
        for _ in range(3):
            call = await start(temporal_client, tq, caller=STRANGER)
            for _ in range(2):
                results.append((await attempt(call, nobody, {"zip": "10001", "phone_last4": "0000"}))[1])
            await call.end()
            await call.result()
    codes = [r.error_code for r in results]
    assert codes[MAX_FAILURES - 1 :] == ["identity_locked"] * (len(codes) - MAX_FAILURES + 1)
    assert all(r.ok for r in results[: MAX_FAILURES - 1])


def test_the_lock_policy_comes_from_the_environment() -> None:
    """Operators tune the lock; nonsense is refused at start-up, not at the first failure."""
    assert LockPolicy.from_env({}) == LockPolicy(MAX_FAILURES, 86400.0, 86400.0)
    tuned = {"CALLENGINE_VERIFY_MAX_FAILURES": "3", "CALLENGINE_VERIFY_LOCK_S": "3600"}
    assert LockPolicy.from_env(tuned) == LockPolicy(3, 86400.0, 3600.0)
    with pytest.raises(ValueError):
        LockPolicy.from_env({"CALLENGINE_VERIFY_MAX_FAILURES": "0"})
