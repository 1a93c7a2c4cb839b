"""Small ASGI helpers for middleware that must see whole request and response bodies.

The idempotency and fault layers are plain ASGI middleware rather than
Starlette's `BaseHTTPMiddleware`: they need to read the body before the route
does, run the route without answering (after-commit faults), and answer with
a stored response instead of the route's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass
class CapturedResponse:
    """A response produced by the inner app but not yet sent."""

    status: int = 500
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""

    @property
    def content_type(self) -> str | None:
        """The Content-Type header, if the response had one."""
        return Headers(raw=self.headers).get("content-type")

    async def send(self, send: Send, extra_headers: dict[str, str] | None = None) -> None:
        """Send this response to the client, with extra headers appended."""
        headers = list(self.headers)
        headers += [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (extra_headers or {}).items()
        ]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


async def read_body(receive: Receive) -> bytes:
    """Drain the request body from `receive`."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A `receive` that yields an already-read body once, then defers to the real one."""
    delivered = False

    async def inner() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return inner


async def capture(app: ASGIApp, scope: Scope, receive: Receive) -> CapturedResponse:
    """Run the inner app and keep its response instead of sending it."""
    captured = CapturedResponse()
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            captured.status = message["status"]
            captured.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    captured.body = b"".join(chunks)
    return captured


async def send_json(send: Send, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    """Answer with a JSON body directly from middleware."""
    payload = json.dumps(body, separators=(",", ":")).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload, "more_body": False})
