"""The server secret that turns a customer id into an opaque lockout key.

Failed verifications are counted in one Temporal workflow per account; its
workflow id is an HMAC of the account's id under this secret, so neither the
id nor anything a caller said shows in workflow ids or the Web UI's lists.
The secret comes from `CALLENGINE_IDENTITY_KEY`; in local development one is
made once under `.callengine/keys/` (like the codec keys) so every process of
the local stack derives the same ids.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from callengine.codec import CodecConfigError, _dev_secret, _refuse, is_development
from callengine.settings import STATE_DIR

ENV_IDENTITY_KEY = "CALLENGINE_IDENTITY_KEY"
_MIN_LEN = 32


def load_identity_key(env: Mapping[str, str] | None = None, state_dir: Path = STATE_DIR) -> bytes:
    """The lockout-key secret from the environment, or the local development one.

    Raises:
        CodecConfigError: no secret outside local development, or one too short to be a secret.
    """
    e = os.environ if env is None else env
    key = e.get(ENV_IDENTITY_KEY, "").strip()
    if not key:
        if not is_development(e):
            raise _refuse(
                "a secret for account lockout keys",
                ENV_IDENTITY_KEY,
                e,
                "Set it to a long random string (e.g. `openssl rand -hex 32`).",
            )
        key = _dev_secret(state_dir / "keys" / "identity-key", secrets.token_urlsafe(32))
    if len(key) < _MIN_LEN:
        raise CodecConfigError(f"{ENV_IDENTITY_KEY} must be at least {_MIN_LEN} characters")
    return key.encode()
