"""CRM: find the caller, check their second factor, read their profile, leave a note.

Identity is the gate to every account lookup, so this module is careful about
what it returns: `find_customer` says only *whether* one customer matched
(and its id, for the workflow to hold); nothing about the customer is
disclosed until `verify_customer` has confirmed the second factor.
"""

from __future__ import annotations

import hmac

import httpx
from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import errors, names, validation
from activities._heartbeat import heartbeating
from activities._http import BackendApi, segment
from callengine.settings import BackendSettings


class FindCustomerInput(BaseModel):
    """Exactly one way to find a customer."""

    phone: str | None = None
    email: str | None = None
    customer_id: str | None = None


class FindCustomerResult(BaseModel):
    """Whether exactly one customer matched. Several matches count as none."""

    found: bool
    customer_id: str | None = None


class VerifyInput(BaseModel):
    """The factors a caller claims for one candidate customer.

    The ZIP and, unless caller ID found them, one more that neighbours do not share
    (histories recorded with the ZIP only still decode: the extra factors are optional).
    """

    customer_id: str
    zip: str
    phone_last4: str | None = None
    name: str | None = None
    pin: str | None = None


class VerifyResult(BaseModel):
    """The second factor matched or not; the real value never leaves the activity."""

    verified: bool


class CustomerRef(BaseModel):
    """A verified customer."""

    customer_id: str


class CustomerProfile(BaseModel):
    """What the agent may tell a verified caller about their account."""

    customer_id: str
    first_name: str
    email: str
    plan: str
    status: str
    balance_cents: int


class AddNoteInput(BaseModel):
    """A note on the customer's CRM record (written once per idempotency key)."""

    customer_id: str
    body: str
    call_id: str
    idempotency_key: str


class NoteResult(BaseModel):
    """The note that exists now."""

    note_id: validation.BackendId


def _same(claimed: str, actual: str) -> bool:
    return hmac.compare_digest(claimed.encode(), actual.encode())


class CrmActivities:
    """Activities against the CRM REST API (`/crm/v1`)."""

    def __init__(self, http: httpx.AsyncClient, settings: BackendSettings) -> None:
        self._api = BackendApi(
            http,
            "CRM",
            settings.crm_base_url.rstrip("/") + "/crm/v1",
            {"Authorization": f"Bearer {settings.crm_token}"},
            settings.http_timeout_s,
            "no such customer",
        )

    async def _customer(self, customer_id: str) -> dict[str, object]:
        cid = validation.checked(validation.opaque_id, customer_id)
        body = await self._api.call("GET", f"/customers/{segment(cid)}")
        customer = body.get("customer")
        if not isinstance(customer, dict):
            raise errors.unavailable("CRM sent a customer without a body")
        return customer

    @activity.defn(name="crm.find_customer")
    async def find_customer(self, inp: FindCustomerInput) -> FindCustomerResult:
        """Match a caller to one CRM record by phone, e-mail or id."""
        given = [k for k in ("phone", "email", "customer_id") if getattr(inp, k)]
        if len(given) != 1:
            raise errors.invalid_input("give exactly one of phone, email or customer id")
        if inp.customer_id:
            try:
                customer = await self._customer(inp.customer_id)
            except ApplicationError as e:
                if e.type == errors.NOT_FOUND:
                    return FindCustomerResult(found=False)
                raise
            cid = validation.backend_id(customer.get("id"), "CRM")
            return FindCustomerResult(found=True, customer_id=cid)
        if inp.phone:
            params = {"phone": validation.checked(validation.phone, inp.phone)}
        else:
            params = {"email": validation.checked(validation.email, inp.email or "")}
        body = await self._api.call("GET", "/customers", params=params)
        matches = body.get("customers")
        if not isinstance(matches, list):
            raise errors.unavailable("CRM sent a search without results")
        if len(matches) != 1:
            # A shared family phone or a duplicate record: ask for something more
            # specific rather than guess which account the caller means.
            return FindCustomerResult(found=False)
        return FindCustomerResult(found=True, customer_id=validation.backend_id(matches[0].get("id"), "CRM"))

    @activity.defn(name="crm.verify_customer")
    async def verify_customer(self, inp: VerifyInput) -> VerifyResult:
        """Compare every claimed factor with the record, in constant time; all must match.

        Every factor given is compared (no early exit), so the time taken does not
        tell which one was wrong. A PIN claimed for a record without one never matches.
        """
        claimed = validation.checked(validation.zip_code, inp.zip)
        last4 = validation.checked(validation.phone_last4, inp.phone_last4) if inp.phone_last4 else None
        pin = validation.checked(validation.pin, inp.pin) if inp.pin else None
        name = validation.checked(validation.person_name, inp.name) if inp.name else None
        customer = await self._customer(inp.customer_id)
        checks = [_same(claimed, str(customer.get("zip", ""))[:5])]
        if last4 is not None:
            on_file = "".join(c for c in str(customer.get("phone", "")) if c.isdigit())
            checks.append(_same(last4, on_file[-4:] if len(on_file) >= 4 else ""))
        if pin is not None:
            record_pin = customer.get("pin")
            checks.append(record_pin is not None and _same(pin, str(record_pin)))
        if name is not None:
            checks.append(names.same_person_name(name, str(customer.get("name", ""))))
        return VerifyResult(verified=all(checks))

    @activity.defn(name="crm.get_profile")
    async def get_profile(self, inp: CustomerRef) -> CustomerProfile:
        """The account facts a verified caller asks about: plan, status, balance."""
        c = await self._customer(inp.customer_id)
        return CustomerProfile(
            customer_id=validation.backend_id(c.get("id"), "CRM"),
            first_name=str(c.get("name", "")).split(" ")[0],
            email=str(c.get("email", "")),
            plan=str(c.get("plan", "")),
            status=str(c.get("status", "")),
            balance_cents=int(str(c.get("balance_cents", 0))),
        )

    @activity.defn(name="crm.add_note")
    @heartbeating
    async def add_note(self, inp: AddNoteInput) -> NoteResult:
        """Leave the call summary on the customer's record, once."""
        cid = validation.checked(validation.opaque_id, inp.customer_id)
        body = await self._api.call(
            "POST",
            f"/customers/{segment(cid)}/notes",
            json={"body": inp.body[:5000], "call_id": inp.call_id},
            idempotency_key=inp.idempotency_key,
        )
        note = body.get("note")
        if not isinstance(note, dict):
            raise errors.unavailable("CRM sent a note without a body")
        return NoteResult(note_id=validation.backend_id(note.get("id"), "CRM"))
