"""Graceful shutdown, with real processes: `callengine serve` and `callengine worker` get SIGTERM.

The API drains: `/healthz` turns 503 and new calls are refused at once, while the call in
progress goes on to its end and the process then exits 0 by itself; at the drain deadline the
calls still open are closed normally and their `<Connect action>` sends the callers to people.
The worker stops polling but lets the activity it is running finish.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from temporalio.client import Client

from api.app import create_app
from callengine import caller_voice as voices
from callengine.calls import Call, new_call_sid
from callengine.phone import PhoneCall, PhoneError
from callengine.scenario import split_on_pauses
from callengine.settings import DEV_TWILIO_AUTH_TOKEN, BackendSettings, Settings
from callengine.worker import running_worker
from realtime.stt.whisper import WhisperStt
from tests.conftest import ADMIN, Sandbox, SandboxServer, WorkerFactory, free_port
from workflows import ToolResult

ROOT = Path(__file__).resolve().parent.parent
CALLER = "+14155550101"  # the seed's Maria Lopez
SUBJECT = "Router keeps rebooting"

# Settings a developer's shell may carry that would change what the child processes run
# (a cloud vendor, Twilio REST, a second metrics listener on one port).
_SCRUBBED = (
    "OPENAI_API_KEY",
    "DEEPGRAM_API_KEY",
    "ELEVENLABS_API_KEY",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_API_BASE_URL",
    "CALLENGINE_TEMPORAL_METRICS_ADDR",
)


@dataclass
class Child:
    """A `python -m callengine …` process, its output in a log file."""

    proc: asyncio.subprocess.Process
    log_path: Path
    env: dict[str, str]

    def log(self) -> str:
        """Everything the process wrote so far."""
        return self.log_path.read_text(errors="replace")

    async def exit_code(self, timeout_s: float) -> int:
        """Wait for the process to exit by itself."""
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout_s)
        except TimeoutError:
            pytest.fail(f"still running {timeout_s:.0f}s later; its log:\n{self.log()[-3000:]}")


def child_env(
    temporal_client: Client, task_queue: str, sandbox_server: SandboxServer, **extra: str
) -> dict[str, str]:
    """The test's environment (its codec keys: tests/__init__.py) aimed at this test's stack."""
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env.update(
        TEMPORAL_ADDRESS=temporal_client.service_client.config.target_host,
        CALLENGINE_TASK_QUEUE=task_queue,
        CALLENGINE_SANDBOX_HOST="127.0.0.1",
        CALLENGINE_SANDBOX_PORT=str(sandbox_server.port),
        CALLENGINE_BRAIN="offline",
        CALLENGINE_STT="whisper",
        CALLENGINE_TTS="piper",
        CALLENGINE_TELEPHONY="stream",
        CALLENGINE_HUMAN_QUEUE="support",
        CALLENGINE_LOG_FORMAT="text",  # the tests read the log lines
        **extra,
    )
    return env


@asynccontextmanager
async def running(command: str, env: dict[str, str], log_path: Path) -> AsyncIterator[Child]:
    """`python -m callengine <command>`; killed on the way out if it is still running."""
    with log_path.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "callengine",
            command,
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            yield Child(proc, log_path, env)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


@asynccontextmanager
async def api_server(
    temporal_client: Client, task_queue: str, sandbox_server: SandboxServer, tmp_path: Path, **extra: str
) -> AsyncIterator[tuple[Child, str]]:
    """`callengine serve` on a free port, once `/healthz` says ready (speech models loaded)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = child_env(
        temporal_client,
        task_queue,
        sandbox_server,
        CALLENGINE_API_PORT=str(port),
        CALLENGINE_PUBLIC_URL=url,
        **extra,
    )
    async with running("serve", env, tmp_path / "api.log") as api, httpx.AsyncClient() as http:
        deadline = time.monotonic() + 90
        while True:
            if api.proc.returncode is not None:
                pytest.fail(f"`callengine serve` exited with {api.proc.returncode}:\n{api.log()[-3000:]}")
            try:
                if (await http.get(f"{url}/healthz", timeout=1)).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"`callengine serve` not ready after 90s:\n{api.log()[-3000:]}")
            await asyncio.sleep(0.2)
        yield api, url


async def hear_greeting(phone: PhoneCall) -> None:
    """Dial and listen to the greeting: the call is up and its workflow started."""
    await phone.dial()
    end = await phone.wait_agent_done(since=0)
    assert len(phone.agent_audio_between(0, end + 0.1)) >= 8000, "no greeting (at least 1 s of speech)"


async def final_state(client: Client, call_sid: str) -> dict[str, Any]:
    """The call's state once its workflow has completed."""
    call = Call.attach(client, call_sid)
    await asyncio.wait_for(call.result(), 30)
    return (await call.state()).model_dump(mode="json")


async def test_sigterm_refuses_new_calls_and_lets_the_call_in_progress_finish(
    temporal_client: Client, worker: WorkerFactory, sandbox_server: SandboxServer, tmp_path: Path
) -> None:
    stt = WhisperStt()  # the test hears the agent's answer; loads while the server starts
    warming = asyncio.create_task(stt.warm())
    async with (
        worker() as tq,
        api_server(temporal_client, tq, sandbox_server, tmp_path) as (api, url),
        httpx.AsyncClient() as http,
    ):
        await warming
        phone = PhoneCall(url, DEV_TWILIO_AUTH_TOKEN, caller=CALLER)
        await hear_greeting(phone)

        api.proc.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        while (await http.get(f"{url}/healthz")).status_code != 503:
            assert time.monotonic() - stopped_at < 1.0, "/healthz still 200 a second after SIGTERM"
            await asyncio.sleep(0.02)
        assert (await http.get(f"{url}/healthz")).json() == {"ok": False, "draining": True}

        # A new call is refused (Twilio then requests the number's fallback URL: another
        # replica), and so is a new media stream, even with a valid signature.
        with pytest.raises(PhoneError, match="answered 503"):
            await PhoneCall(url, DEV_TWILIO_AUTH_TOKEN, caller="+14155550102").dial()
        signature = phone._sign(phone.stream_url, {})
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(phone.stream_url, additional_headers={"X-Twilio-Signature": signature})
        assert refused.value.response.status_code == 403
        # Twilio's callbacks for the calls in progress are still served.
        status = await phone._post("/twilio/status", phone._voice_params("in-progress"))
        assert status.status_code == 204

        # The call in progress goes on: the caller asks, the agent answers.
        await phone.say(voices.say("Hi, where is my order?", tail_ms=100))
        asked_at = phone._now()
        end = await phone.wait_agent_done(since=asked_at)
        answer = phone.agent_audio_between(asked_at, end + 0.1)
        heard = " ".join(stt.transcribe_ulaw(piece).text for piece in split_on_pauses(answer)).lower()
        assert "zip" in heard, heard
        assert api.proc.returncode is None, "the server stopped with a call in progress"

        await phone.hang_up()
        hung_up_at = time.monotonic()
        assert await api.exit_code(timeout_s=10) == 0, api.log()[-3000:]
        assert time.monotonic() - hung_up_at < 5
        log = api.log()
        assert "draining: refusing new calls; 1 call(s) in progress" in log
        assert "draining: 0 call(s) left" in log
        state = await final_state(temporal_client, phone.call_sid)
    assert state["ended_reason"] == "caller_hangup"
    assert [t["speaker"] for t in state["turns"]][:2] == ["agent", "caller"]


async def test_drain_deadline_closes_the_call_and_its_action_reaches_people(
    temporal_client: Client, worker: WorkerFactory, sandbox_server: SandboxServer, tmp_path: Path
) -> None:
    async with (
        worker() as tq,
        api_server(temporal_client, tq, sandbox_server, tmp_path, CALLENGINE_DRAIN_S="3") as (api, url),
    ):
        phone = PhoneCall(url, DEV_TWILIO_AUTH_TOKEN, caller=CALLER)
        await hear_greeting(phone)
        api.proc.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        await asyncio.wait_for(phone.closed.wait(), 10)
        closed_after = time.monotonic() - stopped_at
        assert 2.5 <= closed_after <= 6, f"stream closed {closed_after:.1f}s after SIGTERM"
        assert phone.close_code == 1000  # closed normally (uvicorn's own shutdown would send 1012)
        assert await api.exit_code(timeout_s=10) == 0, api.log()[-3000:]
        assert "draining: deadline passed, closing 1 call(s)" in api.log()

        # Twilio now requests the <Connect action>: the same public URL, which the load balancer
        # sends to another replica (here: the app in this process, sharing the process's settings).
        replica = create_app(Settings.from_env(api.env), temporal=temporal_client, media_handler=None)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=replica)) as http:
            phone._http = http  # Twilio's next request reaches the other replica
            twiml = await phone.follow_action()
        assert "<Enqueue" in twiml and ">support</Enqueue>" in twiml, twiml
        state = await final_state(temporal_client, phone.call_sid)
    assert state["ended_reason"] == "server_shutdown"


async def test_a_second_signal_stops_at_once(
    temporal_client: Client, worker: WorkerFactory, sandbox_server: SandboxServer, tmp_path: Path
) -> None:
    async with worker() as tq, api_server(temporal_client, tq, sandbox_server, tmp_path) as (api, url):
        phone = PhoneCall(url, DEV_TWILIO_AUTH_TOKEN, caller=CALLER)
        await hear_greeting(phone)
        api.proc.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.5)  # draining, with 300 s to go
        api.proc.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        assert await api.exit_code(timeout_s=10) == 1, api.log()[-3000:]
        assert time.monotonic() - stopped_at < 3, api.log()[-3000:]
        await asyncio.wait_for(phone.closed.wait(), 5)
        assert phone.close_code == 1012  # uvicorn's "service restart"; the caller goes to people
        assert "second stop signal: stopping now, 1 call(s) still connected" in api.log()
        await phone.hang_up()


async def test_sigterm_lets_the_worker_finish_a_running_write(
    temporal_client: Client, sandbox: Sandbox, sandbox_server: SandboxServer, tmp_path: Path
) -> None:
    tq = f"calls-test-{uuid.uuid4().hex[:8]}"
    # The ticket POST will take 3 s: more than the default 2.5 s per-request timeout allows.
    env = child_env(temporal_client, tq, sandbox_server, CALLENGINE_HTTP_TIMEOUT_S="6")
    call = await Call.start(
        temporal_client, tq, call_sid=new_call_sid(), caller_number=CALLER, called_number="+18005550100"
    )
    tool: asyncio.Task[ToolResult] | None = None
    try:
        async with running("worker", env, tmp_path / "worker.log") as proc:
            deadline = time.monotonic() + 60
            while "worker polling task queue" not in proc.log():
                assert proc.proc.returncode is None, proc.log()
                assert time.monotonic() < deadline, f"worker not polling after 60s:\n{proc.log()}"
                await asyncio.sleep(0.1)
            await sandbox.fault(method="POST", path_prefix="/api/v2/tickets", delay_ms=3000, status=None)
            tool = asyncio.create_task(
                call.tool("create_ticket", subject=SUBJECT, description="Twice a day.")
            )
            # The fault is used up when the request arrives: from then on the write is in flight.
            while (await sandbox.http.get(f"{sandbox.url}/_admin/faults", headers=ADMIN)).json()["faults"]:
                assert not tool.done(), tool
                await asyncio.sleep(0.05)
            proc.proc.send_signal(signal.SIGTERM)
            stopped_at = time.monotonic()
            assert await proc.exit_code(timeout_s=15) == 0, proc.log()
            # It waited for the write (about 3 s), well inside its 10 s graceful shutdown.
            assert 1.5 <= time.monotonic() - stopped_at < 10, proc.log()
            assert "worker stopping" in proc.log()

        # The write finished on the stopping worker: one request, answered, one ticket, no retry.
        posts = [r for r in await sandbox.requests("/api/v2/tickets") if r["method"] == "POST"]
        assert [r["status"] for r in posts] == [201], posts
        assert [t["subject"] for t in await sandbox.tickets()] == [SUBJECT]
        # The workflow goes on with the next worker; the caller's tool call returns the ticket.
        async with running_worker(temporal_client, tq, BackendSettings.for_sandbox(sandbox.url)):
            result = await asyncio.wait_for(tool, 30)
            await call.end("caller_hangup")
            await asyncio.wait_for(call.result(), 30)
    finally:
        if tool is not None and not tool.done():
            tool.cancel()
    assert result.ok, result
    assert result.data["ticket_id"] == (await sandbox.tickets())[0]["id"]
