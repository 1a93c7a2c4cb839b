"""The phone call itself, over Twilio's REST API: warm transfer and hang-up.

Both are idempotent, because Temporal retries an activity whose response was
lost. A hang-up is idempotent by nature: completing a call that is already over
answers 20404 (unknown call) or 21220 (not in progress), and either means the
job is done. A transfer is made idempotent by looking before acting: a call
that is over needs no transfer, and a call that already has a child leg to the
human (Twilio lists it by `ParentCallSid`) was transferred by an earlier
attempt — redirecting it again would ring the human twice.

The transfer TwiML dials `CALLENGINE_HUMAN_QUEUE`: a phone number (E.164) or a
SIP URI gets `<Dial><Number|Sip url=whisper>`, so the human hears the handoff
summary (served by the API's `/twilio/whisper`) after answering and before the
caller is connected; a queue name gets `<Enqueue>`, and the person who takes
it reads the handoff ticket.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Literal, TypeVar
from urllib.parse import urlencode

import aiohttp
from pydantic import BaseModel
from temporalio import activity
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import Dial, VoiceResponse

from activities import errors, validation
from activities._heartbeat import heartbeating
from callengine.settings import BackendSettings

PHONE_TARGET = re.compile(r"^\+[1-9]\d{6,14}$")
# Twilio error codes that mean "this call is over" (PROTOCOLS.md §2, Twilio's error dictionary).
CALL_NOT_FOUND = 20404
CALL_NOT_IN_PROGRESS = 21220
FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
T = TypeVar("T")


class TransferInput(BaseModel):
    """Move a live call to the human queue."""

    call_sid: str
    target: str  # CALLENGINE_HUMAN_QUEUE: +E.164, sip:…, or a queue name
    caller_id: str | None = None  # the number the caller dialled, shown to the human
    ticket_id: validation.BackendId | None = None  # the handoff ticket, named in the whisper URL


class HangUpInput(BaseModel):
    """End a live call."""

    call_sid: str


class TelephonyResult(BaseModel):
    """What happened to the call."""

    outcome: Literal["transferred", "already_transferred", "hung_up", "caller_gone"]
    leg_sid: str | None = None  # the child call to the human, when Twilio created one


def transfer_twiml(target: str, whisper_url: str, caller_id: str | None) -> str:
    """The TwiML that hands the caller to a person (built with the SDK, so it is always valid)."""
    response = VoiceResponse()
    if PHONE_TARGET.match(target) or target.startswith("sip:"):
        dial = Dial(caller_id=caller_id) if caller_id else Dial()
        if target.startswith("sip:"):
            dial.sip(target, url=whisper_url)
        else:
            dial.number(target, url=whisper_url)
        response.append(dial)
    else:
        response.enqueue(target)
    return str(response)


class TelephonyActivities:
    """Actions on a live Twilio call."""

    def __init__(self, http: object, settings: BackendSettings) -> None:
        # The httpx client of the other activities is not used: the Twilio SDK brings its own.
        self._s = settings

    def _client(self) -> tuple[Client, AsyncTwilioHttpClient]:
        http = AsyncTwilioHttpClient(timeout=self._s.http_timeout_s)
        client = Client(self._s.twilio_account_sid, self._s.twilio_auth_token, http_client=http)
        # The SDK has no base-URL setting; its API domain carries the host (sandbox in dev/tests).
        client.api.base_url = self._s.twilio_base_url
        return client, http

    @activity.defn(name="twilio.transfer")
    @heartbeating
    async def transfer(self, inp: TransferInput) -> TelephonyResult:
        """Redirect the live call to the human queue, once."""
        client, http = self._client()
        try:
            call = await _twilio(client.calls(inp.call_sid).fetch_async())
            if call is None or call.status in FINAL_STATUSES:
                return TelephonyResult(outcome="caller_gone")
            dialing = PHONE_TARGET.match(inp.target) or inp.target.startswith("sip:")
            if dialing:
                legs = await _twilio(client.calls.list_async(parent_call_sid=inp.call_sid, limit=5))
                if legs:
                    return TelephonyResult(outcome="already_transferred", leg_sid=legs[0].sid)
            query = {"CallSid": inp.call_sid} | ({"ticket": str(inp.ticket_id)} if inp.ticket_id else {})
            whisper = f"{self._s.api_public_url}/twilio/whisper?{urlencode(query)}"
            twiml = transfer_twiml(inp.target, whisper, inp.caller_id)
            updated = await _twilio(client.calls(inp.call_sid).update_async(twiml=twiml))
            if updated is None:
                return TelephonyResult(outcome="caller_gone")
            leg = None
            if dialing:
                legs = await _twilio(client.calls.list_async(parent_call_sid=inp.call_sid, limit=1))
                leg = legs[0].sid if legs else None
            return TelephonyResult(outcome="transferred", leg_sid=leg)
        finally:
            await http.close()

    @activity.defn(name="twilio.hang_up")
    @heartbeating
    async def hang_up(self, inp: HangUpInput) -> TelephonyResult:
        """Complete the live call; a call that is already over counts as done."""
        client, http = self._client()
        try:
            updated = await _twilio(client.calls(inp.call_sid).update_async(status="completed"))
            return TelephonyResult(outcome="hung_up" if updated is not None else "caller_gone")
        finally:
            await http.close()


async def _twilio(request: Awaitable[T]) -> T | None:
    """Await one SDK request; None when Twilio says the call is gone. Errors mapped for retries."""
    try:
        return await request
    except TwilioRestException as e:
        if e.code in (CALL_NOT_FOUND, CALL_NOT_IN_PROGRESS) or e.status == 404:
            return None
        if e.status in (401, 403):
            raise errors.auth_failed("Twilio") from None
        if e.status == 429 or e.status >= 500:
            raise errors.unavailable(f"Twilio answered {e.status}") from None
        raise errors.rejected(f"Twilio refused the request ({e.status}, code {e.code})") from None
    except (TimeoutError, OSError, aiohttp.ClientError) as e:
        raise errors.unavailable(f"Twilio unreachable: {type(e).__name__}") from e
