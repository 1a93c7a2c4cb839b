"""The recent-request log tests and demos read to see what the engine actually called."""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.errors import PREFIXES, System

MAX_ENTRIES = 1000


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: str
    status: int
    idempotency_key: str | None
    replayed: bool  # answered from the idempotency record, not run again

    def as_json(self) -> dict[str, Any]:
        """The entry as the admin API shows it."""
        return asdict(self)


class RequestLog:
    """The last `MAX_ENTRIES` requests, oldest first."""

    def __init__(self) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=MAX_ENTRIES)

    def add(self, entry: LoggedRequest) -> None:
        """Append one request (the oldest falls off when full)."""
        self._entries.append(entry)

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()

    def entries(self, path_prefix: str = "") -> list[LoggedRequest]:
        """Logged requests whose path starts with `path_prefix`, oldest first."""
        return [e for e in self._entries if e.path.startswith(path_prefix)]


class RequestLogMiddleware:
    """Records every business-API request with the status the client finally saw.

    Admin calls and health checks are left out: they are the observer, not
    the traffic being observed.
    """

    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on and log its outcome."""
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(PREFIXES[System.ADMIN]) or path == "/healthz":
            await self.app(scope, receive, send)
            return
        status = 500
        replayed = False

        async def watch(message: Message) -> None:
            nonlocal status, replayed
            if message["type"] == "http.response.start":
                status = message["status"]
                replayed = Headers(raw=message.get("headers", [])).get("x-idempotency-lookup") == "hit"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            self.log.add(
                LoggedRequest(
                    method=scope["method"],
                    path=path,
                    query=scope.get("query_string", b"").decode("latin-1"),
                    status=status,
                    idempotency_key=Headers(scope=scope).get("idempotency-key"),
                    replayed=replayed,
                )
            )
