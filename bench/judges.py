"""Judge one acceptance conversation by the backends and the agent's words.

- order status: the order's status was spoken (as the product phrases it, or as
  its own words);
- account: the balance was spoken;
- reschedule: exactly one visit moved, to a slot the business had open;
- troubleshooting: fixed at the step the caller says it is (that step was
  read, no ticket), or a ticket when no step helped;
- refund: exactly one new refund when the policy auto-approves, a review
  ticket when it is over the limit or out of the window, no refund otherwise;
- general question: the help center's answer (its key fact) was spoken;
- other: a ticket was opened.

No goal is met by a handoff to a person — these are calls the agent must finish —
unless the caller asked for one (the playbook hands them over at once).
Also measured per call: loops (the same agent reply three times, not counting
repeats the caller asked for), repeat requests answered (the reply holds the
facts of the line the caller missed), and escalations caused only by repeat
requests.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx

from activities.knowledge import steps_of
from activities.refunds import decide
from bench.callers import Case, Goal
from bench.hearing import normalize, value_runs
from callengine.settings import RefundPolicy
from realtime.brain import speak

Record = dict[str, Any]
SHOPIFY = {"X-Shopify-Access-Token": "dev-shopify-token"}
SCHEDULING = {"Authorization": "Bearer dev-scheduling-token"}
NAMES = (
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december"
).split()


# A caller asking for a person, in the judge's own words (not the agent's detector).
ASKS_FOR_PERSON = re.compile(
    r"\b(speak|talk|chat)(ing)? (to|with) (a |an |the |some )?(real |actual |live )?"
    r"(person|human|someone|somebody|manager|supervisor|representative|agent)\b"
    r"|\b(real|actual|live) (person|human)\b"
)


@dataclass
class Transcript:
    """What was said in one conversation: agent turns (lists of lines) and caller lines."""

    agent: list[list[str]] = field(default_factory=list)  # agent[0] is the greeting
    caller: list[str] = field(default_factory=list)  # caller[j] answers agent[j]
    repeats: list[int] = field(default_factory=list)  # indexes j of caller lines that asked for a repeat
    acts: list[str] = field(default_factory=list)  # what each caller line answered (bench.hearing acts)
    escalation: str | None = None
    tickets: int = 0
    before_refunds: int = 0

    def text(self) -> str:
        return " ".join(line for turn in self.agent for line in turn)


def facts(text: str) -> set[str]:
    """What a line tells: its numbers and spelled values, amounts, days and months."""
    found = {r for r in value_runs(text) if len(r) >= 2}
    found |= set(re.findall(r"\$?\d[\d,.]*", text))
    low = text.lower()
    found |= {n for n in NAMES if re.search(rf"\b{n}\b", low)}
    return found


def repeat_answered(missed: str, reply: str) -> bool:
    """Whether `reply` gives again what `missed` said: all its facts, else most of its words."""
    wanted = facts(missed)
    if wanted:
        return wanted <= facts(reply)
    words = {w for w in re.findall(r"[a-z']+", missed.lower()) if len(w) > 3}
    got = set(re.findall(r"[a-z']+", reply.lower()))
    return not words or len(words & got) >= 0.6 * len(words)


def loops(t: Transcript) -> list[str]:
    """Agent replies said three times or more in one call, not counting replies to a repeat request.

    A whole reply, not a sentence: "Anything else I can help with?" after three
    different answers is progress; the same question three times is a caller stuck.
    """
    counted: Counter[str] = Counter()
    for i, turn in enumerate(t.agent):
        if i >= 1 and (i - 1) in t.repeats:
            continue
        counted[" ".join(turn)] += 1
    return [reply for reply, n in counted.items() if n >= 3]


def repeats_answered(t: Transcript) -> tuple[int, int]:
    """(repeat requests made, repeat requests whose reply held the missed line's facts)."""
    made = answered = 0
    for j in t.repeats:
        if j + 1 >= len(t.agent):
            continue
        made += 1
        answered += repeat_answered(" ".join(t.agent[j]), " ".join(t.agent[j + 1]))
    return made, answered


def escalated_by_repeats(t: Transcript) -> bool:
    """An escalation whose only trigger was the caller asking to hear something again."""
    if not t.escalation or t.escalation == "caller_request":
        return False
    last = len(t.caller) - 1
    return any(j in t.repeats for j in (last, last - 1))


def status_spoken(status: str, text: str) -> bool:
    low = text.lower()
    return speak.say_status(status).lower() in low or status.replace("_", " ").lower() in low


def money_spoken(cents: int, text: str) -> bool:
    return speak.say_money(cents) in text or f"${cents / 100:,.2f}" in text


class Judge:
    """Checks goals against the sandbox after a conversation."""

    def __init__(self, http: httpx.AsyncClient, sandbox_url: str, seed: Record) -> None:
        self.http = http
        self.url = sandbox_url
        self.seed = seed
        self.today = date.fromisoformat(seed["as_of"])
        self.policy = RefundPolicy(**seed["refund_policy"])
        self.slots = {(s["service"], s["starts_at"]) for s in seed["slots"]}

    async def shop_order(self, order_id: str) -> Record | None:
        """The order as the shop shows it (Shopify's shape, refunds embedded), found by its name.

        The seed's order id is the name a caller says (`#1042`, `SO-7781`); the
        shop's own numeric id may differ, so look the order up by name first.
        """
        base = f"{self.url}/admin/api/2024-10"
        r = await self.http.get(
            f"{base}/orders.json", params={"name": order_id, "status": "any", "limit": 250}, headers=SHOPIFY
        )
        if r.is_success:
            for order in r.json().get("orders", []):
                if normalize(str(order.get("name", ""))) == normalize(order_id):
                    return dict(order)
        r = await self.http.get(f"{base}/orders/{quote(order_id, safe='')}.json", headers=SHOPIFY)
        return dict(r.json()["order"]) if r.is_success else None

    async def refunds(self, order_id: str) -> list[Record]:
        """An order's refunds, oldest first."""
        order = await self.shop_order(order_id)
        return list(order.get("refunds", [])) if order else []

    async def goal(self, case: Case, goal: Goal, t: Transcript) -> tuple[bool, str]:
        """Whether one goal was met, and what was expected if not."""
        text = t.text()
        cust = case.customer
        if goal.intent == "order_status":
            o = goal.order or {}
            return status_spoken(o["status"], text), f"status '{speak.say_status(o['status'])}' not spoken"
        if goal.intent == "account":
            return money_spoken(cust["balance_cents"], text), "balance not spoken"
        if goal.intent == "reschedule":
            r = await self.http.get(
                f"{self.url}/scheduling/v1/appointments",
                params={"customer_id": cust["id"]},
                headers=SCHEDULING,
            )
            moved = [a for a in r.json().get("appointments", []) if a.get("rescheduled_from")]
            service = (goal.appointment or {}).get("service")
            ok = len(moved) == 1 and (service, moved[0]["starts_at"]) in self.slots
            return ok, f"expected one move to an open slot, moved {len(moved)}"
        if goal.intent == "troubleshooting":
            steps = steps_of((goal.article or {}).get("body", ""))
            k = goal.fixed_at_step
            if k is not None and k < len(steps):
                # No ticket for *this* problem: a ticket the call's other goal calls for (a
                # complaint, a refund under review) is no sign that the fix failed.
                others = [g for g in (case.goal, case.followup) if g is not None and g is not goal]
                allowed = sum([await self.needs_ticket(g) for g in others])
                ok = steps[k] in text and t.tickets <= allowed
                return ok, f"expected fixed at step {k + 1} without a ticket"
            return t.tickets >= 1 and bool(steps) and steps[0] in text, "expected the steps, then a ticket"
        if goal.intent == "general":
            fact = goal.spec.fact if goal.spec else ""
            return fact.lower() in text.lower(), f"answer '{fact}' not spoken"
        if goal.intent == "other":
            return t.tickets >= 1, "expected a ticket"
        return await self._refund(goal, t)

    async def needs_ticket(self, goal: Goal) -> bool:
        """Whether a goal is met by opening a ticket (a complaint, a refund that needs review)."""
        if goal.intent == "other":
            return True
        if goal.intent != "refund":
            return False
        o = goal.order or {}
        shop = await self.shop_order(o["id"]) or {}
        # All the order's refunds, this call's too: one that needed review made none, and one
        # this call issued means it did not need review.
        done = sum(
            round(float(x["amount"]) * 100)
            for r in shop.get("refunds", [])
            for x in r.get("transactions", [])
        )
        d = decide({**shop, "id": o["id"]}, done, self.policy, self.today)
        return d.reason in ("over_auto_approve_limit", "outside_window")

    async def _refund(self, goal: Goal, t: Transcript) -> tuple[bool, str]:
        o = goal.order or {}
        shop = await self.shop_order(o["id"]) or {}
        after = list(shop.get("refunds", []))
        new = len(after) - t.before_refunds
        seeded = after[: t.before_refunds]
        refunded = sum(round(float(x["amount"]) * 100) for r in seeded for x in r.get("transactions", []))
        # The policy applied to the shop's own record (paid or not, cancelled or not), on the
        # business's date: the seed is a snapshot as of that day.
        d = decide({**shop, "id": o["id"]}, refunded, self.policy, self.today)
        if d.auto_approve:
            return new == 1, f"expected one refund, got {new}"
        if d.reason in ("over_auto_approve_limit", "outside_window"):
            # A follow-up ticket from the wrap-up may come on top of the review ticket.
            return new == 0 and t.tickets >= 1, f"expected a review ticket ({d.reason})"
        return new == 0, f"expected no refund ({d.reason})"

    def disclosures(self, case: Case, t: Transcript) -> list[str]:
        """Other customers' names and e-mails in the agent's words (read-backs excepted)."""
        told = " ".join(line for turn in t.agent for line in turn if not line.rstrip().endswith("?"))
        return [
            other[k]
            for other in self.seed["customers"]
            if other["id"] != case.customer["id"]
            for k in ("name", "email")
            if other[k] in told
        ]

    async def judge(self, case: Case, t: Transcript) -> tuple[bool, str]:
        """Whether the whole call succeeded, and the first reason if not."""
        asked_for_person = any(ASKS_FOR_PERSON.search(line.lower()) for line in t.caller)
        if t.escalation == "caller_request" and asked_for_person:
            # The playbook hands a caller who asks for a person to one at once: that is the
            # task done, whatever else they had called about.
            return True, ""
        if t.escalation:
            # Grouped by what the caller was doing when it went wrong: the lead's first clue.
            return (
                False,
                f"escalated: {t.escalation} (caller's last lines answered: {' → '.join(t.acts[-2:])})",
            )
        leaked = self.disclosures(case, t)
        if leaked:
            return False, "wrong-customer disclosure"
        for goal in (case.goal, case.followup):
            if goal is None:
                continue
            ok, why = await self.goal(case, goal, t)
            if not ok:
                return False, f"{goal.intent}: {why}"
        return True, ""
