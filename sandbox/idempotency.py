"""Idempotency-Key handling for every write, as Zendesk and Stripe do it.

The first request with a key runs and its response is recorded; a repeat
with the same method, path and body gets the recorded response again with
``X-Idempotency-Lookup: hit``, and a repeat with anything different is a 422.
Concurrent requests with one key are serialised, so a retry that races the
original still sees one result.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.asgi import CapturedResponse, capture, read_body, replay_body, send_json
from sandbox.auth import authorized
from sandbox.errors import ApiError, FieldProblem, System, coded, invalid_input, system_for_path
from sandbox.records import IdempotencyRecord
from sandbox.state import SandboxState

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})
HEADER = "x-idempotency-lookup"
# Not recorded, so a retry runs again: credentials problems and throttling say
# nothing about the operation, and 5xx means it may not have happened.
UNRECORDED = frozenset({401, 403, 408, 429})
MISMATCH = "Idempotency-Key was already used with a different request"


def body_hash(body: bytes) -> str:
    """A fingerprint of the body that ignores JSON key order and whitespace."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def mismatch_error(system: System) -> ApiError:
    """The 422 for a key reused with a different request, in the system's shape."""
    if system in (System.SHOPIFY, System.ZENDESK):
        return invalid_input(system, [FieldProblem("idempotency_key", MISMATCH)])
    return coded(422, "idempotency_key_reused", MISMATCH)


class _KeyLocks:
    """One asyncio lock per in-flight key, dropped when nobody holds it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class IdempotencyMiddleware:
    """Records and replays keyed writes to the four business systems."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state
        self.locks = _KeyLocks()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Replay, refuse or run-and-record a keyed write; pass anything else through."""
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get("idempotency-key")
        system = system_for_path(scope["path"])
        # Unauthenticated requests must never see a recorded response: let the
        # route answer them with its 401.
        if (
            not key
            or system is None
            or system is System.ADMIN
            or not authorized(system, headers, self.state.tokens)
        ):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        fingerprint = body_hash(body)
        async with self.locks.hold(key):
            store = self.state.store
            record = store.idempotency_get(key)
            if record is not None:
                if (record.method, record.path, record.body_hash) != (
                    scope["method"],
                    scope["path"],
                    fingerprint,
                ):
                    error = mismatch_error(system)
                    await send_json(send, error.status, error.body)
                    return
                replay = CapturedResponse(
                    status=record.status,
                    headers=[(b"content-type", record.content_type.encode("latin-1"))]
                    if record.content_type
                    else [],
                    body=record.response.encode(),
                )
                replay.headers.append((b"content-length", str(len(replay.body)).encode()))
                await replay.send(send, {HEADER: "hit"})
                return
            response = await capture(self.app, scope, replay_body(body, receive))
            if response.status < 500 and response.status not in UNRECORDED:
                store.idempotency_put(
                    IdempotencyRecord(
                        key=key,
                        method=scope["method"],
                        path=scope["path"],
                        body_hash=fingerprint,
                        status=response.status,
                        content_type=response.content_type,
                        response=response.body.decode("utf-8", errors="replace"),
                    )
                )
        await response.send(send, {HEADER: "miss"})
