"""Injected faults: slow or failing responses on demand, for resilience tests and demos.

A fault matches by method and path prefix. Before the request runs it can
add delay and answer with an error instead; with ``after_commit`` the request
runs and commits first and only its response is lost — the case idempotency
keys exist for.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, replace
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.asgi import capture, read_body, replay_body, send_json
from sandbox.errors import PREFIXES, System

FAULT_BODY = {"error": "injected fault"}


@dataclass(frozen=True)
class Fault:
    id: int
    method: str | None
    path_prefix: str
    status: int | None
    delay_ms: int
    count: int | None
    after_commit: bool

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request."""
        return (self.method is None or self.method == method) and path.startswith(self.path_prefix)

    def as_json(self) -> dict[str, Any]:
        """The fault as the admin API shows it (``count`` is what is left)."""
        return asdict(self)


class Faults:
    """The active faults, first added first matched."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._next_id = 1

    def add(
        self,
        *,
        method: str | None,
        path_prefix: str,
        status: int | None,
        delay_ms: int,
        count: int | None,
        after_commit: bool,
    ) -> Fault:
        """Register a fault and return it with its id."""
        fault = Fault(
            id=self._next_id,
            method=method.upper() if method else None,
            path_prefix=path_prefix,
            status=status,
            delay_ms=delay_ms,
            count=count,
            after_commit=after_commit,
        )
        self._next_id += 1
        self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault."""
        self._faults.clear()

    def active(self) -> list[Fault]:
        """The faults still in force."""
        return list(self._faults)

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching a request, using up one of its count."""
        for index, fault in enumerate(self._faults):
            if fault.matches(method, path):
                if fault.count is not None:
                    left = fault.count - 1
                    if left <= 0:
                        del self._faults[index]
                    else:
                        self._faults[index] = replace(fault, count=left)
                return fault
        return None


class FaultMiddleware:
    """Applies matching faults to every request except the admin API's own."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request under the first matching fault, if any."""
        if scope["type"] != "http" or scope["path"].startswith(PREFIXES[System.ADMIN]):
            await self.app(scope, receive, send)
            return
        fault = self.faults.take(scope["method"], scope["path"])
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.after_commit:
            response = await capture(self.app, scope, receive)
            await asyncio.sleep(fault.delay_ms / 1000)
            if fault.status is None:
                await response.send(send)
            else:
                await send_json(send, fault.status, FAULT_BODY)
            return
        # The request has arrived whole and only its processing is slow, so take its body now,
        # as a real server holds it: a client that gives up meanwhile (a killed worker) must
        # still leave the complete request behind. Read later, uvicorn would hand the route a
        # disconnect instead of the body, and a keyed write would be recorded as a bad request.
        body = await read_body(receive)
        await asyncio.sleep(fault.delay_ms / 1000)
        if fault.status is None:
            await self.app(scope, replay_body(body, receive), send)
        else:
            await send_json(send, fault.status, FAULT_BODY)
