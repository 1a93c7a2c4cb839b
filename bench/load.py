"""Load: many concurrent calls against one API process and one worker, with instant speech.

    .venv/bin/python bench/load.py                      # ramp 10→100 calls, then 100 calls × 5 min
    .venv/bin/python bench/load.py --ramp 10,25 --step-s 30 --calls 25 --duration-s 60   # quicker

Temporal, the sandbox, one `callengine worker` and one API process (`bench/load_server.py`:
the real app and session with bench/instant.py's recognizer and voice) run as separate
processes. This process plays Twilio for every call — signed webhook, signed WebSocket,
20 ms frames paced on one shared clock, marks echoed at playout — and a caller who reads
the agent's words out of its audio and answers like a customer (verify with the billing ZIP,
ask about an order, the balance, the opening hours, again and again, until the call has
lasted its target time, then say goodbye). No speech recognition runs here.

Reports (JSON) per ramp level and for the sustained run: calls completed vs started, calls
left open, duplicate side effects (CRM notes / tickets per call beyond one), engine overhead
per turn (the server's own record: voice-to-voice minus the endpointing wait, on turns with
no tool, i.e. everything the engine adds after the caller's turn ended), tool update time,
caller-side voice-to-voice, API/worker RSS per call, Temporal history events per call, CPU.
Goals (issue 8): all calls complete, 0 duplicates, 0 left open, overhead p95 ≤ 15 ms, RSS
≤ 2 MB per call, ≤ 200 history events for a 5-minute call; and the concurrency at which the
overhead p95 first exceeds 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stack import ROOT, BenchStack, bench_stack, free_port
from bench.instant import Reader, speech
from callengine.calls import Call, new_call_sid
from callengine.settings import DEFAULT_SEED, DEV_TWILIO_AUTH_TOKEN

FRAME_S = 0.02
VERBOSE = bool(os.environ.get("LOAD_VERBOSE"))
SILENCE = b"\xff" * 160
ADMIN = {"Authorization": "Bearer dev-admin-token"}
SEED = json.loads(DEFAULT_SEED.read_text())
# Customers with an order of their own and a caller ID the agent can match.
CUSTOMERS = [
    (c, next(o for o in SEED["orders"] if o["customer_id"] == c["id"]))
    for c in SEED["customers"]
    if any(o["customer_id"] == c["id"] for o in SEED["orders"])
]
REQUESTS = ["Where is my order?", "What's my account balance?", "What are your opening hours?"]


def pct(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(q * len(s)))], 1)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class CallLog:
    sid: str
    started: float
    ended: float | None = None
    turns: int = 0
    v2v_ms: list[float] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)
    error: str | None = None


class FakeLine:
    """Twilio's side of one call: the socket, the outgoing frame queue, the agent's playout."""

    def __init__(self, url: str, customer: dict[str, Any], order: dict[str, Any], target_s: float) -> None:
        self.url = url
        self.customer, self.order, self.target_s = customer, order, target_s
        self.sid = new_call_sid()
        self.stream_sid = "MZ" + os.urandom(16).hex()
        self.log = CallLog(self.sid, time.monotonic())
        self.ws: websockets.ClientConnection | None = None
        self.out: list[bytes] = []  # caller frames still to send
        self.seq = 1
        self.chunk = 0
        self.playout_end = 0.0
        self.pending_marks: list[tuple[float, str]] = []
        self.agent_lines: list[tuple[float, str]] = []  # (when it started playing, text)
        self.last_agent_frame = 0.0
        self.reader = Reader()
        self.confused = 0
        self.line_start = 0.0
        self.spoke_end = 0.0
        self.closed = asyncio.Event()
        self.t0 = time.monotonic()

    # -- Twilio's side

    def _sign(self, url: str, params: dict[str, str]) -> str:
        return str(RequestValidator(DEV_TWILIO_AUTH_TOKEN).compute_signature(url, params))

    async def dial(self, http: httpx.AsyncClient) -> None:
        params = {
            "AccountSid": "AC" + "0" * 32,
            "CallSid": self.sid,
            "CallStatus": "ringing",
            "Direction": "inbound",
            "From": self.customer["phone"],
            "To": "+18005550100",
        }
        url = self.url + "/twilio/voice"
        resp = await http.post(url, data=params, headers={"X-Twilio-Signature": self._sign(url, params)})
        resp.raise_for_status()
        stream = ET.fromstring(resp.text).find("Connect/Stream")
        assert stream is not None, resp.text
        stream_url = stream.get("url", "")
        custom = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
        self.ws = await websockets.connect(
            stream_url, additional_headers={"X-Twilio-Signature": self._sign(stream_url, {})}, max_size=2**20
        )
        self.t0 = time.monotonic()
        await self.ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        start = {
            "accountSid": "AC" + "0" * 32,
            "streamSid": self.stream_sid,
            "callSid": self.sid,
            "tracks": ["inbound"],
            "customParameters": custom,
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        }
        await self.ws.send(
            json.dumps(
                {"event": "start", "sequenceNumber": "1", "streamSid": self.stream_sid, "start": start}
            )
        )

    def now(self) -> float:
        return time.monotonic() - self.t0

    async def tick(self) -> None:
        """One 20 ms frame out, and the marks whose audio has finished playing."""
        if self.ws is None or self.closed.is_set():
            return
        frame = self.out.pop(0) if self.out else SILENCE
        if frame is not SILENCE and not self.out:
            self.spoke_end = self.now()
        self.seq += 1
        self.chunk += 1
        payload = base64.b64encode(frame).decode()
        # Formatted by hand: json.dumps for 5,000 frames a second would load this process.
        msg = (
            f'{{"event":"media","sequenceNumber":"{self.seq}","streamSid":"{self.stream_sid}",'
            f'"media":{{"track":"inbound","chunk":"{self.chunk}","timestamp":"{int(self.now() * 1000)}",'
            f'"payload":"{payload}"}}}}'
        )
        try:
            await self.ws.send(msg)
            now = self.now()
            while self.pending_marks and self.pending_marks[0][0] <= now:
                _, name = self.pending_marks.pop(0)
                self.seq += 1
                await self.ws.send(
                    json.dumps(
                        {
                            "event": "mark",
                            "sequenceNumber": str(self.seq),
                            "streamSid": self.stream_sid,
                            "mark": {"name": name},
                        }
                    )
                )
        except websockets.ConnectionClosed:
            self.closed.set()

    async def listen(self) -> None:
        assert self.ws is not None
        try:
            async for raw in self.ws:
                msg = json.loads(raw)
                event = msg.get("event")
                now = self.now()
                if event == "media":
                    audio = base64.b64decode(msg["media"]["payload"])
                    start = max(now, self.playout_end)
                    if start - self.last_agent_frame > 0.1:  # a gap: the agent's next line
                        self.reader.reset()
                        self.line_start = start
                    for i in range(0, len(audio), 160):
                        text = self.reader.feed(audio[i : i + 160])
                        if text is not None:
                            self.agent_lines.append((self.line_start, text))
                            break
                    self.playout_end = start + len(audio) / 8000
                    self.last_agent_frame = self.playout_end
                elif event == "mark":
                    self.pending_marks.append((max(now, self.playout_end), msg["mark"]["name"]))
                elif event == "clear":
                    self.playout_end = now
                    self.pending_marks = [(now, n) for _, n in self.pending_marks]
        except websockets.ConnectionClosed:
            pass
        except Exception as e:  # a bug here must show, not look like a short call
            self.log.error = f"listen: {type(e).__name__}: {e}"
        finally:
            self.closed.set()

    async def hang_up(self) -> None:
        if self.ws is not None and not self.closed.is_set():
            self.seq += 1
            try:
                await self.ws.send(
                    json.dumps(
                        {
                            "event": "stop",
                            "sequenceNumber": str(self.seq),
                            "streamSid": self.stream_sid,
                            "stop": {"callSid": self.sid},
                        }
                    )
                )
                await self.ws.close()
            except websockets.ConnectionClosed:
                pass
        self.closed.set()

    # -- the caller

    async def agent_done(self, since: float, quiet_s: float = 0.8, timeout_s: float = 30.0) -> list[str]:
        """Wait for the agent's answer to finish playing; the lines it said since `since`."""
        deadline = self.now() + timeout_s
        while self.now() < deadline and not self.closed.is_set():
            if self.playout_end > since and self.now() >= self.playout_end + quiet_s:
                break
            await asyncio.sleep(0.05)
        return [t for at, t in self.agent_lines if at >= since - 0.05]

    def say(self, text: str) -> float:
        self.out.extend(speech(text)[i : i + 160] for i in range(0, len(speech(text)), 160))
        self.log.turns += 1
        return self.now()

    def answer(self, heard: str, elapsed: float, asked: list[str]) -> str | None:
        h = heard.lower()
        if "goodbye" in h:
            return None
        if "didn't quite get" in h or ("sorry" in h and "understand" in h):
            self.confused += 1
            if self.confused > 2:
                return "No, that's all. Thanks, bye."
        if "zip" in h:
            return str(self.customer["zip"])
        if "order number" in h:
            return str(self.order["id"])
        if re.search(r"\bright\?|, right|correct\?", h):
            return "Yes."
        if "anything else" in h or "what else" in h or "how can i help" in h:
            if elapsed < self.target_s:
                nxt = REQUESTS[len(asked) % len(REQUESTS)]
                asked.append(nxt)
                return nxt
            return "No, that's all. Thanks, bye."
        return "Yes."

    async def converse(self) -> None:
        listener = asyncio.create_task(self.listen())
        try:
            lines = await self.agent_done(0.0)
            asked: list[str] = []
            line: str | None = self.answer(" ".join(lines), 0.0, asked)
            while line is not None and not self.closed.is_set():
                self.say(line)
                while self.out and not self.closed.is_set():  # noqa: ASYNC110 — the ticker paces it
                    await asyncio.sleep(0.02)
                spoke_end = self.spoke_end
                lines = await self.agent_done(spoke_end)
                replies = [at for at, _ in self.agent_lines if at >= spoke_end]
                if replies:
                    self.log.v2v_ms.append((replies[0] - spoke_end) * 1000)
                self.log.heard += lines
                if VERBOSE:
                    print(f"{self.sid[-6:]} caller: {line!r} -> agent: {lines}", flush=True)
                if not lines:
                    break
                line = self.answer(lines[-1], time.monotonic() - self.log.started, asked)
                if line is not None:
                    await asyncio.sleep(random.uniform(0.5, 1.5))  # the caller thinks
            await asyncio.wait_for(self.closed.wait(), 15)  # the agent ends the call after goodbye
        except TimeoutError:
            await self.hang_up()
        except Exception as e:
            self.log.error = f"{type(e).__name__}: {e}"
            await self.hang_up()
        finally:
            self.log.ended = time.monotonic()
            listener.cancel()


class Ticker:
    """One clock for every line: each 20 ms, every live call sends its next frame."""

    def __init__(self) -> None:
        self.lines: set[FakeLine] = set()
        self.late_ticks = 0

    async def run(self) -> None:
        n, t0 = 0, time.monotonic()
        while True:
            for line in list(self.lines):
                await line.tick()
            n += 1
            delay = t0 + n * FRAME_S - time.monotonic()
            if delay < -3 * FRAME_S:
                self.late_ticks += 1
                n, t0 = 0, time.monotonic()  # this process stalled: move on, do not burst
                delay = 0
            await asyncio.sleep(max(0.0, delay))


async def one_call(url: str, http: httpx.AsyncClient, ticker: Ticker, i: int, target_s: float) -> CallLog:
    customer, order = CUSTOMERS[i % len(CUSTOMERS)]
    line = FakeLine(url, customer, order, target_s)
    try:
        await line.dial(http)
    except Exception as e:
        line.log.error = f"dial: {type(e).__name__}: {e}"
        return line.log
    ticker.lines.add(line)
    try:
        await line.converse()
    finally:
        ticker.lines.discard(line)
    return line.log


async def phase(url: str, ticker: Ticker, concurrency: int, duration_s: float, first: int) -> list[CallLog]:
    """`concurrency` calls at a time for `duration_s`; each call aims to last the whole phase."""
    logs: list[CallLog] = []
    end = time.monotonic() + duration_s
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=200)) as http:

        async def slot(k: int) -> None:
            n = 0
            await asyncio.sleep(k * min(0.2, 5.0 / concurrency))  # ring in, not all in one instant
            while time.monotonic() < end - 10:
                logs.append(
                    await one_call(url, http, ticker, first + k + n * concurrency, end - time.monotonic())
                )
                n += 1

        await asyncio.gather(*(slot(k) for k in range(concurrency)))
    return logs


async def server_side(stack: BenchStack, logs: list[CallLog]) -> dict[str, Any]:
    """What the workflows recorded: outcomes, per-turn stages, history sizes."""
    overhead, tool_ms, v2v, events, per_min = [], [], [], [], []
    outcomes: dict[str, int] = defaultdict(int)
    open_calls = 0

    async def one(log: CallLog) -> None:
        nonlocal open_calls
        call = Call.attach(stack.client, log.sid)
        try:
            result = await asyncio.wait_for(call.result(), 60)
        except Exception:
            open_calls += 1
            return
        outcomes[result.outcome] += 1
        state = await call.state()
        for t in state.turns:
            lat = t.latency
            if t.speaker != "agent" or lat is None or lat.voice_to_voice_ms is None:
                continue
            v2v.append(lat.voice_to_voice_ms)
            if lat.tool_ms:
                tool_ms.append(lat.tool_ms)
            elif lat.endpointing_ms is not None:
                overhead.append(lat.voice_to_voice_ms - lat.endpointing_ms)
        n = len((await call.handle.fetch_history()).events)
        events.append(n)
        minutes = max(result.duration_s, 1) / 60
        per_min.append(n / minutes)

    sem = asyncio.Semaphore(16)

    async def guarded(log: CallLog) -> None:
        async with sem:
            await one(log)

    await asyncio.gather(*(guarded(log) for log in logs if log.error is None or log.turns))
    return {
        "outcomes": dict(outcomes),
        "left_open": open_calls,
        "engine_overhead_ms": {"p50": pct(overhead, 0.5), "p95": pct(overhead, 0.95), "n": len(overhead)},
        "tool_turn_ms": {"p50": pct(tool_ms, 0.5), "p95": pct(tool_ms, 0.95), "n": len(tool_ms)},
        "server_v2v_ms": {"p50": pct(v2v, 0.5), "p95": pct(v2v, 0.95)},
        "history_events": {"p50": pct(events, 0.5), "max": max(events) if events else None},
        "history_events_per_5_min": round(5 * (sum(per_min) / len(per_min)), 1) if per_min else None,
    }


async def duplicates(stack: BenchStack, logs: list[CallLog]) -> dict[str, int]:
    """CRM notes and tickets that a call made more than once (idempotency keys hold, or not)."""
    sids = {f"call-{log.sid}" for log in logs}
    notes: dict[str, int] = defaultdict(int)
    async with httpx.AsyncClient(base_url=stack.sandbox_url, timeout=30) as http:
        for customer, _ in CUSTOMERS:
            resp = await http.get(
                f"/crm/v1/customers/{customer['id']}/notes", headers={"Authorization": "Bearer dev-crm-token"}
            )
            for note in resp.json().get("notes", []):
                if note.get("call_id") in sids:
                    notes[note["call_id"]] += 1
        auth = base64.b64encode(b"agent@example.com/token:dev-zendesk-token").decode()
        resp = await http.get("/api/v2/tickets.json", headers={"Authorization": f"Basic {auth}"})
        tickets: dict[tuple[str, str], int] = defaultdict(int)
        for t in resp.json().get("tickets", []):
            if t.get("external_id") in sids:
                tickets[(t["external_id"], t["subject"])] += 1
    return {
        "crm_notes_beyond_one": sum(n - 1 for n in notes.values() if n > 1),
        "tickets_beyond_one": sum(n - 1 for n in tickets.values() if n > 1),
    }


def summarize(logs: list[CallLog], concurrency: int) -> dict[str, Any]:
    v2v = [v for log in logs for v in log.v2v_ms]
    return {
        "concurrency": concurrency,
        "calls_started": len(logs),
        "calls_completed": sum(1 for log in logs if log.error is None and log.ended is not None),
        "errors": sorted({log.error for log in logs if log.error})[:5],
        "caller_turns": sum(log.turns for log in logs),
        "caller_side_v2v_ms": {"p50": pct(v2v, 0.5), "p95": pct(v2v, 0.95)},
        "mean_call_s": round(
            sum((log.ended or log.started) - log.started for log in logs) / max(1, len(logs)), 1
        ),
    }


def start_load_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """The API process with instant speech (bench/load_server.py)."""
    return subprocess.Popen(
        [sys.executable, "-m", "bench.load_server", "--port", str(port)], cwd=ROOT, env=env
    )


async def main(args: argparse.Namespace) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    report: dict[str, Any] = {"ramp": [], "sustained": None}
    async with bench_stack() as stack, httpx.AsyncClient() as http:
        env = stack.api_env(port, CALLENGINE_LOG_FORMAT="text")
        api = start_load_server(env, port)
        stack.procs["api"] = api
        await stack.api_ready(url, 60)
        ticker = Ticker()
        tick = asyncio.create_task(ticker.run())
        idle = {"api": rss_mb(api.pid), "worker": rss_mb(stack.procs["worker"].pid)}
        first = 0
        levels = [int(x) for x in args.ramp.split(",") if x] if args.ramp else []
        for level in levels:
            await http.post(f"{stack.sandbox_url}/_admin/reset", headers=ADMIN)
            cpu0 = stack.cpu()
            logs = await phase(url, ticker, level, args.step_s, first)
            first += len(logs)
            row = summarize(logs, level) | await server_side(stack, logs)
            row["cpu_s"] = {k: round(v - cpu0.get(k, 0), 1) for k, v in stack.cpu().items()}
            report["ramp"].append(row)
            print(json.dumps(row), flush=True)
        if args.calls:
            await http.post(f"{stack.sandbox_url}/_admin/reset", headers=ADMIN)
            cpu0 = stack.cpu()
            peak: dict[str, float] = {"api": 0.0, "worker": 0.0}

            async def sample() -> None:
                while True:
                    await asyncio.sleep(5)
                    if len(ticker.lines) >= args.calls * 0.9:
                        peak["api"] = max(peak["api"], rss_mb(api.pid))
                        peak["worker"] = max(peak["worker"], rss_mb(stack.procs["worker"].pid))

            sampler = asyncio.create_task(sample())
            logs = await phase(url, ticker, args.calls, args.duration_s, first)
            sampler.cancel()
            row = summarize(logs, args.calls) | await server_side(stack, logs) | await duplicates(stack, logs)
            row["cpu_s"] = {k: round(v - cpu0.get(k, 0), 1) for k, v in stack.cpu().items()}
            row["rss_mb"] = {"idle": idle, "peak": peak}
            row["rss_per_call_mb"] = {
                k: round((peak[k] - idle[k]) / args.calls, 2) if peak[k] else None for k in ("api", "worker")
            }
            row["late_ticks"] = ticker.late_ticks
            report["sustained"] = row
        tick.cancel()
    over = [r["concurrency"] for r in report["ramp"] if (r["engine_overhead_ms"]["p95"] or 0) > 50]
    report["overhead_p95_over_50ms_at"] = over[0] if over else None
    report["goals"] = {
        "engine_overhead_p95_ms": 15,
        "rss_per_call_mb": 2,
        "history_events_5_min_call": 200,
        "duplicates": 0,
        "left_open": 0,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ramp", default="10,25,50,75,100", help="concurrency levels to step through")
    p.add_argument("--step-s", type=float, default=45, help="seconds per ramp level")
    p.add_argument("--calls", type=int, default=100, help="concurrent calls in the sustained run (0: skip)")
    p.add_argument("--duration-s", type=float, default=300, help="seconds of the sustained run")
    asyncio.run(main(p.parse_args()))
