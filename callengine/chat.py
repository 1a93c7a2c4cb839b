"""`callengine chat`: the agent over text, through the real CallWorkflow.

Each session is one call (`call-<sid>`, visible in the Web UI) driven by the
same brain the voice path uses; typed lines are caller turns. With stdin not
a terminal it is scriptable: one caller line per input line, and every agent
line printed as `agent: …` on stdout (the call's outcome goes to stderr). A
line `dtmf:10482` is keypad entry.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from temporalio.client import Client

from callengine.calls import Call, new_call_sid
from realtime.brain.base import Brain, CallContext, CallerInput, Say, ToolUsed, TurnDone
from workflows import CallResult, ToolResult

BrainFactory = Callable[[CallContext], Brain]


@dataclass
class ChatOutcome:
    """How a chat session ended."""

    call: Call
    result: CallResult
    turns: int


def context_for(call: Call, today: date, human_queue: str = "support") -> CallContext:
    """A brain's view of a call: its tools and state go through the workflow."""

    async def tools(name: str, arguments: dict[str, Any]) -> ToolResult:
        return await call.tool(name, **arguments)

    return CallContext(
        call_sid=call.workflow_id.removeprefix("call-"),
        tools=tools,
        state=call.state,
        today=today,
        human_queue=human_queue,
    )


DTMF_PREFIX = "dtmf:"


def caller_input(line: str) -> CallerInput:
    """A typed line; `dtmf:10482` stands for keys pressed on the phone's keypad."""
    if line.lower().startswith(DTMF_PREFIX):
        keys = "".join(c for c in line[len(DTMF_PREFIX) :] if c in "0123456789*#")
        return CallerInput(text=keys, source="dtmf")
    return CallerInput(text=line, source="text")


async def stdin_lines() -> AsyncIterator[str]:
    """Lines from stdin without blocking the event loop."""
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        yield line.rstrip("\n")


async def run_chat(
    client: Client,
    task_queue: str,
    make_brain: BrainFactory,
    lines: AsyncIterator[str],
    out: TextIO,
    *,
    caller_number: str,
    today: date,
    human_queue: str = "support",
    show_tools: bool = False,
    prompt: Callable[[], None] | None = None,
) -> ChatOutcome:
    """Run one text conversation to its end (the agent ends it, or input runs out)."""
    call = await Call.start(
        client,
        task_queue,
        call_sid=new_call_sid(),
        caller_number=caller_number,
        called_number="+18005550100",
        human_queue=human_queue,
    )
    brain = make_brain(context_for(call, today, human_queue))

    def say(text: str) -> None:
        print(f"agent: {text}", file=out, flush=True)

    greeting = brain.greeting()
    say(greeting)
    await call.turn("agent", greeting, source="text")
    turns, done = 0, TurnDone(None, 0.0)
    if prompt:
        prompt()
    async for line in lines:
        if not line.strip():
            if prompt:
                prompt()
            continue
        turns += 1
        said = caller_input(line)
        if said.source == "dtmf":
            await call.dtmf(said.text)
        else:
            await call.turn("caller", line, source="text")
        spoken: list[str] = []
        async for ev in brain.respond(said):
            if isinstance(ev, Say):
                say(ev.text)
                spoken.append(ev.text)
            elif isinstance(ev, ToolUsed) and show_tools:
                status = "ok" if ev.result.ok else ev.result.error_code
                print(f"        [{ev.name} → {status}]", file=out, flush=True)
            elif isinstance(ev, TurnDone):
                done = ev
        await call.turn(
            "agent", " ".join(spoken), source="text", intent=done.intent, confidence=done.confidence
        )
        if done.end_call:
            break
        if prompt:
            prompt()
    if done.end_call and done.escalation:
        reason = "transferred"
    elif done.end_call:
        reason = "agent_hangup"
    else:
        reason = "caller_hangup"
    await call.end(reason, resolved=done.resolved)
    return ChatOutcome(call, await call.result(), turns)
