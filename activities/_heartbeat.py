"""Heartbeats for write activities, so a dead worker's in-flight write is retried in seconds.

Without heartbeats Temporal only notices that the worker running an activity has died when
the attempt's `start_to_close_timeout` runs out (10 s for a write during the call) — the
caller would sit through that in silence. A write that heartbeats while it waits on its
backend is declared lost as soon as the heartbeats stop for the activity's
`heartbeat_timeout` (2 s, see `WRITE_OPTIONS` in workflows/call.py), and its retry runs on
another worker. The retry is safe because every write sends an idempotency key.

The heartbeats come from a background task, not from the activity's own code: the body is
usually awaiting one HTTP request, which is exactly when a crash has to be noticed.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, ParamSpec, TypeVar

from temporalio import activity

P = ParamSpec("P")
R = TypeVar("R")

# Well inside a 2 s heartbeat timeout, even on a busy event loop. The SDK throttles what it
# actually sends to the server (see `max_heartbeat_throttle_interval` in callengine/worker.py),
# so beating often costs one cheap in-process call, not one RPC.
INTERVAL_S = 0.5


@asynccontextmanager
async def heartbeats(interval_s: float = INTERVAL_S) -> AsyncIterator[None]:
    """Heartbeat the current activity every `interval_s` seconds while the block runs.

    Outside an activity (a unit test calling the method directly) and in a local activity
    (which the server does not track, so it has nothing to time out) it does nothing.

    Args:
        interval_s: Seconds between heartbeats.

    Yields:
        Nothing; the block is the activity's work.
    """
    if not activity.in_activity() or activity.info().is_local:
        yield
        return

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(interval_s)

    task = asyncio.create_task(beat(), name="activity-heartbeat")
    try:
        yield
    finally:
        task.cancel()
        # Wait for it to stop without re-raising its CancelledError (ours, if any, still raises).
        await asyncio.wait([task])


def heartbeating(fn: Callable[P, Awaitable[R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Decorate an async activity so that it heartbeats while it runs (see `heartbeats`).

    Put it under `@activity.defn`, which then registers the wrapper; the wrapper keeps the
    function's name, signature and type hints, which the SDK reads to decode the input.

    Args:
        fn: The activity function or method.

    Returns:
        The same activity, heartbeating.
    """

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        async with heartbeats():
            return await fn(*args, **kwargs)

    return wrapper
