"""The Temporal worker: runs CallWorkflow and every activity on the `calls` queue.

Workers are stateless; run as many as load needs. The httpx client is shared
by all activities in the process (connection pooling to each backend).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from temporalio.client import Client
from temporalio.worker import Worker

from activities import build_activities
from callengine.settings import BackendSettings, Settings
from workflows import CallWorkflow

log = logging.getLogger("callengine.worker")


@asynccontextmanager
async def running_worker(client: Client, task_queue: str, backends: BackendSettings) -> AsyncIterator[Worker]:
    """A started worker (and its HTTP pool) for the duration of the block."""
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    async with httpx.AsyncClient(limits=limits) as http:
        worker = Worker(
            client,
            task_queue=task_queue,
            workflows=[CallWorkflow],
            activities=build_activities(http, backends),
            # Let in-flight activities (a refund mid-POST) finish on shutdown.
            graceful_shutdown_timeout=timedelta(seconds=10),
        )
        async with worker:
            yield worker


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until `stop` is set (or forever)."""
    from callengine.temporal import connect

    client = await connect(settings)
    async with running_worker(client, settings.task_queue, settings.backends):
        log.info("worker polling task queue %r on %s", settings.task_queue, settings.temporal_address)
        await (stop.wait() if stop is not None else asyncio.Event().wait())
