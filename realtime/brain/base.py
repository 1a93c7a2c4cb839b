"""The one brain interface every agent implements (offline, LLM, fallback).

A brain is per call. Given what the caller said (speech, keypad or typed
text) it streams events: `Say` chunks, each one speakable sentence so speech
starts before the reply is complete; `ToolUsed` for every tool call it made
(always through the workflow's `tool` update — the identity gate); and one
`TurnDone` with its reading of intent and confidence and whether the call
should end.

Cancelling the stream (barge-in) stops the reply, never a tool call already
sent: tools run in shielded tasks, and their results still reach the brain's
state (see `ToolRunner` users), so the next turn knows a refund went through
even if the caller never heard "done".
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from workflows.types import CallState, ToolResult

Source = Literal["speech", "dtmf", "text"]


@dataclass(frozen=True)
class CallerInput:
    """One caller turn, as final text."""

    text: str
    source: Source = "speech"
    stt_confidence: float | None = None
    # What the caller did not hear of the agent's previous reply because they talked over it:
    # "sorry, what was the balance?" must be answerable even though the words were never heard.
    missed: str = ""


@dataclass(frozen=True)
class Say:
    """One speakable chunk (a sentence or two)."""

    text: str
    # A repeat for a caller who asked to hear it again: spoken slower (the TTS honours it).
    slow: bool = False


@dataclass(frozen=True)
class ToolUsed:
    """A tool call the brain made this turn, with its result."""

    name: str
    arguments: dict[str, Any]
    result: ToolResult


@dataclass(frozen=True)
class TurnDone:
    """The end of one reply."""

    intent: str | None
    confidence: float
    end_call: bool = False
    resolved: bool = False
    escalation: str | None = None


BrainEvent = Say | ToolUsed | TurnDone

# The workflow's `tool` update: name + arguments → result (never raises for tool errors).
ToolRunner = Callable[[str, dict[str, Any]], Awaitable[ToolResult]]
StateReader = Callable[[], Awaitable[CallState]]


@dataclass
class CallContext:
    """What a brain may use: the call's tools and state, and the business date."""

    call_sid: str
    tools: ToolRunner
    state: StateReader
    today: date
    human_queue: str = "support"
    _inflight: set[asyncio.Task[ToolResult]] = field(default_factory=set)

    async def run_tool(
        self, name: str, arguments: dict[str, Any], on_result: Callable[[ToolResult], None] | None = None
    ) -> ToolResult:
        """Run one tool so that cancelling the caller of this method cannot cancel it.

        `on_result` is applied when the tool finishes even if the reply that
        asked for it was cancelled meanwhile (barge-in): brain state must not
        depend on whether the caller let us finish the sentence.
        """
        task = asyncio.ensure_future(self.tools(name, arguments))
        self._inflight.add(task)

        def done(t: asyncio.Task[ToolResult]) -> None:
            self._inflight.discard(t)
            if on_result is not None and not t.cancelled() and t.exception() is None:
                on_result(t.result())

        task.add_done_callback(done)
        return await asyncio.shield(task)

    async def settle(self) -> None:
        """Wait for tool calls of an interrupted reply before starting the next one."""
        if self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)


class Brain(abc.ABC):
    """A conversational agent for one call."""

    name: str = "brain"

    @abc.abstractmethod
    def greeting(self) -> str:
        """The first line of the call: short, and the same every time (so it can be cached)."""

    @abc.abstractmethod
    def respond(self, said: CallerInput) -> AsyncIterator[BrainEvent]:
        """Stream the reply to one caller turn; ends with exactly one `TurnDone`."""

    async def take_over(self) -> None:  # noqa: B027 — optional hook, no-op by default
        """Catch up from the workflow's state when taking over a call mid-way (fallback)."""

    async def warm(self) -> None:  # noqa: B027 — optional hook, no-op by default
        """Get ready for the first turn while the greeting plays (open a vendor connection)."""
