"""Turn-taking: when the caller started talking, when they are done, and when they interrupt.

Fed one voice-activity decision per 20 ms frame. A turn starts after a short
run of speech (a click is not a turn), and ends after a pause — the
*endpoint* — which adapts:

- a short pause first triggers `speculate` (the recognizer starts decoding),
  so the text is ready by the time the pause has become an endpoint;
- a caller reading digits pauses between groups ("nine four one … oh
  three"): when the agent just asked for a number (a ZIP, an order number),
  the endpoint stretches so they are not cut off mid-number.

While the agent is speaking, sustained speech is a barge-in; shorter sounds
(a cough, a click) are not.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class TurnTiming:
    """The knobs, in milliseconds."""

    # Pauses are counted from the VAD's end of speech, which already trails the last
    # loud frame by its 160 ms hangover: real pauses are those + 160 ms.
    min_speech_ms: int = 100  # voiced audio before a turn counts as started
    speculate_ms: int = 60  # pause after which the recognizer starts decoding (~220 ms real)
    endpoint_ms: int = 340  # pause that ends a turn (~500 ms real)
    digits_endpoint_ms: int = 940  # ... when the caller is in the middle of a number (~1.1 s real)
    barge_in_ms: int = 200  # sustained speech over the agent that interrupts it
    max_turn_ms: int = 30_000  # a monologue is cut into turns so it cannot block the call


class Event(enum.Enum):
    """What a frame changed."""

    NONE = "none"
    STARTED = "started"
    SPECULATE = "speculate"
    ENDED = "ended"
    BARGE_IN = "barge_in"


class TurnDetector:
    """One call's turn state machine."""

    FRAME_MS = 20

    def __init__(self, timing: TurnTiming | None = None) -> None:
        self.timing = timing or TurnTiming()
        self.in_turn = False
        self.voiced_ms = 0  # consecutive voiced audio (for start and barge-in)
        self.silence_ms = 0  # since the last voiced frame, inside a turn
        self.turn_ms = 0
        self.expect_digits = False  # the agent asked for a number
        self._speculated = False
        self._barged = False

    @property
    def endpoint_ms(self) -> int:
        """The pause that ends the current turn."""
        t = self.timing
        return t.digits_endpoint_ms if self.expect_digits else t.endpoint_ms

    def frame(self, speech: bool, agent_speaking: bool) -> Event:
        """Advance by one 20 ms frame."""
        t = self.timing
        if speech:
            self.voiced_ms += self.FRAME_MS
        else:
            self.voiced_ms = 0
        if agent_speaking and not self._barged and self.voiced_ms >= t.barge_in_ms:
            self._barged = True
            return self._start() if not self.in_turn else Event.BARGE_IN
        if not agent_speaking:
            self._barged = False
        if not self.in_turn:
            if self.voiced_ms >= t.min_speech_ms and not agent_speaking:
                return self._start()
            return Event.NONE
        self.turn_ms += self.FRAME_MS
        if speech:
            self.silence_ms = 0
            self._speculated = False
            return Event.NONE
        self.silence_ms += self.FRAME_MS
        if self.silence_ms >= self.endpoint_ms or self.turn_ms >= t.max_turn_ms:
            self.in_turn = False
            return Event.ENDED
        if self.silence_ms >= t.speculate_ms and not self._speculated:
            self._speculated = True
            return Event.SPECULATE
        return Event.NONE

    def _start(self) -> Event:
        self.in_turn = True
        self.silence_ms = 0
        self.turn_ms = self.voiced_ms
        self._speculated = False
        return Event.BARGE_IN if self._barged else Event.STARTED

    def reset(self) -> None:
        """Drop the turn in progress (after the call ends or the audio is discarded)."""
        self.in_turn = False
        self.voiced_ms = self.silence_ms = self.turn_ms = 0
