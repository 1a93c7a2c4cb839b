"""Voice-to-voice latency of real calls on the local stack (Whisper + offline brain + Piper).

Starts Temporal, the sandbox, a worker and the API/realtime server as separate
processes, then dials five calls through the phone simulator (Twilio's
protocol over a real WebSocket, 20 ms frames paced in real time), speaking
with a Piper caller voice, one call at a time, ~28 caller turns in all.

Per turn it reports, from the caller's side, *voice-to-voice*: the caller's
last loud audio frame sent → the agent's first audio frame received; and
from the server's own turn records (stored on the workflow): endpointing,
STT final, brain first chunk, TTS first audio, tool and Temporal time. Plus
the greeting: `start` sent → first agent frame. Prints JSON.

    .venv/bin/python bench/voice.py

Targets (issue 5, 2 cores): voice-to-voice p50 ≤ 700 ms, p95 ≤ 1.2 s; greeting ≤ 1 s.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stack import ROOT, bench_stack, free_port
from callengine import caller_voice as voices
from callengine.calls import Call
from callengine.phone import PhoneCall
from callengine.scenario import last_loud_frame
from callengine.settings import DEV_TWILIO_AUTH_TOKEN

MARIA = "+14155550101"
ZIP = ["nine four one zero three", "Yes."]
CALLS: list[list[str]] = [
    ["Hi, where is my order?", *ZIP, "one zero four eight two", "Yes, that's right.", "No, thank you."],
    ["What's my account balance?", *ZIP, "No, that's all."],
    ["I need to reschedule my installation.", *ZIP, "The first one.", "Yes.", "No, thanks."],
    ["My wifi keeps disconnecting.", "No.", "No.", "Yes, that fixed it.", "No, thank you."],
    ["I want a refund please.", *ZIP, "one zero five six one", "Yes.", "Yes, go ahead.", "No, goodbye."],
]


def start_api(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`callengine serve` as its own process, as in production."""
    return subprocess.Popen(
        [sys.executable, "-m", "callengine", "serve", "--log-level", "warning"], cwd=ROOT, env=env
    )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50_ms": pct(values, 0.5),
        "p95_ms": pct(values, 0.95),
        "mean_ms": round(statistics.fmean(values), 1),
        "max_ms": round(max(values), 1),
    }


async def one_call(url: str, lines: list[str], audio: dict[str, bytes]) -> tuple[str, float, list[float]]:
    phone = PhoneCall(url, DEV_TWILIO_AUTH_TOKEN, caller=MARIA)
    await phone.dial()
    greet_end = await phone.wait_agent_done(since=0, quiet_s=0.6)
    first = next(t for t, _ in phone.rec.agent)
    v2v = []
    for line in lines:
        ulaw = audio[line]
        start = await phone.say(ulaw)
        last_voice = start + last_loud_frame(ulaw) * 0.02 + 0.02
        await phone.wait_agent_done(since=start, quiet_s=0.6)
        replies = [t for t, _ in phone.rec.agent if t > last_voice]
        if replies:
            v2v.append((replies[0] - last_voice) * 1000)
        if phone.closed.is_set():
            break
    del greet_end
    if not phone.closed.is_set():
        await phone.hang_up()
    return phone.call_sid, first * 1000, v2v


async def main() -> None:
    lines = sorted({ln for call in CALLS for ln in call})
    audio = {ln: voices.say(ln, tail_ms=60) for ln in lines}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with bench_stack() as stack, httpx.AsyncClient() as http:
        env = stack.api_env(port, CALLENGINE_BRAIN="offline")
        api = start_api(env)
        stack.procs["api"] = api
        await stack.api_ready(url, 120)
        phone_v2v: list[float] = []
        greetings: list[float] = []
        server: dict[str, list[float]] = {}
        for script in CALLS:
            (
                await http.post(
                    f"{stack.sandbox_url}/_admin/reset", headers={"Authorization": "Bearer dev-admin-token"}
                )
            ).raise_for_status()
            sid, greeting_ms, v2v = await one_call(url, script, audio)
            greetings.append(greeting_ms)
            phone_v2v += v2v
            call = Call.attach(stack.client, sid)
            await asyncio.wait_for(call.result(), 30)
            state = await call.state()
            for turn in state.turns:
                if turn.speaker == "agent" and turn.latency is not None:
                    for stage, value in turn.latency.model_dump(exclude_none=True).items():
                        server.setdefault(stage, []).append(float(value))
        cpu = stack.cpu()
    report: dict[str, Any] = {
        "turns": len(phone_v2v),
        "voice_to_voice_caller_side": stats(phone_v2v),
        "greeting_ms": stats(greetings),
        "server_stages": {k: stats(v) for k, v in sorted(server.items())},
        "targets": {"voice_to_voice_p50_ms": 700, "voice_to_voice_p95_ms": 1200, "greeting_ms": 1000},
        "cpu_s": cpu,
        "machine": {"cpus": os.cpu_count()},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
