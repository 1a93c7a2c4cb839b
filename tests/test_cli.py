"""The `callengine` commands as a user runs them: real processes, real workflow."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from temporalio.client import Client

from callengine.calls import Call, new_call_sid
from tests.conftest import Sandbox, WorkerFactory

ROOT = Path(__file__).resolve().parent.parent


async def run_cli(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "callengine",
        *args,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(stdin.encode()), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_chat_is_scriptable_through_the_real_workflow(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    async with worker() as tq:
        env = {
            "TEMPORAL_ADDRESS": temporal_client.service_client.config.target_host,
            "CALLENGINE_TASK_QUEUE": tq,
        }
        code, out, err = await run_cli(
            "chat", "--brain", "offline", stdin="what's my balance\n9 4 1 0 3\nyes\nno thanks\n", env=env
        )
    assert code == 0, err
    lines = out.splitlines()
    assert all(ln.startswith("agent: ") for ln in lines), out
    assert lines[0] == "agent: Thanks for calling. How can I help you today?"
    assert any("42 dollars and 50 cents" in ln for ln in lines)
    assert lines[-1] == "agent: Thanks for calling. Goodbye."
    assert "outcome resolved" in err and "/workflows/call-CA" in err


async def test_chat_without_temporal_says_what_to_do() -> None:
    code, _, err = await run_cli("chat", stdin="hi\n", env={"TEMPORAL_ADDRESS": "127.0.0.1:1"})
    assert code == 1 and "callengine up" in err


async def test_chat_rejects_an_unknown_brain() -> None:
    code, _, err = await run_cli("chat", "--brain", "gpt-9000", stdin="")
    assert code == 2 and "unknown brain" in err


async def test_analyze_prints_the_intent_mix(tmp_path: Path) -> None:
    png = tmp_path / "mix.png"
    code, out, err = await run_cli("analyze", str(ROOT / "sandbox" / "transcripts.jsonl"), "--plot", str(png))
    assert code == 0, err
    assert "order_status" in out and "Top five intents cover" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, _ = await run_cli("analyze", str(ROOT / "sandbox" / "transcripts.jsonl"), "--json")
    assert code == 0 and json.loads(out)["total"] == 400
    code, _, err = await run_cli("analyze", str(tmp_path / "missing.jsonl"))
    assert code == 2 and "missing.jsonl" in err


async def test_replay_checks_a_live_call_and_saved_histories(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    env = {"TEMPORAL_ADDRESS": temporal_client.service_client.config.target_host}
    async with worker() as tq:
        call = await Call.start(
            temporal_client,
            tq,
            call_sid=new_call_sid(),
            caller_number="+14155550101",
            called_number="+18005550100",
        )
        await call.turn("caller", "What are your opening hours?")
        await call.end()
        await call.result()
    code, out, err = await run_cli(
        "replay",
        call.workflow_id,
        "tests/histories/lost_stream.json",
        "tests/histories/dropped.json",
        env=env,
    )
    assert code == 0, out + err
    assert out.count("✓") == 3 and call.workflow_id in out
    code, out, err = await run_cli("replay", "CAnot-a-sid", env=env)
    assert code == 1 and "Call SID" in err
