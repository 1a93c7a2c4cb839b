"""The agent's voice on the line: paced playout, marks, barge-in and what was heard.

Audio goes to Twilio as 20 ms μ-law frames, a little ahead of real time (so
network jitter never starves the line) but not much (so `clear` on barge-in
drops little and we know what the caller heard). Each sentence is a
*segment* followed by a Twilio `mark`; Twilio echoes the mark when the audio
before it has played — that is how we know a sentence was heard in full.

On barge-in `clear` drops Twilio's buffer and the generation counter moves
on: audio of the old generation still being synthesized is discarded, and
marks Twilio echoes for cleared audio do not count as heard (PROTOCOLS.md §1:
after `clear` every pending mark is echoed at once). The sentence that was
playing when the caller cut in is kept as heard up to the moment they did.

A far end that never echoes marks must not hold the call (its reply would wait forever) or
its audio (kept per mark): a mark not echoed by its audio's play-out end plus `mark_grace_s`
counts as played (`expire_marks`), and a played sentence's audio is freed. One sentence holds
at most `max_sentence_s` of audio (realtime/bounds.py).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from realtime import twilio_media
from realtime.audio import FRAME_BYTES, FRAME_MS, SAMPLE_RATE
from realtime.bounds import Overflows

Send = Callable[[str], Awaitable[None]]
LEAD_S = 0.12  # how far ahead of the caller's ear we keep the line filled


@dataclass
class Segment:
    """One sentence of agent speech."""

    generation: int
    seq: int
    text: str
    audio: bytearray = field(default_factory=bytearray)
    complete: bool = False  # all its audio has been pushed
    sent: int = 0  # bytes sent to Twilio
    play_start: float | None = None  # when its first frame reaches the caller's ear
    heard: bool = False  # Twilio echoed its mark before any clear
    cut_at: float | None = None  # fraction heard when a barge-in cut it
    echo_due: float | None = None  # its mark was sent: when the echo is overdue
    truncated: bool = False  # audio past the sentence bound was dropped
    done: asyncio.Event = field(default_factory=asyncio.Event)  # heard in full, or cut

    @property
    def mark(self) -> str:
        """The Twilio mark name that follows this segment's audio."""
        return f"g{self.generation}s{self.seq}"

    def heard_text(self) -> str:
        """The words the caller heard of this sentence."""
        if self.heard:
            return self.text
        if self.cut_at is None or self.cut_at <= 0:
            return ""
        words = self.text.split()
        kept = words[: int(len(words) * min(1.0, self.cut_at))]
        return " ".join(kept) + "—" if kept else ""


class Speaker:
    """Outbound audio for one call."""

    def __init__(
        self,
        send: Send,
        stream_sid: str,
        clock: Callable[[], float] = time.monotonic,
        *,
        mark_grace_s: float = 2.0,
        max_sentence_s: float = 60.0,
        overflows: Overflows | None = None,
    ) -> None:
        """Create the speaker of one stream.

        Args:
            send: Sends one text frame to Twilio.
            stream_sid: The stream's SID, for every frame.
            clock: Monotonic time (tests pass their own).
            mark_grace_s: How long after its audio's play-out end a mark must be echoed.
            max_sentence_s: The most audio one sentence may hold.
            overflows: Where overflows are counted and logged.
        """
        self._send = send
        self.mark_grace_s = mark_grace_s
        self._max_sentence = int(max_sentence_s * SAMPLE_RATE)
        self.overflows = overflows or Overflows()
        self._sid = stream_sid
        self._clock = clock
        self.generation = 0
        self._seq = 0
        self._queue: deque[Segment] = deque()
        self._by_mark: dict[str, Segment] = {}
        self._playout_end = 0.0  # when the last frame sent will have played
        self._wake = asyncio.Event()
        self.first_frame_at: float | None = None  # for latency: the first frame of the current reply
        # Twilio echoes every mark once its audio has played: a stream that lets marks fall due
        # and never echoes one is not playing anything (realtime/quarantine.py).
        self.marks_echoed = 0
        self.first_overdue_at: float | None = None  # when a mark first fell due unechoed
        # Marks sent just before a `clear`: Twilio echoes the pending marks as it clears, so a
        # caller who talks over every reply (cut before a sentence's own mark goes out) still
        # answers one per barge-in. Name → when its echo is overdue.
        self._cut_marks: dict[str, float] = {}
        self.on_first_frame: Callable[[float], None] | None = None

    # ---------------------------------------------------------------- input

    def begin(self, text: str) -> Segment:
        """Open a segment for one sentence of the current generation."""
        self._seq += 1
        seg = Segment(self.generation, self._seq, text)
        self._queue.append(seg)
        self._by_mark[seg.mark] = seg
        self._wake.set()
        return seg

    def push(self, seg: Segment, audio: bytes) -> None:
        """More audio for a segment (dropped if a barge-in made it stale)."""
        if seg.generation != self.generation:
            return
        room = self._max_sentence - len(seg.audio)
        if len(audio) > room:
            audio = audio[: max(0, room)]
            if not seg.truncated:
                seg.truncated = True
                self.overflows.note("sentence_too_long", "the rest of the sentence is dropped")
        if audio:
            seg.audio += audio
            self._wake.set()

    def end(self, seg: Segment) -> None:
        """The segment's audio is complete."""
        seg.complete = True
        self._wake.set()

    def say(self, text: str, audio: bytes) -> Segment:
        """A whole pre-synthesized line (greeting, filler)."""
        seg = self.begin(text)
        self.push(seg, audio)
        self.end(seg)
        return seg

    # ---------------------------------------------------------------- state

    @property
    def speaking(self) -> bool:
        """Agent audio is playing at the caller's end, or about to."""
        return self._clock() < self._playout_end or any(s.generation == self.generation for s in self._queue)

    def on_mark(self, name: str) -> None:
        """Twilio echoed a mark: the segment's audio has played (unless it was cleared)."""
        seg = self._by_mark.pop(name, None)
        if seg is not None or self._cut_marks.pop(name, None) is not None:
            self.marks_echoed += 1
        if seg is not None and seg.generation == self.generation and seg.cut_at is None:
            self._played(seg)

    def _played(self, seg: Segment) -> None:
        seg.heard = True
        seg.done.set()
        # Heard in full: nothing will send, cut or resume it again, so its audio can go.
        seg.audio = bytearray()

    def expire_marks(self) -> int:
        """Marks overdue (their audio has played out, plus the grace): count them as echoed.

        A cleared segment's mark that never came back is forgotten the same way.

        Returns:
            How many current-reply segments were taken as heard.
        """
        now = self._clock()
        overdue = [s for s in self._by_mark.values() if s.echo_due is not None and s.echo_due <= now]
        played = 0
        cut_overdue = [name for name, due in self._cut_marks.items() if due <= now]
        for name in cut_overdue:
            del self._cut_marks[name]
        if (overdue or cut_overdue) and self.first_overdue_at is None:
            self.first_overdue_at = now
        for seg in overdue:
            del self._by_mark[seg.mark]
            if seg.generation == self.generation and seg.cut_at is None:
                self._played(seg)
                played += 1
        if played:
            self.overflows.note(
                "mark_timeout", f"marks not echoed {self.mark_grace_s:.1f}s after the audio; taken as played"
            )
        return played

    async def watch_marks(self, every_s: float = 0.25) -> None:
        """Run `expire_marks` every `every_s` until cancelled."""
        while True:
            await asyncio.sleep(every_s)
            self.expire_marks()

    async def clear(self) -> list[Segment]:
        """Barge-in: stop talking now. Returns the segments of the interrupted generation."""
        now = self._clock()
        old = self.generation
        self.generation += 1
        cut = [s for s in self._by_mark.values() if s.generation == old]
        for seg in cut:
            if not seg.heard:
                seg.cut_at = 0.0
                if seg.play_start is not None and now > seg.play_start:
                    played_s = now - seg.play_start
                    total_s = max(len(seg.audio), 1) / 8000
                    seg.cut_at = max(0.0, min(1.0, played_s / total_s))
                seg.done.set()
            if seg.echo_due is None:
                # Its mark was never sent, so no echo will ever come for it.
                del self._by_mark[seg.mark]
        self._queue = deque(s for s in self._queue if s.generation != old)
        self._playout_end = now
        self.first_frame_at = None
        cut_mark = f"g{old}cut"
        self._cut_marks[cut_mark] = now + self.mark_grace_s
        await self._send(twilio_media.mark_message(self._sid, cut_mark))
        await self._send(twilio_media.clear_message(self._sid))
        return cut

    # ----------------------------------------------------------------- loop

    async def run(self) -> None:
        """Send queued audio, paced, until cancelled."""
        while True:
            seg = self._queue[0] if self._queue else None
            if seg is None or (seg.sent >= len(seg.audio) and not seg.complete):
                self._wake.clear()
                await self._wake.wait()
                continue
            if seg.generation != self.generation:
                self._queue.popleft()
                continue
            if seg.sent >= len(seg.audio):  # complete and fully sent: its mark follows the audio
                self._queue.popleft()
                seg.echo_due = max(self._clock(), self._playout_end) + self.mark_grace_s
                await self._send(twilio_media.mark_message(self._sid, seg.mark))
                continue
            now = self._clock()
            ahead = self._playout_end - now
            if ahead > LEAD_S:
                await asyncio.sleep(ahead - LEAD_S)
                continue
            frame = bytes(seg.audio[seg.sent : seg.sent + FRAME_BYTES])
            if len(frame) < FRAME_BYTES and not seg.complete:
                # Wait for the rest rather than send a short frame mid-sentence.
                self._wake.clear()
                await self._wake.wait()
                continue
            start = max(now, self._playout_end)
            if seg.play_start is None:
                seg.play_start = start
            await self._send(twilio_media.media_message(self._sid, frame))
            if self.first_frame_at is None:
                self.first_frame_at = now
                if self.on_first_frame is not None:
                    self.on_first_frame(now)
            seg.sent += len(frame)
            self._playout_end = start + len(frame) / 8000

    def reply_started(self) -> None:
        """A new reply begins: the next frame sent is its first (for voice-to-voice latency)."""
        self.first_frame_at = None


__all__ = ["FRAME_MS", "Segment", "Speaker"]
