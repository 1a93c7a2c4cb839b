"""`callengine serve`: the API and realtime server (Twilio webhooks + media streams).

One process serves many calls. Models load and fixed lines are synthesized at
start-up (before `/healthz` says ok), so the first caller hears the greeting
as fast as the hundredth.

Stopping drains: the first SIGTERM/SIGINT turns `/healthz` to 503 and refuses new calls
(`POST /twilio/voice` answers 503, so Twilio requests the number's fallback URL — another
replica), while the calls in progress run to their end for up to `CALLENGINE_DRAIN_S`. Calls
still running then are closed normally; Twilio requests their `<Connect action>` on another
replica, which puts the caller through to a person. A second signal stops at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import FrameType

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from callengine.settings import Settings
from callengine.temporal import connect
from realtime.bounds import StreamLimits
from realtime.brain.offline import GREETING
from realtime.brain.select import brain_factory
from realtime.providers import make_stt, make_tts
from realtime.session import MediaStreamHandler, Services, SessionConfig
from realtime.twilio_media import MAX_FRAME_CHARS

log = logging.getLogger("callengine.server")


async def build_services(settings: Settings, config: SessionConfig | None = None) -> Services:
    """Connect to Temporal and load the speech providers and the brain factory."""
    return Services(
        client=await connect(settings, serve_metrics=True),
        settings=settings,
        stt=make_stt(),
        tts=make_tts(),
        make_brain=brain_factory(),
        config=config or SessionConfig(limits=StreamLimits.from_env()),
        greeting=GREETING,
    )


def build_app(settings: Settings, services: Services) -> FastAPI:
    """The FastAPI app with the realtime handler, warmed at start-up."""
    handler = MediaStreamHandler(services)
    app = create_app(
        settings,
        temporal=services.client,
        media_handler=handler,
        max_streams=services.config.limits.max_calls,
        offenders=services.offenders,  # flagged by the sessions, refused by the webhook
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await services.warm()
        log.info("speech models loaded; ready for calls")
        yield

    app.router.lifespan_context = lifespan
    app.state.media_handler = handler
    return app


# How long calls closed at the drain deadline get to wrap up (tell their workflow, close the
# stream) before uvicorn's own shutdown closes whatever is left.
_CLOSE_GRACE_S = 10.0
_PROGRESS_EVERY_S = 10.0


class DrainingServer(uvicorn.Server):
    """uvicorn that lets the calls in progress finish before it stops.

    uvicorn's own shutdown closes every open WebSocket at once with 1012 (`shutdown()` of each
    protocol in `uvicorn/protocols/websockets/`), which would cut every live call. So the first
    SIGTERM/SIGINT starts a drain instead, with uvicorn still serving: `/healthz` answers 503 (the
    load balancer stops sending calls), the app refuses new calls, and `/twilio/status`,
    `/twilio/fallback` and the live media streams go on. Once no call is left, or at the drain
    deadline (the calls still running are then closed normally, so Twilio requests their
    `<Connect action>` from another replica), uvicorn stops as usual. A second signal stops at
    once (uvicorn's forced exit).
    """

    def __init__(
        self, config: uvicorn.Config, app: FastAPI, handler: MediaStreamHandler, drain_s: float
    ) -> None:
        """Serve `app`, whose live calls are `handler.active`, draining for at most `drain_s`."""
        super().__init__(config)
        self._app = app
        self._handler = handler
        self.drain_s = drain_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._drain_task: asyncio.Task[None] | None = None

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        """Serve until stopped, then drained."""
        self._loop = asyncio.get_running_loop()
        await super().serve(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """The signal handler uvicorn installs for SIGINT and SIGTERM."""
        # Unlike uvicorn's, this does not record the signal in `_captured_signals`: uvicorn
        # re-raises those once serving is over, and the default action of SIGTERM would then
        # kill a process that had drained cleanly (exit status 143 instead of 0).
        if self._app.state.draining or self.should_exit:
            log.warning(
                "second stop signal: stopping now, %d call(s) still connected", len(self._handler.active)
            )
            self.should_exit = self.force_exit = True
            return
        # Set here rather than in the drain task: the health check turns 503 even before the
        # event loop runs the task.
        self._app.state.draining = True
        if self._loop is None:  # only before serve(), when there is nothing to drain
            self.should_exit = True
            return
        # A Python signal handler runs between two bytecodes of the main thread: schedule the
        # drain thread-safely, which also wakes the loop if it is waiting in select().
        self._loop.call_soon_threadsafe(self._start_drain)

    def _start_drain(self) -> None:
        self._drain_task = asyncio.get_running_loop().create_task(self.drain())

    async def drain(self) -> None:
        """Wait for the calls in progress to end, at most `drain_s`; then let uvicorn stop."""
        active = self._handler.active
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.drain_s
        log.info(
            "draining: refusing new calls; %d call(s) in progress may run for up to %.0fs",
            len(active),
            self.drain_s,
        )
        reported, reported_at = len(active), loop.time()
        while active and loop.time() < deadline and not self.should_exit:
            await asyncio.sleep(0.1)
            if len(active) != reported or loop.time() - reported_at >= _PROGRESS_EVERY_S:
                reported, reported_at = len(active), loop.time()
                log.info("draining: %d call(s) left, %.0fs to the deadline", reported, deadline - loop.time())
        if self.should_exit:  # a second signal: uvicorn is already stopping
            return
        if active:
            log.warning(
                "draining: deadline passed, closing %d call(s); Twilio requests their <Connect action>, "
                "which puts the callers through to people",
                len(active),
            )
            for session in list(active):
                session.end_now("server_shutdown")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_CLOSE_GRACE_S):
                    # `handler.active` is a plain set, with nothing to await on: poll it.
                    while active and not self.should_exit:  # noqa: ASYNC110
                        await asyncio.sleep(0.05)
        log.info("draining: done, stopping")
        self.should_exit = True


async def serve(settings: Settings, host: str, port: int, log_level: str = "info") -> int:
    """Run until stopped: the first SIGINT/SIGTERM drains (`DrainingServer`), a second one forces.

    Returns:
        The exit code: 0 after a drain, 1 when a second signal forced the stop.
    """
    services = await build_services(settings)
    app = build_app(settings, services)
    handler: MediaStreamHandler = app.state.media_handler
    server = DrainingServer(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level=log_level.lower(),
            # uvicorn's own handlers would bypass ours: its records go to the root logger, to be
            # written like every other line (JSON or text, masked, with the call's SID).
            log_config=None,
            lifespan="on",
            # The largest frame Twilio's protocol has (realtime/twilio_media.py): a bigger one is
            # refused by the WebSocket layer (close 1009) before it is buffered whole or parsed.
            ws_max_size=MAX_FRAME_CHARS,
        ),
        app,
        handler,
        settings.drain_s,
    )
    await server.serve()
    return 1 if server.force_exit else 0
