"""Shared fixtures: one real Temporal dev server and one real sandbox per session.

Every test gets its own task queue and worker (so tests cannot steal each
other's tasks) and a freshly reset sandbox.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from callengine import caller_voice
from callengine.calls import Call, new_call_sid
from callengine.devserver import DevServerConfig, temporal_binary
from callengine.phone import PhoneCall
from callengine.scenario import split_on_pauses
from callengine.server import build_app
from callengine.settings import DEFAULT_SEED, BackendSettings, RefundPolicy, Settings
from callengine.temporal import DATA_CONVERTER
from callengine.worker import running_worker
from realtime.audio import FRAME_BYTES, ulaw_to_pcm16
from realtime.brain.select import brain_factory
from realtime.session import MediaStreamHandler, Services, SessionConfig
from realtime.stt.base import SttSession
from realtime.stt.whisper import WhisperStt
from realtime.tts.piper import PiperTts
from realtime.vad import EnergyVad
from sandbox import create_app
from workflows.types import ToolRequest

ADMIN = {"Authorization": "Bearer dev-admin-token"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    cfg = DevServerConfig.load()
    env = await WorkflowEnvironment.start_local(
        namespace=cfg.namespace,
        data_converter=DATA_CONVERTER,
        dev_server_existing_path=temporal_binary(),
        search_attributes=cfg.search_attribute_keys(),
        dev_server_extra_args=cfg.dynamic_config_args(),
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def temporal_client(temporal_env: WorkflowEnvironment) -> Client:
    return temporal_env.client


class SandboxServer:
    """The real sandbox app served by uvicorn on a loopback port, in a thread."""

    def __init__(self, seed: Path = DEFAULT_SEED) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(seed), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        for _ in range(200):
            try:
                if httpx.get(self.url + "/healthz", timeout=0.5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            threading.Event().wait(0.05)
        raise RuntimeError("sandbox did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[SandboxServer]:
    server = SandboxServer()
    server.start()
    yield server
    server.stop()


class Sandbox:
    """Test-side access to the sandbox: admin calls and reads of what calls created."""

    def __init__(self, url: str, http: httpx.AsyncClient) -> None:
        self.url = url
        self.http = http

    async def reset(self) -> None:
        (await self.http.post(f"{self.url}/_admin/reset", headers=ADMIN)).raise_for_status()

    async def fault(self, **fault: Any) -> None:
        resp = await self.http.post(f"{self.url}/_admin/faults", headers=ADMIN, json=fault)
        assert resp.status_code == 201, resp.text

    async def requests(self, path_prefix: str) -> list[dict[str, Any]]:
        resp = await self.http.get(
            f"{self.url}/_admin/requests", headers=ADMIN, params={"path_prefix": path_prefix}
        )
        resp.raise_for_status()
        return list(resp.json()["requests"])

    async def get(self, path: str, headers: dict[str, str], **params: str) -> Any:
        resp = await self.http.get(self.url + path, headers=headers, params=params)
        resp.raise_for_status()
        return resp.json()

    async def tickets(self) -> list[dict[str, Any]]:
        """The help desk's tickets, ids as the product carries them: opaque strings."""
        import base64

        auth = base64.b64encode(b"agent@example.com/token:dev-zendesk-token").decode()
        found = (await self.get("/api/v2/tickets.json", {"Authorization": f"Basic {auth}"}))["tickets"]
        return [{**t, "id": str(t["id"])} for t in found]

    async def crm_notes(self, customer_id: str) -> list[dict[str, Any]]:
        notes = await self.get(
            f"/crm/v1/customers/{customer_id}/notes", {"Authorization": "Bearer dev-crm-token"}
        )
        return list(notes["notes"])


@pytest.fixture
async def sandbox(sandbox_server: SandboxServer) -> AsyncIterator[Sandbox]:
    async with httpx.AsyncClient() as http:
        box = Sandbox(sandbox_server.url, http)
        await box.reset()
        yield box
        await http.delete(f"{sandbox_server.url}/_admin/faults", headers=ADMIN)


# Maria calls from her own number in most tests: the seed's first customer.
MARIA: dict[str, Any] = json.loads(DEFAULT_SEED.read_text())["customers"][0]
OUR_NUMBER = "+18005550100"


async def start_call(client: Client, task_queue: str, caller: str = MARIA["phone"], **kw: Any) -> Call:
    """A call's workflow, started as the realtime side starts it (a fresh Call SID)."""
    return await Call.start(
        client, task_queue, call_sid=new_call_sid(), caller_number=caller, called_number=OUR_NUMBER, **kw
    )


async def sent_arguments(call: Call, tool: str) -> list[dict[str, Any]]:
    """What the brain really sent `tool`, in order: the state shows identity values redacted,
    the call's history (decoded with the codec, as the worker reads it) has them."""
    history = await call.handle.fetch_history()
    sent: list[dict[str, Any]] = []
    for event in history.events:
        if not event.HasField("workflow_execution_update_accepted_event_attributes"):
            continue
        update = event.workflow_execution_update_accepted_event_attributes.accepted_request.input
        if update.name != "tool":
            continue
        [request] = await DATA_CONVERTER.decode(update.args.payloads, [ToolRequest])
        assert isinstance(request, ToolRequest)
        if request.name == tool:
            sent.append(request.arguments)
    return sent


async def verify_maria(call: Call) -> None:
    """Identify Maria by caller ID and verify her billing ZIP, as the brain would."""
    found = await call.tool("identify_customer", use_caller_id=True)
    assert found.ok and found.data["found"] is True
    verified = await call.tool("verify_customer", zip=MARIA["zip"])
    assert verified.ok and verified.data == {"verified": True, "first_name": "Maria"}


WorkerFactory = Callable[..., AbstractAsyncContextManager[str]]


@pytest.fixture
def worker(temporal_client: Client, sandbox: Sandbox) -> WorkerFactory:
    """`async with worker() as task_queue:` — a worker on a fresh task queue against the sandbox."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[str]:
        task_queue = f"calls-test-{uuid.uuid4().hex[:8]}"
        # The seed's refund policy, with its business date: the seed is a snapshot "as of" a day,
        # so refund windows must not depend on the day the tests run.
        base = dataclasses.replace(
            BackendSettings.for_sandbox(sandbox.url), refund_policy=RefundPolicy.from_env({}, DEFAULT_SEED)
        )
        backends = dataclasses.replace(base, **overrides)
        async with running_worker(temporal_client, task_queue, backends):
            yield task_queue

    return start


# ---------------------------------------------------------------- voice engine


@pytest.fixture(scope="session")
async def speech() -> tuple[WhisperStt, PiperTts]:
    stt, tts = WhisperStt(), PiperTts()
    await asyncio.gather(stt.warm(), tts.warm())
    return stt, tts


@dataclass
class Engine:
    """The real API/realtime server, in the test's event loop, on a loopback port."""

    url: str
    settings: Settings
    handler: MediaStreamHandler
    stt: WhisperStt

    def phone(self, caller: str = "+14155550101") -> PhoneCall:
        return PhoneCall(self.url, self.settings.twilio_auth_token, caller=caller)

    def transcribe(self, ulaw: bytes) -> str:
        """Whisper tiny loops on long digit-heavy audio: transcribe pause-separated pieces."""
        return " ".join(self.stt.transcribe_ulaw(piece).text for piece in split_on_pauses(ulaw)).strip()


def engine_settings(task_queue: str, sandbox: Sandbox) -> Settings:
    """Settings for an engine on a free loopback port, against the test sandbox."""
    port = free_port()
    return dataclasses.replace(
        Settings.from_env({}),
        task_queue=task_queue,
        api_port=port,
        public_url=f"http://127.0.0.1:{port}",
        backends=BackendSettings.for_sandbox(sandbox.url),
    )


def offline_services(
    client: Client, settings: Settings, speech: tuple[WhisperStt, PiperTts], **config: Any
) -> Services:
    """What an engine under test shares: local speech, the offline brain, a patient silence prompt."""
    stt, tts = speech
    return Services(
        client=client,
        settings=settings,
        stt=stt,
        tts=tts,
        make_brain=brain_factory("offline"),
        config=SessionConfig(**({"silence_prompt_s": 30} | config)),
    )


async def push_utterance(session: SttSession, text: str) -> None:
    """Feed a recognizer one spoken line (Piper caller voice) as Twilio frames, with VAD flags."""
    vad = EnergyVad()
    audio = caller_voice.say(text, lead_ms=300, tail_ms=700)
    for i in range(0, len(audio) - FRAME_BYTES + 1, FRAME_BYTES):
        frame = audio[i : i + FRAME_BYTES]
        session.push(frame, vad.is_speech(ulaw_to_pcm16(frame)))
        await asyncio.sleep(0.002)


@asynccontextmanager
async def running_engine(settings: Settings, services: Services, stt: WhisperStt) -> AsyncIterator[Engine]:
    """The API/realtime app served by uvicorn in the test's event loop (it shares the Temporal client)."""
    app = build_app(settings, services)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=settings.api_port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield Engine(settings.public_url, settings, app.state.media_handler, stt)
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def engine(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox, speech: tuple[WhisperStt, PiperTts]
) -> AsyncIterator[Engine]:
    async with worker() as tq:
        settings = engine_settings(tq, sandbox)
        async with running_engine(
            settings, offline_services(temporal_client, settings, speech), speech[0]
        ) as engine:
            yield engine
