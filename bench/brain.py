"""Offline brain: time per turn and task success over generated phone conversations.

Generates N (default 240) conversations across the seed's five intents, in the
seed's mix, with the noise of phone speech-to-text: digits as words ("one oh
four eight two"), "double seven", dashes, keypad entry, spoken e-mails ("maria
at example dot com"), and misheard digits the caller must correct after the
agent's read-back. A simulated caller answers whatever the agent asks. Every
conversation runs through the real CallWorkflow, worker and sandbox (reset
before each), and is judged by what happened in the backends and what the
agent said:

- order status: the order's status phrase was spoken;
- account: the balance was spoken;
- reschedule: the appointment moved to one of the offered slots, exactly once;
- troubleshooting: fixed at the step the caller says it is, or a ticket;
- refund: exactly one refund when the policy auto-approves, a review ticket
  when it is over the limit or out of window, neither otherwise.

A wrong-customer disclosure is any other customer's name, e-mail or order
number appearing in the agent's words (read-backs of what the caller said
excepted: a misheard number can be anyone's). Prints JSON.

    .venv/bin/python bench/brain.py [--conversations 240] [--seed 11]

Targets (issue 4): ≥ 95% correct outcomes, 0 wrong-customer disclosures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from activities.refunds import decide
from bench._stack import BenchStack, bench_stack
from callengine.calls import Call, new_call_sid
from callengine.chat import caller_input, context_for
from callengine.settings import DEFAULT_SEED, RefundPolicy
from realtime.brain import slots, speak
from realtime.brain.base import Say, TurnDone
from realtime.brain.offline import OfflineBrain
from workflows import ToolResult

SEED = json.loads(DEFAULT_SEED.read_text())
TODAY = date.fromisoformat(SEED["as_of"])
POLICY = RefundPolicy(**SEED["refund_policy"])
ADMIN = {"Authorization": "Bearer dev-admin-token"}
MIX = {"order_status": 35, "account": 20, "reschedule": 15, "troubleshooting": 10, "refund": 8}
WORDS = ["oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
MAX_TURNS = 24
# Troubleshooting calls are about the network articles, not billing/orders/appointments how-tos.
TECH_ARTICLES = [a for a in SEED["articles"] if not {"billing", "orders", "appointments"} & set(a["tags"])]

OPENERS = {
    "order_status": [
        "Hi, where is my order?",
        "I'm calling to check on a package",
        "when will my order arrive",
        "hey um I wanted to track my order",
        "what's the status of my order please",
    ],
    "account": [
        "what's my balance",
        "I have a question about my account",
        "how much do I owe",
        "which plan am I on and what's my balance",
        "can you check my account status",
    ],
    "reschedule": [
        "I need to reschedule my installation",
        "can I move my appointment",
        "I need a different day for the technician visit",
        "I have to reschedule, I won't be home",
    ],
    "refund": [
        "I want a refund",
        "I'd like my money back for an order",
        "can I get a refund please",
        "I need to return something and get a refund",
    ],
}


@dataclass
class Case:
    """One generated conversation and what should come of it."""

    intent: str
    customer: dict[str, Any]
    caller_number: str
    identify_by: str  # caller_id | order | email | phone
    order: dict[str, Any] | None = None
    article: dict[str, Any] | None = None
    fixed_at_step: int | None = None  # troubleshooting: the step that fixes it (None = never)
    misheard: bool = False
    keypad: bool = False
    opener: str = ""


@dataclass
class Run:
    """What happened in one conversation."""

    case: Case
    agent: list[str] = field(default_factory=list)
    turn_ms: list[float] = field(default_factory=list)
    ok: bool = False
    why: str = ""
    disclosures: list[str] = field(default_factory=list)
    escalated: str | None = None


def noisy_digits(digits: str, rng: random.Random) -> str:
    """The caller's digits as a phone STT might hand them over."""
    style = rng.random()
    if style < 0.25:
        return digits
    if style < 0.45:
        return " ".join(digits)
    if style < 0.55:
        return "-".join(digits)
    words = [WORDS[int(c)] for c in digits]
    out: list[str] = []
    i = 0
    while i < len(words):  # "double seven" for a repeated digit, as people say it
        if i + 1 < len(words) and words[i] == words[i + 1] and rng.random() < 0.6:
            out.append(f"double {words[i]}")
            i += 2
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


def mishear(digits: str, rng: random.Random) -> str:
    i = rng.randrange(len(digits))
    wrong = str((int(digits[i]) + rng.randrange(1, 9)) % 10)
    return digits[:i] + wrong + digits[i + 1 :]


def spoken_email(addr: str, rng: random.Random) -> str:
    if rng.random() < 0.3:
        return f"my email is {addr}"
    user, _, domain = addr.partition("@")
    user = user.replace(".", " dot ").replace("_", " underscore ").replace("-", " dash ")
    return f"it's {user} at {domain.replace('.', ' dot ')}"


def generate(n: int, rng: random.Random) -> list[Case]:
    customers = SEED["customers"]
    orders_of: dict[str, list[dict[str, Any]]] = {}
    for o in SEED["orders"]:
        orders_of.setdefault(o["customer_id"], []).append(o)
    booked = {a["customer_id"] for a in SEED["appointments"] if a["status"] == "booked"}
    intents = rng.choices(list(MIX), weights=list(MIX.values()), k=n)
    cases = []
    for intent in intents:
        pool = [c for c in customers if c["id"] in booked] if intent == "reschedule" else customers
        cust = rng.choice(pool)
        order = rng.choice(orders_of[cust["id"]]) if intent in ("order_status", "refund") else None
        mode = rng.choices(["caller_id", "order", "email", "phone"], weights=[60, 20, 10, 10])[0]
        if mode == "order" and order is None:
            mode = "email"
        case = Case(
            intent=intent,
            customer=cust,
            identify_by=mode,
            order=order,
            caller_number=cust["phone"]
            if mode == "caller_id"
            else "+1999555" + f"{rng.randrange(10000):04d}",
            misheard=rng.random() < 0.15,
            keypad=rng.random() < 0.1,
        )
        if intent == "troubleshooting":
            case.article = rng.choice(TECH_ARTICLES)
            case.fixed_at_step = rng.choice([0, 1, 2, None])
            case.opener = (
                rng.choice(["I have a problem: ", "hi, ", "um so ", ""]) + case.article["title"].lower()
            )
        else:
            case.opener = rng.choice(OPENERS[intent])
        cases.append(case)
    return cases


class Caller:
    """Answers the agent the way a cooperative caller would, with STT noise."""

    def __init__(self, case: Case, rng: random.Random) -> None:
        self.c = case
        self.rng = rng
        self.misheard_left = case.misheard
        self.kb_step = -1

    def digits_line(self, truth: str) -> str:
        if self.c.keypad:
            return f"dtmf:{truth}"
        if self.misheard_left:
            self.misheard_left = False
            return noisy_digits(mishear(truth, self.rng), self.rng)
        return noisy_digits(truth, self.rng)

    def answer(self, agent: str) -> str:
        c, a = self.c, agent.lower()
        if "goodbye" in a or "connecting you with a person" in a:
            return ""
        if "right?" in a and c.customer["name"].lower() in a:  # the name on the account, read back
            return "yes"
        if "right?" in a:  # a read-back: compare what was read with the truth
            heard = "".join(slots.digit_runs(agent.split(":")[-1]))
            truths = [
                c.customer["zip"],
                (c.order or {}).get("id", ""),
                c.customer["phone"][2:],
                c.customer["phone"][-4:],
            ]
            if heard in truths:
                return self.rng.choice(["yes", "yeah that's right", "correct", "yep"])
            truth = next((t for t in truths if t and len(t) == len(heard)), c.customer["zip"])
            return f"no, it's {noisy_digits(truth, self.rng)}"
        if "last four digits" in a:  # the second factor after a said identifier
            return self.digits_line(c.customer["phone"][-4:])
        if "name on the account" in a:
            return c.customer["name"]
        if "zip" in a:
            return self.digits_line(c.customer["zip"])
        if "phone number, e-mail or an order number" in a or "phone number or e-mail" in a:
            if c.identify_by == "email":
                return spoken_email(c.customer["email"], self.rng)
            if c.identify_by == "phone":
                return "my number is " + noisy_digits(c.customer["phone"][2:], self.rng)
            return self.digits_line((c.order or {})["id"])
        if "order number" in a or "which order" in a:
            return self.digits_line((c.order or {})["id"])
        if "which works best" in a or "which one" in a:
            return self.rng.choice(["the first one", "the second one", "first please", "number two"])
        if "shall i go ahead" in a or "to confirm" in a or "shall i move it" in a:
            return self.rng.choice(["yes", "yes please", "go ahead"])
        if "did that fix it" in a or "did that help" in a:
            self.kb_step += 1
            return "yes it worked" if self.kb_step == c.fixed_at_step else "no, still not working"
        if "anything else" in a:
            return self.rng.choice(["no thanks", "no, that's all", "nope, bye"])
        if "tell me briefly" in a:
            return "it's about " + c.opener
        return c.opener


def phrases_of_others(customer: dict[str, Any]) -> list[str]:
    """What would betray another customer's data if the agent said it."""
    out = []
    for other in SEED["customers"]:
        if other["id"] != customer["id"]:
            out += [other["name"], other["email"]]
    mine = {o["id"] for o in SEED["orders"] if o["customer_id"] == customer["id"]}
    out += [speak.say_digits(o["id"]) for o in SEED["orders"] if o["id"] not in mine]
    return out


async def converse(stack: BenchStack, http: httpx.AsyncClient, case: Case, rng: random.Random) -> Run:
    run = Run(case)
    call = await Call.start(
        stack.client,
        stack.task_queue,
        call_sid=new_call_sid(),
        caller_number=case.caller_number,
        called_number="+18005550100",
    )
    tool_ms = [0.0]
    base = context_for(call, TODAY)
    inner = base.tools

    async def timed_tools(name: str, args: dict[str, Any]) -> ToolResult:
        t0 = time.perf_counter()
        try:
            return await inner(name, args)
        finally:
            tool_ms[0] += (time.perf_counter() - t0) * 1000

    base.tools = timed_tools
    brain = OfflineBrain(base)
    caller = Caller(case, rng)
    line, done = case.opener, TurnDone(None, 0)
    offered: list[str] = []
    for _ in range(MAX_TURNS):
        said = caller_input(line)
        tool_ms[0] = 0.0
        t0 = time.perf_counter()
        spoken: list[str] = []
        async for ev in brain.respond(said):
            if isinstance(ev, Say):
                spoken.append(ev.text)
            elif isinstance(ev, TurnDone):
                done = ev
        run.turn_ms.append((time.perf_counter() - t0) * 1000 - tool_ms[0])
        run.agent += spoken
        offered = brain.d.slots or offered
        if done.end_call or not spoken:
            break
        line = caller.answer(spoken[-1])
        if not line:
            break
    await call.end("agent_hangup" if done.end_call else "caller_hangup", resolved=done.resolved)
    result = await call.result()
    run.escalated = result.escalation_reason
    text = " ".join(run.agent)
    # A read-back only echoes what the caller said (possibly misheard); data comes from everything else.
    told = " ".join(a for a in run.agent if not a.endswith(("right?", "Please say yes or no.")))
    run.disclosures = [p for p in phrases_of_others(case.customer) if p in told]
    run.ok, run.why = await judge(stack, http, case, text, result.ticket_ids, offered, len(brain.d.kb_steps))
    return run


async def judge(
    stack: BenchStack,
    http: httpx.AsyncClient,
    case: Case,
    text: str,
    tickets: list[int],
    offered: list[str],
    kb_steps: int,
) -> tuple[bool, str]:
    cust = case.customer
    if case.intent == "order_status":
        o = case.order or {}
        want = speak.say_status(o["status"])
        return (want in text and speak.say_digits(o["id"]) in text), f"expected '{want}'"
    if case.intent == "account":
        want = speak.say_money(cust["balance_cents"])
        return want in text, f"expected '{want}'"
    if case.intent == "reschedule":
        appts = (
            await http.get(
                f"{stack.sandbox_url}/scheduling/v1/appointments",
                params={"customer_id": cust["id"]},
                headers={"Authorization": "Bearer dev-scheduling-token"},
            )
        ).json()["appointments"]
        moved = [a for a in appts if a.get("rescheduled_from")]
        return (len(moved) == 1 and moved[0]["starts_at"] in offered), f"moved={len(moved)}"
    if case.intent == "troubleshooting":
        # Fixed at the step the caller says so, if the article read out has that step; else a ticket.
        if case.fixed_at_step is not None and case.fixed_at_step < kb_steps:
            return ("glad that fixed it" in text and not tickets), "expected fixed"
        return len(tickets) == 1, "expected a ticket"
    o = case.order or {}
    refunds = (
        await http.get(
            f"{stack.sandbox_url}/admin/api/2024-10/orders/{o['id']}/refunds.json",
            headers={"X-Shopify-Access-Token": "dev-shopify-token"},
        )
    ).json()["refunds"]
    seeded = [r for r in refunds if "Phone refund" not in (r.get("note") or "")]
    new = [r for r in refunds if "Phone refund" in (r.get("note") or "")]
    shop = {
        "id": o["id"],
        "created_at": o["placed_at"],
        "total_price": f"{o['total_cents'] / 100:.2f}",
        "cancelled_at": o["placed_at"] if o["status"] == "cancelled" else None,
        "financial_status": {"pending": "pending", "cancelled": "voided"}.get(o["status"], "paid"),
    }
    refunded = sum(round(float(t["amount"]) * 100) for r in seeded for t in r["transactions"])
    d = decide(shop, refunded, POLICY, TODAY)
    if d.auto_approve:
        return len(new) == 1, f"expected one refund, got {len(new)}"
    if d.reason in ("over_auto_approve_limit", "outside_window"):
        return (not new and len(tickets) == 1), f"expected a review ticket ({d.reason})"
    return not new, f"expected no refund ({d.reason})"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--conversations", type=int, default=240)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--show-failures", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    cases = generate(args.conversations, rng)
    runs: list[Run] = []
    t_start = time.perf_counter()
    async with bench_stack() as stack, httpx.AsyncClient() as http:
        for case in cases:
            (await http.post(f"{stack.sandbox_url}/_admin/reset", headers=ADMIN)).raise_for_status()
            runs.append(await converse(stack, http, case, rng))
    turn_ms = [t for r in runs for t in r.turn_ms]
    by_intent: dict[str, list[bool]] = {}
    for r in runs:
        by_intent.setdefault(r.case.intent, []).append(r.ok)
    failures = [r for r in runs if not r.ok or r.disclosures]
    report = {
        "conversations": len(runs),
        "correct_outcome": round(sum(r.ok for r in runs) / len(runs), 4),
        "by_intent": {
            k: {"n": len(v), "correct": round(sum(v) / len(v), 4)} for k, v in sorted(by_intent.items())
        },
        "wrong_customer_disclosures": sum(len(r.disclosures) for r in runs),
        "escalated": sum(1 for r in runs if r.escalated),
        "noise": {
            "misheard_digits": sum(r.case.misheard for r in runs),
            "keypad": sum(r.case.keypad for r in runs),
            "identified_by": {
                m: sum(r.case.identify_by == m for r in runs)
                for m in ("caller_id", "order", "email", "phone")
            },
        },
        "brain_ms_per_turn": {
            "n": len(turn_ms),
            "p50": pct(turn_ms, 0.5),
            "p95": pct(turn_ms, 0.95),
            "mean": round(statistics.fmean(turn_ms), 3),
            "max": round(max(turn_ms), 3),
        },
        "turns_per_conversation": round(statistics.fmean(len(r.turn_ms) for r in runs), 2),
        "wall_s": round(time.perf_counter() - t_start, 1),
        "targets": {"correct_outcome": 0.95, "wrong_customer_disclosures": 0},
        "failures": [
            {
                "disclosed": r.disclosures,
                "intent": r.case.intent,
                "why": r.why,
                "escalated": r.escalated,
                "identify_by": r.case.identify_by,
                "misheard": r.case.misheard,
                "last_agent_lines": r.agent[-3:],
            }
            for r in failures[: args.show_failures]
        ],
        "generated_on": datetime.now().isoformat(timespec="seconds"),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
