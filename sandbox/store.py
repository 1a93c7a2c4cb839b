"""The sandbox's state: one SQLite database behind a lock.

Holds the seed data and everything calls create (tickets, refunds, notes,
reschedules, idempotency records). Business rules that must be checked and
applied atomically — a refund against the refundable remainder, a reschedule
that swaps a slot — live here, inside one transaction each; the HTTP layer
only translates.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sandbox.ids import ARTICLE_NUMBER, ORDER_NUMBER, numbered, spoken_key
from sandbox.money import format_cents
from sandbox.records import (
    AppointmentRow,
    ArticleRow,
    CommentRow,
    IdempotencyRecord,
    NewTicket,
    NoteRow,
    NotFound,
    OrderRow,
    RefundRow,
    Rejected,
    SlotRow,
    TicketChanges,
    TicketRow,
)
from sandbox.seed import Seed

JSON = dict[str, Any]

SCHEMA = """
CREATE TABLE customers (id TEXT PRIMARY KEY, phone TEXT NOT NULL, email TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX customers_phone ON customers (phone);
CREATE INDEX customers_email ON customers (email);
CREATE TABLE notes (
    id INTEGER PRIMARY KEY, customer_id TEXT NOT NULL, body TEXT NOT NULL, call_id TEXT,
    created_at TEXT NOT NULL);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, spoken TEXT NOT NULL,
    customer_id TEXT NOT NULL, email TEXT NOT NULL, status TEXT NOT NULL,
    placed_at TEXT NOT NULL, total_cents INTEGER NOT NULL, carrier TEXT, tracking TEXT, eta TEXT,
    items TEXT NOT NULL);
CREATE TABLE refunds (
    id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, created_at TEXT NOT NULL, note TEXT,
    notify INTEGER NOT NULL, amount_cents INTEGER NOT NULL, transactions TEXT NOT NULL);
CREATE INDEX orders_spoken ON orders (spoken);
CREATE INDEX refunds_order ON refunds (order_id);
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE);
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY, subject TEXT NOT NULL, description TEXT NOT NULL, status TEXT NOT NULL,
    priority TEXT, type TEXT, tags TEXT NOT NULL, external_id TEXT, requester_id INTEGER,
    custom_fields TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX tickets_external_id ON tickets (external_id);
CREATE TABLE comments (
    id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, body TEXT NOT NULL, public INTEGER NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL, tags TEXT NOT NULL);
CREATE TABLE appointments (
    id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, service TEXT NOT NULL, starts_at TEXT NOT NULL,
    starts_ts REAL NOT NULL, status TEXT NOT NULL, rescheduled_from TEXT, extra TEXT NOT NULL);
CREATE TABLE slots (
    service TEXT NOT NULL, starts_at TEXT NOT NULL, starts_ts REAL NOT NULL,
    PRIMARY KEY (service, starts_ts));
CREATE TABLE idempotency (
    key TEXT PRIMARY KEY, method TEXT NOT NULL, path TEXT NOT NULL, body_hash TEXT NOT NULL,
    status INTEGER NOT NULL, content_type TEXT, response TEXT NOT NULL, created_at TEXT NOT NULL);
"""
TABLES = (
    "customers notes orders refunds users tickets comments articles appointments slots idempotency"
).split()
FIRST_REFUND_ID = 900001
APPOINTMENT_FIELDS = {"id", "customer_id", "service", "starts_at", "status", "rescheduled_from"}


def timestamp(moment: datetime) -> str:
    """UTC, second precision, Z suffix: the format all three vendors use."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(iso: str) -> float:
    """Seconds since the epoch for an offset-aware ISO 8601 date-time."""
    return datetime.fromisoformat(iso).timestamp()


def normalize_tags(tags: list[str]) -> list[str]:
    """Zendesk stores tags lower-case, spaces as underscores, without repeats."""
    out: list[str] = []
    for tag in tags:
        clean = "_".join(tag.strip().lower().split())
        if clean and clean not in out:
            out.append(clean)
    return out


class Store:
    """All sandbox data, in one SQLite connection shared by every request.

    Args:
        seed: The data to start from (and to return to on `reset`).
        path: A database file, or ``":memory:"`` (the default).
        now: Clock for created/updated timestamps; injectable for tests.
    """

    def __init__(
        self, seed: Seed, path: str = ":memory:", now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        self._now = now
        self.seed = seed
        self.reset(seed)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._conn:
            yield self._conn

    def _stamp(self) -> str:
        return timestamp(self._now())

    # -- loading ---------------------------------------------------------------------------------

    def reset(self, seed: Seed | None = None) -> None:
        """Drop everything and load the seed again (a new seed replaces the old one)."""
        if seed is not None:
            self.seed = seed
        with self._tx() as db:
            for table in TABLES:
                db.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            self._load(db, self.seed)

    def _load(self, db: sqlite3.Connection, seed: Seed) -> None:
        emails: dict[str, str] = {}
        for c in seed.customers:
            emails[c.id] = c.email
            db.execute(
                "INSERT INTO customers VALUES (?, ?, ?, ?)",
                (c.id, c.phone, c.email.lower(), json.dumps(c.model_dump(mode="json"))),
            )
        # Shopify's own integer ids; the seed id is the order's name (sandbox/ids.py).
        order_ids = numbered((o.id for o in seed.orders), ORDER_NUMBER)
        for o in seed.orders:
            db.execute(
                "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    order_ids[o.id],
                    o.id,
                    spoken_key(o.id),
                    o.customer_id,
                    emails[o.customer_id],
                    o.status,
                    o.placed_at,
                    o.total_cents,
                    o.carrier,
                    o.tracking,
                    o.eta,
                    json.dumps([i.model_dump(mode="json") for i in o.items]),
                ),
            )
        refunded = sorted((o for o in seed.orders if o.seeded_refund_cents), key=lambda o: order_ids[o.id])
        for number, o in enumerate(refunded, start=FIRST_REFUND_ID):
            # A seeded refunded (or partly refunded) order gets the refund that made it so, so
            # the refunds API and the refundable remainder agree with its status.
            when = date.fromisoformat((o.eta or o.placed_at)[:10]) + timedelta(days=3)
            tx = [self._transaction(o.seeded_refund_cents, "manual")]
            db.execute(
                "INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    number,
                    order_ids[o.id],
                    f"{when.isoformat()}T12:00:00Z",
                    "Returned item",
                    0,
                    o.seeded_refund_cents,
                    json.dumps(tx),
                ),
            )
        article_ids = numbered((a.id for a in seed.articles), ARTICLE_NUMBER)
        for a in seed.articles:
            db.execute(
                "INSERT INTO articles VALUES (?, ?, ?, ?)",
                (article_ids[a.id], a.title, a.body, json.dumps(a.tags)),
            )
        for p in seed.appointments:
            data = p.model_dump(mode="json")
            extra = {k: v for k, v in data.items() if k not in APPOINTMENT_FIELDS}
            db.execute(
                "INSERT INTO appointments VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    p.id,
                    p.customer_id,
                    p.service,
                    p.starts_at,
                    epoch(p.starts_at),
                    p.status,
                    data.get("rescheduled_from"),
                    json.dumps(extra),
                ),
            )
        for s in seed.slots:
            db.execute(
                "INSERT OR IGNORE INTO slots VALUES (?, ?, ?)", (s.service, s.starts_at, epoch(s.starts_at))
            )

    @staticmethod
    def _transaction(amount_cents: int, gateway: str) -> JSON:
        return {
            "kind": "refund",
            "amount": format_cents(amount_cents),
            "status": "success",
            "gateway": gateway,
        }

    # -- CRM -------------------------------------------------------------------------------------

    def get_customer(self, customer_id: str) -> JSON | None:
        """One customer as seeded, or None."""
        with self._tx() as db:
            row = db.execute("SELECT data FROM customers WHERE id = ?", (customer_id,)).fetchone()
        return None if row is None else dict(json.loads(row["data"]))

    def find_customers(self, *, phone: str | None = None, email: str | None = None) -> list[JSON]:
        """Customers whose phone (exact) or email (case-insensitive) matches."""
        if phone is not None:
            sql, arg = "SELECT data FROM customers WHERE phone = ? ORDER BY id", phone
        elif email is not None:
            sql, arg = "SELECT data FROM customers WHERE email = ? ORDER BY id", email.lower()
        else:
            raise ValueError("phone or email is required")
        with self._tx() as db:
            return [dict(json.loads(r["data"])) for r in db.execute(sql, (arg,))]

    def add_note(self, customer_id: str, body: str, call_id: str | None) -> NoteRow:
        """Attach a note to a customer; NotFound for an unknown customer."""
        with self._tx() as db:
            self._require_customer(db, customer_id)
            cur = db.execute(
                "INSERT INTO notes (customer_id, body, call_id, created_at) VALUES (?, ?, ?, ?)",
                (customer_id, body, call_id, self._stamp()),
            )
            row = db.execute("SELECT * FROM notes WHERE id = ?", (cur.lastrowid,)).fetchone()
        return NoteRow(**dict(row))

    def list_notes(self, customer_id: str) -> list[NoteRow]:
        """A customer's notes, oldest first; NotFound for an unknown customer."""
        with self._tx() as db:
            self._require_customer(db, customer_id)
            rows = db.execute("SELECT * FROM notes WHERE customer_id = ? ORDER BY id", (customer_id,))
            return [NoteRow(**dict(r)) for r in rows]

    @staticmethod
    def _require_customer(db: sqlite3.Connection, customer_id: str) -> None:
        if db.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone() is None:
            raise NotFound(f"customer {customer_id} not found")

    # -- Shopify ---------------------------------------------------------------------------------

    _ORDER_SELECT = (
        "SELECT o.*, COALESCE((SELECT SUM(amount_cents) FROM refunds r WHERE r.order_id = o.id), 0)"
        " AS refunded_cents FROM orders o"
    )

    @staticmethod
    def _order(row: sqlite3.Row) -> OrderRow:
        data = dict(row)
        data["items"] = json.loads(data["items"])
        return OrderRow(**data)

    def get_order(self, order_id: int) -> OrderRow | None:
        """One order with its refunded total, or None."""
        with self._tx() as db:
            row = db.execute(f"{self._ORDER_SELECT} WHERE o.id = ?", (order_id,)).fetchone()
        return None if row is None else self._order(row)

    def find_orders(
        self,
        *,
        email: str | None = None,
        name: str | None = None,
        statuses: frozenset[str] | None = None,
        exclude: frozenset[str] = frozenset(),
        limit: int = 50,
    ) -> list[OrderRow]:
        """Orders newest first, optionally for one email, one spoken name, some statuses.

        Args:
            email: The customer's e-mail (case-insensitive).
            name: An order name as a caller might say it: matched on its letters and
                digits, case-insensitive ("so7781" finds "SO-7781").
            statuses: Only these statuses (None: any).
            exclude: Not these statuses.
            limit: At most this many.
        """
        where: list[str] = []
        args: list[object] = []
        if email is not None:
            where.append("lower(o.email) = ?")
            args.append(email.lower())
        if name is not None:
            where.append("o.spoken = ?")
            args.append(spoken_key(name))
        if statuses is not None:
            where.append(f"o.status IN ({','.join('?' * len(statuses))})")
            args.extend(sorted(statuses))
        if exclude:
            where.append(f"o.status NOT IN ({','.join('?' * len(exclude))})")
            args.extend(sorted(exclude))
        sql = self._ORDER_SELECT + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY o.placed_at DESC, o.id DESC LIMIT ?"
        with self._tx() as db:
            return [self._order(r) for r in db.execute(sql, (*args, limit))]

    @staticmethod
    def _refund(row: sqlite3.Row) -> RefundRow:
        data = dict(row)
        data["transactions"] = json.loads(data["transactions"])
        data["notify"] = bool(data["notify"])
        return RefundRow(**data)

    def list_refunds(self, order_id: int) -> list[RefundRow]:
        """An order's refunds, oldest first; NotFound for an unknown order."""
        with self._tx() as db:
            if db.execute("SELECT 1 FROM orders WHERE id = ?", (order_id,)).fetchone() is None:
                raise NotFound(f"order {order_id} not found")
            rows = db.execute("SELECT * FROM refunds WHERE order_id = ? ORDER BY id", (order_id,))
            return [self._refund(r) for r in rows]

    def create_refund(
        self, order_id: int, amounts: list[tuple[int, str]], note: str | None, notify: bool
    ) -> RefundRow:
        """Refund part or all of what is left on an order.

        Args:
            order_id: The order.
            amounts: (cents, gateway) per refund transaction; their sum is refunded.
            note: Free text kept with the refund.
            notify: Whether the customer would be emailed (recorded only).

        Raises:
            NotFound: No such order.
            Rejected: The order is cancelled, unpaid or fully refunded, or the
                amount exceeds what is left refundable.
        """
        total = sum(cents for cents, _ in amounts)
        with self._tx() as db:
            row = db.execute(f"{self._ORDER_SELECT} WHERE o.id = ?", (order_id,)).fetchone()
            if row is None:
                raise NotFound(f"order {order_id} not found")
            order = self._order(row)
            left = order.total_cents - order.refunded_cents
            if order.status == "cancelled":
                raise Rejected("order_cancelled", "is cancelled", "order")
            if order.status == "pending":
                raise Rejected("order_unpaid", "has no captured payment to refund", "order")
            if left <= 0:
                raise Rejected("order_refunded", "is already fully refunded", "order")
            if total > left:
                raise Rejected(
                    "amount_exceeds_refundable",
                    f"exceeds the refundable amount ({format_cents(left)})",
                    "amount",
                )
            next_id = db.execute(
                "SELECT COALESCE(MAX(id) + 1, ?) FROM refunds", (FIRST_REFUND_ID,)
            ).fetchone()[0]
            tx = [self._transaction(cents, gateway) for cents, gateway in amounts]
            db.execute(
                "INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?, ?)",
                (next_id, order_id, self._stamp(), note, int(notify), total, json.dumps(tx)),
            )
            if total == left:
                db.execute("UPDATE orders SET status = 'refunded' WHERE id = ?", (order_id,))
            return self._refund(db.execute("SELECT * FROM refunds WHERE id = ?", (next_id,)).fetchone())

    # -- Zendesk ---------------------------------------------------------------------------------

    @staticmethod
    def _ticket(row: sqlite3.Row) -> TicketRow:
        data = dict(row)
        data["tags"] = json.loads(data["tags"])
        data["custom_fields"] = json.loads(data["custom_fields"])
        return TicketRow(**data)

    def create_ticket(self, new: NewTicket) -> TicketRow:
        """Open a ticket whose first comment is its description."""
        now = self._stamp()
        with self._tx() as db:
            requester_id = None
            if new.requester_email is not None:
                requester_id = self._user_id(db, new.requester_name, new.requester_email)
            cur = db.execute(
                "INSERT INTO tickets (subject, description, status, priority, type, tags, external_id,"
                " requester_id, custom_fields, created_at, updated_at)"
                " VALUES (?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.subject,
                    new.body,
                    new.priority,
                    new.type,
                    json.dumps(normalize_tags(new.tags)),
                    new.external_id,
                    requester_id,
                    json.dumps(new.custom_fields),
                    now,
                    now,
                ),
            )
            db.execute(
                "INSERT INTO comments (ticket_id, body, public, created_at) VALUES (?, ?, ?, ?)",
                (cur.lastrowid, new.body, int(new.public), now),
            )
            return self._ticket(db.execute("SELECT * FROM tickets WHERE id = ?", (cur.lastrowid,)).fetchone())

    @staticmethod
    def _user_id(db: sqlite3.Connection, name: str | None, email: str) -> int:
        row = db.execute("SELECT id FROM users WHERE email = ?", (email.lower(),)).fetchone()
        if row is not None:
            return int(row["id"])
        display = name or email.split("@", 1)[0]
        cur = db.execute("INSERT INTO users (name, email) VALUES (?, ?)", (display, email.lower()))
        return int(cur.lastrowid or 0)

    def list_tickets(self, external_id: str | None = None) -> list[TicketRow]:
        """Tickets oldest first, optionally only those with one external_id."""
        with self._tx() as db:
            if external_id is None:
                rows = db.execute("SELECT * FROM tickets ORDER BY id")
            else:
                rows = db.execute("SELECT * FROM tickets WHERE external_id = ? ORDER BY id", (external_id,))
            return [self._ticket(r) for r in rows]

    def get_ticket(self, ticket_id: int) -> TicketRow | None:
        """One ticket, or None."""
        with self._tx() as db:
            row = db.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return None if row is None else self._ticket(row)

    def update_ticket(self, ticket_id: int, changes: TicketChanges) -> TicketRow:
        """Apply an update (and add its comment, if any).

        Raises:
            NotFound: No such ticket.
            Rejected: The ticket is closed; Zendesk refuses updates to closed tickets.
        """
        now = self._stamp()
        with self._tx() as db:
            row = db.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
            if row is None:
                raise NotFound(f"ticket {ticket_id} not found")
            ticket = self._ticket(row)
            if ticket.status == "closed":
                raise Rejected("ticket_closed", "closed prevents ticket update", "status")
            tags = normalize_tags(changes.tags) if changes.tags is not None else list(ticket.tags)
            tags = normalize_tags(tags + (changes.additional_tags or []))
            fields = {f["id"]: f for f in ticket.custom_fields}
            fields.update({f["id"]: f for f in changes.custom_fields or []})
            db.execute(
                "UPDATE tickets SET status = ?, priority = ?, type = ?, subject = ?, tags = ?,"
                " custom_fields = ?, updated_at = ? WHERE id = ?",
                (
                    changes.status or ticket.status,
                    changes.priority or ticket.priority,
                    changes.type or ticket.type,
                    changes.subject or ticket.subject,
                    json.dumps(tags),
                    json.dumps(list(fields.values())),
                    now,
                    ticket_id,
                ),
            )
            if changes.comment_body is not None:
                db.execute(
                    "INSERT INTO comments (ticket_id, body, public, created_at) VALUES (?, ?, ?, ?)",
                    (ticket_id, changes.comment_body, int(changes.comment_public), now),
                )
            return self._ticket(db.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,)).fetchone())

    def list_comments(self, ticket_id: int) -> list[CommentRow]:
        """A ticket's comments, oldest first; NotFound for an unknown ticket."""
        with self._tx() as db:
            if db.execute("SELECT 1 FROM tickets WHERE id = ?", (ticket_id,)).fetchone() is None:
                raise NotFound(f"ticket {ticket_id} not found")
            rows = db.execute("SELECT * FROM comments WHERE ticket_id = ? ORDER BY id", (ticket_id,))
            return [CommentRow(**{**dict(r), "public": bool(r["public"])}) for r in rows]

    def articles(self) -> list[ArticleRow]:
        """Every help-center article, by id."""
        with self._tx() as db:
            rows = db.execute("SELECT * FROM articles ORDER BY id")
            return [ArticleRow(r["id"], r["title"], r["body"], json.loads(r["tags"])) for r in rows]

    # -- Scheduling ------------------------------------------------------------------------------

    @staticmethod
    def _appointment(row: sqlite3.Row) -> AppointmentRow:
        return AppointmentRow(
            id=row["id"],
            customer_id=row["customer_id"],
            service=row["service"],
            starts_at=row["starts_at"],
            status=row["status"],
            rescheduled_from=row["rescheduled_from"],
            extra=json.loads(row["extra"]),
        )

    def appointments(self, customer_id: str | None = None) -> list[AppointmentRow]:
        """Appointments by start time, optionally for one customer."""
        with self._tx() as db:
            if customer_id is None:
                rows = db.execute("SELECT * FROM appointments ORDER BY starts_ts, id")
            else:
                rows = db.execute(
                    "SELECT * FROM appointments WHERE customer_id = ? ORDER BY starts_ts, id", (customer_id,)
                )
            return [self._appointment(r) for r in rows]

    def get_appointment(self, appointment_id: str) -> AppointmentRow | None:
        """One appointment, or None."""
        with self._tx() as db:
            row = db.execute("SELECT * FROM appointments WHERE id = ?", (appointment_id,)).fetchone()
        return None if row is None else self._appointment(row)

    def services(self) -> set[str]:
        """Every service that has appointments or slots."""
        with self._tx() as db:
            rows = db.execute("SELECT service FROM slots UNION SELECT service FROM appointments")
            return {r["service"] for r in rows}

    def open_slots(self, service: str, after_ts: float | None, limit: int) -> list[SlotRow]:
        """Open slots for a service, soonest first, strictly after `after_ts` if given."""
        with self._tx() as db:
            rows = db.execute(
                "SELECT service, starts_at FROM slots WHERE service = ? AND starts_ts > ?"
                " ORDER BY starts_ts LIMIT ?",
                (service, after_ts if after_ts is not None else float("-inf"), limit),
            )
            return [SlotRow(r["service"], r["starts_at"]) for r in rows]

    def reschedule(self, appointment_id: str, starts_ts: float) -> AppointmentRow:
        """Move a booked appointment into an open slot; its old time becomes open.

        Raises:
            NotFound: No such appointment.
            Rejected: ``appointment_not_reschedulable`` (cancelled/completed) or
                ``slot_unavailable`` (no open slot at that instant for the service).
        """
        with self._tx() as db:
            row = db.execute("SELECT * FROM appointments WHERE id = ?", (appointment_id,)).fetchone()
            if row is None:
                raise NotFound(f"appointment {appointment_id} not found")
            appt = self._appointment(row)
            if appt.status != "booked":
                raise Rejected(
                    "appointment_not_reschedulable",
                    f"appointment {appointment_id} is {appt.status}",
                    "status",
                )
            slot = db.execute(
                "SELECT starts_at FROM slots WHERE service = ? AND starts_ts = ?", (appt.service, starts_ts)
            ).fetchone()
            if slot is None:
                raise Rejected("slot_unavailable", f"no open {appt.service} slot at that time", "starts_at")
            db.execute("DELETE FROM slots WHERE service = ? AND starts_ts = ?", (appt.service, starts_ts))
            db.execute(
                "INSERT OR IGNORE INTO slots VALUES (?, ?, ?)",
                (appt.service, appt.starts_at, epoch(appt.starts_at)),
            )
            db.execute(
                "UPDATE appointments SET starts_at = ?, starts_ts = ?, rescheduled_from = ? WHERE id = ?",
                (slot["starts_at"], starts_ts, appt.starts_at, appointment_id),
            )
            return self._appointment(
                db.execute("SELECT * FROM appointments WHERE id = ?", (appointment_id,)).fetchone()
            )

    # -- Idempotency -----------------------------------------------------------------------------

    def idempotency_get(self, key: str) -> IdempotencyRecord | None:
        """The recorded response for an Idempotency-Key, if any."""
        with self._tx() as db:
            row = db.execute(
                "SELECT key, method, path, body_hash, status, content_type, response"
                " FROM idempotency WHERE key = ?",
                (key,),
            ).fetchone()
        return None if row is None else IdempotencyRecord(**dict(row))

    def idempotency_put(self, record: IdempotencyRecord) -> None:
        """Record the response to a keyed write (the first one wins)."""
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO idempotency VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.key,
                    record.method,
                    record.path,
                    record.body_hash,
                    record.status,
                    record.content_type,
                    record.response,
                    self._stamp(),
                ),
            )
