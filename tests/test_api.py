"""The API over real HTTP (ASGI) and a real WebSocket server (uvicorn on loopback).

Signatures are computed with twilio-python's own `RequestValidator`, as Twilio's signer does;
fallback and status callbacks talk to real workflows on the Temporal dev server.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
import websockets
from fastapi import FastAPI, WebSocket
from temporalio.client import Client
from twilio.request_validator import RequestValidator

import api.fallback
from api import MediaHandler, create_app
from callengine.calls import Call, new_call_sid
from callengine.settings import Settings
from realtime.metrics import REGISTRY, WEBHOOKS
from tests.conftest import WorkerFactory, free_port

TOKEN = "test-auth-token"
PUBLIC = "https://calls.example.com"
INTERNAL = "http://internal-host:8080"  # what the app sees behind the TLS-terminating proxy
SETTINGS = Settings(twilio_auth_token=TOKEN, public_url=PUBLIC, human_queue="tier2")


def sign(url: str, params: dict[str, str], token: str = TOKEN) -> str:
    return str(RequestValidator(token).compute_signature(url, params))


def voice_params(call_sid: str | None = None, **extra: str) -> dict[str, str]:
    return {
        "AccountSid": SETTINGS.twilio_account_sid,
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid or new_call_sid(),
        "CallStatus": "ringing",
        "Direction": "inbound",
        "From": "+14155550101",
        "To": "+18005550100",
        "Caller": "+14155550101",
        "Called": "+18005550100",
        **extra,
    }


@asynccontextmanager
async def client_for(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=INTERNAL) as http:
        yield http


async def post_signed(
    http: httpx.AsyncClient, path: str, params: dict[str, str], signature: str | None = "auto"
) -> httpx.Response:
    headers = {}
    if signature == "auto":
        signature = sign(PUBLIC + path, params)
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return await http.post(path, data=params, headers=headers)


def webhooks(endpoint: str, status: str) -> float:
    value = REGISTRY.get_sample_value("callengine_webhooks_total", {"endpoint": endpoint, "status": status})
    return value or 0.0


@pytest.fixture
def app() -> FastAPI:
    return create_app(SETTINGS, temporal=None, media_handler=None)


# ------------------------------------------------------------------------ voice + signatures


async def test_voice_returns_connect_stream_twiml_for_the_public_url_behind_a_proxy(app: FastAPI) -> None:
    params = voice_params()
    before = webhooks("voice", "200")
    async with client_for(app) as http:
        # The request arrives as http://internal-host:8080/...; Twilio signed the public URL.
        resp = await post_signed(http, "/twilio/voice", params)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(resp.text)
    assert root.tag == "Response"
    connect = root.find("Connect")
    assert connect is not None
    assert connect.attrib == {"action": f"{PUBLIC}/twilio/fallback", "method": "POST"}
    stream = connect.find("Stream")
    assert stream is not None
    assert stream.attrib["url"] == "wss://calls.example.com/twilio/media"  # https→wss, no query (31920)
    assert stream.attrib["statusCallback"] == f"{PUBLIC}/twilio/stream-status"
    assert stream.attrib["statusCallbackMethod"] == "POST"
    # One parameter: the token binding the stream to this signed webhook, caller ID inside it.
    parameters = {p.attrib["name"]: p.attrib["value"] for p in stream.findall("Parameter")}
    assert list(parameters) == ["token"]
    binding = SETTINGS.stream_tokens().verify(
        parameters["token"], call_sid=params["CallSid"], account_sid=SETTINGS.twilio_account_sid
    )
    assert (binding.caller, binding.called) == ("+14155550101", "+18005550100")
    assert webhooks("voice", "200") == before + 1


async def test_voice_on_a_plain_http_public_url_streams_over_ws() -> None:
    settings = Settings(twilio_auth_token=TOKEN, public_url="http://127.0.0.1:8080/")
    app = create_app(settings, temporal=None, media_handler=None)
    params = voice_params()
    async with client_for(app) as http:
        resp = await http.post(
            "/twilio/voice",
            data=params,
            headers={"X-Twilio-Signature": sign("http://127.0.0.1:8080/twilio/voice", params)},
        )
    assert resp.status_code == 200, resp.text
    stream = ET.fromstring(resp.text).find("Connect/Stream")
    assert stream is not None and stream.attrib["url"] == "ws://127.0.0.1:8080/twilio/media"


def _tampered(params: dict[str, str]) -> tuple[dict[str, str], str]:
    signature = sign(PUBLIC + "/twilio/voice", params)
    return {**params, "From": "+19995550000"}, signature


Forge = Callable[[dict[str, str]], tuple[dict[str, str], str | None]]
BAD_SIGNATURES: dict[str, Forge] = {
    "missing": lambda p: (p, None),
    "garbage": lambda p: (p, "bm90IGEgc2lnbmF0dXJl"),
    "wrong-token": lambda p: (p, sign(PUBLIC + "/twilio/voice", p, token="another-token")),
    "tampered-param": _tampered,
    "extra-param": lambda p: ({**p, "Digits": "1"}, sign(PUBLIC + "/twilio/voice", p)),
    "replayed-to-another-url": lambda p: (p, sign(PUBLIC + "/twilio/status", p)),
    "signed-for-the-internal-url": lambda p: (p, sign(INTERNAL + "/twilio/voice", p)),
    "http-instead-of-https": lambda p: (p, sign("http://calls.example.com/twilio/voice", p)),
}


@pytest.mark.parametrize("case", list(BAD_SIGNATURES))
async def test_voice_rejects_bad_signatures_with_403(app: FastAPI, case: str) -> None:
    params, signature = BAD_SIGNATURES[case](voice_params())
    before = webhooks("voice", "403")
    async with client_for(app) as http:
        resp = await post_signed(http, "/twilio/voice", params, signature)
    assert resp.status_code == 403
    assert resp.headers["content-type"].startswith("text/plain") and "<Response" not in resp.text
    assert webhooks("voice", "403") == before + 1


@pytest.mark.parametrize("path", ["/twilio/status", "/twilio/stream-status", "/twilio/fallback"])
async def test_every_webhook_requires_a_signature(app: FastAPI, path: str) -> None:
    async with client_for(app) as http:
        unsigned = await post_signed(http, path, voice_params(), None)
        wrong = await post_signed(http, path, voice_params(), sign(PUBLIC + "/twilio/voice", voice_params()))
    assert (unsigned.status_code, wrong.status_code) == (403, 403)


@pytest.mark.parametrize("call_sid", ["", "CA123", "ca" + "0" * 32, "CA" + "g" * 32])
async def test_voice_with_a_malformed_call_sid_is_400(app: FastAPI, call_sid: str) -> None:
    params = {**voice_params(), "CallSid": call_sid}
    async with client_for(app) as http:
        resp = await post_signed(http, "/twilio/voice", params)
    assert resp.status_code == 400 and "<Response" not in resp.text


# -------------------------------------------------------------------------- media WebSocket


class RecordingHandler:
    """A media handler that records that it ran, greets and closes normally."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, websocket: WebSocket) -> None:
        self.calls += 1
        await websocket.accept()
        await websocket.send_text("hello from the handler")
        await websocket.close()


@contextmanager
def served(public_url: str | None, handler: MediaHandler | None) -> Iterator[str]:
    """The app on a free loopback port in a thread; yields its ws:// base."""
    port = free_port()
    settings = Settings(twilio_auth_token=TOKEN, public_url=public_url or f"http://127.0.0.1:{port}")
    app = create_app(settings, temporal=None, media_handler=handler)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(None, id="missing"),
        pytest.param("bm90IGEgc2lnbmF0dXJl", id="garbage"),
        pytest.param(sign("wss://calls.example.com/twilio/media", {}, "another-token"), id="wrong-token"),
        pytest.param(sign("https://calls.example.com/twilio/media", {}), id="https-not-wss"),
    ],
)
async def test_media_upgrade_without_a_valid_signature_is_refused_before_the_handler(
    signature: str | None,
) -> None:
    handler = RecordingHandler()
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    with served(PUBLIC, handler) as base:
        # close(1008) before accept: the ASGI server refuses the handshake itself (HTTP 403),
        # so the client never holds an open socket.
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(base + "/twilio/media", additional_headers=headers):
                pass
    assert refused.value.response.status_code == 403
    assert handler.calls == 0


async def test_media_upgrade_signed_for_the_public_wss_url_reaches_the_handler() -> None:
    handler = RecordingHandler()
    before = webhooks("media", "101")
    with served(PUBLIC, handler) as base:
        # Connected over loopback, but signed as Twilio does: wss://<public host><path>, no params.
        signature = sign("wss://calls.example.com/twilio/media", {})
        async with websockets.connect(
            base + "/twilio/media", additional_headers={"X-Twilio-Signature": signature}
        ) as ws:
            assert await ws.recv() == "hello from the handler"
            with pytest.raises(websockets.ConnectionClosedOK):
                await ws.recv()
    assert handler.calls == 1
    assert webhooks("media", "101") == before + 1


async def test_media_upgrade_on_a_plain_http_public_url_is_signed_as_ws() -> None:
    handler = RecordingHandler()
    with served(None, handler) as base:
        signature = sign(base + "/twilio/media", {})
        async with websockets.connect(
            base + "/twilio/media", additional_headers={"X-Twilio-Signature": signature}
        ) as ws:
            assert await ws.recv() == "hello from the handler"
    assert handler.calls == 1


async def test_media_without_a_handler_is_closed_1011() -> None:
    with served(PUBLIC, None) as base:
        signature = sign("wss://calls.example.com/twilio/media", {})
        async with websockets.connect(
            base + "/twilio/media", additional_headers={"X-Twilio-Signature": signature}
        ) as ws:
            with pytest.raises(websockets.ConnectionClosedError) as closed:
                await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011


async def test_a_failing_handler_closes_the_stream_1011() -> None:
    async def broken(websocket: WebSocket) -> None:
        await websocket.accept()
        raise RuntimeError("session crashed")

    with served(PUBLIC, broken) as base:
        signature = sign("wss://calls.example.com/twilio/media", {})
        async with websockets.connect(
            base + "/twilio/media", additional_headers={"X-Twilio-Signature": signature}
        ) as ws:
            with pytest.raises(websockets.ConnectionClosedError) as closed:
                await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011


# ------------------------------------------------------------------ fallback (Connect action)


def twiml_of(resp: httpx.Response) -> ET.Element:
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/xml")
    return ET.fromstring(resp.text)


def is_enqueue(root: ET.Element, queue: str = "tier2") -> bool:
    return [child.tag for child in root] == ["Say", "Enqueue"] and root.findtext("Enqueue") == queue


async def start_call(client: Client, task_queue: str) -> tuple[str, Call]:
    call_sid = new_call_sid()
    call = await Call.start(
        client,
        task_queue,
        call_sid=call_sid,
        caller_number="+14155550101",
        called_number="+18005550100",
        human_queue="tier2",
    )
    return call_sid, call


def fallback_params(call_sid: str, status: str = "in-progress") -> dict[str, str]:
    return voice_params(call_sid, CallStatus=status)


async def test_fallback_after_the_agent_hung_up_hangs_up(
    temporal_client: Client, worker: WorkerFactory
) -> None:
    app = create_app(SETTINGS, temporal=temporal_client, media_handler=None)
    async with worker() as tq, client_for(app) as http:
        call_sid, call = await start_call(temporal_client, tq)
        await call.end("agent_hangup", resolved=True)
        await call.result()
        root = twiml_of(await post_signed(http, "/twilio/fallback", fallback_params(call_sid)))
    assert [child.tag for child in root] == ["Hangup"]


async def test_fallback_after_an_escalation_enqueues_to_the_human_queue(
    temporal_client: Client, worker: WorkerFactory
) -> None:
    app = create_app(SETTINGS, temporal=temporal_client, media_handler=None)
    async with worker() as tq, client_for(app) as http:
        call_sid, call = await start_call(temporal_client, tq)
        assert (await call.tool("escalate", reason="caller_request")).ok
        root = twiml_of(await post_signed(http, "/twilio/fallback", fallback_params(call_sid)))
        assert is_enqueue(root)
        assert root.findtext("Say") == "Connecting you to a specialist."
        # The handoff also ends the workflow, in case the session never said so.
        result = await asyncio.wait_for(call.result(), 10)
        assert (await call.state()).ended_reason == "transferred"
    assert result.outcome == "escalated"


async def test_a_replayed_whisper_request_reads_nothing_out(
    temporal_client: Client, worker: WorkerFactory
) -> None:
    # The human's leg fetches the handoff note once; the same signed request again (a capture
    # replayed, here to another replica) gets an empty document. Another leg hears it too.
    async with worker() as tq:
        settings = dataclasses.replace(SETTINGS, task_queue=tq)
        replica_a = create_app(settings, temporal=temporal_client, media_handler=None)
        replica_b = create_app(settings, temporal=temporal_client, media_handler=None)
        call_sid, call = await start_call(temporal_client, tq)
        assert (await call.tool("escalate", reason="caller_request")).ok
        path = f"/twilio/whisper?CallSid={call_sid}&ticket=7"
        leg = voice_params(new_call_sid(), ParentCallSid=call_sid, Direction="outbound-dial")
        async with client_for(replica_a) as a, client_for(replica_b) as b:
            first = twiml_of(await post_signed(a, path, leg))
            replay = twiml_of(await post_signed(b, path, leg))
            again = twiml_of(await post_signed(a, path, leg))
            other_leg = twiml_of(await post_signed(b, path, {**leg, "CallSid": new_call_sid()}))
        await call.end("transferred")
        await asyncio.wait_for(call.result(), 10)
    said = first.findtext("Say") or ""
    assert "Reason: caller request." in said and "Ticket 7." in said
    assert list(replay) == [] and list(again) == []
    assert "Reason: caller request." in (other_leg.findtext("Say") or "")


async def test_fallback_for_a_dropped_stream_enqueues_and_ends_the_workflow_as_stream_lost(
    temporal_client: Client, worker: WorkerFactory
) -> None:
    app = create_app(SETTINGS, temporal=temporal_client, media_handler=None)
    async with worker() as tq, client_for(app) as http:
        call_sid, call = await start_call(temporal_client, tq)
        await call.turn("caller", "Hi, where is my order?")
        root = twiml_of(await post_signed(http, "/twilio/fallback", fallback_params(call_sid)))
        assert is_enqueue(root)
        assert "Sorry" in (root.findtext("Say") or "")
        await asyncio.wait_for(call.result(), 10)
        state = await call.state()
    assert state.ended and state.ended_reason == "stream_lost"


async def test_fallback_for_an_unknown_call_enqueues(temporal_client: Client) -> None:
    app = create_app(SETTINGS, temporal=temporal_client, media_handler=None)
    async with client_for(app) as http:
        root = twiml_of(await post_signed(http, "/twilio/fallback", fallback_params(new_call_sid())))
    assert is_enqueue(root)


async def test_fallback_enqueues_when_temporal_is_unreachable() -> None:
    dead = f"127.0.0.1:{free_port()}"
    app = create_app(SETTINGS, temporal=lambda: Client.connect(dead), media_handler=None)
    async with client_for(app) as http:
        root = twiml_of(await post_signed(http, "/twilio/fallback", fallback_params(new_call_sid())))
    assert is_enqueue(root)


async def test_fallback_enqueues_when_temporal_does_not_answer_in_time() -> None:
    async def hangs() -> Client:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    app = create_app(SETTINGS, temporal=hangs, media_handler=None, temporal_timeout_s=0.2)
    started = time.monotonic()
    async with client_for(app) as http:
        root = twiml_of(await post_signed(http, "/twilio/fallback", fallback_params(new_call_sid())))
    assert is_enqueue(root)
    assert time.monotonic() - started < 2  # the query budget and the end signal's, no more


async def test_fallback_never_errors_even_when_deciding_fails(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(api.fallback, "decide", explode)
    async with client_for(app) as http:
        ok_sid = await post_signed(http, "/twilio/fallback", fallback_params(new_call_sid()))
        bad_sid = await post_signed(http, "/twilio/fallback", fallback_params("not-a-sid"))
    assert is_enqueue(twiml_of(ok_sid)) and is_enqueue(twiml_of(bad_sid))


async def test_fallback_after_the_caller_hung_up_is_empty_and_ends_the_workflow(
    temporal_client: Client, worker: WorkerFactory
) -> None:
    app = create_app(SETTINGS, temporal=temporal_client, media_handler=None)
    async with worker() as tq, client_for(app) as http:
        call_sid, call = await start_call(temporal_client, tq)
        root = twiml_of(await post_signed(http, "/twilio/fallback", fallback_params(call_sid, "completed")))
        assert root.tag == "Response" and list(root) == []
        await asyncio.wait_for(call.result(), 10)
        assert (await call.state()).ended_reason == "caller_hangup"


# ----------------------------------------------------------------------- status callbacks


async def test_status_completed_ends_the_running_workflow(
    temporal_client: Client, worker: WorkerFactory
) -> None:
    app = create_app(SETTINGS, temporal=temporal_client, media_handler=None)
    async with worker() as tq, client_for(app) as http:
        call_sid, call = await start_call(temporal_client, tq)
        ringing = await post_signed(http, "/twilio/status", voice_params(call_sid, CallStatus="in-progress"))
        assert ringing.status_code == 204
        assert not (await call.state()).ended
        done = await post_signed(
            http, "/twilio/status", voice_params(call_sid, CallStatus="completed", CallDuration="42")
        )
        assert done.status_code == 204
        await asyncio.wait_for(call.result(), 10)
        assert (await call.state()).ended_reason == "caller_hangup"


@pytest.mark.parametrize("status", ["busy", "no-answer"])
async def test_status_other_final_states_end_the_workflow_with_that_reason(
    temporal_client: Client, worker: WorkerFactory, status: str
) -> None:
    app = create_app(SETTINGS, temporal=temporal_client, media_handler=None)
    async with worker() as tq, client_for(app) as http:
        call_sid, call = await start_call(temporal_client, tq)
        resp = await post_signed(http, "/twilio/status", voice_params(call_sid, CallStatus=status))
        assert resp.status_code == 204
        await asyncio.wait_for(call.result(), 10)
        assert (await call.state()).ended_reason == status


async def test_status_for_an_unknown_call_or_without_temporal_is_still_204(temporal_client: Client) -> None:
    for temporal in (temporal_client, None):
        app = create_app(SETTINGS, temporal=temporal, media_handler=None)
        async with client_for(app) as http:
            resp = await post_signed(http, "/twilio/status", voice_params(CallStatus="completed"))
        assert resp.status_code == 204


async def test_stream_status_errors_are_counted(app: FastAPI) -> None:
    labels = {"provider": "twilio", "role": "phone"}
    before = REGISTRY.get_sample_value("callengine_provider_errors_total", labels) or 0.0
    params = {
        "AccountSid": SETTINGS.twilio_account_sid,
        "CallSid": new_call_sid(),
        "StreamSid": "MZ" + "1" * 32,
        "StreamName": "MZ" + "1" * 32,
        "Timestamp": "2026-11-20T10:00:00Z",
    }
    async with client_for(app) as http:
        started = await post_signed(
            http, "/twilio/stream-status", {**params, "StreamEvent": "stream-started"}
        )
        failed = await post_signed(
            http,
            "/twilio/stream-status",
            {**params, "StreamEvent": "stream-error", "StreamError": "Stream - WebSocket - Connection Error"},
        )
    assert (started.status_code, failed.status_code) == (204, 204)
    assert REGISTRY.get_sample_value("callengine_provider_errors_total", labels) == before + 1


# --------------------------------------------------------------------- health and metrics


async def test_healthz_turns_503_while_draining(app: FastAPI) -> None:
    async with client_for(app) as http:
        ok = await http.get("/healthz")
        app.state.draining = True
        draining = await http.get("/healthz")
    assert (ok.status_code, ok.json()) == (200, {"ok": True})
    assert (draining.status_code, draining.json()) == (503, {"ok": False, "draining": True})


async def test_metrics_expose_every_metric_in_prometheus_text(app: FastAPI) -> None:
    WEBHOOKS.labels(endpoint="voice", status="200")  # at least one labelled series exists
    async with client_for(app) as http:
        resp = await http.get("/metrics")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain; version=")
    for name in (
        "callengine_active_calls",
        "callengine_calls_total",
        "callengine_turns_total",
        'callengine_stage_seconds_bucket{le="0.01",stage="voice_to_voice"}',
        "callengine_tool_seconds",
        "callengine_provider_errors_total",
        "callengine_escalations_total",
        "callengine_barge_ins_total",
        "callengine_protocol_errors_total",
        "callengine_webhooks_total",
    ):
        assert name in resp.text, name
    # Every stage is declared up front, so dashboards see zeros, not gaps.
    assert resp.text.count("callengine_stage_seconds_count{") == 7
