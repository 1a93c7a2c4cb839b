"""Error bodies in each emulated vendor's own shape.

Every error leaving the sandbox — from a route, from request validation, from
an unknown path, from the idempotency layer — goes through here, so a client
written for the real service parses the sandbox's errors unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

JSON = dict[str, Any]


class System(StrEnum):
    SHOPIFY = "shopify"
    ZENDESK = "zendesk"
    CRM = "crm"
    SCHEDULING = "scheduling"
    ADMIN = "admin"
    TWILIO = "twilio"


PREFIXES: dict[System, str] = {
    System.SHOPIFY: "/admin/api/2024-10",
    System.ZENDESK: "/api/v2",
    System.CRM: "/crm/v1",
    System.SCHEDULING: "/scheduling/v1",
    System.ADMIN: "/_admin",
    System.TWILIO: "/2010-04-01",
}

# The 2024-10 prefix is what the contract names, but any Shopify API version
# path should still get Shopify-shaped errors.
_SHOPIFY_ANY_VERSION = "/admin/api/"


def system_for_path(path: str) -> System | None:
    """Which emulated system a request path belongs to, if any."""
    if path.startswith(_SHOPIFY_ANY_VERSION):
        return System.SHOPIFY
    for system, prefix in PREFIXES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return system
    return None


class ApiError(Exception):
    """An HTTP error response, already in the vendor's shape."""

    def __init__(self, status: int, body: JSON, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


_UNAUTHORIZED: dict[System, JSON] = {
    System.SHOPIFY: {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
    },
    System.ZENDESK: {"error": "Couldn't authenticate you"},
}


def _coded(code: str, message: str) -> JSON:
    return {"error": {"code": code, "message": message}}


def twilio_error(status: int, code: int, message: str) -> ApiError:
    """An error in Twilio's REST shape (`code` is Twilio's numeric error code)."""
    return ApiError(
        status,
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
    )


def unauthorized(system: System) -> ApiError:
    """401 for a missing or wrong credential."""
    if system is System.TWILIO:
        return ApiError(
            401,
            twilio_error(401, 20003, "Authenticate").body,
            {"WWW-Authenticate": 'Basic realm="Twilio API"'},
        )
    body = _UNAUTHORIZED.get(system) or _coded("unauthorized", "missing or invalid bearer token")
    headers = {"WWW-Authenticate": 'Basic realm="Zendesk"'} if system is System.ZENDESK else None
    return ApiError(401, body, headers)


def not_found(system: System | None, message: str = "Not found") -> ApiError:
    """404; Shopify and Zendesk use fixed bodies whatever is missing."""
    if system is System.SHOPIFY:
        return ApiError(404, {"errors": "Not Found"})
    if system is System.ZENDESK:
        return ApiError(404, {"error": "RecordNotFound", "description": "Not found"})
    if system is System.TWILIO:
        return twilio_error(404, 20404, f"The requested resource was not found: {message}")
    return ApiError(404, _coded("not_found", message))


def http_error(system: System | None, status: int, message: str) -> ApiError:
    """Any other framework-level HTTP error (405, 415 …) in the vendor's shape."""
    if status == 404:
        return not_found(system, message)
    if system is System.SHOPIFY:
        return ApiError(status, {"errors": message})
    if system is System.ZENDESK:
        return ApiError(status, {"error": message.replace(" ", ""), "description": message})
    if system is System.TWILIO:
        return twilio_error(status, 20001 if status < 500 else 20500, message)
    return ApiError(status, _coded(message.lower().replace(" ", "_"), message))


def coded(status: int, code: str, message: str) -> ApiError:
    """CRM / scheduling / admin style: ``{"error": {"code", "message"}}``."""
    return ApiError(status, _coded(code, message))


def shopify_invalid(field: str, *messages: str) -> ApiError:
    """Shopify 422: ``{"errors": {"field": ["msg"]}}``."""
    return ApiError(422, {"errors": {field: list(messages)}})


def zendesk_invalid(details: dict[str, list[str]]) -> ApiError:
    """Zendesk 422 RecordInvalid with per-field details."""
    return ApiError(
        422,
        {
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {
                field: [{"description": message, "error": "InvalidValue"} for message in messages]
                for field, messages in details.items()
            },
        },
    )


def _leaf(field: str) -> str:
    """The last named part of a dotted field path: ``transactions.0.amount`` → ``amount``."""
    named = [part for part in field.split(".") if not part.isdigit()]
    return named[-1] if named else field


class FieldProblem:
    """One invalid input: a field name (``subject``, ``comment.body``) and what is wrong."""

    __slots__ = ("blank", "field", "message")

    def __init__(self, field: str, message: str, *, blank: bool = False) -> None:
        self.field = field
        self.message = message
        self.blank = blank


def invalid_input(system: System | None, problems: Sequence[FieldProblem]) -> ApiError:
    """A 422 for bad request input, shaped for the system the path belongs to."""
    if system is System.SHOPIFY:
        errors: dict[str, list[str]] = {}
        for p in problems:
            errors.setdefault(_leaf(p.field), []).append("can't be blank" if p.blank else p.message)
        return ApiError(422, {"errors": errors})
    if system is System.ZENDESK:
        details: dict[str, list[JSON]] = {}
        for p in problems:
            label = _leaf(p.field).replace("_", " ").capitalize()
            text = "cannot be blank" if p.blank else p.message
            details.setdefault(p.field, []).append(
                {"description": f"{label}: {text}", "error": "BlankValue" if p.blank else "InvalidValue"}
            )
        return ApiError(
            422, {"error": "RecordInvalid", "description": "Record validation errors", "details": details}
        )
    first = problems[0]
    leaf = _leaf(first.field)
    message = "; ".join(f"{p.field}: {'is required' if p.blank else p.message}" for p in problems)
    return coded(422, "invalid_json" if leaf == "json" else f"invalid_{leaf}", message)


def problems_from_validation(errors: Iterable[Any], envelopes: frozenset[str]) -> list[FieldProblem]:
    """Turn pydantic/FastAPI error dicts into field problems.

    The request location (``body``, ``query``, ``path``) and a wrapping
    envelope key (``refund``, ``ticket``) are dropped from the field name,
    because the vendors name fields inside the envelope.
    """
    problems = []
    for error in errors:
        loc = list(error.get("loc", ()))
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]
        if loc and loc[0] in envelopes and len(loc) > 1:
            loc = loc[1:]
        if error.get("type") == "json_invalid":
            problems.append(FieldProblem("json", "request body is not valid JSON"))
            continue
        field = ".".join(str(part) for part in loc) or "body"
        message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
        blank = error.get("type") == "missing" or message == "cannot be blank"
        problems.append(FieldProblem(field, message, blank=blank))
    return problems
