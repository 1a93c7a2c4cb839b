"""Talking to one call's workflow: start or attach, tools, turns, end, state.

This is the only client-side API to a call. The realtime session, `callengine
chat` and the scripted demo all use it, so they all go through the same
workflow handlers (and the same identity gate).
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.service import RPCError, RPCStatusCode

from workflows import (
    CallInput,
    CallResult,
    CallState,
    CallUsage,
    CallWorkflow,
    DtmfSignal,
    EndedSignal,
    ToolRequest,
    ToolResult,
    TurnBatch,
    TurnLatency,
    TurnSignal,
)
from workflows.call import CALL_SID
from workflows.types import PhoneAction

_CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
# A last guard: no call runs for more than this, whatever happens to its process.
MAX_CALL_DURATION = timedelta(hours=2)


def transient(error: BaseException) -> bool:
    """Whether a Temporal client error is worth retrying: the server is unreachable or restarting."""
    if isinstance(error, WorkflowUpdateRPCTimeoutOrCancelledError):
        return True
    return isinstance(error, RPCError) and error.status in (
        RPCStatusCode.UNAVAILABLE,
        RPCStatusCode.DEADLINE_EXCEEDED,
        RPCStatusCode.RESOURCE_EXHAUSTED,
        RPCStatusCode.ABORTED,
        RPCStatusCode.CANCELLED,
        RPCStatusCode.UNKNOWN,
    )


def new_call_sid() -> str:
    """A Twilio-shaped Call SID for simulated calls."""
    return "CA" + secrets.token_hex(16)


def workflow_id(call_sid: str) -> str:
    """`call-<CallSid>`: the contract ops and tools rely on. Rejects anything not SID-shaped."""
    if not _CALL_SID.fullmatch(call_sid):  # fullmatch: `$` would let "CA…\n" through
        raise ValueError("a Call SID is 'CA' followed by 32 hex digits")
    return f"call-{call_sid}"


class Call:
    """A handle on one call's workflow."""

    def __init__(self, handle: WorkflowHandle[CallWorkflow, CallResult]) -> None:
        self.handle = handle

    @property
    def workflow_id(self) -> str:
        """The workflow id (`call-<CallSid>`)."""
        return self.handle.id

    @classmethod
    async def start(
        cls,
        client: Client,
        task_queue: str,
        *,
        call_sid: str,
        caller_number: str,
        called_number: str,
        human_queue: str = "support",
        inactivity_timeout_s: float = 120.0,
        exclusive: bool = False,
    ) -> Call:
        """Start the call's workflow, or attach to it if it is already running.

        Args:
            client: The Temporal client.
            task_queue: The workers' task queue.
            call_sid: The call; its workflow is `call-<CallSid>`.
            caller_number: Caller ID (as Twilio signed it).
            called_number: The number dialled.
            human_queue: Where a handoff sends the caller.
            inactivity_timeout_s: The workflow wraps up after this long without a message.
            exclusive: Only start, never attach: a media stream claims its call this way, so a
                second stream naming the same CallSid, on any replica, is refused by Temporal
                itself, and so is one for a call that already ended (the id is never reused).

        Raises:
            temporalio.exceptions.WorkflowAlreadyStartedError: `exclusive`, and the call's
                workflow exists (running or closed).
        """
        wf_id = workflow_id(call_sid)
        handle = await client.start_workflow(
            CallWorkflow.run,
            CallInput(
                call_sid=call_sid,
                caller_number=caller_number,
                called_number=called_number,
                started_at=datetime.now(UTC),
                human_queue=human_queue,
                inactivity_timeout_s=inactivity_timeout_s,
            ),
            id=wf_id,
            task_queue=task_queue,
            id_conflict_policy=(
                WorkflowIDConflictPolicy.FAIL if exclusive else WorkflowIDConflictPolicy.USE_EXISTING
            ),
            # Exclusive: a CallSid gets one stream ever. Twilio never reopens a stream for a call
            # (a lost one goes to people through `<Connect action>`), so a later one is a replay.
            id_reuse_policy=(
                WorkflowIDReusePolicy.REJECT_DUPLICATE if exclusive else WorkflowIDReusePolicy.ALLOW_DUPLICATE
            ),
            execution_timeout=MAX_CALL_DURATION,
            search_attributes=TypedSearchAttributes([SearchAttributePair(CALL_SID, call_sid)]),
            static_summary=f"Phone call {call_sid}",
        )
        return cls(handle)

    @classmethod
    def attach(cls, client: Client, call_sid: str) -> Call:
        """A handle on an existing call."""
        return cls(client.get_workflow_handle_for(CallWorkflow.run, workflow_id(call_sid)))

    async def tool(
        self, name: str, update_id: str | None = None, turns: list[TurnSignal] | None = None, **arguments: Any
    ) -> ToolResult:
        """Run one tool through the workflow's gate. `update_id` makes a retry a no-op.

        `turns` (not yet recorded) travel with the update and are recorded before the tool runs.
        """
        # By name: the SDK's typing of an async update with a validator trips mypy.
        request = ToolRequest(name=name, arguments=arguments, turns=turns or [])
        result = await self.handle.execute_update("tool", request, id=update_id, result_type=ToolResult)
        assert isinstance(result, ToolResult)
        return result

    async def turn(
        self,
        speaker: str,
        text: str,
        *,
        source: str = "speech",
        intent: str | None = None,
        confidence: float | None = None,
        interrupted: bool = False,
        latency: TurnLatency | None = None,
    ) -> None:
        """Record one utterance."""
        await self.record(
            TurnSignal.model_validate(
                {
                    "speaker": speaker,
                    "text": text,
                    "source": source,
                    "intent": intent,
                    "confidence": confidence,
                    "interrupted": interrupted,
                    "latency": latency,
                }
            )
        )

    async def record(self, turn: TurnSignal) -> None:
        """Record one prepared turn (the realtime side's writer: it numbers its turns)."""
        await self.handle.signal(CallWorkflow.turn, turn)

    async def record_many(self, turns: list[TurnSignal]) -> None:
        """Record several turns in one signal (one workflow task for a whole exchange)."""
        await self.handle.signal(CallWorkflow.turns, TurnBatch(turns=turns))

    async def dtmf(self, digits: str) -> None:
        """Record keypad digits."""
        await self.handle.signal(CallWorkflow.dtmf, DtmfSignal(digits=digits))

    async def end(
        self,
        reason: str = "caller_hangup",
        *,
        resolved: bool = False,
        usage: CallUsage | None = None,
        phone_action: PhoneAction | None = None,
    ) -> None:
        """Tell the workflow the call is over (and what it used); it wraps up.

        `phone_action` asks the workflow to hang up or transfer the live call over Twilio REST.
        """
        await self.handle.signal(
            CallWorkflow.ended,
            EndedSignal(reason=reason, resolved=resolved, usage=usage, phone_action=phone_action),
        )

    async def state(self) -> CallState:
        """The call's state as the workflow holds it."""
        return await self.handle.query(CallWorkflow.state)

    async def result(self) -> CallResult:
        """Wait for the wrap-up and return the outcome."""
        return await self.handle.result()
