"""Cloud providers in a call: selection, failover to the local models, a voice call on
Deepgram + ElevenLabs and the mixed case (Deepgram + Piper), and one call with all four
vendors on — Deepgram, OpenAI, ElevenLabs and Twilio REST — each its local protocol server
(Deepgram's transcribes with Whisper, ElevenLabs' speaks with Piper, so the audio is real;
OpenAI's model is scripted; Twilio's REST API is the sandbox's emulator)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest
from temporalio.client import Client

from callengine import caller_voice
from callengine.calls import Call
from callengine.network import PhoneNetwork
from callengine.phone import PhoneCall
from realtime.brain.base import Brain, CallContext
from realtime.brain.fallback import FallbackBrain
from realtime.brain.llm import LlmBrain, LlmSettings
from realtime.brain.offline import OfflineBrain
from realtime.brain.select import brain_factory
from realtime.providers import make_stt, make_tts
from realtime.session import Services, SessionConfig
from realtime.stt.deepgram import DeepgramSettings, DeepgramStt
from realtime.stt.failover import FailoverSession, FailoverStt
from realtime.stt.whisper import WhisperStt
from realtime.tts.elevenlabs import ElevenLabsSettings, ElevenLabsTts
from realtime.tts.failover import FailoverTts
from realtime.tts.piper import PiperTts
from tests.conftest import Engine, Sandbox, WorkerFactory, engine_settings, push_utterance, running_engine
from tests.fakes.deepgram_server import API_KEY as DG_KEY
from tests.fakes.deepgram_server import FakeDeepgram, fake_deepgram, fake_deepgram_server
from tests.fakes.elevenlabs_server import API_KEY as EL_KEY
from tests.fakes.elevenlabs_server import VOICE_ID, FakeElevenLabs, fake_elevenlabs, fake_elevenlabs_server
from tests.fakes.openai_server import API_KEY as OPENAI_KEY
from tests.fakes.openai_server import FakeOpenAI, fake_openai, fake_openai_server

__all__ = [
    "fake_deepgram",
    "fake_deepgram_server",
    "fake_elevenlabs",
    "fake_elevenlabs_server",
    "fake_openai",
    "fake_openai_server",
]


def deepgram(fake: FakeDeepgram) -> DeepgramStt:
    return DeepgramStt(DeepgramSettings(api_key=DG_KEY, url=fake.url))


def elevenlabs(fake: FakeElevenLabs, **kw: float) -> ElevenLabsTts:
    return ElevenLabsTts(ElevenLabsSettings(api_key=EL_KEY, voice_id=VOICE_ID, url=fake.url, **kw))


def test_selection_follows_keys_and_overrides() -> None:
    assert make_stt({}).name == "whisper" and make_tts({}).name == "piper"
    cloud = {"DEEPGRAM_API_KEY": "k", "ELEVENLABS_API_KEY": "k"}
    assert make_stt(cloud).name == "deepgram+whisper"
    assert make_tts(cloud).name == "elevenlabs+piper"
    assert make_stt(cloud | {"CALLENGINE_STT": "whisper"}).name == "whisper"  # mixed: local STT, cloud TTS
    assert make_tts(cloud | {"CALLENGINE_TTS": "piper"}).name == "piper"
    with pytest.raises(ValueError, match="CALLENGINE_STT"):
        make_stt({"CALLENGINE_STT": "watson"})


@pytest.mark.parametrize("fault", ["reject_with", "hang", "drop"])
async def test_stt_vendor_failure_falls_back_to_whisper_for_the_same_turn(
    fake_deepgram: FakeDeepgram, speech: tuple[WhisperStt, PiperTts], fault: str
) -> None:
    if fault == "reject_with":
        fake_deepgram.reject_with = 401
    elif fault == "hang":
        fake_deepgram.hang = True
    else:
        fake_deepgram.drop_after_s = 0.3
    dg = DeepgramStt(
        DeepgramSettings(api_key=DG_KEY, url=fake_deepgram.url, finalize_timeout_s=1.0, connect_timeout_s=1.0)
    )
    stt = FailoverStt(dg, speech[0])
    session = stt.open()
    assert isinstance(session, FailoverSession)
    try:
        await push_utterance(session, "Where is my order?")
        if fault == "drop":
            await push_utterance(session, "I want a refund.")
        result = await asyncio.wait_for(session.finalize(), 30)
        assert "order" in result.text.lower() or "refund" in result.text.lower(), result
    finally:
        await asyncio.wait_for(session.aclose(), 10)


async def test_tts_vendor_failure_is_spoken_by_piper(
    fake_elevenlabs: FakeElevenLabs, speech: tuple[WhisperStt, PiperTts]
) -> None:
    fake_elevenlabs.reject_with = 401
    tts = FailoverTts(elevenlabs(fake_elevenlabs), speech[1])
    audio = b"".join([c async for c in tts.stream("Your order is on its way.")])
    assert len(audio) > 8000  # a second or more of speech, from the local voice
    # Whisper tiny once heard "shipped" as another word: assert on one it always gets right.
    assert "order" in speech[0].transcribe_ulaw(audio).text.lower()
    fake_elevenlabs.reject_with = None
    fake_elevenlabs.hang = True
    slow = FailoverTts(elevenlabs(fake_elevenlabs, audio_timeout_s=0.5), speech[1])
    audio = b"".join([c async for c in slow.stream("Anything else?")])
    assert len(audio) > 4000


@pytest.fixture(params=["elevenlabs", "piper"])
async def cloud_engine(
    request: pytest.FixtureRequest,
    temporal_client: Client,
    worker: WorkerFactory,
    sandbox: Sandbox,
    speech: tuple[WhisperStt, PiperTts],
    fake_deepgram: FakeDeepgram,
    fake_elevenlabs: FakeElevenLabs,
) -> AsyncIterator[Engine]:
    """Deepgram STT with ElevenLabs TTS, or the mixed case: Deepgram STT, local Piper TTS."""
    whisper, piper = speech
    async with worker() as tq:
        settings = engine_settings(tq, sandbox)
        services = Services(
            client=temporal_client,
            settings=settings,
            stt=FailoverStt(deepgram(fake_deepgram), whisper),
            tts=FailoverTts(elevenlabs(fake_elevenlabs), piper) if request.param == "elevenlabs" else piper,
            make_brain=brain_factory("offline"),
            config=SessionConfig(silence_prompt_s=30),
        )
        async with running_engine(settings, services, whisper) as engine:
            yield engine


async def test_a_call_on_cloud_speech_providers(
    cloud_engine: Engine, fake_deepgram: FakeDeepgram, fake_elevenlabs: FakeElevenLabs
) -> None:
    phone = cloud_engine.phone()
    await phone.dial()
    await phone.wait_agent_done(since=0)
    for line in ["What's my account balance?", "nine four one zero three", "Yes."]:
        start = await phone.say(caller_voice.say(line, tail_ms=100))
        end = await phone.wait_agent_done(since=start)
    answer = cloud_engine.transcribe(phone.agent_audio_between(start, end + 0.1)).lower()
    assert "dollars" in answer or "balance" in answer, answer
    await phone.hang_up()
    call = Call.attach(cloud_engine.handler.services.client, phone.call_sid)
    await asyncio.wait_for(call.result(), 30)
    state = await call.state()
    assert state.verified
    assert state.usage is not None and state.usage.providers["stt"] == "deepgram+whisper"
    assert state.usage.cost_usd > 0
    assert fake_deepgram.connections >= 1  # the recognizer really was the vendor's protocol
    if state.usage.providers["tts"] == "piper":  # the mixed case: nothing reached ElevenLabs
        assert fake_elevenlabs.connections == []
    else:
        assert state.usage.providers["tts"] == "elevenlabs+piper" and len(fake_elevenlabs.connections) >= 1


async def test_a_call_with_all_four_cloud_vendors(
    temporal_client: Client,
    worker: WorkerFactory,
    sandbox: Sandbox,
    speech: tuple[WhisperStt, PiperTts],
    fake_deepgram: FakeDeepgram,
    fake_elevenlabs: FakeElevenLabs,
    fake_openai: FakeOpenAI,
) -> None:
    """Deepgram hears, the OpenAI model decides, ElevenLabs speaks, Twilio REST hangs up."""
    f = fake_openai
    f.reply_tools([("identify_customer", {"use_caller_id": True})])
    f.reply_text("I found an account for this number. What is your billing ZIP code?")
    f.reply_tools([("verify_customer", {"zip": "94103"})])
    f.reply_text("Thanks, Maria, you're verified. Is there anything else I can help with?")
    f.reply_tools([("end_call", {"resolved": True})], text_before="Thanks for calling. Goodbye.")
    whisper, piper = speech
    llm = LlmSettings(api_key=OPENAI_KEY, base_url=f.base_url, model="gpt-4o-mini")
    client = llm.client()

    def make_brain(ctx: CallContext) -> Brain:
        return FallbackBrain(LlmBrain(ctx, llm, client=client), lambda: OfflineBrain(ctx))

    async with worker() as tq:
        settings = dataclasses.replace(engine_settings(tq, sandbox), telephony="rest")
        services = Services(
            client=temporal_client,
            settings=settings,
            stt=FailoverStt(deepgram(fake_deepgram), whisper),
            tts=FailoverTts(elevenlabs(fake_elevenlabs), piper),
            make_brain=make_brain,
            config=SessionConfig(silence_prompt_s=30),
        )
        async with running_engine(settings, services, whisper) as engine:
            phone = PhoneCall(
                engine.url,
                settings.twilio_auth_token,
                caller="+14155550101",
                network=PhoneNetwork(sandbox.url),
            )
            await phone.dial()
            await phone.wait_agent_done(since=0)
            for line in ["Hi, where is my order?", "nine four one zero three", "No, that's all."]:
                start = await phone.say(caller_voice.say(line, tail_ms=100))
                await phone.wait_agent_done(since=start)
            await asyncio.wait_for(phone.closed.wait(), 20)  # Twilio completed the call over REST
            twiml = await phone.follow_action()
            call = Call.attach(temporal_client, phone.call_sid)
            result = await asyncio.wait_for(call.result(), 30)
            state = await call.state()
    await client.close()
    # The last line was played in full before the hang-up: the workflow records the agent's words
    # as heard (Twilio marks echoed after playback), and the caller's side received its audio.
    # (Whisper tiny is not asked to transcribe the final word: it drops a trailing "Goodbye."
    # now and then, which says nothing about the call.)
    last = state.turns[-1]
    assert last.speaker == "agent" and "goodbye" in last.text.lower() and not last.interrupted
    # "Thanks for calling. Goodbye." is ~1.5 s in this voice (1.47-1.54 s measured: where the
    # caller's line starts shifts the window); a line cut by the hang-up would be far shorter.
    assert len(phone.agent_audio_between(start, float("inf"))) > 8000 * 1.2
    assert "<Hangup" in twiml and phone.rest_completed  # the workflow hung up over Twilio REST
    assert state.phone == "hung_up" and state.ended_reason == "agent_hangup"
    assert result.outcome == "resolved" and result.verified
    assert [c.name for c in state.tool_calls] == ["identify_customer", "verify_customer"]
    assert f.remaining == 0 and len(f.requests) == 5
    assert f.model_lists >= 1  # the LLM connection was warmed while the greeting played
    assert "order" in f.requests[0].messages[-1]["content"].lower()  # what Deepgram heard, sent to the model
    usage = state.usage
    assert usage is not None
    assert usage.providers == {"stt": "deepgram+whisper", "tts": "elevenlabs+piper", "brain": "llm+offline"}
    assert usage.llm_prompt_tokens > 0 and usage.tts_characters > 0 and usage.stt_seconds > 0
    assert usage.cost_usd > 0
    assert fake_deepgram.connections >= 1 and len(fake_elevenlabs.connections) >= 1
