"""What the store hands out and takes in: plain frozen records, and its two refusals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


class NotFound(LookupError):
    """The record a request names does not exist."""


class Rejected(ValueError):
    """A business rule refused the change.

    Attributes:
        code: snake_case reason, e.g. ``slot_unavailable``.
        field: The input field at fault, when there is one.
    """

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class OrderRow:
    id: int  # Shopify's internal id
    name: str  # the seed id: the order's name as the shop shows it
    spoken: str  # the name's letters and digits, upper-cased
    customer_id: str
    email: str
    status: str
    placed_at: str
    total_cents: int
    carrier: str | None
    tracking: str | None
    eta: str | None
    items: list[JSON]
    refunded_cents: int


@dataclass(frozen=True)
class RefundRow:
    id: int
    order_id: int
    created_at: str
    note: str | None
    notify: bool
    amount_cents: int
    transactions: list[JSON]


@dataclass(frozen=True)
class TicketRow:
    id: int
    subject: str
    description: str
    status: str
    priority: str | None
    type: str | None
    tags: list[str]
    external_id: str | None
    requester_id: int | None
    custom_fields: list[JSON]
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class CommentRow:
    id: int
    ticket_id: int
    body: str
    public: bool
    created_at: str


@dataclass(frozen=True)
class NoteRow:
    id: int
    customer_id: str
    body: str
    call_id: str | None
    created_at: str


@dataclass(frozen=True)
class ArticleRow:
    id: int
    title: str
    body: str
    tags: list[str]


@dataclass(frozen=True)
class AppointmentRow:
    id: str
    customer_id: str
    service: str
    starts_at: str
    status: str
    rescheduled_from: str | None
    extra: JSON

    def as_json(self) -> JSON:
        """The appointment as the scheduling API returns it (seed extras included)."""
        return {
            **self.extra,
            "id": self.id,
            "customer_id": self.customer_id,
            "service": self.service,
            "starts_at": self.starts_at,
            "status": self.status,
            "rescheduled_from": self.rescheduled_from,
        }


@dataclass(frozen=True)
class SlotRow:
    service: str
    starts_at: str


@dataclass(frozen=True)
class NewTicket:
    subject: str
    body: str
    public: bool = True
    priority: str | None = None
    type: str | None = None
    tags: list[str] = field(default_factory=list)
    external_id: str | None = None
    custom_fields: list[JSON] = field(default_factory=list)
    requester_name: str | None = None
    requester_email: str | None = None


@dataclass(frozen=True)
class TicketChanges:
    """A ticket update; None means "leave as is"."""

    comment_body: str | None = None
    comment_public: bool = True
    status: str | None = None
    priority: str | None = None
    type: str | None = None
    subject: str | None = None
    tags: list[str] | None = None
    additional_tags: list[str] | None = None
    custom_fields: list[JSON] | None = None


@dataclass(frozen=True)
class IdempotencyRecord:
    key: str
    method: str
    path: str
    body_hash: str
    status: int
    content_type: str | None
    response: str
