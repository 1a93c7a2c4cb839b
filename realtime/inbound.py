"""Which of a stream's inbound frames reach the call: no faster than a real phone line sends them.

A Twilio stream carries 20 ms of caller audio every 20 ms and a keypad digit per key press.
A sender that pushes audio faster than that would pile decodes on the one recognizer every
call of the process shares (and energy-VAD work on the event loop); a flood of `dtmf` events
would become a flood of turns. So audio is admitted at real time plus a burst allowance (a
jittery network delivers frames in bunches: those pass), and digits at a keypad's pace; the
rest is dropped here, before VAD or STT see it, and counted (realtime/bounds.py).
"""

from __future__ import annotations

from realtime.audio import SAMPLE_RATE
from realtime.bounds import Overflows, RateBudget, StreamLimits

__all__ = ["InboundGate"]

_MS_PER_BYTE = 1000 / SAMPLE_RATE  # μ-law: one byte per sample


class InboundGate:
    """One call's budgets for inbound audio and keypad digits."""

    def __init__(self, limits: StreamLimits, overflows: Overflows, now: float | None = None) -> None:
        """Start both budgets full.

        Args:
            limits: The process's stream limits.
            overflows: Where dropped frames are counted and logged.
            now: The monotonic time the stream starts at (default: now).
        """
        self._overflows = overflows
        self._audio = RateBudget(1000.0, limits.audio_burst_ms, now)
        self._dtmf = RateBudget(limits.dtmf_per_s, limits.dtmf_burst, now)
        self.dropped_audio_ms = 0.0  # evidence for realtime/quarantine.py

    def audio(self, ulaw: bytes, now: float | None = None) -> bool:
        """Whether this frame of audio is within real time (plus the burst) and may be heard."""
        ms = len(ulaw) * _MS_PER_BYTE
        if self._audio.take(ms, now):
            return True
        self.dropped_audio_ms += ms
        self._overflows.note("audio_too_fast", "audio faster than real time dropped before VAD/STT")
        return False

    def dtmf(self, now: float | None = None) -> bool:
        """Whether this keypad digit comes at a pace a keypad can have."""
        if self._dtmf.take(1.0, now):
            return True
        self._overflows.note("dtmf_too_fast", "keypad digits faster than a keypad dropped")
        return False
