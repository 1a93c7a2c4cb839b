"""ElevenLabsTts against a fake ElevenLabs that speaks the real wire protocol with real (Piper) audio.

The fake (tests/fakes/elevenlabs_server.py) is a WebSocket server on 127.0.0.1;
the client under test is the production class with only its base URL and,
for the timeout test, its timeout changed.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from websockets.asyncio.client import connect

from realtime import audio
from realtime.metrics import REGISTRY
from realtime.stt.whisper import WhisperStt
from realtime.tts.elevenlabs import (
    DEFAULT_URL,
    DEFAULT_VOICE_ID,
    ElevenLabsSettings,
    ElevenLabsTts,
    TtsUnavailable,
)
from realtime.tts.piper import PiperTts
from tests.fakes.elevenlabs_server import (
    API_KEY,
    VOICE_ID,
    FakeElevenLabs,
    fake_elevenlabs,
    fake_elevenlabs_server,
)

__all__ = ["fake_elevenlabs", "fake_elevenlabs_server"]  # fixtures, imported for pytest

pytestmark = pytest.mark.timeout(60)

TWO_SENTENCES = "Your order shipped with UPS this morning. It should arrive on Friday."


def settings_for(fake: FakeElevenLabs, **overrides: Any) -> ElevenLabsSettings:
    return ElevenLabsSettings(api_key=API_KEY, voice_id=VOICE_ID, url=fake.url, **overrides)


@pytest.fixture
async def tts(fake_elevenlabs: FakeElevenLabs) -> AsyncIterator[ElevenLabsTts]:
    client = ElevenLabsTts(settings_for(fake_elevenlabs))
    yield client
    await client.close()


async def collect(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in stream])


def provider_errors() -> float:
    value = REGISTRY.get_sample_value(
        "callengine_provider_errors_total", {"provider": "elevenlabs", "role": "tts"}
    )
    return value or 0.0


async def eventually(condition: Callable[[], bool], within_s: float = 5.0) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


# ---------------------------------------------------------------- streaming


async def test_two_sentences_stream_as_they_are_made(
    tts: ElevenLabsTts, fake_elevenlabs: FakeElevenLabs
) -> None:
    fake = fake_elevenlabs
    await tts.warm()
    start = time.monotonic()
    arrivals: list[tuple[float, bytes]] = []
    async for chunk in tts.stream(TWO_SENTENCES):
        arrivals.append((time.monotonic() - start, chunk))

    ulaw = b"".join(chunk for _, chunk in arrivals)
    assert len(arrivals) >= 10
    assert arrivals[0][0] < arrivals[-1][0]  # the first audio came before the second sentence was done
    assert 2.0 < len(ulaw) / audio.SAMPLE_RATE < 8.0  # ~13 words
    assert audio.rms_dbfs(audio.ulaw_to_pcm16(ulaw)) > -35.0  # speech, not silence
    assert ulaw == fake.synthesize(TWO_SENTENCES)  # nothing lost, doubled or reordered
    assert tts.open_contexts == 0

    (conn,) = fake.connections
    assert (conn.endpoint, conn.voice_id, conn.key_in_header) == ("multi-stream-input", VOICE_ID, True)
    assert conn.query["model_id"] == "eleven_flash_v2_5"
    assert conn.query["output_format"] == "ulaw_8000"
    assert [m.kind for m in fake.messages] == ["init", "text", "close_context"]
    init, text, _ = (m.message for m in fake.messages)
    assert init["voice_settings"] == {"stability": 0.5, "similarity_boost": 0.8, "speed": 1.0}
    assert text == {"text": TWO_SENTENCES + " ", "context_id": init["context_id"], "flush": True}
    print(f"\nfirst chunk {arrivals[0][0] * 1000:.0f} ms, last {arrivals[-1][0] * 1000:.0f} ms")


async def test_the_words_survive(tts: ElevenLabsTts, speech: tuple[WhisperStt, PiperTts]) -> None:
    stt, _ = speech
    ulaw = await collect(tts.stream("Your refund was approved today."))
    heard = (await asyncio.to_thread(stt.transcribe_ulaw, ulaw)).text.lower()
    assert "refund" in heard and "approved" in heard, heard


async def test_barge_in_closes_the_context_and_drops_its_audio(
    tts: ElevenLabsTts, fake_elevenlabs: FakeElevenLabs
) -> None:
    fake = fake_elevenlabs
    fake.chunk_delay_s = 0.03  # about 1.2 s to send both sentences: room to interrupt
    played: list[bytes] = []
    first = asyncio.Event()

    async def play() -> None:
        async for chunk in tts.stream(TWO_SENTENCES):
            played.append(chunk)
            first.set()

    task = asyncio.create_task(play())
    await first.wait()
    mark = len(fake.messages)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (interrupted,) = fake.context_ids()

    def close_sent_after_cancel() -> bool:
        return any(m.kind == "close_context" and m.context_id == interrupted for m in fake.messages[mark:])

    await eventually(close_sent_after_cancel)

    # The next sentence goes out on the same socket while the old context is still flushing.
    fake.chunk_delay_s = 0.005
    ulaw = await collect(tts.stream("Sure, what else can I do?"))
    follow_up = fake.context_ids()[-1]
    assert ulaw == fake.context_audio[follow_up]  # none of the interrupted context's audio
    assert len(fake.connections) == 1

    # The interrupted context's slot is freed only when the server confirms it is gone.
    await eventually(lambda: tts.open_contexts == 0)
    assert len(fake.context_audio[interrupted]) > len(b"".join(played))  # its late audio was dropped


async def test_eight_concurrent_streams_stay_within_five_contexts(
    tts: ElevenLabsTts, fake_elevenlabs: FakeElevenLabs
) -> None:
    fake = fake_elevenlabs
    lines = [f"Ticket {n} is open." for n in range(1, 9)]
    results = await asyncio.gather(*(collect(tts.stream(line)) for line in lines))
    for line, ulaw in zip(lines, results, strict=True):
        assert ulaw == fake.synthesize(line)  # each stream got its own context's audio
    assert fake.peak_contexts == 5
    assert len(fake.connections) == 1 and fake.connections[0].close_code is None
    assert tts.open_contexts == 0


# ---------------------------------------------------------------- failures


async def test_bad_api_key_is_unavailable_at_once(fake_elevenlabs: FakeElevenLabs) -> None:
    before = provider_errors()
    client = ElevenLabsTts(
        ElevenLabsSettings(api_key="wrong-key", voice_id=VOICE_ID, url=fake_elevenlabs.url)
    )
    start = time.monotonic()
    with pytest.raises(TtsUnavailable, match=r"rejected the API key \(HTTP 401\)"):
        await client.warm()
    with pytest.raises(TtsUnavailable, match="API key"):  # fails fast, no new handshake
        await collect(client.stream("Hello there."))
    assert time.monotonic() - start < 1.0
    assert fake_elevenlabs.connections == []
    assert provider_errors() == before + 1


async def test_handshake_refused_with_401(fake_elevenlabs: FakeElevenLabs, tts: ElevenLabsTts) -> None:
    fake_elevenlabs.reject_with = 401
    with pytest.raises(TtsUnavailable, match="HTTP 401"):
        await collect(tts.stream("Hello there."))


@pytest.mark.parametrize(
    ("error", "expected"),
    [("invalid_api_key", "rejected the API key: invalid_api_key"), ("quota_exceeded", "quota_exceeded")],
)
async def test_error_frame_is_unavailable_and_the_next_stream_reconnects(
    tts: ElevenLabsTts, fake_elevenlabs: FakeElevenLabs, error: str, expected: str
) -> None:
    fake = fake_elevenlabs
    before = provider_errors()
    fake.error_frame = error
    with pytest.raises(TtsUnavailable, match=expected):
        await collect(tts.stream("Hello there."))
    assert provider_errors() == before + 1
    fake.error_frame = None
    assert await collect(tts.stream("Hello there.")) == fake.synthesize("Hello there.")
    assert [c.close_code for c in fake.connections] == [1008, None]


async def test_no_audio_times_out_and_the_dead_socket_is_replaced(fake_elevenlabs: FakeElevenLabs) -> None:
    fake = fake_elevenlabs
    client = ElevenLabsTts(settings_for(fake, audio_timeout_s=0.5))
    fake.hang = True
    before = provider_errors()
    start = time.monotonic()
    with pytest.raises(TtsUnavailable, match=r"no audio from ElevenLabs within 0\.5 s"):
        await collect(client.stream("Hello there."))
    assert 0.45 < time.monotonic() - start < 1.5
    assert provider_errors() == before + 1
    fake.hang = False
    assert await collect(client.stream("Hello there.")) == fake.synthesize("Hello there.")
    assert len(fake.connections) == 2
    assert client.open_contexts == 0
    await client.close()


async def test_socket_drop_mid_stream_then_reconnect(
    tts: ElevenLabsTts, fake_elevenlabs: FakeElevenLabs
) -> None:
    fake = fake_elevenlabs
    await tts.warm()
    fake.drop_after_chunks = 3
    played: list[bytes] = []
    with pytest.raises(TtsUnavailable, match="1011"):
        async for chunk in tts.stream(TWO_SENTENCES):
            played.append(chunk)
    assert len(played) == 3  # what came before the drop was played, then the error
    fake.drop_after_chunks = None
    assert await collect(tts.stream("Thanks for waiting.")) == fake.synthesize("Thanks for waiting.")
    assert [c.close_code for c in fake.connections] == [1011, None]
    assert tts.open_contexts == 0


async def test_socket_lost_before_any_audio_is_retried_once(
    tts: ElevenLabsTts, fake_elevenlabs: FakeElevenLabs
) -> None:
    fake_elevenlabs.drop_after_chunks = 0  # every socket dies as soon as a context opens
    with pytest.raises(TtsUnavailable, match="1011"):
        await collect(tts.stream("Hello there."))
    assert len(fake_elevenlabs.connections) == 2  # one retry, no more
    await eventually(lambda: [c.close_code for c in fake_elevenlabs.connections] == [1011, 1011])


async def test_socket_closed_while_idle_is_reopened_transparently(
    tts: ElevenLabsTts, fake_elevenlabs: FakeElevenLabs
) -> None:
    await tts.warm()
    await fake_elevenlabs.drop_all(1000)
    assert await collect(tts.stream("Hello again.")) == fake_elevenlabs.synthesize("Hello again.")
    assert len(fake_elevenlabs.connections) == 2


# ---------------------------------------------------------------- cache and settings


async def test_prepare_caches_fixed_lines(tts: ElevenLabsTts, fake_elevenlabs: FakeElevenLabs) -> None:
    lines = ["Thanks for calling.", "One moment please."]
    await tts.prepare([*lines, lines[0]])
    for line in lines:
        assert tts.cached(line) == fake_elevenlabs.synthesize(line)
    assert len(fake_elevenlabs.context_ids()) == 2
    sent = len(fake_elevenlabs.messages)
    assert [chunk async for chunk in tts.stream(lines[0])] == [tts.cached(lines[0])]
    assert len(fake_elevenlabs.messages) == sent  # served from memory
    assert tts.cached("Something else.") is None


@pytest.fixture
async def patient_tts(fake_elevenlabs: FakeElevenLabs) -> AsyncIterator[ElevenLabsTts]:
    """For tests of what is sent, not of timeouts: a loaded machine synthesizes slowly."""
    client = ElevenLabsTts(settings_for(fake_elevenlabs, audio_timeout_s=10.0))
    yield client
    await client.close()


async def test_a_slow_line_carries_the_slow_speed_and_skips_the_cache(
    patient_tts: ElevenLabsTts, fake_elevenlabs: FakeElevenLabs
) -> None:
    fake, tts = fake_elevenlabs, patient_tts
    line = "Your order number is one oh four eight two."
    await tts.prepare([line])  # the normal line, cached
    (normal_ctx,) = fake.context_ids()

    slow = await collect(tts.stream(line, slow=True))
    slow_ctx = fake.context_ids()[-1]
    assert slow_ctx != normal_ctx  # synthesized anew, not the cached normal audio

    def settings_of(ctx: str) -> dict[str, float]:
        (init,) = fake.of_kind("init", ctx)
        return dict(init.message["voice_settings"])

    assert settings_of(normal_ctx) == {"stability": 0.5, "similarity_boost": 0.8, "speed": 1.0}
    assert settings_of(slow_ctx) == {"stability": 0.5, "similarity_boost": 0.8, "speed": 0.8}
    (text,) = fake.of_kind("text", slow_ctx)
    # Spoken as the brain worded it: the brain groups a repeat's digits (`repair.say_again`), once;
    # a voice that grouped them again would pause in other places than the call's record says.
    assert text.message["text"] == f"{line} "

    # The fake speaks at the speed it was given: the repeat really is slower.
    normal = tts.cached(line)
    assert normal is not None and slow == fake.context_audio[slow_ctx]
    print(f"\nslow/normal audio: {len(slow) / len(normal):.2f}")
    # The same words at speed 0.8: a short line's fixed silences keep it near 1.1x, not 1.25x (it
    # was more only while the voice added a pause of its own by grouping the digits again).
    assert len(slow) > 1.05 * len(normal)

    # A normal line after it is back at normal speed.
    await collect(tts.stream("Anything else I can help with?"))
    assert settings_of(fake.context_ids()[-1])["speed"] == 1.0


def test_speeds_outside_what_elevenlabs_accepts_are_refused() -> None:
    with pytest.raises(ValueError, match="speed"):
        ElevenLabsSettings(api_key="k", speed=1.5)
    with pytest.raises(ValueError, match="speed"):
        ElevenLabsSettings(api_key="k", slow_speed=0.5)
    assert ElevenLabsSettings(api_key="k", slow_speed=0.7).voice_settings(slow=True)["speed"] == 0.7


def test_settings_from_env() -> None:
    s = ElevenLabsSettings.from_env({"ELEVENLABS_API_KEY": "sekret-123"})
    assert (s.voice_id, s.url, s.model_id) == (DEFAULT_VOICE_ID, DEFAULT_URL, "eleven_flash_v2_5")
    assert "sekret" not in repr(s)
    assert s.stream_url().startswith(
        f"wss://api.elevenlabs.io/v1/text-to-speech/{DEFAULT_VOICE_ID}/multi-stream-input?"
        "model_id=eleven_flash_v2_5&output_format=ulaw_8000"
    )
    local = ElevenLabsSettings.from_env(
        {"ELEVENLABS_API_KEY": "k", "ELEVENLABS_VOICE_ID": "v1", "ELEVENLABS_URL": "http://127.0.0.1:9/"}
    )
    assert local.stream_url().startswith("ws://127.0.0.1:9/v1/text-to-speech/v1/multi-stream-input?")
    with pytest.raises(ValueError, match="ELEVENLABS_API_KEY"):
        ElevenLabsSettings.from_env({})


# ---------------------------------------------------------------- the fake itself


async def test_fake_single_context_stream_input(fake_elevenlabs: FakeElevenLabs) -> None:
    url = f"{fake_elevenlabs.url}/v1/text-to-speech/{VOICE_ID}/stream-input?output_format=ulaw_8000"
    async with connect(url, additional_headers={"xi-api-key": API_KEY}) as ws:
        await ws.send(json.dumps({"text": " ", "generation_config": {"chunk_length_schedule": [50]}}))
        await ws.send(json.dumps({"text": "Hello there. "}))  # under 50 chars: buffered
        await ws.send(json.dumps({"text": ""}))  # end of stream: generate, isFinal, close 1000
        frames = [json.loads(raw) async for raw in ws]
    assert frames[-1] == {"isFinal": True}
    assert all(f["isFinal"] is None and f["audio"] for f in frames[:-1])
    assert "".join(c for f in frames[:-1] for c in f["alignment"]["chars"]) == "Hello there."
    assert ws.close_code == 1000


async def test_fake_refuses_a_sixth_context(fake_elevenlabs: FakeElevenLabs) -> None:
    url = f"{fake_elevenlabs.url}/v1/text-to-speech/{VOICE_ID}/multi-stream-input?output_format=ulaw_8000"
    async with connect(url, additional_headers={"xi-api-key": API_KEY}) as ws:
        for n in range(6):
            await ws.send(json.dumps({"text": " ", "context_id": f"c{n}", "voice_settings": {}}))
        error = json.loads(await ws.recv())
        with pytest.raises(Exception, match="1008"):
            await ws.recv()
    assert error["error"] == "max_active_conversations" and error["code"] == 1008
