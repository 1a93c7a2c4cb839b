"""Shared fixtures: one real Temporal dev server and one real sandbox per session.

Every test gets its own task queue and worker (so tests cannot steal each
other's tasks) and a freshly reset sandbox.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from callengine.devserver import DevServerConfig, temporal_binary
from callengine.settings import DEFAULT_SEED, BackendSettings
from callengine.temporal import DATA_CONVERTER
from callengine.worker import running_worker
from sandbox import create_app

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

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(DEFAULT_SEED), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
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
        import base64

        auth = base64.b64encode(b"agent@example.com/token:dev-zendesk-token").decode()
        return list((await self.get("/api/v2/tickets.json", {"Authorization": f"Basic {auth}"}))["tickets"])

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


WorkerFactory = Callable[..., AbstractAsyncContextManager[str]]


@pytest.fixture
def worker(temporal_client: Client, sandbox: Sandbox) -> WorkerFactory:
    """`async with worker() as task_queue:` — a worker on a fresh task queue against the sandbox."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[str]:
        task_queue = f"calls-test-{uuid.uuid4().hex[:8]}"
        base = BackendSettings.for_sandbox(sandbox.url)
        backends = dataclasses.replace(base, **overrides)
        async with running_worker(temporal_client, task_queue, backends):
            yield task_queue

    return start
