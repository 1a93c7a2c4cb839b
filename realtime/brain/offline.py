"""The offline agent: a deterministic intent + slot dialog for the seed's top five intents.

It needs no key and no network, answers in microseconds, and is the automatic
fallback when the LLM fails. The policy is DESIGN.md's playbook:

- identify first (caller ID, else phone / e-mail / order number), then the
  billing ZIP as second factor — the workflow enforces it, this agent just
  follows it politely;
- digit strings heard over the phone are read back and confirmed before use
  (keypad entry is exact and is used as is); "no, it's 10483" corrects;
- every fact spoken comes from a tool result of this call; a failed lookup is
  said plainly;
- three failed attempts at one step, a failed identity check, an explicit
  request or sustained frustration hand the call to a person.

State is a small dialog record (`Dialog`); each caller turn is dispatched on
the stage it left off in. Tool results update the state through callbacks
that run even if the reply is cancelled by a barge-in.
"""

from __future__ import annotations

import enum
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from realtime.brain import slots, speak
from realtime.brain.base import Brain, BrainEvent, CallContext, CallerInput, Say, ToolUsed, TurnDone
from realtime.brain.escalation import EscalationPolicy
from realtime.brain.intents import (
    ACCOUNT,
    HUMAN,
    ORDER_STATUS,
    OTHER,
    REFUND,
    RESCHEDULE,
    TOP_FIVE,
    TROUBLESHOOTING,
    classify,
)
from workflows.types import ToolResult

NEEDS_ACCOUNT = (ORDER_STATUS, ACCOUNT, RESCHEDULE, REFUND)
MENU = "I can help with orders, your account, appointments, technical problems and refunds."
GREETING = "Thanks for calling. How can I help you today?"
GOODBYE = "Thanks for calling. Goodbye."
ANYTHING_ELSE = "Anything else I can help with?"

_BYE = re.compile(
    r"\b(bye|goodbye|that'?s (all|it|everything)|nothing else|no thanks|i'?m (good|done|all set))\b"
)
# Leaving in the middle of a step ("bye" at the ZIP question): unlike "no thanks", never an answer.
_LEAVING = re.compile(r"\b(bye|goodbye|bye-bye|i (have|need|gotta) (to )?go|gotta go|never ?mind)\b")
_MOST_RECENT = re.compile(r"\b(recent|latest|last|newest|don'?t (know|have)|not sure|no idea|can'?t find)\b")
_THIRD_PARTY = re.compile(
    r"\bC\d{4,}\b|\b(someone|somebody) else'?s\b|\banother (customer|person)'?s?\b|"
    r"\bmy (wife|husband|partner|friend|neighbou?r|mother|mom|father|dad|son|daughter|boss)'?s "
    r"(account|order|balance|appointment)\b",
    re.IGNORECASE,
)


def read_back(value: str) -> str:
    """Digits as a caller said them: a US number without its +1 country code."""
    return speak.say_digits(value[2:] if value.startswith("+1") and len(value) == 12 else value.lstrip("+"))


class Stage(enum.Enum):
    """What the agent last asked for."""

    INTENT = "intent"
    IDENTIFIER = "identifier"
    CONFIRM_IDENTIFIER = "confirm_identifier"
    ZIP = "zip"
    CONFIRM_ZIP = "confirm_zip"
    ORDER = "order"
    CONFIRM_ORDER = "confirm_order"
    SLOT = "slot"
    CONFIRM_SLOT = "confirm_slot"
    CONFIRM_REFUND = "confirm_refund"
    TROUBLESHOOT = "troubleshoot"
    DETAILS = "details"
    ANYTHING_ELSE = "anything_else"
    ENDED = "ended"


@dataclass
class Dialog:
    """Everything the agent remembers about this call."""

    stage: Stage = Stage.INTENT
    intent: str | None = None
    confidence: float = 0.0
    identity: str = "unknown"  # unknown | candidate | verified | locked
    caller_id_tried: bool = False
    first_name: str | None = None
    pending: str | None = None  # a heard digit string waiting for "yes"
    pending_kind: str | None = None  # order | phone | zip
    heard_order: str | None = None  # an order number said with the request, not yet confirmed
    order_id: str | None = None
    problem: str = ""  # the caller's own words for troubleshooting / tickets
    appointment: dict[str, Any] | None = None
    slots: list[str] = field(default_factory=list)
    chosen_slot: str | None = None
    refund: dict[str, Any] | None = None
    kb_steps: list[str] = field(default_factory=list)
    kb_index: int = 0
    resolved: bool = False
    ended: bool = False


class OfflineBrain(Brain):
    """The deterministic agent."""

    name = "offline"

    def __init__(self, ctx: CallContext) -> None:
        self.ctx = ctx
        self.d = Dialog()
        self.policy = EscalationPolicy()
        self._escalation: str | None = None

    def greeting(self) -> str:
        """Short, fixed, cacheable."""
        return GREETING

    async def take_over(self) -> None:
        """Start from what the workflow already knows: identity, intent, and a pending ZIP question."""
        state = await self.ctx.state()
        d = self.d
        identified = [c for c in state.tool_calls if c.name == "identify_customer"]
        d.caller_id_tried = bool(identified)
        if state.intent in TOP_FIVE:
            d.intent = state.intent
            d.confidence = max(state.confidence or 0.0, 0.7)
        if state.verified:
            d.identity = "verified"
        elif identified and identified[-1].ok and identified[-1].note == "match":
            # The caller was matched and asked for the ZIP: their next words are the answer.
            d.identity = "candidate"
            d.stage = Stage.ZIP

    # ----------------------------------------------------------------- turn

    async def respond(self, said: CallerInput) -> AsyncIterator[BrainEvent]:
        """One caller turn → spoken chunks, tool calls and a TurnDone."""
        await self.ctx.settle()
        text = said.text.strip()
        if self.d.ended:
            yield TurnDone(self.d.intent, self.d.confidence, end_call=True, resolved=self.d.resolved)
            return
        if not text:
            yield Say("Sorry, I didn't catch that. How can I help?")
            yield self._done()
            return
        wants_intent = self.d.stage in (Stage.INTENT, Stage.ANYTHING_ELSE)
        cls = classify(text, said.stt_confidence)
        if said.source != "dtmf":
            reason = self.policy.on_caller_turn(
                text, cls.confidence if wants_intent and slots.yes_no(text) is None else None
            )
            if reason is None and cls.intent == HUMAN and cls.confidence >= 0.7:
                reason = "caller_request"
            if reason is not None:
                async for ev in self._escalate(reason):
                    yield ev
                yield self._done()
                return
        async for ev in self._dispatch(said, text):
            yield ev
        yield self._done()

    def _done(self) -> TurnDone:
        d = self.d
        return TurnDone(
            d.intent,
            d.confidence,
            end_call=d.ended,
            resolved=d.resolved and not self._escalation,
            escalation=self._escalation,
        )

    async def _dispatch(self, said: CallerInput, text: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        if _THIRD_PARTY.search(text):
            yield Say("I can only help with the account verified on this call.")
        handler = {
            Stage.INTENT: self._on_intent,
            Stage.ANYTHING_ELSE: self._on_anything_else,
            Stage.IDENTIFIER: self._on_identifier,
            Stage.CONFIRM_IDENTIFIER: self._on_confirm_identifier,
            Stage.ZIP: self._on_zip,
            Stage.CONFIRM_ZIP: self._on_confirm_zip,
            Stage.ORDER: self._on_order,
            Stage.CONFIRM_ORDER: self._on_confirm_order,
            Stage.SLOT: self._on_slot,
            Stage.CONFIRM_SLOT: self._on_confirm_slot,
            Stage.CONFIRM_REFUND: self._on_confirm_refund,
            Stage.TROUBLESHOOT: self._on_troubleshoot,
            Stage.DETAILS: self._on_details,
        }.get(d.stage)
        if handler is None:
            return
        if d.stage not in (Stage.INTENT, Stage.ANYTHING_ELSE) and _LEAVING.search(text.lower()):
            # The caller is leaving mid-step: no more questions. What is open gets a follow-up
            # ticket at wrap-up (the call ends unresolved), and the caller is told so.
            yield Say("Okay. I'll note where we left off so someone can follow up.")
            async for ev in self._goodbye():
                yield ev
            return
        # A clear new request in the middle of a step (no value given) switches topic.
        if d.stage not in (Stage.INTENT, Stage.ANYTHING_ELSE, Stage.DETAILS):
            cls = classify(text, said.stt_confidence)
            if (
                cls.intent in TOP_FIVE
                and cls.intent != d.intent
                and cls.confidence >= 0.8
                and not slots.digit_runs(text)
                and slots.yes_no(text) is None
            ):
                async for ev in self._start_intent(cls.intent, cls.confidence, text):
                    yield ev
                return
        async for ev in handler(said, text):
            yield ev

    # --------------------------------------------------------------- intents

    async def _on_intent(self, said: CallerInput, text: str) -> AsyncIterator[BrainEvent]:
        if _BYE.search(text.lower()) and slots.yes_no(text) is not True:
            async for ev in self._goodbye():
                yield ev
            return
        cls = classify(text, said.stt_confidence)
        if cls.intent in TOP_FIVE and cls.confidence >= 0.6:
            async for ev in self._start_intent(cls.intent, cls.confidence, text):
                yield ev
        elif cls.intent == OTHER and (cls.confidence >= 0.7 or len(text.split()) >= 6):
            async for ev in self._start_intent(OTHER, max(cls.confidence, 0.7), text):
                yield ev
        else:
            yield Say(f"Sorry, I didn't quite get that. {MENU} What do you need?")

    async def _on_anything_else(self, said: CallerInput, text: str) -> AsyncIterator[BrainEvent]:
        answer = slots.yes_no(text)
        rest = classify(text, said.stt_confidence)
        if answer is False or (_BYE.search(text.lower()) and rest.intent not in TOP_FIVE):
            async for ev in self._goodbye():
                yield ev
        elif answer is True and not (rest.intent in TOP_FIVE and rest.confidence >= 0.6):
            self.d.stage = Stage.INTENT
            yield Say("Sure, what else can I help with?")
        else:
            async for ev in self._on_intent(said, text):
                yield ev

    async def _start_intent(self, intent: str, confidence: float, text: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        d.intent, d.confidence = intent, confidence
        d.order_id, d.pending, d.pending_kind = None, None, None
        d.problem = text
        d.heard_order = slots.order_number(text) if intent in (ORDER_STATUS, REFUND) else None
        if intent == TROUBLESHOOTING:
            async for ev in self._troubleshoot_start():
                yield ev
        elif intent == OTHER:
            if len(text.split()) >= 6:
                async for ev in self._ticket_for_other(text):
                    yield ev
            else:
                d.stage = Stage.DETAILS
                yield Say("I can open a ticket for that. Tell me briefly what's going on.")
        else:
            async for ev in self._proceed():
                yield ev

    async def _proceed(self) -> AsyncIterator[BrainEvent]:
        """Continue the current account intent: identity first, then its flow."""
        d = self.d
        if d.intent in NEEDS_ACCOUNT and d.identity != "verified":
            async for ev in self._identity():
                yield ev
            return
        flows = {
            ORDER_STATUS: self._order_flow,
            REFUND: self._order_flow,
            ACCOUNT: self._account_flow,
            RESCHEDULE: self._reschedule_flow,
        }
        flow = flows.get(d.intent or "")
        if flow is None:
            d.stage = Stage.INTENT
            yield Say(f"{MENU} What do you need?")
            return
        async for ev in flow():
            yield ev

    # -------------------------------------------------------------- identity

    async def _identity(self) -> AsyncIterator[BrainEvent]:
        d = self.d
        if d.identity == "locked":
            async for ev in self._escalate("identity_failure"):
                yield ev
            return
        if d.identity == "candidate":
            d.stage = Stage.ZIP
            yield Say("For security, what's the billing ZIP code on the account?")
            return
        if not d.caller_id_tried:
            d.caller_id_tried = True
            res = await self._tool("identify_customer", {"use_caller_id": True})
            yield self._last
            if res.ok and res.data.get("found") and res.data.get("verified"):
                d.identity = "verified"
                async for ev in self._proceed():
                    yield ev
                return
            if res.ok and res.data.get("found"):
                d.identity = "candidate"
                d.stage = Stage.ZIP
                yield Say(
                    "I found an account for the number you're calling from. "
                    "For security, what's the billing ZIP code?"
                )
                return
            if not res.ok and res.error_code == "backend_unavailable":
                async for ev in self._backend_down("account"):
                    yield ev
                return
        if d.heard_order:
            d.pending, d.pending_kind = d.heard_order, "order"
            d.stage = Stage.CONFIRM_IDENTIFIER
            yield Say(f"To find your account: the order number is {speak.say_digits(d.pending)}, right?")
            return
        d.stage = Stage.IDENTIFIER
        yield Say(
            "What's the phone number, e-mail or an order number on the account? "
            "You can also key in the order number."
        )

    async def _on_identifier(self, said: CallerInput, text: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        if said.source == "dtmf":
            keyed = re.sub(r"\D", "", text)
            kind = "phone" if len(keyed) in (10, 11) else "order"
            async for ev in self._identify_by(kind, keyed):
                yield ev
            return
        mail = slots.email(text)
        if mail:
            res = await self._tool("identify_customer", {"email": mail})
            yield self._last
            async for ev in self._after_identify(res):
                yield ev
            return
        phone = slots.phone_number(text)
        value, kind = (phone, "phone") if phone else (slots.order_number(text), "order")
        if value:
            d.pending, d.pending_kind = value, kind
            d.stage = Stage.CONFIRM_IDENTIFIER
            what = "phone number" if kind == "phone" else "order number"
            yield Say(f"That's the {what} {read_back(value)}, right?")
            return
        async for ev in self._failed(
            "identifier",
            "Sorry, I didn't get that. Please say the phone number "
            "or e-mail on the account, or key in an order number.",
        ):
            yield ev

    async def _on_confirm_identifier(self, said: CallerInput, text: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        kind = d.pending_kind or "order"
        if said.source == "dtmf":
            keyed = re.sub(r"\D", "", text)
            async for ev in self._identify_by("phone" if len(keyed) in (10, 11) else "order", keyed):
                yield ev
            return
        heard = self._confirmation(text, kind)
        if heard == "yes":
            async for ev in self._identify_by(kind, d.pending or ""):
                yield ev
        elif heard == "fixed":
            yield Say(f"Thanks. So it's {read_back(d.pending or '')}, right?")
        elif heard == "no":
            d.stage, d.pending = Stage.IDENTIFIER, None
            yield Say("Okay, please say it again, or key it in.")
        else:
            yield Say(f"Is {read_back(d.pending or '')} right? Please say yes or no.")

    def _confirmation(self, text: str, kind: str) -> str:
        """How the caller answered a read-back: yes, no, fixed (a new value, now pending) or unclear."""
        d = self.d
        extract = {"zip": slots.zip_code, "phone": slots.phone_number}.get(kind, slots.order_number)
        answer = slots.yes_no(text)
        fixed = slots.correction(text, "zip" if kind == "zip" else "phone" if kind == "phone" else "order")
        if fixed is None and answer is None:
            fixed = extract(text)  # the number again, without a "no" in front
        if fixed and fixed != d.pending:
            d.pending = fixed
            return "fixed"
        return {True: "yes", False: "no"}.get(answer, "yes" if fixed else "unclear")  # type: ignore[arg-type]

    async def _identify_by(self, kind: str, value: str) -> AsyncIterator[BrainEvent]:
        args = {"phone": value} if kind == "phone" else {"order_id": value}
        res = await self._tool("identify_customer", args)
        yield self._last
        if res.ok and kind == "order" and res.data.get("found"):
            self.d.order_id = value  # the order they identified with is likely the one they ask about
        async for ev in self._after_identify(res):
            yield ev

    async def _after_identify(self, res: ToolResult) -> AsyncIterator[BrainEvent]:
        d = self.d
        d.pending, d.pending_kind = None, None
        if res.ok and res.data.get("found") and res.data.get("verified"):
            d.identity = "verified"
            async for ev in self._proceed():
                yield ev
        elif res.ok and res.data.get("found"):
            d.identity = "candidate"
            d.stage = Stage.ZIP
            self.policy.on_success("identifier")
            yield Say("Thanks, I found the account. For security, what's the billing ZIP code?")
        elif res.error_code == "other_account":
            d.stage = Stage.ANYTHING_ELSE
            yield Say(
                "That belongs to a different account than the one verified on this call, "
                f"so I can't use it. {ANYTHING_ELSE}"
            )
        elif res.error_code == "identity_locked":
            async for ev in self._escalate("identity_failure"):
                yield ev
        elif res.error_code == "backend_unavailable":
            async for ev in self._backend_down("account"):
                yield ev
        else:
            d.stage = Stage.IDENTIFIER
            async for ev in self._failed(
                "identifier",
                "I couldn't find an account with that. Please try the "
                "phone number or e-mail on the account, or another order number.",
            ):
                yield ev

    async def _on_zip(self, said: CallerInput, text: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        zip_code = re.sub(r"\D", "", text)[:5] if said.source == "dtmf" else slots.zip_code(text)
        if said.source == "dtmf" and zip_code and len(zip_code) == 5:
            async for ev in self._verify(zip_code):
                yield ev
        elif zip_code and said.source != "dtmf":
            d.pending, d.pending_kind = zip_code, "zip"
            d.stage = Stage.CONFIRM_ZIP
            yield Say(f"That's {speak.say_digits(zip_code)}, right?")
        else:
            async for ev in self._failed("zip", "Please say or key in the five-digit billing ZIP code."):
                yield ev

    async def _on_confirm_zip(self, said: CallerInput, text: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        if said.source == "dtmf":
            async for ev in self._on_zip(said, text):
                yield ev
            return
        heard = self._confirmation(text, "zip")
        if heard == "yes":
            async for ev in self._verify(d.pending or ""):
                yield ev
        elif heard == "fixed":
            yield Say(f"Thanks. So it's {speak.say_digits(d.pending or '')}, right?")
        elif heard == "no":
            d.stage = Stage.ZIP
            yield Say("Okay, please say the ZIP code again, or key it in.")
        else:
            yield Say(f"Is {speak.say_digits(d.pending or '')} right? Please say yes or no.")

    async def _verify(self, zip_code: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        d.pending, d.pending_kind = None, None
        res = await self._tool("verify_customer", {"zip": zip_code})
        yield self._last
        if res.ok and res.data.get("verified"):
            d.identity = "verified"
            d.first_name = res.data.get("first_name")
            self.policy.on_success("zip")
            yield Say(f"Thanks{', ' + d.first_name if d.first_name else ''}, you're verified.")
            async for ev in self._proceed():
                yield ev
        elif res.ok and int(res.data.get("attempts_left", 0)) > 0:
            d.stage = Stage.ZIP
            yield Say("That ZIP code doesn't match the account. Please try again, or key it in.")
        elif res.ok or res.error_code == "identity_locked":
            d.identity = "locked"
            async for ev in self._escalate("identity_failure"):
                yield ev
        elif res.error_code == "backend_unavailable":
            async for ev in self._backend_down("account"):
                yield ev
        else:
            d.stage = Stage.ZIP
            async for ev in self._failed("zip", "Please say or key in the five-digit billing ZIP code."):
                yield ev

    # ---------------------------------------------------------- order/refund

    async def _order_flow(self) -> AsyncIterator[BrainEvent]:
        d = self.d
        if d.order_id:
            async for ev in self._with_order(d.order_id):
                yield ev
        elif d.heard_order:
            d.pending, d.pending_kind = d.heard_order, "order"
            d.stage = Stage.CONFIRM_ORDER
            yield Say(f"That's order {speak.say_digits(d.pending)}, right?")
        else:
            d.stage = Stage.ORDER
            if d.intent == REFUND:
                yield Say("Which order is the refund for? Please say or key in the order number.")
            else:
                yield Say("What's the order number? Or I can check your most recent order.")

    async def _on_order(self, said: CallerInput, text: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        if said.source == "dtmf":
            keyed = re.sub(r"\D", "", text)
            if 3 <= len(keyed) <= 12:
                async for ev in self._with_order(keyed):
                    yield ev
                return
        heard = slots.order_number(text)
        if heard and said.source != "dtmf":
            d.pending, d.pending_kind = heard, "order"
            d.stage = Stage.CONFIRM_ORDER
            yield Say(f"That's order {speak.say_digits(heard)}, right?")
        elif _MOST_RECENT.search(text.lower()) or slots.yes_no(text) is True:
            async for ev in self._most_recent_order():
                yield ev
        else:
            async for ev in self._failed("order", "Please say or key in the order number."):
                yield ev

    async def _on_confirm_order(self, said: CallerInput, text: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        if said.source == "dtmf":
            async for ev in self._on_order(said, text):
                yield ev
            return
        heard = self._confirmation(text, "order")
        if heard == "yes":
            value, d.pending, d.pending_kind = d.pending or "", None, None
            async for ev in self._with_order(value):
                yield ev
        elif heard == "fixed":
            yield Say(f"Thanks. So it's order {speak.say_digits(d.pending or '')}, right?")
        elif heard == "no":
            d.stage, d.pending = Stage.ORDER, None
            yield Say("Okay, please say the order number again, or key it in.")
        else:
            yield Say(f"Is order {speak.say_digits(d.pending or '')} right? Please say yes or no.")

    async def _most_recent_order(self) -> AsyncIterator[BrainEvent]:
        res = await self._tool("list_orders", {})
        yield self._last
        orders = res.data.get("orders", []) if res.ok else []
        if not res.ok:
            async for ev in self._backend_down("order"):
                yield ev
        elif not orders:
            self.d.stage = Stage.ANYTHING_ELSE
            yield Say(f"I don't see any orders on your account. {ANYTHING_ELSE}")
        else:
            newest = orders[0]
            yield Say(
                f"Your most recent order is {speak.say_digits(newest['order_id'])}, placed "
                f"{speak.say_date(newest['placed_at'])}."
            )
            async for ev in self._with_order(str(newest["order_id"]), summary=newest):
                yield ev

    async def _with_order(
        self, order_id: str, summary: dict[str, Any] | None = None
    ) -> AsyncIterator[BrainEvent]:
        d = self.d
        d.order_id, d.heard_order = order_id, None
        if d.intent == REFUND:
            async for ev in self._refund_check(order_id):
                yield ev
            return
        if summary is None:
            res = await self._tool("lookup_order", {"order_id": order_id})
            yield self._last
            if not res.ok:
                async for ev in self._order_failed(res, order_id):
                    yield ev
                return
            summary = res.data
        self.policy.on_success("order")
        yield Say(self._order_sentence(summary))
        d.resolved = True
        d.stage = Stage.ANYTHING_ELSE
        yield Say(ANYTHING_ELSE)

    @staticmethod
    def _order_sentence(o: dict[str, Any]) -> str:
        status = str(o.get("status", ""))
        # A pause between the number and the status: heard clearly, by people and by recognizers.
        line = f"Order {speak.say_digits(str(o['order_id']))}. It is {speak.say_status(status)}."
        if status in ("shipped", "out_for_delivery", "delivery_attempted") and o.get("carrier"):
            line += f" It's with {o['carrier']}"
            line += f", expected {speak.say_date(o['eta'])}." if o.get("eta") else "."
        return line

    async def _order_failed(self, res: ToolResult, order_id: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        d.order_id = None
        if res.error_code == "not_found":
            d.stage = Stage.ORDER
            async for ev in self._failed(
                "order",
                f"I couldn't find order {speak.say_digits(order_id)} on your "
                "account. Please check the number and say it again, or key it in.",
            ):
                yield ev
        else:
            async for ev in self._backend_down("order"):
                yield ev

    async def _refund_check(self, order_id: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        res = await self._tool("check_refund", {"order_id": order_id})
        yield self._last
        if not res.ok:
            async for ev in self._order_failed(res, order_id):
                yield ev
            return
        self.policy.on_success("order")
        r = d.refund = res.data
        said_id = speak.say_digits(order_id)
        money = speak.say_money(int(r["amount_cents"]))
        if r.get("auto_approve"):
            d.stage = Stage.CONFIRM_REFUND
            yield Say(f"Order {said_id} qualifies for a refund of {money}. Shall I go ahead?")
            return
        reason = r.get("reason")
        if reason == "already_refunded":
            d.stage = Stage.ANYTHING_ELSE
            d.resolved = True
            yield Say(f"Order {said_id} has already been refunded. {ANYTHING_ELSE}")
            return
        if reason == "not_refundable":
            d.stage = Stage.ANYTHING_ELSE
            yield Say(f"Order {said_id} can't be refunded on this call. {ANYTHING_ELSE}")
            return
        why = (
            f"is outside our {r.get('window_days')}-day refund window"
            if reason == "outside_window"
            else f"needs approval from our team for {money}"
        )
        ticket = await self._ticket(
            f"Refund review for order {order_id}",
            f"Caller asks for a refund of order {order_id} ({reason}). "
            f"Caller said: {d.problem or 'no details'}",
            "normal",
        )
        yield self._last
        if ticket is None:
            async for ev in self._backend_down("ticket"):
                yield ev
            return
        d.stage = Stage.ANYTHING_ELSE
        yield Say(
            f"Order {said_id} {why}, so I can't refund it on this call. "
            f"I've opened ticket {speak.say_digits(str(ticket))} so the team can review it."
        )
        yield Say(ANYTHING_ELSE)

    async def _on_confirm_refund(self, said: CallerInput, text: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        answer = slots.yes_no(text)
        if answer is None:
            yield Say("Shall I go ahead with the refund? Please say yes or no.")
            return
        d.stage = Stage.ANYTHING_ELSE
        if answer is False:
            yield Say(f"Okay, I won't refund it. {ANYTHING_ELSE}")
            return
        order_id = d.order_id or ""
        res = await self._tool(
            "issue_refund",
            {"order_id": order_id, "reason": (d.problem or "caller request")[:300] or "caller"},
        )
        yield self._last
        if res.ok:
            d.resolved = True
            yield Say(
                f"Done. I've refunded {speak.say_money(int(res.data['amount_cents']))} on order "
                f"{speak.say_digits(order_id)}; the refund reference is "
                f"{speak.say_digits(str(res.data['refund_id']))}."
            )
            yield Say(ANYTHING_ELSE)
        elif res.error_code == "rejected":
            yield Say(f"I couldn't issue that refund: it needs a review. {ANYTHING_ELSE}")
        else:
            async for ev in self._backend_down("refund"):
                yield ev

    # --------------------------------------------------------------- account

    async def _account_flow(self) -> AsyncIterator[BrainEvent]:
        d = self.d
        res = await self._tool("get_account", {})
        yield self._last
        if not res.ok:
            async for ev in self._backend_down("account"):
                yield ev
            return
        a = res.data
        yield Say(
            f"You're on the {a['plan']} plan, your account is {str(a['status']).replace('_', ' ')}, "
            f"and your balance is {speak.say_money(int(a['balance_cents']))}."
        )
        d.resolved = True
        d.stage = Stage.ANYTHING_ELSE
        yield Say(ANYTHING_ELSE)

    # ----------------------------------------------------------- reschedule

    async def _reschedule_flow(self) -> AsyncIterator[BrainEvent]:
        d = self.d
        res = await self._tool("list_appointments", {})
        yield self._last
        if not res.ok:
            async for ev in self._backend_down("scheduling"):
                yield ev
            return
        booked = [a for a in res.data.get("appointments", []) if a.get("status") == "booked"]
        if not booked:
            d.stage = Stage.ANYTHING_ELSE
            yield Say(f"I don't see a booked appointment on your account. {ANYTHING_ELSE}")
            return
        d.appointment = booked[0]
        async for ev in self._offer_slots():
            yield ev

    async def _offer_slots(self) -> AsyncIterator[BrainEvent]:
        d = self.d
        appt = d.appointment or {}
        res = await self._tool("open_slots", {"appointment_id": appt["appointment_id"]})
        yield self._last
        if not res.ok:
            async for ev in self._backend_down("scheduling"):
                yield ev
            return
        d.slots = [str(s) for s in res.data.get("starts_at", [])][:3]
        service = str(appt.get("service", "appointment"))
        current = speak.say_slot(datetime.fromisoformat(str(appt["starts_at"])))
        if not d.slots:
            ticket = await self._ticket(
                f"Reschedule {service} {appt['appointment_id']}",
                "Caller wants to reschedule; no open slots were available.",
                "normal",
            )
            yield self._last
            d.stage = Stage.ANYTHING_ELSE
            yield Say(
                f"I don't have open times for your {service} right now. "
                + (
                    f"I've opened ticket {speak.say_digits(str(ticket))} so scheduling can call you. "
                    if ticket
                    else ""
                )
                + ANYTHING_ELSE
            )
            return
        d.stage = Stage.SLOT
        yield Say(f"Your {service} is on {current}.")
        yield Say(f"I can move it to {self._slot_list()}. Which works best?")

    def _slot_list(self) -> str:
        said = [speak.say_slot(datetime.fromisoformat(s)) for s in self.d.slots]
        return said[0] if len(said) == 1 else ", ".join(said[:-1]) + f", or {said[-1]}"

    async def _on_slot(self, said: CallerInput, text: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        options = [datetime.fromisoformat(s) for s in d.slots]
        if said.source == "dtmf":
            keyed = re.sub(r"\D", "", text)
            idx = int(keyed) - 1 if keyed and 1 <= int(keyed) <= len(options) else None
        else:
            idx = slots.match_time(text, options, self.ctx.today)
        if idx is not None:
            d.chosen_slot = d.slots[idx]
            d.stage = Stage.CONFIRM_SLOT
            service = str((d.appointment or {}).get("service", "appointment"))
            yield Say(f"To confirm: move your {service} to {speak.say_slot(options[idx])}?")
        elif slots.yes_no(text) is False:
            ticket = await self._ticket(
                "Reschedule: offered times did not suit",
                f"Offered {', '.join(d.slots)}; caller said: {text[:300]}",
                "normal",
            )
            yield self._last
            d.stage = Stage.ANYTHING_ELSE
            yield Say(
                (
                    f"I've opened ticket {speak.say_digits(str(ticket))} so scheduling can find you another "
                    "time. "
                    if ticket
                    else "I couldn't open a ticket just now. "
                )
                + ANYTHING_ELSE
            )
        else:
            async for ev in self._failed("slot", f"Sorry, which one: {self._slot_list()}?"):
                yield ev

    async def _on_confirm_slot(self, said: CallerInput, text: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        answer = slots.yes_no(text)
        if answer is None:
            yield Say("Shall I move it? Please say yes or no.")
            return
        if answer is False:
            d.stage = Stage.SLOT
            yield Say(f"Okay. The open times are {self._slot_list()}. Which works best?")
            return
        appt = d.appointment or {}
        res = await self._tool(
            "reschedule_appointment",
            {"appointment_id": appt["appointment_id"], "starts_at": d.chosen_slot or ""},
        )
        yield self._last
        if res.ok:
            d.resolved = True
            d.stage = Stage.ANYTHING_ELSE
            yield Say(
                f"Done. Your {res.data['service']} is now on "
                f"{speak.say_slot(datetime.fromisoformat(str(res.data['starts_at'])))}."
            )
            yield Say(ANYTHING_ELSE)
        elif res.error_code == "rejected":
            yield Say("That time was just taken.")
            async for ev in self._offer_slots():
                yield ev
        else:
            async for ev in self._backend_down("scheduling"):
                yield ev

    # ------------------------------------------------------ troubleshooting

    async def _troubleshoot_start(self) -> AsyncIterator[BrainEvent]:
        d = self.d
        res = await self._tool("search_knowledge", {"query": d.problem[:300]})
        yield self._last
        articles = res.data.get("articles", []) if res.ok else []
        if not articles or not articles[0].get("steps"):
            async for ev in self._troubleshoot_ticket("no matching article"):
                yield ev
            return
        d.kb_steps = [str(s) for s in articles[0]["steps"]]
        d.kb_index = 0
        d.stage = Stage.TROUBLESHOOT
        yield Say("Let's try this.")
        yield Say(d.kb_steps[0])
        yield Say("Did that fix it?")

    async def _on_troubleshoot(self, said: CallerInput, text: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        answer = slots.yes_no(text)
        if answer is True:
            d.resolved = True
            d.stage = Stage.ANYTHING_ELSE
            yield Say(f"Great, glad that fixed it. {ANYTHING_ELSE}")
        elif answer is False:
            d.kb_index += 1
            if d.kb_index < len(d.kb_steps):
                yield Say("Okay, next step.")
                yield Say(d.kb_steps[d.kb_index])
                yield Say("Did that help?")
            else:
                async for ev in self._troubleshoot_ticket("all steps tried"):
                    yield ev
        else:
            async for ev in self._failed("troubleshoot", "Did that fix it? Please say yes or no."):
                yield ev

    async def _troubleshoot_ticket(self, why: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        tried = "; ".join(d.kb_steps[: d.kb_index + 1]) if d.kb_steps else "none"
        ticket = await self._ticket(
            f"Technical problem: {d.problem[:100]}",
            f"Caller reports: {d.problem}\nSteps tried ({why}): {tried}",
            "high",
        )
        yield self._last
        d.stage = Stage.ANYTHING_ELSE
        if ticket is None:
            async for ev in self._backend_down("ticket"):
                yield ev
            return
        yield Say(f"I've opened ticket {speak.say_digits(str(ticket))} for a technician to follow up.")
        yield Say(ANYTHING_ELSE)

    # ------------------------------------------------------------------ other

    async def _on_details(self, said: CallerInput, text: str) -> AsyncIterator[BrainEvent]:
        self.d.problem = f"{self.d.problem} {text}".strip()
        async for ev in self._ticket_for_other(self.d.problem):
            yield ev

    async def _ticket_for_other(self, details: str) -> AsyncIterator[BrainEvent]:
        d = self.d
        words = details.split()
        ticket = await self._ticket(
            " ".join(words[:12]) or "Caller request", f"Caller said: {details}", "normal"
        )
        yield self._last
        d.stage = Stage.ANYTHING_ELSE
        if ticket is None:
            async for ev in self._backend_down("ticket"):
                yield ev
            return
        d.resolved = True
        yield Say(f"I've opened ticket {speak.say_digits(str(ticket))} about that; the team will follow up.")
        yield Say(ANYTHING_ELSE)

    # --------------------------------------------------------------- shared

    async def _tool(self, name: str, args: dict[str, Any]) -> ToolResult:
        """Run a tool through the workflow; `self._last` holds its ToolUsed event."""
        res = await self.ctx.run_tool(name, args)
        self._last = ToolUsed(name, args, res)
        return res

    _last: ToolUsed

    async def _ticket(self, subject: str, description: str, priority: str) -> int | None:
        res = await self._tool(
            "create_ticket",
            {
                "subject": subject[:150] or "Caller request",
                "description": description[:5000],
                "priority": priority,
            },
        )
        return int(res.data["ticket_id"]) if res.ok else None

    async def _failed(self, step: str, retry_line: str) -> AsyncIterator[BrainEvent]:
        """A failed attempt at a step: ask again, or after the third, hand over."""
        reason = self.policy.on_failure(step)
        if reason is not None:
            async for ev in self._escalate(reason):
                yield ev
            return
        yield Say(retry_line)

    async def _backend_down(self, system: str) -> AsyncIterator[BrainEvent]:
        """An honest line and a ticket, so the caller is not left with nothing."""
        d = self.d
        yield Say(f"Sorry, our {system} system isn't responding right now.")
        res = await self._tool(
            "create_ticket",
            {
                "subject": f"Follow up: {system} system unavailable during call",
                "description": f"Could not complete {d.intent or 'the request'} because the {system} system "
                f"was unavailable. Caller said: {d.problem or 'n/a'}",
                "priority": "high",
            },
        )
        yield self._last
        d.stage = Stage.ANYTHING_ELSE
        if res.ok:
            yield Say(
                f"I've opened ticket {speak.say_digits(str(res.data['ticket_id']))} so we can follow up."
            )
        yield Say(ANYTHING_ELSE)

    async def _escalate(self, reason: str) -> AsyncIterator[BrainEvent]:
        res = await self._tool("escalate", {"reason": reason})
        yield self._last
        self.d.ended = True
        self.d.stage = Stage.ENDED
        lead = {
            "caller_request": "Sure.",
            "identity_failure": "I'm sorry, I can't verify the account.",
            "negative_sentiment": "I'm sorry about this.",
            "low_confidence": "I'm having trouble understanding.",
            "repeated_failure": "I'm sorry, this isn't working.",
        }.get(reason, "")
        tail = " I've passed on what we covered." if res.ok else ""
        self._escalation = reason
        yield Say(f"{lead} I'm connecting you with a person now.{tail}".strip())

    async def _goodbye(self) -> AsyncIterator[BrainEvent]:
        self.d.ended = True
        self.d.stage = Stage.ENDED
        yield Say(GOODBYE)
