"""When a stream counts as not a phone line, how it is held, and how long its number is refused.

The end-to-end attacks (a real server, real streams) are in tests/test_hostile_streams.py; these
pin the thresholds and the bookkeeping, where a real Twilio line must never be caught.
"""

from __future__ import annotations

import asyncio
import json
import time

from realtime.bounds import StreamLimits
from realtime.quarantine import Offenders, evidence, hold

LIMITS = StreamLimits()


def _evidence(**kw: float) -> str | None:
    args = {
        "dropped_audio_ms": 0.0,
        "bad_frames": 0,
        "max_bad_frames": 50,
        "marks_echoed": 0,
        "first_overdue_at": None,
        "now": 100.0,
    }
    args.update(kw)
    return evidence(LIMITS, **args)  # type: ignore[arg-type]


def test_a_phone_line_with_jitter_late_marks_and_a_few_bad_frames_is_no_evidence() -> None:
    # A network stall delivers seconds of frames at once: up to 3 s past the 1 s burst is jitter.
    assert _evidence(dropped_audio_ms=2900.0) is None
    # A mark late under load while others were echoed: a slow network, not a deaf sender.
    assert _evidence(marks_echoed=1, first_overdue_at=10.0) is None
    # The first mark late, its echo still on the way.
    assert _evidence(first_overdue_at=96.0) is None
    assert _evidence(bad_frames=50) is None


def test_each_kind_of_evidence_names_itself() -> None:
    assert _evidence(dropped_audio_ms=3020.0) == "audio_too_fast"
    assert _evidence(bad_frames=51) == "bad_frames"
    assert _evidence(first_overdue_at=95.0) == "marks_never_echoed"


def test_an_offender_is_refused_until_the_cooldown_is_over() -> None:
    now = [1000.0]
    offenders = Offenders(cooldown_s=600.0, clock=lambda: now[0])
    offenders.flag("+15550200101")
    assert offenders.refuses("+15550200101")
    assert not offenders.refuses("+15550200102")
    now[0] += 599.0
    assert offenders.refuses("+15550200101")
    now[0] += 2.0
    assert not offenders.refuses("+15550200101")


def test_numbers_that_are_not_dialable_are_never_refused() -> None:
    # Withheld caller ID arrives as "anonymous" or an empty From: one misbehaving stream must
    # not get every caller without caller ID refused.
    offenders = Offenders()
    for number in ("", "anonymous", "Anonymous", "+266696687x", "client:alice"):
        offenders.flag(number)
        assert not offenders.refuses(number), number


def test_the_list_is_bounded_oldest_forgotten_and_holds_no_number_in_clear() -> None:
    offenders = Offenders(capacity=3)
    numbers = [f"+1555020{i:04d}" for i in range(5)]
    for n in numbers:
        offenders.flag(n)
    assert [offenders.refuses(n) for n in numbers] == [False, False, True, True, True]
    assert all(n.encode() not in key for key in offenders._until for n in numbers)


def test_a_number_flagged_again_moves_to_the_back_of_the_list() -> None:
    offenders = Offenders(capacity=2)
    offenders.flag("+15550200001")
    offenders.flag("+15550200002")
    offenders.flag("+15550200001")  # again: now the newest
    offenders.flag("+15550200003")
    assert offenders.refuses("+15550200001") and not offenders.refuses("+15550200002")


class _Stream:
    """Frames a sender has queued, read one at a time, with the time of each read."""

    def __init__(self, frames: list[str | bytes]) -> None:
        self.frames = frames
        self.reads: list[float] = []

    async def receive(self) -> str | bytes | None:
        self.reads.append(time.monotonic())
        return self.frames.pop(0) if self.frames else None


async def test_a_held_stream_is_read_at_a_crawl_until_it_says_stop() -> None:
    limits = StreamLimits(quarantine_read_every_s=0.05, quarantine_s=5.0)
    media = json.dumps({"event": "media", "media": {"payload": "AA=="}})
    stop = json.dumps(
        {
            "event": "stop",
            "sequenceNumber": "9",
            "streamSid": "MZ" + "0" * 32,
            "stop": {"accountSid": "AC" + "0" * 32, "callSid": "CA" + "0" * 32},
        }
    )
    stream = _Stream([media] * 6 + ['{"event": "stop" but not json', stop, media])
    await hold(stream.receive, limits)
    assert len(stream.reads) == 8  # the broken "stop" did not end it; the real one did
    gaps = [b - a for a, b in zip(stream.reads, stream.reads[1:], strict=False)]
    assert min(gaps) >= 0.045  # never faster than the crawl


async def test_a_held_stream_ends_when_the_socket_goes_or_the_hold_is_over() -> None:
    gone = _Stream(["x", "y"])
    await hold(gone.receive, StreamLimits(quarantine_read_every_s=0.0))
    assert len(gone.reads) == 3

    async def forever() -> str:
        await asyncio.sleep(0)
        return "x"

    t0 = time.monotonic()
    await hold(forever, StreamLimits(quarantine_s=0.3, quarantine_read_every_s=0.01))
    assert 0.25 <= time.monotonic() - t0 < 2.0
