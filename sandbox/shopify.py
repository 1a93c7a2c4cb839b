"""Shopify Admin REST emulation: orders and refunds (`/admin/api/2024-10`).

Orders have Shopify's integer `id` (assigned by the sandbox, sandbox/ids.py) and a `name`
(the seed id: "#1001", "SO-7781"). `GET /orders.json?name=…` finds orders by name, as the
(long undocumented) Shopify filter integrations use to look up the number a customer quotes.
A seed status the emulator knows is mapped to Shopify's fields; any other status word is
passed through in the extension field `callengine_status` with a paid, unfulfilled order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from sandbox.auth import require
from sandbox.errors import ApiError, System, not_found, shopify_invalid
from sandbox.money import format_cents, parse_amount
from sandbox.records import NotFound, OrderRow, RefundRow, Rejected
from sandbox.seed import EMAIL
from sandbox.state import StoreDep
from sandbox.store import timestamp

JSON = dict[str, Any]
PREFIX = "/admin/api/2024-10"

router = APIRouter(prefix=PREFIX, tags=["shopify"], dependencies=[Depends(require(System.SHOPIFY))])

# seed status → (financial_status, fulfillment_status, shipment_status or None for no fulfillment)
STATUS_MAP: dict[str, tuple[str, str | None, str | None]] = {
    "pending": ("pending", None, None),
    "processing": ("paid", None, None),
    "shipped": ("paid", "fulfilled", "in_transit"),
    "out_for_delivery": ("paid", "fulfilled", "out_for_delivery"),
    "delivered": ("paid", "fulfilled", "delivered"),
    "delivery_attempted": ("paid", "fulfilled", "attempted_delivery"),
    "cancelled": ("voided", None, None),
    "refunded": ("refunded", "fulfilled", "delivered"),
}
# A status the emulator does not know: paid, and in transit if the seed gives a carrier or a
# tracking number ("delayed" with DHL), else nothing shipped yet; the shop's word says the rest.
UNKNOWN_STATUS = ("paid", None, None)
UNKNOWN_STATUS_SHIPPED = ("paid", "fulfilled", "in_transit")
# Shopify's `status` filter over the seed statuses: (only these, or None for any; not these).
# An unknown status word counts as open: the order is neither cancelled nor closed.
_CLOSED = frozenset({"delivered", "refunded"})
_CANCELLED = frozenset({"cancelled"})
STATUS_FILTERS: dict[str, tuple[frozenset[str] | None, frozenset[str]]] = {
    "any": (None, frozenset()),
    "open": (None, _CLOSED | _CANCELLED),
    "closed": (_CLOSED, frozenset()),
    "cancelled": (_CANCELLED, frozenset()),
}


def _shopify_time(value: str) -> str:
    """Seed dates ("2026-11-20") become midnight UTC; date-times are converted to UTC."""
    if len(value) == 10:
        return f"{value}T00:00:00Z"
    parsed = datetime.fromisoformat(value)
    return timestamp(parsed) if parsed.tzinfo else parsed.strftime("%Y-%m-%dT%H:%M:%SZ")


def render_order(order: OrderRow, refunds: list[RefundRow]) -> JSON:
    """An order in Shopify's shape (with its `refunds`, as Shopify embeds them), plus `callengine_status`."""
    shipped = order.carrier is not None or order.tracking is not None
    unknown = UNKNOWN_STATUS_SHIPPED if shipped else UNKNOWN_STATUS
    financial, fulfillment, shipment = STATUS_MAP.get(order.status, unknown)
    if 0 < order.refunded_cents < order.total_cents:
        financial = "partially_refunded"
    elif order.refunded_cents >= order.total_cents > 0:
        financial = "refunded"
    fulfillments = []
    if shipment is not None:
        fulfillments.append(
            {
                "status": "success",
                "tracking_company": order.carrier,
                "tracking_number": order.tracking,
                "shipment_status": shipment,
                "estimated_delivery_at": order.eta,
            }
        )
    return {
        "id": order.id,
        "name": display_name(order.name),
        "email": order.email,
        "created_at": _shopify_time(order.placed_at),
        "currency": "USD",
        "total_price": format_cents(order.total_cents),
        "financial_status": financial,
        "fulfillment_status": fulfillment,
        "cancelled_at": _shopify_time(order.placed_at) if order.status == "cancelled" else None,
        "customer": {"id": order.customer_id, "email": order.email},
        "line_items": [
            {"name": i["name"], "quantity": i["qty"], "price": format_cents(i["price_cents"])}
            for i in order.items
        ],
        "fulfillments": fulfillments,
        "refunds": [render_refund(r) for r in refunds],
        "callengine_status": order.status,
    }


def display_name(name: str) -> str:
    """Shopify shows an order number as "#1001"; a name with letters stays as the shop wrote it."""
    return f"#{name}" if name.isdigit() else name


def render_refund(refund: RefundRow) -> JSON:
    """A refund in Shopify's shape."""
    return {
        "id": refund.id,
        "order_id": refund.order_id,
        "created_at": refund.created_at,
        "note": refund.note,
        "transactions": refund.transactions,
    }


def _order_id(raw: str) -> int:
    # Shopify ids are integers; anything else is simply not a resource.
    if not raw.isdigit() or len(raw) > 15:
        raise not_found(System.SHOPIFY)
    return int(raw)


class RefundTransactionIn(BaseModel):
    kind: Literal["refund"] = "refund"
    amount: str
    gateway: str = "manual"


class RefundIn(BaseModel):
    note: Annotated[str, Field(max_length=2000)] | None = None
    notify: bool = False
    transactions: Annotated[list[RefundTransactionIn], Field(min_length=1)]


class RefundEnvelope(BaseModel):
    refund: RefundIn


@router.get("/orders.json")
async def list_orders(
    store: StoreDep,
    email: str | None = None,
    name: Annotated[str, Query(max_length=128)] | None = None,
    status: str = "any",
    limit: Annotated[int, Query(ge=1, le=250)] = 50,
) -> JSON:
    """Orders newest first, filtered by customer email, order name and status."""
    if email is not None and not EMAIL.match(email):
        raise shopify_invalid("email", "is invalid")
    if status not in STATUS_FILTERS:
        raise shopify_invalid("status", f"must be one of {', '.join(STATUS_FILTERS)}")
    only, exclude = STATUS_FILTERS[status]
    orders = store.find_orders(email=email, name=name, statuses=only, exclude=exclude, limit=limit)
    return {"orders": [render_order(o, store.list_refunds(o.id)) for o in orders]}


@router.get("/orders/{order_id}.json")
async def get_order(order_id: str, store: StoreDep) -> JSON:
    """One order."""
    order = store.get_order(_order_id(order_id))
    if order is None:
        raise not_found(System.SHOPIFY)
    return {"order": render_order(order, store.list_refunds(order.id))}


@router.get("/orders/{order_id}/refunds.json")
async def list_refunds(order_id: str, store: StoreDep) -> JSON:
    """An order's refunds, oldest first."""
    try:
        refunds = store.list_refunds(_order_id(order_id))
    except NotFound:
        raise not_found(System.SHOPIFY) from None
    return {"refunds": [render_refund(r) for r in refunds]}


@router.post("/orders/{order_id}/refunds.json", status_code=201)
async def create_refund(order_id: str, envelope: RefundEnvelope, store: StoreDep) -> JSON:
    """Refund some or all of what is left refundable on an order."""
    oid = _order_id(order_id)
    amounts = []
    for tx in envelope.refund.transactions:
        cents = parse_amount(tx.amount)
        if not cents:
            raise shopify_invalid("amount", 'must be a positive decimal string, e.g. "12.34"')
        amounts.append((cents, tx.gateway))
    try:
        refund = store.create_refund(oid, amounts, envelope.refund.note, envelope.refund.notify)
    except NotFound:
        raise not_found(System.SHOPIFY) from None
    except Rejected as exc:
        raise _rejected(exc) from None
    return {"refund": render_refund(refund)}


def _rejected(exc: Rejected) -> ApiError:
    return shopify_invalid(exc.field or "base", exc.message)
