"""Run the sandbox: ``python -m sandbox [--host 127.0.0.1] [--port 8090] [--seed PATH]``."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
from pathlib import Path

import uvicorn

from callengine.environment import EnvironmentConfigError, check_startup
from sandbox.app import create_app
from sandbox.auth import SandboxTokens
from sandbox.seed import SeedError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8090
DEFAULT_SEED = Path(__file__).resolve().parent / "seed.json"


class _Server(uvicorn.Server):
    """A uvicorn server that says when it is listening."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        """Start as usual, then signal `ready` if the sockets are bound."""
        await super().startup(sockets)
        if self.started:
            self.ready.set()


def default_seed_path() -> Path:
    """`CALLENGINE_SEED` if set, else the bundled `sandbox/seed.json`."""
    return Path(os.environ.get("CALLENGINE_SEED") or DEFAULT_SEED)


async def serve_async(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    seed_path: Path | None = None,
    *,
    db_path: str = ":memory:",
    log_level: str = "warning",
) -> None:
    """Serve the sandbox until the task is cancelled or the process is signalled.

    Prints one ``sandbox ready on http://HOST:PORT …`` line once it accepts
    connections (with the real port when `port` is 0).

    Raises:
        SeedError: The seed file is missing or invalid.
    """
    seed = seed_path or default_seed_path()
    app = create_app(seed, SandboxTokens.from_env(), db_path=db_path)
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False, lifespan="on")
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    ready = asyncio.create_task(server.ready.wait())
    await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    ready.cancel()
    if server.started:
        bound = port
        if server.servers and server.servers[0].sockets:
            bound = server.servers[0].sockets[0].getsockname()[1]
        print(f"sandbox ready on http://{host}:{bound} (seed {seed})", flush=True)
    await task


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, seed_path: Path | None = None) -> None:
    """Serve the sandbox in the foreground (blocking) until Ctrl-C.

    Args:
        host: Interface to bind.
        port: TCP port (0 picks a free one).
        seed_path: Seed file; defaults to `CALLENGINE_SEED`, then `sandbox/seed.json`.
    """
    asyncio.run(serve_async(host, port, seed_path))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description="Local business-system emulators.")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument(
        "--seed", type=Path, default=None, help="seed JSON (default: $CALLENGINE_SEED or bundled)"
    )
    parser.add_argument("--db", default=":memory:", help="SQLite file to keep state in (default: in memory)")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        # In production its development tokens (admin, backends) would open every record.
        check_startup(os.environ, "sandbox")
    except EnvironmentConfigError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve_async(args.host, args.port, args.seed, db_path=args.db, log_level=args.log_level))
    except SeedError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
