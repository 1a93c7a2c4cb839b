"""Real voice calls: the phone simulator dials the real API over loopback, speaks with a
Piper caller voice, and the agent's audio is transcribed with Whisper."""

from __future__ import annotations

import asyncio
import dataclasses
import difflib
import json
from collections.abc import AsyncIterator

import pytest
from temporalio.client import Client

from callengine import caller_voice as voices
from callengine.calls import Call
from callengine.phone import PhoneCall
from callengine.settings import DEFAULT_SEED
from realtime.brain.base import Brain, BrainEvent, CallContext, CallerInput, Say, TurnDone
from realtime.brain.offline import OfflineBrain
from realtime.brain.repair import repeat_request, say_again
from realtime.stt.whisper import WhisperStt
from realtime.tts.piper import PiperTts
from tests.conftest import (
    ADMIN,
    Engine,
    Sandbox,
    WorkerFactory,
    engine_settings,
    offline_services,
    running_engine,
)

SEED = json.loads(DEFAULT_SEED.read_text())
MARIA = SEED["customers"][0]
# Quiet that ends an agent reply. Piper makes sentence N+1 while N plays; on two busy cores that
# can leave a gap of most of a second between sentences, which is not the end of the reply.
REPLY_QUIET_S = 1.5


async def converse(phone: PhoneCall, engine: Engine, line: str) -> str:
    """Say one line, wait for the agent's answer, return its transcription."""
    await phone.say(voices.say(line, tail_ms=100))
    spoke_at = phone._now()
    end = await phone.wait_agent_done(since=spoke_at, quiet_s=REPLY_QUIET_S)
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
    usage = state["usage"]  # what the call used, priced (local speech costs nothing; the line does)
    assert usage["phone_seconds"] > 10 and usage["stt_seconds"] > 10 and usage["tts_characters"] > 50
    assert usage["providers"] == {"stt": "whisper", "tts": "piper", "brain": "offline"}
    assert 0 < usage["cost_usd"] < 0.05


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
        method="GET", path_prefix="/admin/api/2024-10/orders.json", delay_ms=2500, status=None, count=1
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


class RecordingBrain(Brain):
    """The offline agent, recording what each turn gave it and what it said back.

    A caller's "say that again" gets the last reply once more through the shared repair
    helpers (`say_again`: `Say(slow=True)`), as both brains answer it; what is under test here
    is what the session does with such a line and with a barge-in, not the brain's policy.
    """

    name = "recording"

    def __init__(self, ctx: CallContext) -> None:
        self.agent = OfflineBrain(ctx)
        self.inputs: list[CallerInput] = []
        self.replies: list[list[Say]] = []

    def greeting(self) -> str:
        return self.agent.greeting()

    async def respond(self, said: CallerInput) -> AsyncIterator[BrainEvent]:
        self.inputs.append(said)
        reply: list[Say] = []
        last = self.replies[-1] if self.replies else []
        self.replies.append(reply)
        if repeat_request(said.text) and last:
            for line in say_again(s.text for s in last):
                reply.append(line)
                yield line
            yield TurnDone(intent=None, confidence=1.0)
            return
        async for event in self.agent.respond(said):
            if isinstance(event, Say):
                reply.append(event)
            yield event


@pytest.fixture
async def recorded(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox, speech: tuple[WhisperStt, PiperTts]
) -> AsyncIterator[tuple[Engine, list[RecordingBrain]]]:
    """An engine whose calls get a `RecordingBrain` each (in `brains`, in call order)."""
    brains: list[RecordingBrain] = []

    def make(ctx: CallContext) -> Brain:
        brains.append(RecordingBrain(ctx))
        return brains[-1]

    async with worker() as tq:
        settings = engine_settings(tq, sandbox)
        services = dataclasses.replace(offline_services(temporal_client, settings, speech), make_brain=make)
        async with running_engine(settings, services, speech[0]) as engine:
            yield engine, brains


async def reply_audio(engine: Engine, phone: PhoneCall, line: str) -> bytes:
    """Say one line; the agent's whole answer as the caller heard it.

    The answer is complete when the workflow records it (the session does once every sentence
    was heard): a pause between two slow sentences on a busy machine is not its end.
    """
    call = Call.attach(engine.handler.services.client, phone.call_sid)

    async def agent_turns() -> int:
        return sum(1 for t in (await call.state()).turns if t.speaker == "agent")

    before = await agent_turns()
    spoke_at = await phone.say(voices.say(line, tail_ms=100))
    for _ in range(300):
        if await agent_turns() > before:
            break
        await asyncio.sleep(0.1)
    end = await phone.wait_agent_done(since=spoke_at, quiet_s=0.2)
    return phone.agent_audio_between(spoke_at, end + 0.1)


async def test_a_repeat_is_spoken_slower(recorded: tuple[Engine, list[RecordingBrain]]) -> None:
    engine, brains = recorded
    phone = engine.phone()
    await phone.dial()
    await phone.wait_agent_done(since=0)
    first = await reply_audio(engine, phone, "Hi, where is my order?")
    again = await reply_audio(engine, phone, "Sorry, can you say that again?")
    await phone.hang_up()
    (brain,) = brains
    asked, repeat = brain.replies[-2:]
    assert [s.text for s in repeat] == [s.text for s in asked] and all(s.slow for s in repeat)
    # The same question, still clear: Whisper tiny hears it almost word for word (one word may
    # slip: "ZIP code" came back once as "ZI key code" on a loaded machine).
    heard = engine.transcribe(again).lower()
    said = " ".join(s.text for s in repeat).lower()
    assert difflib.SequenceMatcher(None, heard, said).ratio() > 0.8, (heard, said)
    ratio = len(again) / len(first)
    print(f"\nrepeat {len(again) / 8000:.2f} s vs first time {len(first) / 8000:.2f} s: x{ratio:.2f}")
    assert ratio > 1.15  # the session asked the voice for slow speech, and got it


async def test_what_a_barge_in_cut_reaches_the_brain(recorded: tuple[Engine, list[RecordingBrain]]) -> None:
    engine, brains = recorded
    phone = engine.phone()
    await phone.dial()
    await phone.wait_agent_done(since=0)
    await converse(phone, engine, "I need to reschedule my installation")
    await converse(phone, engine, "nine four one zero three")
    # A long list of slots; the caller cuts in a second into it.
    await phone.say(voices.say("Yes.", tail_ms=100))
    while not phone.agent_speaking:
        await asyncio.sleep(0.01)
    await asyncio.sleep(1.0)
    await phone.say(voices.say("The second one please."), wait=False)
    while not phone.clears:
        await asyncio.sleep(0.01)
    (brain,) = brains
    for _ in range(400):  # the cut-in's turn reaches the brain once the caller stops talking
        if len(brain.inputs) == 4:
            break
        await asyncio.sleep(0.05)
    await phone.hang_up()
    assert len(brain.inputs) == 4, brain.inputs
    *before, after_cut = brain.inputs
    print(f"\n{after_cut}")
    assert [i.missed for i in before] == ["", "", ""]  # nothing was cut before
    cut_reply = [s.text for s in brain.replies[-2]]
    # The brain hears the sentences the caller talked over, whole: the tail of the cut reply.
    assert after_cut.missed in [" ".join(cut_reply[k:]) for k in range(len(cut_reply))], after_cut
    assert after_cut.text.strip() and after_cut.source == "speech"


async def _final_state(engine: Engine, phone: PhoneCall) -> dict:  # type: ignore[type-arg]
    call = Call.attach(engine.handler.services.client, phone.call_sid)
    await asyncio.wait_for(call.result(), 30)
    return (await call.state()).model_dump(mode="json")
