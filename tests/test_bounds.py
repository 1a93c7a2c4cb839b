"""The per-stream bounds on their own: budgets, queues, marks that never come back, admission."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from api.admission import Admission
from realtime.bounds import Overflows, RateBudget, StreamLimits, default_max_calls, put_newest
from realtime.inbound import InboundGate
from realtime.speaker import Speaker
from realtime.stt.whisper import WhisperStt
from realtime.tts.piper import PiperTts

SID = "MZ" + "0" * 32


def test_limits_come_from_the_environment_and_refuse_nonsense() -> None:
    assert StreamLimits.from_env({}) == StreamLimits()
    assert StreamLimits().max_calls == default_max_calls()
    assert default_max_calls(2) == 10 and default_max_calls(1) == 5
    limits = StreamLimits.from_env({"CALLENGINE_MAX_CALLS": "3", "CALLENGINE_MAX_CALL_SECONDS": "90"})
    assert (limits.max_calls, limits.max_call_s) == (3, 90.0)
    for env, named in (
        ({"CALLENGINE_MAX_CALLS": "0"}, "CALLENGINE_MAX_CALLS"),
        ({"CALLENGINE_MAX_CALLS": "2.5"}, "CALLENGINE_MAX_CALLS"),
        ({"CALLENGINE_MAX_CALL_SECONDS": "soon"}, "CALLENGINE_MAX_CALL_SECONDS"),
        ({"CALLENGINE_MAX_CALL_SECONDS": "-1"}, "CALLENGINE_MAX_CALL_SECONDS"),
    ):
        with pytest.raises(ValueError, match=named):
            StreamLimits.from_env(env)


def test_a_rate_budget_passes_real_time_and_its_burst_and_nothing_more() -> None:
    budget = RateBudget(rate=1000.0, burst=1000.0, now=0.0)
    # 1 s of burst at once, then nothing until time passes.
    assert all(budget.take(20.0, now=0.0) for _ in range(50))
    assert not budget.take(20.0, now=0.0)
    # Real time: one 20 ms frame per 20 ms, for a minute, always passes.
    assert all(budget.take(20.0, now=k * 0.02) for k in range(1, 3000))
    # Ten times real time for 10 s: about a tenth passes.
    passed = sum(budget.take(20.0, now=60.0 + k * 0.002) for k in range(5000))
    assert 500 <= passed <= 560, passed


def test_the_inbound_gate_drops_audio_past_real_time_and_keys_past_a_keypad() -> None:
    overflows = Overflows("CA" + "1" * 32)
    gate = InboundGate(StreamLimits(), overflows, now=0.0)
    frame = b"\xff" * 160
    passed = sum(gate.audio(frame, now=k * 0.002) for k in range(1000))  # 20 s of audio in 2 s
    assert 140 <= passed <= 160, passed  # 2 s of real time + 1 s burst = 150 frames
    keys = sum(gate.dtmf(now=k * 0.001) for k in range(400))
    assert 20 <= keys <= 25, keys
    assert overflows.counts == {"audio_too_fast": 1000 - passed, "dtmf_too_fast": 400 - keys}


def test_overflows_log_a_line_per_kind_at_most_every_few_seconds(caplog: pytest.LogCaptureFixture) -> None:
    overflows = Overflows("CA" + "2" * 32)
    with caplog.at_level(logging.WARNING, logger="callengine.bounds"):
        for _ in range(1000):
            overflows.note("audio_too_fast", "dropped")
        overflows.note("turn_queue_full", "oldest dropped")
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        f"call CA{'2' * 32}: audio_too_fast ×1: dropped",
        f"call CA{'2' * 32}: turn_queue_full ×1: oldest dropped",
    ]
    assert overflows.counts["audio_too_fast"] == 1000


def test_a_full_queue_keeps_the_newest() -> None:
    queue: asyncio.Queue[int] = asyncio.Queue(maxsize=3)
    dropped = [put_newest(queue, i) for i in range(5)]
    assert dropped == [False, False, False, True, True]
    assert [queue.get_nowait() for _ in range(3)] == [2, 3, 4]


def test_admission_counts_live_streams_against_the_limit() -> None:
    slots = Admission(2)
    assert slots.enter() and slots.enter() and not slots.enter()
    slots.leave()
    assert slots.enter() and slots.live == 2
    unlimited = Admission(None)
    assert all(unlimited.enter() for _ in range(1000))


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


async def test_an_unechoed_mark_counts_as_played_after_its_audio_and_frees_it() -> None:
    clock, sent = Clock(), []

    async def send(text: str) -> None:
        sent.append(json.loads(text))

    speaker = Speaker(send, SID, clock, mark_grace_s=2.0)
    seg = speaker.say("Hello there.", b"\x7f" * 8000)  # 1 s of audio
    runner = asyncio.create_task(speaker.run())
    while not any(m["event"] == "mark" for m in sent):
        clock.t += 0.02
        await asyncio.sleep(0)
    runner.cancel()
    assert speaker.expire_marks() == 0 and not seg.done.is_set()  # its audio has not played yet
    clock.t += 1.0 + 2.0 + 0.1
    assert speaker.expire_marks() == 1
    assert seg.heard and seg.done.is_set() and seg.heard_text() == "Hello there."
    assert len(seg.audio) == 0
    speaker.on_mark(seg.mark)  # a late echo changes nothing
    assert seg.heard


async def test_a_barge_in_forgets_marks_never_sent_and_unechoed_ones_expire() -> None:
    clock = Clock()

    async def send(text: str) -> None:
        return None

    speaker = Speaker(send, SID, clock, mark_grace_s=2.0)
    unsent = speaker.say("Not yet sent.", b"\x7f" * 800)
    cut = await speaker.clear()
    assert unsent in cut and unsent.done.is_set() and not unsent.heard
    assert speaker.expire_marks() == 0
    assert speaker._by_mark == {}


async def test_one_sentence_holds_at_most_its_bound_of_audio() -> None:
    async def send(text: str) -> None:
        return None

    overflows = Overflows()
    speaker = Speaker(send, SID, mark_grace_s=2.0, max_sentence_s=1.0, overflows=overflows)
    seg = speaker.begin("A very long sentence.")
    for _ in range(10):
        speaker.push(seg, b"\x7f" * 4000)
    assert len(seg.audio) == 8000 and seg.truncated
    assert overflows.counts == {"sentence_too_long": 1}


async def test_the_recognizer_serves_the_call_that_used_it_least_first(
    speech: tuple[WhisperStt, PiperTts],
) -> None:
    queue = speech[0]._engine.queue
    talker, caller = object(), object()
    second = b"\xff" * 8000
    for _ in range(3):  # a stream that keeps the recognizer busy
        await queue.submit(talker, second)
    running = queue.submit(talker, second)
    talker_next = queue.submit(talker, second)
    caller_first = queue.submit(caller, second)  # queued after the talker's, served before it
    order: list[str] = []
    talker_next.add_done_callback(lambda _: order.append("talker"))
    caller_first.add_done_callback(lambda _: order.append("caller"))
    await asyncio.gather(running, talker_next, caller_first)
    assert order == ["caller", "talker"]
    queue.forget(talker)
    queue.forget(caller)
    busy = queue.submit(talker, second)
    withdrawn = queue.submit(caller, second)  # waiting behind `busy`
    queue.forget(caller)  # the call ended: its waiting decode never runs
    assert withdrawn.cancelled()
    await busy
    queue.forget(talker)
