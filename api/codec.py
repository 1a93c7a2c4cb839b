"""The codec server: Temporal's remote codec protocol, so ops read encrypted calls in the Web UI.

Call histories are encrypted (callengine/codec.py). The Temporal Web UI and CLI never hold the
key: they POST payloads here and show what comes back.

- `POST /codec/decode`, `POST /codec/encode`: body and answer are a `Payloads` proto as
  protobuf JSON, `{"payloads": [{"metadata": {"encoding": "<base64>"}, "data": "<base64>"}]}`.
  Clients send `X-Namespace`; this deployment serves one namespace and one key ring, so it is
  accepted and not needed.
- Auth: `Authorization: Bearer <CALLENGINE_CODEC_TOKEN>` (the CLI:
  `temporal … --codec-endpoint …/codec --codec-auth "Bearer <token>"`), or the token as a path
  segment, `/codec/t/<token>/decode`. The Web UI appends `/decode` to its configured endpoint
  and sends no header of ours (its "pass access token" option forwards the UI's own OIDC login,
  and only to https endpoints), so the path form is the one the UI uses: its endpoint is
  configured as `…/codec/t/<token>`. No token: 401; a wrong token: 403.
- CORS: the browser calls this server from the Web UI's origin with JSON and `X-Namespace`, so
  it sends a preflight first. Only the UI's origins (TEMPORAL_UI_URL, 127.0.0.1 and localhost on
  its port, and `CALLENGINE_CODEC_CORS_ORIGINS`) get CORS headers; other pages cannot read
  the answers.

Nothing here logs payload contents: they are the calls' personal data.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.converter import PayloadCodec

from callengine.codec import CodecError, EncryptionCodec, load_codec_token, load_keyring
from callengine.settings import Settings
from callengine.temporal import data_converter

log = logging.getLogger(__name__)

ENV_CORS_ORIGINS = "CALLENGINE_CODEC_CORS_ORIGINS"
# The dev server's UI port (temporal-dev.yaml); browsers treat 127.0.0.1 and localhost as
# different origins, and people open either.
_LOCAL_UI_ORIGINS = ("http://127.0.0.1:8233", "http://localhost:8233")
MAX_BODY_BYTES = 8 * 2**20  # a history page of payloads; Temporal's own payload limit is 2 MiB each
_ALLOW_HEADERS = "content-type, x-namespace, authorization"

Operation = Callable[[Sequence[Payload]], Awaitable[list[Payload]]]
_TOKEN_IN_PATH = re.compile(r"/codec/t/[^/\s]+")


class RedactCodecToken(logging.Filter):
    """Keeps the path-segment token out of access logs (uvicorn logs every request's path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite `/codec/t/<token>` to `/codec/t/***` in the record's arguments."""
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_PATH.sub("/codec/t/***", a) if isinstance(a, str) else a for a in record.args
            )
        return True


def _origin(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def ui_origins(settings: Settings, env: Mapping[str, str] | None = None) -> frozenset[str]:
    """The Web UI origins allowed to call the codec server from a browser."""
    e = os.environ if env is None else env
    urls = [settings.temporal_ui_url, *_LOCAL_UI_ORIGINS, *e.get(ENV_CORS_ORIGINS, "").split(",")]
    origins = {o for o in map(_origin, urls) if o is not None}
    # The same UI opened as localhost or as 127.0.0.1 is the same UI.
    for o in list(origins):
        for a, b in (("//127.0.0.1:", "//localhost:"), ("//localhost:", "//127.0.0.1:")):
            if a in o:
                origins.add(o.replace(a, b))
    return frozenset(origins)


@dataclass(frozen=True)
class CodecServerConfig:
    """What the codec server needs: the codec, the token it requires, the origins it serves."""

    codec: PayloadCodec
    token: str
    origins: Collection[str]

    @classmethod
    def from_env(cls, settings: Settings, env: Mapping[str, str] | None = None) -> CodecServerConfig:
        """The process's codec (the one its Temporal client uses) and token.

        Raises:
            callengine.codec.CodecConfigError: a key or the token is missing outside local development.
        """
        codec = data_converter().payload_codec if env is None else EncryptionCodec(load_keyring(env))
        assert codec is not None  # data_converter() always carries the encryption codec
        return cls(codec=codec, token=load_codec_token(env), origins=ui_origins(settings, env))


def codec_router(config: CodecServerConfig) -> APIRouter:
    """The `/codec/…` routes: encode and decode, with bearer or path token, and CORS preflight."""
    router = APIRouter()
    access_log = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactCodecToken) for f in access_log.filters):
        access_log.addFilter(RedactCodecToken())
    expected = config.token.encode()
    ops: dict[str, Operation] = {"encode": config.codec.encode, "decode": config.codec.decode}

    def cors_headers(request: Request) -> dict[str, str]:
        origin = request.headers.get("origin")
        if origin is None or origin.lower() not in config.origins:
            return {}
        return {
            "Access-Control-Allow-Origin": origin,
            # For a UI configured with "include credentials"; we read no cookies ourselves.
            "Access-Control-Allow-Credentials": "true",
            "Vary": "Origin",
        }

    def refuse(request: Request, status: int, reason: str) -> Response:
        headers = cors_headers(request)
        if status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="codec"'
        return PlainTextResponse(reason, status_code=status, headers=headers)

    def check_token(request: Request, path_token: str | None) -> Response | None:
        if path_token is not None:
            given = path_token
        else:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not given.strip():
                log.warning("codec: refused a request without a token")
                return refuse(request, 401, "codec token required")
        if not hmac.compare_digest(given.strip().encode(), expected):
            log.warning("codec: refused a request with a wrong token")
            return refuse(request, 403, "wrong codec token")
        return None

    async def run(request: Request, op: str, path_token: str | None) -> Response:
        denied = check_token(request, path_token)
        if denied is not None:
            return denied
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return refuse(request, 413, "body too large")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return refuse(request, 413, "body too large")
        try:
            payloads = json_format.Parse(body, Payloads())
        except (json_format.ParseError, ValueError):  # ValueError: not UTF-8
            return refuse(request, 400, "body must be a Payloads message as protobuf JSON")
        try:
            result = await ops[op](payloads.payloads)
        except CodecError as e:
            # The protocol's answer to a payload the codec cannot handle; the message names
            # a key id at most, never data.
            return refuse(request, 400, str(e))
        log.debug("codec: %s of %d payload(s)", op, len(result))
        return Response(
            json_format.MessageToJson(Payloads(payloads=result), indent=None),
            media_type="application/json",
            headers=cors_headers(request),
        )

    async def preflight(request: Request) -> Response:
        headers = cors_headers(request)
        if not headers or request.headers.get("access-control-request-method", "").upper() != "POST":
            return PlainTextResponse("origin not allowed", status_code=403)
        headers |= {
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": _ALLOW_HEADERS,
            "Access-Control-Max-Age": "600",
        }
        # Chrome's Private Network Access: a page asking a loopback server says so first.
        if request.headers.get("access-control-request-private-network") == "true":
            headers["Access-Control-Allow-Private-Network"] = "true"
        return Response(status_code=204, headers=headers)

    def add_routes(op: str) -> None:
        async def with_header(request: Request) -> Response:
            return await run(request, op, None)

        async def with_path_token(request: Request, token: str) -> Response:
            return await run(request, op, token)

        for path, endpoint in ((f"/codec/{op}", with_header), (f"/codec/t/{{token}}/{op}", with_path_token)):
            router.add_api_route(path, endpoint, methods=["POST"], include_in_schema=False)
            router.add_api_route(path, preflight, methods=["OPTIONS"], include_in_schema=False)

    for op in ops:
        add_routes(op)
    return router
