"""`callengine up`: the whole system on one machine, as child processes.

Temporal dev server (per temporal-dev.yaml), the sandbox backends, a worker
and the API/realtime server, each its own process with its own log under `.callengine/logs/`, so
the layout matches production (stateless workers, external systems) and one
crash is visible rather than taking everything down. Stopping is orderly:
the worker first (it lets running activities finish), then the sandbox, then
Temporal, each with SIGTERM and a bounded wait before SIGKILL.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from callengine.devserver import (
    UI_SETTINGS_PATH,
    DevServerConfig,
    ensure_search_attributes,
    temporal_binary,
    wait_until_ready,
)
from callengine.settings import STATE_DIR, Settings

LOG_DIR = STATE_DIR / "logs"
Progress = Callable[[str], None]


class StackError(RuntimeError):
    """A part of the stack did not come up."""


@dataclass
class Child:
    """One process of the stack."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]

    def tail(self, lines: int = 15) -> str:
        """The end of its log, for an error message."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def port_open(host: str, port: int) -> bool:
    """Whether something accepts TCP connections there."""
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


@dataclass
class Stack:
    """The running processes, in start order."""

    settings: Settings
    config: DevServerConfig
    progress: Progress = print
    children: list[Child] = field(default_factory=list)
    client: Client | None = None
    # Where the dev server's Web UI settings (the codec endpoint and its token) are written.
    ui_settings_path: Path = UI_SETTINGS_PATH

    def _spawn(self, name: str, cmd: list[str], env: dict[str, str] | None = None) -> Child:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        log_path = LOG_DIR / f"{name}.log"
        log = log_path.open("ab")
        proc = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            # Own process group: Ctrl-C in the terminal reaches `up`, which then
            # stops the children in order instead of all dying at once.
            start_new_session=True,
        )
        child = Child(name, proc, log_path, log)
        self.children.append(child)
        return child

    def _check_alive(self, child: Child) -> None:
        if child.proc.poll() is not None:
            raise StackError(
                f"{child.name} exited with code {child.proc.returncode}; "
                f"its log ({child.log_path}) ends with:\n{child.tail()}"
            )

    async def start(self) -> None:
        """Start Temporal, the sandbox and a worker; return when all are ready."""
        s = self.settings
        t0 = time.monotonic()
        if port_open(self.config.ip, self.config.port):
            self.progress(f"• Temporal already running at {self.config.address}; using it")
        else:
            self.progress(
                f"… starting Temporal dev server on {self.config.address} (UI {self.config.ui_url})"
            )
            ui_settings = self.config.write_ui_settings(self.ui_settings_path)
            child = self._spawn("temporal", self.config.command(temporal_binary(), ui_settings=ui_settings))
            await self._wait(child, self._temporal_listening, 60)
        self.client = await wait_until_ready(self.config.address, self.config.namespace)
        added = await ensure_search_attributes(self.client, self.config)
        self.progress(
            f"✓ Temporal ready ({time.monotonic() - t0:.1f}s)"
            + (f"; registered search attributes {', '.join(added)}" if added else "")
        )

        await self._ensure(
            "sandbox",
            f"sandbox backends on {s.sandbox_host}:{s.sandbox_port} (seed {s.seed_path})",
            self._sandbox_healthy,
            [
                sys.executable,
                "-m",
                "sandbox",
                "--host",
                s.sandbox_host,
                "--port",
                str(s.sandbox_port),
                "--seed",
                str(s.seed_path),
            ],
            30,
            port=(s.sandbox_host, s.sandbox_port, "CALLENGINE_SANDBOX_PORT"),
        )
        await self._ensure(
            "worker",
            f"worker on task queue {s.task_queue!r}",
            self._worker_polling,
            [sys.executable, "-m", "callengine", "worker"],
            60,
            # The sandbox starts from its seed every time, so the failed-verification counts of
            # its accounts (workflows/verify_guard.py, keyed by this secret) live as long as this
            # local stack, not in .callengine/temporal.db for a day: a developer who runs the
            # scenario suite's wrong-ZIP calls a few times is not locked out of the seed's accounts
            # by the next `callengine up`. A configured key is kept.
            env={
                "CALLENGINE_IDENTITY_KEY": os.environ.get("CALLENGINE_IDENTITY_KEY")
                or secrets.token_urlsafe(32)
            },
        )
        await self._ensure(
            "api",
            f"API/realtime server on {s.api_host}:{s.api_port} (loading speech models)",
            self._api_healthy,
            [sys.executable, "-m", "callengine", "serve"],
            120,
            port=(s.api_host, s.api_port, "CALLENGINE_API_PORT"),
            # The sandbox emulates Twilio's REST API: hang-ups and transfers take the
            # production path (the workflow acts on the live call) and show in its log.
            env={
                "CALLENGINE_TELEPHONY": os.environ.get("CALLENGINE_TELEPHONY", "rest"),
                # Ctrl-C drains the API like a deploy does, but within stop()'s 15 s before SIGKILL.
                "CALLENGINE_DRAIN_S": os.environ.get("CALLENGINE_DRAIN_S", "10"),
            },
        )

    async def _ensure(
        self,
        name: str,
        what: str,
        ready: Callable[[], Awaitable[bool]],
        cmd: list[str],
        timeout_s: float,
        port: tuple[str, int, str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        """Reuse a part that already runs, or start it and wait until it is ready."""
        t0 = time.monotonic()
        if await ready():
            self.progress(f"• {name} already running; using it")
            return
        if port is not None and port_open(port[0], port[1]):
            raise StackError(
                f"port {port[1]} is taken by something that is not the {name}; stop it or set {port[2]}"
            )
        self.progress(f"… starting {what}")
        child = self._spawn(name, cmd, env)
        await self._wait(child, ready, timeout_s)
        self.progress(f"✓ {name} ready ({time.monotonic() - t0:.1f}s)")

    async def _temporal_listening(self) -> bool:
        return port_open(self.config.ip, self.config.port)

    async def _sandbox_healthy(self) -> bool:
        s = self.settings
        try:
            async with httpx.AsyncClient() as http:
                resp = await http.get(f"http://{s.sandbox_host}:{s.sandbox_port}/healthz", timeout=0.5)
                return resp.is_success
        except httpx.TransportError:
            return False

    async def _api_healthy(self) -> bool:
        s = self.settings
        try:
            async with httpx.AsyncClient() as http:
                resp = await http.get(f"http://{s.api_host}:{s.api_port}/healthz", timeout=0.5)
                return resp.is_success
        except httpx.TransportError:
            return False

    async def _worker_polling(self) -> bool:
        assert self.client is not None
        resp = await self.client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=self.config.namespace,
                task_queue=TaskQueue(name=self.settings.task_queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            )
        )
        return len(resp.pollers) > 0

    async def _wait(self, child: Child, ready: Callable[[], Awaitable[bool]], timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not await ready():
            self._check_alive(child)
            if time.monotonic() > deadline:
                raise StackError(
                    f"{child.name} not ready after {timeout_s:.0f}s; log: {child.log_path}\n{child.tail()}"
                )
            await asyncio.sleep(0.2)

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop children in reverse start order: SIGTERM, wait, then SIGKILL."""
        for child in reversed(self.children):
            if child.proc.poll() is None:
                self.progress(f"… stopping {child.name}")
                child.proc.send_signal(signal.SIGTERM)
                try:
                    child.proc.wait(timeout=timeout_s)
                except subprocess.TimeoutExpired:
                    self.progress(f"! {child.name} did not stop in {timeout_s:.0f}s; killing it")
                    child.proc.kill()
                    child.proc.wait()
            child.log.close()
        self.children.clear()

    def failed_child(self) -> Child | None:
        """A child that exited while the stack should be running."""
        return next((c for c in self.children if c.proc.poll() is not None), None)

    def urls(self) -> list[tuple[str, str]]:
        """What to print once everything is up."""
        s = self.settings
        return [
            ("Twilio webhook", f"{s.public_url}/twilio/voice"),
            ("Temporal Web UI", self.config.ui_url),
            ("Temporal frontend", self.config.address),
            ("Sandbox backends", f"http://{s.sandbox_host}:{s.sandbox_port}"),
            ("Logs", str(LOG_DIR)),
        ]


@asynccontextmanager
async def running_stack(
    settings: Settings, config: DevServerConfig, progress: Progress = print
) -> AsyncIterator[Stack]:
    """The stack, started for the block and stopped after it, whatever happens."""
    stack = Stack(settings, config, progress)
    try:
        await stack.start()
        yield stack
    finally:
        stack.stop()
