"""Path segments are what the client encoded: an encoded '/' never becomes a separator.

ASGI servers hand the app a *decoded* path, so `/customers/C1%2Fnotes` would be routed as
`/customers/C1/notes` — another resource than the one the client named. Like most web
servers (Apache's default `AllowEncodedSlashes Off`), the sandbox answers such a request
404 instead; no seed id contains '/' (sandbox/ids.py), so no real record is lost by that.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.asgi import send_json


class EncodedSlashMiddleware:
    """Answer 404 to any request whose path holds an encoded slash (%2F)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path") or b""
        if scope["type"] == "http" and b"%2f" in raw.lower():
            await send_json(send, 404, {"errors": "Not Found"})
            return
        await self.app(scope, receive, send)
