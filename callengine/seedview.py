"""The business data a scenario runs against, read as a caller's notebook would hold it.

The scenario runner picks its callers and their records from the seed the
engine is running with (`CALLENGINE_SEED`, or `callengine call --seed FILE`).
It reads only the fields a person would use to check an answer — names,
numbers, statuses, amounts, dates — and treats every id and status as an
opaque string: the engine's loader (`sandbox/seed.py`) is the one that
validates a seed, and the runner must work with whatever business data the
engine accepts (a CRM's 18-character ids, a shop's `SO-7781`, `on_hold`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any


class SeedReadError(ValueError):
    """The seed file cannot be read as business data."""


@dataclass(frozen=True)
class Customer:
    """One account in the CRM."""

    id: str
    name: str
    phone: str
    email: str
    zip: str
    balance_cents: int
    plan: str
    status: str


@dataclass(frozen=True)
class Order:
    """One order in the shop."""

    id: str  # the order's number as the shop shows it and the caller says it
    customer_id: str
    status: str
    carrier: str | None
    eta: str | None
    total_cents: int
    placed_at: date
    items: tuple[str, ...]


@dataclass(frozen=True)
class Appointment:
    """One appointment in the scheduling system."""

    id: str
    customer_id: str
    service: str
    starts_at: str
    status: str


@dataclass(frozen=True)
class Slot:
    """An open time for a service."""

    service: str
    starts_at: str


@dataclass(frozen=True)
class Article:
    """A help-center article."""

    id: str
    title: str
    body: str


@dataclass(frozen=True)
class SeedData:
    """A business's records in seed order, and its refund rules."""

    path: Path
    customers: tuple[Customer, ...]
    orders: tuple[Order, ...]
    appointments: tuple[Appointment, ...]
    slots: tuple[Slot, ...]
    articles: tuple[Article, ...]
    window_days: int
    auto_approve_max_cents: int
    as_of: date | None  # the day the data is a snapshot of, when the seed says

    def customer(self, customer_id: str) -> Customer:
        """The customer with this id (the seed guarantees every reference resolves)."""
        for c in self.customers:
            if c.id == customer_id:
                return c
        raise SeedReadError(f"{self.path}: no customer {customer_id!r}")

    def orders_of(self, customer_id: str) -> list[Order]:
        """A customer's orders, in seed order."""
        return [o for o in self.orders if o.customer_id == customer_id]


def read_seed(path: Path | str) -> SeedData:
    """Read a seed file's business data.

    Args:
        path: The JSON seed file (the shape in DESIGN.md, "Sandbox data").

    Returns:
        The records, ids and statuses kept as the strings the business uses.

    Raises:
        SeedReadError: The file is missing, not JSON, or lacks a field the
            runner needs; the message names the file and the record.
    """
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise SeedReadError(f"cannot read seed {path}: {e}") from e
    try:
        policy = raw.get("refund_policy") or {}
        return SeedData(
            path=path,
            customers=tuple(_customer(c) for c in raw["customers"]),
            orders=tuple(_order(o) for o in raw["orders"]),
            appointments=tuple(_appointment(a) for a in raw.get("appointments", [])),
            slots=tuple(Slot(str(s["service"]), str(s["starts_at"])) for s in raw.get("slots", [])),
            articles=tuple(
                Article(str(a["id"]), str(a["title"]), str(a["body"])) for a in raw.get("articles", [])
            ),
            window_days=int(policy.get("window_days", 30)),
            auto_approve_max_cents=int(policy.get("auto_approve_max_cents", 10000)),
            as_of=date.fromisoformat(raw["as_of"]) if raw.get("as_of") else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise SeedReadError(f"seed {path} lacks what scenarios need: {type(e).__name__}: {e}") from e


def _customer(c: dict[str, Any]) -> Customer:
    return Customer(
        id=str(c["id"]),
        name=str(c["name"]),
        phone=str(c["phone"]),
        email=str(c["email"]),
        zip=str(c["zip"]),
        balance_cents=int(c["balance_cents"]),
        plan=str(c["plan"]),
        status=str(c["status"]),
    )


def _order(o: dict[str, Any]) -> Order:
    return Order(
        id=str(o["id"]),
        customer_id=str(o["customer_id"]),
        status=str(o["status"]),
        carrier=str(o["carrier"]) if o.get("carrier") else None,
        eta=str(o["eta"]) if o.get("eta") else None,
        total_cents=int(o["total_cents"]),
        placed_at=date.fromisoformat(str(o["placed_at"])[:10]),
        items=tuple(str(i["name"]) for i in o.get("items", [])),
    )


def _appointment(a: dict[str, Any]) -> Appointment:
    return Appointment(
        id=str(a["id"]),
        customer_id=str(a["customer_id"]),
        service=str(a["service"]),
        starts_at=str(a["starts_at"]),
        status=str(a["status"]),
    )
