"""Order status and refunds: which order, then its status, or the refund policy's answer.

Order ids, statuses, carriers and refund ids come from the shop's systems and
are carried as opaque strings: read out with `speak.say_digits` /
`speak.say_status`, never parsed.
"""

from __future__ import annotations

import re
from typing import Any

from realtime.brain import slots, speak
from realtime.brain.base import CallerInput, Say
from realtime.brain.intents import REFUND
from realtime.brain.offline import lines, step
from realtime.brain.offline.agent import Agent, Flow
from realtime.brain.offline.step import YES, Ask
from workflows.types import ToolResult

# An answer that asks for the newest order instead of naming one.
_MOST_RECENT = re.compile(r"\b(recent|latest|last|newest|don'?t (know|have)|not sure|no idea|can'?t find)\b")
# Stands for "the most recent order" among extracted values: never a spoken order number.
_NEWEST = "\x00newest"
# Statuses after which the carrier is no longer news. Any other status of an order that has a
# carrier ("shipped", "delayed", "in_transit", a shop's own word) means it is on its way.
_DONE = re.compile(r"^delivered$|cancel|refund|return", re.IGNORECASE)


async def order_flow(agent: Agent) -> Flow:
    """Order status or refund, once verified: the order they named, or ask which."""
    d = agent.d
    heard = d.heard.order or d.heard.loose
    if d.order_id:
        async for ev in _with_order(agent, d.order_id):
            yield ev
    elif heard:
        async for ev in step.offer(agent, order_ask(agent), heard):
            yield ev
    else:
        question = lines.REFUND_ORDER_QUESTION if d.intent == REFUND else lines.ORDER_QUESTION
        async for ev in step.ask(agent, order_ask(agent), question):
            yield ev


def order_ask(agent: Agent) -> Ask:
    """Which order: a number (read back), keyed in, or "my most recent one"."""

    def extract(said: CallerInput) -> str | None:
        heard = slots.order_number(said.text)
        if heard:
            return heard
        if _MOST_RECENT.search(said.text.lower()) or slots.yes_no(said.text) is True:
            return _NEWEST
        return None

    async def then(value: str) -> Flow:
        source = _most_recent(agent) if value == _NEWEST else _with_order(agent, value)
        async for ev in source:
            yield ev

    return Ask(
        name="order",
        question=lines.ORDER_QUESTION,
        retry=lines.ORDER_RETRY,
        other_way=lines.ORDER_OTHER_WAY,
        extract=extract,
        then=then,
        read_back=lambda v: None if v == _NEWEST else lines.order_read_back(v),
        correct=lambda text, _: slots.correction(text, "order"),
        keyed=step.keyed_digits(3, 12),
        by_keypad=lines.ORDER_OTHER_WAY,
    )


async def _most_recent(agent: Agent) -> Flow:
    res = await agent.tool("list_orders", {})
    yield agent.last
    orders = res.data.get("orders", []) if res.ok else []
    if not res.ok:
        async for ev in agent.tool_failed(res, "order"):
            yield ev
    elif not orders:
        async for ev in agent.anything_else(lines.NO_ORDERS):
            yield ev
    else:
        newest = orders[0]
        yield Say(lines.most_recent(str(newest["order_id"]), speak.say_date(newest["placed_at"])))
        async for ev in _with_order(agent, str(newest["order_id"]), summary=newest):
            yield ev


async def _with_order(agent: Agent, order_id: str, summary: dict[str, Any] | None = None) -> Flow:
    d = agent.d
    d.order_id = order_id
    if d.intent == REFUND:
        async for ev in _refund_check(agent, order_id):
            yield ev
        return
    if summary is None:
        res = await agent.tool("lookup_order", {"order_id": order_id})
        yield agent.last
        if not res.ok:
            async for ev in _order_failed(agent, res, order_id):
                yield ev
            return
        summary = res.data
    d.resolved = True
    async for ev in agent.anything_else(order_sentence(summary)):
        yield ev


def _by_digits(orders: list[dict[str, Any]], keys: str) -> str | None:
    """The one order whose name has exactly the digits `keys` (none if no order or several do)."""
    named = {str(o["order_id"]) for o in orders if re.sub(r"\D", "", str(o.get("order_id", ""))) == keys}
    return named.pop() if len(named) == 1 else None


def order_sentence(o: dict[str, Any]) -> str:
    """An order's status, and its carrier and date while it is on its way."""
    status = str(o.get("status", ""))
    # A pause between the number and the status: heard clearly, by people and by recognizers.
    line = f"Order {speak.say_digits(str(o['order_id']))}. It is {speak.say_status(status)}."
    if o.get("carrier") and not _DONE.search(status.strip()):
        line += f" It's with {o['carrier']}"
        line += f", expected {speak.say_date(o['eta'])}." if o.get("eta") else "."
    return line


async def _order_failed(agent: Agent, res: ToolResult, order_id: str) -> Flow:
    d = agent.d
    d.order_id = None
    if res.error_code == "not_found" and order_id.isdigit():
        # A keypad has no letters: "W104757" is keyed as 104757. The caller's own orders (they are
        # verified) are looked through for the one whose digits those are.
        listed = await agent.tool("list_orders", {})
        yield agent.last
        named = _by_digits(listed.data.get("orders", []) if listed.ok else [], order_id)
        if named is not None and named != order_id:
            async for ev in _with_order(agent, named):
                yield ev
            return
    if res.error_code in ("not_found", "invalid_input"):
        # Not on this account, or not a number the shop takes: the caller can check and say it again.
        async for ev in step.miss(
            agent, lines.order_not_found(order_id), again=lines.ORDER_NOT_FOUND_RETRY, step=order_ask(agent)
        ):
            yield ev
    else:
        async for ev in agent.tool_failed(res, "order"):
            yield ev


async def _refund_check(agent: Agent, order_id: str) -> Flow:
    d = agent.d
    res = await agent.tool("check_refund", {"order_id": order_id})
    yield agent.last
    if not res.ok:
        async for ev in _order_failed(agent, res, order_id):
            yield ev
        return
    r = d.refund = res.data
    money = speak.say_money(int(r["amount_cents"]))
    if r.get("auto_approve"):
        async for ev in step.ask(agent, _refund_ok(agent), lines.refund_offer(order_id, money)):
            yield ev
        return
    reason = r.get("reason")
    if reason == "already_refunded":
        d.resolved = True
        async for ev in agent.anything_else(lines.already_refunded(order_id)):
            yield ev
        return
    if reason == "not_refundable":
        async for ev in agent.anything_else(lines.not_refundable(order_id)):
            yield ev
        return
    why = (
        f"is outside our {r.get('window_days')}-day refund window"
        if reason == "outside_window"
        else f"needs approval from our team for {money}"
    )
    async for ev in agent.ticket_then_more(
        f"Refund review for order {order_id}",
        f"Caller asks for a refund of order {order_id} ({reason}). Caller said: {d.problem or 'no details'}",
        "normal",
        lambda ticket: lines.refund_review(order_id, why, ticket),
    ):
        yield ev


def _refund_ok(agent: Agent) -> Ask:
    async def then(answer: str) -> Flow:
        if answer != YES:
            async for ev in agent.anything_else(lines.REFUND_DECLINED):
                yield ev
            return
        async for ev in _issue_refund(agent):
            yield ev

    return step.yes_no_ask("refund_ok", lines.REFUND_QUESTION_SHORT, then)


async def _issue_refund(agent: Agent) -> Flow:
    d = agent.d
    order_id = d.order_id or ""
    res = await agent.tool(
        "issue_refund", {"order_id": order_id, "reason": (d.problem or "caller request")[:300] or "caller"}
    )
    yield agent.last
    if res.ok:
        d.resolved = True
        done = lines.refund_done(
            speak.say_money(int(res.data["amount_cents"])), order_id, str(res.data["refund_id"])
        )
        async for ev in agent.anything_else(done):
            yield ev
    elif res.error_code == "rejected":
        async for ev in agent.anything_else(lines.REFUND_NEEDS_REVIEW):
            yield ev
    else:
        async for ev in agent.tool_failed(res, "refund"):
            yield ev
