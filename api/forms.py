"""Reading Twilio's form-encoded webhook bodies.

Twilio posts voice webhooks as `application/x-www-form-urlencoded` only, so the body is parsed
here with the standard library instead of pulling in python-multipart (which Starlette needs
only for multipart uploads, something no Twilio request carries).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import FormData, UploadFile
from starlette.requests import ClientDisconnect, Request

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# A voice webhook is well under 2 kB; anything far larger is not Twilio.
MAX_BODY_BYTES = 64 * 1024
MAX_FIELDS = 200


async def read_form(request: Request) -> FormData | None:
    """The request's form params, every one kept (empty and repeated ones too).

    PROTOCOLS.md §2: the signature covers every param Twilio sent, empty ones included, so
    nothing may be dropped before validation.

    Args:
        request: An incoming webhook request.

    Returns:
        The params, or None when the body is not a small, valid, UTF-8 url-encoded form (or
        the sender disconnected before the body was complete).
    """
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != FORM_CONTENT_TYPE:
        return None
    body = bytearray()
    try:
        async for chunk in request.stream():  # bounded read: never buffer an oversize body
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return None
    except ClientDisconnect:  # the sender hung up mid-body: a truncated form is no form
        return None
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FIELDS
        )
    except ValueError:  # UnicodeDecodeError included; too many fields
        return None
    fields: list[tuple[str, str | UploadFile]] = list(pairs)
    return FormData(fields)
