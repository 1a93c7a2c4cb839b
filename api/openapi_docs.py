"""What the OpenAPI document says about each route (the document is served only when asked for).

The webhook handlers read the raw form themselves (`api/forms.py`: the signature must cover every
param exactly as sent), so FastAPI cannot infer their bodies from the handler signatures. The
route keyword arguments here describe them instead — the params the handlers read, which of them
they refuse when malformed (a `CallSid` that is not SID-shaped is a 400), the answers, and the
`X-Twilio-Signature` requirement — so API tooling (and the schemathesis tests) can send meaningful
requests. None of it changes how a request is answered.

`create_app(openapi_url=None)` is the production default: the API serves Twilio and load balancers,
not people, and a public map of it helps nobody but scanners. Tests and local tooling pass a path.
"""

from __future__ import annotations

from typing import Any

from fastapi import Security
from fastapi.params import Depends
from fastapi.responses import Response
from fastapi.security import APIKeyHeader

from api.forms import FORM_CONTENT_TYPE
from api.signature import SIGNATURE_HEADER
from api.twiml import TWIML_MEDIA_TYPE

# The signature is checked in the handlers (it covers the parsed body); this only documents the
# header. auto_error=False: it never answers for the handler, which gives the 403 itself.
_SIGNATURE = APIKeyHeader(
    name=SIGNATURE_HEADER,
    scheme_name="twilioSignature",
    description="HMAC-SHA1 of the public URL and the sorted form params with the Twilio Auth Token "
    "(PROTOCOLS.md §2).",
    auto_error=False,
)
SIGNED: list[Depends] = [Security(_SIGNATURE)]

CALL_SID_PATTERN = "^CA[0-9a-fA-F]{32}$"

_TEXT = {"text/plain": {"schema": {"type": "string"}}}
_TWIML = {TWIML_MEDIA_TYPE: {"schema": {"type": "string"}}}
_FORBIDDEN = {
    "description": "Missing or invalid `X-Twilio-Signature`, or a body that is not a small form.",
    "content": _TEXT,
}
_BAD_SID = {"description": "`CallSid` missing or not SID-shaped: not a Twilio request.", "content": _TEXT}
_ACCEPTED = {"description": "Accepted."}


def _form(properties: dict[str, dict[str, Any]], required: tuple[str, ...] = ()) -> dict[str, Any]:
    # Twilio sends many more params than a handler reads (geo fields, ApiVersion...): all strings.
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": {"type": "string"},
    }
    if required:
        schema["required"] = list(required)
    return {"requestBody": {"required": True, "content": {FORM_CONTENT_TYPE: {"schema": schema}}}}


_STRING: dict[str, Any] = {"type": "string"}
_SID: dict[str, Any] = {"type": "string", "pattern": CALL_SID_PATTERN}
_CALL_PARAMS = {
    "AccountSid": _STRING,
    "From": _STRING,
    "To": _STRING,
    "Direction": _STRING,
    "CallStatus": _STRING,
}


def _route(
    openapi_extra: dict[str, Any], responses: dict[int | str, dict[str, Any]], status_code: int = 200
) -> dict[str, Any]:
    return {
        "status_code": status_code,
        "dependencies": SIGNED,
        "response_class": Response,
        "responses": responses,
        "openapi_extra": openapi_extra,
    }


VOICE = _route(
    _form({"CallSid": _SID, **_CALL_PARAMS}, required=("CallSid",)),
    {
        200: {
            "description": 'TwiML `<Connect><Stream>` with one `<Parameter name="token">`: the call\'s '
            "stream token (CallSid, caller, called, expiry; HMAC-signed), which `start` must carry.",
            "content": _TWIML,
        },
        400: _BAD_SID,
        403: _FORBIDDEN,
        503: {
            "description": "Draining: Twilio requests the number's Voice Fallback URL instead.",
            "content": _TEXT,
        },
    },
)
STATUS = _route(
    _form({"CallSid": _SID, **_CALL_PARAMS, "CallDuration": _STRING}, required=("CallSid",)),
    {204: _ACCEPTED, 400: _BAD_SID, 403: _FORBIDDEN},
    status_code=204,
)
# Logged and counted only: nothing in it is required.
STREAM_STATUS = _route(
    _form({"CallSid": _STRING, "StreamSid": _STRING, "StreamEvent": _STRING, "StreamError": _STRING}),
    {204: _ACCEPTED, 403: _FORBIDDEN},
    status_code=204,
)
# Once the signature is good the fallback never refuses anything: Twilio would drop the caller.
FALLBACK = _route(
    _form({"CallSid": _STRING, **_CALL_PARAMS}),
    {200: {"description": "TwiML: `<Hangup/>`, `<Enqueue>` or empty.", "content": _TWIML}, 403: _FORBIDDEN},
)

# The human's leg of a transfer (`<Number url>`): the query names the caller's call and the ticket;
# anything unusable there is ignored and the whisper says less, it never refuses.
WHISPER = _route(
    {
        **_form(_CALL_PARAMS),
        "parameters": [
            {"name": "CallSid", "in": "query", "required": False, "schema": _STRING},
            {"name": "ticket", "in": "query", "required": False, "schema": _STRING},
        ],
    },
    {
        200: {
            "description": "TwiML: the handoff summary, spoken to the human; once per human leg "
            "(`CallSid` of the form): a repeated request gets an empty `<Response/>`.",
            "content": _TWIML,
        },
        403: _FORBIDDEN,
    },
)

_HEALTH_SCHEMA = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}, "draining": {"type": "boolean"}},
    "required": ["ok"],
}
HEALTHZ: dict[str, Any] = {
    "responses": {
        200: {"description": "Taking calls.", "content": {"application/json": {"schema": _HEALTH_SCHEMA}}},
        503: {"description": "Draining.", "content": {"application/json": {"schema": _HEALTH_SCHEMA}}},
    }
}
METRICS: dict[str, Any] = {
    "response_class": Response,
    "responses": {200: {"description": "Prometheus text exposition.", "content": _TEXT}},
}
