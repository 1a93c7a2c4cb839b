"""`callengine serve`: the API and realtime server (Twilio webhooks + media streams).

One process serves many calls. Models load and fixed lines are synthesized at
start-up (before `/healthz` says ok), so the first caller hears the greeting
as fast as the hundredth.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from callengine.settings import Settings
from callengine.temporal import connect
from realtime.brain.offline import GREETING
from realtime.brain.select import brain_factory
from realtime.providers import make_stt, make_tts
from realtime.session import MediaStreamHandler, Services, SessionConfig

log = logging.getLogger("callengine.server")


async def build_services(settings: Settings, config: SessionConfig | None = None) -> Services:
    """Connect to Temporal and load the speech providers and the brain factory."""
    return Services(
        client=await connect(settings),
        settings=settings,
        stt=make_stt(),
        tts=make_tts(),
        make_brain=brain_factory(),
        config=config or SessionConfig(),
        greeting=GREETING,
    )


def build_app(settings: Settings, services: Services) -> FastAPI:
    """The FastAPI app with the realtime handler, warmed at start-up."""
    handler = MediaStreamHandler(services)
    app = create_app(settings, temporal=services.client, media_handler=handler)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await services.warm()
        log.info("speech models loaded; ready for calls")
        yield

    app.router.lifespan_context = lifespan
    app.state.media_handler = handler
    return app


async def serve(settings: Settings, host: str, port: int, log_level: str = "info") -> None:
    """Run until stopped (SIGINT/SIGTERM: uvicorn stops gracefully)."""
    services = await build_services(settings)
    app = build_app(settings, services)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host=host, port=port, log_level=log_level.lower(), lifespan="on", ws_max_size=2**20
        )
    )
    await server.serve()
