"""A call's turns on their way to its workflow: in order, batched, retried, never twice.

Every signal costs the workflow a task — about four history events — and a five-minute call
has dozens of turns. So an agent's turn waits (up to `hold_s`) for the caller's next turn and
both go in one `turns` signal: one workflow task per exchange. A caller's turn waits only
`caller_hold_s` (a fraction of a second): if the brain calls a tool meanwhile, the turns ride
in that tool's update (`take_for_update`) instead of a signal of their own. Either way what the
caller said is in the workflow's history within a moment, so a crash of this process loses
nothing the caller said or did.

When Temporal is unreachable (a server restart) sends are retried with backoff for up to
`retry_s`, while the call goes on. Each turn carries a running `seq`, and the workflow ignores a
turn it has already recorded, so a retry after a lost acknowledgement records nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from callengine.calls import Call
from workflows.types import TurnSignal

log = logging.getLogger(__name__)

_FLUSH = None  # queue marker: send what is pending now


class TurnWriter:
    """Queues a call's turns and sends them to the workflow (run `run` as a task)."""

    def __init__(
        self,
        call_sid: str = "",
        *,
        hold_s: float = 8.0,
        caller_hold_s: float = 0.4,
        retry_s: float = 60.0,
        on_sent: Callable[[float], None] | None = None,
    ) -> None:
        """Create the writer.

        Args:
            call_sid: For log lines only.
            hold_s: How long an agent's turn may wait for the caller's next turn.
            caller_hold_s: How long a caller's turn may wait for a tool update to carry it.
            retry_s: How long a send is retried while Temporal does not answer.
            on_sent: Called with the milliseconds each successful send took.
        """
        self.call_sid = call_sid
        self.hold_s = hold_s
        self.caller_hold_s = caller_hold_s
        self._sending = False
        self.retry_s = retry_s
        self._on_sent = on_sent
        self._queue: asyncio.Queue[TurnSignal | None] = asyncio.Queue()
        self._pending: list[TurnSignal] = []  # taken from the queue, not yet acknowledged
        self._seq = 0
        self.signals_sent = 0

    def put(self, turn: TurnSignal) -> None:
        """Queue a turn (numbered here, in the order the call produced it)."""
        self._seq += 1
        self._queue.put_nowait(turn.model_copy(update={"seq": self._seq}))

    def take_for_update(self) -> list[TurnSignal]:
        """The turns held for batching, handed to a tool update to carry (none while a send runs)."""
        if self._sending:
            return []
        taken, self._pending = self._pending, []
        return taken

    def put_back(self, turns: list[TurnSignal]) -> None:
        """Turns a tool update could not deliver: they go out by signal, first."""
        if turns:
            self._pending[:0] = turns
            self._queue.put_nowait(_FLUSH)

    async def flush(self) -> None:
        """Send everything queued now, and return once the workflow has it."""
        self._queue.put_nowait(_FLUSH)
        await self._queue.join()

    async def run(self, call: Call) -> None:
        """Send turns until cancelled."""
        while True:
            taken = await self._collect()
            try:
                await self._send(call)
            finally:
                for _ in range(taken):
                    self._queue.task_done()

    async def drain(self, call: Call) -> None:
        """After `run` stopped: send whatever is still pending or queued (the call is ending)."""
        while not self._queue.empty():
            item = self._queue.get_nowait()
            self._queue.task_done()
            if item is not None:
                self._pending.append(item)
        await self._send(call)

    async def _collect(self) -> int:
        """Take the next batch off the queue; returns how many queue items it took."""
        item = await self._queue.get()
        taken, flushed = 1, item is None
        if item is not None:
            self._pending.append(item)
        since = time.monotonic()  # when the newest held turn arrived
        # Hold an agent's turn for the caller's answer (one workflow task for the exchange), and
        # a caller's turn briefly for a tool update to carry it.
        while not flushed and self._pending:
            hold = self.hold_s if self._pending[-1].speaker == "agent" else self.caller_hold_s
            remaining = since + hold - time.monotonic()
            if remaining <= 0:
                break
            try:
                item = await asyncio.wait_for(self._queue.get(), remaining)
            except TimeoutError:
                break
            taken += 1
            if item is None:
                flushed = True
            else:
                self._pending.append(item)
                since = time.monotonic()
        while not self._queue.empty():  # whatever else is already waiting goes along
            item = self._queue.get_nowait()
            taken += 1
            if item is not None:
                self._pending.append(item)
        return taken

    async def _send(self, call: Call) -> None:
        """Send the pending turns, retrying while Temporal does not answer."""
        deadline = time.monotonic() + self.retry_s
        delay = 0.2
        self._sending = True
        try:
            await self._send_pending(call, deadline, delay)
        finally:
            self._sending = False

    async def _send_pending(self, call: Call, deadline: float, delay: float) -> None:
        while self._pending:
            batch = list(self._pending)
            t0 = time.monotonic()
            try:
                await (call.record(batch[0]) if len(batch) == 1 else call.record_many(batch))
            except asyncio.CancelledError:
                raise
            except Exception as e:
                if time.monotonic() + delay > deadline:
                    # Give up on these turns, not on the call: the caller is still talking to us.
                    log.error("call %s: %d turn(s) not recorded: %r", self.call_sid, len(batch), e)
                    self._pending.clear()
                    return
                log.warning("call %s: recording turns failed (%s); retrying", self.call_sid, type(e).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            del self._pending[: len(batch)]
            self.signals_sent += 1
            if self._on_sent is not None:
                self._on_sent((time.monotonic() - t0) * 1000)
