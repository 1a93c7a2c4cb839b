"""The speech-to-text interface the call session uses.

A provider is loaded once per process (models are big) and opens one
`SttSession` per call. The session is fed the caller's audio exactly as
Twilio sends it — 20 ms frames of 8 kHz μ-law — with the voice-activity
flag the session computed, and is asked for text at the end of a turn.
Providers that stream (Deepgram) send frames as they come; providers that
decode whole utterances (Whisper) buffer them, and may start decoding
early (`speculate`) so the final text is ready when the turn ends.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass

# Words that help recognition of phone-support speech over 8 kHz audio. Digit runs in the prompt
# make Whisper write digits (32 of 32 five-digit numbers heard right with them, 23 without), but
# they must be no business's values: the sandbox's own order and ZIP used to be here, and were
# heard in callers' numbers on a bad line. "double 2" shows how callers say a pair (else "double C").
DOMAIN_PROMPT = (
    "Customer support call. Order number, ZIP code, refund, reschedule, appointment, installation, "
    "account balance, plan, router, modem, Wi-Fi, UPS, FedEx, USPS, yes, no. "
    "Numbers: 3 0 7 1 9, 6 2 8 5 4, double 2, triple 5."
)


class SttUnavailable(RuntimeError):
    """The recognizer cannot serve this call now; the session should fail over (e.g. to Whisper)."""


@dataclass(frozen=True)
class Transcript:
    """What the caller said in one turn."""

    text: str
    confidence: float  # 0..1, the provider's own estimate
    audio_ms: float  # how much speech it was decoded from
    decode_ms: float  # time spent producing it after it was asked for


class SttSession(abc.ABC):
    """One call's recognizer."""

    @abc.abstractmethod
    def push(self, ulaw: bytes, speech: bool) -> None:
        """One frame of caller audio (8 kHz μ-law) and whether the VAD heard speech in it."""

    @abc.abstractmethod
    def speculate(self) -> None:
        """The caller paused: start decoding what was said so far (no-op for streaming vendors)."""

    @abc.abstractmethod
    async def interim(self) -> str:
        """Best current guess at the words of the turn in progress ("" if none)."""

    @abc.abstractmethod
    async def finalize(self) -> Transcript:
        """The turn ended: the final transcript of everything since the last finalize/discard."""

    @abc.abstractmethod
    def discard(self) -> None:
        """Forget the audio of the turn in progress (noise, or the agent's own echo)."""

    async def aclose(self) -> None:  # noqa: B027 — optional
        """Release per-call resources (sockets)."""


class SpeechToText(abc.ABC):
    """A recognizer provider, shared by all calls of a process."""

    name: str = "stt"

    @abc.abstractmethod
    def open(self) -> SttSession:
        """A session for one call."""

    async def warm(self) -> None:  # noqa: B027 — optional
        """Load models / open connections before the first call needs them."""
