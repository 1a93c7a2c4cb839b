"""Deepgram live STT through the real SDK, against a fake Deepgram that really listens.

The fake (tests/fakes/deepgram_server.py) is a WebSocket server speaking
Deepgram's live protocol whose transcripts come from local Whisper, so what
these tests check is the whole path: Piper says the words, the caller's VAD
flags the frames, `DeepgramSession` batches them onto the SDK's socket, the
fake hears them and answers, and the session turns the answers into turns.
Audio is pushed faster than real time (the fake, like Deepgram, keeps time
by the audio it receives).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from deepgram import AsyncDeepgramClient
from deepgram.core.api_error import ApiError

from callengine.caller_voice import say
from realtime import audio
from realtime.brain.slots import digit_runs
from realtime.metrics import REGISTRY
from realtime.stt.deepgram import DeepgramSession, DeepgramSettings, DeepgramStt, SttUnavailable
from realtime.vad import EnergyVad
from tests.fakes.deepgram_server import API_KEY, FakeDeepgram, fake_deepgram, fake_deepgram_server

__all__ = ["fake_deepgram", "fake_deepgram_server"]  # fixtures, imported for pytest

# The fake decodes with Whisper on a shared two-core machine: give its answers time.
SLOW_FAKE_S = 15.0
ORDER = "Where is my order?"


@functools.cache
def utterance(text: str, lead_ms: int = 300, tail_ms: int = 600) -> bytes:
    return say(text, lead_ms=lead_ms, tail_ms=tail_ms)


def stt(fake: FakeDeepgram, **overrides: Any) -> DeepgramStt:
    settings: dict[str, Any] = {"api_key": API_KEY, "url": fake.url, "finalize_timeout_s": SLOW_FAKE_S}
    return DeepgramStt(DeepgramSettings(**(settings | overrides)))


async def feed(session: DeepgramSession, vad: EnergyVad, ulaw: bytes, speedup: float = 10.0) -> None:
    """Push 20 ms frames with the VAD's flags, as the call session does, `speedup` times real time."""
    for i, frame in enumerate(audio.frames(ulaw)):
        session.push(frame, vad.is_speech(audio.ulaw_to_pcm16(frame)))
        if i % 5 == 4:
            await asyncio.sleep(0.1 / speedup)


async def until(predicate: Callable[[], object | Awaitable[object]], within: float = SLOW_FAKE_S) -> None:
    deadline = time.monotonic() + within
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def stt_errors() -> float:
    value = REGISTRY.get_sample_value(
        "callengine_provider_errors_total", {"provider": "deepgram", "role": "stt"}
    )
    return value or 0.0


# ---------------------------------------------------------------- recognition


async def test_where_is_my_order(fake_deepgram: FakeDeepgram) -> None:
    session = stt(fake_deepgram).open()
    await session.connect()  # warm before the caller's first word
    ulaw = utterance(ORDER, tail_ms=1300)  # long enough a pause for an UtteranceEnd
    await feed(session, EnergyVad(), ulaw)
    # Interim (or already final) words arrive while the turn is open.
    await until(lambda: session.interim())
    assert "order" in (await session.interim()).lower()

    result = await session.finalize()
    print(f"final {result}")
    assert "order" in result.text.lower()
    assert 0.3 < result.confidence <= 1.0
    assert result.audio_ms > 1000

    await session.aclose()
    [record] = fake_deepgram.streams
    assert record.query == {
        "model": "nova-3",
        "encoding": "mulaw",
        "sample_rate": "8000",
        "channels": "1",
        "interim_results": "true",
        "endpointing": "300",
        "utterance_end_ms": "1000",
        "vad_events": "true",
        "smart_format": "true",
        "punctuate": "true",
    }
    assert record.user_agent.startswith("deepgram-sdk/")
    # μ-law as it came, every byte, in 100 ms batches (the last one shorter), never an empty frame.
    assert record.audio_bytes == len(audio.frames(ulaw)) * audio.FRAME_BYTES
    assert set(record.batch_sizes[:-1]) == {800} and 0 < record.batch_sizes[-1] <= 800
    assert record.empty_frames == 0
    assert record.of_type("SpeechStarted") and record.of_type("UtteranceEnd")
    # aclose: CloseStream, the fake's Metadata, a normal close.
    assert fake_deepgram.close_streams == 1
    assert record.of_type("Metadata") and record.closed_with == 1000


async def test_turns_in_a_row_discard_and_digits(fake_deepgram: FakeDeepgram) -> None:
    session = stt(fake_deepgram).open()
    await session.connect()
    vad = EnergyVad()
    [record] = fake_deepgram.streams

    # Turn 1: the call session is slower to call the end of a turn than Deepgram's endpointing, so
    # by the time it asks, the words are final already and no Finalize round trip is needed.
    await feed(session, vad, utterance(ORDER))
    await until(lambda: any(r["speech_final"] for r in record.results(final=True)))
    first = await session.finalize()
    assert "order" in first.text.lower()
    assert first.decode_ms < 100 and record.finalizes == 0

    # The agent's own voice leaking back: discarded, and its words must not reach the next turn.
    await feed(session, vad, utterance("I want a refund.", lead_ms=200, tail_ms=200))
    session.discard()

    # Turn 2, finalized at once: a Finalize flushes it.
    await feed(session, vad, utterance("Nine four one zero three.", lead_ms=300, tail_ms=400))
    second = await session.finalize()
    print(f"turns {first.text!r} / {second.text!r}")
    assert "94103" in digit_runs(second.text)
    assert "refund" not in second.text.lower() and "order" not in second.text.lower()
    # Turn 2 always sends a Finalize; the discard sends one only if Deepgram still owed words
    # for it, which depends on timing (under load its words may all be final already).
    await until(lambda: record.finalizes >= 1)
    assert await session.interim() == ""
    await session.aclose()


# ---------------------------------------------------------------- failures


@pytest.mark.parametrize("code", [1011, 1006], ids=["close-1011", "tcp-abort"])
async def test_dropped_socket_reconnects_and_the_call_goes_on(fake_deepgram: FakeDeepgram, code: int) -> None:
    errors = stt_errors()
    fake_deepgram.drop_after_s = 0.8  # in the middle of the first utterance
    fake_deepgram.drop_code = code
    session = stt(fake_deepgram).open()
    await session.connect()
    vad = EnergyVad()

    await feed(session, vad, utterance(ORDER, lead_ms=200))
    await until(lambda: fake_deepgram.connections == 2)
    survived = await session.finalize()  # what survived of turn 1: the words in flight are lost
    print(f"turn 1 across the drop: {survived.text!r}")
    await feed(session, vad, utterance(ORDER))
    result = await session.finalize()
    assert "order" in result.text.lower()

    first, second = fake_deepgram.streams
    assert first.dropped and first.closed_with == code
    assert fake_deepgram.connections == 2
    assert stt_errors() == errors + 1
    # Nothing is sent twice: what was in flight when the socket died is lost, not replayed.
    turn1, turn2 = (
        len(audio.frames(u)) * audio.FRAME_BYTES for u in (utterance(ORDER, lead_ms=200), utterance(ORDER))
    )
    assert first.audio_bytes + second.audio_bytes <= turn1 + turn2
    assert second.audio_bytes >= turn2
    await session.aclose()


async def test_gives_up_after_three_failed_reconnects(fake_deepgram: FakeDeepgram) -> None:
    errors = stt_errors()
    session = stt(fake_deepgram, reconnect_backoff_s=0.05).open()
    await session.connect()
    speechless = audio.silence(300)
    for frame in audio.frames(speechless):  # flagged as speech: Deepgram is asked, and answers ""
        session.push(frame, True)
    assert (await session.finalize()).text == ""

    fake_deepgram.reject_with = 503
    fake_deepgram.drop_after_s = 0.5
    started = time.monotonic()
    for frame in audio.frames(speechless + speechless):
        session.push(frame, True)
    # The socket dies under this turn's Finalize: the turn ends with what it had (nothing).
    assert (await session.finalize()).text == ""
    with pytest.raises(SttUnavailable, match="3 times"):
        await session.connect()  # waits out the reconnects: refused, refused, refused
    assert time.monotonic() - started < 5
    assert fake_deepgram.handshakes == 4 and fake_deepgram.rejected == 3  # one drop, three refusals
    assert stt_errors() == errors + 4
    with pytest.raises(SttUnavailable):
        await session.finalize()  # and it stays unavailable for the call
    await session.aclose()


async def test_bad_key_is_refused_at_once(fake_deepgram: FakeDeepgram) -> None:
    # The fake refuses the handshake with HTTP 401, which the SDK reports as ApiError(401).
    client = stt(fake_deepgram, api_key="not-the-key")._client
    assert isinstance(client, AsyncDeepgramClient)
    with pytest.raises(ApiError) as refused:
        async with client.listen.v1.connect(model="nova-3", encoding="mulaw", sample_rate=8000):
            pass
    assert refused.value.status_code == 401

    session = stt(fake_deepgram, api_key="not-the-key").open()
    started = time.monotonic()
    with pytest.raises(SttUnavailable, match="401"):
        await session.connect()
    session.push(audio.silence(20), True)
    with pytest.raises(SttUnavailable):
        await session.finalize()
    assert time.monotonic() - started < 3
    assert fake_deepgram.connections == 0 and fake_deepgram.handshakes == 2  # no retry with a bad key
    await session.aclose()


async def test_silent_server_counts_as_down(fake_deepgram: FakeDeepgram) -> None:
    fake_deepgram.hang = True  # accepts, reads, never answers
    session = stt(fake_deepgram, finalize_timeout_s=0.3, close_timeout_s=0.3).open()
    await session.connect()

    def turn() -> None:
        for frame in audio.frames(audio.silence(200)):
            session.push(frame, True)

    # Each unanswered Finalize times out, counts as a failure and replaces the socket.
    turn()
    assert (await session.finalize()).text == ""
    await until(lambda: fake_deepgram.connections == 2, within=5)
    turn()
    assert (await session.finalize()).text == ""
    await until(lambda: fake_deepgram.connections == 3, within=5)
    turn()
    with pytest.raises(SttUnavailable, match="no answer to Finalize"):
        await session.finalize()
    await session.aclose()


async def test_handshake_that_never_completes(fake_deepgram: FakeDeepgram) -> None:
    fake_deepgram.hang_handshake = True  # TCP accepted, the upgrade never answered
    session = stt(fake_deepgram, connect_timeout_s=0.2, reconnect_backoff_s=0.05).open()
    started = time.monotonic()
    with pytest.raises(SttUnavailable, match="timed out"):
        await session.connect()
    assert time.monotonic() - started < 3
    assert fake_deepgram.handshakes == 3 and fake_deepgram.connections == 0
    await session.aclose()


async def test_keepalive_while_no_audio(fake_deepgram: FakeDeepgram) -> None:
    session = stt(fake_deepgram, keepalive_s=0.1).open()
    await session.connect()
    [record] = fake_deepgram.streams
    await until(lambda: record.keepalives >= 3, within=5)
    await session.aclose()
    assert record.audio_bytes == 0 and record.close_stream


# ---------------------------------------------------------------- settings


def test_settings_from_env() -> None:
    s = DeepgramSettings.from_env({"DEEPGRAM_API_KEY": " secret ", "DEEPGRAM_URL": "ws://127.0.0.1:9/"})
    assert (s.api_key, s.url, s.model, s.endpointing_ms, s.utterance_end_ms) == (
        "secret",
        "ws://127.0.0.1:9",
        "nova-3",
        300,
        1000,
    )
    assert "secret" not in repr(s)
    env = s.environment()
    assert (env.production, env.base) == ("ws://127.0.0.1:9", "http://127.0.0.1:9")
    assert DeepgramSettings.from_env({"DEEPGRAM_API_KEY": "k"}).url == "wss://api.deepgram.com"
    with pytest.raises(ValueError, match="API key"):
        DeepgramSettings.from_env({})
    with pytest.raises(ValueError, match="ws://"):
        DeepgramSettings.from_env({"DEEPGRAM_API_KEY": "k", "DEEPGRAM_URL": "https://api.deepgram.com"})
