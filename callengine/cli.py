"""The `callengine` command line (DESIGN.md contract)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from callengine.settings import Settings

if TYPE_CHECKING:
    from callengine.environment import Role
    from callengine.stack import Stack

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="callengine: an AI phone agent whose every call is a durable Temporal workflow.",
)


def _run(main: Coroutine[Any, Any, int], *, handle_signals: bool = True) -> None:
    """Run a coroutine; SIGINT/SIGTERM cancel it so its cleanup runs, then exit with its code.

    `handle_signals=False` leaves the signals to the coroutine (the server drains its calls and
    the worker its activities; cancelling would cut them).
    """

    async def guarded() -> int:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM) if handle_signals else ():
            loop.add_signal_handler(sig, task.cancel)
        try:
            return await main
        except asyncio.CancelledError:
            return 130

    code = asyncio.run(guarded())
    # Every resource is released inside the coroutine (children stopped, sockets
    # closed). Skip interpreter finalisation: the Temporal client's Rust threads
    # can abort a finalising interpreter (temporalio/sdk-python#300). Exit hooks are
    # skipped with it, so spans still batched are flushed here.
    from callengine import tracing

    tracing.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _require_environment(role: Role) -> None:
    """Stop here, naming every offending variable, unless the environment is a complete choice."""
    from callengine.environment import EnvironmentConfigError, check_startup

    try:
        check_startup(os.environ, role)
    except EnvironmentConfigError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e


def _local_development() -> None:
    """`up` and `demo` run the local stack: choosing them is choosing development, for every child.

    Raises:
        typer.Exit: `CALLENGINE_ENV` says something else (production never runs the sandbox).
    """
    from callengine.environment import DEVELOPMENT, ENV_MODE

    chosen = os.environ.setdefault(ENV_MODE, DEVELOPMENT).strip().lower()
    if chosen != DEVELOPMENT:
        typer.echo(
            f"error: `callengine up` and `demo` run the local development stack (Temporal dev server, "
            f"sandbox, development keys); {ENV_MODE}={chosen} is not allowed for them",
            err=True,
        )
        raise typer.Exit(2)


def _logging(level: str, service: str = "callengine") -> None:
    """Set up this process's logs (callengine/logs.py) and tracing (callengine/tracing.py)."""
    from callengine import logs, tracing

    try:
        logs.configure(level)
        tracing.setup(service)
    except (ValueError, tracing.TracingConfigError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from e


@app.command()
def worker(log_level: Annotated[str, typer.Option(help="debug, info, warning, error")] = "info") -> None:
    """Run a Temporal worker for calls (stateless: run as many as load needs)."""
    _require_environment("worker")  # before anything loads: refused in a second, not after models
    from callengine.worker import run_worker

    _logging(log_level, "callengine-worker")

    async def main() -> int:
        # The first SIGTERM/SIGINT stops polling and lets running activities finish (a refund
        # mid-POST; `graceful_shutdown_timeout`), then exits 0; a second one cancels at once.
        stop = asyncio.Event()
        task = asyncio.current_task()
        assert task is not None

        def on_signal() -> None:
            if stop.is_set():
                task.cancel()
            else:
                stop.set()

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal)
        await run_worker(Settings.from_env(), stop)
        return 0

    _run(main(), handle_signals=False)


async def _with_stack(settings: Settings, body: Callable[[Stack], Awaitable[int]]) -> int:
    """Run `body` with the local stack up; a part that fails to start is a clear error."""
    from callengine.devserver import DevServerConfig, DevServerConfigError
    from callengine.stack import StackError, running_stack

    try:
        async with running_stack(settings, DevServerConfig.load()) as stack:
            return await body(stack)
    except (StackError, DevServerConfigError) as e:
        typer.echo(f"error: {e}", err=True)
        return 1


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Bind address (default CALLENGINE_API_HOST or 127.0.0.1)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default CALLENGINE_API_PORT or 8080)")] = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning, error")] = "info",
) -> None:
    """Run the API/realtime server: Twilio webhooks and media streams."""
    _require_environment("api")  # before anything loads: refused in a second, not after models
    from callengine.server import serve as run_server

    _logging(log_level, "callengine-api")
    settings = Settings.from_env()

    async def main() -> int:
        # 0 once drained (callengine/server.py), 1 if a second signal forced the stop.
        return await run_server(settings, host or settings.api_host, port or settings.api_port, log_level)

    _run(main(), handle_signals=False)


@app.command()
def up() -> None:
    """Start everything locally (Temporal dev server, sandbox, worker); Ctrl-C stops it all."""
    _local_development()

    async def serve(stack: Stack) -> int:
        typer.echo("\ncallengine is up:")
        for label, url in stack.urls():
            typer.echo(f"  {label:<18} {url}")
        typer.echo("\nCtrl-C stops everything.")
        # Child processes offer nothing to await on; poll them.
        while (dead := stack.failed_child()) is None:  # noqa: ASYNC110
            await asyncio.sleep(0.5)
        typer.echo(
            f"{dead.name} exited (code {dead.proc.returncode}); stopping. Log: {dead.log_path}", err=True
        )
        return 1

    _run(_with_stack(Settings.from_env(), serve))


SCENARIOS = Path(__file__).resolve().parent.parent / "sandbox" / "scenarios"


async def _call_scenarios(
    settings: Settings, paths: list[Path], concurrency: int, out_dir: Path | None, stage_tables: bool = False
) -> int:
    """Dial scenarios against the running engine, print the transcript and a results table."""
    from callengine.scenario import Runner, ScenarioError, engine_seed
    from callengine.seedview import SeedReadError
    from callengine.suite import load_all, run_suite, stage_table, summary_table
    from callengine.temporal import connect
    from realtime.stt.whisper import WhisperStt

    try:
        scenarios = load_all(paths)
    except ScenarioError as e:
        typer.echo(f"error: {e}", err=True)
        return 2
    if not scenarios:
        typer.echo("error: no scenarios found", err=True)
        return 2
    try:  # the callers come from the engine's data: a seed that cannot be read stops here
        seed = engine_seed(settings.seed_path)
    except SeedReadError as e:
        typer.echo(f"error: {e}", err=True)
        return 2
    typer.echo(f"… callers picked from {seed.path}")
    typer.echo(f"… loading Whisper to hear the agent ({len(scenarios)} scenario(s))")
    stt = WhisperStt()
    await stt.warm()
    runner = Runner(settings, await connect(settings), stt, out=typer.echo, seed=seed)
    reports = await run_suite(runner, scenarios, concurrency=concurrency, out_dir=out_dir, echo=typer.echo)
    if stage_tables:
        for r in reports:
            typer.echo(f"\nLatency by stage, {r.name} (ms, from the call's workflow):\n{stage_table(r)}")
    typer.echo("\n" + summary_table(reports))
    for r in reports:
        if r.wav:
            typer.echo(f"recording (caller left, agent right): {r.wav}")
    if len(reports) == 1:
        typer.echo(f"Open this call in the Temporal Web UI: {reports[0].workflow_url}")
    return 0 if all(r.passed for r in reports) else 1


@app.command()
def call(
    scenario: Annotated[Path | None, typer.Argument(help="A scenario YAML file")] = None,
    suite: Annotated[Path | None, typer.Option(help="A directory of scenario files to run")] = None,
    concurrency: Annotated[int, typer.Option(help="Scenarios at a time (suite)")] = 1,
    out: Annotated[Path, typer.Option(help="Where WAVs and JSON reports go")] = Path(".callengine/calls"),
    seed: Annotated[
        Path | None,
        typer.Option(help="The seed the engine runs with, to pick callers from (default: CALLENGINE_SEED)"),
    ] = None,
) -> None:
    """Call the running engine as Twilio would, speaking a scenario; exit 1 if an expectation fails."""
    settings = Settings.from_env()
    if seed is not None:
        settings = dataclasses.replace(settings, seed_path=seed)
    paths = [p for p in (scenario, suite) if p is not None] or [SCENARIOS / "order-status.yaml"]
    _run(_call_scenarios(settings, paths, concurrency, out))


@app.command()
def demo(
    scenario: Annotated[Path, typer.Option(help="The scenario to call with")] = SCENARIOS
    / "order-status.yaml",
    keep_running: Annotated[bool, typer.Option(help="Leave the stack running afterwards")] = False,
) -> None:
    """Start everything, make one real voice call (simulated caller ↔ agent), print it, stop."""
    _local_development()
    settings = Settings.from_env()

    async def body(stack: Stack) -> int:
        typer.echo("\nA phone call, as Twilio would place it (left: the call; right column: the agent):")
        code = await _call_scenarios(settings, [scenario], 1, Path(".callengine/calls"), stage_tables=True)
        if keep_running:
            typer.echo("\nStack left running; Ctrl-C stops it.")
            await asyncio.Event().wait()
        return code

    _run(_with_stack(settings, body))


@app.command()
def chat(
    caller: Annotated[str, typer.Option(help="Caller ID (E.164) the call comes from")] = "+14155550101",
    brain: Annotated[str, typer.Option(help="offline, llm (falls back to offline), or auto")] = "auto",
    show_tools: Annotated[bool, typer.Option(help="Print each tool call")] = False,
) -> None:
    """Talk to the agent by typing, through the real workflow (needs `callengine up`)."""
    from callengine.chat import run_chat, stdin_lines
    from callengine.temporal import connect
    from realtime.brain.select import brain_factory

    settings = Settings.from_env()
    interactive = sys.stdin.isatty()

    def prompt() -> None:
        if interactive:
            print("you: ", end="", flush=True)

    async def main() -> int:
        try:
            make_brain = brain_factory(brain)
        except ValueError as e:
            typer.echo(f"error: {e}", err=True)
            return 2
        try:
            client = await connect(settings)
        except RuntimeError as e:
            typer.echo(
                f"error: Temporal is not reachable at {settings.temporal_address} ({e}); "
                "start the stack with `callengine up`",
                err=True,
            )
            return 1
        outcome = await run_chat(
            client,
            settings.task_queue,
            make_brain,
            stdin_lines(),
            sys.stdout,
            caller_number=caller,
            today=settings.business_date(),
            human_queue=settings.human_queue,
            show_tools=show_tools,
            prompt=prompt,
        )
        r = outcome.result
        typer.echo(
            f"[call {outcome.call.workflow_id}: outcome {r.outcome}"
            + (f", escalated ({r.escalation_reason})" if r.escalated else "")
            + (f", tickets {r.ticket_ids}" if r.ticket_ids else "")
            + f"; {settings.workflow_url(outcome.call.workflow_id)}]",
            err=True,
        )
        return 0

    _run(main())


@app.command()
def analyze(
    path: Annotated[Path, typer.Argument(help="Call transcripts, JSONL: one call per line")],
    plot: Annotated[Path | None, typer.Option(help="Write the intent distribution as a PNG here")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False,
) -> None:
    """Classify exported call transcripts into intents; show how much the top five cover."""
    from callengine.analyze import run

    raise typer.Exit(run(path, plot, json_out))


@app.command()
def report(
    since: Annotated[str, typer.Option(help="Window start: duration ago (90m, 24h, 7d) or ISO time")] = "24h",
    until: Annotated[str | None, typer.Option(help="Window end: ISO time or duration ago (now)")] = None,
    query: Annotated[
        str | None, typer.Option(help="Extra visibility filter ANDed in, e.g. \"CustomerId = 'C1001'\"")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False,
    html: Annotated[Path | None, typer.Option(help="Also write a self-contained HTML page here")] = None,
) -> None:
    """The seed's result metrics (AI-handled share, handle time, cost, escalations) for a time window."""
    from callengine.report import run

    _run(run(Settings.from_env(), since, until, query, json_out, html))


@app.command()
def replay(
    calls: Annotated[
        list[str], typer.Argument(help="Call SIDs, workflow ids (call-CA…) or saved history .json files")
    ],
) -> None:
    """Replay calls' histories against this code: would a deploy break calls in flight?"""
    from callengine.replay import run

    _run(run(calls, Settings.from_env()))


if __name__ == "__main__":
    app()
