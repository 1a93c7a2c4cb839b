"""Another business's data: foreign id schemes and statuses through the real workflow.

The seed below looks nothing like the sandbox's own: Salesforce-style customer ids, a HubSpot
numeric id, UUID appointments, Shopify order names with '#' and letters, statuses the
emulators do not know, help-center articles without `KB` ids, Central European time. Every
intent runs through `CallWorkflow`'s `tool` update with the real activities against the real
sandbox, and the assertions are about facts (ids carried unchanged, statuses, amounts, exactly
one write), never about phrasing.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.client import Client

from callengine.calls import Call
from callengine.chat import context_for
from callengine.settings import BackendSettings, RefundPolicy
from callengine.worker import running_worker
from realtime.brain.offline import OfflineBrain
from tests.conftest import Sandbox, SandboxServer, WorkerFactory, start_call, verify_maria
from tests.test_offline_brain import Turns

SHOPIFY = {"X-Shopify-Access-Token": "dev-shopify-token"}
SCHEDULING = {"Authorization": "Bearer dev-scheduling-token"}

# Salesforce 18-character ids and a HubSpot integer id (as a string: ids are opaque).
ANA: dict[str, Any] = {
    "id": "0035e00000AbC12QAE",
    "name": "Ana Weber",
    "phone": "+4930123456701",
    "email": "ana.weber@example.de",
    "zip": "10115",
    "balance_cents": 1999,
    "plan": "Komfort",
    "status": "on_hold",
    "pin": "4711",  # the optional seed field: a CRM that keeps a PIN
}
BEN: dict[str, Any] = {
    "id": "0035e00000XyZ98QAB",
    "name": "Ben Kraus",
    "phone": "+4930123456702",
    "email": "ben@example.de",
    "zip": "80331",
    "balance_cents": 0,
    "plan": "Basis",
    "status": "active",
}
CARL: dict[str, Any] = {
    **BEN,
    "id": "51",
    "name": "Carl Roth",
    "phone": "+4930123456703",
    "email": "carl@example.de",
}
ANA_APPT = "3f2b8c1e-9d4a-4e2b-8f7a-1c2d3e4f5a6b"
BEN_APPT = "9b1d2c3e-0000-4a4a-9f9f-abcdefabcdef"


def order(oid: str, customer: str, status: str, total: int, placed: str, **extra: Any) -> dict[str, Any]:
    """One seed order with a single item."""
    return {
        "id": oid,
        "customer_id": customer,
        "status": status,
        "total_cents": total,
        "placed_at": placed,
        "items": [{"name": f"Artikel {oid}", "qty": 1, "price_cents": total}],
        **extra,
    }


FOREIGN_SEED: dict[str, Any] = {
    "as_of": "2026-11-25",
    "customers": [ANA, BEN, CARL],
    "orders": [
        order("#1001", ANA["id"], "delayed", 4999, "2026-11-18", carrier="DHL", eta="2026-11-30"),
        order("SO-7781", ANA["id"], "on_hold", 2500, "2026-11-20"),
        order("#1002", ANA["id"], "partially_refunded", 8000, "2026-11-10", refunded_cents=3000),
        order("#1003", ANA["id"], "returned", 1500, "2026-11-15"),
        order("A1B2C3", BEN["id"], "delivered", 1200, "2026-11-19"),
    ],
    "appointments": [
        {
            "id": ANA_APPT,
            "customer_id": ANA["id"],
            "service": "Einbau",
            "starts_at": "2026-12-02T10:00:00+01:00",
            "status": "booked",
        },
        {
            "id": BEN_APPT,
            "customer_id": BEN["id"],
            "service": "Einbau",
            "starts_at": "2026-12-03T10:00:00+01:00",
            "status": "booked",
        },
    ],
    "slots": [
        {"service": "Einbau", "starts_at": "2026-12-04T09:00:00+01:00"},
        {"service": "Einbau", "starts_at": "2026-12-04T14:00:00+01:00"},
        {"service": "Einbau", "starts_at": "2026-12-05T09:00:00+01:00"},
    ],
    "articles": [
        {
            "id": "faq-pairing",
            "title": "Earbuds will not pair",
            "body": "Put both earbuds in the case. Hold the button for ten seconds. Pair them again.",
            "tags": ["bluetooth", "earbuds"],
        },
        {
            "id": "360004567891",
            "title": "Returning an item",
            "body": "Print the label from your account. Drop the parcel at any post office.",
            "tags": ["returns"],
        },
    ],
    "refund_policy": {"window_days": 30, "auto_approve_max_cents": 6000},
}


@pytest.fixture(scope="module")
def foreign_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    path = tmp_path_factory.mktemp("foreign") / "seed.json"
    path.write_text(json.dumps(FOREIGN_SEED))
    server = SandboxServer(path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def foreign(foreign_server: SandboxServer) -> AsyncIterator[Sandbox]:
    async with httpx.AsyncClient() as http:
        sandbox = Sandbox(foreign_server.url, http)
        await sandbox.reset()
        yield sandbox


@asynccontextmanager
async def foreign_worker(client: Client, sandbox: Sandbox) -> AsyncIterator[str]:
    """A worker against the foreign sandbox, with that business's refund policy and date."""
    task_queue = f"calls-foreign-{uuid.uuid4().hex[:8]}"
    policy = RefundPolicy(window_days=30, auto_approve_max_cents=6000, as_of=date(2026, 11, 25))
    backends = dataclasses.replace(BackendSettings.for_sandbox(sandbox.url), refund_policy=policy)
    async with running_worker(client, task_queue, backends):
        yield task_queue


async def identify_and_verify_ana(call: Call) -> None:
    """Every way to find Ana's account finds it; then her ZIP and her PIN verify her."""
    for how in (
        {"use_caller_id": True},
        {"phone": ANA["phone"]},
        {"email": "Ana.Weber@Example.DE"},
        {"order_id": "so 7781"},  # her order name, as a caller says it
        {"order_id": "#1001"},
    ):
        found = await call.tool("identify_customer", **how)
        assert found.ok and found.data["found"] is True, (how, found)
    # Found by an order number she said: the ZIP alone is not enough, a wrong PIN fails.
    assert (await call.tool("verify_customer", zip=ANA["zip"])).error_code == "invalid_input"
    wrong = await call.tool("verify_customer", zip=ANA["zip"], pin="1174")
    assert wrong.ok and wrong.data["verified"] is False
    verified = await call.tool("verify_customer", zip=ANA["zip"], pin=ANA["pin"])
    assert verified.ok and verified.data == {"verified": True, "first_name": "Ana"}, verified


async def test_every_intent_runs_on_another_business_data(temporal_client: Client, foreign: Sandbox) -> None:
    async with foreign_worker(temporal_client, foreign) as tq:
        call = await start_call(temporal_client, tq, caller=ANA["phone"])
        await identify_and_verify_ana(call)
        state = await call.state()
        assert state.customer_id == ANA["id"]  # the Salesforce id, unchanged

        account = await call.tool("get_account")
        assert account.ok and account.data["customer_id"] == ANA["id"]
        assert (account.data["status"], account.data["balance_cents"]) == ("on_hold", 1999)

        # Order status by the name the caller says, statuses the emulator has never heard of.
        for said, name, status in (
            ("1001", "1001", "delayed"),
            ("S O 7781", "SO-7781", "on_hold"),
            ("#1002", "1002", "partially_refunded"),
            ("1003", "1003", "returned"),
        ):
            res = await call.tool("lookup_order", order_id=said)
            assert res.ok, (said, res)
            assert (res.data["order_id"], res.data["status"]) == (name, status)
        delayed = await call.tool("lookup_order", order_id="1001")
        assert (delayed.data["carrier"], delayed.data["eta"]) == ("DHL", "2026-11-30")
        partly = await call.tool("lookup_order", order_id="1002")
        assert (partly.data["total_cents"], partly.data["refunded_cents"]) == (8000, 3000)
        # Ben's order is "not found" for Ana, exactly like one that does not exist.
        for other in ("A1B2C3", "9999"):
            res = await call.tool("lookup_order", order_id=other)
            assert res.error_code == "not_found", (other, res)

        listed = await call.tool("list_orders")
        assert listed.ok
        assert {o["order_id"] for o in listed.data["orders"]} == {"1001", "SO-7781", "1002", "1003"}

        # Appointments: UUID ids carried unchanged into open slots and the reschedule.
        appts = await call.tool("list_appointments")
        assert [a["appointment_id"] for a in appts.data["appointments"]] == [ANA_APPT]
        slots = await call.tool("open_slots", appointment_id=ANA_APPT)
        assert slots.ok and slots.data["starts_at"][0] == "2026-12-04T09:00:00+01:00"
        assert len({s[:10] for s in slots.data["starts_at"]}) == len(slots.data["starts_at"])
        moved = await call.tool(
            "reschedule_appointment", appointment_id=ANA_APPT, starts_at=slots.data["starts_at"][0]
        )
        assert moved.ok and moved.data["appointment_id"] == ANA_APPT, moved
        stolen = await call.tool("open_slots", appointment_id=BEN_APPT)
        assert stolen.error_code == "not_found"
        # What cannot be an id or an order number is a validation error, never an outage.
        bad_inputs: list[tuple[str, dict[str, Any]]] = [
            ("open_slots", {"appointment_id": "x" * 129}),
            ("open_slots", {"appointment_id": "AP\n900"}),
            ("lookup_order", {"order_id": "S O"}),
        ]
        for tool, args in bad_inputs:
            bad = await call.tool(tool, **args)
            assert bad.error_code == "invalid_input", (tool, bad)

        # Knowledge: articles without KB ids.
        kb = await call.tool("search_knowledge", query="my earbuds will not pair")
        assert kb.ok and kb.data["articles"][0]["title"] == "Earbuds will not pair"
        assert kb.data["articles"][0]["steps"][0] == "Put both earbuds in the case."

        # Refunds decided by what the shop knows (amounts, dates), whatever the status word.
        check = await call.tool("check_refund", order_id="SO-7781")
        assert check.ok and check.data["auto_approve"] and check.data["amount_cents"] == 2500, check
        partial = await call.tool("check_refund", order_id="1002")
        assert partial.data["eligible"] and partial.data["amount_cents"] == 5000  # 80 − 30 refunded
        refund = await call.tool("issue_refund", order_id="so-7781", reason="Never shipped")
        assert refund.ok and refund.data["order_id"] == "SO-7781" and refund.data["amount_cents"] == 2500
        again = await call.tool("check_refund", order_id="SO7781")
        assert again.data["reason"] == "already_refunded"

        ticket = await call.tool(
            "create_ticket", subject="Parcel damaged", description="Box arrived crushed."
        )
        assert ticket.ok and isinstance(ticket.data["ticket_id"], str)
        handoff = await call.tool("escalate", reason="caller_request")
        assert handoff.ok
        await call.end("caller_hangup", resolved=True)
        result = await call.result()

    assert result.customer_id == ANA["id"] and result.verified and result.escalated
    assert result.ticket_ids == [ticket.data["ticket_id"], handoff.data["ticket_id"]]
    # Exactly one refund, on Shopify's own id for the order named "SO-7781".
    orders = await foreign.get("/admin/api/2024-10/orders.json", SHOPIFY, name="SO-7781", status="any")
    (so,) = orders["orders"]
    assert isinstance(so["id"], int) and so["name"] == "SO-7781"
    assert [r["transactions"][0]["amount"] for r in so["refunds"]] == ["25.00"]
    # Exactly one reschedule, and exactly the two tickets the call claims.
    appt = await foreign.get(f"/scheduling/v1/appointments/{ANA_APPT}", SCHEDULING)
    assert appt["appointment"]["starts_at"] == "2026-12-04T09:00:00+01:00"
    assert appt["appointment"]["rescheduled_from"] == "2026-12-02T10:00:00+01:00"
    assert sorted(t["id"] for t in await foreign.tickets()) == sorted(result.ticket_ids)
    notes = await foreign.crm_notes(ANA["id"])
    assert len(notes) == 1  # the wrap-up note, on the Salesforce id


async def test_a_numeric_crm_id_is_carried_as_a_string(temporal_client: Client, foreign: Sandbox) -> None:
    async with foreign_worker(temporal_client, foreign) as tq:
        call = await start_call(temporal_client, tq, caller=CARL["phone"])
        found = await call.tool("identify_customer", use_caller_id=True)
        assert found.ok and found.data["found"] is True
        verified = await call.tool("verify_customer", zip=CARL["zip"])
        assert verified.ok and verified.data["verified"] is True, verified
        account = await call.tool("get_account")
        assert account.data["customer_id"] == "51"
        await call.end("caller_hangup", resolved=True)
        result = await call.result()
    assert result.customer_id == "51"


@pytest.mark.parametrize(
    "attack",
    [
        "../appointments/A501",  # unencoded, the client resolves it to A501 itself
        "A501#fragment",  # unencoded, everything after '#' never reaches the server
        "A501?customer_id=C1002",
        "A501/reschedule",
        "..",
        "%2E%2E",
    ],
)
async def test_an_id_cannot_change_which_resource_is_requested(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox, attack: str
) -> None:
    # Each of these, put in a URL path unencoded, would request Maria's real appointment A501
    # (or another resource): percent-encoded, it names a record that does not exist.
    async with worker() as tq:
        call = await start_call(temporal_client, tq)
        await verify_maria(call)
        own = await call.tool("open_slots", appointment_id="A501")
        assert own.ok
        res = await call.tool("open_slots", appointment_id=attack)
        assert res.error_code == "not_found", res
        await call.end("caller_hangup", resolved=True)
        await call.result()
    paths = [r["path"] for r in await sandbox.requests("/scheduling/v1/")]
    assert paths.count("/scheduling/v1/appointments/A501") == 1  # only the honest request
    assert not [p for p in paths if p.startswith("/scheduling/v1/slots")][1:]


def test_the_foreign_seed_is_valid_as_written(tmp_path: Path) -> None:
    from sandbox.seed import load_seed

    path = tmp_path / "seed.json"
    path.write_text(json.dumps(FOREIGN_SEED))
    seed = load_seed(path)
    assert [o.id for o in seed.orders] == ["#1001", "SO-7781", "#1002", "#1003", "A1B2C3"]


# -- the emulators on the foreign seed, over ASGI -------------------------------------------------


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    from sandbox.app import create_app

    path = tmp_path / "seed.json"
    path.write_text(json.dumps(FOREIGN_SEED))
    transport = httpx.ASGITransport(app=create_app(path))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as c:
        yield c


async def test_orders_are_found_by_the_name_a_customer_quotes(shop: httpx.AsyncClient) -> None:
    async def names(**params: str) -> list[tuple[int, str]]:
        resp = await shop.get("/admin/api/2024-10/orders.json", params=params, headers=SHOPIFY)
        assert resp.status_code == 200, resp.text
        return [(o["id"], o["name"]) for o in resp.json()["orders"]]

    assert await names(name="so7781") == await names(name="SO-7781")
    ((so_id, so_name),) = await names(name="SO-7781")
    # A name without a number of its own gets a Shopify-like id; "#1001" keeps 1001.
    assert so_name == "SO-7781" and so_id >= 5_000_000_001
    assert await names(name="1001") == await names(name="#1001") == [(1001, "#1001")]
    assert await names(name="7781") == []  # the whole name, not a part of it


async def test_unknown_statuses_pass_through_as_open_paid_orders(shop: httpx.AsyncClient) -> None:
    url = "/admin/api/2024-10/orders.json"
    open_ = (await shop.get(url, params={"status": "open"}, headers=SHOPIFY)).json()["orders"]
    closed = (await shop.get(url, params={"status": "closed"}, headers=SHOPIFY)).json()["orders"]
    assert {o["callengine_status"] for o in open_} == {"delayed", "on_hold", "partially_refunded", "returned"}
    assert {o["callengine_status"] for o in closed} == {"delivered"}
    by_name = {o["name"]: o for o in open_}
    delayed = by_name["#1001"]
    assert delayed["financial_status"] == "paid" and delayed["fulfillments"][0]["tracking_company"] == "DHL"
    assert by_name["SO-7781"]["fulfillments"] == []  # no carrier: nothing shipped yet
    partly = by_name["#1002"]
    assert partly["financial_status"] == "partially_refunded"
    assert [r["transactions"][0]["amount"] for r in partly["refunds"]] == ["30.00"]


async def test_articles_without_kb_ids_get_integer_ids(shop: httpx.AsyncClient) -> None:
    url = "/api/v2/help_center/articles/search.json"
    auth = {
        "Authorization": "Basic " + base64.b64encode(b"agent@example.com/token:dev-zendesk-token").decode()
    }
    found = (await shop.get(url, params={"query": "earbuds pair returning item"}, headers=auth)).json()
    ids = {r["title"]: r["id"] for r in found["results"]}
    assert ids["Returning an item"] == 360004567891  # a numeric id is kept
    assert isinstance(ids["Earbuds will not pair"], int)


async def test_an_encoded_slash_never_becomes_a_path_separator(shop: httpx.AsyncClient) -> None:
    crm = {"Authorization": "Bearer dev-crm-token"}
    honest = await shop.get(f"/crm/v1/customers/{ANA['id']}/notes", headers=crm)
    assert honest.status_code == 200
    smuggled = await shop.get(f"/crm/v1/customers/{ANA['id']}%2Fnotes", headers=crm)
    assert smuggled.status_code == 404


def test_calls_recorded_with_integer_ticket_ids_still_decode() -> None:
    from workflows.types import CallResult

    recorded = {
        "call_sid": "CA" + "1" * 32,
        "outcome": "ticketed",
        "customer_id": "C1001",
        "verified": True,
        "intent": None,
        "escalated": False,
        "escalation_reason": None,
        "ticket_ids": [17, "TCK-9"],
        "summary": "",
        "duration_s": 1,
        "turns": 1,
        "tool_calls": 0,
    }
    assert CallResult.model_validate(recorded).ticket_ids == ["17", "TCK-9"]


def test_calls_recorded_before_opaque_ids_replay_the_old_refusals() -> None:
    from workflows import legacy

    # What the old argument checks refused (answered invalid_input without an activity)…
    assert legacy.refusal({"order_id": "SO-7781"}) == "order_id: an order number is 3 to 12 digits"
    assert legacy.refusal({"appointment_id": ANA_APPT}) == "appointment_id: an appointment id looks like A501"
    # …and what they let through to the activity, as today's rules do.
    assert legacy.refusal({"order_id": "#10-482"}) is None
    assert legacy.refusal({"appointment_id": "a501 "}) is None
    assert legacy.refusal({"query": "router"}) is None


async def test_an_order_name_with_letters_is_found_by_the_digits_keyed_in(
    temporal_client: Client, foreign: Sandbox
) -> None:
    # A keypad has no letters: Ana keys 7781 for her order "SO-7781", and hears that order's status.
    async with foreign_worker(temporal_client, foreign) as tq:
        call = await start_call(temporal_client, tq, caller=ANA["phone"])
        brain = OfflineBrain(context_for(call, date(2026, 11, 25)))

        say = Turns(brain)

        await say("where is my order")
        await say("1 0 1 1 5")
        assert "verified" in await say("yes")
        status = await say("7781", source="dtmf")
        await call.end()
        await call.result()
    assert "on hold" in status.lower() and brain.d.order_id == "SO-7781", status
