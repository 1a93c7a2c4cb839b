"""Real voice calls: the phone simulator dials the real API over loopback, speaks with a
Piper caller voice, and the agent's audio is transcribed with Whisper."""

from __future__ import annotations

import asyncio
import json

from callengine import caller_voice as voices
from callengine.phone import PhoneCall
from callengine.settings import DEFAULT_SEED
from tests.conftest import ADMIN, Engine, Sandbox

SEED = json.loads(DEFAULT_SEED.read_text())
MARIA = SEED["customers"][0]


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


async def _final_state(engine: Engine, phone: PhoneCall) -> dict:  # type: ignore[type-arg]
    from callengine.calls import Call

    call = Call.attach(engine.handler.services.client, phone.call_sid)
    await asyncio.wait_for(call.result(), 30)
    return (await call.state()).model_dump(mode="json")
