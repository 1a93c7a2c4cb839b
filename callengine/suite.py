"""Running scenarios from the command line: one call, or a suite with a results table.

The summary prints the seed article's result metrics for the suite: share of
calls the AI handled alone, escalation rate and mean handle time.
"""

from __future__ import annotations

import asyncio
import json
import statistics
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from callengine.roles import RoleError
from callengine.scenario import Runner, Scenario, ScenarioError, ScenarioReport, load_scenario

Echo = Callable[[str], None]


def pct(values: list[float], q: float) -> float | None:
    """A percentile by rank (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def scenario_files(path: Path) -> list[Path]:
    """One file, or every *.yaml in a directory, sorted."""
    if path.is_dir():
        return sorted(path.glob("*.yaml"))
    return [path]


async def run_suite(
    runner: Runner, scenarios: list[Scenario], *, concurrency: int, out_dir: Path | None, echo: Echo
) -> list[ScenarioReport]:
    """Run scenarios, `concurrency` at a time; a report per scenario (JSON in `out_dir`)."""
    gate = asyncio.Semaphore(max(1, concurrency))
    # Resetting the sandbox under a concurrent call would pull its data away.
    reset = concurrency <= 1

    async def one(sc: Scenario) -> ScenarioReport:
        async with gate:
            try:
                sc = runner.cast(sc)  # the header names the callers picked from the seed
            except (RoleError, ScenarioError):
                pass  # runner.run reports it as the scenario's failure
            echo(f"\n── {sc.name}: {sc.description}")
            report = await runner.run(sc, wav_dir=out_dir, reset_sandbox=reset)
            verdict = "PASS" if report.passed else "FAIL: " + "; ".join(report.failures)
            echo(f"   → {verdict}  ({report.workflow_url})")
            if out_dir is not None:
                await asyncio.to_thread(
                    _save, out_dir / f"{sc.name}.json", json.dumps(asdict(report), indent=2)
                )
            return report

    return list(await asyncio.gather(*(one(sc) for sc in scenarios)))


def _save(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


def summary_table(reports: list[ScenarioReport]) -> str:
    """Scenario, passed, turns, handle time, voice-to-voice p50/p95; then the seed's metrics."""
    lines = [
        f"{'scenario':<34} {'passed':<6} {'turns':>5} {'handle s':>8} {'v2v p50':>8} {'v2v p95':>8}  outcome"
    ]
    for r in reports:
        p50, p95 = pct(r.latencies, 0.5), pct(r.latencies, 0.95)
        turns = max(0, len(r.turns) - 1)  # a scenario whose role no record fills placed no call
        lines.append(
            f"{r.name:<34} {'yes' if r.passed else 'NO':<6} {turns:>5} {r.handle_time_s:>8.1f} "
            f"{p50 or 0:>8.0f} {p95 or 0:>8.0f}  {r.outcome}"
            + (f" ({r.escalation_reason})" if r.escalated else "")
        )
    everything = [x for r in reports for x in r.latencies]
    handled = [r for r in reports if r.outcome == "resolved" and not r.escalated]
    escalated = [r for r in reports if r.escalated]
    lines += [
        "",
        f"passed: {sum(r.passed for r in reports)}/{len(reports)}",
        f"voice-to-voice across the suite: p50 {pct(everything, 0.5) or 0:.0f} ms, "
        f"p95 {pct(everything, 0.95) or 0:.0f} ms ({len(everything)} turns)",
        f"AI-handled share: {len(handled) / len(reports):.0%} (seed: 78%)   "
        f"escalation rate: {len(escalated) / len(reports):.0%}   "
        f"mean handle time: {statistics.fmean(r.handle_time_s for r in reports):.0f} s (seed: 4 min)   "
        f"estimated cost/call: ${statistics.fmean(r.cost_usd or 0 for r in reports):.3f} "
        "(seed: $0.50 AI-handled, $12 human)",
    ]
    return "\n".join(lines)


STAGE_COLUMNS = [
    ("endpointing_ms", "endpoint"),
    ("stt_ms", "STT"),
    ("brain_first_chunk_ms", "brain"),
    ("tts_first_audio_ms", "TTS"),
    ("tool_ms", "tools"),
    ("temporal_ms", "Temporal"),
    ("voice_to_voice_ms", "voice→voice"),
]


def stage_table(report: ScenarioReport) -> str:
    """Per-turn latency by stage, in ms, as the engine recorded it on the call's workflow."""
    head = f"{'turn':>4} " + " ".join(f"{label:>12}" for _, label in STAGE_COLUMNS)
    rows = [head]
    for i, stages in enumerate(report.stages, 1):
        cells = [f"{stages[key]:>12.0f}" if key in stages else f"{'—':>12}" for key, _ in STAGE_COLUMNS]
        rows.append(f"{i:>4} " + " ".join(cells))
    return "\n".join(rows)


def load_all(paths: list[Path]) -> list[Scenario]:
    """Scenarios from files/directories, validated."""
    return [load_scenario(p) for path in paths for p in scenario_files(path)]
