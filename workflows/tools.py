"""The tool registry: every tool the brain may call, in one table.

A tool is a name, a description and an argument model for the brain (the LLM
tool schemas are generated from these), plus the activity that does the work
and how to build its input from the arguments and the call's context. The
context — not the arguments — supplies the customer id, so a caller cannot
point a tool at another account whatever they say.

Adding a lookup: write the activity (see activities/orders.py), add a `Tool`
below, add a test. The worker registers it and the workflow gates it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities import appointments, crm, handoff, knowledge, orders, redaction, refunds, tickets
    from activities.validation import Email, OpaqueId, OrderId, PersonName, Phone, PhoneLast4, Pin, ZipCode
    from workflows.types import BrainEscalationReason


class Access(enum.Enum):
    """Who may use a tool."""

    ANYONE = "anyone"  # knowledge, tickets, handoff: no account data involved
    WORKFLOW = "workflow"  # identity and handoff change the call itself; the workflow runs them
    VERIFIED = "verified"  # account data: only after the second factor, only one's own


class Kind(enum.Enum):
    """Reads run as local activities (fast); writes as regular ones (retried, idempotent)."""

    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class ToolContext:
    """What the workflow knows that the brain's arguments must not override."""

    call_id: str
    customer_id: str | None
    customer_email: str | None
    today: date
    idempotency_key: str
    # Digit strings of the ids a backend returned on this call: the only numbers that may stay in
    # text the brain writes from the caller's words (activities/redaction.py).
    keep: frozenset[str] = frozenset()
    # What the caller gave to identify or verify themselves, masked wherever it is written.
    secrets: tuple[str, ...] = ()

    def masked(self, text: str) -> str:
        """Text the brain wrote from the caller's words, as it may leave for a backend."""
        return redaction.mask(text, keep=self.keep, secrets=self.secrets)


class Args(BaseModel):
    """Tool arguments: unknown fields (say, `customer_id`) are an error, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NoArgs(Args):
    """No arguments."""


class IdentifyArgs(Args):
    """Exactly one way to find the caller's account."""

    use_caller_id: bool = Field(False, description="Match the number the caller is calling from.")
    phone: Phone | None = Field(None, description="A phone number the caller says is on the account.")
    email: Email | None = Field(None, description="The account e-mail address.")
    order_id: OrderId | None = Field(
        None, description="An order number from one of their orders, as the caller says it (#1001, SO-7781)."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> IdentifyArgs:
        given = [
            self.use_caller_id,
            self.phone is not None,
            self.email is not None,
            self.order_id is not None,
        ]
        if sum(given) != 1:
            raise ValueError("give exactly one of use_caller_id, phone, email or order_id")
        return self


class VerifyArgs(Args):
    """The billing ZIP and, unless caller ID found the account, one factor neighbours do not share."""

    zip: ZipCode = Field(description="The billing ZIP code the caller gives.")
    phone_last4: PhoneLast4 | None = Field(
        None, description="The last four digits of the phone number on the account, as the caller says them."
    )
    account_name: PersonName | None = Field(
        None, description="The first and last name on the account, as the caller says it."
    )
    pin: Pin | None = Field(None, description="The account PIN, if the caller has one.")

    @model_validator(mode="after")
    def _one_more_at_most(self) -> VerifyArgs:
        # One factor per attempt: two at once would give a guesser two tries for one.
        if sum(v is not None for v in (self.phone_last4, self.account_name, self.pin)) > 1:
            raise ValueError("give at most one of phone_last4, account_name or pin")
        return self

    def second_factor(self) -> bool:
        """Whether a factor besides the ZIP was given."""
        return any(v is not None for v in (self.phone_last4, self.account_name, self.pin))


class OrderArgs(Args):
    """One of the caller's orders."""

    order_id: OrderId = Field(description="The order number as the caller says it: digits, maybe letters.")


class RefundArgs(Args):
    """Refund one of the caller's orders."""

    order_id: OrderId
    reason: str = Field(min_length=2, max_length=300, description="The caller's reason, briefly.")


class AppointmentArgs(Args):
    """One of the caller's appointments."""

    # An id is opaque and carried unchanged: "A1 " and "A1" may be two appointments.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    appointment_id: OpaqueId = Field(description="An appointment_id exactly as list_appointments gave it.")


class RescheduleArgs(Args):
    """Move an appointment to one of the open slots offered."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)  # opaque id, as above

    appointment_id: OpaqueId = Field(description="An appointment_id exactly as list_appointments gave it.")
    starts_at: str = Field(min_length=16, max_length=40, description="ISO 8601 start of an offered slot.")


class KnowledgeArgs(Args):
    """The problem, in the caller's words."""

    query: str = Field(min_length=2, max_length=300)


class TicketArgs(Args):
    """A follow-up ticket."""

    subject: str = Field(min_length=3, max_length=150)
    description: str = Field(min_length=3, max_length=5000)
    priority: Literal["low", "normal", "high", "urgent"] = "normal"


class EscalateArgs(Args):
    """Hand the call to a person."""

    reason: BrainEscalationReason


@dataclass(frozen=True)
class Tool:
    """One entry of the registry."""

    name: str
    description: str
    args: type[Args]
    activity: Callable[..., Any]
    build_input: Callable[[Any, ToolContext], BaseModel]
    access: Access = Access.VERIFIED
    kind: Kind = Kind.READ
    # A few words for the audit log and summary, from the activity's result.
    note: Callable[[Any], str] = lambda _: ""


def _customer(ctx: ToolContext) -> str:
    # The gate guarantees this; the assert documents it for the type checker.
    assert ctx.customer_id is not None
    return ctx.customer_id


# An unverified caller's ticket may be high at most: anyone can call, so only a verified
# customer's ticket may page someone (Zendesk's "urgent").
_UNVERIFIED_PRIORITIES: dict[str, tickets.Priority] = {"urgent": "high"}


def _ticket(a: TicketArgs, c: ToolContext) -> tickets.CreateTicketInput:
    return tickets.CreateTicketInput(
        subject=c.masked(a.subject),
        description=c.masked(a.description),
        priority=a.priority if c.customer_id else _UNVERIFIED_PRIORITIES.get(a.priority, a.priority),
        idempotency_key=c.idempotency_key,
        call_id=c.call_id,
        customer_id=c.customer_id,
    )


def _run_by_workflow(_: Any, __: ToolContext) -> BaseModel:
    raise NotImplementedError("this tool is run by the workflow itself")


REGISTRY: tuple[Tool, ...] = (
    Tool(
        "identify_customer",
        "Find the caller's account by caller ID, phone, e-mail or order number.",
        IdentifyArgs,
        crm.CrmActivities.find_customer,
        _run_by_workflow,
        access=Access.WORKFLOW,
    ),
    Tool(
        "verify_customer",
        "Check the caller's billing ZIP code and, unless caller ID found the account, one more factor "
        "(phone_last4, account_name or pin) for the account identify_customer asked about.",
        VerifyArgs,
        crm.CrmActivities.verify_customer,
        _run_by_workflow,
        access=Access.WORKFLOW,
    ),
    Tool(
        "get_account",
        "The verified caller's plan, account status and balance.",
        NoArgs,
        crm.CrmActivities.get_profile,
        lambda a, c: crm.CustomerRef(customer_id=_customer(c)),
        note=lambda r: f"plan {r.plan}, {r.status}",
    ),
    Tool(
        "lookup_order",
        "Status, carrier and delivery estimate of one of the caller's orders.",
        OrderArgs,
        orders.OrdersActivities.lookup_order,
        lambda a, c: orders.LookupOrderInput(order_id=a.order_id, customer_id=_customer(c)),
        note=lambda r: f"order {r.order_id}: {r.status}",
    ),
    Tool(
        "list_orders",
        "The caller's most recent orders, newest first.",
        NoArgs,
        orders.OrdersActivities.customer_orders,
        lambda a, c: orders.CustomerOrdersInput(customer_id=_customer(c), email=c.customer_email or ""),
        note=lambda r: f"{len(r.orders)} orders",
    ),
    Tool(
        "check_refund",
        "Whether one of the caller's orders can be refunded on this call, and how much.",
        OrderArgs,
        refunds.RefundsActivities.check_refund,
        lambda a, c: refunds.RefundCheckInput(order_id=a.order_id, customer_id=_customer(c), today=c.today),
        note=lambda r: f"order {r.order_id}: {r.reason}",
    ),
    Tool(
        "issue_refund",
        "Refund an order that check_refund said may be refunded. Confirm with the caller first.",
        RefundArgs,
        refunds.RefundsActivities.issue_refund,
        lambda a, c: refunds.IssueRefundInput(
            order_id=a.order_id,
            customer_id=_customer(c),
            today=c.today,
            reason=c.masked(a.reason),
            idempotency_key=c.idempotency_key,
        ),
        kind=Kind.WRITE,
        note=lambda r: f"refund {r.refund_id} on order {r.order_id}",
    ),
    Tool(
        "list_appointments",
        "The caller's appointments.",
        NoArgs,
        appointments.AppointmentsActivities.list_appointments,
        lambda a, c: appointments.CustomerAppointmentsInput(customer_id=_customer(c)),
        note=lambda r: f"{len(r.appointments)} appointments",
    ),
    Tool(
        "open_slots",
        "Up to three open times for the same service as one of the caller's appointments.",
        AppointmentArgs,
        appointments.AppointmentsActivities.open_slots,
        lambda a, c: appointments.OpenSlotsInput(customer_id=_customer(c), appointment_id=a.appointment_id),
        note=lambda r: f"{len(r.starts_at)} slots",
    ),
    Tool(
        "reschedule_appointment",
        "Move the caller's appointment to an offered slot. Confirm first.",
        RescheduleArgs,
        appointments.AppointmentsActivities.reschedule,
        lambda a, c: appointments.RescheduleInput(
            customer_id=_customer(c),
            appointment_id=a.appointment_id,
            starts_at=a.starts_at,
            idempotency_key=c.idempotency_key,
        ),
        kind=Kind.WRITE,
        note=lambda r: f"{r.appointment_id} moved to {r.starts_at}",
    ),
    Tool(
        "search_knowledge",
        "Troubleshooting articles for the caller's problem, as steps.",
        KnowledgeArgs,
        knowledge.KnowledgeActivities.search_articles,
        lambda a, c: knowledge.KnowledgeQuery(query=a.query),
        access=Access.ANYONE,
        note=lambda r: f"{len(r.articles)} articles",
    ),
    Tool(
        "create_ticket",
        "Open a follow-up ticket for an issue that stays open. Tell the caller its number.",
        TicketArgs,
        tickets.TicketsActivities.create_ticket,
        _ticket,
        access=Access.ANYONE,
        kind=Kind.WRITE,
        note=lambda r: f"ticket {r.ticket_id}",
    ),
    Tool(
        "escalate",
        "Hand the call to a human agent, with a summary. Use when the caller asks or you are stuck.",
        EscalateArgs,
        handoff.HandoffActivities.escalate,
        _run_by_workflow,
        access=Access.WORKFLOW,
    ),
)

TOOLS: dict[str, Tool] = {t.name: t for t in REGISTRY}


def json_schemas() -> list[dict[str, Any]]:
    """OpenAI-style function schemas for every tool, from the same argument models."""
    return [
        {
            "type": "function",
            "function": {
                "name": t.name,
                "description": t.description,
                "parameters": t.args.model_json_schema(),
            },
        }
        for t in REGISTRY
    ]
