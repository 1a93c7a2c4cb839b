"""`callengine report`: the window's numbers, exactly, from real calls on the real dev server."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.client import Client

from callengine.calls import Call, new_call_sid
from callengine.report import (
    CallRecord,
    Report,
    build_report,
    format_table,
    parse_time,
    percentile,
    summarize,
    to_html,
    to_json,
    visibility_query,
)
from tests.conftest import Sandbox, WorkerFactory
from tests.test_cli import run_cli
from workflows import CallResult, CallUsage, TurnLatency
from workflows.call import INTENT

MARIA_PHONE = "+14155550101"


async def start(client: Client, tq: str, inactivity_timeout_s: float = 120.0) -> Call:
    return await Call.start(
        client,
        tq,
        call_sid=new_call_sid(),
        caller_number=MARIA_PHONE,
        called_number="+18005550100",
        inactivity_timeout_s=inactivity_timeout_s,
    )


async def talk(call: Call, intent: str, v2v: list[float | None]) -> None:
    """A caller line, then one agent turn per latency (None: the turn measured no voice-to-voice)."""
    await call.turn("caller", "Hi, I need some help please")
    for ms in v2v:
        await call.turn(
            "agent",
            "Sure, let me look into that.",
            intent=intent,
            confidence=0.9,
            latency=TurnLatency(stt_ms=120.0, voice_to_voice_ms=ms),
        )


async def finished_call(
    client: Client,
    tq: str,
    intent: str,
    v2v: list[float | None],
    *,
    resolved: bool = False,
    cost: float | None = None,
    escalate: str | None = None,
) -> CallResult:
    call = await start(client, tq)
    await talk(call, intent, v2v)
    if escalate is not None:
        assert (await call.tool("escalate", reason=escalate)).ok
    usage = CallUsage(cost_usd=cost) if cost is not None else None
    await call.end("transferred" if escalate else "caller_hangup", resolved=resolved, usage=usage)
    return await call.result()


async def dropped_call(client: Client, tq: str, intent: str, v2v: list[float | None]) -> CallResult:
    call = await start(client, tq, inactivity_timeout_s=1.5)
    await talk(call, intent, v2v)
    return await call.result()  # the realtime side "went away": the workflow wraps up on its own


async def wait_for_intent(call: Call, intent: str) -> None:
    """Until the workflow has upserted the Intent search attribute (it must survive a termination)."""
    for _ in range(100):
        desc = await call.handle.describe()
        if desc.typed_search_attributes.get(INTENT) == intent:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"intent {intent!r} never reached the search attributes")


async def listed_report(
    client: Client, tq: str, since: datetime, *, calls: int, closed: int
) -> tuple[Report, list[CallRecord]]:
    """Visibility is eventually consistent: poll until every call is listed with its final status."""
    query = f"TaskQueue = '{tq}'"
    for _ in range(150):
        report, records = await build_report(
            client, since, datetime.now(UTC) + timedelta(minutes=1), query=query
        )
        if report.calls == calls and report.closed == closed:
            return report, records
        await asyncio.sleep(0.1)
    raise AssertionError(f"visibility lists {report.calls} calls ({report.closed} closed)")


async def test_report_counts_outcomes_escalations_intents_and_latency_exactly(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    client = temporal_client
    since = datetime.now(UTC) - timedelta(seconds=2)
    running: Call | None = None
    try:
        async with worker() as tq:
            results = await asyncio.gather(
                finished_call(client, tq, "order_status", [400, 600], resolved=True, cost=0.02),
                finished_call(client, tq, "account", [800], cost=0.04),  # hung up unresolved: ticketed
                finished_call(client, tq, "refund", [1000], cost=0.06, escalate="caller_request"),
                finished_call(client, tq, "order_status", [None], escalate="negative_sentiment"),
                dropped_call(client, tq, "troubleshooting", [1200]),
            )
            # A call whose workflow was terminated: counted under its status, its intent from visibility.
            killed = await start(client, tq)
            await talk(killed, "reschedule", [50])
            await wait_for_intent(killed, "reschedule")
            await killed.handle.terminate("test: stuck call")
            # A call still going: in progress, in no share.
            running = await start(client, tq)
            await talk(running, "account", [60])
            report, records = await listed_report(client, tq, since, calls=7, closed=6)
    finally:
        if running is not None:
            await running.handle.terminate("test over")

    assert [r.outcome for r in results] == ["resolved", "ticketed", "escalated", "escalated", "dropped"]
    assert (report.calls, report.in_progress, report.closed, report.completed) == (7, 1, 6, 5)
    assert report.abnormal == {"terminated": 1}
    assert report.outcomes == {"resolved": 1, "ticketed": 1, "escalated": 2, "dropped": 1, "abandoned": 0}
    assert report.ai_handled == 2 and report.ai_handled_share == 2 / 6
    assert report.escalated == 2 and report.escalation_rate == 2 / 6
    assert report.escalation_reasons == {"caller_request": 1, "negative_sentiment": 1}
    assert report.intents == {
        "order_status": 2,
        "account": 1,
        "refund": 1,
        "reschedule": 1,
        "troubleshooting": 1,
    }
    # Only the completed calls' agent turns that measured it; not the terminated or running call's.
    assert sorted(report.voice_to_voice_ms) == [400, 600, 800, 1000, 1200]
    assert (report.voice_to_voice_p50_ms, report.voice_to_voice_p95_ms) == (800, 1200)
    assert report.costed == 3 and report.cost_per_call_usd == pytest.approx(0.04)
    assert report.ai_handled_costed == 2 and report.cost_per_ai_handled_call_usd == pytest.approx(0.03)
    durations = [r.duration_s for r in results]
    assert sorted(report.handle_times_s) == sorted(durations)
    assert report.handle_time_mean_s == pytest.approx(sum(durations) / 5)
    assert report.handle_time_p95_s == max(durations)
    assert {r.status for r in records} == {"completed", "terminated", "running"}

    data = to_json(report)
    assert data["ai_handled"] == {"calls": 2, "share": 0.3333}
    assert data["escalation"]["by_reason"]["caller_request"] == {"calls": 1, "rate": 0.1667}
    assert data["outcomes"]["escalated"] == {"calls": 2, "share": 0.3333}
    assert data["abnormal"] == {"terminated": {"calls": 1, "share": 0.1667}}
    assert data["voice_to_voice_ms"] == {"turns": 5, "p50": 800, "p95": 1200}
    text = format_table(report)
    assert "Calls: 7 (6 closed: 5 completed, 1 terminated; 1 in progress)" in text
    assert "AI-handled = " in text


async def test_cli_report_json_html_table_and_empty_window(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox, tmp_path: Path
) -> None:
    client = temporal_client
    since = datetime.now(UTC) - timedelta(seconds=2)
    async with worker() as tq:
        await asyncio.gather(
            finished_call(client, tq, "order_status", [500], resolved=True, cost=0.01),
            finished_call(client, tq, "account", [700], escalate="caller_request"),
        )
    await listed_report(client, tq, since, calls=2, closed=2)

    env = {"TEMPORAL_ADDRESS": client.service_client.config.target_host}
    until = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    window = ["--since", since.isoformat(), "--until", until, "--query", f"TaskQueue = '{tq}'"]
    page = tmp_path / "report.html"
    code, out, err = await run_cli("report", *window, "--json", "--html", str(page), env=env)
    assert code == 0, err
    data = json.loads(out)
    assert (data["calls"], data["closed"], data["completed"], data["in_progress"]) == (2, 2, 2, 0)
    assert data["ai_handled"] == {"calls": 1, "share": 0.5}
    assert data["escalation"]["rate"] == 0.5
    assert data["escalation"]["by_reason"] == {"caller_request": {"calls": 1, "rate": 0.5}}
    assert data["intents"] == {
        "account": {"calls": 1, "share": 0.5},
        "order_status": {"calls": 1, "share": 0.5},
    }
    assert data["outcomes"]["resolved"]["calls"] == data["outcomes"]["escalated"]["calls"] == 1
    assert data["cost_usd"]["per_call"] == 0.01 and data["cost_usd"]["calls_with_cost"] == 1
    assert data["voice_to_voice_ms"] == {"turns": 2, "p50": 500, "p95": 700}
    assert data["seed"]["ai_handled_share"] == {"before": 0.0, "after": 0.78}
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and '<img alt="Outcomes" src="data:image/png;base64,' in html
    assert 'src="http' not in html and "<link" not in html  # self-contained: nothing to fetch

    code, out, err = await run_cli("report", *window, env=env)
    assert code == 0, err
    headline = next(ln for ln in out.splitlines() if ln.startswith("AI-handled share"))
    assert headline.split() == ["AI-handled", "share", "50.0%", "0%", "78%"]
    assert "Cost per call" in out and "$12" in out and "8 min" in out
    assert "caller_request" in out

    empty = ["--since", "2001-01-01T00:00:00+00:00", "--until", "2001-01-02T00:00:00+00:00"]
    code, out, err = await run_cli("report", *empty, "--query", f"TaskQueue = '{tq}'", env=env)
    assert code == 0, err
    assert out.strip() == "no calls between 2001-01-01 00:00:00 UTC and 2001-01-02 00:00:00 UTC"
    code, out, err = await run_cli("report", *empty, "--json", env=env)
    assert code == 0 and json.loads(out)["calls"] == 0

    code, _, err = await run_cli("report", "--since", "yesterday-ish", env=env)
    assert code == 2 and "yesterday-ish" in err
    code, _, err = await run_cli("report", "--query", "NoSuchThing = 'x'", env=env)
    assert code == 2 and "refused" in err


async def test_cli_report_without_temporal_says_what_to_do() -> None:
    code, _, err = await run_cli("report", env={"TEMPORAL_ADDRESS": "127.0.0.1:1"})
    assert code == 1 and "callengine up" in err


# ------------------------------------------------------------- pure functions

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def record(status: str, **result: object) -> CallRecord:
    base: dict[str, object] = {
        "call_sid": "CA" + "0" * 32,
        "outcome": "resolved",
        "customer_id": None,
        "verified": False,
        "intent": "order_status",
        "escalated": False,
        "escalation_reason": None,
        "ticket_ids": [],
        "summary": "",
        "duration_s": 60,
        "turns": 2,
        "tool_calls": 0,
    }
    res = CallResult.model_validate({**base, **result}) if status == "completed" else None
    return CallRecord(workflow_id="call-x", status=status, started_at=NOW, result=res)


def test_window_bounds_and_query() -> None:
    assert parse_time("24h", NOW) == NOW - timedelta(hours=24)
    assert parse_time("7d", NOW) == NOW - timedelta(days=7)
    assert parse_time("90m", NOW) == NOW - timedelta(minutes=90)
    assert parse_time("2026-11-19T08:30:00Z", NOW) == datetime(2026, 11, 19, 8, 30, tzinfo=UTC)
    assert parse_time("2026-11-19T08:30", NOW).tzinfo is not None  # local time, made explicit
    with pytest.raises(ValueError, match="not a duration"):
        parse_time("last week", NOW)
    q = visibility_query(NOW - timedelta(hours=1), NOW, "TaskQueue = 'calls'")
    assert q == (
        "WorkflowType = 'CallWorkflow' AND StartTime >= '2026-11-20T11:00:00.000000Z' "
        "AND StartTime < '2026-11-20T12:00:00.000000Z' AND (TaskQueue = 'calls')"
    )


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.0
    assert percentile([float(x) for x in range(1, 101)], 0.95) == 95.0


def test_unreadable_and_failed_calls_count_as_closed_but_not_ai_handled() -> None:
    records = [
        record("completed", outcome="resolved"),
        record("completed", outcome="ticketed", intent=None),
        record("completed", outcome="abandoned", intent=None),
        record("failed"),
        record("unreadable"),
        record("running"),
    ]
    report = summarize(records, NOW - timedelta(days=1), NOW)
    assert (report.calls, report.closed, report.completed, report.in_progress) == (6, 5, 3, 1)
    assert report.abnormal == {"failed": 1, "unreadable": 1}
    assert report.ai_handled == 2 and report.ai_handled_share == 2 / 5
    assert report.intents == {"unknown": 4, "order_status": 1}
    assert report.cost_per_call_usd is None and "n/a" in format_table(report)


def test_empty_window_renders_gracefully() -> None:
    report = summarize([], NOW - timedelta(days=1), NOW)
    assert format_table(report) == "no calls between 2026-11-19 12:00:00 UTC and 2026-11-20 12:00:00 UTC"
    data = to_json(report)
    assert data["calls"] == 0 and data["ai_handled"]["share"] is None
    assert "no calls between" in to_html(report)
