"""Orders (Shopify Admin REST): one order, a customer's recent orders, an order's owner.

Results are small summaries the brain can speak from — status, carrier, ETA,
items — never the raw Shopify order. Every lookup on behalf of a caller takes
the verified customer id and answers "not found" for an order that exists but
belongs to someone else, so order numbers cannot be probed.

Callers say an order's *name* as the shop shows it ("#1001", "SO-7781"), not
Shopify's internal id (450789469). So an order is found the way real
integrations find it: `GET /orders.json?name=…&status=any`, keeping only the
orders whose name normalises to what the caller said (Shopify's name filter is
looser than that). Writes (refunds) then use Shopify's own id from that order.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import errors, validation
from activities._http import BackendApi, segment
from callengine.settings import BackendSettings

API_VERSION = "2024-10"
NOT_FOUND_MESSAGE = "no order with that number on this account"


class OrderIdInput(BaseModel):
    """An order number as the caller gave it."""

    order_id: str


class LookupOrderInput(BaseModel):
    """An order number, looked up for one verified customer."""

    order_id: str
    customer_id: str


class CustomerOrdersInput(BaseModel):
    """A verified customer's recent orders, found by their e-mail as Shopify keys them."""

    customer_id: str
    email: str
    limit: int = 5


class OrderSummary(BaseModel):
    """What the agent may say about one order.

    `order_id` is the order's name as the shop shows it, without Shopify's "#" display
    prefix ("1001", "SO-7781"): what the agent reads back and the caller repeats.
    """

    order_id: str
    status: str
    placed_at: str
    total_cents: int
    refunded_cents: int
    items: list[str]
    carrier: str | None = None
    tracking_number: str | None = None
    eta: str | None = None


class CustomerOrders(BaseModel):
    """Newest first."""

    orders: list[OrderSummary]


class OrderOwner(BaseModel):
    """Who an order belongs to — used only by the workflow to identify a caller."""

    found: bool
    customer_id: str | None = None


def cents(amount: object) -> int:
    """Shopify money strings ("89.99") to integer cents, without float rounding."""
    whole, _, frac = str(amount).partition(".")
    return int(whole or "0") * 100 + int((frac + "00")[:2])


def order_name(order: dict[str, Any]) -> str:
    """The order's name as the caller knows it: Shopify's `name` without its "#" prefix.

    Shops without a `name` (other order systems) fall back to the order's id.
    """
    name = order.get("name")
    if isinstance(name, str) and name.strip("#"):
        return validation.backend_id(name.removeprefix("#"), "Shopify")
    return validation.backend_id(order.get("id"), "Shopify")


def spoken_form(order: dict[str, Any]) -> str | None:
    """What a caller says for an order's name ("#SO-7781" → "SO7781"), or None if unsayable."""
    try:
        return validation.order_id(order_name(order))
    except (ValueError, ApplicationError):
        return None  # a name no caller could say (or none at all) matches nothing


def summarize_order(order: dict[str, Any], refunded_cents: int = 0) -> OrderSummary:
    """Reduce a Shopify order to the facts a caller may hear."""
    fulfillments = order.get("fulfillments") or []
    first = fulfillments[0] if fulfillments else {}
    status = order.get("callengine_status") or _status_from_shopify(order, first)
    return OrderSummary(
        order_id=order_name(order),
        status=str(status),
        placed_at=str(order.get("created_at", ""))[:10],
        total_cents=cents(order.get("total_price", "0")),
        refunded_cents=refunded_cents,
        items=[f"{li.get('quantity', 1)} x {li.get('name', 'item')}" for li in order.get("line_items", [])],
        carrier=first.get("tracking_company"),
        tracking_number=first.get("tracking_number"),
        eta=first.get("estimated_delivery_at"),
    )


def _status_from_shopify(order: dict[str, Any], fulfillment: dict[str, Any]) -> str:
    """Our status vocabulary from plain Shopify fields, for shops without the extension field."""
    if order.get("cancelled_at"):
        return "cancelled"
    if order.get("financial_status") == "refunded":
        return "refunded"
    shipment = fulfillment.get("shipment_status")
    if shipment == "attempted_delivery":
        return "delivery_attempted"
    if shipment in ("out_for_delivery", "delivered"):
        return str(shipment)
    if order.get("fulfillment_status") == "fulfilled":
        return "shipped"
    return "pending" if order.get("financial_status") == "pending" else "processing"


class ShopifyOrders:
    """A thin Shopify Admin REST client shared by the order and refund activities."""

    def __init__(self, http: httpx.AsyncClient, settings: BackendSettings) -> None:
        self.api = BackendApi(
            http,
            "Shopify",
            f"{settings.shopify_base_url.rstrip('/')}/admin/api/{API_VERSION}",
            {"X-Shopify-Access-Token": settings.shopify_token},
            settings.http_timeout_s,
            NOT_FOUND_MESSAGE,
        )

    async def by_name(self, spoken: str) -> list[dict[str, Any]]:
        """Every order whose name is the order number the caller said (usually one).

        Args:
            spoken: The order number as the caller said it ("#1001", "so 7781").

        Raises:
            ApplicationError: `InvalidInput` when it cannot be an order number.
        """
        wanted = validation.checked(validation.order_id, spoken)
        # Shopify matches `name` loosely ("1001" finds "#1001"); the exact comparison is ours,
        # on the spoken form. A shop whose names carry separators ("SO-7781") may need the
        # name as written, which a caller's words cannot give: such shops want a prefix search.
        body = await self.api.call(
            "GET", "/orders.json", params={"name": wanted, "status": "any", "limit": "50"}
        )
        found = body.get("orders")
        if not isinstance(found, list):
            raise errors.unavailable("Shopify sent an order search without results")
        return [o for o in found if isinstance(o, dict) and spoken_form(o) == wanted]

    async def owned_order(self, order_id: str, customer_id: str) -> dict[str, Any]:
        """The order if it belongs to `customer_id`; NotFound otherwise (same message either way)."""
        owned = [o for o in await self.by_name(order_id) if _owner(o) == customer_id]
        if len(owned) != 1:
            # Two of the caller's own orders answering to one spoken number cannot be told
            # apart on the phone: a person sorts that out, the agent does not guess.
            raise errors.not_found(NOT_FOUND_MESSAGE)
        return owned[0]


def order_path(order: dict[str, Any]) -> str:
    """The order's REST path, by Shopify's own id (never the name the caller said)."""
    return f"/orders/{segment(validation.backend_id(order.get('id'), 'Shopify'))}"


def _owner(order: dict[str, Any]) -> str | None:
    owner = (order.get("customer") or {}).get("id")
    return None if owner is None else str(owner)


def refunded_total(refunds: list[dict[str, Any]]) -> int:
    """Cents already refunded, from successful refund transactions."""
    return sum(
        cents(t.get("amount", "0"))
        for r in refunds
        for t in r.get("transactions", [])
        if t.get("kind") == "refund" and t.get("status", "success") == "success"
    )


class OrdersActivities:
    """Read-only order lookups for the agent."""

    def __init__(self, http: httpx.AsyncClient, settings: BackendSettings) -> None:
        self._shop = ShopifyOrders(http, settings)

    @activity.defn(name="orders.lookup_order")
    async def lookup_order(self, inp: LookupOrderInput) -> OrderSummary:
        """Status, carrier, ETA and items of one of the caller's orders."""
        order = await self._shop.owned_order(inp.order_id, inp.customer_id)
        # Shopify embeds the order's refunds: one request answers the caller.
        return summarize_order(order, refunded_total(order.get("refunds") or []))

    @activity.defn(name="orders.customer_orders")
    async def customer_orders(self, inp: CustomerOrdersInput) -> CustomerOrders:
        """The caller's most recent orders, for "where is my order?" without a number."""
        email = validation.checked(validation.email, inp.email)
        limit = max(1, min(inp.limit, 20))
        body = await self._shop.api.call(
            "GET", "/orders.json", params={"email": email, "status": "any", "limit": str(limit)}
        )
        orders = [o for o in body.get("orders", []) if _owner(o) == inp.customer_id]
        return CustomerOrders(
            orders=[summarize_order(o, refunded_total(o.get("refunds") or [])) for o in orders[:limit]]
        )

    @activity.defn(name="orders.order_owner")
    async def order_owner(self, inp: OrderIdInput) -> OrderOwner:
        """Which customer placed an order — lets a caller identify by order number."""
        try:
            orders = await self._shop.by_name(inp.order_id)
        except ApplicationError as e:
            if e.type == errors.NOT_FOUND:
                return OrderOwner(found=False)
            raise
        owners = {_owner(o) for o in orders}
        if len(owners) != 1 or None in owners:
            # No such order, or one number naming orders of two customers: no match rather
            # than a guess at whose account the caller means.
            return OrderOwner(found=False)
        return OrderOwner(found=True, customer_id=owners.pop())
