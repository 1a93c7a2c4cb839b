"""Appointments (scheduling REST API): list, offer open slots, reschedule once.

Every call takes the verified customer id; an appointment that belongs to
someone else is "not found", exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel
from temporalio import activity

from activities import errors, validation
from activities._heartbeat import heartbeating
from activities._http import BackendApi, segment
from callengine.settings import BackendSettings

NOT_FOUND_MESSAGE = "no appointment with that id on this account"


class AppointmentSummary(BaseModel):
    """What the agent may say about one appointment."""

    appointment_id: str
    service: str
    starts_at: str
    status: str


class Appointments(BaseModel):
    """Soonest first."""

    appointments: list[AppointmentSummary]


class OpenSlotsInput(BaseModel):
    """Open slots for the service of one of the customer's appointments."""

    customer_id: str
    appointment_id: str
    limit: int = 3
    after: str | None = None


class Slots(BaseModel):
    """Times the agent may offer, soonest first."""

    service: str
    starts_at: list[str]


class RescheduleInput(BaseModel):
    """Move one appointment to an open slot, once per idempotency key."""

    customer_id: str
    appointment_id: str
    starts_at: str
    idempotency_key: str


class CustomerAppointmentsInput(BaseModel):
    """A verified customer."""

    customer_id: str


def _summary(a: dict[str, Any]) -> AppointmentSummary:
    return AppointmentSummary(
        appointment_id=validation.backend_id(a.get("id"), "Scheduling"),
        service=str(a["service"]),
        starts_at=str(a["starts_at"]),
        status=str(a["status"]),
    )


class AppointmentsActivities:
    """Activities against the scheduling API (`/scheduling/v1`)."""

    def __init__(self, http: httpx.AsyncClient, settings: BackendSettings) -> None:
        self._api = BackendApi(
            http,
            "Scheduling",
            settings.scheduling_base_url.rstrip("/") + "/scheduling/v1",
            {"Authorization": f"Bearer {settings.scheduling_token}"},
            settings.http_timeout_s,
            NOT_FOUND_MESSAGE,
        )

    async def _owned(self, appointment_id: str, customer_id: str) -> dict[str, Any]:
        aid = validation.checked(validation.opaque_id, appointment_id)
        appt = (await self._api.call("GET", f"/appointments/{segment(aid)}")).get("appointment")
        if not isinstance(appt, dict) or str(appt.get("customer_id")) != customer_id:
            raise errors.not_found(NOT_FOUND_MESSAGE)
        return appt

    @activity.defn(name="appointments.list_appointments")
    async def list_appointments(self, inp: CustomerAppointmentsInput) -> Appointments:
        """The caller's appointments."""
        body = await self._api.call("GET", "/appointments", params={"customer_id": inp.customer_id})
        return Appointments(
            appointments=[
                _summary(a)
                for a in body.get("appointments", [])
                if str(a.get("customer_id")) == inp.customer_id
            ]
        )

    @activity.defn(name="appointments.open_slots")
    async def open_slots(self, inp: OpenSlotsInput) -> Slots:
        """Up to `limit` open times for the caller's appointment's service, on different days.

        Three times on one morning is not a choice; the soonest time of each of
        the next days is.
        """
        appt = await self._owned(inp.appointment_id, inp.customer_id)
        limit = max(1, min(inp.limit, 10))
        params = {"service": str(appt["service"]), "limit": "50"}
        if inp.after:
            params["after"] = inp.after
        body = await self._api.call("GET", "/slots", params=params)
        chosen: list[str] = []
        days: set[str] = set()
        for slot in body.get("slots", []):
            start = str(slot["starts_at"])
            if start[:10] not in days:
                days.add(start[:10])
                chosen.append(start)
            if len(chosen) == limit:
                break
        return Slots(service=str(appt["service"]), starts_at=chosen)

    @activity.defn(name="appointments.reschedule")
    @heartbeating
    async def reschedule(self, inp: RescheduleInput) -> AppointmentSummary:
        """Move the caller's appointment to an open slot."""
        appt = await self._owned(inp.appointment_id, inp.customer_id)
        if appt.get("starts_at") == inp.starts_at:
            # Already there (a retry whose first answer was lost): done, not an error.
            return _summary(appt)
        body = await self._api.call(
            "POST",
            f"/appointments/{segment(validation.backend_id(appt.get('id'), 'Scheduling'))}/reschedule",
            json={"starts_at": inp.starts_at},
            idempotency_key=inp.idempotency_key,
        )
        moved = body.get("appointment")
        if not isinstance(moved, dict):
            raise errors.unavailable("Scheduling sent an appointment without a body")
        return _summary(moved)
