"""CallWorkflow end to end: real Temporal dev server, real worker, real sandbox over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
from temporalio.client import Client

from callengine.calls import Call
from callengine.settings import DEFAULT_SEED
from tests.conftest import Sandbox, WorkerFactory, verify_maria
from tests.conftest import start_call as start

SEED = json.loads(DEFAULT_SEED.read_text())
MARIA = SEED["customers"][0]
OTHER_ORDER = next(o for o in SEED["orders"] if o["customer_id"] != MARIA["id"])
OTHER = next(c for c in SEED["customers"] if c["id"] == OTHER_ORDER["customer_id"])


def leaks(result: Any, customer: dict[str, Any]) -> list[str]:
    """Which of a customer's personal fields appear anywhere in a result."""
    text = json.dumps(result.model_dump(mode="json"))
    return [k for k in ("name", "email", "phone", "zip") if str(customer[k]) in text]


async def test_verified_call_looks_up_order_tickets_and_wraps_up(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        call = await start(temporal_client, tq)
        await call.turn("caller", "Hi, where is my order?")
        await verify_maria(call)
        order = await call.tool("lookup_order", order_id="#10482")
        assert order.ok
        assert {k: order.data[k] for k in ("order_id", "status", "carrier", "eta")} == {
            "order_id": "10482",
            "status": "shipped",
            "carrier": "UPS",
            "eta": "2026-11-28",
        }
        ticket = await call.tool(
            "create_ticket",
            subject="Box arrived dented",
            description="Caller reports the router box arrived dented.",
        )
        assert ticket.ok
        await call.turn(
            "agent",
            "Your order shipped with UPS and arrives November 28.",
            intent="order_status",
            confidence=0.93,
        )
        await call.end("caller_hangup", resolved=True)
        result = await call.result()
        state = await call.state()  # queries need a worker: ask before it stops

    assert result.outcome == "resolved"
    assert result.customer_id == MARIA["id"] and result.verified
    assert result.ticket_ids == [ticket.data["ticket_id"]]
    assert "lookup_order (order 10482: shipped)" in result.summary
    # The wrap-up left a CRM note for this call, once.
    notes = [n for n in await sandbox.crm_notes(MARIA["id"]) if n["call_id"] == call.workflow_id]
    assert len(notes) == 1 and "Outcome: resolved" in notes[0]["body"]
    # Ops can find the call by its search attributes, which hold no personal data.
    desc = await call.handle.describe()
    attrs = {k.name: v for k, v in desc.typed_search_attributes}  # type: ignore[attr-defined]
    assert attrs["CallSid"] == result.call_sid
    assert attrs["CustomerId"] == MARIA["id"]
    assert attrs["Intent"] == "order_status"
    assert attrs["Outcome"] == "resolved"
    assert attrs["Escalated"] is False
    assert MARIA["phone"] not in json.dumps({k: str(v) for k, v in attrs.items()})
    assert state.caller == "•••"  # not even the last four: they can be a second factor
    assert [c.name for c in state.tool_calls] == [
        "identify_customer",
        "verify_customer",
        "lookup_order",
        "create_ticket",
    ]


async def test_account_tools_refused_before_verification(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        call = await start(temporal_client, tq, caller="+19995550000")
        for name, args in [
            ("lookup_order", {"order_id": "10482"}),
            ("get_account", {}),
            ("list_orders", {}),
            ("issue_refund", {"order_id": "10482", "reason": "x" * 5}),
        ]:
            res = await call.tool(name, **args)
            assert not res.ok and res.error_code == "not_verified", name
            assert res.data == {}
        # Verification without a matched account is refused too.
        res = await call.tool("verify_customer", zip="94103")
        assert res.error_code == "not_identified"
        # Unknown caller ID: no match, and nothing about anyone is returned.
        res = await call.tool("identify_customer", use_caller_id=True)
        assert res.ok and res.data == {"found": False}
        # Knowledge needs no identity.
        kb = await call.tool("search_knowledge", query="router keeps disconnecting")
        assert kb.ok and kb.data["articles"][0]["title"] == "Router keeps disconnecting"
        await call.end()
        result = await call.result()
    assert not result.verified and result.customer_id is None
    # No Shopify request was ever made for the refused tools.
    assert await sandbox.requests("/admin/api") == []


async def test_wrong_second_factor_locks_identity(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        call = await start(temporal_client, tq)
        assert (await call.tool("identify_customer", use_caller_id=True)).data["found"]
        for left in (2, 1, 0):
            res = await call.tool("verify_customer", zip="10001")
            assert res.ok and res.data == {"verified": False, "attempts_left": left}
        res = await call.tool("verify_customer", zip=MARIA["zip"])  # right ZIP, too late
        assert res.error_code == "identity_locked"
        res = await call.tool("identify_customer", email=MARIA["email"])
        assert res.error_code == "identity_locked"
        res = await call.tool("get_account")
        assert res.error_code == "not_verified"
        # A malformed ZIP is answered without an activity and does not count as an attempt.
        res = await call.tool("verify_customer", zip="941")
        assert res.error_code == "invalid_input" and "five digits" in (res.message or "")
        await call.end()
        await call.result()


async def test_verified_caller_cannot_reach_another_customers_data(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        call = await start(temporal_client, tq)
        await verify_maria(call)
        # Someone else's order number: indistinguishable from a non-existent one.
        theirs = await call.tool("lookup_order", order_id=OTHER_ORDER["id"])
        missing = await call.tool("lookup_order", order_id="99999")
        assert theirs.error_code == missing.error_code == "not_found"
        assert theirs.message == missing.message
        assert leaks(theirs, OTHER) == []
        # Naming their e-mail, phone or order number is answered exactly like one that names
        # nobody: no switching accounts, and no telling who is a customer.
        nobody = await call.tool("identify_customer", email="nobody@nowhere.example")
        assert nobody.ok and nobody.data == {"found": False}
        for args in ({"email": OTHER["email"]}, {"order_id": OTHER_ORDER["id"]}, {"phone": OTHER["phone"]}):
            res = await call.tool("identify_customer", **args)
            assert res.model_dump() == nobody.model_dump(), args
            assert leaks(res, OTHER) == []
        # Smuggling a customer id into the arguments is an error, not an override.
        res = await call.tool("get_account", customer_id=OTHER["id"])
        assert res.error_code == "invalid_input"
        res = await call.tool("check_refund", order_id=OTHER_ORDER["id"])
        assert res.error_code == "not_found"
        # Her own account still works and is hers.
        mine = await call.tool("get_account")
        assert mine.ok and mine.data["customer_id"] == MARIA["id"]
        assert leaks(mine, OTHER) == []
        await call.end(resolved=True)
        result = await call.result()
    assert result.customer_id == MARIA["id"]


async def test_ticket_created_once_when_response_is_lost(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    # The ticket is committed, then the answer is a 500: the activity retries.
    await sandbox.fault(
        method="POST", path_prefix="/api/v2/tickets.json", status=500, count=1, after_commit=True
    )
    async with worker() as tq:
        call = await start(temporal_client, tq)
        res = await call.tool(
            "create_ticket",
            subject="Modem lights blinking orange",
            description="Caller's modem shows blinking orange lights since this morning.",
        )
        assert res.ok, res
        await call.end(resolved=True)
        await call.result()
    posts = [r for r in await sandbox.requests("/api/v2/tickets") if r["method"] == "POST"]
    assert posts[0]["status"] == 500  # the first attempt really lost its answer
    matching = [t for t in await sandbox.tickets() if t["subject"] == "Modem lights blinking orange"]
    assert len(matching) == 1
    assert matching[0]["id"] == res.data["ticket_id"]


async def test_refund_issued_once_and_policy_enforced(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    await sandbox.fault(
        method="POST",
        path_prefix="/admin/api/2024-10/orders/10561/refunds.json",
        status=502,
        count=1,
        after_commit=True,
    )
    async with worker() as tq:
        call = await start(temporal_client, tq)
        await verify_maria(call)
        check = await call.tool("check_refund", order_id="10561")
        assert check.ok and check.data["auto_approve"] and check.data["amount_cents"] == 6298
        refund = await call.tool("issue_refund", order_id="10561", reason="Extender does not work")
        assert refund.ok, refund
        # Over the auto-approve limit: eligible, but a person must approve it.
        big = await call.tool("check_refund", order_id="10556")
        assert big.ok and big.data["eligible"] and not big.data["auto_approve"]
        refused = await call.tool("issue_refund", order_id="10556", reason="Too slow for my plan")
        assert refused.error_code == "rejected"
        # Outside the window.
        old = await call.tool("check_refund", order_id="10499")
        assert old.data["reason"] == "outside_window"
        await call.end(resolved=True)
        await call.result()
    refunds = await sandbox.get(
        "/admin/api/2024-10/orders/10561/refunds.json", {"X-Shopify-Access-Token": "dev-shopify-token"}
    )
    assert len(refunds["refunds"]) == 1
    assert refunds["refunds"][0]["transactions"][0]["amount"] == "62.98"


async def test_backend_errors_retry_then_give_a_clean_result(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker(http_timeout_s=0.3) as tq:
        call = await start(temporal_client, tq)
        await verify_maria(call)
        await sandbox.fault(
            method="GET", path_prefix="/admin/api/2024-10/orders.json", status=500, count=None
        )
        res = await call.tool("lookup_order", order_id="10482")
        assert res.error_code == "backend_unavailable"
        assert res.message == "That system is not responding right now."
        attempts = [r for r in await sandbox.requests("/admin/api/2024-10/orders.json")]
        assert len(attempts) >= 3  # retried with backoff before giving up

        await sandbox.fault(
            method="GET", path_prefix="/crm/v1/customers/C1001", delay_ms=2000, status=None, count=None
        )
        res = await call.tool("get_account")
        assert res.error_code == "backend_unavailable"

        # A transient failure heals within the retries: the caller never notices.
        await sandbox.http.delete(
            f"{sandbox.url}/_admin/faults", headers={"Authorization": "Bearer dev-admin-token"}
        )
        await sandbox.fault(method="GET", path_prefix="/admin/api/2024-10/orders.json", status=503, count=1)
        res = await call.tool("lookup_order", order_id="10482")
        assert res.ok and res.data["status"] == "shipped"
        await call.end(resolved=True)
        result = await call.result()
    assert result.outcome == "resolved"


async def test_silent_call_wraps_up_as_dropped_with_a_ticket(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        call = await start(temporal_client, tq, inactivity_timeout_s=1.5)
        await call.turn("caller", "I need help with my bill")
        result = await call.result()
    assert result.outcome == "dropped"
    assert len(result.ticket_ids) == 1
    ticket = next(t for t in await sandbox.tickets() if t["id"] == result.ticket_ids[0])
    assert "dropped" in ticket["tags"] and "I need help with my bill" in ticket["description"]
    desc = await call.handle.describe()
    attrs = {k.name: v for k, v in desc.typed_search_attributes}  # type: ignore[attr-defined]
    assert attrs["Outcome"] == "dropped"


async def test_escalation_creates_one_handoff_and_sets_attributes(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        call = await start(temporal_client, tq, human_queue="tier2")
        await verify_maria(call)
        await call.turn("caller", "I want to talk to a manager")
        first = await call.tool("escalate", reason="caller_request")
        again = await call.tool("escalate", reason="negative_sentiment")
        assert first.ok and first.data["queue"] == "tier2"
        assert again.data["ticket_id"] == first.data["ticket_id"]
        await call.end("transferred")
        result = await call.result()
    assert result.outcome == "escalated" and result.escalation_reason == "caller_request"
    handoffs = [t for t in await sandbox.tickets() if "handoff" in t["tags"]]
    assert len(handoffs) == 1
    assert handoffs[0]["priority"] == "high"
    assert "Customer: C1001" in handoffs[0]["description"]
    assert "I want to talk to a manager" in handoffs[0]["description"]
    desc = await call.handle.describe()
    attrs = {k.name: v for k, v in desc.typed_search_attributes}  # type: ignore[attr-defined]
    assert attrs["Escalated"] is True and attrs["Outcome"] == "escalated"


async def test_invalid_input_gets_clear_errors_and_unknown_tools_are_rejected(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    from temporalio.client import WorkflowUpdateFailedError

    async with worker() as tq:
        call = await start(temporal_client, tq)
        res = await call.tool("identify_customer", email="maria at example")
        assert res.error_code == "invalid_input" and "e-mail" in (res.message or "")
        res = await call.tool("identify_customer", use_caller_id=True, email="maria@example.com")
        assert res.error_code == "invalid_input" and "exactly one" in (res.message or "")
        res = await call.tool("identify_customer", order_id="ab-c")  # letters may be in one, digits must
        assert res.error_code == "invalid_input" and "order number" in (res.message or "")
        with pytest.raises(WorkflowUpdateFailedError):
            await call.tool("drop_tables")
        # Identify by a spoken order number works.
        res = await call.tool("identify_customer", order_id="1 0 4 8 2")
        assert res.ok and res.data["found"]
        await call.end()
        await call.result()
        state = await call.state()
    assert [c.name for c in state.tool_calls] == ["identify_customer"] * 4  # the rejected one is not there


async def test_call_sid_must_be_twilio_shaped(temporal_client: Client) -> None:
    with pytest.raises(ValueError, match="Call SID"):
        await Call.start(
            temporal_client, "calls", call_sid="../../etc", caller_number="+1", called_number="+1"
        )
