"""Calls survive crashes of the processes around them — real processes, really killed.

* The API/realtime replica holding a call is SIGKILLed mid-call: the caller's stream drops,
  Twilio requests the `<Connect action>` URL, a surviving replica answers it (sending the caller
  to the human queue), and the workflow wraps up as dropped-and-transferred with a handoff
  ticket carrying what the caller said and what was done.
* The Temporal server restarts mid-call (a dev server on a persistent db file): the realtime
  side keeps talking to the caller, retries its signals and tool updates, and the call completes
  with every turn recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client
from twilio.request_validator import RequestValidator

from callengine import caller_voice as voices
from callengine.calls import Call
from callengine.devserver import DevServerConfig, ensure_search_attributes, temporal_binary, wait_until_ready
from callengine.phone import PhoneCall
from callengine.settings import DEFAULT_SEED, DEV_TWILIO_AUTH_TOKEN, REPO_ROOT
from callengine.temporal import DATA_CONVERTER
from callengine.worker import running_worker
from realtime.stt.whisper import WhisperStt
from realtime.tts.piper import PiperTts
from tests.conftest import (
    Sandbox,
    WorkerFactory,
    engine_settings,
    free_port,
    offline_services,
    running_engine,
)

SEED = json.loads(DEFAULT_SEED.read_text())
MARIA = SEED["customers"][0]


async def converse(phone: PhoneCall, line: str, quiet_s: float = 0.8) -> None:
    """Say a line and wait until the agent has answered it."""
    start = await phone.say(voices.say(line, tail_ms=100))
    await phone.wait_agent_done(since=start, quiet_s=quiet_s)


async def until_tool_ran(call: Call, tool: str, timeout_s: float) -> None:
    """Poll the call's state until `tool` shows among its tool calls (queries retry while it restarts)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if any(c.name == tool for c in (await call.state()).tool_calls):
                return
        await asyncio.sleep(0.25)


# ------------------------------------------------------------- API replica dies


def serve(port: int, public_url: str, temporal: str, task_queue: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": temporal,
        "CALLENGINE_TASK_QUEUE": task_queue,
        "CALLENGINE_API_PORT": str(port),
        "CALLENGINE_PUBLIC_URL": public_url,
        "CALLENGINE_BRAIN": "offline",
        "CALLENGINE_TELEPHONY": "stream",
    }
    out = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "callengine", "serve"],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        cwd=REPO_ROOT,
    )


def tail(log: Path) -> str:
    return log.read_text()[-2000:]


async def healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            assert proc.poll() is None, tail(log)
            try:
                if (await http.get(f"{url}/healthz", timeout=1)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    raise AssertionError(f"{url} never became healthy:\n{tail(log)}")


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait(10)


async def test_a_replica_killed_mid_call_hands_the_caller_and_the_context_to_a_person(
    temporal_client: Client,
    worker: WorkerFactory,
    sandbox: Sandbox,
    tmp_path: Path,
    replicas: list[subprocess.Popen[bytes]],
) -> None:
    async with worker() as tq:
        a_port, b_port = free_port(), free_port()
        public = f"http://127.0.0.1:{a_port}"  # behind one load balancer, both replicas share it
        temporal = temporal_client.service_client.config.target_host
        a = serve(a_port, public, temporal, tq, tmp_path / "a.log")
        b = serve(b_port, public, temporal, tq, tmp_path / "b.log")
        replicas += [a, b]
        await asyncio.gather(
            healthy(public, a, tmp_path / "a.log"),
            healthy(f"http://127.0.0.1:{b_port}", b, tmp_path / "b.log"),
        )

        phone = PhoneCall(public, DEV_TWILIO_AUTH_TOKEN, caller=MARIA["phone"])
        await phone.dial()
        await phone.wait_agent_done(since=0)
        await converse(phone, "Hi, I want a refund for my order.")
        await converse(phone, "nine four one zero three")
        a.send_signal(signal.SIGKILL)  # the replica holding the call dies mid-call
        await asyncio.wait_for(phone.closed.wait(), 10)
        assert phone.close_code != 1000  # not a clean close: the process is gone

        # Twilio now requests the <Connect action> URL; the load balancer sends it to replica B.
        params = {**phone._voice_params("in-progress")}
        signature = RequestValidator(DEV_TWILIO_AUTH_TOKEN).compute_signature(phone.action_url, params)
        async with httpx.AsyncClient() as http:
            resp = await http.post(
                phone.action_url.replace(public, f"http://127.0.0.1:{b_port}"),
                data=params,
                headers={"X-Twilio-Signature": signature},
                timeout=10,
            )
        assert resp.status_code == 200 and "<Enqueue>support</Enqueue>" in resp.text, resp.text

        call = Call.attach(temporal_client, phone.call_sid)
        result = await asyncio.wait_for(call.result(), 30)
        state = await call.state()
    assert result.outcome == "dropped" and result.escalated and result.escalation_reason == "stream_lost"
    caller_said = [t.text.lower() for t in state.turns if t.speaker == "caller"]
    assert any("refund" in t for t in caller_said), caller_said  # nothing the caller said is lost
    assert any("9" in t or "nine" in t for t in caller_said), caller_said
    assert [c.name for c in state.tool_calls][:1] == ["identify_customer"]
    handoff = next(t for t in await sandbox.tickets() if "handoff" in t["tags"])
    assert handoff["id"] in result.ticket_ids
    assert "stream lost" in handoff["description"] and "refund" in handoff["description"].lower()


# ------------------------------------------------------- Temporal server restarts


@dataclasses.dataclass
class DevServer:
    cfg: DevServerConfig
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.cfg.command(temporal_binary()), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture
async def restartable_temporal(tmp_path: Path) -> AsyncIterator[DevServer]:
    base = DevServerConfig.load()
    cfg = dataclasses.replace(
        base,
        port=free_port(),
        ui_port=free_port(),
        http_port=free_port(),
        metrics_port=None,
        db_filename=str(tmp_path / "temporal.db"),
        ui_codec_endpoint="",
    )
    server = DevServer(cfg)
    server.start()
    try:
        client = await wait_until_ready(cfg.address, cfg.namespace)
        await ensure_search_attributes(client, cfg)
        yield server
    finally:
        server.stop()


async def test_the_temporal_server_restarts_mid_call(
    restartable_temporal: DevServer, sandbox: Sandbox, speech: tuple[WhisperStt, PiperTts]
) -> None:
    cfg = restartable_temporal.cfg
    client = await Client.connect(cfg.address, namespace=cfg.namespace, data_converter=DATA_CONVERTER)
    settings = engine_settings("calls-restart", sandbox)
    services = offline_services(client, settings, speech, silence_prompt_s=60, silence_goodbye_s=60)
    async with (
        running_worker(client, settings.task_queue, settings.backends),
        running_engine(settings, services, speech[0]) as engine,
    ):
        phone = engine.phone(MARIA["phone"])
        await phone.dial()
        await phone.wait_agent_done(since=0)
        await converse(phone, "Hi, where is my order?")  # identify ran: the agent asks for the ZIP
        restartable_temporal.stop()  # the server goes away mid-call…
        t_down = time.monotonic()
        await converse(phone, "nine four one zero three")  # …the agent still answers (a read-back)
        restartable_temporal.start()  # …and comes back on the same db file
        await converse(phone, "Yes, that's right.", quiet_s=1.5)  # verify: an update, retried
        down_s = time.monotonic() - t_down
        call = Call.attach(client, phone.call_sid)
        # The agent may have said its filler and gone quiet while the server is still starting
        # (seconds on a busy machine): hang up only once the verify update has gone through.
        await until_tool_ran(call, "verify_customer", timeout_s=60)
        await phone.wait_agent_done(quiet_s=1.0)
        await phone.hang_up()
        result = await asyncio.wait_for(call.result(), 60)
        state = await call.state()
    caller_said = [t.text.lower() for t in state.turns if t.speaker == "caller"]
    assert len(caller_said) == 3, caller_said  # every turn recorded, none twice
    assert "order" in caller_said[0]
    assert result.verified, [(c.name, c.ok, c.error_code) for c in state.tool_calls]
    assert [c.name for c in state.tool_calls] == ["identify_customer", "verify_customer"]
    assert down_s > 1.0
