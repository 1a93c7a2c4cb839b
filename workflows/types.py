"""The CallWorkflow's inputs, messages and results.

One model in and one model out for every handler, so fields can be added
without breaking the histories of calls already running.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.validation import BackendId

Speaker = Literal["caller", "agent"]

# Why a call went to a person. The brain may give these (the seed's triggers first)…
BrainEscalationReason = Literal[
    "caller_request",
    "low_confidence",
    "negative_sentiment",
    "repeated_failure",
    "identity_failure",
    "backend_outage",
    "other",
]
# …and the system adds its own when the call itself breaks.
EscalationReason = Literal[BrainEscalationReason, "stream_lost"]

# Audit notes of an identifier the caller said (ops and a brain taking over a call read them; the
# brain's tool result never carries them): whether it matched, and that the ZIP and a second
# factor come next either way.
NOTE_MATCH_TWO_FACTORS = "match (ZIP and second factor)"
NOTE_NO_MATCH_TWO_FACTORS = "no match (ZIP and second factor)"

# How a call ended, for ops and `callengine report`.
Outcome = Literal["resolved", "ticketed", "escalated", "dropped", "abandoned"]


class CallInput(BaseModel):
    """Who called whom, and when. Numbers are E.164 as Twilio sends them."""

    call_sid: str
    caller_number: str
    called_number: str
    started_at: datetime
    # No signal, update or turn for this long means the realtime side is gone.
    inactivity_timeout_s: float = 120.0
    human_queue: str = "support"


class ToolRequest(BaseModel):
    """A tool call from the brain: a registered tool name and its JSON arguments."""

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    # Turns not yet recorded (the caller's request that led to this tool): recorded first, so a
    # turn followed by a tool costs the history one update instead of a signal and an update.
    turns: list[TurnSignal] = Field(default_factory=list)


class ToolResult(BaseModel):
    """What the brain may speak from. `ok=False` carries a code and a safe message."""

    tool: str
    ok: bool
    data: dict[str, Any] = Field(default_factory=dict)
    error_code: str | None = None
    message: str | None = None


class TurnLatency(BaseModel):
    """Stage timings of one agent turn, milliseconds (None where a stage did not run)."""

    endpointing_ms: float | None = None
    stt_ms: float | None = None
    brain_first_chunk_ms: float | None = None
    tts_first_audio_ms: float | None = None
    tool_ms: float | None = None
    temporal_ms: float | None = None
    voice_to_voice_ms: float | None = None


class TurnSignal(BaseModel):
    """One utterance. The agent's turns carry the brain's intent and confidence."""

    speaker: Speaker
    text: str
    source: Literal["speech", "dtmf", "text"] = "speech"
    interrupted: bool = False
    intent: str | None = None
    confidence: float | None = None
    latency: TurnLatency | None = None
    # The sender's running number for its turns: a turn re-sent after a lost acknowledgement
    # (seq not above the last one recorded) is ignored, so a retry never records it twice.
    seq: int | None = None


class TurnBatch(BaseModel):
    """Several turns in one signal: one workflow task per exchange instead of one per utterance.

    Keypad entries travel as turns with `source="dtmf"`.
    """

    turns: list[TurnSignal]


class DtmfSignal(BaseModel):
    """Keypad digits the caller pressed."""

    digits: str


class CallUsage(BaseModel):
    """What a call consumed, for its cost estimate (measured on the realtime side)."""

    phone_seconds: float = 0.0
    stt_seconds: float = 0.0
    llm_prompt_tokens: int = 0
    llm_completion_tokens: int = 0
    tts_characters: int = 0
    providers: dict[str, str] = Field(default_factory=dict)  # role -> provider name
    cost_usd: float = 0.0  # priced with the price table of the process that measured it


# What the workflow does to the phone call itself over Twilio's REST API when the agent ends it.
PhoneAction = Literal["hang_up", "transfer"]


class EndedSignal(BaseModel):
    """The call is over (hang-up by either side, transfer done, stream gone)."""

    reason: str = "caller_hangup"
    resolved: bool = False
    usage: CallUsage | None = None
    # Set when the realtime side uses Twilio REST: the workflow hangs up or transfers the live
    # call (durably, retried, idempotent). None: closing the stream lets `/twilio/fallback` route.
    phone_action: PhoneAction | None = None


class TurnRecord(BaseModel):
    """A turn as stored in the call's state."""

    index: int
    at: datetime
    speaker: Speaker
    text: str
    source: str
    interrupted: bool = False
    latency: TurnLatency | None = None


class ToolCallRecord(BaseModel):
    """One tool call in the audit log."""

    step: int
    at: datetime
    name: str
    arguments: dict[str, Any]
    ok: bool
    error_code: str | None = None
    note: str = ""
    duration_ms: float = 0.0


class CallState(BaseModel):
    """The `state` query: the truth of the call so far."""

    call_sid: str
    caller: str  # masked: "•••", no digits (see workflows/call.py mask_number)
    started_at: datetime
    customer_id: str | None = None
    verified: bool = False
    intent: str | None = None
    confidence: float | None = None
    turns: list[TurnRecord] = Field(default_factory=list)
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    ticket_ids: list[BackendId] = Field(default_factory=list)  # opaque help-desk ids
    escalated: bool = False
    escalation_reason: str | None = None
    ended: bool = False
    ended_reason: str | None = None
    outcome: Outcome | None = None
    usage: CallUsage | None = None
    latencies: dict[str, dict[str, float]] = Field(default_factory=dict)
    # What Twilio REST did to the call: transferred, already_transferred, hung_up, caller_gone, failed.
    phone: str | None = None


class CallResult(BaseModel):
    """What a finished call leaves behind."""

    call_sid: str
    outcome: Outcome
    customer_id: str | None
    verified: bool
    intent: str | None
    escalated: bool
    escalation_reason: str | None
    ticket_ids: list[BackendId]  # opaque; calls recorded with integer ids decode as their digits
    summary: str
    duration_s: int
    turns: int
    tool_calls: int
    usage: CallUsage | None = None


ToolRequest.model_rebuild()  # `turns` names TurnSignal, defined after it
