"""Generate the default seed, `sandbox/seed.json`, deterministically.

    python -m sandbox.make_seed [--out PATH]

The story is set on 2026-11-25: recent orders are still moving, older ones
were delivered (some inside the 30-day refund window, some outside it), and
appointments run from the day after Thanksgiving to mid-December. The first
customer, order and appointment are the DESIGN.md examples verbatim, because
tests and demos use them by id.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sandbox.seed import ORDER_STATUSES, Seed
from sandbox.seed_articles import ARTICLES

DEFAULT_OUT = Path(__file__).resolve().parent / "seed.json"
RANDOM_SEED = 20261125
TODAY = date(2026, 11, 25)
OFFSET = "-08:00"

Record = dict[str, Any]

MARIA: Record = {
    "id": "C1001",
    "name": "Maria Lopez",
    "phone": "+14155550101",
    "email": "maria@example.com",
    "zip": "94103",
    "balance_cents": 4250,
    "plan": "Pro",
    "status": "active",
}
ORDER_10482: Record = {
    "id": "10482",
    "customer_id": "C1001",
    "status": "shipped",
    "carrier": "UPS",
    "tracking": "1Z999AA10123456784",
    "eta": "2026-11-28",
    "total_cents": 8999,
    "placed_at": "2026-11-20",
    "items": [{"name": "Mesh router", "qty": 1, "price_cents": 8999}],
}
APPOINTMENT_A501: Record = {
    "id": "A501",
    "customer_id": "C1001",
    "service": "installation",
    "starts_at": "2026-12-01T10:00:00-08:00",
    "status": "booked",
}
# A slot DESIGN.md names; keep it open so the example works as written.
EXAMPLE_SLOT = ("installation", "2026-12-02T14:00:00-08:00")

FIRST_NAMES = (
    "James Aisha Wei Priya Daniel Sofia Marcus Hannah Diego Mei Oliver Fatima Ethan Chloe Kwame "
    "Isabella Noah Leila Lucas Grace Mateo Yuki Samuel Amara Benjamin Zoe Arjun Olivia Gabriel "
    "Nadia Henry Camila Tariq Emily Rafael Ingrid Kenji Rosa Liam Ava Omar Elena Victor Naomi "
    "Jamal Clara Hugo Anika Trevor Lucia Malik Sarah Andre Keiko Paul Esther Raj Megan Tomas"
).split()
LAST_NAMES = (
    "Nguyen Patel Kim Johnson Garcia Chen Okafor Schmidt Rossi Tanaka Williams Hernandez Singh "
    "Brown Murphy Ortega Cohen Ali Novak Silva Martin Kowalski Davis Yamamoto Mensah Rivera "
    "Andersson Dubois Haddad Lee Thompson Park Fischer Moreno Walker Sato Reyes Clarke Ivanova "
    "Bennett Castillo Okonkwo Larsen Hughes Fernandez Shah Wright Alvarez Turner Nakamura"
).split()
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")

# (area code, zips of that area): a customer's phone and ZIP agree.
AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("415", ("94102", "94103", "94107", "94110", "94114", "94117", "94122")),
    ("510", ("94601", "94606", "94610", "94611", "94612")),
    ("650", ("94301", "94303", "94401", "94403")),
    ("408", ("95112", "95125", "95128", "95136")),
    ("206", ("98101", "98103", "98107", "98115", "98122")),
    ("512", ("78701", "78702", "78704", "78745", "78751")),
    ("312", ("60601", "60611", "60614", "60622", "60647")),
    ("212", ("10001", "10011", "10025", "10128")),
    ("303", ("80202", "80205", "80206", "80218")),
    ("617", ("02115", "02116", "02130", "02139")),
)

CATALOG: tuple[tuple[str, int], ...] = (
    ("Mesh router", 8999),
    ("Mesh Wi-Fi system (3-pack)", 27999),
    ("Mesh satellite node", 9999),
    ("Wi-Fi 6 router", 12999),
    ("Wi-Fi 6E tri-band router", 24999),
    ("Cable modem (DOCSIS 3.1)", 15999),
    ("DSL modem", 7999),
    ("Wi-Fi range extender", 4999),
    ("Powerline adapter kit", 6999),
    ("8-port gigabit switch", 3499),
    ("5-port gigabit switch", 2299),
    ("Cat6 Ethernet cable, 10 ft", 1299),
    ("Cat6 Ethernet cable, 25 ft", 1999),
    ("USB Wi-Fi adapter", 2999),
    ("PCIe Wi-Fi 6E card", 4499),
    ("Travel router", 5999),
    ("Surge protector, 8 outlets", 2999),
    ("Battery backup 600VA", 8999),
    ("Smart plug (2-pack)", 2499),
    ("Indoor security camera", 3999),
    ("Video doorbell", 12999),
    ("Wall mount for mesh nodes", 1499),
    ("Network storage drive, 4 TB", 19999),
)
# Small accessories are the things people buy more than one of.
MULTI_QTY = {"Cat6 Ethernet cable, 10 ft", "Cat6 Ethernet cable, 25 ft", "Smart plug (2-pack)"}

# Order count per status: every status well represented, delivered the bulk.
STATUS_QUOTA: dict[str, int] = {
    "pending": 16,
    "processing": 18,
    "shipped": 22,
    "out_for_delivery": 15,
    "delivered": 55,
    "delivery_attempted": 14,
    "cancelled": 20,
    "refunded": 20,
}
SERVICE_HOURS: dict[str, tuple[int, ...]] = {
    "installation": (8, 10, 12, 14, 16),
    "repair": (9, 11, 13, 15),
    "consultation": (9, 10, 11, 13, 14, 15, 16),
}
APPOINTMENTS_PER_SERVICE = {"installation": 17, "repair": 16, "consultation": 12}
SLOTS_PER_SERVICE = {"installation": 70, "repair": 62, "consultation": 90}
FIRST_SERVICE_DAY = date(2026, 11, 27)  # the 26th is Thanksgiving
LAST_SERVICE_DAY = date(2026, 12, 20)


def ups_tracking(rng: random.Random) -> str:
    """A UPS 1Z number with a valid check digit."""
    shipper = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXY0123456789") for _ in range(6))
    body = (
        shipper + rng.choice(("01", "02", "03", "12")) + "".join(rng.choice("0123456789") for _ in range(7))
    )
    digits = [int(c) if c.isdigit() else (ord(c) - 63) % 10 for c in body]
    total = sum(digits[0::2]) + 2 * sum(digits[1::2])
    return f"1Z{body}{(10 - total % 10) % 10}"


def tracking_for(carrier: str, rng: random.Random) -> str:
    if carrier == "UPS":
        return ups_tracking(rng)
    if carrier == "FedEx":
        return "".join(rng.choice("0123456789") for _ in range(12))
    return "9400111" + "".join(rng.choice("0123456789") for _ in range(15))


def make_customers(rng: random.Random, count: int) -> list[Record]:
    customers = [dict(MARIA)]
    names: set[tuple[str, str]] = {("Maria", "Lopez")}
    phones = {MARIA["phone"]}
    emails = {MARIA["email"]}
    extra = count - 1
    statuses = ["suspended"] * 3 + ["past_due"] * 4 + ["closed"] * 3
    statuses += ["active"] * (extra - len(statuses))
    rng.shuffle(statuses)
    for n, status in enumerate(statuses, start=2):
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if (first, last) not in names:
                names.add((first, last))
                break
        area, zips = rng.choice(AREAS)
        phone = f"+1{area}5550{rng.randint(100, 199)}"
        while phone in phones:
            phone = f"+1{area}5550{rng.randint(100, 199)}"
        phones.add(phone)
        email = _email_for(first, last, rng)
        while email in emails:
            email = _email_for(first, last, rng, suffix=str(rng.randint(2, 99)))
        emails.add(email)
        customers.append(
            {
                "id": f"C{1000 + n}",
                "name": f"{first} {last}",
                "phone": phone,
                "email": email,
                "zip": rng.choice(zips),
                "balance_cents": _balance(status, rng),
                "plan": rng.choices(("Basic", "Pro", "Business"), weights=(45, 35, 20))[0],
                "status": status,
            }
        )
    return customers


def _email_for(first: str, last: str, rng: random.Random, suffix: str = "") -> str:
    f, la = first.lower(), last.lower()
    local = rng.choice((f"{f}.{la}", f"{f[0]}{la}", f"{f}{la[0]}", f"{f}_{la}"))
    return f"{local}{suffix}@{rng.choice(EMAIL_DOMAINS)}"


def _balance(status: str, rng: random.Random) -> int:
    if status == "active":
        return 0 if rng.random() < 0.55 else rng.randint(15, 95) * 100 + rng.choice((0, 50, 99))
    if status == "closed":
        return 0 if rng.random() < 0.7 else rng.randint(5, 40) * 100
    return rng.randint(50, 200) * 100  # past_due / suspended owe money


def _day(start: date, end: date, rng: random.Random) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _placed_and_eta(status: str, rng: random.Random) -> tuple[date, date | None]:
    """Dates that agree with the status as of TODAY."""
    sep1 = date(2026, 9, 1)
    if status == "pending":
        return _day(date(2026, 11, 22), date(2026, 11, 24), rng), None
    if status == "processing":
        return _day(date(2026, 11, 19), date(2026, 11, 24), rng), None
    if status == "cancelled":
        return _day(sep1, date(2026, 11, 24), rng), None
    if status == "shipped":
        placed = _day(date(2026, 11, 16), date(2026, 11, 23), rng)
        return placed, max(placed + timedelta(days=3), _day(date(2026, 11, 26), date(2026, 11, 30), rng))
    if status == "out_for_delivery":
        return _day(date(2026, 11, 17), date(2026, 11, 22), rng), TODAY
    if status == "delivery_attempted":
        placed = _day(date(2026, 11, 12), date(2026, 11, 21), rng)
        return placed, _day(placed + timedelta(days=2), date(2026, 11, 24), rng)
    last_placed = date(2026, 11, 20) if status == "delivered" else date(2026, 11, 12)
    placed = _day(sep1, last_placed, rng)
    return placed, min(placed + timedelta(days=rng.randint(2, 6)), TODAY - timedelta(days=1))


def _items(rng: random.Random) -> list[Record]:
    lines = rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
    items = []
    for name, price in rng.sample(CATALOG, lines):
        qty = rng.choices((1, 2, 3), weights=(60, 30, 10))[0] if name in MULTI_QTY else 1
        items.append({"name": name, "qty": qty, "price_cents": price})
    return items


def make_order(
    customer_id: str, status: str, placed: date, eta: date | None, items: list[Record], rng: random.Random
) -> Record:
    fulfilled = eta is not None
    carrier = rng.choices(("UPS", "FedEx", "USPS"), weights=(45, 30, 25))[0] if fulfilled else None
    return {
        "id": "",  # numbered once all orders are in date order
        "customer_id": customer_id,
        "status": status,
        "carrier": carrier,
        "tracking": tracking_for(carrier, rng) if carrier else None,
        "eta": eta.isoformat() if eta else None,
        "total_cents": sum(i["qty"] * i["price_cents"] for i in items),
        "placed_at": placed.isoformat(),
        "items": items,
    }


def make_orders(rng: random.Random, customers: list[Record]) -> list[Record]:
    def item(name: str, qty: int = 1) -> Record:
        return {"name": name, "qty": qty, "price_cents": dict(CATALOG)[name]}

    # Maria's history covers the refund rules: small and recent (auto-approvable),
    # large and recent (needs a human), and one outside the 30-day window.
    maria = [
        make_order(
            "C1001",
            "delivered",
            date(2026, 11, 6),
            date(2026, 11, 10),
            [item("Wi-Fi range extender"), item("Cat6 Ethernet cable, 10 ft")],
            rng,
        ),
        make_order(
            "C1001",
            "delivered",
            date(2026, 11, 2),
            date(2026, 11, 5),
            [item("Cable modem (DOCSIS 3.1)")],
            rng,
        ),
        make_order(
            "C1001", "delivered", date(2026, 9, 14), date(2026, 9, 18), [item("Smart plug (2-pack)", 2)], rng
        ),
    ]
    quota = dict(STATUS_QUOTA)
    quota["shipped"] -= 1  # order 10482
    for order in maria:
        quota[order["status"]] -= 1
    statuses = [status for status, n in quota.items() for _ in range(n)]
    rng.shuffle(statuses)
    others = [c["id"] for c in customers if c["id"] != "C1001"]
    owners = list(others) + [rng.choice(others) for _ in range(len(statuses) - len(others))]
    rng.shuffle(owners)
    orders = list(maria)
    for status, owner in zip(statuses, owners, strict=True):
        placed, eta = _placed_and_eta(status, rng)
        orders.append(make_order(owner, status, placed, eta, _items(rng), rng))
    orders.sort(key=lambda o: (o["placed_at"], o["customer_id"], o["total_cents"]))
    for number, order in enumerate(orders, start=10483):
        order["id"] = str(number)
    return [dict(ORDER_10482), *orders]


@dataclass(frozen=True)
class _Time:
    service: str
    day: date
    hour: int

    @property
    def iso(self) -> str:
        return f"{self.day.isoformat()}T{self.hour:02d}:00:00{OFFSET}"


def _service_days() -> list[date]:
    days = []
    day = FIRST_SERVICE_DAY
    while day <= LAST_SERVICE_DAY:
        if day.weekday() != 6:  # closed on Sundays
            days.append(day)
        day += timedelta(days=1)
    return days


def make_appointments_and_slots(
    rng: random.Random, customers: list[Record]
) -> tuple[list[Record], list[Record]]:
    days = _service_days()
    grid = {s: [_Time(s, d, h) for d in days for h in hours] for s, hours in SERVICE_HOURS.items()}
    taken = {("installation", APPOINTMENT_A501["starts_at"])}
    reserved = {EXAMPLE_SLOT}
    booked: list[tuple[_Time, str]] = []
    for service, n in APPOINTMENTS_PER_SERVICE.items():
        choices = [t for t in grid[service] if (service, t.iso) not in taken | reserved]
        picks = sorted(rng.sample(choices, n - (service == "installation")), key=lambda t: (t.day, t.hour))
        for t in picks:
            taken.add((service, t.iso))
            booked.append((t, service))
    booked.sort(key=lambda b: (b[0].day, b[0].hour, b[1]))
    # The earliest few visits are done and a few others were called off.
    statuses = ["completed"] * 5 + ["booked"] * (len(booked) - 5)
    for index in rng.sample(range(5, len(booked)), 4):
        statuses[index] = "cancelled"
    owners = [c["id"] for c in customers if c["id"] != "C1001" and c["status"] != "closed"]
    appointments = [dict(APPOINTMENT_A501)]
    for number, ((t, service), status) in enumerate(zip(booked, statuses, strict=True), start=502):
        appointments.append(
            {
                "id": f"A{number}",
                "customer_id": rng.choice(owners),
                "service": service,
                "starts_at": t.iso,
                "status": status,
            }
        )
    slots: list[Record] = []
    for service, n in SLOTS_PER_SERVICE.items():
        free = [
            t for t in grid[service] if (service, t.iso) not in taken and (service, t.iso) not in reserved
        ]
        keep = rng.sample(free, n - sum(1 for s, _ in reserved if s == service))
        keep += [t for t in grid[service] if (service, t.iso) in reserved]
        slots += [{"service": service, "starts_at": t.iso} for t in keep]
    slots.sort(key=lambda s: (s["starts_at"], s["service"]))
    return appointments, slots


def generate(customer_count: int = 60) -> dict[str, Any]:
    """Build the whole seed as plain JSON-ready data (same output on every run)."""
    rng = random.Random(RANDOM_SEED)
    customers = make_customers(rng, customer_count)
    orders = make_orders(rng, customers)
    appointments, slots = make_appointments_and_slots(rng, customers)
    return {
        # The data is a snapshot of the business on this day: the refund window
        # counts from it, so the demo and tests answer the same on any date.
        "as_of": TODAY.isoformat(),
        "customers": customers,
        "orders": orders,
        "appointments": appointments,
        "slots": slots,
        "articles": [dict(a) for a in ARTICLES],
        "refund_policy": {"window_days": 30, "auto_approve_max_cents": 10000},
    }


def dumps(seed: dict[str, Any]) -> str:
    """JSON with one record per line: readable, and diffs show whole records."""
    parts = []
    for key, value in seed.items():
        if isinstance(value, list):
            rows = ",\n".join(f"    {json.dumps(row, ensure_ascii=False)}" for row in value)
            parts.append(f'  "{key}": [\n{rows}\n  ]')
        else:
            parts.append(f'  "{key}": {json.dumps(value, ensure_ascii=False)}')
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main(argv: list[str] | None = None) -> None:
    """Write the seed file (validated against the schema first)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write (default: %(default)s)")
    args = parser.parse_args(argv)
    seed = generate()
    Seed.model_validate(seed)
    missing = set(ORDER_STATUSES) - {o["status"] for o in seed["orders"]}
    assert not missing, f"generator lost statuses {missing}"
    args.out.write_text(dumps(seed), encoding="utf-8")
    counts = ", ".join(f"{len(v)} {k}" for k, v in seed.items() if isinstance(v, list))
    print(f"wrote {args.out}: {counts}")


if __name__ == "__main__":
    main()
