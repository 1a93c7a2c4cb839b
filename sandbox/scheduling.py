"""Scheduling emulation: appointments, open slots and reschedules (`/scheduling/v1`)."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from sandbox.auth import require
from sandbox.errors import ApiError, System, coded, not_found
from sandbox.records import NotFound, Rejected
from sandbox.seed import Seed
from sandbox.state import StoreDep

JSON = dict[str, Any]
PREFIX = "/scheduling/v1"

router = APIRouter(prefix=PREFIX, tags=["scheduling"], dependencies=[Depends(require(System.SCHEDULING))])


class RescheduleIn(BaseModel):
    starts_at: str


def business_tz(seed: Seed) -> tzinfo:
    """The business's UTC offset: that of its first slot or appointment (UTC if it has none)."""
    for iso in [s.starts_at for s in seed.slots] + [a.starts_at for a in seed.appointments]:
        tz = datetime.fromisoformat(iso).tzinfo
        if tz is not None:
            return tz
    return UTC


def parse_instant(value: str, field: str, local: tzinfo) -> float:
    """Epoch seconds for an ISO 8601 date or date-time.

    A value without an offset is read as the business's local time, because
    that is what a caller means by "after 2 pm".

    Raises:
        ApiError: 422 ``invalid_<field>``.
    """
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise coded(
            422, f"invalid_{field}", f"{field} must be ISO 8601, e.g. 2026-12-02T14:00:00-08:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local)
    return parsed.timestamp()


@router.get("/appointments")
async def list_appointments(store: StoreDep, customer_id: str | None = None) -> JSON:
    """Appointments by start time, for one customer if `customer_id` is given."""
    return {"appointments": [a.as_json() for a in store.appointments(customer_id)]}


@router.get("/appointments/{appointment_id}")
async def get_appointment(appointment_id: str, store: StoreDep) -> JSON:
    """One appointment."""
    appointment = store.get_appointment(appointment_id)
    if appointment is None:
        raise not_found(System.SCHEDULING, f"appointment {appointment_id} not found")
    return {"appointment": appointment.as_json()}


@router.get("/slots")
async def list_slots(
    store: StoreDep,
    service: str,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> JSON:
    """Open slots for a service, soonest first."""
    services = store.services()
    if service not in services:
        raise coded(422, "invalid_service", f"service must be one of: {', '.join(sorted(services))}")
    after_ts = parse_instant(after, "after", business_tz(store.seed)) if after is not None else None
    slots = store.open_slots(service, after_ts, limit)
    return {"slots": [{"service": s.service, "starts_at": s.starts_at} for s in slots]}


@router.post("/appointments/{appointment_id}/reschedule")
async def reschedule(appointment_id: str, body: RescheduleIn, store: StoreDep) -> JSON:
    """Move a booked appointment into an open slot of the same service."""
    starts_ts = parse_instant(body.starts_at, "starts_at", business_tz(store.seed))
    try:
        appointment = store.reschedule(appointment_id, starts_ts)
    except NotFound as exc:
        raise not_found(System.SCHEDULING, str(exc)) from None
    except Rejected as exc:
        raise _rejected(exc) from None
    return {"appointment": appointment.as_json()}


def _rejected(exc: Rejected) -> ApiError:
    return coded(409, exc.code, exc.message)
