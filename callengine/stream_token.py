"""Per-call stream tokens: a media stream is bound to the signed webhook that asked for it.

The media upgrade's `X-Twilio-Signature` covers only the fixed `wss://…/twilio/media` URL, and
the `start` message is not signed at all, so neither says *which call* a stream may speak for.
`POST /twilio/voice` is signed over the CallSid, the caller and the rest of the form: there the
API issues a token, an HMAC-SHA256 over the AccountSid, the CallSid, the caller and called
numbers and an expiry, keyed by a server secret every replica shares. It travels to Twilio as a
`<Parameter>` of the `<Stream>` and comes back in `start.customParameters`; the session accepts
a stream only with a valid, unexpired token for its `callSid` and our AccountSid, and takes
caller ID from the token, never from the message's other (unsigned) parameters.

Wire format: `v1.<base64url JSON {"caller","called","exp"}>.<base64url MAC>`. The caller and
called numbers are readable in it, as they were as plain `<Parameter>`s before: the token is an
integrity check, not a secret store, and is never logged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["PARAMETER", "TTL_S", "StreamBinding", "StreamTokenError", "StreamTokens", "derive_secret"]

# The `<Parameter name>` the token travels under.
PARAMETER = "token"
# Twilio opens the stream within a second or two of our TwiML answer; two minutes covers that
# with room for clock skew between replicas, and a token captured later is useless. Streams are
# never reopened for a call (a lost stream goes to the human queue through `<Connect action>`),
# so nothing legitimate presents a token after that.
TTL_S = 120
_VERSION = "v1"
# Larger than any real token (two E.164 numbers, or SIP URIs, and an expiry): parse nothing bigger.
MAX_TOKEN_CHARS = 2048
_DOMAIN = "callengine/stream-token"


class StreamTokenError(ValueError):
    """A token that does not admit this stream. `reason` is short and log-safe (no token text)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StreamBinding:
    """What a valid token vouches for: the call's numbers as Twilio signed them on the webhook."""

    caller: str
    called: str
    expires_at: int


def derive_secret(configured: str, twilio_auth_token: str) -> bytes:
    """The MAC key: `CALLENGINE_STREAM_TOKEN_SECRET`, or in development one derived from Twilio's.

    A key made per process would not verify on another API replica (the webhook and the stream
    may reach different ones), so without a configured secret the key is derived from the Twilio
    auth token, which every replica shares. Production requires its own secret
    (callengine/environment.py), so the Twilio credential is not the only thing guarding calls.
    """
    if configured:
        return configured.encode()
    return hmac.new(twilio_auth_token.encode(), _DOMAIN.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class StreamTokens:
    """Issues tokens on the webhook and checks them on `start`, for one Twilio account."""

    def __init__(
        self,
        secret: bytes,
        account_sid: str | None,
        *,
        ttl_s: float = TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Create an issuer/verifier.

        Args:
            secret: The MAC key (`derive_secret`); the same on every API replica.
            account_sid: Our Twilio AccountSid (`TWILIO_ACCOUNT_SID`): tokens are bound to it and
                `start` must name it. None in development when it is not configured: each token
                is then bound to the AccountSid of the signed webhook that asked for it, and
                `start` must name that one — a local Twilio-faithful caller on its own test account
                works, and a stream still cannot speak for another account's call. Production
                requires it (callengine/environment.py).
            ttl_s: How long after the webhook the stream may start.
            clock: Wall-clock seconds (replicas compare expiries, so not a monotonic clock).
        """
        self._secret = secret
        self.account_sid = account_sid
        self.ttl_s = ttl_s
        self._clock = clock

    def _mac(self, account_sid: str, call_sid: str, caller: str, called: str, expires_at: int) -> bytes:
        # A JSON array is an unambiguous encoding: no field can spill into the next.
        message = json.dumps([_DOMAIN, _VERSION, account_sid, call_sid, caller, called, expires_at])
        return hmac.new(self._secret, message.encode(), hashlib.sha256).digest()

    def issue(self, call_sid: str, caller: str, called: str, *, webhook_account_sid: str = "") -> str:
        """A token for one call, valid for `ttl_s`.

        Args:
            call_sid: The CallSid of the signed webhook.
            caller: Its `From` (caller ID).
            called: Its `To` (the number dialled).
            webhook_account_sid: Its `AccountSid`; the token's account when ours is not configured.

        Returns:
            The token, for a `<Parameter name="token">`.
        """
        account = self.account_sid if self.account_sid is not None else webhook_account_sid
        expires_at = int(self._clock() + self.ttl_s)
        fields: dict[str, object] = {"caller": caller, "called": called, "exp": expires_at}
        if self.account_sid is None:
            fields["acct"] = account  # covered by the MAC like everything else
        body = json.dumps(fields, separators=(",", ":"))
        mac = self._mac(account, call_sid, caller, called, expires_at)
        return f"{_VERSION}.{_b64(body.encode())}.{_b64(mac)}"

    def verify(self, token: str | None, *, call_sid: str, account_sid: str) -> StreamBinding:
        """Check a `start` message's token against the CallSid and AccountSid it names.

        Args:
            token: `start.customParameters.token` (None when absent).
            call_sid: `start.callSid`.
            account_sid: `start.accountSid`.

        Returns:
            The numbers the token vouches for.

        Raises:
            StreamTokenError: No token, a malformed or forged one, one for another call or
                account, or an expired one.
        """
        if not token:
            raise StreamTokenError("start carries no stream token")
        if len(token) > MAX_TOKEN_CHARS:
            raise StreamTokenError("stream token too long")
        version, _, rest = token.partition(".")
        body_b64, _, mac_b64 = rest.partition(".")
        if version != _VERSION or not body_b64 or not mac_b64:
            raise StreamTokenError("stream token malformed")
        try:
            body: Any = json.loads(_unb64(body_b64))
            mac = _unb64(mac_b64)
        except (binascii.Error, ValueError, RecursionError):
            raise StreamTokenError("stream token malformed") from None
        if not isinstance(body, dict):
            raise StreamTokenError("stream token malformed")
        caller, called, expires_at = body.get("caller"), body.get("called"), body.get("exp")
        if not isinstance(caller, str) or not isinstance(called, str) or type(expires_at) is not int:
            raise StreamTokenError("stream token malformed")
        bound = self.account_sid if self.account_sid is not None else body.get("acct")
        if not isinstance(bound, str):
            raise StreamTokenError("stream token malformed")
        # Unpinned and a webhook that named no account (a local caller that leaves it out): the
        # token binds none, and the CallSid under the MAC still ties the stream to its call.
        if (bound or self.account_sid is not None) and not hmac.compare_digest(
            account_sid.encode(), bound.encode()
        ):
            raise StreamTokenError("start names another Twilio account")
        # The MAC first: an expiry is only worth reading once we know we wrote it.
        if not hmac.compare_digest(mac, self._mac(bound, call_sid, caller, called, expires_at)):
            raise StreamTokenError("stream token not valid for this call")
        if self._clock() > expires_at:
            raise StreamTokenError("stream token expired")
        return StreamBinding(caller=caller, called=called, expires_at=expires_at)
