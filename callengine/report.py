"""`callengine report`: the seed article's result metrics for the calls of a time window.

The numbers come from Temporal alone, so they describe what really happened
on every call, not what a separate log says:

- **Which calls.** Visibility lists every `CallWorkflow` that *started* in the
  window `[since, until)`. Counting by start time puts each call in exactly
  one window, so consecutive reports never count a call twice, and a call
  still open when the report runs shows as "in progress".
- **What happened on each.** A completed call's `CallResult` and its agent
  turns' latencies are read from the workflow's history: the result from the
  completion event, voice-to-voice from the `turn` signals (that is where the
  realtime side reports each turn's timings; `CallResult` does not carry them,
  and the `state` query only answers while a worker still has the call). One
  history read per call gives both, with no workflow change and no worker
  needed, for calls of any age still within retention.
- **Calls that did not complete** (failed, terminated, timed out, cancelled)
  have no result: they are counted and shown under their status, never
  dropped, and a history that cannot be read or decoded shows as
  "unreadable" rather than stopping the report.

Definitions (also printed with the report):

- *Closed calls* are every call that is no longer running; every share below
  is of closed calls, so the outcome rows (including failed/terminated ones)
  add up to 100%.
- *AI-handled* calls ended `resolved` or `ticketed` without an escalation to
  a person: the agent answered, or it took the details and opened the
  follow-up ticket itself, as the seed's agent does ("If you cannot resolve
  the issue, create a ticket"). Escalated, dropped, abandoned and failed calls
  are not AI-handled.
- *Handle time* is the completed call's `duration_s` (call start to wrap-up).
- *Cost* is the estimated usage cost of the AI stack (`usage.cost_usd`:
  telephony, speech, LLM), averaged over the completed calls that reported
  usage; it excludes the human time an escalated call costs afterwards, so its
  counterpart in the seed is the $0.50 per AI-handled call, not the blended $5.
- *Voice-to-voice* percentiles (nearest rank) are over every agent turn of the
  completed calls that measured it.
"""

from __future__ import annotations

import asyncio
import base64
import html
import io
import json
import math
import re
import statistics
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from callengine.settings import Settings
from workflows.call import INTENT
from workflows.types import CallResult, Outcome, TurnSignal

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "AI_HANDLED_DEFINITION",
    "SEED",
    "CallRecord",
    "Report",
    "build_report",
    "empty_message",
    "fetch_calls",
    "format_table",
    "headline_rows",
    "parse_time",
    "percentile",
    "run",
    "summarize",
    "to_html",
    "to_json",
    "visibility_query",
]

WORKFLOW_TYPE = "CallWorkflow"
OUTCOMES: tuple[str, ...] = get_args(Outcome)
AI_HANDLED_OUTCOMES = frozenset({"resolved", "ticketed"})
# Statuses of a call with no CallResult to read (besides "running").
UNREADABLE = "unreadable"
NO_INTENT = "unknown"  # the call ended before the brain named an intent

AI_HANDLED_DEFINITION = (
    "AI-handled = closed calls that ended resolved or ticketed without escalation to a person "
    "(the agent answered, or took the details and opened the follow-up ticket itself)"
)
COST_NOTE = (
    "cost = estimated AI-stack usage cost per call (telephony, speech, LLM; usage.cost_usd), "
    "excluding the human time an escalated call costs; compare with the seed's $0.50 per AI-handled call"
)

# The seed article's results table ("After 3 months of deployment") and its
# economics section's cost of a call the AI handles alone.
SEED: dict[str, dict[str, float | None]] = {
    "cost_per_call_usd": {"before": 12.0, "after": 5.0},
    "cost_per_ai_handled_call_usd": {"before": None, "after": 0.50},
    "mean_handle_time_s": {"before": 8 * 60.0, "after": 4 * 60.0},
    "ai_handled_share": {"before": 0.0, "after": 0.78},
}

# Histories are read a few at a time: enough to hide round trips, few enough
# not to crowd a frontend that is also serving live calls.
HISTORY_CONCURRENCY = 8


# ------------------------------------------------------------------ window


_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_time(text: str, now: datetime) -> datetime:
    """Read a window bound: a duration before `now` (`90m`, `24h`, `7d`) or an ISO 8601 time.

    Args:
        text: What the user typed. An ISO time without an offset is local time,
            since that is what a person at a terminal means.
        now: The reference for relative durations (timezone-aware).

    Returns:
        A timezone-aware datetime.

    Raises:
        ValueError: The text is neither form.
    """
    m = _RELATIVE.match(text)
    if m:
        return now - timedelta(seconds=float(m.group(1)) * _UNIT_SECONDS[m.group(2)])
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is not a duration (like 90m, 24h, 7d) or an ISO 8601 time (like 2026-11-20T09:00)"
        ) from None
    return when if when.tzinfo is not None else when.astimezone()


def _rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def visibility_query(since: datetime, until: datetime, extra: str | None = None) -> str:
    """The visibility query for the calls that started in `[since, until)`.

    Args:
        since: Start of the window (inclusive).
        until: End of the window (exclusive).
        extra: Another visibility filter ANDed in (e.g. `TaskQueue = 'calls'`).

    Returns:
        A Temporal list-filter string.
    """
    query = (
        f"WorkflowType = '{WORKFLOW_TYPE}' AND StartTime >= '{_rfc3339(since)}' "
        f"AND StartTime < '{_rfc3339(until)}'"
    )
    return f"{query} AND ({extra})" if extra else query


# ----------------------------------------------------------------- fetching


@dataclass(frozen=True)
class CallRecord:
    """One call of the window, as read from Temporal.

    Attributes:
        workflow_id: `call-<CallSid>`.
        status: `running`, `completed`, `failed`, `terminated`, `timed_out`,
            `canceled`, `continued_as_new`, or `unreadable` (completed, but its
            history could not be read or decoded).
        started_at: When the workflow started.
        result: The call's result (completed calls only).
        voice_to_voice_ms: Voice-to-voice of each agent turn that measured it.
        intent: The `Intent` search attribute, for calls without a result.
        error: Why a call is `unreadable`.
    """

    workflow_id: str
    status: str
    started_at: datetime
    result: CallResult | None = None
    voice_to_voice_ms: tuple[float, ...] = ()
    intent: str | None = None
    error: str | None = None

    @property
    def call_intent(self) -> str | None:
        """The intent: from the result when there is one, else from visibility."""
        return self.result.intent if self.result is not None else self.intent


async def fetch_calls(
    client: Client,
    since: datetime,
    until: datetime,
    *,
    query: str | None = None,
    concurrency: int = HISTORY_CONCURRENCY,
) -> list[CallRecord]:
    """Every call that started in `[since, until)`, with the results of the completed ones.

    Args:
        client: A client from `callengine.temporal.connect` (its data converter,
            codec included, decodes the histories).
        since: Start of the window (inclusive).
        until: End of the window (exclusive).
        query: An extra visibility filter ANDed in.
        concurrency: Histories read at once.

    Returns:
        One record per workflow run, in visibility's order.

    Raises:
        RPCError: Visibility refused the query or is unreachable.
    """
    executions = [e async for e in client.list_workflows(visibility_query(since, until, query))]
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(execution: WorkflowExecution) -> CallRecord:
        async with gate:
            return await _read_call(client, execution)

    return list(await asyncio.gather(*(one(e) for e in executions)))


async def _read_call(client: Client, execution: WorkflowExecution) -> CallRecord:
    """A record for one listed execution; reads the history only of completed ones."""
    status = execution.status
    base = CallRecord(
        workflow_id=execution.id,
        status=status.name.lower() if status is not None else "unknown",
        started_at=execution.start_time,
        intent=execution.typed_search_attributes.get(INTENT),
    )
    if status is not WorkflowExecutionStatus.COMPLETED:
        return base
    try:
        result, latencies = await _read_history(client, execution)
    except Exception as e:
        # Anything can go wrong with one old history (retention deleted it
        # since the listing, a payload written by another version, a codec key
        # rotated away); the report shows that call as unreadable and goes on.
        return replace(base, status=UNREADABLE, error=f"{type(e).__name__}: {e}")
    return replace(base, result=result, voice_to_voice_ms=latencies)


async def _read_history(client: Client, execution: WorkflowExecution) -> tuple[CallResult, tuple[float, ...]]:
    """The call's result and its agent turns' voice-to-voice, from one pass over its history."""
    handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
    turn_payloads = []
    result_payloads = None
    async for event in handle.fetch_history_events():
        if event.HasField("workflow_execution_signaled_event_attributes"):
            signaled = event.workflow_execution_signaled_event_attributes
            if signaled.signal_name == "turn" and signaled.input.payloads:
                turn_payloads.append(signaled.input.payloads[0])
        elif event.HasField("workflow_execution_completed_event_attributes"):
            result_payloads = event.workflow_execution_completed_event_attributes.result.payloads
    if not result_payloads:
        raise ValueError("the history has no result")
    # The execution's converter carries the workflow's serialization context,
    # so a codec that keys on it decodes exactly as `handle.result()` would.
    converter = execution.data_converter
    [result] = await converter.decode(result_payloads[:1], [CallResult])
    turns = await converter.decode(turn_payloads, [TurnSignal] * len(turn_payloads)) if turn_payloads else []
    latencies = tuple(
        float(t.latency.voice_to_voice_ms)
        for t in turns
        if t.speaker == "agent" and t.latency is not None and t.latency.voice_to_voice_ms is not None
    )
    return result, latencies


# -------------------------------------------------------------- computation


def percentile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `q` of the values at or below it.

    Args:
        values: The sample (any order).
        q: The fraction, 0 < q ≤ 1 (0.5 for p50, 0.95 for p95).

    Returns:
        A value of the sample, or None for an empty sample.
    """
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _mean(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


@dataclass(frozen=True)
class Report:
    """The result metrics of the calls that started in a window.

    Counts are of calls; every share is of `closed` calls (see the module
    docstring for the definitions).

    Attributes:
        since: Start of the window (inclusive).
        until: End of the window (exclusive).
        calls: All calls that started in the window.
        in_progress: Calls still running.
        closed: Calls no longer running (`completed` + every `abnormal` one).
        completed: Closed calls with a result.
        abnormal: Closed calls without a result, by status (failed, terminated,
            timed_out, canceled, unreadable …).
        outcomes: Completed calls by outcome (every outcome present, 0 if none).
        ai_handled: Closed calls that ended resolved or ticketed without escalation.
        ai_handled_costed: AI-handled calls that reported their usage cost.
        escalated: Completed calls handed to a person.
        escalation_reasons: Escalated calls by reason, most frequent first.
        intents: Closed calls by intent, most frequent first (`unknown` if
            the call ended before an intent was named).
        costed: Completed calls that reported their usage cost.
        cost_per_call_usd: Mean `usage.cost_usd` of the costed calls.
        cost_per_ai_handled_call_usd: The same over the costed AI-handled calls.
        handle_times_s: `duration_s` of every completed call.
        voice_to_voice_ms: Voice-to-voice of every measured agent turn of the completed calls.
    """

    since: datetime
    until: datetime
    calls: int = 0
    in_progress: int = 0
    closed: int = 0
    completed: int = 0
    abnormal: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    ai_handled: int = 0
    ai_handled_costed: int = 0
    escalated: int = 0
    escalation_reasons: dict[str, int] = field(default_factory=dict)
    intents: dict[str, int] = field(default_factory=dict)
    costed: int = 0
    cost_per_call_usd: float | None = None
    cost_per_ai_handled_call_usd: float | None = None
    handle_times_s: tuple[int, ...] = ()
    voice_to_voice_ms: tuple[float, ...] = ()

    @property
    def ai_handled_share(self) -> float | None:
        """AI-handled calls as a fraction of closed calls (None without closed calls)."""
        return _share(self.ai_handled, self.closed)

    @property
    def escalation_rate(self) -> float | None:
        """Escalated calls as a fraction of closed calls."""
        return _share(self.escalated, self.closed)

    @property
    def handle_time_mean_s(self) -> float | None:
        """Mean handle time of the completed calls, seconds."""
        return _mean(self.handle_times_s)

    @property
    def handle_time_p95_s(self) -> float | None:
        """95th percentile handle time of the completed calls, seconds."""
        return percentile(self.handle_times_s, 0.95)

    @property
    def voice_to_voice_p50_ms(self) -> float | None:
        """Median voice-to-voice over the agent turns, milliseconds."""
        return percentile(self.voice_to_voice_ms, 0.5)

    @property
    def voice_to_voice_p95_ms(self) -> float | None:
        """95th percentile voice-to-voice over the agent turns, milliseconds."""
        return percentile(self.voice_to_voice_ms, 0.95)

    def share(self, calls: int) -> float | None:
        """`calls` as a fraction of the closed calls."""
        return _share(calls, self.closed)


def _is_ai_handled(result: CallResult) -> bool:
    return result.outcome in AI_HANDLED_OUTCOMES and not result.escalated


def _most_first(counter: Counter[str]) -> dict[str, int]:
    # Ties by name, so the same calls always print in the same order.
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def summarize(records: Iterable[CallRecord], since: datetime, until: datetime) -> Report:
    """Compute the report's numbers from the calls' records (no I/O).

    Args:
        records: The calls of the window, as `fetch_calls` returns them.
        since: Start of the window.
        until: End of the window.

    Returns:
        The report.
    """
    records = list(records)
    closed = [r for r in records if r.status != "running"]
    results = [r.result for r in closed if r.result is not None]
    handled = [r for r in results if _is_ai_handled(r)]
    costs = [r.usage.cost_usd for r in results if r.usage is not None]
    handled_costs = [r.usage.cost_usd for r in handled if r.usage is not None]
    escalated = [r for r in results if r.escalated]
    return Report(
        since=since,
        until=until,
        calls=len(records),
        in_progress=len(records) - len(closed),
        closed=len(closed),
        completed=len(results),
        abnormal=_most_first(Counter(r.status for r in closed if r.result is None)),
        outcomes={o: sum(1 for r in results if r.outcome == o) for o in OUTCOMES},
        ai_handled=len(handled),
        ai_handled_costed=len(handled_costs),
        escalated=len(escalated),
        escalation_reasons=_most_first(Counter(r.escalation_reason or "unspecified" for r in escalated)),
        intents=_most_first(Counter(r.call_intent or NO_INTENT for r in closed)),
        costed=len(costs),
        cost_per_call_usd=_mean(costs),
        cost_per_ai_handled_call_usd=_mean(handled_costs),
        handle_times_s=tuple(r.duration_s for r in results),
        voice_to_voice_ms=tuple(x for r in closed for x in r.voice_to_voice_ms),
    )


async def build_report(
    client: Client, since: datetime, until: datetime, *, query: str | None = None
) -> tuple[Report, list[CallRecord]]:
    """Fetch the window's calls and compute the report.

    Args:
        client: A connected client (`callengine.temporal.connect`).
        since: Start of the window (inclusive).
        until: End of the window (exclusive).
        query: An extra visibility filter ANDed in.

    Returns:
        The report and the records it was computed from.
    """
    records = await fetch_calls(client, since, until, query=query)
    return summarize(records, since, until), records


# ---------------------------------------------------------------- rendering


def _when(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.1f}%"


def _usd(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"${x:.2f}" if x >= 1 else f"${x:.4f}"


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    # The seed speaks in minutes; a short test call reads better in seconds.
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.1f} s"


def _ms(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0f} ms"


def _seed(key: str, which: str, fmt: Callable[[float | None], str]) -> str:
    value = SEED[key][which]
    return "—" if value is None else fmt(value)


def _seed_minutes(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds / 60:g} min"


def _seed_pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:g}%"


def _seed_usd(x: float | None) -> str:
    return "n/a" if x is None else f"${x:.2f}".replace(".00", "")


def headline_rows(report: Report) -> list[tuple[str, str, str, str]]:
    """The metrics of the seed's results table: (metric, this window, seed before, seed after).

    Args:
        report: The report.

    Returns:
        One row per metric the seed article reports.
    """
    rows: list[tuple[str, Callable[[Report], str], str, Callable[[float | None], str]]] = [
        ("AI-handled share", lambda r: _pct(r.ai_handled_share), "ai_handled_share", _seed_pct),
        ("Mean handle time", lambda r: _minutes(r.handle_time_mean_s), "mean_handle_time_s", _seed_minutes),
        ("Cost per call", lambda r: _usd(r.cost_per_call_usd), "cost_per_call_usd", _seed_usd),
        (
            "Cost per AI-handled call",
            lambda r: _usd(r.cost_per_ai_handled_call_usd),
            "cost_per_ai_handled_call_usd",
            _seed_usd,
        ),
    ]
    return [
        (label, ours(report), _seed(key, "before", fmt), _seed(key, "after", fmt))
        for label, ours, key, fmt in rows
    ]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Aligned text columns: the first left-aligned, the rest right-aligned."""
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        rest = "  ".join(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return f"{cells[0].ljust(widths[0])}  {rest}".rstrip()

    return [line(headers), "-" * len(line(headers)), *(line(r) for r in rows)]


def _count_rows(report: Report, counts: dict[str, int]) -> list[tuple[str, str, str]]:
    return [(name, str(n), _pct(report.share(n))) for name, n in counts.items()]


def empty_message(report: Report) -> str:
    """The one line an empty window gets."""
    return f"no calls between {_when(report.since)} and {_when(report.until)}"


def _calls_line(report: Report) -> str:
    parts = [f"{report.completed} completed"]
    parts += [f"{n} {status}" for status, n in report.abnormal.items()]
    closed = f"{report.closed} closed: {', '.join(parts)}"
    return f"Calls: {report.calls} ({closed}; {report.in_progress} in progress)"


def format_table(report: Report) -> str:
    """The report as readable text, headline metrics next to the seed article's.

    Args:
        report: The report.

    Returns:
        The text (an empty window gets one line saying so).
    """
    if report.calls == 0:
        return empty_message(report)
    out = [f"Calls started {_when(report.since)} … {_when(report.until)}", _calls_line(report), ""]
    out += _table(("Result metric", "this window", "seed before", "seed after"), headline_rows(report))
    out += [
        "",
        f"Escalation rate: {_pct(report.escalation_rate)} "
        f"({report.escalated} of {report.closed} closed calls)",
    ]
    out += [
        f"  {reason:<22} {n:>5}  {_pct(report.share(n)):>6}"
        for reason, n in report.escalation_reasons.items()
    ]
    out += [
        f"Handle time: mean {_minutes(report.handle_time_mean_s)}, p95 {_minutes(report.handle_time_p95_s)} "
        f"({report.completed} completed calls)",
        f"Voice-to-voice: p50 {_ms(report.voice_to_voice_p50_ms)}, p95 {_ms(report.voice_to_voice_p95_ms)} "
        f"({len(report.voice_to_voice_ms)} agent turns)",
        f"Cost reported by {report.costed} of {report.completed} completed calls "
        f"({report.ai_handled_costed} of {report.ai_handled} AI-handled)",
        "",
    ]
    outcome_rows = _count_rows(report, report.outcomes) + _count_rows(report, report.abnormal)
    out += _table(("Outcome", "calls", "share"), outcome_rows)
    out.append("")
    out += _table(("Intent", "calls", "share"), _count_rows(report, report.intents))
    notes = (
        f"Shares are of closed calls. {AI_HANDLED_DEFINITION}.",
        f"{COST_NOTE[0].upper()}{COST_NOTE[1:]}.",
    )
    out += ["", *(textwrap.fill(n, width=100, subsequent_indent="  ") for n in notes)]
    return "\n".join(out)


def _round(x: float | None, digits: int) -> float | None:
    return None if x is None else round(x, digits)


def _counts_json(report: Report, counts: dict[str, int]) -> dict[str, dict[str, Any]]:
    return {k: {"calls": n, "share": _round(report.share(n), 4)} for k, n in counts.items()}


def to_json(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready dict, the same numbers as the table.

    Shares are fractions (0–1) of `closed` calls; null where there is nothing
    to compute from (no closed calls, no cost reported, no latency measured).

    Args:
        report: The report.

    Returns:
        A dict with `since`, `until`, `calls`, `in_progress`, `closed`,
        `completed`, `abnormal`, `outcomes`, `ai_handled`, `escalation`,
        `intents`, `handle_time_s`, `cost_usd`, `voice_to_voice_ms`, `seed`
        and `definitions`.
    """
    return {
        "since": report.since.astimezone(UTC).isoformat(),
        "until": report.until.astimezone(UTC).isoformat(),
        "calls": report.calls,
        "in_progress": report.in_progress,
        "closed": report.closed,
        "completed": report.completed,
        "abnormal": _counts_json(report, report.abnormal),
        "outcomes": _counts_json(report, report.outcomes),
        "ai_handled": {"calls": report.ai_handled, "share": _round(report.ai_handled_share, 4)},
        "escalation": {
            "calls": report.escalated,
            "rate": _round(report.escalation_rate, 4),
            "by_reason": {
                k: {"calls": n, "rate": _round(report.share(n), 4)}
                for k, n in report.escalation_reasons.items()
            },
        },
        "intents": _counts_json(report, report.intents),
        "handle_time_s": {
            "calls": report.completed,
            "mean": _round(report.handle_time_mean_s, 1),
            "p95": report.handle_time_p95_s,
        },
        "cost_usd": {
            "per_call": _round(report.cost_per_call_usd, 5),
            "per_ai_handled_call": _round(report.cost_per_ai_handled_call_usd, 5),
            "calls_with_cost": report.costed,
            "ai_handled_calls_with_cost": report.ai_handled_costed,
        },
        "voice_to_voice_ms": {
            "turns": len(report.voice_to_voice_ms),
            "p50": report.voice_to_voice_p50_ms,
            "p95": report.voice_to_voice_p95_ms,
        },
        "seed": SEED,
        "definitions": {
            "shares": "fractions of closed calls (no longer running)",
            "ai_handled": AI_HANDLED_DEFINITION,
            "cost": COST_NOTE,
            "window": "calls whose workflow started in [since, until)",
            "percentiles": "nearest rank",
        },
    }


# -------------------------------------------------------------------- HTML


_BLUE, _GREY, _RED = "#2b6cb0", "#a0aec0", "#c53030"


def _png(draw: Callable[[Axes], None], size: tuple[float, float] = (7.0, 3.4)) -> str:
    """Draw one chart and return it as a base64 data URI."""
    # A Figure, not pyplot: no global state to leak between charts.
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=100, layout="constrained")
    draw(fig.add_subplot())
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _bars(title: str, counts: dict[str, int], total: int) -> Callable[[Axes], None]:
    def draw(ax: Axes) -> None:
        names = list(reversed(counts))  # barh draws bottom-up: keep the largest on top
        values = [counts[n] / total * 100 if total else 0.0 for n in names]
        bars = ax.barh(names, values, color=_BLUE)
        ax.bar_label(bars, labels=[f"{counts[n]} ({v:.0f}%)" for n, v in zip(names, values, strict=True)])
        ax.set_xlabel("% of closed calls")
        ax.set_xlim(0, max([*values, 1.0]) * 1.25)
        ax.set_title(title)

    return draw


def _seed_panels(report: Report) -> Callable[[Axes], None]:
    """Seed before / seed after / this window for each headline metric."""

    def draw(ax: Axes) -> None:
        from matplotlib.patches import Patch

        metrics = [
            ("AI-handled share", report.ai_handled_share, "ai_handled_share", _pct, _seed_pct),
            ("Mean handle time", report.handle_time_mean_s, "mean_handle_time_s", _minutes, _seed_minutes),
            ("Cost per call", report.cost_per_call_usd, "cost_per_call_usd", _usd, _seed_usd),
        ]
        width = 0.27
        for i, (label, ours, key, fmt, seed_fmt) in enumerate(metrics):
            before, after = SEED[key]["before"], SEED[key]["after"]
            bars = ((before, _GREY, seed_fmt), (after, _RED, seed_fmt), (ours, _BLUE, fmt))
            # Three units on one chart: each metric's bars are scaled to its largest value.
            scale = max(v for v in (before, after, ours, 1e-9) if v is not None)
            for j, (value, colour, text) in enumerate(bars):
                x = i + (j - 1) * width
                height = 0.0 if value is None else value / scale
                ax.bar(x, height, width, color=colour)
                ax.text(x, height + 0.02, text(value), ha="center", fontsize=7)
            ax.text(i, -0.12, label, ha="center", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_ylim(-0.18, 1.2)
        legend = ((_GREY, "seed before"), (_RED, "seed after"), (_BLUE, "this window"))
        ax.legend(handles=[Patch(color=c, label=n) for c, n in legend], loc="upper right", fontsize=8)
        ax.set_title("The seed article's results next to this window")

    return draw


def _latency_histogram(report: Report) -> Callable[[Axes], None]:
    def draw(ax: Axes) -> None:
        ax.hist(report.voice_to_voice_ms, bins=30, color=_BLUE, edgecolor="white")
        top = ax.get_ylim()[1] * 1.15  # headroom for the percentile labels
        ax.set_ylim(0, top)
        for q, value in (("p50", report.voice_to_voice_p50_ms), ("p95", report.voice_to_voice_p95_ms)):
            if value is not None:
                ax.axvline(value, color=_RED, linestyle="--")
                ax.text(value, top * 0.95, f" {q} {value:.0f} ms", color=_RED, fontsize=8, va="top")
        ax.set_xlabel("voice-to-voice, ms (caller's last word → agent's first audio)")
        ax.set_ylabel("agent turns")
        ax.set_title("Voice-to-voice latency")

    return draw


def _charts(report: Report) -> list[tuple[str, str]]:
    """(caption, data URI) for each chart the report has data for."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on servers or CI
    charts = [("Seed comparison", _png(_seed_panels(report)))]
    outcomes = {k: n for k, n in {**report.outcomes, **report.abnormal}.items() if n}
    charts.append(("Outcomes", _png(_bars("Outcomes", outcomes, report.closed))))
    charts.append(("Intent mix", _png(_bars("Intent mix", report.intents, report.closed))))
    if report.escalation_reasons:
        charts.append(
            ("Escalations", _png(_bars("Escalations by reason", report.escalation_reasons, report.closed)))
        )
    if report.voice_to_voice_ms:
        charts.append(("Voice-to-voice", _png(_latency_histogram(report))))
    return charts


def _html_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;max-width:980px;margin:2em auto;color:#1a202c}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0}th,td{padding:.25em .8em;border-bottom:1px solid #e2e8f0}
th{text-align:left;background:#f7fafc}td:not(:first-child){text-align:right}
img{max-width:100%;display:block;margin:1em 0}.note{color:#4a5568;font-size:.9em}
"""


def to_html(report: Report) -> str:
    """A self-contained page (inline CSS, charts as data URIs) to share the report.

    Args:
        report: The report.

    Returns:
        The HTML document.
    """
    title = f"callengine report: {_when(report.since)} … {_when(report.until)}"
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if report.calls == 0:
        parts.append(f"<p>{html.escape(empty_message(report))}.</p>")
    else:
        parts += [
            f"<p>{html.escape(_calls_line(report))}</p>",
            _html_table(("Result metric", "this window", "seed before", "seed after"), headline_rows(report)),
            "<h2>Escalation, handle time, latency</h2>",
            _html_table(
                ("Metric", "value"),
                [
                    ("Escalation rate", f"{_pct(report.escalation_rate)} ({report.escalated} calls)"),
                    *(
                        (f"  escalated: {k}", f"{n} ({_pct(report.share(n))})")
                        for k, n in report.escalation_reasons.items()
                    ),
                    ("Handle time, mean", _minutes(report.handle_time_mean_s)),
                    ("Handle time, p95", _minutes(report.handle_time_p95_s)),
                    ("Voice-to-voice p50", _ms(report.voice_to_voice_p50_ms)),
                    ("Voice-to-voice p95", _ms(report.voice_to_voice_p95_ms)),
                    ("Agent turns measured", str(len(report.voice_to_voice_ms))),
                ],
            ),
            "<h2>Outcomes and intents</h2>",
            _html_table(
                ("Outcome", "calls", "share"),
                _count_rows(report, report.outcomes) + _count_rows(report, report.abnormal),
            ),
            _html_table(("Intent", "calls", "share"), _count_rows(report, report.intents)),
            "<h2>Charts</h2>",
            *(f'<img alt="{html.escape(c)}" src="{uri}">' for c, uri in _charts(report)),
            f'<p class="note">Shares are of closed calls. {html.escape(AI_HANDLED_DEFINITION)}. '
            f"{html.escape(COST_NOTE)}. Calls are those whose workflow started in the window.</p>",
        ]
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_CSS}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


# ----------------------------------------------------------------- command


def _err(text: str) -> None:
    print(text, file=sys.stderr)


async def run(
    settings: Settings,
    since: str,
    until: str | None,
    query: str | None,
    json_out: bool,
    html_out: Path | None,
) -> int:
    """`callengine report`: fetch, compute and print; the exit code.

    Args:
        settings: Where Temporal is.
        since: Window start as typed (`24h`, `7d`, ISO).
        until: Window end as typed, or None for now.
        query: An extra visibility filter ANDed in.
        json_out: Print JSON instead of the table.
        html_out: Also write a self-contained HTML page here.

    Returns:
        0 on success (an empty window included), 1 if Temporal cannot be
        reached or read, 2 for a bad window, query or output path.
    """
    from callengine.codec import CodecConfigError
    from callengine.temporal import connect

    now = datetime.now(UTC)
    try:
        start = parse_time(since, now)
        end = parse_time(until, now) if until else now
    except ValueError as e:
        _err(f"error: {e}")
        return 2
    if start >= end:
        _err(f"error: the window is empty: --since {_when(start)} is not before --until {_when(end)}")
        return 2
    try:
        client = await connect(settings)
    except CodecConfigError as e:
        # Also a RuntimeError, but no stack to start would fix it: the keys are missing.
        _err(f"error: cannot read call histories: {e}")
        return 1
    except RuntimeError as e:
        _err(
            f"error: Temporal is not reachable at {settings.temporal_address} ({e}); "
            "start the stack with `callengine up`"
        )
        return 1
    try:
        report, records = await build_report(client, start, end, query=query)
    except RPCError as e:
        _err(f"error: Temporal refused the listing: {e.message}")
        return 2 if e.status == RPCStatusCode.INVALID_ARGUMENT else 1
    for r in records:
        if r.status == UNREADABLE:
            _err(f"warning: {r.workflow_id}: history unreadable, counted as {UNREADABLE} ({r.error})")
    print(json.dumps(to_json(report), indent=2) if json_out else format_table(report))
    if html_out is not None:
        try:
            # Off the event loop: rendering the charts takes a while, and the
            # loop still owns the Temporal client.
            page = await asyncio.to_thread(to_html, report)
            await asyncio.to_thread(html_out.write_text, page, encoding="utf-8")
        except OSError as e:
            _err(f"error: cannot write {html_out}: {e.strerror or e}")
            return 2
        _err(f"HTML report: {html_out}")
    return 0
