"""How much one media stream can make the server hold or do: the bounds and what happens past them.

Whoever holds a media socket drives it: a real Twilio stream, or anyone who replays a signed
upgrade. Nothing such a sender does may grow memory without end or take the shared recognizer
or event loop from other calls. Each bound has one overflow policy, chosen so that a real
caller's call stays right (a real Twilio line never reaches any of them):

| what | bound | past it |
|---|---|---|
| inbound audio | real time plus a 1 s burst (network jitter bunches frames) | frames dropped before VAD/STT |
| keypad events | 10 digits/s, bursts of 20 (Twilio sends a key press once) | extra digits dropped |
| keyed digits | 24 without `#` or a pause | answered as if `#` was pressed |
| turns waiting for the brain | 8 | the oldest dropped: the newest is what the caller says now |
| marks never echoed | the audio's play-out end + 2 s | treated as played, its audio freed |
| one sentence's audio | 60 s | the rest of the sentence dropped |
| one outgoing frame | 5 s waiting for the socket | the stream closed as lost (the far end stopped reading) |
| live streams per process | `CALLENGINE_MAX_CALLS` | upgrade refused: `<Connect action>` queues the caller |
| call length | `CALLENGINE_MAX_CALL_SECONDS` | a polite goodbye, the normal wrap-up |
| audio dropped for speed | 3 s in the call | the stream quarantined (realtime/quarantine.py) |
| frames that are not Twilio's | 50 in the call | the stream quarantined |
| a mark fallen due, none ever echoed | 5 s | the stream quarantined |

A quarantined stream is heard no more (its workflow ends with `protocol_error`), read at a
crawl for at most two minutes, and its caller number refused at the webhook for ten.

Every overflow counts in `callengine_stream_bounds_total{kind}` and is logged — at most once per
`LOG_EVERY_S` for each kind and call, with a count and never the frames themselves.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from realtime import metrics

__all__ = [
    "DEFAULT_MAX_CALL_SECONDS",
    "LOG_EVERY_S",
    "Kind",
    "Overflows",
    "RateBudget",
    "StreamLimits",
    "default_max_calls",
    "put_newest",
]

log = logging.getLogger("callengine.bounds")

Kind = Literal[
    "audio_too_fast",
    "dtmf_too_fast",
    "dtmf_too_long",
    "turn_queue_full",
    "mark_timeout",
    "sentence_too_long",
    "send_timeout",
    "stream_refused",
    "max_duration",
    "quarantined",
]
KINDS: tuple[Kind, ...] = (
    "audio_too_fast",
    "dtmf_too_fast",
    "dtmf_too_long",
    "turn_queue_full",
    "mark_timeout",
    "sentence_too_long",
    "send_timeout",
    "stream_refused",
    "max_duration",
    "quarantined",
)
for _kind in KINDS:  # dashboards show zero, not "no data"
    metrics.BOUNDS.labels(kind=_kind)

# Support calls the agent handles take minutes; half an hour is far past any of them, and well
# inside the workflow's own two-hour limit, so the wrap-up always runs.
DEFAULT_MAX_CALL_SECONDS = 1800.0
# Each caller turn costs one Whisper decode (~0.3 s on two cores) on the process's single
# recognizer thread. Five calls per core, each ending a turn every few seconds, keep that thread
# about half busy: room for the voice-to-voice targets with every stream talking.
_CALLS_PER_CORE = 5
LOG_EVERY_S = 5.0


def default_max_calls(cpus: int | None = None) -> int:
    """Live streams one process takes by default: five per CPU core (10 on two cores)."""
    return max(2, _CALLS_PER_CORE * (cpus if cpus is not None else os.cpu_count() or 1))


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: must be a number") from None
    if value <= 0:
        raise ValueError(f"{name}={raw!r}: must be greater than zero")
    return value


@dataclass(frozen=True)
class StreamLimits:
    """The bounds of one process's streams (see the module's table)."""

    max_calls: int = field(default_factory=default_max_calls)
    max_call_s: float = DEFAULT_MAX_CALL_SECONDS
    audio_burst_ms: float = 1000.0
    dtmf_per_s: float = 10.0
    dtmf_burst: float = 20.0
    max_dtmf_digits: int = 24
    max_queued_turns: int = 8
    mark_grace_s: float = 2.0
    max_sentence_s: float = 60.0
    send_timeout_s: float = 5.0
    # Past these a stream is not a phone line (realtime/quarantine.py): audio dropped for coming
    # faster than real time (a burst past the 1 s allowance is jitter; seconds of it are not),
    # and a mark fallen due that long ago with not one ever echoed (a late echo under load
    # arrives within a second or two; a stream playing nothing never sends one).
    suspect_dropped_audio_ms: float = 3000.0
    suspect_unechoed_s: float = 5.0
    # How long a quarantined stream is held open, and how often it is read meanwhile.
    quarantine_s: float = 120.0
    quarantine_read_every_s: float = 0.2
    # At the call-length limit, a reply in progress may finish first (the caller is not cut off
    # mid-sentence), for at most this long.
    close_wait_s: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StreamLimits:
        """`CALLENGINE_MAX_CALLS` (default: `default_max_calls()`) and `CALLENGINE_MAX_CALL_SECONDS`.

        Raises:
            ValueError: A value that is not a positive number (naming the variable).
        """
        e = os.environ if env is None else env
        calls = _positive(e, "CALLENGINE_MAX_CALLS", default_max_calls())
        if calls != int(calls):
            raise ValueError(f"CALLENGINE_MAX_CALLS={e['CALLENGINE_MAX_CALLS']!r}: must be a whole number")
        return cls(
            max_calls=int(calls),
            max_call_s=_positive(e, "CALLENGINE_MAX_CALL_SECONDS", DEFAULT_MAX_CALL_SECONDS),
        )


class RateBudget:
    """A token bucket: `rate` units a second, at most `burst` saved up; starts full."""

    def __init__(self, rate: float, burst: float, now: float | None = None) -> None:
        """Create a full bucket.

        Args:
            rate: Units earned per second.
            burst: The most units that can be saved up (and spent at once).
            now: The monotonic time it starts at (default: now).
        """
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._at = time.monotonic() if now is None else now

    def take(self, amount: float, now: float | None = None) -> bool:
        """Spend `amount` units if the bucket holds them; False (nothing spent) if not."""
        now = time.monotonic() if now is None else now
        self._tokens = min(self.burst, self._tokens + max(0.0, now - self._at) * self.rate)
        self._at = now
        # The tolerance: a sender at exactly `rate` must pass however the clock's floats round.
        if self._tokens >= amount - 1e-6:
            self._tokens = max(0.0, self._tokens - amount)
            return True
        return False


class Overflows:
    """One call's overflow counter and its rate-limited log lines.

    A hostile stream can overflow thousands of times a second: every overflow counts in the
    metric, but the log gets one line per kind per `LOG_EVERY_S` (with how many there were), so
    the log cannot be flooded either. Lines name the call by its SID only.
    """

    def __init__(self, call_sid: str = "") -> None:
        """Count overflows of the call `call_sid` (for log lines; may be set later)."""
        self.call_sid = call_sid
        self.counts: dict[str, int] = {}
        self._unlogged: dict[str, int] = {}
        self._logged_at: dict[str, float] = {}

    def note(self, kind: Kind, policy: str, n: int = 1) -> None:
        """Count `n` overflows of `kind`; log `policy` (what was done) if due."""
        metrics.BOUNDS.labels(kind=kind).inc(n)
        self.counts[kind] = self.counts.get(kind, 0) + n
        self._unlogged[kind] = self._unlogged.get(kind, 0) + n
        now = time.monotonic()
        if now - self._logged_at.get(kind, -LOG_EVERY_S) >= LOG_EVERY_S:
            log.warning("call %s: %s ×%d: %s", self.call_sid or "?", kind, self._unlogged.pop(kind), policy)
            self._logged_at[kind] = now


T = TypeVar("T")


def put_newest(queue: asyncio.Queue[T], item: T) -> bool:
    """Queue `item`; if the queue is full, drop its oldest item first.

    Returns:
        Whether an item was dropped.
    """
    dropped = False
    while True:
        try:
            queue.put_nowait(item)
            return dropped
        except asyncio.QueueFull:
            queue.get_nowait()
            dropped = True
