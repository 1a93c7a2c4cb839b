"""Tickets (Zendesk Support API): create once, comment once.

A ticket is the promise we make to a caller we could not help on the call,
so creating it must survive retries without duplicating: the idempotency key
(workflow id + step) goes both in Zendesk's `Idempotency-Key` header and in
the ticket's `external_id`, and a retry first looks the ticket up by
`external_id` — that still works after Zendesk's idempotency window expires.
"""

from __future__ import annotations

import base64
from typing import Literal

import httpx
from pydantic import BaseModel
from temporalio import activity

from activities import errors, validation
from activities._heartbeat import heartbeating
from activities._http import BackendApi, segment
from callengine.settings import BackendSettings

Priority = Literal["low", "normal", "high", "urgent"]


class CreateTicketInput(BaseModel):
    """A ticket to open for a caller."""

    subject: str
    description: str
    idempotency_key: str
    call_id: str
    customer_id: str | None = None
    priority: Priority = "normal"
    tags: list[str] = []


class TicketRef(BaseModel):
    """The ticket that exists now. Its id is opaque (Zendesk's are integers, other desks' not)."""

    ticket_id: validation.BackendId
    status: str


class CommentInput(BaseModel):
    """An internal note on a ticket, once per idempotency key."""

    ticket_id: validation.BackendId
    body: str
    idempotency_key: str


class ZendeskClient:
    """A thin Zendesk API client shared by tickets, knowledge and handoff."""

    def __init__(self, http: httpx.AsyncClient, settings: BackendSettings) -> None:
        creds = f"{settings.zendesk_email}/token:{settings.zendesk_token}".encode()
        self.api = BackendApi(
            http,
            "Zendesk",
            settings.zendesk_base_url.rstrip("/") + "/api/v2",
            {"Authorization": "Basic " + base64.b64encode(creds).decode()},
            settings.http_timeout_s,
            "no such ticket",
        )

    async def create_ticket(self, inp: CreateTicketInput) -> TicketRef:
        """Create the ticket unless one with this idempotency key exists."""
        subject = inp.subject.strip()[:150]
        if not subject or not inp.description.strip():
            raise errors.invalid_input("a ticket needs a subject and a description")
        existing = await self.api.call("GET", "/tickets.json", params={"external_id": inp.idempotency_key})
        for t in existing.get("tickets", []):
            return TicketRef(
                ticket_id=validation.backend_id(t.get("id"), "Zendesk"), status=str(t.get("status", "new"))
            )
        custom = [{"id": 1, "value": inp.call_id}]
        if inp.customer_id:
            custom.append({"id": 2, "value": inp.customer_id})
        body = await self.api.call(
            "POST",
            "/tickets.json",
            idempotency_key=inp.idempotency_key,
            json={
                "ticket": {
                    "subject": subject,
                    "comment": {"body": inp.description[:60000], "public": False},
                    "priority": inp.priority,
                    "type": "incident",
                    "tags": ["callengine", *inp.tags],
                    "external_id": inp.idempotency_key,
                    "custom_fields": custom,
                }
            },
        )
        ticket = body.get("ticket")
        if not isinstance(ticket, dict):
            raise errors.unavailable("Zendesk sent a ticket without a body")
        return TicketRef(
            ticket_id=validation.backend_id(ticket.get("id"), "Zendesk"),
            status=str(ticket.get("status", "new")),
        )


class TicketsActivities:
    """Ticket activities for the agent and the wrap-up."""

    def __init__(self, http: httpx.AsyncClient, settings: BackendSettings) -> None:
        self._zendesk = ZendeskClient(http, settings)

    @activity.defn(name="tickets.create_ticket")
    @heartbeating
    async def create_ticket(self, inp: CreateTicketInput) -> TicketRef:
        """Open a ticket for follow-up (exactly once per idempotency key)."""
        return await self._zendesk.create_ticket(inp)

    @activity.defn(name="tickets.add_comment")
    @heartbeating
    async def add_comment(self, inp: CommentInput) -> TicketRef:
        """Add an internal note to a ticket."""
        if not inp.body.strip():
            raise errors.invalid_input("a comment needs a body")
        body = await self._zendesk.api.call(
            "PUT",
            f"/tickets/{segment(inp.ticket_id)}.json",
            idempotency_key=inp.idempotency_key,
            json={"ticket": {"comment": {"body": inp.body[:60000], "public": False}}},
        )
        ticket = body.get("ticket") or {}
        return TicketRef(ticket_id=inp.ticket_id, status=str(ticket.get("status", "open")))
