"""The Temporal worker: runs CallWorkflow, VerifyGuardWorkflow and every activity on the `calls` queue.

Workers are stateless; run as many as load needs. The httpx client is shared
by all activities in the process (connection pooling to each backend).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from temporalio.client import Client
from temporalio.worker import Worker

from activities import build_activities, warmups
from callengine.settings import BackendSettings, Settings
from workflows import CallWorkflow, VerifyGuardWorkflow
from workflows.whisper import WhisperHeardWorkflow

log = logging.getLogger("callengine.worker")

# How long a stopping worker lets running activities finish before they are cancelled.
_GRACE = timedelta(seconds=10)


@asynccontextmanager
async def running_worker(client: Client, task_queue: str, backends: BackendSettings) -> AsyncIterator[Worker]:
    """A started worker (and its HTTP pool) for the duration of the block."""
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    async with httpx.AsyncClient(limits=limits) as http:
        found = build_activities(http, backends)
        worker = Worker(
            client,
            task_queue=task_queue,
            workflows=[CallWorkflow, VerifyGuardWorkflow, WhisperHeardWorkflow],
            activities=found,
            # Let in-flight activities (a refund mid-POST) finish on shutdown.
            graceful_shutdown_timeout=_GRACE,
            # A call's workflow tasks go to the worker that has it cached (its sticky queue).
            # If that worker dies, the next task — the answer the caller waits for — moves to
            # another worker after this long (SDK default 10 s, in silence on the phone).
            sticky_queue_schedule_to_start_timeout=timedelta(seconds=2),
            # Write activities heartbeat every 0.5 s with a 2 s heartbeat timeout (workflows/
            # call.py). The SDK sends at most one per min(0.8 x timeout, this): 1 s leaves a
            # busy worker a second of slack before its live activity is taken for dead.
            max_heartbeat_throttle_interval=timedelta(seconds=1),
        )
        async with worker:
            # Warm-ups run beside the worker; a failed one only means a slower first search.
            warming = [asyncio.create_task(_warm(w)) for w in warmups(found)]
            try:
                yield worker
            finally:
                for task in warming:
                    task.cancel()


async def _warm(warm: Callable[[], Awaitable[None]]) -> None:
    try:
        await warm()
    except Exception:
        log.exception("warm-up failed (the first search will do it)")


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until `stop` is set (or forever)."""
    from callengine.temporal import connect

    client = await connect(settings, serve_metrics=True)
    async with running_worker(client, settings.task_queue, settings.backends):
        log.info("worker polling task queue %r on %s", settings.task_queue, settings.temporal_address)
        await (stop.wait() if stop is not None else asyncio.Event().wait())
        log.info(
            "worker stopping: no new tasks; running activities may finish (up to %.0fs)",
            _GRACE.total_seconds(),
        )
