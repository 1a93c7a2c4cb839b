"""`callengine serve` with instant speech (bench/instant.py), for the load benchmark.

The same app, session, brain, workflow client and Twilio protocol as production; only the
recognizer and the voice are replaced, so the benchmark measures the engine.

    .venv/bin/python -m bench.load_server --port 8181   (settings from the environment)
"""

from __future__ import annotations

import argparse
import asyncio
import logging

import uvicorn

from bench.instant import InstantStt, InstantTts
from callengine.server import build_app
from callengine.settings import Settings
from callengine.temporal import connect
from realtime.brain.offline import GREETING
from realtime.brain.select import brain_factory
from realtime.session import Services, SessionConfig


async def main(port: int) -> None:
    settings = Settings.from_env()
    services = Services(
        client=await connect(settings),
        settings=settings,
        stt=InstantStt(),
        tts=InstantTts(),
        make_brain=brain_factory("offline"),
        config=SessionConfig(),
        greeting=GREETING,
    )
    app = build_app(settings, services)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws_max_size=2**20, backlog=1024
    )
    await uvicorn.Server(config).serve()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(parser.parse_args().port))
