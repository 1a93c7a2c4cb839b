"""`callengine replay`: check that today's workflow code can still run a call's history.

Ops use it before deploying a workflow change (replay recent calls: a non-determinism error
means calls in flight would fail their next task) and when a call is stuck on a failing
workflow task (replay shows the error locally, with the code's traceback). The history comes
from Temporal (`call-<CallSid>` or a Call SID) or from a file saved with
`temporal workflow show -w call-… -o json`; payloads are decoded with the process's codec keys.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from callengine.calls import workflow_id
from callengine.settings import Settings
from callengine.temporal import DATA_CONVERTER, connect
from workflows import CallWorkflow


def _from_file(target: str) -> WorkflowHistory | None:
    path = Path(target)
    if path.suffix != ".json":
        return None
    return WorkflowHistory.from_json(path.stem, path.read_text())  # a missing file: OSError


async def load(target: str, settings: Settings) -> WorkflowHistory:
    """A history from a JSON file, or fetched from Temporal by workflow id or Call SID."""
    saved = _from_file(target)
    if saved is not None:
        return saved
    wf_id = target if target.startswith("call-") else workflow_id(target)
    client = await connect(settings)
    return await client.get_workflow_handle(wf_id).fetch_history()


async def run(targets: list[str], settings: Settings) -> int:
    """Replay each history; print one line per call. Exit 0 only if all replay cleanly."""
    replayer = Replayer(workflows=[CallWorkflow], data_converter=DATA_CONVERTER)
    failed = 0
    for target in targets:
        try:
            history = await load(target, settings)
        except (ValueError, OSError, json.JSONDecodeError) as e:
            print(f"✗ {target}: cannot read the history: {e}", file=sys.stderr)
            failed += 1
            continue
        except Exception as e:  # Temporal unreachable, no such workflow
            print(f"✗ {target}: cannot fetch the history: {type(e).__name__}: {e}", file=sys.stderr)
            failed += 1
            continue
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        if result.replay_failure is None:
            print(f"✓ {history.workflow_id}: {len(history.events)} events replay with this code")
        else:
            failed += 1
            print(f"✗ {history.workflow_id}: {result.replay_failure!r}")
    return 1 if failed else 0
