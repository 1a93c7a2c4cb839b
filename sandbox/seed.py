"""The sandbox seed file: its schema and a loader with readable errors.

The shape is the one in DESIGN.md ("Sandbox data"). Every record allows extra
fields (the CRM and scheduling APIs return customer and appointment extras as
they are); the required ones are checked here, together with the cross-references (an order's customer must
exist), so a broken seed fails at start with the field named instead of as a
500 in the middle of a call.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from sandbox.ids import opaque, spoken_key

# The order statuses the emulators know and map to Shopify fields (sandbox/shopify.py). A seed
# may use any other status word ("on_hold", "partially_refunded"): it is passed through as is.
ORDER_STATUSES: tuple[str, ...] = (
    "pending",
    "processing",
    "shipped",
    "out_for_delivery",
    "delivered",
    "delivery_attempted",
    "cancelled",
    "refunded",
)
AppointmentStatus = Literal["booked", "completed", "cancelled"]

E164 = re.compile(r"^\+[1-9]\d{7,14}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SeedError(ValueError):
    """The seed file is missing, not JSON, or does not match the schema."""


def _e164(value: str) -> str:
    if not E164.match(value):
        raise ValueError("must be an E.164 phone number such as +14155550101")
    return value


def _email(value: str) -> str:
    if not EMAIL.match(value):
        raise ValueError("must be an email address")
    return value


def _iso_date_or_datetime(value: str) -> str:
    try:
        if len(value) == 10:
            date.fromisoformat(value)
        else:
            datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO 8601 date (2026-11-20) or date-time") from None
    return value


def _aware_datetime(value: str) -> str:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO 8601 date-time such as 2026-12-01T10:00:00-08:00") from None
    if parsed.tzinfo is None:
        raise ValueError("must carry a UTC offset, e.g. 2026-12-01T10:00:00-08:00")
    return value


Phone = Annotated[str, AfterValidator(_e164)]
Email = Annotated[str, AfterValidator(_email)]
DateOrDateTime = Annotated[str, AfterValidator(_iso_date_or_datetime)]
AwareDateTime = Annotated[str, AfterValidator(_aware_datetime)]
NonEmpty = Annotated[str, Field(min_length=1)]
# A record id in the business's own scheme: opaque, only bounded (sandbox/ids.py).
Id = Annotated[str, AfterValidator(opaque)]
Cents = Annotated[int, Field(ge=0)]


class _Record(BaseModel):
    # Extra fields are part of the contract: they ride along to the APIs.
    model_config = ConfigDict(extra="allow")


class Customer(_Record):
    id: Id
    name: NonEmpty
    phone: Phone
    email: Email
    zip: NonEmpty
    balance_cents: int
    plan: NonEmpty
    status: NonEmpty

    @model_validator(mode="after")
    def _pin(self) -> Customer:
        # Optional, and an extra like any other (records without one stay as they were): a CRM
        # that keeps an account PIN lets callers verify with it.
        pin = (self.model_extra or {}).get("pin")
        if pin is not None and not (isinstance(pin, str) and re.fullmatch(r"\d{4,8}", pin)):
            raise ValueError("pin, when given, is a string of 4 to 8 digits")
        return self


class Item(_Record):
    name: NonEmpty
    qty: Annotated[int, Field(ge=1)]
    price_cents: Cents


class Order(_Record):
    # The order's name as the shop shows it ("#1001", "SO-7781"); a bare number is Shopify's
    # order number, shown as "#<number>".
    id: Id
    customer_id: NonEmpty
    status: NonEmpty
    carrier: str | None = None
    tracking: str | None = None
    eta: DateOrDateTime | None = None
    total_cents: Cents
    placed_at: DateOrDateTime
    items: Annotated[list[Item], Field(min_length=1)]
    # Already refunded: a refund of this much is on the order. Default: all of it for a
    # "refunded" order, nothing otherwise.
    refunded_cents: Cents | None = None

    @model_validator(mode="after")
    def _refund_within_total(self) -> Order:
        if self.refunded_cents is not None and self.refunded_cents > self.total_cents:
            raise ValueError("refunded_cents cannot exceed total_cents")
        return self

    @property
    def seeded_refund_cents(self) -> int:
        """What was refunded before the sandbox started."""
        if self.refunded_cents is not None:
            return self.refunded_cents
        return self.total_cents if self.status == "refunded" else 0


class Appointment(_Record):
    id: Id
    customer_id: NonEmpty
    service: NonEmpty
    starts_at: AwareDateTime
    status: AppointmentStatus


class Slot(_Record):
    service: NonEmpty
    starts_at: AwareDateTime


class Article(_Record):
    id: Id  # the help-center emulator numbers articles itself (sandbox/ids.py)
    title: NonEmpty
    body: NonEmpty
    tags: list[str]


class RefundPolicy(_Record):
    window_days: Annotated[int, Field(ge=0)]
    auto_approve_max_cents: Cents


class Seed(_Record):
    customers: list[Customer]
    orders: list[Order]
    appointments: list[Appointment]
    slots: list[Slot]
    articles: list[Article]
    refund_policy: RefundPolicy

    @model_validator(mode="after")
    def _check_references(self) -> Seed:
        problems: list[str] = []
        problems += _duplicates("customers", (c.id for c in self.customers), "id")
        problems += _duplicates("customers", (c.phone for c in self.customers), "phone")
        problems += _duplicates("customers", (c.email.lower() for c in self.customers), "email")
        problems += _duplicates("orders", (o.id for o in self.orders), "id")
        # Callers say order names without their punctuation: "SO-7781" and "so7781" would be
        # one spoken number for two orders.
        problems += _duplicates("orders", (spoken_key(o.id) for o in self.orders), "spoken order number")
        problems += _duplicates("appointments", (a.id for a in self.appointments), "id")
        problems += _duplicates("articles", (a.id for a in self.articles), "id")
        known = {c.id for c in self.customers}
        owners = [("orders", i, o.customer_id) for i, o in enumerate(self.orders)]
        owners += [("appointments", i, a.customer_id) for i, a in enumerate(self.appointments)]
        problems += [
            f"{kind}[{i}].customer_id: unknown customer {c!r}" for kind, i, c in owners if c not in known
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _duplicates(kind: str, values: Iterable[object], field: str) -> list[str]:
    counts = Counter(values)
    return [f"{kind}: duplicate {field} {value!r}" for value, n in counts.items() if n > 1]


def load_seed(path: Path | str) -> Seed:
    """Read and validate a seed file.

    Args:
        path: The JSON seed file.

    Returns:
        The validated seed.

    Raises:
        SeedError: The file is missing, is not JSON, or breaks the schema; the
            message names the file and each offending field, e.g.
            ``orders[3].total_cents: Input should be a valid integer``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"cannot read seed file {path}: {exc.strerror or exc}") from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedError(f"seed file {path} is not valid JSON: {exc}") from exc
    try:
        return Seed.model_validate(raw)
    except ValidationError as exc:
        raise SeedError(f"invalid seed file {path}: {describe_errors(exc)}") from exc


def describe_errors(exc: ValidationError) -> str:
    """One line per problem, each led by the field's path (``orders[3].items[0].qty``)."""
    lines = []
    for error in exc.errors():
        where = _format_loc(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {message}" if where else message)
    return "; ".join(lines)


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out
