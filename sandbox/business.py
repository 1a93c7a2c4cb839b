"""Generate another business's seed: other ids, statuses, time zone, products and articles.

    python -m sandbox.business --business audio --seed 1 --out sandbox/seeds/tune.json
    python -m sandbox.business --business home --seed 2 --out sandbox/seeds/dev.json
    python -m sandbox.business --business bikes --seed 3 --out sandbox/seeds/heldout.json

The default seed is one router shop whose shapes (`C1001`, numeric orders,
`A501`, `KB1`, US/Pacific, eight statuses) the product grew up with. The seeds
made here follow the same contract (DESIGN.md, "Sandbox data") with each
business's own id schemes — an audio shop with `H2001` customers, Shopify order
names `#1001`, `AP900` visits and `HC-101` articles; a home-services company with
Salesforce 18-character ids, `SO-7781` orders, UUID visits and Zendesk-style
numeric articles; a bike shop with HubSpot-style numeric contact ids, `BK-40417`
orders, ULID visits and Intercom-style `art_…` articles — so an assumption about
shapes fails the acceptance run instead of a customer's first call. Output is the same for the same arguments.
"""

from __future__ import annotations

import argparse
import random
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sandbox.business_profiles import PROFILES, Profile
from sandbox.make_seed import dumps

Record = dict[str, Any]

SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
CUSTOMERS = 40

# Statuses whose orders never left the warehouse: no carrier, no tracking, no ETA.
UNSHIPPED = frozenset(
    {"unfulfilled", "processing", "on_hold", "awaiting_payment", "backordered", "cancelled"}
    | {"pending_payment", "awaiting_stock", "in_assembly", "ready_for_pickup", "voided"}
)
# Statuses of goods on the way: an ETA at or after the business's "today".
MOVING = frozenset({"shipped", "in_transit", "dispatched", "delayed", "out_for_delivery", "label_created"})
# Customers who may have a visit booked (the others are closed, paused, frozen …).
BOOKABLE = frozenset({"active", "past_due", "delinquent", "overdue"})

_SFDC_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def salesforce_id(rng: random.Random, prefix: str = "0035e00000") -> str:
    """An 18-character Salesforce id: 15 case-sensitive characters and their case checksum."""
    short = prefix + "".join(rng.choice(_BASE62) for _ in range(15 - len(prefix)))
    suffix = ""
    for chunk in (short[0:5], short[5:10], short[10:15]):
        bits = sum(1 << i for i, c in enumerate(chunk) if c.isupper())
        suffix += _SFDC_ALPHABET[bits]
    return short + suffix


def ulid(rng: random.Random, millis: int) -> str:
    """A ULID: 48 bits of milliseconds and 80 random bits, 26 Crockford base-32 characters."""
    value = (millis << 80) | rng.getrandbits(80)
    return "".join(_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


class IdScheme:
    """How one business's systems name customers, orders, visits and articles."""

    def __init__(self, profile: Profile, rng: random.Random) -> None:
        self.key = profile.key
        self.rng = rng
        bases = {
            "audio": (1001, 1400),
            "home": (7001, 7800),
            "bikes": (40001, 48000),
            "pets": (104001, 109000),
        }
        self._order_base = rng.randint(*bases[self.key])
        # ULIDs start with the time they were made: visits booked over the weeks before today.
        self._epoch_ms = int(datetime.fromisoformat(f"{profile.as_of}T00:00:00+00:00").timestamp() * 1000)

    def customer(self, n: int) -> str:
        if self.key == "audio":
            return f"H{2001 + n}"
        if self.key == "pets":
            return "cus_" + "".join(self.rng.choice(_BASE62) for _ in range(14))  # Stripe-style
        if self.key == "bikes":
            # HubSpot contact ids: large integers, not in creation order.
            return str(self.rng.randint(10**9, 10**11 - 1))
        return salesforce_id(self.rng)

    def order(self, n: int) -> str:
        # Order names are sequential in every shop, as Shopify and ERPs number them.
        if self.key == "audio":
            return f"#{self._order_base + n}"
        if self.key == "bikes":
            return f"BK-{self._order_base + n}"
        if self.key == "pets":
            return f"W{self._order_base + n}"
        return f"SO-{self._order_base + n}"

    def appointment(self, n: int) -> str:
        if self.key == "audio":
            return f"AP{900 + n}"
        if self.key == "pets":
            return f"apt_{n + 1}_" + "".join(self.rng.choice(_BASE62) for _ in range(6))
        if self.key == "bikes":
            return ulid(self.rng, self._epoch_ms - (40 - n) * 3_600_000)
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def article(self, n: int) -> str:
        if self.key == "audio":
            return f"HC-{101 + n}"
        if self.key == "bikes":
            return "art_" + "".join(self.rng.choice(_BASE62) for _ in range(10))
        return str(360_004_000_000 + self.rng.randint(0, 999_999) * 100 + n)


def _day(start: date, end: date, rng: random.Random) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def make_customers(p: Profile, ids: IdScheme, rng: random.Random) -> list[Record]:
    statuses = [s for s, n in p.customer_statuses.items() for _ in range(n)]
    statuses += ["active"] * (CUSTOMERS - len(statuses))
    rng.shuffle(statuses)
    names: set[str] = set()
    phones: set[str] = set()
    emails: set[str] = set()
    out: list[Record] = []
    for n, status in enumerate(statuses):
        name = f"{rng.choice(p.first_names)} {rng.choice(p.last_names)}"
        while name in names:
            name = f"{rng.choice(p.first_names)} {rng.choice(p.last_names)}"
        names.add(name)
        area, zips = rng.choice(p.areas)
        phone = f"+1{area}555{rng.randint(2000, 2999):04d}"
        while phone in phones:
            phone = f"+1{area}555{rng.randint(2000, 2999):04d}"
        phones.add(phone)
        first, last = (part.lower() for part in name.split())
        email = f"{rng.choice((f'{first}.{last}', f'{first[0]}{last}', f'{first}{rng.randint(1, 99)}'))}"
        email += f"@{rng.choice(p.email_domains)}"
        while email in emails:
            email = f"{first}.{last}{rng.randint(2, 999)}@{rng.choice(p.email_domains)}"
        emails.add(email)
        owes = status != "active" or rng.random() < 0.45
        out.append(
            {
                "id": ids.customer(n),
                "name": name,
                "phone": phone,
                "email": email,
                "zip": rng.choice(zips),
                "balance_cents": rng.randint(7, 480) * 100 + rng.randint(0, 99) if owes else 0,
                "plan": rng.choice(p.plans),
                "status": status,
            }
        )
    return out


def _dates(status: str, today: date, window: int, rng: random.Random) -> tuple[date, date | None]:
    """A placed date and ETA that agree with the status as of the business's today."""
    if status in UNSHIPPED:
        return _day(today - timedelta(days=12), today - timedelta(days=1), rng), None
    if status in MOVING:
        placed = _day(today - timedelta(days=9), today - timedelta(days=2), rng)
        if status == "out_for_delivery":
            return placed, today
        return placed, _day(today + timedelta(days=1), today + timedelta(days=6), rng)
    # Delivered, installed, returned, refunded: half inside the refund window, half outside.
    if rng.random() < 0.5:
        placed = _day(today - timedelta(days=window - 4), today - timedelta(days=6), rng)
    else:
        placed = _day(today - timedelta(days=window + 60), today - timedelta(days=window + 5), rng)
    return placed, placed + timedelta(days=rng.randint(2, 5))


def _items(p: Profile, rng: random.Random) -> list[Record]:
    count = rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
    items = []
    for name, price in rng.sample(p.catalog, count):
        qty = rng.choice((1, 2, 3)) if name in p.multi_qty else 1
        items.append({"name": name, "qty": qty, "price_cents": price})
    return items


def make_orders(p: Profile, ids: IdScheme, customers: list[Record], rng: random.Random) -> list[Record]:
    today = date.fromisoformat(p.as_of)
    statuses = [s for s, n in p.statuses.items() for _ in range(n)]
    rng.shuffle(statuses)
    # Every customer has at least one order, so any caller can ask about one.
    owners = [c["id"] for c in customers]
    owners += [rng.choice(owners) for _ in range(len(statuses) - len(owners))]
    rng.shuffle(owners)
    orders = []
    for status, owner in zip(statuses, owners, strict=True):
        placed, eta = _dates(status, today, p.window_days, rng)
        items = _items(p, rng)
        carrier = None if eta is None else rng.choice(p.carriers)
        tracking = None if carrier is None else f"{carrier[:2].upper()}{rng.randint(10**11, 10**12 - 1)}"
        orders.append(
            {
                "id": "",
                "customer_id": owner,
                "status": status,
                "carrier": carrier,
                "tracking": tracking,
                "eta": None if eta is None else eta.isoformat(),
                "total_cents": sum(i["qty"] * i["price_cents"] for i in items),
                "placed_at": placed.isoformat(),
                "items": items,
            }
        )
    orders.sort(key=lambda o: (o["placed_at"], o["customer_id"], o["total_cents"]))
    for n, order in enumerate(orders):
        order["id"] = ids.order(n)
    return orders


def make_schedule(
    p: Profile, ids: IdScheme, customers: list[Record], rng: random.Random
) -> tuple[list[Record], list[Record]]:
    """Booked, completed and cancelled visits, and the open slots around them."""
    first = date.fromisoformat(p.first_service_day)
    days = [first + timedelta(days=i) for i in range(p.service_days)]
    days = [d for d in days if d.weekday() not in p.closed_weekdays]
    grid = [(s, d, h) for s, hours in p.services.items() for d in days for h in hours]

    def iso(d: date, h: int) -> str:
        return f"{d.isoformat()}T{h:02d}:00:00{p.utc_offset}"

    open_customers = [c["id"] for c in customers if c["status"] in BOOKABLE]
    appointments: list[Record] = []
    taken: set[tuple[str, str]] = set()
    for service in p.services:
        choices = [g for g in grid if g[0] == service]
        for s, d, h in sorted(rng.sample(choices, p.appointments_per_service), key=lambda g: (g[1], g[2])):
            taken.add((s, iso(d, h)))
            appointments.append({"service": s, "starts_at": iso(d, h)})
    appointments.sort(key=lambda a: (a["starts_at"], a["service"]))
    # One visit per customer at most, so "my appointment" is never ambiguous.
    owners = rng.sample(open_customers, len(appointments))
    for n, (appt, owner) in enumerate(zip(appointments, owners, strict=True)):
        appt["id"] = ids.appointment(n)
        appt["customer_id"] = owner
        appt["status"] = "cancelled" if rng.random() < 0.1 else "booked"
    # A few visits already happened: they sit before the business's today.
    today = date.fromisoformat(p.as_of)
    past = [c for c in open_customers if c not in owners]
    for n, owner in enumerate(rng.sample(past, min(3, len(past)))):
        service = rng.choice(sorted(p.services))
        day = today - timedelta(days=2 * n + 1)
        appointments.insert(
            n,
            {
                "id": ids.appointment(len(appointments)),
                "customer_id": owner,
                "service": service,
                "starts_at": iso(day, p.services[service][0]),
                "status": "completed",
            },
        )
    slots: list[Record] = []
    for service in p.services:
        free = [(s, d, h) for s, d, h in grid if s == service and (s, iso(d, h)) not in taken]
        for s, d, h in rng.sample(free, min(p.slots_per_service, len(free))):
            slots.append({"service": s, "starts_at": iso(d, h)})
    slots.sort(key=lambda s: (s["starts_at"], s["service"]))
    ordered = [
        {k: a[k] for k in ("id", "customer_id", "service", "starts_at", "status")} for a in appointments
    ]
    return ordered, slots


def make_articles(p: Profile, ids: IdScheme) -> list[Record]:
    return [
        {"id": ids.article(n), "title": a.title, "body": a.body, "tags": list(a.tags)}
        for n, a in enumerate(p.articles)
    ]


def generate(business: str, seed: int) -> dict[str, Any]:
    """Build one business's whole seed as JSON-ready data.

    Args:
        business: A key of `PROFILES` (`audio`, `home`, `bikes`, `pets`).
        seed: The random seed; the same arguments give the same output.

    Returns:
        The seed, in the shape DESIGN.md's "Sandbox data" describes.
    """
    profile = PROFILES[business]
    rng = random.Random(f"{business}/{seed}")
    ids = IdScheme(profile, rng)
    customers = make_customers(profile, ids, rng)
    orders = make_orders(profile, ids, customers, rng)
    appointments, slots = make_schedule(profile, ids, customers, rng)
    return {
        "business": profile.name,
        "as_of": profile.as_of,
        "customers": customers,
        "orders": orders,
        "appointments": appointments,
        "slots": slots,
        "articles": make_articles(profile, ids),
        "refund_policy": {
            "window_days": profile.window_days,
            "auto_approve_max_cents": profile.auto_approve_max_cents,
        },
    }


def main(argv: list[str] | None = None) -> None:
    """Write one generated seed file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--business", choices=sorted(PROFILES), default="audio")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(dumps(generate(args.business, args.seed)), encoding="utf-8")


if __name__ == "__main__":
    main()
