"""Real voice calls: the phone simulator dials the real API over loopback, speaks with a
Piper caller voice, and the agent's audio is transcribed with Whisper."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import uvicorn
from temporalio.client import Client

from callengine import caller_voice as voices
from callengine.phone import PhoneCall
from callengine.server import build_app
from callengine.settings import DEFAULT_SEED, Settings
from realtime.audio import FRAME_BYTES, ulaw_to_pcm16
from realtime.brain.select import brain_factory
from realtime.session import MediaStreamHandler, Services, SessionConfig
from realtime.stt.whisper import WhisperStt
from realtime.tts.piper import PiperTts
from realtime.vad import EnergyVad
from tests.conftest import ADMIN, Sandbox, WorkerFactory, free_port

SEED = json.loads(DEFAULT_SEED.read_text())
MARIA = SEED["customers"][0]


@pytest.fixture(scope="session")
async def speech() -> tuple[WhisperStt, PiperTts]:
    stt, tts = WhisperStt(), PiperTts()
    await asyncio.gather(stt.warm(), tts.warm())
    return stt, tts


@dataclass
class Engine:
    url: str
    settings: Settings
    handler: MediaStreamHandler
    stt: WhisperStt

    def phone(self, caller: str = MARIA["phone"]) -> PhoneCall:
        return PhoneCall(self.url, self.settings.twilio_auth_token, caller=caller)

    def transcribe(self, ulaw: bytes) -> str:
        """Whisper tiny loops on long digit-heavy audio: transcribe pause-separated pieces."""
        return " ".join(self.stt.transcribe_ulaw(piece).text for piece in split_on_pauses(ulaw)).strip()


def split_on_pauses(ulaw: bytes, pause_ms: int = 300) -> list[bytes]:
    vad = EnergyVad()
    pieces: list[bytes] = []
    current = bytearray()
    quiet = 0
    for i in range(0, len(ulaw) - FRAME_BYTES + 1, FRAME_BYTES):
        frame = ulaw[i : i + FRAME_BYTES]
        speech = vad.is_speech(ulaw_to_pcm16(frame))
        current += frame
        quiet = 0 if speech else quiet + 20
        if quiet >= pause_ms and len(current) > 8 * pause_ms:
            pieces.append(bytes(current))
            current = bytearray()
    if len(current) > 1600:
        pieces.append(bytes(current))
    return pieces


@pytest.fixture
async def engine(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox, speech: tuple[WhisperStt, PiperTts]
) -> AsyncIterator[Engine]:
    stt, tts = speech
    port = free_port()
    async with worker() as tq:
        settings = dataclasses.replace(
            Settings.from_env({}), task_queue=tq, api_port=port, public_url=f"http://127.0.0.1:{port}"
        )
        services = Services(
            client=temporal_client,
            settings=settings,
            stt=stt,
            tts=tts,
            make_brain=brain_factory("offline"),
            config=SessionConfig(silence_prompt_s=30),
        )
        app = build_app(settings, services)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.02)
        yield Engine(settings.public_url, settings, app.state.media_handler, stt)
        server.should_exit = True
        await task


async def converse(phone: PhoneCall, engine: Engine, line: str) -> str:
    """Say one line, wait for the agent's answer, return its transcription."""
    await phone.say(voices.say(line, tail_ms=100))
    spoke_at = phone._now()
    end = await phone.wait_agent_done(since=spoke_at)
    return engine.transcribe(phone.agent_audio_between(spoke_at, end + 0.1))


async def test_order_status_by_voice(engine: Engine) -> None:
    phone = engine.phone()
    await phone.dial()
    greeting = engine.transcribe(phone.agent_audio_between(0, await phone.wait_agent_done(since=0) + 0.1))
    assert "help" in greeting.lower()
    assert "zip" in (await converse(phone, engine, "Hi, where is my order?")).lower()
    assert "right" in (await converse(phone, engine, "nine four one zero three")).lower()
    assert "order number" in (await converse(phone, engine, "Yes.")).lower()
    await converse(phone, engine, "one zero four eight two")
    answer = (await converse(phone, engine, "Yes, that's right.")).lower()
    assert "ship" in answer and "ups" in answer, answer  # tiny.en hears "is shipped" as "ship"
    await phone.say(voices.say("No, thank you.", tail_ms=100))
    await asyncio.wait_for(phone.closed.wait(), 20)  # the agent said goodbye and ended the stream
    twiml = await phone.follow_action()
    assert "<Hangup" in twiml
    state = await _final_state(engine, phone)
    assert state["outcome"] == "resolved" and state["verified"]
    assert [c["name"] for c in state["tool_calls"]] == [
        "identify_customer",
        "verify_customer",
        "lookup_order",
    ]
    agent_turns = [t for t in state["turns"] if t["speaker"] == "agent"]
    assert any(t["latency"] and t["latency"]["voice_to_voice_ms"] for t in agent_turns)
    assert not engine.handler.active  # the call's tasks are gone


async def test_barge_in_clears_fast_and_keeps_only_what_was_heard(engine: Engine) -> None:
    phone = engine.phone()
    await phone.dial()
    await phone.wait_agent_done(since=0)
    await converse(phone, engine, "I need to reschedule my installation")
    await converse(phone, engine, "nine four one zero three")
    # The verified caller now hears a long list of slots; they cut in a second into it.
    await phone.say(voices.say("Yes.", tail_ms=100))
    while not phone.agent_speaking:
        await asyncio.sleep(0.01)
    await asyncio.sleep(1.0)
    onset = await phone.say(voices.say("The second one please."), wait=False)
    while not phone.clears:
        await asyncio.sleep(0.01)
    assert phone.clears[0] - onset <= 0.3, f"clear after {phone.clears[0] - onset:.3f}s"
    await phone.wait_agent_done(since=onset)
    await phone.hang_up()
    state = await _final_state(engine, phone)
    cut = [t for t in state["turns"] if t["speaker"] == "agent" and t["interrupted"]]
    assert cut, "the interrupted reply is recorded as interrupted"
    assert "or" not in cut[0]["text"].split()[-3:] or cut[0]["text"].endswith("—")


async def test_caller_hangs_up_during_a_slow_lookup(engine: Engine, sandbox: Sandbox) -> None:
    await sandbox.fault(
        method="GET", path_prefix="/admin/api/2024-10/orders/10482", delay_ms=2500, status=None, count=1
    )
    phone = engine.phone()
    await phone.dial()
    await phone.wait_agent_done(since=0)
    await converse(phone, engine, "Where is my order?")
    await converse(phone, engine, "nine four one zero three")
    await converse(phone, engine, "Yes.")
    await converse(phone, engine, "one zero four eight two")
    said = await phone.say(voices.say("Yes."))
    filler = await phone.wait_agent_done(since=said, quiet_s=0.3)  # "One moment while I check that."
    assert filler > 0
    await phone.hang_up()
    state = await _final_state(engine, phone)
    assert state["ended"] and state["outcome"] is not None
    assert state["ended_reason"] == "caller_hangup"
    lookups = [c for c in state["tool_calls"] if c["name"] == "lookup_order"]
    assert len(lookups) == 1 and lookups[0]["ok"]  # the tool already sent finished and is recorded
    for _ in range(50):
        if not engine.handler.active:
            break
        await asyncio.sleep(0.1)
    assert not engine.handler.active
    await sandbox.http.delete(f"{sandbox.url}/_admin/faults", headers=ADMIN)


async def _final_state(engine: Engine, phone: PhoneCall) -> dict:  # type: ignore[type-arg]
    from callengine.calls import Call

    call = Call.attach(engine.handler.services.client, phone.call_sid)
    await asyncio.wait_for(call.result(), 30)
    return (await call.state()).model_dump(mode="json")
