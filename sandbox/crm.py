"""CRM emulation: customer lookup and notes (`/crm/v1`)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import AfterValidator, BaseModel, Field

from sandbox.auth import require
from sandbox.errors import System, coded, not_found
from sandbox.records import NoteRow, NotFound
from sandbox.seed import EMAIL
from sandbox.state import StoreDep

JSON = dict[str, Any]
PREFIX = "/crm/v1"
PHONE = re.compile(r"^\+\d{8,15}$")

router = APIRouter(prefix=PREFIX, tags=["crm"], dependencies=[Depends(require(System.CRM))])


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


class NoteIn(BaseModel):
    body: Annotated[str, Field(min_length=1, max_length=5000), AfterValidator(_not_blank)]
    call_id: Annotated[str, Field(max_length=200)] | None = None


def render_note(note: NoteRow) -> JSON:
    """A note as the CRM returns it."""
    return {
        "id": note.id,
        "customer_id": note.customer_id,
        "body": note.body,
        "call_id": note.call_id,
        "created_at": note.created_at,
    }


@router.get("/customers")
async def find_customers(store: StoreDep, phone: str | None = None, email: str | None = None) -> JSON:
    """Exact-match lookup by E.164 phone or by email (exactly one of them)."""
    if (phone is None) == (email is None):
        raise coded(400, "invalid_request", "give exactly one of the query parameters phone or email")
    if phone is not None:
        if not PHONE.match(phone):
            # A raw "+" in a query string arrives as a space; say so, it is the usual cause.
            raise coded(
                422, "invalid_phone", "phone must be E.164, e.g. +14155550101 (URL-encode '+' as %2B)"
            )
        return {"customers": store.find_customers(phone=phone)}
    assert email is not None
    if not EMAIL.match(email):
        raise coded(422, "invalid_email", "email is not a valid address")
    return {"customers": store.find_customers(email=email)}


@router.get("/customers/{customer_id}")
async def get_customer(customer_id: str, store: StoreDep) -> JSON:
    """One customer record."""
    customer = store.get_customer(customer_id)
    if customer is None:
        raise not_found(System.CRM, f"customer {customer_id} not found")
    return {"customer": customer}


@router.post("/customers/{customer_id}/notes", status_code=201)
async def add_note(customer_id: str, note: NoteIn, store: StoreDep) -> JSON:
    """Attach a note (e.g. a call summary) to a customer."""
    try:
        row = store.add_note(customer_id, note.body, note.call_id)
    except NotFound as exc:
        raise not_found(System.CRM, str(exc)) from None
    return {"note": render_note(row)}


@router.get("/customers/{customer_id}/notes")
async def list_notes(customer_id: str, store: StoreDep) -> JSON:
    """A customer's notes, oldest first."""
    try:
        notes = store.list_notes(customer_id)
    except NotFound as exc:
        raise not_found(System.CRM, str(exc)) from None
    return {"notes": [render_note(n) for n in notes]}
