"""Observability: Prometheus metrics of the providers, Temporal SDK metrics, one trace per call
across API → workflow → activities (real Temporal dev server), and JSON logs with personal data
masked."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import logging
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode
from temporalio import activity
from temporalio.client import Client
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.testing import ActivityEnvironment

from callengine import caller_voice, logs, tracing
from callengine.calls import Call, new_call_sid
from callengine.settings import DEFAULT_SEED, BackendSettings, Settings
from callengine.temporal import METRICS_ADDR_ENV, connect, metrics_runtime
from callengine.worker import running_worker
from realtime.audio import FRAME_BYTES, ulaw_to_pcm16
from realtime.brain.base import Brain, BrainEvent, CallContext, CallerInput, Say, TurnDone
from realtime.brain.fallback import FallbackBrain
from realtime.brain.llm import LlmBrain, LlmSettings
from realtime.metrics import REGISTRY
from realtime.stt.deepgram import DeepgramSettings, DeepgramStt
from realtime.stt.failover import FailoverSession, FailoverStt
from realtime.stt.whisper import WhisperStt
from realtime.tts.elevenlabs import ElevenLabsSettings, ElevenLabsTts
from realtime.tts.failover import FailoverTts
from realtime.tts.piper import PiperTts
from realtime.vad import EnergyVad
from tests.conftest import Sandbox, free_port, push_utterance
from tests.fakes.deepgram_server import API_KEY as DG_KEY
from tests.fakes.deepgram_server import FakeDeepgram, fake_deepgram, fake_deepgram_server
from tests.fakes.elevenlabs_server import API_KEY as EL_KEY
from tests.fakes.elevenlabs_server import VOICE_ID, FakeElevenLabs, fake_elevenlabs, fake_elevenlabs_server
from tests.fakes.openai_server import API_KEY as OPENAI_KEY
from tests.fakes.openai_server import FakeOpenAI, fake_openai, fake_openai_server
from workflows.types import CallState, ToolResult

__all__ = [  # fixtures, imported for pytest
    "fake_deepgram",
    "fake_deepgram_server",
    "fake_elevenlabs",
    "fake_elevenlabs_server",
    "fake_openai",
    "fake_openai_server",
]

SEED = json.loads(DEFAULT_SEED.read_text())
MARIA = SEED["customers"][0]
SID = "CA" + "0123456789abcdef" * 2


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def errors(provider: str, role: str) -> float:
    return sample("callengine_provider_errors_total", provider=provider, role=role)


def failovers(provider: str, role: str) -> float:
    return sample("callengine_provider_failovers_total", provider=provider, role=role)


def timed(provider: str, role: str, op: str) -> float:
    """How many latency samples `PROVIDER_SECONDS` holds for this provider and op."""
    return sample("callengine_provider_seconds_count", provider=provider, role=role, op=op)


# ---------------------------------------------------------------- provider metrics


async def test_stt_failover_is_one_error_one_failover_and_a_local_decode(
    fake_deepgram: FakeDeepgram, speech: tuple[WhisperStt, PiperTts]
) -> None:
    fake_deepgram.reject_with = 401
    before = (errors("deepgram", "stt"), failovers("deepgram", "stt"), timed("whisper", "stt", "decode"))
    dg = DeepgramStt(DeepgramSettings(api_key=DG_KEY, url=fake_deepgram.url, connect_timeout_s=1.0))
    session = FailoverStt(dg, speech[0]).open()
    assert isinstance(session, FailoverSession)
    try:
        await push_utterance(session, "Where is my order?")
        result = await asyncio.wait_for(session.finalize(), 30)
    finally:
        await asyncio.wait_for(session.aclose(), 10)
    assert "order" in result.text.lower(), result
    assert session.switched
    # The refused key is counted once, by the Deepgram module; the wrapper counts the switch.
    assert errors("deepgram", "stt") == before[0] + 1
    assert failovers("deepgram", "stt") == before[1] + 1
    assert timed("whisper", "stt", "decode") > before[2]  # the turn was decoded locally, and timed


async def test_deepgram_times_its_handshake_and_time_to_final(
    fake_deepgram: FakeDeepgram, speech: tuple[WhisperStt, PiperTts]
) -> None:
    before = (timed("deepgram", "stt", "connect"), timed("deepgram", "stt", "finalize"))
    session = DeepgramStt(DeepgramSettings(api_key=DG_KEY, url=fake_deepgram.url)).open()
    await session.connect()
    vad = EnergyVad()
    audio = caller_voice.say("I want a refund.", lead_ms=200, tail_ms=100)  # too short a tail to endpoint
    for i in range(0, len(audio) - FRAME_BYTES + 1, FRAME_BYTES):
        frame = audio[i : i + FRAME_BYTES]
        session.push(frame, vad.is_speech(ulaw_to_pcm16(frame)))
    result = await asyncio.wait_for(session.finalize(), 10)
    await session.aclose()
    assert "refund" in result.text.lower(), result
    assert timed("deepgram", "stt", "connect") == before[0] + 1
    assert timed("deepgram", "stt", "finalize") == before[1] + 1  # Finalize sent, answered


async def test_tts_failover_counts_the_vendor_error_once(
    fake_elevenlabs: FakeElevenLabs, speech: tuple[WhisperStt, PiperTts]
) -> None:
    fake_elevenlabs.reject_with = 401
    before = (errors("elevenlabs", "tts"), failovers("elevenlabs", "tts"), timed("piper", "tts", "synth"))
    vendor = ElevenLabsTts(ElevenLabsSettings(api_key=EL_KEY, voice_id=VOICE_ID, url=fake_elevenlabs.url))
    tts = FailoverTts(vendor, speech[1])
    audio = b"".join([c async for c in tts.stream("Your order has shipped.")])
    assert len(audio) > 8000
    assert errors("elevenlabs", "tts") == before[0] + 1
    assert failovers("elevenlabs", "tts") == before[1] + 1
    assert timed("piper", "tts", "synth") > before[2]

    # Working again: the first audio of a sentence is timed.
    fake_elevenlabs.reject_with = None
    first_audio = timed("elevenlabs", "tts", "first_audio")
    fresh = ElevenLabsTts(ElevenLabsSettings(api_key=EL_KEY, voice_id=VOICE_ID, url=fake_elevenlabs.url))
    assert b"".join([c async for c in fresh.stream("Anything else?")])
    await fresh.close()
    assert timed("elevenlabs", "tts", "first_audio") == first_audio + 1
    assert timed("elevenlabs", "tts", "connect") >= 1


class _Standby(Brain):
    """A backup brain that needs no workflow: says one line."""

    name = "standby"

    def greeting(self) -> str:
        return "Hello."

    async def respond(self, said: CallerInput) -> AsyncIterator[BrainEvent]:
        yield Say("One moment.")
        yield TurnDone(None, 1.0)


def _context() -> CallContext:
    async def no_tools(name: str, args: dict[str, Any]) -> ToolResult:
        raise AssertionError(f"no tool expected, got {name}")

    async def no_state() -> CallState:
        raise AssertionError("no state expected")

    return CallContext(call_sid=SID, tools=no_tools, state=no_state, today=date(2026, 11, 20))


async def test_llm_first_chunk_errors_and_the_switch_to_the_offline_brain(fake_openai: FakeOpenAI) -> None:
    before = (
        timed("openai", "brain", "first_chunk"),
        errors("openai", "brain"),
        failovers("openai", "brain"),
    )
    settings = LlmSettings(api_key=OPENAI_KEY, base_url=fake_openai.base_url, model="gpt-4o-mini")
    client = settings.client()
    try:
        brain = FallbackBrain(LlmBrain(_context(), settings, client=client), _Standby())
        fake_openai.reply_text("Sure, I can help with that. What is your order number?")
        said = [e async for e in brain.respond(CallerInput("Where is my order?"))]
        assert isinstance(said[0], Say) and not brain.switched
        assert timed("openai", "brain", "first_chunk") == before[0] + 1

        fake_openai.fail(500, "The server had an error while processing your request.")
        said = [e async for e in brain.respond(CallerInput("It's one zero four eight two."))]
    finally:
        await client.close()
    assert brain.switched and said[0] == Say("One moment.")
    assert errors("openai", "brain") == before[1] + 1
    assert failovers("openai", "brain") == before[2] + 1


async def test_metrics_endpoint_exposes_the_new_families() -> None:
    from api.app import create_app

    app = create_app(Settings.from_env({}), temporal=None, media_handler=None)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        text = (await http.get("/metrics")).text
    for family in (
        "# TYPE callengine_provider_seconds histogram",
        "# TYPE callengine_provider_failovers_total counter",
        "# TYPE callengine_provider_errors_total counter",
        'callengine_turns_total{speaker="caller"}',
        'callengine_turns_total{speaker="agent"}',
        "callengine_active_calls",
        'callengine_stage_seconds_bucket{le="1.2",stage="voice_to_voice"}',
        "# TYPE callengine_tool_seconds histogram",
        "# TYPE callengine_escalations_total counter",
    ):
        assert family in text, family
    # Labels are bounded sets: no SIDs, numbers or text in them.
    assert "CA" + "0" * 32 not in text and "+1415" not in text


# ---------------------------------------------------------------- Temporal SDK metrics


def _target(client: Client) -> str:
    return client.service_client.config.target_host


async def test_temporal_sdk_metrics_are_served_on_the_configured_address(
    temporal_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv(METRICS_ADDR_ENV, f"127.0.0.1:{port}")
    metrics_runtime.cache_clear()
    try:
        settings = dataclasses.replace(
            Settings.from_env({}),
            temporal_address=_target(temporal_client),
            temporal_namespace=temporal_client.namespace,
        )
        one_shot = await connect(settings)  # a CLI command: no listener of its own
        client = await connect(settings, serve_metrics=True)
        assert client.service_client.config.runtime is metrics_runtime() is not None
        assert one_shot.service_client.config.runtime is not metrics_runtime()
        await client.count_workflows()  # some SDK traffic to count
        async with httpx.AsyncClient() as http:
            body = ""
            for _ in range(50):  # the exporter renders what the core has recorded so far
                body = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
                if "temporal_request" in body:
                    break
                await asyncio.sleep(0.1)
        assert "temporal_request" in body, body[:500]
    finally:
        metrics_runtime.cache_clear()


def test_temporal_metrics_address_is_checked() -> None:
    with pytest.raises(ValueError, match="host:port"):
        metrics_runtime("9464")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert metrics_runtime(f"127.0.0.1:{port}") is None  # logged; the process goes on


# ---------------------------------------------------------------- tracing


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on, into memory, for the clients connected during the test."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_provider(provider)
    yield exporter
    tracing.use_provider(None)
    provider.shutdown()


def _ancestry(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[str]:
    names = [span.name]
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        names.append(span.name)
    return names


async def test_one_trace_from_the_call_through_the_workflow_to_an_activity(
    temporal_client: Client, sandbox: Sandbox, spans: InMemorySpanExporter
) -> None:
    settings = dataclasses.replace(
        Settings.from_env({}),
        temporal_address=_target(temporal_client),
        temporal_namespace=temporal_client.namespace,
    )
    # The API's and the worker's clients both come from connect(): both carry the interceptor.
    api_client = await connect(settings)
    worker_client = await connect(settings)
    for client in (api_client, worker_client):
        assert any(isinstance(i, TracingInterceptor) for i in client.config()["interceptors"])
    task_queue = f"calls-trace-{uuid.uuid4().hex[:8]}"
    async with running_worker(worker_client, task_queue, BackendSettings.for_sandbox(sandbox.url)):
        with tracing.call_span():  # what the media stream handler opens for every call
            call_sid = new_call_sid()
            tracing.tag_call(call_sid)
            call = await Call.start(
                api_client,
                task_queue,
                call_sid=call_sid,
                caller_number=MARIA["phone"],
                called_number="+18005550100",
            )
            assert (await call.tool("identify_customer", use_caller_id=True)).ok
            assert (await call.tool("verify_customer", zip=MARIA["zip"])).ok
            order = await call.tool("lookup_order", order_id="10482")
            assert order.ok
            await call.end("caller_hangup", resolved=True)
        await asyncio.wait_for(call.result(), 30)

    finished = spans.get_finished_spans()
    by_id = {s.context.span_id: s for s in finished}
    names = {s.name for s in finished}
    [root] = [s for s in finished if s.name == "call"]
    assert root.attributes is not None and root.attributes["callengine.call_sid"] == call_sid
    # One trace: everything the call did, client side, workflow side, activities.
    assert {s.context.trace_id for s in finished} == {root.context.trace_id}, sorted(names)
    assert {"StartWorkflow:CallWorkflow", "RunWorkflow:CallWorkflow", "StartWorkflowUpdate:tool"} <= names
    # The order lookup ran as an activity whose span descends from the call's.
    [lookup] = [s for s in finished if s.name == "RunActivity:orders.lookup_order"]
    chain = _ancestry(lookup, by_id)
    assert chain[0] == "RunActivity:orders.lookup_order" and chain[-1] == "call", chain
    assert "StartActivity:orders.lookup_order" in chain and "StartWorkflow:CallWorkflow" in chain, chain
    # Each tool update is linked from the workflow's handling of it.
    handled = [s for s in finished if s.name == "HandleUpdate:tool"]
    sent = {s.context.span_id for s in finished if s.name == "StartWorkflowUpdate:tool"}
    assert len(handled) == 3 and all(link.context.span_id in sent for s in handled for link in s.links)
    # Ids and names only: nothing the caller said or the backend returned.
    dumped = json.dumps([dict(s.attributes or {}) for s in finished])
    assert MARIA["phone"] not in dumped and MARIA["zip"] not in dumped and "UPS" not in dumped


def test_tracing_mode_comes_from_the_environment() -> None:
    assert tracing.resolve_mode({}) == "off"
    assert tracing.resolve_mode({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}) == "otlp"
    assert tracing.resolve_mode({"OTEL_EXPORTER_OTLP_ENDPOINT": "x", "CALLENGINE_TRACING": "off"}) == "off"
    assert tracing.resolve_mode({"CALLENGINE_TRACING": "Console"}) == "console"
    assert tracing.resolve_mode({"CALLENGINE_TRACING": "otlp", "OTEL_SDK_DISABLED": "true"}) == "off"
    with pytest.raises(tracing.TracingConfigError, match="CALLENGINE_TRACING"):
        tracing.resolve_mode({"CALLENGINE_TRACING": "jaeger"})


def test_otlp_without_the_exporter_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry.exporter.otlp.proto.http.trace_exporter", None)
    tracing.use_provider(None)
    try:
        with pytest.raises(tracing.TracingConfigError, match=r"callengine\[tracing\]"):
            tracing.setup("callengine-test", {"CALLENGINE_TRACING": "otlp"})
    finally:
        tracing.use_provider(None)


def test_exported_error_texts_are_masked() -> None:
    inner = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(tracing._RedactingExporter(inner)))
    with provider.get_tracer("test").start_as_current_span("RunActivity:crm.identify") as span:
        span.set_status(Status(StatusCode.ERROR, "no customer with maria@example.com or +14155550101"))
        span.record_exception(ValueError("bad phone (415) 555-0101"))
    [exported] = inner.get_finished_spans()
    assert exported.status.description == "no customer with [email] or •••"
    [event] = exported.events
    assert event.attributes is not None and event.attributes["exception.message"] == "bad phone •••"
    provider.shutdown()


# ---------------------------------------------------------------- logs


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """The root logger, restored afterwards (configure() replaces its handlers)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)
    logging.captureWarnings(False)


def test_json_lines_mask_personal_data_and_name_the_call(root_logger: logging.Logger) -> None:
    out = io.StringIO()
    assert logs.configure("info", fmt="json", stream=out) == "json"
    log = logging.getLogger("callengine.test")
    token = logs.bind_call_sid(SID)
    try:
        log.warning("caller %s spelled %s", "+14155550101", "maria@example.com")
        try:
            raise ValueError("no account for (415) 555-0101")
        except ValueError:
            log.exception("lookup failed")
    finally:
        logs.bind_call_sid(None)
        del token
    log.info("between calls")
    # Temporal's workflow logger puts the workflow's info on the record: the call comes from there.
    log.info("wrap-up", extra={"temporal_workflow": {"workflow_id": f"call-{SID}", "run_id": "r"}})
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    first, failed, between, wrap_up = lines
    assert first["message"] == "caller ••• spelled [email]"
    assert (first["level"], first["logger"], first["call_sid"]) == ("WARNING", "callengine.test", SID)
    assert datetime.fromisoformat(first["time"]).tzinfo is not None
    assert failed["call_sid"] == SID and "ValueError: no account for •••" in failed["exc_info"]
    assert "415" not in failed["exc_info"]
    assert "call_sid" not in between
    assert wrap_up["call_sid"] == SID
    assert "maria" not in out.getvalue() and "4155550101" not in out.getvalue()


async def test_activity_log_lines_carry_the_activity_call(root_logger: logging.Logger) -> None:
    out = io.StringIO()
    logs.configure("info", fmt="json", stream=out)

    @activity.defn
    async def note() -> None:
        logging.getLogger("activities.crm").info("note written for %s", "maria@example.com")

    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, workflow_id=f"call-{SID}")
    await env.run(note)
    [line] = [json.loads(x) for x in out.getvalue().splitlines()]
    assert line == {
        "time": line["time"],
        "level": "INFO",
        "logger": "activities.crm",
        "message": "note written for [email]",
        "call_sid": SID,
    }


def test_text_format_is_masked_too(root_logger: logging.Logger) -> None:
    out = io.StringIO()
    assert logs.configure("info", fmt="text", stream=out) == "text"
    logging.getLogger("callengine.test").info("caller id %s", "+14155550101")
    assert out.getvalue().rstrip().endswith("INFO callengine.test: caller id •••")


def test_log_format_follows_the_environment_then_the_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert logs.resolve_format(None, Tty(), {}) == "text"
    assert logs.resolve_format(None, io.StringIO(), {}) == "json"
    assert logs.resolve_format(None, Tty(), {"CALLENGINE_LOG_FORMAT": "JSON"}) == "json"
    assert logs.resolve_format("text", io.StringIO(), {"CALLENGINE_LOG_FORMAT": "json"}) == "text"
    with pytest.raises(ValueError, match="json or text"):
        logs.resolve_format(None, io.StringIO(), {"CALLENGINE_LOG_FORMAT": "xml"})


def test_redaction_leaves_ids_dates_and_short_numbers_alone() -> None:
    kept = [
        f"call {SID} step-3",
        "order 10482, ZIP 94103, ETA 2026-11-28 10:00:00",
        "tracking 1Z999AA10123456784",
        "took 1200 ms",
    ]
    for text in kept:
        assert logs.redact(text) == text
    assert logs.redact("+1 415 555 0101 / 415.555.0101 / 4155550101") == "••• / ••• / •••"
