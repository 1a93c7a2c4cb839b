"""Ending a call or handing it to a person, behind one small interface.

The local implementation ends the media stream: Twilio then requests the
`<Connect action>` URL, and `/twilio/fallback` reads the call's workflow to
answer with `<Hangup/>` (a clean goodbye) or `<Enqueue>` to the human queue
(an escalation, or anything unclean). The Twilio REST implementation (update
the live call) plugs in here for production.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Handoff:
    """What the human queue needs to know."""

    queue: str
    reason: str
    ticket_id: int | None = None


class Telephony(abc.ABC):
    """Actions on the phone call itself (not its media stream)."""

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
