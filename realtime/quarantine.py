"""A stream that has shown it is not a phone line: heard no more, held at a crawl, its number refused.

Twilio's media server sends audio at real time, sends well-formed frames no bigger than a few
kilobytes, and echoes every mark once its audio has played (PROTOCOLS.md §1). A stream that
breaks one of these for good — not a jittery burst, not one late mark — is not a caller on a
phone: it is someone replaying a signed upgrade, or a broken client. The per-frame bounds
(realtime/bounds.py) already stop it from growing memory or taking more than real time from the
recognizer; but while it still counts as a call it has turns decoded, replies thought out and
synthesized, and silence prompts spoken: a real caller's share of a small machine, taken by
something nobody hears. So once the evidence is in:

1. **Heard no more.** The call's tasks stop (no recognition, no brain, no synthesis) and its
   workflow is told at once that the call ended with `protocol_error`.
2. **Held at a crawl.** The socket stays open and is read one frame per
   `quarantine_read_every_s`, for at most `quarantine_s`. Closing it at once would invite the
   sender straight back through the webhook as a new call (a new workflow, a new greeting, a
   new wrap-up each time: measured with bench/hostile.py, that churn costs more than the stream
   did); the slow read makes TCP's own flow control slow the sender down, at no cost here.
3. **Its number refused for a while.** The caller number is remembered (keyed, never in clear)
   for `OFFENDER_COOLDOWN_S`; `POST /twilio/voice` answers its calls with `<Reject
   reason="busy">` and starts nothing. That covers what cannot be held: a frame past the
   WebSocket layer's size limit closes the socket there (1009) before any of our code runs.

Caller IDs that are not a dialable number ("anonymous", empty) are never remembered: one
stream must not get every caller without caller ID refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Literal

from realtime import twilio_media
from realtime.bounds import StreamLimits

__all__ = ["OFFENDER_COOLDOWN_S", "Offenders", "Why", "evidence", "hold"]

Why = Literal["audio_too_fast", "bad_frames", "marks_never_echoed", "oversized_frame"]

# Long enough that a sender who is refused gives up on this number; short enough that a
# number freed of whatever misbehaved behind it is back within the hour.
OFFENDER_COOLDOWN_S = 600.0
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def evidence(
    limits: StreamLimits,
    *,
    dropped_audio_ms: float,
    bad_frames: int,
    max_bad_frames: int,
    marks_echoed: int,
    first_overdue_at: float | None,
    now: float,
) -> Why | None:
    """Why this stream is not a phone line, or None while it may still be one.

    Args:
        limits: The process's stream limits (the thresholds).
        dropped_audio_ms: Audio dropped for coming faster than real time (realtime/inbound.py):
            a jittery network bunches frames within the burst allowance; seconds past it are
            a sender that is not pacing.
        bad_frames: Frames that were not Twilio messages.
        max_bad_frames: How many of those a stream may send.
        marks_echoed: Marks the stream echoed.
        first_overdue_at: When a mark first fell due unechoed (realtime/speaker.py), or None.
            Counting marks would not do: a sender that talks over every reply has its sentences
            cut before their marks go out. A late echo (a stalled loop, a slow network) arrives
            within a second or two; seconds after, with not one echoed, nothing is playing.
        now: The monotonic time now.
    """
    if dropped_audio_ms > limits.suspect_dropped_audio_ms:
        return "audio_too_fast"
    if bad_frames > max_bad_frames:
        return "bad_frames"
    unechoed_s = 0.0 if first_overdue_at is None else now - first_overdue_at
    if marks_echoed == 0 and unechoed_s >= limits.suspect_unechoed_s:
        return "marks_never_echoed"
    return None


async def hold(receive: Callable[[], Awaitable[str | bytes | None]], limits: StreamLimits) -> None:
    """Read the stream at a crawl, hearing nothing, until it goes, says `stop`, or the hold is over.

    Args:
        receive: The next frame of the socket, or None once it is gone.
        limits: `quarantine_s` and `quarantine_read_every_s`.
    """
    try:
        async with asyncio.timeout(limits.quarantine_s):
            while (raw := await receive()) is not None:
                if isinstance(raw, str) and '"stop"' in raw and _is_stop(raw):
                    return
                await asyncio.sleep(limits.quarantine_read_every_s)
    except TimeoutError:
        return


def _is_stop(raw: str) -> bool:
    try:
        return isinstance(twilio_media.parse_inbound(raw), twilio_media.Stop)
    except twilio_media.ProtocolError:
        return False


class Offenders:
    """Caller numbers whose stream was quarantined lately, refused at the webhook until cooled down.

    In one process's memory (each API replica keeps its own); at most `capacity` numbers, the
    oldest forgotten first. Numbers are kept as keyed hashes, under a key made per process.
    """

    def __init__(
        self,
        cooldown_s: float = OFFENDER_COOLDOWN_S,
        capacity: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Remember offenders for `cooldown_s`, at most `capacity` of them."""
        self.cooldown_s = cooldown_s
        self.capacity = capacity
        self._clock = clock
        self._key = os.urandom(16)
        self._until: OrderedDict[bytes, float] = OrderedDict()

    def _id(self, number: str) -> bytes | None:
        if not _E164.match(number):
            return None
        return hashlib.blake2b(number.encode(), key=self._key, digest_size=16).digest()

    def flag(self, number: str) -> None:
        """The stream of a call from `number` was quarantined: refuse its calls for a while."""
        key = self._id(number)
        if key is None:
            return
        self._until.pop(key, None)
        self._until[key] = self._clock() + self.cooldown_s
        while len(self._until) > self.capacity:
            self._until.popitem(last=False)

    def refuses(self, number: str) -> bool:
        """Whether a call from `number` is refused now."""
        key = self._id(number)
        until = None if key is None else self._until.get(key)
        if key is None or until is None:
            return False
        if until <= self._clock():
            del self._until[key]
            return False
        return True
