"""Post-call summary: a few plain lines a human agent reads in five seconds.

Deterministic and offline — built from the workflow's own turn and tool log,
so it never states anything the call did not contain. It is an activity (not
workflow code) so a model-written summary can replace it without touching
the workflow.

The summary leaves the encrypted store (handoff and follow-up tickets, the CRM
note, the whisper to the human), so the caller's words are quoted masked
(`activities/redaction.py`): no number, e-mail address or identity value the
caller said, only the ids the agent found. Tool notes are built from what the
backends returned and stay as they are.
"""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import activity

from activities import redaction


class SummaryTurn(BaseModel):
    """One utterance."""

    speaker: str
    text: str


class SummaryToolCall(BaseModel):
    """One tool call and a short note of its result."""

    name: str
    ok: bool
    note: str = ""


class SummaryInput(BaseModel):
    """Everything the summary may draw on."""

    call_id: str
    customer_id: str | None
    verified: bool
    intent: str | None
    duration_s: int
    turns: list[SummaryTurn]
    tool_calls: list[SummaryToolCall]
    escalation_reason: str | None = None
    ended_reason: str | None = None
    # Ids a backend returned on this call: named in a quote, they stay (see activities/redaction.py).
    found_ids: list[str] = []
    # What the caller gave to identify or verify themselves: masked wherever they are quoted.
    secrets: list[str] = []


class SummaryResult(BaseModel):
    """The summary text."""

    text: str


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@activity.defn(name="summary.summarize")
async def summarize(inp: SummaryInput) -> SummaryResult:
    """Summarise a call from its log."""
    who = inp.customer_id or "an unidentified caller"
    state = "verified" if inp.verified else "not verified"
    lines = [
        f"Call {inp.call_id}: {who} ({state}), {inp.duration_s}s, "
        f"intent {(inp.intent or 'unknown').replace('_', ' ')}."
    ]
    keep = redaction.kept_digits(inp.found_ids)
    asked = [
        redaction.mask(t.text, keep=keep, secrets=inp.secrets)
        for t in inp.turns
        if t.speaker == "caller" and t.text.strip()
    ]
    if asked:
        lines.append(f'Caller said first: "{_clip(asked[0], 160)}"')
        if len(asked) > 1:
            lines.append(f'Caller said last: "{_clip(asked[-1], 160)}"')
    done = [
        f"{c.name}{' (' + c.note + ')' if c.note else ''}{'' if c.ok else ' FAILED'}" for c in inp.tool_calls
    ]
    if done:
        lines.append("Actions: " + _clip("; ".join(done), 600) + ".")
    else:
        lines.append("No lookups or changes were made.")
    if inp.escalation_reason:
        lines.append(f"Escalated to a human: {inp.escalation_reason.replace('_', ' ')}.")
    if inp.ended_reason:
        lines.append(f"Call ended: {inp.ended_reason.replace('_', ' ')}.")
    return SummaryResult(text="\n".join(lines))
