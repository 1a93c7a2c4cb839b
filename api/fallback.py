"""What happens to a caller when the media stream ends: the `<Connect action>` decision.

Twilio requests the `action` URL when our server closes the media WebSocket — after a clean
goodbye, after a handoff, or because the process holding the call died or the stream broke
(PROTOCOLS.md §1: "<Connect> blocks ... Then it requests action"). Only the workflow knows
which of these happened, so the decision reads its `state`. Whatever goes wrong while asking,
the caller is sent to the human queue, never dropped (DESIGN.md, `POST /twilio/fallback`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from api import twiml
from workflows.types import CallState

# PROTOCOLS.md §1 "Status callbacks": the CallStatus values after which the call is gone.
FINAL_CALL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})

Verdict = Literal["caller_gone", "hang_up", "transfer", "stream_lost"]


@dataclass(frozen=True)
class Decision:
    """The TwiML to answer with and the `ended` reason to send the workflow afterwards."""

    verdict: Verdict
    twiml: str
    end_reason: str | None  # None: nothing to tell the workflow


def end_reason_for_status(call_status: str) -> str:
    """The `ended` reason for a final call status: `completed` is the caller hanging up."""
    return "caller_hangup" if call_status == "completed" else call_status


def decide(call_status: str, state: CallState | None, human_queue: str) -> Decision:
    """Choose the caller's next step from the call status Twilio sent and the workflow's state.

    Args:
        call_status: `CallStatus` from the action request ("" if absent).
        state: The workflow's `state`, or None when there is no workflow or it did not answer.
        human_queue: Where people take calls (`CALLENGINE_HUMAN_QUEUE`).

    Returns:
        The decision.
    """
    if call_status in FINAL_CALL_STATUSES:
        # The caller is gone; TwiML would have nobody to play to. Tell the workflow (a safety
        # net beside the status callback: the first reason wins).
        return Decision("caller_gone", twiml.empty(), end_reason_for_status(call_status))
    if state is not None and (state.escalated or state.ended_reason == "transferred"):
        # Checked before agent_hangup: a handoff promised to the caller must happen even if
        # the session also reported a hang-up. `transferred` is a safe net if the session
        # closed the stream before signalling the end itself.
        return Decision("transfer", twiml.enqueue(human_queue, twiml.TRANSFER_LINE), "transferred")
    # `max_duration`: the agent said goodbye at the call-length limit (realtime/bounds.py).
    if state is not None and state.ended_reason in ("agent_hangup", "silence", "max_duration"):
        return Decision("hang_up", twiml.hang_up(), None)
    # No workflow, Temporal silent, the stream dropped mid-call, or the replica holding the call
    # died: a person takes over, and the workflow wraps up as a lost stream.
    return Decision("stream_lost", twiml.enqueue(human_queue, twiml.APOLOGY_LINE), "stream_lost")


def on_error(human_queue: str) -> Decision:
    """The decision when deciding itself failed: still the human queue, never an error."""
    return Decision("stream_lost", twiml.enqueue(human_queue, twiml.APOLOGY_LINE), "stream_lost")
