"""The offline agent's shared runtime: tools, tickets, handoffs and goodbyes for every flow.

Each flow module (identity, orders, scheduling, account, support) is a set of
functions over one `Agent`; what they share — running a tool through the
workflow, opening a ticket, saying a backend is down, handing off, asking
"anything else?" — lives here once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any

from realtime.brain.base import BrainEvent, CallContext, Say, ToolUsed, TurnDone
from realtime.brain.escalation import EscalationPolicy
from realtime.brain.offline import lines
from realtime.brain.offline.dialog import Dialog
from workflows.types import ToolResult

Flow = AsyncIterator[BrainEvent]


class Agent:
    """One call's dialog state and the actions every flow may take."""

    def __init__(self, ctx: CallContext, proceed: Callable[[Agent], Flow]) -> None:
        """Start a call.

        Args:
            ctx: The call's tools and state.
            proceed: Continues the current request once identity allows it (the brain's router).
        """
        self.ctx = ctx
        self.d = Dialog()
        self.policy = EscalationPolicy()
        self.escalation: str | None = None
        self.forget_tool()
        self._proceed = proceed

    def forget_tool(self) -> None:
        """No tool result at hand (`self.last` is a failed no-op)."""
        self.last = ToolUsed("", {}, ToolResult(tool="", ok=False))

    def proceed(self) -> Flow:
        """Continue the current request (identity first, then its flow)."""
        return self._proceed(self)

    def understood(self) -> None:
        """The request was understood after all (an article is about it), whatever its cue words.

        Such a turn is not a low-confidence one: "my AC only blows warm air" names no intent the
        classifier knows, yet the help center knew it, so it must not count towards a handoff.
        """
        self.policy.low_confidence_streak = 0

    def done(self) -> TurnDone:
        """The end of this turn's reply."""
        d = self.d
        return TurnDone(
            d.intent,
            d.confidence,
            end_call=d.ended,
            resolved=d.resolved and not self.escalation,
            escalation=self.escalation,
        )

    async def tool(self, name: str, args: dict[str, Any]) -> ToolResult:
        """Run a tool through the workflow; `self.last` is its ToolUsed event, for the flow to yield."""
        res = await self.ctx.run_tool(name, args)
        self.last = ToolUsed(name, args, res)
        return res

    async def ticket(self, subject: str, description: str, priority: str) -> str | None:
        """Open a ticket; its id as the backend gave it (opaque), or None if it failed."""
        res = await self.tool(
            "create_ticket",
            {
                "subject": subject[:150] or "Caller request",
                "description": description[:5000] or "Caller request",
                "priority": priority,
            },
        )
        return str(res.data["ticket_id"]) if res.ok and res.data.get("ticket_id") is not None else None

    async def ticket_then_more(
        self,
        subject: str,
        description: str,
        priority: str,
        told: Callable[[str], str],
        resolved: bool = False,
    ) -> Flow:
        """Open a ticket and tell the caller its number (`told(ticket)`), then offer more.

        A ticket that cannot be opened is an outage, said as one (`backend_down`).
        """
        ticket = await self.ticket(subject, description, priority)
        yield self.last
        if ticket is None:
            async for ev in self.backend_down("ticket"):
                yield ev
            return
        if resolved:
            self.d.resolved = True
        async for ev in self.anything_else(self._told(ticket, told)):
            yield ev

    def _told(self, ticket: str, told: Callable[[str], str]) -> str:
        """The ticket line, unless the workflow answered with the one already open (unverified caller)."""
        if self.last.result.data.get("already_open"):
            return lines.ticket_already_open(ticket)
        return told(ticket)

    async def anything_else(self, *before: str) -> Flow:
        """Say what was done, then offer more: the call waits for a new request."""
        self.d.ask, self.d.pending, self.d.more = None, None, True
        # The request is done: a road turned down for it is open again for the next one, and a
        # request the agent was unsure of at first but then served counts against nothing.
        self.d.rejected, self.d.rejected_articles, self.d.checked = set(), set(), None
        self.understood()
        for line in before:
            yield Say(line)
        yield Say(lines.ANYTHING_ELSE)

    async def tool_failed(self, res: ToolResult, system: str) -> Flow:
        """A tool that failed for a reason the caller cannot fix by saying something else.

        Only an unavailable backend is an outage; anything else (a value the
        backend refused, an error code we do not know) goes to a person, who
        can see what happened in the call's record.
        """
        if res.error_code == "backend_unavailable":
            async for ev in self.backend_down(system):
                yield ev
        else:
            async for ev in self.escalate("other"):
                yield ev

    async def backend_down(self, system: str) -> Flow:
        """An honest line and a ticket, so the caller is not left with nothing."""
        d = self.d
        yield Say(lines.backend_down(system))
        ticket = await self.ticket(
            f"Follow up: {system} system unavailable during call",
            f"Could not complete {d.intent or 'the request'} because the {system} system "
            f"was unavailable. Caller said: {d.problem or 'n/a'}",
            "high",
        )
        yield self.last
        opened = partial(lines.ticket_opened, purpose="so we can follow up")
        follow = [self._told(ticket, opened)] if ticket else []
        async for ev in self.anything_else(*follow):
            yield ev

    async def escalate(self, reason: str, lead: str | None = None) -> Flow:
        """Hand the call to a person; the workflow passes on the call's record as the summary."""
        res = await self.tool("escalate", {"reason": reason})
        yield self.last
        self.d.ended, self.d.ask, self.d.pending = True, None, None
        self.escalation = reason
        yield Say(lines.handoff(reason, lead, passed_on=res.ok))

    async def goodbye(self) -> Flow:
        """End the call."""
        self.d.ended, self.d.ask, self.d.pending = True, None, None
        yield Say(lines.GOODBYE)
