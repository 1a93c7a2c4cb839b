"""Replay committed histories of real calls against today's CallWorkflow.

If a change to the workflow code would make a running call fail on its next
task (non-determinism), this test fails. Histories are recorded by
`python -m tests.record_history`; re-record only when a change is meant to be
incompatible (and then version it with `workflow.patched`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from callengine.temporal import DATA_CONVERTER
from workflows import CallWorkflow

HISTORIES = {p.stem: p.read_text() for p in sorted((Path(__file__).parent / "histories").glob("*.json"))}


def test_histories_are_committed() -> None:
    assert set(HISTORIES) >= {"verified_refund_ticket", "escalated", "dropped", "second_factor"}


@pytest.mark.parametrize("name", sorted(HISTORIES))
async def test_replay(name: str) -> None:
    history = WorkflowHistory.from_json(f"call-{name}", HISTORIES[name])
    replayer = Replayer(workflows=[CallWorkflow], data_converter=DATA_CONVERTER)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
