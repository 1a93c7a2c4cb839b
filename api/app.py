"""The FastAPI app: Twilio webhooks, the media WebSocket, the codec server, health and metrics.

Every Twilio-facing route checks `X-Twilio-Signature` first (PROTOCOLS.md §2) and answers 403
(HTTP) or refuses the upgrade (WebSocket) without it. Logs name the call by its SID only:
phone numbers never reach a log line.
"""

from __future__ import annotations

import contextlib
import logging
import re
from typing import Protocol

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette import status
from starlette.background import BackgroundTask
from starlette.datastructures import FormData
from starlette.websockets import WebSocketDisconnect, WebSocketState

from api import fallback, openapi_docs, twiml
from api.admission import Admission
from api.codec import CodecServerConfig, codec_router
from api.forms import read_form
from api.signature import SignatureChecker
from api.temporal_access import TemporalAccess, TemporalSource
from callengine import stream_token
from callengine.settings import Settings
from realtime.metrics import BOUNDS, ESCALATIONS, PROVIDER_ERRORS, REGISTRY, WEBHOOKS
from realtime.quarantine import Offenders

log = logging.getLogger(__name__)

_CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
_SAYABLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
MEDIA_PATH = "/twilio/media"


class MediaHandler(Protocol):
    """Runs one call's media stream; the realtime session implements it.

    It receives the WebSocket after the upgrade's signature was checked, *not yet accepted*:
    it calls `await websocket.accept()` itself, then owns the socket until the call ends.
    Closing the socket is what makes Twilio request the `<Connect action>` (the fallback).
    """

    async def __call__(self, websocket: WebSocket) -> None:
        """Serve the stream until it ends."""
        ...


def _ticket_id(value: str) -> str | None:
    """The handoff ticket named in the whisper URL, if it can be read out to the human.

    Help-desk ids are opaque (Zendesk's are integers, others' `TCK-12`, UUIDs); the whisper
    speaks it, so only plain ASCII letters, digits and `._-` are taken ("²" or markup never).
    """
    return value if _SAYABLE_ID.fullmatch(value) else None


def _sid(value: str | None) -> str | None:
    """The Call SID if it is SID-shaped; anything else is never logged or used."""
    # fullmatch: with `match`, `$` also matches before a trailing newline ("CA…\n" reached logs).
    return value if value is not None and _CALL_SID.fullmatch(value) else None


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _peer_left(err: BaseException) -> bool:
    """Whether a media handler failed only because the other end had already closed the socket."""
    if isinstance(err, BaseExceptionGroup):  # from a handler's TaskGroup
        return err.split(WebSocketDisconnect)[1] is None
    return isinstance(err, WebSocketDisconnect)


def _counted(endpoint: str, response: Response) -> Response:
    WEBHOOKS.labels(endpoint=endpoint, status=str(response.status_code)).inc()
    return response


def _xml(document: str, background: BackgroundTask | None = None) -> Response:
    return Response(document, media_type=twiml.TWIML_MEDIA_TYPE, background=background)


def _routed(decision: fallback.Decision, background: BackgroundTask | None = None) -> Response:
    """The fallback's answer; a caller the session never handed over counts as escalated here."""
    if decision.verdict == "stream_lost":
        ESCALATIONS.labels(reason="stream_lost").inc()
    return _counted("fallback", _xml(decision.twiml, background))


def create_app(
    settings: Settings,
    *,
    temporal: TemporalSource,
    media_handler: MediaHandler | None,
    temporal_timeout_s: float = 2.0,
    codec: CodecServerConfig | None = None,
    openapi_url: str | None = None,
    max_streams: int | None = None,
    offenders: Offenders | None = None,
) -> FastAPI:
    """Build the API.

    Args:
        settings: Public URL, Twilio credentials, human queue.
        temporal: A Temporal client, an async factory for one (connected on first use), or
            None (no Temporal: the fallback always sends callers to the human queue).
        media_handler: Serves `WS /twilio/media`; None closes every stream with 1011.
        temporal_timeout_s: Budget for each Temporal query/signal made while answering Twilio.
        codec: The codec server's codec, token and origins (api/codec.py); None reads them from
            the environment, and a missing key or token outside local development stops start-up.
        openapi_url: Where to serve the OpenAPI document (api/openapi_docs.py); None, the
            production default, serves none. Tests and API tooling pass a path.
        max_streams: The most media streams served at once (`CALLENGINE_MAX_CALLS`); an
            upgrade past it is refused (api/admission.py). None: no limit.
        offenders: Caller numbers whose last stream was quarantined (realtime/quarantine.py):
            their calls are rejected as busy. None: a fresh, empty list.

    Returns:
        The app. `app.state.draining` (False) switches `/healthz` to 503 for graceful shutdown.
    """
    checker = SignatureChecker(settings.twilio_auth_token, settings.public_url)
    tokens = settings.stream_tokens()
    access = TemporalAccess(temporal)
    public = checker.http_base

    app = FastAPI(title="callengine", docs_url=None, redoc_url=None, openapi_url=openapi_url)
    app.state.draining = False
    app.state.streams = streams = Admission(max_streams)
    app.state.offenders = offenders = offenders or Offenders()
    app.include_router(codec_router(codec or CodecServerConfig.from_env(settings)))

    async def signed_form(request: Request, endpoint: str) -> FormData | Response:
        form = await read_form(request)
        if form is not None and checker.check_form(request, form):
            return form
        log.warning("%s: rejected request with a missing or invalid Twilio signature", endpoint)
        return _counted(endpoint, PlainTextResponse("invalid Twilio signature", status_code=403))

    @app.post("/twilio/voice", **openapi_docs.VOICE)
    async def voice(request: Request) -> Response:
        form = await signed_form(request, "voice")
        if isinstance(form, Response):
            return form
        call_sid = _sid(_field(form, "CallSid"))
        if call_sid is None:
            # Twilio always sends a SID-shaped CallSid: this is a forged or broken request.
            return _counted("voice", PlainTextResponse("CallSid missing or malformed", status_code=400))
        if app.state.draining:
            # This process is stopping. On a 4xx/5xx from the voice URL Twilio logs error 11217
            # and requests the number's Voice Fallback URL (twilio.com/docs/usage/security/
            # availability-reliability): pointed at another replica, the call goes on there.
            log.info("call %s: refused, this server is draining", call_sid)
            return _counted("voice", PlainTextResponse("draining", status_code=503))
        if offenders.refuses(_field(form, "From")):
            # The last stream of a call from this number was not a phone line: this one starts
            # nothing (no workflow, no stream) until the number has cooled down.
            log.warning("call %s: rejected: a recent stream from this number was quarantined", call_sid)
            return _counted("voice", _xml(twiml.reject_busy()))
        log.info("call %s: incoming, connecting the media stream", call_sid)
        document = twiml.connect_stream(
            action_url=f"{public}/twilio/fallback",
            stream_url=checker.ws_base + MEDIA_PATH,
            status_callback_url=f"{public}/twilio/stream-status",
            # The session needs caller ID to identify the customer, and must know the stream is
            # this call's: both travel in one token signed here, where Twilio's signature covers
            # CallSid and From (callengine/stream_token.py). It reaches the socket in
            # `start.customParameters` because the stream URL may not carry a query (31920).
            parameters={
                stream_token.PARAMETER: tokens.issue(
                    call_sid,
                    _field(form, "From"),
                    _field(form, "To"),
                    webhook_account_sid=_field(form, "AccountSid"),
                )
            },
        )
        return _counted("voice", _xml(document))

    @app.websocket(MEDIA_PATH)
    async def media(websocket: WebSocket) -> None:
        if not checker.check_websocket(websocket):
            WEBHOOKS.labels(endpoint="media", status="403").inc()
            log.warning("media: refused an upgrade with a missing or invalid Twilio signature")
            # Closing before accepting refuses the handshake itself (the ASGI server answers
            # HTTP 403): an unsigned client never gets an open socket.
            await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
            return
        if app.state.draining:
            # A stream for a call answered just before the drain began: it is refused like the
            # call itself; Twilio then requests the <Connect action>, which reaches people.
            # Refused before accepting (HTTP 403), not with a 503 denial response: uvicorn's
            # websockets-sansio logs an ERROR for every denial response (Kludex/uvicorn#3138).
            WEBHOOKS.labels(endpoint="media", status="403").inc()
            log.info("media: refused an upgrade, this server is draining")
            await websocket.close(code=status.WS_1013_TRY_AGAIN_LATER)
            return
        if not streams.enter():
            # Refused like a draining server's upgrade (HTTP 403, before accepting): Twilio then
            # requests the <Connect action>, which queues the caller for a person.
            WEBHOOKS.labels(endpoint="media", status="403").inc()
            BOUNDS.labels(kind="stream_refused").inc()
            log.warning("media: refused an upgrade: %d streams live (CALLENGINE_MAX_CALLS)", streams.live)
            await websocket.close(code=status.WS_1013_TRY_AGAIN_LATER)
            return
        try:
            await serve_stream(websocket)
        finally:
            streams.leave()

    async def serve_stream(websocket: WebSocket) -> None:
        """An admitted stream: the media handler runs it; if it fails, closing it routes the caller."""
        WEBHOOKS.labels(endpoint="media", status="101").inc()
        if media_handler is None:
            log.error("media: no media handler configured; closing the stream (1011)")
            await websocket.accept()
            await websocket.close(code=status.WS_1011_INTERNAL_ERROR)
            return
        try:
            await media_handler(websocket)
        except Exception as e:
            if _peer_left(e):
                # Sending to a socket the caller's side had just closed (a hang-up or a dropped
                # connection while the agent spoke): the call is over, nothing failed.
                log.info("media: the stream closed while the media handler was sending")
                return
            log.exception("media: the media handler failed")
            if websocket.application_state != WebSocketState.DISCONNECTED:
                # Closing makes Twilio run the <Connect action>: the caller reaches a person.
                with contextlib.suppress(Exception):
                    await websocket.close(code=status.WS_1011_INTERNAL_ERROR)

    @app.post("/twilio/status", **openapi_docs.STATUS)
    async def call_status(request: Request) -> Response:
        form = await signed_form(request, "status")
        if isinstance(form, Response):
            return form
        call_sid = _sid(_field(form, "CallSid"))
        if call_sid is None:
            return _counted("status", PlainTextResponse("CallSid missing or malformed", status_code=400))
        state = _field(form, "CallStatus")
        log.info("call %s: status %s", call_sid, state[:32])
        task = None
        if state in fallback.FINAL_CALL_STATUSES:
            # A safety net for a `stop` frame that never arrived: the workflow keeps the first
            # reason it hears, so a late signal changes nothing. Sent after answering Twilio.
            reason = fallback.end_reason_for_status(state)
            task = BackgroundTask(access.end, call_sid, reason, temporal_timeout_s)
        return _counted("status", Response(status_code=204, background=task))

    @app.post("/twilio/stream-status", **openapi_docs.STREAM_STATUS)
    async def stream_status(request: Request) -> Response:
        form = await signed_form(request, "stream-status")
        if isinstance(form, Response):
            return form
        call_sid = _sid(_field(form, "CallSid")) or "(no call sid)"
        event = _field(form, "StreamEvent")[:32]
        if event == "stream-error":
            PROVIDER_ERRORS.labels(provider="twilio", role="phone").inc()
            log.warning("call %s: stream error: %s", call_sid, _field(form, "StreamError")[:200])
        else:
            log.info("call %s: %s", call_sid, event)
        return _counted("stream-status", Response(status_code=204))

    @app.post("/twilio/fallback", **openapi_docs.FALLBACK)
    async def connect_action(request: Request) -> Response:
        form = await signed_form(request, "fallback")
        if isinstance(form, Response):
            return form
        # From here on, nothing may answer with an error: Twilio would drop the caller.
        try:
            call_sid = _sid(_field(form, "CallSid"))
            call_status = _field(form, "CallStatus")
            if call_sid is None:
                log.warning("fallback: CallSid missing or malformed; sending the caller to people")
                return _routed(fallback.on_error(settings.human_queue))
            state = None
            if call_status not in fallback.FINAL_CALL_STATUSES:
                state = await access.state(call_sid, temporal_timeout_s)
            decision = fallback.decide(call_status, state, settings.human_queue)
            log.info("call %s: stream ended, %s", call_sid, decision.verdict)
            task = None
            if decision.end_reason is not None:
                task = BackgroundTask(access.end, call_sid, decision.end_reason, temporal_timeout_s)
            return _routed(decision, task)
        except Exception:
            log.exception("fallback: deciding failed; sending the caller to people")
            return _routed(fallback.on_error(settings.human_queue))

    @app.post("/twilio/whisper", **openapi_docs.WHISPER)
    async def whisper(request: Request) -> Response:
        # Twilio requests this for the human's leg of a transfer (`<Number url>`), before
        # connecting the two; the query names the caller's call (activities/telephony.py).
        form = await signed_form(request, "whisper")
        if isinstance(form, Response):
            return form
        call_sid = _sid(request.query_params.get("CallSid"))
        ticket_id = _ticket_id(request.query_params.get("ticket", ""))
        leg_sid = _sid(_field(form, "CallSid"))
        state = None
        if call_sid is not None and leg_sid is not None:
            # Single use: a signed request replays, and the note is about the caller's account.
            claimed = await access.claim_whisper(call_sid, leg_sid, settings.task_queue, temporal_timeout_s)
            if claimed is False:
                log.warning("call %s: refused a repeated whisper request for the same leg", call_sid)
                return _counted("whisper", _xml(twiml.empty()))
            if claimed:
                state = await access.state(call_sid, temporal_timeout_s)
        return _counted("whisper", _xml(twiml.whisper(state, ticket_id)))

    @app.get("/healthz", **openapi_docs.HEALTHZ)
    async def healthz() -> JSONResponse:
        if app.state.draining:
            # The load balancer stops sending new calls; calls in progress keep running.
            return JSONResponse({"ok": False, "draining": True}, status_code=503)
        return JSONResponse({"ok": True})

    @app.get("/metrics", **openapi_docs.METRICS)
    async def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return app
