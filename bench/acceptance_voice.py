"""Held-out acceptance over real voice calls: three voices, line noise, Twilio's protocol.

    .venv/bin/python bench/acceptance_voice.py                  # 36 held-out calls, 12 per voice
    .venv/bin/python bench/acceptance_voice.py --set dev --calls 3   # does the harness work?
    .venv/bin/python bench/acceptance_voice.py --calls 30 --shapes legacy --json
    .venv/bin/python bench/acceptance_voice.py --set pets_e --calls 30 --only 3,9 --dump /tmp/calls.jsonl

Needs the `bench` extra (`pip install -e '.[bench]'`: hibari-tts, espeakng-loader)
besides `speech` and `piper`. The sets are those of `bench/acceptance.py` (`heldout`,
the default and the number that counts; `tune`; `dev`), each its business's seed with
its own phrasing bank. Starts Temporal, the sandbox (with the set's seed),
a worker and `callengine serve` (offline brain, Whisper, Piper) as processes, then
dials each call with `callengine.phone` exactly as Twilio does: 20 ms μ-law frames
in real time, marks, keypad as `dtmf`. The caller is the same population as the
text benchmark (`bench.callers`, the set's bank) speaking through one of
`bench.voices` with white line noise at 30, 20 or 15 dB SNR; it understands the
agent by transcribing the agent's audio with Whisper, as a person hears it.
Each call is judged like a text conversation (`bench.judges`), on the agent's
words as the workflow recorded them. Prints success overall and per voice.

Target (issue 13): ≥ 90 % on ≥ 30 held-out voice calls.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._stack import BenchStack, bench_stack, free_port  # noqa: E402
from bench.acceptance import ADMIN, SETS, SeedRefused, excerpt, load_set  # noqa: E402
from bench.callers import Caller, Case, Population  # noqa: E402
from bench.hearing import hear  # noqa: E402
from bench.judges import Judge, Transcript  # noqa: E402
from bench.voice import start_api  # noqa: E402
from bench.voices import VOICES  # noqa: E402
from callengine import caller_voice  # noqa: E402
from callengine.calls import Call  # noqa: E402
from callengine.phone import PhoneCall  # noqa: E402
from callengine.scenario import PATIENCE_S, split_on_pauses  # noqa: E402
from callengine.settings import DEV_TWILIO_AUTH_TOKEN  # noqa: E402
from realtime.stt.whisper import WhisperStt  # noqa: E402

SNR_DB = (30.0, 20.0, 15.0)
MAX_TURNS = 16


class Ear:
    """The caller's hearing: Whisper over the agent's audio, one model shared by all calls."""

    def __init__(self) -> None:
        self.stt = WhisperStt(cpu_threads=1)
        self.lock = asyncio.Lock()

    async def hear(self, ulaw: bytes) -> str:
        async with self.lock:
            return await asyncio.to_thread(
                lambda: " ".join(self.stt.transcribe_ulaw(p).text for p in split_on_pauses(ulaw)).strip()
            )


async def voice_call(
    url: str, stack: BenchStack, judge: Judge, ear: Ear, case: Case, voice: str, snr: float
) -> dict[str, Any]:
    speak = VOICES[voice]
    caller = Caller(case, random.Random(case.n * 7919 + 1))
    heard = Transcript()
    refund = case.goal.order if case.goal.intent == "refund" else None
    before = len(await judge.refunds(refund["id"])) if refund is not None else 0
    phone = PhoneCall(url, DEV_TWILIO_AUTH_TOKEN, caller=case.caller_number)
    await phone.dial()
    end = await phone.wait_agent_done(since=0)
    heard.agent.append([await ear.hear(phone.agent_audio_between(0, end + 0.1))])
    line = caller.opening()
    for turn in range(MAX_TURNS):
        heard.caller.append(line)
        if line.startswith("dtmf:"):
            spoke_at = phone._now()
            await phone.press(line.removeprefix("dtmf:"))
        else:
            audio = await asyncio.to_thread(speak, line)
            audio = caller_voice.add_line_noise(audio + caller_voice.noise(80, -70), snr, seed=case.n + turn)
            spoke_at = await phone.say(audio)
        end = await phone.wait_agent_done(since=spoke_at, quiet_s=0.8)
        text = await ear.hear(phone.agent_audio_between(spoke_at, end + 0.1))
        # A person who heard only "Thanks." and a pause waits for the rest before answering:
        # a busy engine pauses between sentences (as the scenario runner's caller does).
        while hear(text).act == "unknown" and not phone.closed.is_set():
            more = await phone.wait_agent_done(since=end + 0.05, quiet_s=0.8, timeout_s=PATIENCE_S)
            if more <= end:
                break
            end = more
            text = await ear.hear(phone.agent_audio_between(spoke_at, end + 0.1))
        heard.agent.append([text])
        if phone.closed.is_set():
            break
        line = caller.reply(heard.agent[-1][0])
        if not line:
            break
    if not phone.closed.is_set():
        await phone.hang_up()
    call = Call.attach(stack.client, phone.call_sid)
    result = await asyncio.wait_for(call.result(), 60)
    state = await call.state()
    # Judged on what the agent said (the workflow's record), not on what Whisper made of it.
    said = Transcript(
        agent=[[t.text] for t in state.turns if t.speaker == "agent"],
        caller=heard.caller,
        escalation=result.escalation_reason,
        tickets=len(result.ticket_ids),
        before_refunds=before,
        acts=caller.acts,
    )
    ok, why = await judge.judge(case, said)
    return {
        "case": case.n,
        "voice": voice,
        "snr_db": snr,
        "intent": case.goal.intent,
        "style": case.style,
        "ok": ok,
        "why": why,
        "escalation": result.escalation_reason,
        "heard": excerpt(heard, 200),
        # The workflow's record, caller and agent: what the judge read (and Whisper's slips by contrast).
        "recorded": [f"{t.speaker}: {t.text}" for t in state.turns],
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    seed, profile = load_set(args.set, args.shapes)
    population = Population(seed, profile.articles, SETS[args.set][2])
    cases = population.cases(args.calls, random.Random(args.seed))
    voices = list(VOICES)
    plan = [
        (c, voices[i % len(voices)], SNR_DB[(i // len(voices)) % len(SNR_DB)]) for i, c in enumerate(cases)
    ]
    if args.only:  # the same calls again (same voice, noise and phrasing): for reading one failure
        plan = [p for p in plan if p[0].n in args.only]
    for name in voices:  # load each synthesizer before the clock starts
        await asyncio.to_thread(VOICES[name], "Hello.")
    ear = Ear()
    results: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        seed_file = Path(tmp) / "seed.json"
        seed_file.write_text(json.dumps(seed))
        os.environ["CALLENGINE_SEED"] = str(seed_file)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        async with bench_stack() as stack, httpx.AsyncClient(timeout=30) as http:
            stack.procs["api"] = start_api(stack.api_env(port, CALLENGINE_BRAIN="offline"))
            await stack.api_ready(url, 180)
            judge = Judge(http, stack.sandbox_url, seed)
            for i in range(0, len(plan), args.concurrency):
                batch = plan[i : i + args.concurrency]
                if len({c.customer["id"] for c, _, _ in batch}) < len(batch):
                    batch_runs = [[b] for b in batch]  # same customer twice: one at a time
                else:
                    batch_runs = [batch]
                for group in batch_runs:
                    (await http.post(f"{stack.sandbox_url}/_admin/reset", headers=ADMIN)).raise_for_status()
                    results += await asyncio.gather(
                        *(voice_call(url, stack, judge, ear, c, v, snr) for c, v, snr in group)
                    )
                print(f"  {len(results)}/{len(plan)} ok={sum(r['ok'] for r in results)}", file=sys.stderr)
    per: dict[str, dict[str, list[bool]]] = {k: defaultdict(list) for k in ("voice", "intent", "style")}
    for r in results:
        for k, groups in per.items():
            groups[r[k]].append(r["ok"])
    if args.dump is not None:
        with args.dump.open("w", encoding="utf-8") as f:
            for r in results:
                f.write(json.dumps(r) + "\n")
    return {
        "set": args.set,
        "shapes": args.shapes,
        "calls": len(results),
        "success": round(sum(r["ok"] for r in results) / len(results), 4),
        **{
            f"by_{k}": {v: {"n": len(x), "success": round(sum(x) / len(x), 4)} for v, x in sorted(g.items())}
            for k, g in per.items()
        },
        "escalations": sum(1 for r in results if r["escalation"]),
        "wall_s": round(time.perf_counter() - t0, 1),
        "target": {"success": 0.9, "calls": 30},
        "failures": [tail(r) for r in results if not r["ok"]][: args.show_failures],
    }


def tail(r: dict[str, Any], lines: int = 8) -> dict[str, Any]:
    """A failed call as the report shows it: its last exchanges only (`--dump` keeps them all)."""
    return r | {"heard": r["heard"][-lines:], "recorded": r["recorded"][-lines:]}


def main() -> None:
    ap = argparse.ArgumentParser(description="Held-out acceptance over real voice calls (issue 13).")
    ap.add_argument("--set", choices=sorted(SETS), default="heldout")
    ap.add_argument("--calls", type=int, default=36)
    ap.add_argument("--seed", type=int, default=31)
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--shapes", choices=("native", "legacy"), default="native")
    ap.add_argument("--show-failures", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--dump", type=Path, help="write every call in full to this JSONL file")
    ap.add_argument(
        "--only", type=lambda v: {int(x) for x in v.split(",")}, help="run only these case numbers: 3,9,13"
    )
    args = ap.parse_args()
    try:
        r = asyncio.run(run(args))
    except SeedRefused as exc:
        print(exc)
        sys.exit(2)
    if args.json:
        print(json.dumps(r, indent=2))
        return
    print(f"voice acceptance: set={r['set']} shapes={r['shapes']} calls={r['calls']} wall={r['wall_s']}s")
    print(f"  success   {r['success']:.1%}   (target ≥ 90%)   escalations {r['escalations']}")
    for k in ("by_voice", "by_intent", "by_style"):
        print(f"  {k.replace('_', ' ')}:")
        for v, x in r[k].items():
            print(f"    {v:16s} {x['success']:7.1%}  n={x['n']}")
    for f in r["failures"]:
        print(f"  ✗ case {f['case']} {f['voice']} {f['snr_db']} dB {f['intent']}/{f['style']}: {f['why']}")
        for x in f["heard"]:
            print(f"        {x[:150]}")
        print("      as the workflow recorded it:")
        for x in f["recorded"]:
            print(f"        {x[:150]}")


if __name__ == "__main__":
    main()
