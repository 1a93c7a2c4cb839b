"""Twilio Voice REST emulation: the live-call resource (`/2010-04-01/Accounts/{sid}/Calls`).

Just enough of Twilio's Programmable Voice API for what the agent does to a live
call — read it, redirect it to new TwiML (a warm transfer) or complete it (a
hang-up) — with Twilio's shapes: form-encoded updates, HTTP Basic auth as
`AccountSid:AuthToken`, snake_case call JSON with RFC 2822 dates, list pages
with `first_page_uri`/`next_page_uri`, and error bodies `{code, message,
more_info, status}` (20003 bad credentials, 20404 unknown call, 21220 a call
that is no longer in progress).

A redirect is *executed* the way Twilio would, so tests and the demo can see its
effect: `<Dial><Number url=…>` creates the child call leg to the human (the
`url` is the whisper the human hears first), `<Enqueue>` puts the call in a
queue, `<Hangup/>` completes it. Calls exist once the simulated phone network
(callengine/phone.py) registers them through `/_admin/twilio/calls` — as real
calls exist once someone dials in. State is in memory: calls are live things.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from sandbox.auth import require
from sandbox.errors import ApiError, System, twilio_error

JSON = dict[str, Any]
API_VERSION = "2010-04-01"
PREFIX = f"/{API_VERSION}/Accounts"
FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
_CALL_SID = r"^CA[0-9a-fA-F]{32}$"


def _rfc2822(moment: datetime | None) -> str | None:
    return None if moment is None else format_datetime(moment, usegmt=True)


@dataclass
class LiveCall:
    """One call leg as Twilio tracks it."""

    sid: str
    account_sid: str
    from_: str
    to: str
    direction: str = "inbound"
    status: str = "in-progress"
    parent_call_sid: str | None = None
    queue: str | None = None
    whisper_url: str | None = None
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated: datetime = field(default_factory=lambda: datetime.now(UTC))
    ended: datetime | None = None
    twiml: list[str] = field(default_factory=list)  # every TwiML the call was redirected to

    def as_json(self) -> JSON:
        """The call resource as Twilio renders it."""
        uri = f"{PREFIX}/{self.account_sid}/Calls/{self.sid}.json"
        duration = None if self.ended is None else str(int((self.ended - self.created).total_seconds()))
        return {
            "account_sid": self.account_sid,
            "annotation": None,
            "answered_by": None,
            "api_version": API_VERSION,
            "caller_name": None,
            "date_created": _rfc2822(self.created),
            "date_updated": _rfc2822(self.updated),
            "direction": self.direction,
            "duration": duration,
            "end_time": _rfc2822(self.ended),
            "forwarded_from": None,
            "from": self.from_,
            "from_formatted": self.from_,
            "group_sid": None,
            "parent_call_sid": self.parent_call_sid,
            "phone_number_sid": None,
            "price": None,
            "price_unit": "USD",
            "queue_time": "0",
            "sid": self.sid,
            "start_time": _rfc2822(self.created),
            "status": self.status,
            "subresource_uris": {"recordings": uri.replace(".json", "/Recordings.json")},
            "to": self.to,
            "to_formatted": self.to,
            "trunk_sid": None,
            "uri": uri,
        }

    def end(self, status: str = "completed") -> None:
        """The leg is over."""
        self.status = status
        self.ended = self.updated = datetime.now(UTC)


class TwilioCalls:
    """The live calls of every account, thread-safe (routes and tests share it)."""

    def __init__(self) -> None:
        self._calls: dict[str, LiveCall] = {}
        self._lock = threading.Lock()
        self._seq = itertools.count(1)

    def clear(self) -> None:
        """Forget every call (sandbox reset)."""
        with self._lock:
            self._calls.clear()

    def add(self, call: LiveCall) -> LiveCall:
        """Register a call (replacing a call with the same SID)."""
        with self._lock:
            self._calls[call.sid] = call
        return call

    def get(self, account_sid: str, sid: str) -> LiveCall | None:
        """One call of the account, or None."""
        call = self._calls.get(sid)
        return call if call is not None and call.account_sid == account_sid else None

    def children(self, account_sid: str, parent_sid: str | None, status: str | None) -> list[LiveCall]:
        """Calls of the account, newest first, filtered like `GET Calls.json`."""
        with self._lock:
            calls = [c for c in self._calls.values() if c.account_sid == account_sid]
        return sorted(
            (
                c
                for c in calls
                if (parent_sid is None or c.parent_call_sid == parent_sid)
                and (status is None or c.status == status)
            ),
            key=lambda c: c.created,
            reverse=True,
        )

    def new_sid(self) -> str:
        """A fresh, Call-SID-shaped id."""
        return f"CA{next(self._seq):08x}{secrets.token_hex(12)}"

    def redirect(self, call: LiveCall, twiml: str) -> None:
        """Execute new TwiML on a live call: what a transfer or hang-up does to it."""
        try:
            root = ET.fromstring(twiml)
        except ET.ParseError:
            raise twilio_error(400, 12100, "Document parse failure") from None
        if root.tag != "Response":
            raise twilio_error(400, 12102, "Invalid root element: Response expected")
        with self._lock:
            call.twiml.append(twiml)
            call.updated = datetime.now(UTC)
            call.queue = None
            for verb in root:
                if verb.tag == "Hangup":
                    call.end()
                    return
                if verb.tag == "Enqueue":
                    call.queue = (verb.text or "").strip()
                    return
                if verb.tag == "Dial":
                    for noun in verb:
                        if noun.tag in ("Number", "Sip", "Client"):
                            leg = self.new_sid()
                            self._calls[leg] = LiveCall(
                                sid=leg,
                                account_sid=call.account_sid,
                                from_=verb.get("callerId") or call.to,
                                to=(noun.text or "").strip(),
                                direction="outbound-dial",
                                parent_call_sid=call.sid,
                                whisper_url=noun.get("url"),
                            )
                        elif noun.tag == "Queue":
                            call.queue = (noun.text or "").strip()
                    if verb.text and verb.text.strip():  # <Dial>+15551234567</Dial>
                        leg = self.new_sid()
                        self._calls[leg] = LiveCall(
                            sid=leg,
                            account_sid=call.account_sid,
                            from_=call.to,
                            to=verb.text.strip(),
                            direction="outbound-dial",
                            parent_call_sid=call.sid,
                        )
                    return


def _same_account(request: Request, account_sid: str) -> None:
    """The credentials (checked by the router) must be for the account in the path."""
    if account_sid != request.app.state.sandbox.tokens.twilio_account_sid:
        raise twilio_error(403, 20003, "Permission denied: the credentials are for another account")


def calls_of(request: Request) -> TwilioCalls:
    """The app's call registry (FastAPI dependency)."""
    calls: TwilioCalls = request.app.state.sandbox.twilio
    return calls


Calls = Annotated[TwilioCalls, Depends(calls_of)]
router = APIRouter(prefix=PREFIX, tags=["twilio"], dependencies=[Depends(require(System.TWILIO))])


def _missing(account_sid: str, call_sid: str) -> ApiError:
    return twilio_error(
        404,
        20404,
        f"The requested resource /{API_VERSION}/Accounts/{account_sid}/Calls/{call_sid}.json was not found",
    )


@router.get("/{account_sid}/Calls/{call_sid}.json")
async def fetch_call(request: Request, account_sid: str, call_sid: str, calls: Calls) -> JSON:
    """`GET` one call."""
    _same_account(request, account_sid)
    call = calls.get(account_sid, call_sid)
    if call is None:
        raise _missing(account_sid, call_sid)
    return call.as_json()


@router.post("/{account_sid}/Calls/{call_sid}.json")
async def update_call(
    request: Request,
    account_sid: str,
    call_sid: str,
    calls: Calls,
) -> JSON:
    """Redirect a live call to new TwiML, or end it (`Status=completed|canceled`)."""
    _same_account(request, account_sid)
    # Form-encoded like every Twilio write; parsed here (no python-multipart for one form).
    form = dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
    twiml, url, status = form.get("Twiml"), form.get("Url"), form.get("Status")
    call = calls.get(account_sid, call_sid)
    if call is None:
        raise _missing(account_sid, call_sid)
    if sum(x is not None for x in (twiml, url, status)) != 1:
        raise twilio_error(400, 21218, "Exactly one of Twiml, Url or Status is required")
    if call.status in FINAL_STATUSES:
        raise twilio_error(400, 21220, "Call is not in-progress. Cannot redirect.")
    if status is not None:
        if status not in ("completed", "canceled"):
            raise twilio_error(400, 21218, f"Invalid value for Status: {status[:32]}")
        call.end(status)
    elif twiml is not None:
        calls.redirect(call, twiml)
    else:
        raise twilio_error(400, 21205, "Url redirects are not emulated; send Twiml")
    return call.as_json()


@router.get("/{account_sid}/Calls.json")
async def list_calls(
    request: Request,
    account_sid: str,
    calls: Calls,
    parent_call_sid: Annotated[str | None, Query(alias="ParentCallSid")] = None,
    status: Annotated[str | None, Query(alias="Status")] = None,
    size: Annotated[int, Query(alias="PageSize", ge=1, le=1000)] = 50,
) -> JSON:
    """`GET` the account's calls, filtered by parent call and status, one page."""
    _same_account(request, account_sid)
    found = calls.children(account_sid, parent_call_sid, status)[:size]
    uri = f"{PREFIX}/{account_sid}/Calls.json?PageSize={size}&Page=0"
    return {
        "calls": [c.as_json() for c in found],
        "end": max(0, len(found) - 1),
        "first_page_uri": uri,
        "next_page_uri": None,
        "page": 0,
        "page_size": size,
        "previous_page_uri": None,
        "start": 0,
        "uri": uri,
    }


# -------------------------------------------------------------- phone network


class CallIn(BaseModel):
    sid: Annotated[str, Field(pattern=_CALL_SID)]
    from_: Annotated[str, Field(alias="from", max_length=64)]
    to: Annotated[str, Field(max_length=64)]
    account_sid: str | None = None


admin_router = APIRouter(
    prefix="/_admin/twilio", tags=["admin"], dependencies=[Depends(require(System.ADMIN))]
)


@admin_router.post("/calls", status_code=201)
async def place_call(body: CallIn, request: Request, calls: Calls) -> JSON:
    """The phone network: a caller dialled in and the call is now in progress."""
    account = body.account_sid or request.app.state.sandbox.tokens.twilio_account_sid
    return calls.add(LiveCall(sid=body.sid, account_sid=account, from_=body.from_, to=body.to)).as_json()


@admin_router.post("/calls/{call_sid}/hangup")
async def caller_hangs_up(call_sid: str, request: Request, calls: Calls) -> JSON:
    """The phone network: the caller put the phone down."""
    call = calls.get(request.app.state.sandbox.tokens.twilio_account_sid, call_sid)
    if call is None:
        raise _missing("-", call_sid)
    if call.status not in FINAL_STATUSES:
        call.end()
    return call.as_json()


@admin_router.get("/calls/{call_sid}")
async def inspect_call(call_sid: str, request: Request, calls: Calls) -> JSON:
    """A call with what Twilio executed on it (TwiML redirects, child legs) — for tests and the demo."""
    account = request.app.state.sandbox.tokens.twilio_account_sid
    call = calls.get(account, call_sid)
    if call is None:
        raise _missing(account, call_sid)
    legs = calls.children(account, call_sid, None)
    return {
        "call": call.as_json(),
        "queue": call.queue,
        "twiml": list(call.twiml),
        "legs": [{**leg.as_json(), "whisper_url": leg.whisper_url} for leg in legs],
    }
