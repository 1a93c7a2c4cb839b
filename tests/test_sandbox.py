"""The sandbox emulators, against the contract in sandbox/README.md."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from sandbox.app import create_app
from sandbox.auth import SandboxTokens
from sandbox.make_seed import dumps, generate
from sandbox.seed import ORDER_STATUSES, Seed, SeedError, load_seed

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "sandbox" / "seed.json"
SEED = load_seed(SEED_PATH)

SHOP = "/admin/api/2024-10"
SHOPIFY = {"X-Shopify-Access-Token": "dev-shopify-token"}
ZENDESK = {
    "Authorization": "Basic " + base64.b64encode(b"agent@example.com/token:dev-zendesk-token").decode()
}
CRM = {"Authorization": "Bearer dev-crm-token"}
SCHED = {"Authorization": "Bearer dev-scheduling-token"}
ADMIN = {"Authorization": "Bearer dev-admin-token"}


@pytest.fixture
def app() -> FastAPI:
    return create_app(SEED_PATH, SandboxTokens())


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as c:
        yield c


def first_order(status: str, *, customer: str | None = None) -> str:
    return next(o.id for o in SEED.orders if o.status == status and customer in (None, o.customer_id))


def ticket_body(subject: str = "Router drops", **extra: Any) -> dict[str, Any]:
    return {
        "ticket": {"subject": subject, "comment": {"body": "Caller reports drops.", "public": False}, **extra}
    }


def refund_body(amount: str, note: str = "refund") -> dict[str, Any]:
    return {
        "refund": {
            "note": note,
            "notify": False,
            "transactions": [{"kind": "refund", "amount": amount, "gateway": "manual"}],
        }
    }


# -- auth -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "good", "body"),
    [
        (
            f"{SHOP}/orders/10482.json",
            SHOPIFY,
            {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"},
        ),
        ("/api/v2/tickets.json", ZENDESK, {"error": "Couldn't authenticate you"}),
        (
            "/crm/v1/customers/C1001",
            CRM,
            {"error": {"code": "unauthorized", "message": "missing or invalid bearer token"}},
        ),
        (
            "/scheduling/v1/appointments/A501",
            SCHED,
            {"error": {"code": "unauthorized", "message": "missing or invalid bearer token"}},
        ),
        (
            "/_admin/requests",
            ADMIN,
            {"error": {"code": "unauthorized", "message": "missing or invalid bearer token"}},
        ),
    ],
)
async def test_each_system_answers_401_in_its_own_shape(
    client: httpx.AsyncClient, path: str, good: dict[str, str], body: dict[str, Any]
) -> None:
    assert (await client.get(path, headers=good)).status_code == 200
    missing = await client.get(path)
    assert (missing.status_code, missing.json()) == (401, body)
    wrong = {k: v[:-2] + "xx" for k, v in good.items()}
    assert (await client.get(path, headers=wrong)).status_code == 401


async def test_tokens_are_per_system(client: httpx.AsyncClient) -> None:
    assert (await client.get("/scheduling/v1/appointments/A501", headers=CRM)).status_code == 401
    zendesk_wrong_email = {
        "Authorization": "Basic " + base64.b64encode(b"other@example.com/token:dev-zendesk-token").decode()
    }
    assert (await client.get("/api/v2/tickets.json", headers=zendesk_wrong_email)).status_code == 401


async def test_tokens_come_from_the_environment() -> None:
    tokens = SandboxTokens.from_env({"CRM_API_TOKEN": "prod-crm", "ZENDESK_EMAIL": "ops@shop.test"})
    assert (tokens.crm, tokens.zendesk_email, tokens.shopify) == (
        "prod-crm",
        "ops@shop.test",
        "dev-shopify-token",
    )
    app = create_app(SEED_PATH, tokens)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as c:
        assert (await c.get("/crm/v1/customers/C1001", headers=CRM)).status_code == 401
        ok = await c.get("/crm/v1/customers/C1001", headers={"Authorization": "Bearer prod-crm"})
        assert ok.status_code == 200


async def test_healthz_needs_no_auth(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"ok": True})


# -- Shopify --------------------------------------------------------------------------------------


async def test_order_by_id_is_the_design_example_in_shopify_shape(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{SHOP}/orders/10482.json", headers=SHOPIFY)
    assert response.status_code == 200
    assert response.json() == {
        "order": {
            "id": 10482,
            "name": "#10482",
            "email": "maria@example.com",
            "created_at": "2026-11-20T00:00:00Z",
            "currency": "USD",
            "total_price": "89.99",
            "financial_status": "paid",
            "fulfillment_status": "fulfilled",
            "cancelled_at": None,
            "customer": {"id": "C1001", "email": "maria@example.com"},
            "line_items": [{"name": "Mesh router", "quantity": 1, "price": "89.99"}],
            "fulfillments": [
                {
                    "status": "success",
                    "tracking_company": "UPS",
                    "tracking_number": "1Z999AA10123456784",
                    "shipment_status": "in_transit",
                    "estimated_delivery_at": "2026-11-28",
                }
            ],
            "refunds": [],
            "callengine_status": "shipped",
        }
    }


@pytest.mark.parametrize(
    ("status", "financial", "fulfillment", "shipment", "cancelled"),
    [
        ("pending", "pending", None, None, False),
        ("processing", "paid", None, None, False),
        ("shipped", "paid", "fulfilled", "in_transit", False),
        ("out_for_delivery", "paid", "fulfilled", "out_for_delivery", False),
        ("delivered", "paid", "fulfilled", "delivered", False),
        ("delivery_attempted", "paid", "fulfilled", "attempted_delivery", False),
        ("cancelled", "voided", None, None, True),
        ("refunded", "refunded", "fulfilled", "delivered", False),
    ],
)
async def test_seed_status_maps_to_shopify_fields(
    client: httpx.AsyncClient,
    status: str,
    financial: str,
    fulfillment: str | None,
    shipment: str | None,
    cancelled: bool,
) -> None:
    seed_order = next(o for o in SEED.orders if o.status == status)
    order = (await client.get(f"{SHOP}/orders/{seed_order.id}.json", headers=SHOPIFY)).json()["order"]
    assert order["financial_status"] == financial
    assert order["fulfillment_status"] == fulfillment
    assert [f["shipment_status"] for f in order["fulfillments"]] == ([shipment] if shipment else [])
    assert (order["cancelled_at"] is not None) == cancelled
    assert order["callengine_status"] == status
    assert order["total_price"] == f"{seed_order.total_cents / 100:.2f}"


@pytest.mark.parametrize("order_id", ["99999", "abc", "10482abc", "-1"])
async def test_unknown_or_non_numeric_order_is_shopify_404(client: httpx.AsyncClient, order_id: str) -> None:
    response = await client.get(f"{SHOP}/orders/{order_id}.json", headers=SHOPIFY)
    assert (response.status_code, response.json()) == (404, {"errors": "Not Found"})


async def test_orders_by_email_newest_first(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{SHOP}/orders.json", params={"email": "MARIA@example.com", "status": "any"}, headers=SHOPIFY
    )
    orders = response.json()["orders"]
    expected = sorted(
        (o for o in SEED.orders if o.customer_id == "C1001"),
        key=lambda o: (o.placed_at, int(o.id)),
        reverse=True,
    )
    assert [o["id"] for o in orders] == [int(o.id) for o in expected]
    assert orders[0]["id"] == 10482
    limited = await client.get(
        f"{SHOP}/orders.json", params={"email": "maria@example.com", "limit": 2}, headers=SHOPIFY
    )
    assert len(limited.json()["orders"]) == 2
    none = await client.get(f"{SHOP}/orders.json", params={"email": "nobody@example.com"}, headers=SHOPIFY)
    assert none.json() == {"orders": []}


async def test_orders_status_filter(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{SHOP}/orders.json", params={"status": "cancelled", "limit": 250}, headers=SHOPIFY
    )
    orders = response.json()["orders"]
    assert len(orders) == sum(o.status == "cancelled" for o in SEED.orders)
    assert {o["financial_status"] for o in orders} == {"voided"}


async def test_orders_query_validation_uses_shopify_error_shape(client: httpx.AsyncClient) -> None:
    bad_email = await client.get(f"{SHOP}/orders.json", params={"email": "not-an-email"}, headers=SHOPIFY)
    assert (bad_email.status_code, bad_email.json()) == (422, {"errors": {"email": ["is invalid"]}})
    bad_limit = await client.get(f"{SHOP}/orders.json", params={"limit": 251}, headers=SHOPIFY)
    assert bad_limit.status_code == 422
    assert list(bad_limit.json()["errors"]) == ["limit"]
    assert "detail" not in bad_limit.json()


async def test_partial_then_full_refund_updates_financial_status(client: httpx.AsyncClient) -> None:
    order_id = next(o.id for o in SEED.orders if o.status == "delivered" and o.total_cents > 2000)
    total = next(o.total_cents for o in SEED.orders if o.id == order_id)
    url = f"{SHOP}/orders/{order_id}/refunds.json"
    first = await client.post(url, json=refund_body("10.00", "partial"), headers=SHOPIFY)
    assert first.status_code == 201
    refund = first.json()["refund"]
    assert refund["order_id"] == int(order_id)
    assert refund["note"] == "partial"
    assert refund["transactions"] == [
        {"kind": "refund", "amount": "10.00", "status": "success", "gateway": "manual"}
    ]
    order = (await client.get(f"{SHOP}/orders/{order_id}.json", headers=SHOPIFY)).json()["order"]
    assert order["financial_status"] == "partially_refunded"

    rest = f"{(total - 1000) / 100:.2f}"
    over = await client.post(url, json=refund_body(f"{(total - 999) / 100:.2f}"), headers=SHOPIFY)
    assert over.status_code == 422
    assert over.json() == {"errors": {"amount": [f"exceeds the refundable amount ({rest})"]}}

    full = await client.post(url, json=refund_body(rest), headers=SHOPIFY)
    assert full.status_code == 201
    order = (await client.get(f"{SHOP}/orders/{order_id}.json", headers=SHOPIFY)).json()["order"]
    assert (order["financial_status"], order["callengine_status"]) == ("refunded", "refunded")
    refunds = (await client.get(url, headers=SHOPIFY)).json()["refunds"]
    assert [r["transactions"][0]["amount"] for r in refunds] == ["10.00", rest]
    assert order["refunds"] == refunds  # embedded in the order, as Shopify does
    again = await client.post(url, json=refund_body("1.00"), headers=SHOPIFY)
    assert again.json() == {"errors": {"order": ["is already fully refunded"]}}


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("cancelled", "is cancelled"),
        ("refunded", "is already fully refunded"),
        ("pending", "has no captured payment to refund"),
    ],
)
async def test_refund_refused_for_orders_with_nothing_refundable(
    client: httpx.AsyncClient, status: str, message: str
) -> None:
    url = f"{SHOP}/orders/{first_order(status)}/refunds.json"
    response = await client.post(url, json=refund_body("1.00"), headers=SHOPIFY)
    assert (response.status_code, response.json()) == (422, {"errors": {"order": [message]}})


async def test_seeded_refunded_order_lists_its_refund(client: httpx.AsyncClient) -> None:
    order_id = first_order("refunded")
    total = next(o.total_cents for o in SEED.orders if o.id == order_id)
    refunds = (await client.get(f"{SHOP}/orders/{order_id}/refunds.json", headers=SHOPIFY)).json()["refunds"]
    assert [r["transactions"][0]["amount"] for r in refunds] == [f"{total / 100:.2f}"]


@pytest.mark.parametrize("amount", ["0.00", "-5.00", "abc", "1.234", ""])
async def test_refund_amount_must_be_a_positive_decimal_string(
    client: httpx.AsyncClient, amount: str
) -> None:
    url = f"{SHOP}/orders/{first_order('delivered')}/refunds.json"
    response = await client.post(url, json=refund_body(amount), headers=SHOPIFY)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["amount"]


async def test_refund_body_validation_uses_shopify_shape(client: httpx.AsyncClient) -> None:
    url = f"{SHOP}/orders/{first_order('delivered')}/refunds.json"
    numeric = await client.post(url, json={"refund": {"transactions": [{"amount": 5}]}}, headers=SHOPIFY)
    assert numeric.status_code == 422
    assert list(numeric.json()["errors"]) == ["amount"]
    empty = await client.post(url, json={}, headers=SHOPIFY)
    assert (empty.status_code, empty.json()) == (422, {"errors": {"refund": ["can't be blank"]}})
    unknown = await client.post(
        f"{SHOP}/orders/99999/refunds.json", json=refund_body("1.00"), headers=SHOPIFY
    )
    assert (unknown.status_code, unknown.json()) == (404, {"errors": "Not Found"})


async def test_refund_replay_with_same_key_returns_the_same_refund(client: httpx.AsyncClient) -> None:
    url = f"{SHOP}/orders/{first_order('delivered', customer='C1001')}/refunds.json"
    headers = {**SHOPIFY, "Idempotency-Key": "call-CA1-refund-1"}
    first = await client.post(url, json=refund_body("5.00"), headers=headers)
    second = await client.post(url, json=refund_body("5.00"), headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert first.headers["X-Idempotency-Lookup"] == "miss"
    assert second.headers["X-Idempotency-Lookup"] == "hit"
    refunds = (await client.get(url, headers=SHOPIFY)).json()["refunds"]
    assert [r["id"] for r in refunds] == [first.json()["refund"]["id"]]

    different = await client.post(url, json=refund_body("6.00"), headers=headers)
    assert different.status_code == 422
    assert list(different.json()["errors"]) == ["idempotency_key"]
    assert len((await client.get(url, headers=SHOPIFY)).json()["refunds"]) == 1


async def test_key_order_and_whitespace_do_not_change_the_body(client: httpx.AsyncClient) -> None:
    url = f"{SHOP}/orders/{first_order('delivered', customer='C1001')}/refunds.json"
    headers = {**SHOPIFY, "Idempotency-Key": "k-json", "Content-Type": "application/json"}
    body = refund_body("2.00")
    first = await client.post(url, content=json.dumps(body), headers=headers)
    reordered = json.dumps({"refund": dict(reversed(list(body["refund"].items())))}, indent=2)
    second = await client.post(url, content=reordered, headers=headers)
    assert second.headers["X-Idempotency-Lookup"] == "hit"
    assert second.json() == first.json()


async def test_recorded_response_is_not_served_without_credentials(client: httpx.AsyncClient) -> None:
    url = f"{SHOP}/orders/{first_order('delivered', customer='C1001')}/refunds.json"
    await client.post(url, json=refund_body("1.00"), headers={**SHOPIFY, "Idempotency-Key": "k-auth"})
    stolen = await client.post(url, json=refund_body("1.00"), headers={"Idempotency-Key": "k-auth"})
    assert stolen.status_code == 401
    assert "X-Idempotency-Lookup" not in stolen.headers


# -- Zendesk --------------------------------------------------------------------------------------


async def test_ticket_create_get_list_and_comment(client: httpx.AsyncClient) -> None:
    created = await client.post(
        "/api/v2/tickets.json",
        json=ticket_body(
            priority="high",
            type="incident",
            tags=["callengine", "Order Status"],
            external_id="call-CA123",
            custom_fields=[{"id": 42, "value": "C1001"}],
            requester={"name": "Maria Lopez", "email": "maria@example.com"},
        ),
        headers=ZENDESK,
    )
    assert created.status_code == 201
    ticket = created.json()["ticket"]
    assert ticket["id"] == 1
    assert ticket["url"] == "http://sandbox/api/v2/tickets/1.json"
    assert (ticket["subject"], ticket["description"], ticket["status"]) == (
        "Router drops",
        "Caller reports drops.",
        "new",
    )
    assert (ticket["priority"], ticket["type"], ticket["external_id"]) == ("high", "incident", "call-CA123")
    assert ticket["tags"] == ["callengine", "order_status"]
    assert ticket["custom_fields"] == [{"id": 42, "value": "C1001"}]
    assert isinstance(ticket["requester_id"], int)
    assert ticket["created_at"].endswith("Z")

    other = await client.post("/api/v2/tickets.json", json=ticket_body("Billing"), headers=ZENDESK)
    assert other.json()["ticket"]["requester_id"] is None

    got = await client.get("/api/v2/tickets/1.json", headers=ZENDESK)
    assert got.json() == {"ticket": ticket}
    listing = (await client.get("/api/v2/tickets.json", headers=ZENDESK)).json()
    assert [t["id"] for t in listing["tickets"]] == [1, 2]
    assert (listing["count"], listing["next_page"], listing["previous_page"]) == (2, None, None)
    filtered = (
        await client.get("/api/v2/tickets.json", params={"external_id": "call-CA123"}, headers=ZENDESK)
    ).json()
    assert [t["id"] for t in filtered["tickets"]] == [1]
    assert filtered["count"] == 1

    update = {"ticket": {"comment": {"body": "Escalated to tier 2.", "public": False}, "status": "open"}}
    updated = await client.put("/api/v2/tickets/1.json", json=update, headers=ZENDESK)
    assert updated.status_code == 200
    assert updated.json()["ticket"]["status"] == "open"
    assert updated.json()["ticket"]["tags"] == ["callengine", "order_status"]
    comments = (await client.get("/api/v2/tickets/1/comments.json", headers=ZENDESK)).json()
    assert comments["count"] == 2
    assert [(c["body"], c["public"]) for c in comments["comments"]] == [
        ("Caller reports drops.", False),
        ("Escalated to tier 2.", False),
    ]


async def test_unknown_ticket_is_zendesk_404(client: httpx.AsyncClient) -> None:
    not_found = {"error": "RecordNotFound", "description": "Not found"}
    for path in ("/api/v2/tickets/77.json", "/api/v2/tickets/abc.json", "/api/v2/tickets/77/comments.json"):
        response = await client.get(path, headers=ZENDESK)
        assert (response.status_code, response.json()) == (404, not_found)
    put = await client.put("/api/v2/tickets/77.json", json={"ticket": {"status": "open"}}, headers=ZENDESK)
    assert put.status_code == 404


async def test_ticket_validation_is_record_invalid(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v2/tickets.json",
        json={"ticket": {"subject": "x" * 151, "comment": {"public": True}, "priority": "asap"}},
        headers=ZENDESK,
    )
    assert response.status_code == 422
    body = response.json()
    assert (body["error"], body["description"]) == ("RecordInvalid", "Record validation errors")
    assert set(body["details"]) == {"subject", "comment.body", "priority"}
    assert body["details"]["comment.body"][0]["error"] == "BlankValue"
    assert all(isinstance(d["description"], str) for ds in body["details"].values() for d in ds)
    blank = await client.post("/api/v2/tickets.json", json=ticket_body("   "), headers=ZENDESK)
    assert blank.json()["details"]["subject"] == [
        {"description": "Subject: cannot be blank", "error": "BlankValue"}
    ]
    not_json = await client.post(
        "/api/v2/tickets.json", content=b"{", headers={**ZENDESK, "Content-Type": "application/json"}
    )
    assert (not_json.status_code, not_json.json()["error"]) == (422, "RecordInvalid")


async def test_closed_ticket_cannot_be_updated(client: httpx.AsyncClient) -> None:
    await client.post("/api/v2/tickets.json", json=ticket_body(), headers=ZENDESK)
    await client.put("/api/v2/tickets/1.json", json={"ticket": {"status": "closed"}}, headers=ZENDESK)
    response = await client.put(
        "/api/v2/tickets/1.json", json={"ticket": {"status": "open"}}, headers=ZENDESK
    )
    assert response.status_code == 422
    assert response.json()["details"] == {
        "status": [{"description": "Status: closed prevents ticket update", "error": "InvalidValue"}]
    }


async def test_article_search_ranks_by_overlap(client: httpx.AsyncClient) -> None:
    url = "/api/v2/help_center/articles/search.json"
    response = await client.get(url, params={"query": "router disconnecting"}, headers=ZENDESK)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["results"]) > 1
    top = body["results"][0]
    assert (top["id"], top["title"], top["label_names"]) == (
        1,
        "Router keeps disconnecting",
        ["wifi", "router"],
    )
    assert top["html_url"] == "http://sandbox/hc/en-us/articles/1"
    assert top["body"].startswith("Unplug the router for 30 seconds")

    billing = (await client.get(url, params={"query": "can't log in to billing"}, headers=ZENDESK)).json()
    assert billing["results"][0]["title"] == "Can't log in to the billing portal"
    labelled = (
        await client.get(url, params={"query": "router", "label_names": "mesh"}, headers=ZENDESK)
    ).json()
    assert labelled["count"] >= 1
    assert all("mesh" in r["label_names"] for r in labelled["results"])
    nothing = (await client.get(url, params={"query": "zebra xylophone"}, headers=ZENDESK)).json()
    assert nothing == {"results": [], "count": 0}


async def test_article_search_requires_query(client: httpx.AsyncClient) -> None:
    expected = {"error": "InvalidSearch", "description": "query is required"}
    for params in ({}, {"query": "  "}):
        response = await client.get(
            "/api/v2/help_center/articles/search.json", params=params, headers=ZENDESK
        )
        assert (response.status_code, response.json()) == (400, expected)


# -- CRM ------------------------------------------------------------------------------------------


async def test_customer_lookup_by_id_phone_and_email(client: httpx.AsyncClient) -> None:
    maria = SEED.customers[0].model_dump()
    by_id = await client.get("/crm/v1/customers/C1001", headers=CRM)
    assert by_id.json() == {"customer": maria}
    by_phone = await client.get("/crm/v1/customers", params={"phone": "+14155550101"}, headers=CRM)
    assert by_phone.json() == {"customers": [maria]}
    by_email = await client.get("/crm/v1/customers", params={"email": "Maria@Example.com"}, headers=CRM)
    assert by_email.json() == {"customers": [maria]}
    nobody = await client.get("/crm/v1/customers", params={"phone": "+19995550000"}, headers=CRM)
    assert nobody.json() == {"customers": []}
    missing = await client.get("/crm/v1/customers/C9999", headers=CRM)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"phone": "4155550101"}, 422, "invalid_phone"),
        ({"phone": "+1415"}, 422, "invalid_phone"),
        ({"phone": " 14155550101"}, 422, "invalid_phone"),
        ({"email": "maria-at-example"}, 422, "invalid_email"),
        ({}, 400, "invalid_request"),
        ({"phone": "+14155550101", "email": "maria@example.com"}, 400, "invalid_request"),
    ],
)
async def test_customer_lookup_validation(
    client: httpx.AsyncClient, params: dict[str, str], status: int, code: str
) -> None:
    response = await client.get("/crm/v1/customers", params=params, headers=CRM)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert isinstance(response.json()["error"]["message"], str)


async def test_customer_notes(client: httpx.AsyncClient) -> None:
    created = await client.post(
        "/crm/v1/customers/C1001/notes",
        json={"body": "Called about order 10482.", "call_id": "CA1"},
        headers=CRM,
    )
    assert created.status_code == 201
    note = created.json()["note"]
    assert (note["customer_id"], note["body"], note["call_id"]) == (
        "C1001",
        "Called about order 10482.",
        "CA1",
    )
    assert isinstance(note["id"], int)
    await client.post("/crm/v1/customers/C1001/notes", json={"body": "Second."}, headers=CRM)
    notes = (await client.get("/crm/v1/customers/C1001/notes", headers=CRM)).json()["notes"]
    assert [(n["body"], n["call_id"]) for n in notes] == [
        ("Called about order 10482.", "CA1"),
        ("Second.", None),
    ]
    assert (await client.get("/crm/v1/customers/C1002/notes", headers=CRM)).json() == {"notes": []}


async def test_customer_note_validation(client: httpx.AsyncClient) -> None:
    for body in ({"body": ""}, {"body": "x" * 5001}, {}, {"body": "   "}):
        response = await client.post("/crm/v1/customers/C1001/notes", json=body, headers=CRM)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_body"
    unknown = await client.post("/crm/v1/customers/C9999/notes", json={"body": "hi"}, headers=CRM)
    assert unknown.status_code == 404


# -- Scheduling -----------------------------------------------------------------------------------


async def test_appointments_by_customer_and_id(client: httpx.AsyncClient) -> None:
    maria = (
        await client.get("/scheduling/v1/appointments", params={"customer_id": "C1001"}, headers=SCHED)
    ).json()
    assert maria == {
        "appointments": [
            {
                "id": "A501",
                "customer_id": "C1001",
                "service": "installation",
                "starts_at": "2026-12-01T10:00:00-08:00",
                "status": "booked",
                "rescheduled_from": None,
            }
        ]
    }
    one = await client.get("/scheduling/v1/appointments/A501", headers=SCHED)
    assert one.json() == {"appointment": maria["appointments"][0]}
    everyone = (await client.get("/scheduling/v1/appointments", headers=SCHED)).json()["appointments"]
    starts = [a["starts_at"] for a in everyone]
    assert starts == sorted(starts)
    missing = await client.get("/scheduling/v1/appointments/A1", headers=SCHED)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")


async def test_slots_soonest_first_with_after_and_limit(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/scheduling/v1/slots",
        params={"service": "installation", "after": "2026-12-02T13:00:00-08:00", "limit": 3},
        headers=SCHED,
    )
    slots = response.json()["slots"]
    assert slots[0] == {"service": "installation", "starts_at": "2026-12-02T14:00:00-08:00"}
    assert len(slots) == 3
    assert [s["starts_at"] for s in slots] == sorted(s["starts_at"] for s in slots)
    # An offset-less time is the business's local time (-08:00 in the seed).
    naive = await client.get(
        "/scheduling/v1/slots",
        params={"service": "installation", "after": "2026-12-02T13:00:00"},
        headers=SCHED,
    )
    assert naive.json()["slots"][0] == slots[0]
    bad_service = await client.get("/scheduling/v1/slots", params={"service": "plumbing"}, headers=SCHED)
    assert (bad_service.status_code, bad_service.json()["error"]["code"]) == (422, "invalid_service")
    bad_after = await client.get(
        "/scheduling/v1/slots", params={"service": "repair", "after": "soon"}, headers=SCHED
    )
    assert (bad_after.status_code, bad_after.json()["error"]["code"]) == (422, "invalid_after")
    no_service = await client.get("/scheduling/v1/slots", headers=SCHED)
    assert (no_service.status_code, no_service.json()["error"]["code"]) == (422, "invalid_service")


async def test_reschedule_swaps_slot_availability(client: httpx.AsyncClient) -> None:
    new_time = "2026-12-02T14:00:00-08:00"
    response = await client.post(
        "/scheduling/v1/appointments/A501/reschedule", json={"starts_at": new_time}, headers=SCHED
    )
    assert response.status_code == 200
    assert response.json()["appointment"] == {
        "id": "A501",
        "customer_id": "C1001",
        "service": "installation",
        "starts_at": new_time,
        "status": "booked",
        "rescheduled_from": "2026-12-01T10:00:00-08:00",
    }
    slots = (
        await client.get(
            "/scheduling/v1/slots", params={"service": "installation", "limit": 500}, headers=SCHED
        )
    ).json()["slots"]
    open_times = {s["starts_at"] for s in slots}
    assert new_time not in open_times
    assert "2026-12-01T10:00:00-08:00" in open_times
    # The same instant written in UTC is the same slot, and it is taken now.
    taken = await client.post(
        "/scheduling/v1/appointments/A501/reschedule",
        json={"starts_at": "2026-12-02T22:00:00Z"},
        headers=SCHED,
    )
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "slot_unavailable")


async def test_reschedule_refusals(client: httpx.AsyncClient) -> None:
    url = "/scheduling/v1/appointments/{}/reschedule"
    not_open = await client.post(
        url.format("A501"), json={"starts_at": "2026-12-03T03:00:00-08:00"}, headers=SCHED
    )
    assert (not_open.status_code, not_open.json()["error"]["code"]) == (409, "slot_unavailable")
    invalid = await client.post(url.format("A501"), json={"starts_at": "next tuesday"}, headers=SCHED)
    assert (invalid.status_code, invalid.json()["error"]["code"]) == (422, "invalid_starts_at")
    missing = await client.post(url.format("A501"), json={}, headers=SCHED)
    assert (missing.status_code, missing.json()["error"]["code"]) == (422, "invalid_starts_at")
    slot = next(s.starts_at for s in SEED.slots if s.service == "installation")
    for status in ("cancelled", "completed"):
        appt = next(a.id for a in SEED.appointments if a.status == status and a.service == "installation")
        refused = await client.post(url.format(appt), json={"starts_at": slot}, headers=SCHED)
        assert (refused.status_code, refused.json()["error"]["code"]) == (
            409,
            "appointment_not_reschedulable",
        )
    unknown = await client.post(url.format("A1"), json={"starts_at": slot}, headers=SCHED)
    assert unknown.status_code == 404


# -- admin: faults, reset, request log -------------------------------------------------------------


async def add_fault(client: httpx.AsyncClient, **fault: Any) -> dict[str, Any]:
    response = await client.post("/_admin/faults", json=fault, headers=ADMIN)
    assert response.status_code == 201
    created: dict[str, Any] = response.json()["fault"]
    return created


async def test_injected_500_applies_count_times(client: httpx.AsyncClient) -> None:
    fault = await add_fault(client, method="GET", path_prefix="/crm/v1/customers", status=503, count=2)
    assert fault["id"] >= 1
    assert (fault["count"], fault["after_commit"]) == (2, False)
    statuses = [(await client.get("/crm/v1/customers/C1001", headers=CRM)).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    failed = await client.get("/crm/v1/customers/C1002", headers=CRM)
    assert failed.status_code == 200
    await add_fault(client, path_prefix="/crm/v1", status=500)
    injected = await client.get("/crm/v1/customers/C1001", headers=CRM)
    assert (injected.status_code, injected.json()) == (500, {"error": "injected fault"})


async def test_fault_matches_method_and_prefix_only(client: httpx.AsyncClient) -> None:
    await add_fault(client, method="POST", path_prefix="/api/v2/tickets", status=500, count=None)
    assert (await client.get("/api/v2/tickets.json", headers=ZENDESK)).status_code == 200
    assert (await client.get("/crm/v1/customers/C1001", headers=CRM)).status_code == 200
    for _ in range(2):
        assert (
            await client.post("/api/v2/tickets.json", json=ticket_body(), headers=ZENDESK)
        ).status_code == 500
    listed = (await client.get("/_admin/faults", headers=ADMIN)).json()["faults"]
    assert [f["count"] for f in listed] == [None]
    cleared = await client.delete("/_admin/faults", headers=ADMIN)
    assert cleared.status_code == 204
    assert (await client.post("/api/v2/tickets.json", json=ticket_body(), headers=ZENDESK)).status_code == 201


async def test_injected_delay(client: httpx.AsyncClient) -> None:
    await add_fault(client, path_prefix="/scheduling/v1/slots", status=None, delay_ms=300)
    started = time.perf_counter()
    slow = await client.get("/scheduling/v1/slots", params={"service": "repair"}, headers=SCHED)
    assert slow.status_code == 200
    assert time.perf_counter() - started >= 0.3
    started = time.perf_counter()
    await client.get("/scheduling/v1/slots", params={"service": "repair"}, headers=SCHED)
    assert time.perf_counter() - started < 0.3


async def test_after_commit_fault_then_retry_with_same_key(client: httpx.AsyncClient) -> None:
    await add_fault(client, method="POST", path_prefix="/api/v2/tickets", status=500, after_commit=True)
    headers = {**ZENDESK, "Idempotency-Key": "call-CA9-ticket"}
    body = ticket_body(external_id="call-CA9")
    lost = await client.post("/api/v2/tickets.json", json=body, headers=headers)
    assert (lost.status_code, lost.json()) == (500, {"error": "injected fault"})
    # The ticket was committed even though the caller saw a 500.
    stored = (
        await client.get("/api/v2/tickets.json", params={"external_id": "call-CA9"}, headers=ZENDESK)
    ).json()
    assert stored["count"] == 1
    retry = await client.post("/api/v2/tickets.json", json=body, headers=headers)
    assert retry.status_code == 201
    assert retry.headers["X-Idempotency-Lookup"] == "hit"
    assert retry.json()["ticket"]["id"] == stored["tickets"][0]["id"]
    after = (
        await client.get("/api/v2/tickets.json", params={"external_id": "call-CA9"}, headers=ZENDESK)
    ).json()
    assert after["count"] == 1
    log = (
        await client.get("/_admin/requests", params={"path_prefix": "/api/v2/tickets"}, headers=ADMIN)
    ).json()
    posts = [r for r in log["requests"] if r["method"] == "POST"]
    assert [(r["status"], r["idempotency_key"], r["replayed"]) for r in posts] == [
        (500, "call-CA9-ticket", False),
        (201, "call-CA9-ticket", True),
    ]


async def test_plain_fault_leaves_nothing_behind(client: httpx.AsyncClient) -> None:
    await add_fault(client, method="POST", path_prefix="/api/v2/tickets", status=502)
    headers = {**ZENDESK, "Idempotency-Key": "k-plain"}
    assert (await client.post("/api/v2/tickets.json", json=ticket_body(), headers=headers)).status_code == 502
    assert (await client.get("/api/v2/tickets.json", headers=ZENDESK)).json()["count"] == 0
    retry = await client.post("/api/v2/tickets.json", json=ticket_body(), headers=headers)
    assert (retry.status_code, retry.headers["X-Idempotency-Lookup"]) == (201, "miss")


async def test_concurrent_requests_with_one_key_create_one_ticket(client: httpx.AsyncClient) -> None:
    await add_fault(
        client, method="POST", path_prefix="/api/v2/tickets", status=None, delay_ms=50, count=None
    )
    headers = {**ZENDESK, "Idempotency-Key": "k-race"}
    responses = await asyncio.gather(
        *(client.post("/api/v2/tickets.json", json=ticket_body(), headers=headers) for _ in range(4))
    )
    assert {r.json()["ticket"]["id"] for r in responses} == {1}
    assert sorted(r.headers["X-Idempotency-Lookup"] for r in responses) == ["hit", "hit", "hit", "miss"]
    assert (await client.get("/api/v2/tickets.json", headers=ZENDESK)).json()["count"] == 1


async def test_idempotency_mismatch_shapes_for_crm_and_zendesk(client: httpx.AsyncClient) -> None:
    crm_headers = {**CRM, "Idempotency-Key": "k-note"}
    await client.post("/crm/v1/customers/C1001/notes", json={"body": "one"}, headers=crm_headers)
    crm = await client.post("/crm/v1/customers/C1001/notes", json={"body": "two"}, headers=crm_headers)
    assert (crm.status_code, crm.json()["error"]["code"]) == (422, "idempotency_key_reused")
    zd_headers = {**ZENDESK, "Idempotency-Key": "k-ticket"}
    await client.post("/api/v2/tickets.json", json=ticket_body("a"), headers=zd_headers)
    zd = await client.post("/api/v2/tickets.json", json=ticket_body("b"), headers=zd_headers)
    assert (zd.status_code, zd.json()["error"]) == (422, "RecordInvalid")
    assert list(zd.json()["details"]) == ["idempotency_key"]
    # Same key on another path is a different request too.
    other_path = await client.post("/crm/v1/customers/C1002/notes", json={"body": "one"}, headers=crm_headers)
    assert other_path.status_code == 422


async def test_reset_restores_the_seed(client: httpx.AsyncClient) -> None:
    await client.post("/api/v2/tickets.json", json=ticket_body(), headers=ZENDESK)
    await client.post(
        "/scheduling/v1/appointments/A501/reschedule",
        json={"starts_at": "2026-12-02T14:00:00-08:00"},
        headers=SCHED,
    )
    await add_fault(client, path_prefix="/crm/v1", status=500, count=None)
    reset = await client.post("/_admin/reset", headers=ADMIN)
    assert reset.status_code == 204
    assert (await client.get("/api/v2/tickets.json", headers=ZENDESK)).json()["count"] == 0
    appt = (await client.get("/scheduling/v1/appointments/A501", headers=SCHED)).json()["appointment"]
    assert (appt["starts_at"], appt["rescheduled_from"]) == ("2026-12-01T10:00:00-08:00", None)
    assert (await client.get("/crm/v1/customers/C1001", headers=CRM)).status_code == 200
    assert (await client.get("/_admin/faults", headers=ADMIN)).json() == {"faults": []}
    log = (await client.get("/_admin/requests", headers=ADMIN)).json()["requests"]
    # Only what came after the reset.
    assert [r["path"] for r in log] == [
        "/api/v2/tickets.json",
        "/scheduling/v1/appointments/A501",
        "/crm/v1/customers/C1001",
    ]


async def test_request_log_filters_by_prefix(client: httpx.AsyncClient) -> None:
    await client.get("/crm/v1/customers/C1001", headers=CRM)
    await client.get(f"{SHOP}/orders/10482.json", params={"fields": "id"}, headers=SHOPIFY)
    await client.get("/healthz")
    log = (await client.get("/_admin/requests", params={"path_prefix": SHOP}, headers=ADMIN)).json()
    assert log == {
        "requests": [
            {
                "method": "GET",
                "path": f"{SHOP}/orders/10482.json",
                "query": "fields=id",
                "status": 200,
                "idempotency_key": None,
                "replayed": False,
            }
        ]
    }


async def test_fault_validation_uses_coded_errors(client: httpx.AsyncClient) -> None:
    response = await client.post("/_admin/faults", json={"path_prefix": "/x", "status": 200}, headers=ADMIN)
    assert (response.status_code, response.json()["error"]["code"]) == (422, "invalid_status")


async def test_unknown_route_and_method_use_vendor_shapes(client: httpx.AsyncClient) -> None:
    shop = await client.get(f"{SHOP}/products.json", headers=SHOPIFY)
    assert (shop.status_code, shop.json()) == (404, {"errors": "Not Found"})
    crm = await client.delete("/crm/v1/customers/C1001", headers=CRM)
    assert (crm.status_code, crm.json()["error"]["code"]) == (405, "method_not_allowed")


# -- seed -----------------------------------------------------------------------------------------


def write_seed(tmp_path: Path, mutate: Any) -> Path:
    data = json.loads(SEED_PATH.read_text())
    mutate(data)
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["orders"][3].update(total_cents="lots"),
            "orders[3].total_cents: Input should be a valid integer",
        ),
        (lambda d: d["customers"][0].pop("zip"), "customers[0].zip: Field required"),
        (
            lambda d: d["customers"][2].update(phone="555-0101"),
            "customers[2].phone: must be an E.164 phone number",
        ),
        # Any status word is a status (an unknown one is passed through); an empty one is not.
        (lambda d: d["orders"][0].update(status=""), "orders[0].status: String should have at least 1"),
        (lambda d: d["orders"][1].update(id="SO\n1"), "orders[1].id: must not contain control"),
        (lambda d: d["customers"][1].update(id="C1/notes"), "customers[1].id: must not contain '/'"),
        (
            lambda d: d["orders"][2].update(id=d["orders"][3]["id"].join("-" * 2)),
            "orders: duplicate spoken order number",
        ),
        (lambda d: d["orders"][1].update(customer_id="C9"), "orders[1].customer_id: unknown customer 'C9'"),
        (
            lambda d: d["appointments"][0].update(starts_at="2026-12-01T10:00"),
            "appointments[0].starts_at: must carry",
        ),
        (lambda d: d.pop("refund_policy"), "refund_policy: Field required"),
    ],
)
def test_broken_seed_names_the_field(tmp_path: Path, mutate: Any, message: str) -> None:
    path = write_seed(tmp_path, mutate)
    with pytest.raises(SeedError) as err:
        load_seed(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)
    with pytest.raises(SeedError):
        create_app(path)


def test_unreadable_seed_files(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="cannot read seed file"):
        load_seed(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(SeedError, match="is not valid JSON"):
        load_seed(bad)


def test_extra_seed_fields_pass_through(tmp_path: Path) -> None:
    path = write_seed(tmp_path, lambda d: d["customers"][0].update(language="es"))
    assert load_seed(path).customers[0].model_dump()["language"] == "es"


async def test_reset_with_a_broken_seed_keeps_serving(tmp_path: Path) -> None:
    path = write_seed(tmp_path, lambda d: None)
    app = create_app(path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as c:
        path.write_text("[]")
        reset = await c.post("/_admin/reset", headers=ADMIN)
        assert (reset.status_code, reset.json()["error"]["code"]) == (500, "seed_invalid")
        assert (await c.get("/crm/v1/customers/C1001", headers=CRM)).status_code == 200


def test_shipped_seed_meets_the_brief() -> None:
    seed: Seed = SEED
    assert len(seed.customers) >= 50
    assert seed.customers[0].model_dump() == {
        "id": "C1001",
        "name": "Maria Lopez",
        "phone": "+14155550101",
        "email": "maria@example.com",
        "zip": "94103",
        "balance_cents": 4250,
        "plan": "Pro",
        "status": "active",
    }
    assert (
        len({c.phone for c in seed.customers})
        == len({c.email for c in seed.customers})
        == len(seed.customers)
    )
    assert {c.plan for c in seed.customers} == {"Basic", "Pro", "Business"}
    assert {c.status for c in seed.customers} == {"active", "suspended", "past_due", "closed"}
    assert all(0 <= c.balance_cents <= 20000 and len(c.zip) == 5 for c in seed.customers)

    assert len(seed.orders) >= 150
    assert seed.orders[0].id == "10482"
    counts = Counter(o.status for o in seed.orders)
    assert all(counts[status] >= 8 for status in ORDER_STATUSES), counts
    assert {o.customer_id for o in seed.orders} == {c.id for c in seed.customers}
    for o in seed.orders:
        assert o.total_cents == sum(i.qty * i.price_cents for i in o.items)
        assert "2026-09-01" <= o.placed_at <= "2026-11-24"
        fulfilled = o.status not in ("pending", "processing", "cancelled")
        assert (o.carrier is not None, o.tracking is not None, o.eta is not None) == (fulfilled,) * 3
        if o.eta is not None:
            assert o.eta > o.placed_at
    maria = [o for o in seed.orders if o.customer_id == "C1001"]
    recent = [o for o in maria if o.status == "delivered" and o.placed_at >= "2026-10-26"]
    assert any(o.total_cents <= 10000 for o in recent)
    assert any(o.total_cents > 10000 for o in maria if o.status == "delivered")

    assert len(seed.appointments) >= 40
    assert seed.appointments[0].model_dump()["starts_at"] == "2026-12-01T10:00:00-08:00"
    assert {a.service for a in seed.appointments} == {"installation", "repair", "consultation"}
    assert Counter(a.status for a in seed.appointments).most_common(1)[0][0] == "booked"
    booked = {(a.service, a.starts_at) for a in seed.appointments}
    for service in ("installation", "repair", "consultation"):
        assert sum(s.service == service for s in seed.slots) >= 60
    assert not booked & {(s.service, s.starts_at) for s in seed.slots}
    assert all("2026-11-26" <= s.starts_at[:10] <= "2026-12-20" for s in seed.slots)

    assert len(seed.articles) >= 15
    assert (seed.articles[0].id, seed.articles[0].title) == ("KB1", "Router keeps disconnecting")
    assert seed.refund_policy.model_dump() == {"window_days": 30, "auto_approve_max_cents": 10000}


def test_seed_file_is_the_generators_output() -> None:
    assert dumps(generate()) == SEED_PATH.read_text(encoding="utf-8")


# -- process --------------------------------------------------------------------------------------


def test_python_m_sandbox_serves(tmp_path: Path) -> None:
    env = {**os.environ, "CALLENGINE_SEED": str(SEED_PATH)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("sandbox ready on http://127.0.0.1:"), line + (
            proc.stderr.read() if proc.stderr else ""
        )
        base = line.split()[3]
        assert httpx.get(f"{base}/healthz", timeout=5).json() == {"ok": True}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
