"""Instant speech for the load benchmark: the words travel inside the audio itself.

Load-testing the engine with real speech would measure Whisper and Piper, not the engine, and
would need speech recognition in the load generator. So here the "speech" is loud μ-law whose
bytes spell the words: each byte of UTF-8 text becomes two μ-law codes 0x00–0x0F (a nibble
each; codes that loud are far above any VAD threshold), then a NUL. The load generator speaks
by sending such frames; `InstantStt` reads the text back from the turn's first speech frame;
`InstantTts` "speaks" the agent's text the same way, for as long as a person would take to say
it, so the load generator can hear what the agent said without a recognizer.

Everything else in the call is the real engine: Twilio protocol, VAD, turn-taking, barge-in,
the brain, the workflow and its activities, pacing and marks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from realtime.stt.base import SpeechToText, SttSession, Transcript
from realtime.tts.base import SLOW_RATE, TextToSpeech

FRAME_BYTES = 160
# Loud filler after the text, in two strengths ~6 dB apart: the VAD calls a level that stays
# within 3 dB for 400 ms stationary noise, so real speech varies and so must this.
FILLS = (b"\x00\x0f", b"\x04\x0b")
MS_PER_CHAR = 55.0  # ≈ 150 words a minute, the pace of a phone agent


SEGMENT = FRAME_BYTES // 2 - 1  # text bytes per frame (two codes per byte, one end marker)


def encode(segment: bytes, more: bool, fill: bytes = FILLS[0]) -> bytes:
    """One 20 ms frame spelling a piece of text; `more`: the next frame carries the rest."""
    codes = bytearray()
    for byte in segment[:SEGMENT] + (b"\x01" if more else b"\x00"):
        codes += bytes((byte >> 4, byte & 0x0F))
    while len(codes) < FRAME_BYTES:
        codes += fill
    return bytes(codes[:FRAME_BYTES])


def decode(frame: bytes) -> tuple[bytes, bool] | None:
    """The piece of text a frame spells and whether more follows, or None for other audio."""
    out = bytearray()
    for i in range(0, len(frame) - 1, 2):
        hi, lo = frame[i], frame[i + 1]
        if hi > 0x0F or lo > 0x0F:
            return None
        byte = hi << 4 | lo
        if byte in (0, 1):
            return bytes(out), byte == 1
        out.append(byte)
    return None


class Reader:
    """Reassembles a line from consecutive frames (the first frames of an utterance spell it)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.text: str | None = None

    def reset(self) -> None:
        """A new utterance starts."""
        self._parts, self.text = [], None

    def feed(self, frame: bytes) -> str | None:
        """Read one frame; returns the text once it is complete (then None until `reset`)."""
        if self.text is not None:
            return None
        got = decode(frame)
        if got is None:
            return None
        piece, more = got
        self._parts.append(piece)
        if more:
            return None
        self.text = b"".join(self._parts).decode(errors="replace")
        return self.text


def speech(text: str, ms: float | None = None) -> bytes:
    """Loud frames spelling `text` (then repeating it), lasting about as long as saying it."""
    data = text.encode()
    pieces = [data[i : i + SEGMENT] for i in range(0, len(data), SEGMENT)] or [b""]
    n = max(10, len(pieces) + 1, int((ms if ms is not None else len(text) * MS_PER_CHAR) / 20))
    frames = []
    for i in range(n):
        k = i % len(pieces)
        frames.append(encode(pieces[k], k < len(pieces) - 1, FILLS[(i // 5) % 2]))
    return b"".join(frames)


class _InstantSession(SttSession):
    def __init__(self) -> None:
        self._reader = Reader()
        self._frames = 0

    def push(self, ulaw: bytes, speech: bool) -> None:
        if speech:
            self._frames += 1
            self._reader.feed(ulaw)

    def speculate(self) -> None:
        """Nothing to decode early: the text is known from the first frames."""

    async def interim(self) -> str:
        return self._reader.text or ""

    async def finalize(self) -> Transcript:
        text, frames = self._reader.text or "", self._frames
        self.discard()
        return Transcript(text=text, confidence=1.0 if text else 0.0, audio_ms=frames * 20.0, decode_ms=0.0)

    def discard(self) -> None:
        self._reader.reset()
        self._frames = 0


class InstantStt(SpeechToText):
    """Reads the words out of `speech()` audio: no model, no time."""

    name = "instant"

    def open(self) -> SttSession:
        """A session for one call."""
        return _InstantSession()


class InstantTts(TextToSpeech):
    """Speaks text as `speech()` audio, at once, one sentence per chunk."""

    name = "instant"

    def __init__(self) -> None:
        self._cache: dict[str, bytes] = {}

    async def stream(self, text: str, *, slow: bool = False) -> AsyncIterator[bytes]:
        """The whole line in one chunk (a real voice streams; this one is instant); a repeat lasts longer."""
        yield speech(text, len(text) * MS_PER_CHAR / SLOW_RATE) if slow else speech(text)

    def cached(self, text: str) -> bytes | None:
        """Fixed lines, prepared at start-up."""
        return self._cache.get(text)

    async def prepare(self, lines: Iterable[str]) -> None:
        """Make the fixed lines now."""
        for line in lines:
            self._cache[line] = speech(line)
