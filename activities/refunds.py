"""Refunds: decide by policy, then issue through Shopify exactly once.

The policy (window and auto-approve limit) is business configuration, not
something the brain or the caller can argue with: `check_refund` and
`issue_refund` both apply it, so a refund that the policy does not allow is
refused here even if a confused brain asks for it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from pydantic import BaseModel
from temporalio import activity

from activities import errors, validation
from activities._heartbeat import heartbeating
from activities.orders import ShopifyOrders, cents, order_name, order_path, refunded_total
from callengine.settings import BackendSettings, RefundPolicy

# Reasons a refund cannot be issued on the call (the brain tickets these for review).
WITHIN_POLICY = "within_policy"
OUTSIDE_WINDOW = "outside_window"
OVER_AUTO_LIMIT = "over_auto_approve_limit"
NOT_REFUNDABLE = "not_refundable"
ALREADY_REFUNDED = "already_refunded"


class RefundCheckInput(BaseModel):
    """A verified customer's order and the call's date (workflow time, so replays agree)."""

    order_id: str
    customer_id: str
    today: date


class RefundDecision(BaseModel):
    """Whether the agent may refund on the call, and how much."""

    order_id: str
    eligible: bool
    auto_approve: bool
    amount_cents: int
    reason: str
    window_days: int


class IssueRefundInput(BaseModel):
    """Refund the rest of an order, once per idempotency key."""

    order_id: str
    customer_id: str
    today: date
    reason: str
    idempotency_key: str


class RefundResult(BaseModel):
    """The refund that exists now."""

    order_id: str
    refund_id: str
    amount_cents: int


# Shopify financial statuses with no captured payment: nothing to give back.
_UNPAID = frozenset({"pending", "authorized", "voided", "expired"})


def _placed(order: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(str(order.get("created_at", ""))[:10])
    except ValueError:
        return None


def decide(order: dict[str, Any], refunded: int, policy: RefundPolicy, today: date) -> RefundDecision:
    """Apply the refund policy to one order.

    Only what any shop knows decides: whether it was cancelled or paid, the total against
    what was already refunded, and the date it was placed against the window. The shop's own
    status words ("on_hold", "returned", …) are not rules here: a status we have never heard
    of neither blocks nor grants a refund.
    """
    total = cents(order.get("total_price", "0"))
    remaining = max(0, total - refunded)
    placed = _placed(order)

    def result(eligible: bool, auto: bool, reason: str) -> RefundDecision:
        return RefundDecision(
            order_id=order_name(order),
            eligible=eligible,
            auto_approve=auto,
            amount_cents=remaining,
            reason=reason,
            window_days=policy.window_days,
        )

    if order.get("cancelled_at") or order.get("financial_status") in _UNPAID:
        return result(False, False, NOT_REFUNDABLE)
    if remaining == 0:
        return result(False, False, ALREADY_REFUNDED)
    if placed is None or (today - placed).days > policy.window_days:
        # Without a date the window cannot be shown to hold: a person decides.
        return result(False, False, OUTSIDE_WINDOW)
    if remaining > policy.auto_approve_max_cents:
        # Eligible, but a person approves it: the brain files a ticket for review.
        return result(True, False, OVER_AUTO_LIMIT)
    return result(True, True, WITHIN_POLICY)


class RefundsActivities:
    """Refund eligibility and issuing, against Shopify."""

    def __init__(self, http: httpx.AsyncClient, settings: BackendSettings) -> None:
        self._shop = ShopifyOrders(http, settings)
        self._policy = settings.refund_policy

    async def _decision(
        self, order_id: str, customer_id: str, today: date
    ) -> tuple[RefundDecision, dict[str, Any]]:
        order = await self._shop.owned_order(order_id, customer_id)
        refunds: list[dict[str, Any]] = order.get("refunds") or []
        as_of = self._policy.as_of or today
        return decide(order, refunded_total(refunds), self._policy, as_of), order

    @activity.defn(name="refunds.check_refund")
    async def check_refund(self, inp: RefundCheckInput) -> RefundDecision:
        """May this order be refunded on the call?"""
        decision, _ = await self._decision(inp.order_id, inp.customer_id, inp.today)
        return decision

    @activity.defn(name="refunds.issue_refund")
    @heartbeating
    async def issue_refund(self, inp: IssueRefundInput) -> RefundResult:
        """Refund what is left on the order, if the policy auto-approves it."""
        marker = f"[{inp.idempotency_key}]"
        decision, order = await self._decision(inp.order_id, inp.customer_id, inp.today)
        refunds: list[dict[str, Any]] = order.get("refunds") or []
        # A retry after a lost response: the refund already exists (and the
        # order now looks refunded), so return it instead of refusing.
        for r in refunds:
            if marker in str(r.get("note", "")):
                amount = sum(cents(t.get("amount", "0")) for t in r.get("transactions", []))
                refund_id = validation.backend_id(r.get("id"), "Shopify")
                return RefundResult(order_id=decision.order_id, refund_id=refund_id, amount_cents=amount)
        if not decision.auto_approve:
            raise errors.rejected(f"refund needs review: {decision.reason}")
        amount = decision.amount_cents
        body = await self._shop.api.call(
            "POST",
            f"{order_path(order)}/refunds.json",
            idempotency_key=inp.idempotency_key,
            json={
                "refund": {
                    "note": f"Phone refund: {inp.reason[:200]} {marker}",
                    "notify": True,
                    "transactions": [
                        {
                            "kind": "refund",
                            "gateway": "manual",
                            "amount": f"{amount // 100}.{amount % 100:02d}",
                        }
                    ],
                }
            },
        )
        refund = body.get("refund")
        if not isinstance(refund, dict):
            raise errors.unavailable("Shopify sent a refund without a body")
        refund_id = validation.backend_id(refund.get("id"), "Shopify")
        return RefundResult(order_id=decision.order_id, refund_id=refund_id, amount_cents=amount)
