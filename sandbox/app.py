"""The sandbox FastAPI app: every emulated system in one process, one SQLite store.

Request path, outermost first: request log → fault injection → idempotency →
routes. So the log shows what the client really got (an injected 500 too),
and an after-commit fault loses a response the idempotency layer has already
recorded — exactly what a retry with the same key must recover.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from sandbox import admin, crm, scheduling, shopify, twilio, zendesk
from sandbox.auth import SandboxTokens
from sandbox.errors import ApiError, http_error, invalid_input, problems_from_validation, system_for_path
from sandbox.faults import FaultMiddleware, Faults
from sandbox.idempotency import IdempotencyMiddleware
from sandbox.paths import EncodedSlashMiddleware
from sandbox.requestlog import RequestLog, RequestLogMiddleware
from sandbox.seed import load_seed
from sandbox.state import SandboxState
from sandbox.store import Store

# Body envelopes whose key the vendors leave out of field names in errors.
ENVELOPES = frozenset({"refund", "ticket"})


def _error_response(error: ApiError) -> Response:
    return JSONResponse(error.body, status_code=error.status, headers=error.headers)


async def _on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return _error_response(exc)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    # FastAPI's own 422 body would tell a client it is not talking to the real vendor.
    assert isinstance(exc, RequestValidationError)
    problems = problems_from_validation(exc.errors(), ENVELOPES)
    return _error_response(invalid_input(system_for_path(request.url.path), problems))


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return _error_response(http_error(system_for_path(request.url.path), exc.status_code, str(exc.detail)))


def create_app(seed_path: Path, tokens: SandboxTokens | None = None, *, db_path: str = ":memory:") -> FastAPI:
    """Build the sandbox app, loaded with a seed file.

    Args:
        seed_path: The seed JSON (shape in DESIGN.md); `POST /_admin/reset` re-reads it.
        tokens: Accepted credentials; defaults to `SandboxTokens.from_env()`.
        db_path: SQLite file to keep the data in, or ``":memory:"``.

    Raises:
        SeedError: The seed file is missing or invalid (the message names the field).
    """
    seed_path = Path(seed_path)
    state = SandboxState(
        store=Store(load_seed(seed_path), db_path),
        tokens=tokens or SandboxTokens.from_env(),
        seed_path=seed_path,
        faults=Faults(),
        requests=RequestLog(),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.store.close()

    app = FastAPI(title="callengine sandbox", version="1", lifespan=lifespan)
    app.state.sandbox = state
    for module in (shopify, zendesk, crm, scheduling, admin, twilio):
        app.include_router(module.router)
    app.include_router(twilio.admin_router)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    # add_middleware wraps: the last added is the outermost.
    app.add_middleware(IdempotencyMiddleware, state=state)
    app.add_middleware(FaultMiddleware, faults=state.faults)
    app.add_middleware(RequestLogMiddleware, log=state.requests)
    app.add_middleware(EncodedSlashMiddleware)  # outermost: such a path is no resource at all
    return app
