"""Prometheus metrics for the realtime path and the Twilio webhooks.

Everything registers in one module-level `REGISTRY` rather than prometheus_client's global
default: `/metrics` serves exactly these series, and tests can read them without seeing (or
colliding with) metrics other libraries register globally.

Label values are small fixed sets (stage names, tool names, provider roles, endpoint names),
never call SIDs or phone numbers: one series per call would grow without bound and leak data.

Providers instrument themselves (realtime/stt/*, realtime/tts/*, realtime/brain/llm.py): each
counts its own failures in `PROVIDER_ERRORS` and times its own requests in `PROVIDER_SECONDS`.
The failover wrappers count `PROVIDER_FAILOVERS` (the local provider took over) and only those
errors the provider could not have counted itself (an unexpected exception), so one failure is
one error, however many layers see it.
"""

from __future__ import annotations

from typing import Literal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = [
    "ACTIVE_CALLS",
    "BARGE_INS",
    "BOUNDS",
    "CALLS",
    "ESCALATIONS",
    "LATENCY_BUCKETS",
    "PROTOCOL_ERRORS",
    "PROVIDER_ERRORS",
    "PROVIDER_FAILOVERS",
    "PROVIDER_SECONDS",
    "REGISTRY",
    "STAGES",
    "STAGE_SECONDS",
    "TOOL_SECONDS",
    "TURNS",
    "WEBHOOKS",
    "ProviderOp",
    "Role",
    "Stage",
    "observe_provider",
    "observe_stage",
]

REGISTRY = CollectorRegistry()

Stage = Literal[
    "endpointing",
    "stt",
    "brain_first_chunk",
    "tts_first_audio",
    "first_frame",
    "voice_to_voice",
    "greeting",
]
STAGES: tuple[Stage, ...] = (
    "endpointing",
    "stt",
    "brain_first_chunk",
    "tts_first_audio",
    "first_frame",
    "voice_to_voice",
    "greeting",
)

# 10 ms to 5 s, dense where the budget is decided (DESIGN.md: p50 ≤ 700 ms, p95 ≤ 1.2 s;
# 1.6 s fine, 2 s slow, 3 s broken), so those thresholds are bucket edges.
LATENCY_BUCKETS = (
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.15,
    0.2,
    0.3,
    0.4,
    0.5,
    0.6,
    0.7,
    0.85,
    1.0,
    1.2,
    1.6,
    2.0,
    3.0,
    5.0,
)

Role = Literal["stt", "brain", "tts", "phone"]
# What a provider latency sample measures (the `op` label of `PROVIDER_SECONDS`).
ProviderOp = Literal["connect", "finalize", "decode", "first_chunk", "first_audio", "synth"]

ACTIVE_CALLS = Gauge("callengine_active_calls", "Calls with a live media stream.", registry=REGISTRY)
CALLS = Counter("callengine_calls", "Finished calls, by outcome.", ["outcome"], registry=REGISTRY)
TURNS = Counter(
    "callengine_turns",
    "Turns recorded to the call's workflow, by speaker (caller or agent).",
    ["speaker"],
    registry=REGISTRY,
)
STAGE_SECONDS = Histogram(
    "callengine_stage_seconds",
    "Per-turn latency of one stage of the voice pipeline.",
    ["stage"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
TOOL_SECONDS = Histogram(
    "callengine_tool_seconds",
    "Tool call time as the realtime side sees it (Temporal update round trip).",
    ["tool"],
    buckets=(0.005, *LATENCY_BUCKETS),  # local-activity updates are ~10 ms: one finer bucket
    registry=REGISTRY,
)
PROVIDER_ERRORS = Counter(
    "callengine_provider_errors",
    "Failures of an external provider (stt, brain, tts, phone).",
    ["provider", "role"],
    registry=REGISTRY,
)
PROVIDER_SECONDS = Histogram(
    "callengine_provider_seconds",
    "Latency of one provider request, by provider, role and op: connect (handshake), finalize "
    "(Deepgram: Finalize sent to its final result), decode (Whisper: one utterance), first_chunk "
    "(OpenAI: request to first streamed chunk), first_audio (ElevenLabs: sentence sent to first "
    "audio), synth (Piper: one sentence).",
    ["provider", "role", "op"],
    # Handshakes to a slow vendor run to seconds: one bucket past the voice-path range.
    buckets=(0.005, *LATENCY_BUCKETS, 10.0),
    registry=REGISTRY,
)
PROVIDER_FAILOVERS = Counter(
    "callengine_provider_failovers",
    "Times the local provider took over from a failing cloud provider, by the cloud provider and role.",
    ["provider", "role"],
    registry=REGISTRY,
)
ESCALATIONS = Counter(
    "callengine_escalations", "Calls handed to a human, by reason.", ["reason"], registry=REGISTRY
)
BARGE_INS = Counter("callengine_barge_ins", "Agent speech cut off by the caller.", registry=REGISTRY)
PROTOCOL_ERRORS = Counter(
    "callengine_protocol_errors",
    "Frames or requests that broke a wire protocol, by kind.",
    ["kind"],
    registry=REGISTRY,
)
# What a stream's bounds did (realtime/bounds.py): a fixed set of kinds, each a policy in action.
BOUNDS = Counter(
    "callengine_stream_bounds",
    "Inbound or outbound work a stream bound dropped, cut or refused, by kind.",
    ["kind"],
    registry=REGISTRY,
)
WEBHOOKS = Counter(
    "callengine_webhooks",
    "Twilio webhook requests (and media WebSocket upgrades), by endpoint and HTTP status.",
    ["endpoint", "status"],
    registry=REGISTRY,
)

# Known series exist from the start, so a dashboard shows zero rather than "no data".
for _stage in STAGES:
    STAGE_SECONDS.labels(stage=_stage)
for _speaker in ("caller", "agent"):
    TURNS.labels(speaker=_speaker)


def observe_stage(stage: Stage, seconds: float) -> None:
    """Record one stage timing.

    Args:
        stage: One of `STAGES`.
        seconds: The measured duration.
    """
    STAGE_SECONDS.labels(stage=stage).observe(seconds)


def observe_provider(provider: str, role: Role, op: ProviderOp, seconds: float) -> None:
    """Record the latency of one provider request.

    Args:
        provider: The provider's fixed name (`deepgram`, `whisper`, `openai`, `elevenlabs`, `piper`).
        role: What it does for the call.
        op: What was timed (see `PROVIDER_SECONDS`).
        seconds: The measured duration.
    """
    PROVIDER_SECONDS.labels(provider=provider, role=role, op=op).observe(seconds)
