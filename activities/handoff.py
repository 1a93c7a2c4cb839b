"""Handoff to a human: the escalation record a person picks up.

The record is a high-priority Zendesk ticket in the human queue carrying what
the seed article says a handoff needs — summary, reason, call duration and
customer id — so the person who takes the call never asks the caller to
repeat themselves. Moving the phone call itself is the telephony layer's job.
"""

from __future__ import annotations

import httpx
from pydantic import BaseModel
from temporalio import activity

from activities import validation
from activities._heartbeat import heartbeating
from activities.tickets import CreateTicketInput, ZendeskClient
from callengine.settings import BackendSettings


class HandoffInput(BaseModel):
    """Why and with what context a call goes to a person."""

    call_id: str
    reason: str
    summary: str
    duration_s: int
    queue: str
    idempotency_key: str
    customer_id: str | None = None
    intent: str | None = None


class HandoffResult(BaseModel):
    """Where the handoff landed."""

    ticket_id: validation.BackendId
    queue: str


class HandoffActivities:
    """Escalation records."""

    def __init__(self, http: httpx.AsyncClient, settings: BackendSettings) -> None:
        self._zendesk = ZendeskClient(http, settings)

    @activity.defn(name="handoff.escalate")
    @heartbeating
    async def escalate(self, inp: HandoffInput) -> HandoffResult:
        """Record the escalation as an urgent ticket in the human queue, once."""
        minutes, seconds = divmod(max(0, inp.duration_s), 60)
        description = "\n".join(
            [
                f"Escalated by the AI agent: {inp.reason.replace('_', ' ')}.",
                f"Customer: {inp.customer_id or 'not identified'}",
                f"Intent: {inp.intent or 'unknown'}",
                f"Call duration: {minutes}m {seconds:02d}s",
                f"Call: {inp.call_id}",
                "",
                inp.summary,
            ]
        )
        ticket = await self._zendesk.create_ticket(
            CreateTicketInput(
                subject=f"Handoff: {inp.reason.replace('_', ' ')}",
                description=description,
                idempotency_key=inp.idempotency_key,
                call_id=inp.call_id,
                customer_id=inp.customer_id,
                priority="high",
                tags=["handoff", f"reason_{inp.reason}", f"queue_{inp.queue}"],
            )
        )
        return HandoffResult(ticket_id=ticket.ticket_id, queue=inp.queue)
