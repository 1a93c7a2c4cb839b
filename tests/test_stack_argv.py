"""No secret on a command line: every process `callengine up` starts, read as `ps` shows it.

A command line is readable by every user of the machine (`/proc/<pid>/cmdline`). The stack is
started for real — Temporal dev server, sandbox, worker, API — on free ports, with a secret in
every variable that holds one, and each process's command line (and its children's) is searched
for all of them. The dev server still gets the codec endpoint: its Web UI settings say so.
"""

from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path

import httpx
import pytest

from callengine.devserver import DevServerConfig
from callengine.settings import Settings
from callengine.stack import Stack
from tests import TEST_CODEC_KEYS, TEST_CODEC_TOKEN
from tests.conftest import free_port


def _descendants(roots: set[int]) -> set[int]:
    """The processes under `roots` (the dev server, say, may start helpers), roots included."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The command name (field 2) may hold spaces: the ppid follows the last ')'.
                parent[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found = set(roots)
    grew = True
    while grew:
        more = {pid for pid, ppid in parent.items() if ppid in found} - found
        found |= more
        grew = bool(more)
    return found


def _cmdline(pid: int) -> str:
    try:
        return (
            (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


@pytest.mark.timeout(300)
async def test_no_secret_is_on_the_command_line_of_any_process_the_stack_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    api_port, sandbox_port = free_port(), free_port()
    config = dataclasses.replace(
        DevServerConfig.load(),
        port=free_port(),
        ui_port=free_port(),
        http_port=free_port(),
        metrics_port=free_port(),
        db_filename="",
    )
    secret_vars = {
        name: secrets.token_urlsafe(24)
        for name in (
            "TWILIO_AUTH_TOKEN",
            "CALLENGINE_STREAM_TOKEN_SECRET",
            "SHOPIFY_ACCESS_TOKEN",
            "ZENDESK_API_TOKEN",
            "CRM_API_TOKEN",
            "SCHEDULING_API_TOKEN",
            "SANDBOX_ADMIN_TOKEN",
        )
    }
    env = {
        **secret_vars,
        "TEMPORAL_ADDRESS": config.address,
        "CALLENGINE_API_PORT": str(api_port),
        "CALLENGINE_SANDBOX_PORT": str(sandbox_port),
        "CALLENGINE_TASK_QUEUE": f"calls-argv-{secrets.token_hex(4)}",
        "TWILIO_API_BASE_URL": f"http://127.0.0.1:{sandbox_port}",  # never api.twilio.com
        "CALLENGINE_BRAIN": "offline",
        "CALLENGINE_STT": "whisper",
        "CALLENGINE_TTS": "piper",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    keys = [entry.split(":", 1)[1] for entry in TEST_CODEC_KEYS.split(",")]
    watched = [*secret_vars.values(), TEST_CODEC_TOKEN, *keys]

    stack = Stack(Settings.from_env(), config, progress=lambda _: None)
    stack.ui_settings_path = tmp_path / "keys" / "temporal-ui.yaml"
    try:
        await stack.start()
        names = {child.proc.pid: child.name for child in stack.children}
        assert sorted(names.values()) == ["api", "sandbox", "temporal", "worker"]
        pids = _descendants(set(names))
        lines = {pid: _cmdline(pid) for pid in pids}
        leaks = {pid: lines[pid] for pid in pids if any(secret in lines[pid] for secret in watched)}
        assert not leaks, leaks
        # The Web UI still decodes calls: the dev server read the endpoint from the 0600 file.
        assert stack.ui_settings_path.stat().st_mode & 0o777 == 0o600
        async with httpx.AsyncClient() as http:
            ui = (await http.get(f"{config.ui_url}/api/v1/settings", timeout=5)).json()
        assert ui["Codec"]["Endpoint"] == f"http://127.0.0.1:{api_port}/codec/t/{TEST_CODEC_TOKEN}"
    finally:
        stack.stop()
