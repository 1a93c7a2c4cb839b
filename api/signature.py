"""`X-Twilio-Signature` checks for webhooks and the media WebSocket upgrade (PROTOCOLS.md §2).

The URL Twilio signed is the *public* one it was given (`CALLENGINE_PUBLIC_URL`), never the
URL this process sees: behind a TLS-terminating proxy or load balancer the request arrives as
`http://internal-host:8080/...`. `X-Forwarded-*` headers are not trusted for this: anyone can
send them, while the public URL is configuration.

Only the Auth Token + HMAC-SHA1 scheme is supported. A request signed with a SharedKey
(`X-Twilio-Webhooks-Signature-Settings`) fails validation, which is the safe failure.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import FormData, ImmutableMultiDict
from starlette.requests import HTTPConnection
from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"


def websocket_base(public_url: str) -> str:
    """The WebSocket base for a public URL: https→wss, http→ws (DESIGN.md, HTTP contracts).

    Args:
        public_url: `CALLENGINE_PUBLIC_URL`, e.g. `https://calls.example.com`.

    Returns:
        The same base with the WebSocket scheme and no trailing slash.

    Raises:
        ValueError: The public URL is not http(s).
    """
    parts = urlsplit(public_url.rstrip("/"))
    scheme = {"https": "wss", "http": "ws"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise ValueError(f"CALLENGINE_PUBLIC_URL must be an http(s) URL, got {public_url!r}")
    return parts._replace(scheme=scheme).geturl()


class SignatureChecker:
    """Validates Twilio signatures against the configured public URL."""

    def __init__(self, auth_token: str, public_url: str) -> None:
        """Create a checker.

        Args:
            auth_token: The Twilio Auth Token (the local development token when unset: checks
                are never switched off).
            public_url: The https base Twilio reaches, `CALLENGINE_PUBLIC_URL`.
        """
        self._validator = RequestValidator(auth_token)
        self.http_base = public_url.rstrip("/")
        self.ws_base = websocket_base(public_url)

    def signed_url(self, conn: HTTPConnection) -> str:
        """The URL Twilio signed for this HTTP request: public base + path + raw query string.

        Raises:
            UnicodeDecodeError: The query string is not UTF-8 (Starlette decodes it strictly);
                Twilio never sends one, so the checks below refuse such a request.
        """
        query = conn.url.query
        return self.http_base + conn.url.path + (f"?{query}" if query else "")

    def check_form(self, conn: HTTPConnection, form: FormData) -> bool:
        """Check a form-encoded webhook: the signature covers the URL and every POST param.

        Args:
            conn: The request.
            form: Its parsed body; all params, empty ones included (PROTOCOLS.md §2 pitfalls).

        Returns:
            Whether the signature is present and valid.
        """
        signature = conn.headers.get(SIGNATURE_HEADER)
        if not signature:
            return False
        # Twilio posts plain form fields; a file upload is not Twilio.
        if any(not isinstance(value, str) for _, value in form.multi_items()):
            return False
        try:
            url = self.signed_url(conn)
        except UnicodeDecodeError:
            return False
        # FormData is a multi-dict with `getlist`, so repeated keys are signed as Twilio does.
        return bool(self._validator.validate(url, form, signature))

    def check_websocket(self, conn: HTTPConnection) -> bool:
        """Check a Media Streams upgrade request.

        PROTOCOLS.md §2: Twilio signs the handshake with URL `wss://<host><path>` and the query
        params (if any) as the params dict. Our stream URL has no query string (error 31920),
        so normally the params are empty.

        Args:
            conn: The WebSocket connection, before it is accepted.

        Returns:
            Whether the signature is present and valid.
        """
        signature = conn.headers.get(SIGNATURE_HEADER)
        if not signature:
            return False
        params: ImmutableMultiDict[str, str] = conn.query_params
        try:
            path = conn.url.path
        except UnicodeDecodeError:  # building the URL decodes the query string strictly
            return False
        return bool(self._validator.validate(self.ws_base + path, params, signature))
