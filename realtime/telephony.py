"""Ending a call or handing it to a person, behind one small interface.

Two ways, chosen by `CALLENGINE_TELEPHONY`:

* `rest` (production with Twilio credentials, and the local stack): the session's `ended`
  signal asks the call's workflow to act on the live call over Twilio's REST API — complete
  it, or redirect it to `<Dial>` the human queue with a whisper of the handoff summary
  (activities/telephony.py: durable, retried, idempotent). Twilio then stops the media
  stream itself. The session only waits for that, and if the workflow reports the REST call
  failed (or nothing happens in time) closes the stream, so the next way still routes the call.
* `stream`: the session ends the media stream; Twilio then requests the `<Connect action>`
  URL, and `/twilio/fallback` reads the workflow to answer `<Hangup/>` (a clean goodbye) or
  `<Enqueue>` to the human queue (an escalation, or anything unclean).
"""

from __future__ import annotations

import abc
import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

# How long Twilio may take to stop the stream after the REST action succeeded.
STREAM_STOP_GRACE_S = 5.0
# How long the workflow may take to act (PHONE_OPTIONS' schedule-to-close, plus slack).
ACTION_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Handoff:
    """What the human queue needs to know."""

    queue: str
    reason: str
    ticket_id: str | None = None  # opaque help-desk id


class Telephony(abc.ABC):
    """Actions on the phone call itself (not its media stream)."""

    # True: the workflow performs the action (the session passes it with the `ended` signal).
    by_workflow = False

    @abc.abstractmethod
    async def hang_up(self, call_sid: str) -> None:
        """End the call after a goodbye."""

    @abc.abstractmethod
    async def transfer(self, call_sid: str, handoff: Handoff) -> None:
        """Move the caller to a person."""


class StreamTelephony(Telephony):
    """Ends the media stream and lets the `<Connect action>` webhook route the call."""

    def __init__(self, close_stream: Callable[[], Awaitable[None]]) -> None:
        self._close = close_stream

    async def hang_up(self, call_sid: str) -> None:
        """Close the stream; the fallback answers `<Hangup/>` for a clean end."""
        await self._close()

    async def transfer(self, call_sid: str, handoff: Handoff) -> None:
        """Close the stream; the fallback enqueues the caller to `handoff.queue`."""
        await self._close()


class RestTelephony(Telephony):
    """Twilio REST, performed by the call's workflow; this side waits for Twilio to stop the stream.

    Args:
        close_stream: Ends the media stream (the fallback route, if REST did not work).
        phone_outcome: Reads the workflow's record of the REST action (`CallState.phone`):
            None while it runs, "failed" when Twilio could not be reached.
    """

    by_workflow = True

    def __init__(
        self,
        close_stream: Callable[[], Awaitable[None]],
        phone_outcome: Callable[[], Awaitable[str | None]],
        *,
        poll_s: float = 0.2,
    ) -> None:
        self._close = close_stream
        self._outcome = phone_outcome
        self._poll_s = poll_s

    async def hang_up(self, call_sid: str) -> None:
        """Twilio completes the call and stops the stream; close it ourselves if it does not."""
        await self._await_twilio()

    async def transfer(self, call_sid: str, handoff: Handoff) -> None:
        """Twilio redirects the call to the human queue and stops the stream; else the fallback does."""
        await self._await_twilio()

    async def _await_twilio(self) -> None:
        # Normally this task is cancelled by the stream's `stop` before it returns.
        deadline = time.monotonic() + ACTION_TIMEOUT_S
        outcome = None
        while outcome is None and time.monotonic() < deadline:
            try:
                outcome = await self._outcome()
            except Exception:
                outcome = None  # Temporal is briefly unreachable: keep waiting, within the deadline
            if outcome is None:
                await asyncio.sleep(self._poll_s)
        if outcome not in (None, "failed"):
            await asyncio.sleep(STREAM_STOP_GRACE_S)
        await self._close()
