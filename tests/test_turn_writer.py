"""Turns on their way to the workflow: one signal per exchange, in order, retried, never twice;
and a call whose stream was lost wraps up with a handoff that carries everything so far."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from callengine.calls import Call
from callengine.settings import DEFAULT_SEED
from realtime.signals import TurnWriter
from tests.conftest import Sandbox, WorkerFactory
from tests.conftest import start_call as start
from workflows.types import TurnSignal

SEED = json.loads(DEFAULT_SEED.read_text())
MARIA = SEED["customers"][0]


def turn(speaker: str, text: str, **kw: Any) -> TurnSignal:
    return TurnSignal.model_validate({"speaker": speaker, "text": text, **kw})


async def signal_events(call: Call) -> int:
    history = await call.handle.fetch_history()
    return sum(e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED for e in history.events)


async def test_an_exchange_is_one_signal_and_order_is_kept(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        call = await start(temporal_client, tq)
        writer = TurnWriter(hold_s=2.0)
        task = asyncio.create_task(writer.run(call))
        writer.put(turn("agent", "Thanks for calling. How can I help you today?"))
        await asyncio.sleep(0.2)
        writer.put(turn("caller", "Where is my order?"))  # sent with the held greeting…
        await asyncio.sleep(0.6)  # …once no tool update came to carry them (caller_hold_s)
        writer.put(turn("agent", "What's your billing ZIP code?"))
        await asyncio.sleep(0.2)
        writer.put(turn("caller", "94103", source="dtmf"))
        await asyncio.sleep(0.6)
        writer.put(turn("agent", "Thanks, you're verified."))
        await writer.flush()  # the call ends: the held agent turn goes now, not after hold_s
        task.cancel()
        state = await call.state()
        assert [(t.speaker, t.text, t.source) for t in state.turns] == [
            ("agent", "Thanks for calling. How can I help you today?", "speech"),
            ("caller", "Where is my order?", "speech"),
            ("agent", "What's your billing ZIP code?", "speech"),
            ("caller", "94103", "dtmf"),
            ("agent", "Thanks, you're verified.", "speech"),
        ]
        assert writer.signals_sent == 3  # five turns, three signals: one per exchange
        assert await signal_events(call) == 3
        await call.end()
        await call.result()


async def test_a_tool_update_carries_the_turns_before_it(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        call = await start(temporal_client, tq)
        writer = TurnWriter(hold_s=2.0, caller_hold_s=1.0)
        task = asyncio.create_task(writer.run(call))
        writer.put(turn("agent", "Thanks for calling. How can I help you today?"))
        writer.put(turn("caller", "What's my balance?"))
        await asyncio.sleep(0.1)  # the brain decides at once to look the caller up
        carried = writer.take_for_update()
        assert [t.speaker for t in carried] == ["agent", "caller"]
        found = await call.tool("identify_customer", turns=carried, use_caller_id=True)
        assert found.ok
        await asyncio.sleep(1.2)  # the writer's hold ends: nothing left for it to send
        state = await call.state()
        assert [t.text for t in state.turns] == [
            "Thanks for calling. How can I help you today?",
            "What's my balance?",
        ]
        assert writer.signals_sent == 0 and await signal_events(call) == 0  # one update, no signal
        task.cancel()
        await call.end()
        await call.result()


async def test_a_resent_turn_is_recorded_once(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        call = await start(temporal_client, tq)
        first = turn("caller", "Hi, where is my order?", seq=1)
        await call.record(first)
        await call.record(first)  # the acknowledgement was lost and the writer sent it again
        await call.record_many([first, turn("agent", "Sure.", seq=2)])
        state = await call.state()
        assert [t.text for t in state.turns] == ["Hi, where is my order?", "Sure."]
        await call.end()
        await call.result()


class FlakyCall:
    """A call whose first sends fail as when the Temporal server restarts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.recorded: list[list[str]] = []

    async def record(self, t: TurnSignal) -> None:
        await self.record_many([t])

    async def record_many(self, turns: list[TurnSignal]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("frontend unavailable")
        self.recorded.append([t.text for t in turns])


async def test_sends_are_retried_while_temporal_is_away_and_give_up_without_dropping_the_call() -> None:
    flaky = FlakyCall(failures=3)
    writer = TurnWriter(hold_s=0.0, retry_s=10.0)
    task = asyncio.create_task(writer.run(flaky))  # type: ignore[arg-type]
    writer.put(turn("caller", "Hello?"))
    await asyncio.wait_for(writer.flush(), 10)
    assert flaky.recorded == [["Hello?"]]
    gone = FlakyCall(failures=1000)
    quick = TurnWriter(hold_s=0.0, retry_s=0.5)
    task2 = asyncio.create_task(quick.run(gone))  # type: ignore[arg-type]
    quick.put(turn("caller", "Anyone there?"))
    await asyncio.wait_for(quick.flush(), 5)  # gave up on the turn, not on the call
    assert gone.recorded == [] and not task2.done()
    task.cancel()
    task2.cancel()


async def test_a_lost_stream_wraps_up_as_dropped_with_a_handoff_for_the_human(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        call = await start(temporal_client, tq)
        await call.turn("caller", "I need a refund for order 10482.")
        assert (await call.tool("identify_customer", use_caller_id=True)).ok
        assert (await call.tool("verify_customer", zip=MARIA["zip"])).ok
        await call.end("stream_lost")  # the replica holding the call died; Twilio's fallback said so
        result = await asyncio.wait_for(call.result(), 30)
    assert result.outcome == "dropped"
    assert result.escalated and result.escalation_reason == "stream_lost"
    handoffs = [t for t in await sandbox.tickets() if "handoff" in t["tags"]]
    assert len(handoffs) == 1 and handoffs[0]["id"] in result.ticket_ids
    context = handoffs[0]["description"]
    assert "stream lost" in context and MARIA["id"] in context  # who, and why
    assert "refund" in context.lower()  # what they said
    assert "verify_customer" in context or "verified" in context.lower()  # what was done
