"""JSON over HTTP to a backend system, with errors mapped to retry semantics.

Every activity talks to its backend through `BackendApi.call`, so the rules of
what is retried, what is a clean "not found" and what is a bug live in one
place. The httpx client is injected by the worker (one per process, pooled).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from activities import errors


@dataclass(frozen=True)
class BackendApi:
    """One backend system: base URL, auth headers, timeout, and what "404" means to a caller."""

    http: httpx.AsyncClient
    system: str
    base_url: str
    headers: Mapping[str, str]
    timeout_s: float
    not_found_message: str = "not found"

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Send one request and return the decoded JSON object body.

        Raises:
            ApplicationError: `NotFound` on 404, `Rejected` on other 4xx (with the
                backend's message), `BackendAuth` on 401/403, and the retryable
                `BackendUnavailable` on timeouts, connection errors, 429 and 5xx.
        """
        system = self.system
        headers = {"Accept": "application/json", **self.headers}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        try:
            resp = await self.http.request(
                method,
                self.base_url + path,
                headers=headers,
                json=json,
                params=params,
                timeout=self.timeout_s,
            )
        except httpx.TimeoutException as e:
            raise errors.unavailable(f"{system} timed out") from e
        except httpx.TransportError as e:
            raise errors.unavailable(f"{system} unreachable: {type(e).__name__}") from e

        status = resp.status_code
        if status in (401, 403):
            raise errors.auth_failed(system)
        if status == 404:
            raise errors.not_found(self.not_found_message)
        if status == 429 or status >= 500:
            raise errors.unavailable(f"{system} answered {status}")
        if status >= 400:
            raise errors.rejected(f"{system} refused the request ({status}): {_error_text(resp)}")
        try:
            body = resp.json()
        except ValueError as e:
            # A 2xx that is not JSON is a proxy or an outage page: worth a retry.
            raise errors.unavailable(f"{system} sent a non-JSON answer") from e
        if not isinstance(body, dict):
            raise errors.unavailable(f"{system} sent an unexpected answer")
        return body


def _error_text(resp: httpx.Response) -> str:
    """The vendor's own error message, whatever its envelope, kept short."""
    try:
        body = resp.json()
    except ValueError:
        return resp.text[:200]
    if isinstance(body, dict):
        for key in ("errors", "error", "description", "message", "details"):
            if key in body:
                return str(body[key])[:200]
    return str(body)[:200]
