"""Who a scenario needs, picked from the business's own data.

A scenario names a *role* ("a customer with an order on its way"); the role
picks, from the seed the engine runs with, the first records in seed order
that fit, and names them (`account`, `order`, `neighbour` …) for the
scenario's templates (`callengine.fields`). So the same scenario file runs
on any business's data, and a seed that has nobody for a role makes the
scenario fail with the role named — a gap in the data, never a pass.

The tests are the ones a person would make reading the records, and they
assume nothing about the shapes of ids or the names of statuses beyond what
the DESIGN.md contract fixes (an appointment is `booked`):

`ROLES` below gives each role's name, the records it picks and what fits;
`sandbox/scenarios/README.md` has them as a table.

"Paid and sent" is an order with a carrier whose status does not say it was
cancelled, refunded, returned, voided or is still pending. "Well inside" and
"well before" keep two days from the window's edge, so a run on either side
of midnight (UTC or the business's time) gives the same verdict.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from callengine.fields import (
    Fields,
    appointment_fields,
    article_fields,
    article_steps,
    customer_fields,
    order_fields,
    unknown_fields,
    words,
)
from callengine.seedview import Appointment, Article, Customer, Order, SeedData

# Days kept from the refund window's edge (see the module docstring).
EDGE_DAYS = 2
# Status words that mean an order cannot be refunded again, or was never charged.
_NOT_REFUNDABLE = ("cancel", "refund", "return", "void", "pending")


class RoleError(LookupError):
    """No record in the seed fills a scenario's role."""


@dataclass(frozen=True)
class Cast:
    """The records a role picked, by the names the scenario's templates use."""

    role: str
    customers: dict[str, Customer] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    appointments: dict[str, Appointment] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)

    def fields(self, seed: SeedData) -> dict[str, Fields]:
        """Template fields by name: the picked records', and `unknown` (values on no record)."""
        out: dict[str, Fields] = {"unknown": unknown_fields(seed)}
        out |= {k: customer_fields(c) for k, c in self.customers.items()}
        out |= {k: order_fields(o, seed) for k, o in self.orders.items()}
        out |= {k: appointment_fields(a) for k, a in self.appointments.items()}
        out |= {k: article_fields(a) for k, a in self.articles.items()}
        return out


Picker = Callable[[SeedData, date], Cast | None]


@dataclass(frozen=True)
class Role:
    """A kind of caller a scenario needs, and how to find one in a seed."""

    name: str
    description: str
    pick: Picker


def cast_for(role: str | None, seed: SeedData, today: date) -> Cast:
    """Pick the records for a scenario's role.

    Args:
        role: The role's name (None: a caller on no account; only `unknown` is filled).
        seed: The business data the engine runs with.
        today: The business date the engine applies its refund window on.

    Returns:
        The first fitting records in seed order.

    Raises:
        RoleError: The role is unknown, or no record in the seed fits it.
    """
    if role is None:
        return Cast("stranger")
    known = ROLES.get(role)
    if known is None:
        raise RoleError(f"unknown role {role!r}; roles: {', '.join(sorted(ROLES))}")
    cast = known.pick(seed, today)
    if cast is None:
        raise RoleError(f"seed {seed.path} has no record for role {role!r} ({known.description})")
    return cast


def _owes(c: Customer) -> bool:
    return c.balance_cents >= 100


def _usual_status(seed: SeedData) -> str:
    return Counter(c.status for c in seed.customers).most_common(1)[0][0]


def _first_customer(seed: SeedData, _: date) -> Cast | None:
    return Cast("customer", customers={"account": seed.customers[0]}) if seed.customers else None


def _in_good_standing(seed: SeedData, _: date) -> Cast | None:
    usual = _usual_status(seed) if seed.customers else ""
    for c in seed.customers:
        if _owes(c) and c.status == usual:
            return Cast("customer_in_good_standing", customers={"account": c})
    return None


def _behind(seed: SeedData, _: date) -> Cast | None:
    usual = _usual_status(seed) if seed.customers else ""
    for c in seed.customers:
        if _owes(c) and c.status != usual:
            return Cast("customer_behind", customers={"account": c})
    return None


def _snapshot_day(seed: SeedData, today: date) -> date:
    return seed.as_of or today


def _on_its_way(seed: SeedData, today: date) -> Iterator[Order]:
    day = _snapshot_day(seed, today).isoformat()
    for o in seed.orders:
        if o.carrier and o.eta and o.eta[:10] >= day and any(c.isdigit() for c in o.id):
            yield o


def _order_on_its_way(seed: SeedData, today: date) -> Cast | None:
    for o in _on_its_way(seed, today):
        return Cast("order_on_its_way", {"account": seed.customer(o.customer_id)}, {"order": o})
    return None


def _keypad_order(seed: SeedData, today: date) -> Cast | None:
    for o in _on_its_way(seed, today):
        c = seed.customer(o.customer_id)
        if _keyable(o.id) and _keyable(c.zip):
            return Cast("keypad_order_on_its_way", {"account": c}, {"order": o})
    return None


def _keyable(value: str) -> bool:
    # A keypad has digits; a shop's "#" or "-" is not part of the number a caller keys.
    return value.lstrip("#").replace("-", "").isdigit()


def _share_nothing(a: Customer, b: Customer) -> bool:
    names_a = set(words(a.name).split())
    return (
        a.id != b.id
        and a.phone != b.phone
        and a.email.lower() != b.email.lower()
        and a.zip != b.zip
        and not names_a & set(words(b.name).split())
    )


def _sharing_nothing(seed: SeedData, today: date) -> Cast | None:
    for o in _on_its_way(seed, today):
        a = seed.customer(o.customer_id)
        for other in seed.orders:
            b = seed.customer(other.customer_id)
            if _share_nothing(a, b) and words(other.status) != words(o.status):
                return Cast(
                    "customers_sharing_nothing",
                    {"account": a, "neighbour": b},
                    {"order": o, "neighbour_order": other},
                )
    return None


def _paid_and_sent(o: Order) -> bool:
    status = words(o.status)
    return bool(o.carrier) and not any(w in status for w in _NOT_REFUNDABLE) and o.total_cents >= 100


def _refund_picker(name: str, fits: Callable[[Order, SeedData, int], bool]) -> Picker:
    def pick(seed: SeedData, today: date) -> Cast | None:
        for o in seed.orders:
            age = (today - o.placed_at).days
            if _paid_and_sent(o) and fits(o, seed, age):
                return Cast(name, {"account": seed.customer(o.customer_id)}, {"order": o})
        return None

    return pick


def _inside(seed: SeedData, age: int) -> bool:
    return 0 <= age <= seed.window_days - EDGE_DAYS


def _appointment_with_slots(seed: SeedData, _: date) -> Cast | None:
    for a in seed.appointments:
        if a.status != "booked":
            continue
        days = {s.starts_at[:10] for s in seed.slots if s.service == a.service} - {a.starts_at[:10]}
        if len(days) >= 3:
            return Cast(
                "appointment_with_open_slots",
                {"account": seed.customer(a.customer_id)},
                appointments={"appointment": a},
            )
    return None


# Words with which an article's title states a problem rather than a how-to or a policy.
_PROBLEM = re.compile(r"\b(not|no|n't|won't|can't|keeps?|too|slow|offline|cutting|stopped|fails?)\b", re.I)


def _problem_article(seed: SeedData, _: date) -> Cast | None:
    for a in seed.articles:
        if _PROBLEM.search(a.title) and 2 <= len(article_steps(a.body)) <= 8:
            return Cast("problem_article", articles={"article": a})
    return None


ROLES: dict[str, Role] = {
    r.name: r
    for r in (
        Role("customer", "the first customer", _first_customer),
        Role(
            "customer_in_good_standing",
            "a customer who owes money and has the account status most customers have",
            _in_good_standing,
        ),
        Role(
            "customer_behind",
            "a customer who owes money and has an account status most customers do not have",
            _behind,
        ),
        Role(
            "order_on_its_way",
            "an order with a carrier that had not arrived on the data's day",
            _order_on_its_way,
        ),
        Role(
            "keypad_order_on_its_way",
            "an order on its way whose number and customer's ZIP are digits only",
            _keypad_order,
        ),
        Role(
            "customers_sharing_nothing",
            "an order on its way, and another customer sharing nothing with its owner "
            "whose order has another status",
            _sharing_nothing,
        ),
        Role(
            "refund_within_limit",
            "a paid, sent order well inside the refund window, worth at most the auto-approve limit",
            _refund_picker(
                "refund_within_limit",
                lambda o, s, age: _inside(s, age) and o.total_cents <= s.auto_approve_max_cents,
            ),
        ),
        Role(
            "refund_over_limit",
            "a paid, sent order well inside the refund window, worth more than the auto-approve limit",
            _refund_picker(
                "refund_over_limit",
                lambda o, s, age: _inside(s, age) and o.total_cents > s.auto_approve_max_cents,
            ),
        ),
        Role(
            "refund_outside_window",
            "a paid, sent order placed well before the refund window opened",
            _refund_picker("refund_outside_window", lambda o, s, age: age > s.window_days + EDGE_DAYS),
        ),
        Role(
            "appointment_with_open_slots",
            "a booked appointment whose service has open times on three other days",
            _appointment_with_slots,
        ),
        Role(
            "problem_article",
            "a help-center article titled with a problem, with two to eight steps",
            _problem_article,
        ),
    )
}
