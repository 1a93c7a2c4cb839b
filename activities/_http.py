"""JSON over HTTP to a backend system, with errors mapped to retry semantics.

Every activity talks to its backend through `BackendApi.call`, so the rules of
what is retried, what is a clean "not found" and what is a bug live in one
place. The httpx client is injected by the worker (one per process, pooled).

In a local activity (the lookups) a request never outlives the schedule-to-close budget: its
timeout is cut to the time left, and with too little left the activity gives up with a final
(non-retryable) `BackendUnavailable` instead of sending a request that cannot finish. So a
lookup against a backend that hangs ends as an ordinary failure inside its budget, by the
activity's own hand, and never by the local-activity timeout — which the SDK's core enforces
in the worker (temporalio 1.35) and can miss when it falls between two attempts, and which
when it does fire leaves a history that no longer replays (see READ_OPTIONS in
workflows/call.py). A regular activity's timeouts are the server's, and work as documented.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from temporalio import activity

from activities import errors

# Kept back from the activity's deadline for the answer to travel back to the workflow.
DEADLINE_MARGIN_S = 0.3
# Below this, a request has no real chance: give up rather than start one.
MIN_REQUEST_S = 0.25


def segment(value: str) -> str:
    """One path segment holding an opaque id, percent-encoded so it names exactly one resource.

    Ids come from the customer's systems and may hold '/', '?', '#' or be "..": unencoded,
    `/customers/{id}` with id "C1/notes" or "../orders" would ask for another resource. Every
    reserved character is encoded (`safe=""`), and a dot-only segment too, since HTTP clients
    (httpx among them) resolve "." and ".." segments before sending.

    Args:
        value: The id, exactly as the backend gave it.

    Returns:
        The encoded segment, e.g. "C1%2Fnotes", "%2E%2E".
    """
    encoded = quote(value, safe="")
    if encoded in {".", ".."}:
        encoded = encoded.replace(".", "%2E")
    return encoded


def time_left_s() -> float | None:
    """Seconds left in the current local activity's schedule-to-close budget, else None.

    Counted from the first attempt's scheduling, so retries share one budget (both times come
    from the worker's own clock). None outside a local activity: a regular activity's budget
    is the server's to enforce, and outside an activity (unit tests, scripts) there is none.
    """
    if not activity.in_activity():
        return None
    info = activity.info()
    if not info.is_local or info.schedule_to_close_timeout is None or info.scheduled_time is None:
        return None
    deadline = info.scheduled_time + info.schedule_to_close_timeout
    return (deadline - datetime.now(UTC)).total_seconds() - DEADLINE_MARGIN_S


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
            ApplicationError: `NotFound` on 404 and 410, `Rejected` on other 4xx (with the
                backend's message), `BackendAuth` on 401/403, and the retryable
                `BackendUnavailable` on timeouts, connection errors, 429 and 5xx — final
                (non-retryable) once the activity's time is up.
        """
        system = self.system
        timeout = self.timeout_s
        left = time_left_s()
        if left is not None:
            if left < MIN_REQUEST_S:
                raise errors.out_of_time(system)
            timeout = min(timeout, left)
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
                timeout=timeout,
            )
        except httpx.TimeoutException as e:
            raise errors.unavailable(f"{system} timed out") from e
        except httpx.TransportError as e:
            raise errors.unavailable(f"{system} unreachable: {type(e).__name__}") from e

        status = resp.status_code
        if status in (401, 403):
            raise errors.auth_failed(system)
        if status in (404, 410):  # 410 Gone: the record was deleted — for a caller, no such thing
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
