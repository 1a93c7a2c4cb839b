"""A subset of the voice scenario suite, run for real in `make test`.

Each scenario is a whole phone call: the simulated caller (Piper voice over the
Twilio protocol) answers what the agent is heard to say (Whisper on the
agent's audio), and the call is judged on the workflow and the backends. The
full suite is `callengine call --suite sandbox/scenarios` (README).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from callengine.scenario import Runner, load_scenario
from tests.conftest import Engine

SCENARIOS = Path(__file__).resolve().parent.parent / "sandbox" / "scenarios"
SUBSET = ["order-status"]


def report_size(path: str) -> int:
    return Path(path).stat().st_size


def test_every_scenario_file_is_valid() -> None:
    files = sorted(SCENARIOS.glob("*.yaml"))
    assert files
    for path in files:
        assert load_scenario(path).name == path.stem


@pytest.mark.parametrize("name", SUBSET)
async def test_scenario(engine: Engine, name: str, tmp_path: Path) -> None:
    runner = Runner(engine.settings, engine.handler.services.client, engine.stt, out=lambda _: None)
    report = await runner.run(load_scenario(SCENARIOS / f"{name}.yaml"), wav_dir=tmp_path)
    assert report.passed, report.failures
    assert report.wav and report_size(report.wav) > 8000
    assert all(t.latency_ms is not None for t in report.turns[1:])
