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
from collections.abc import Mapping
from pathlib import Path

from callengine.codec import CodecConfigError, secret_or_dev
from callengine.settings import STATE_DIR

ENV_IDENTITY_KEY = "CALLENGINE_IDENTITY_KEY"
_MIN_LEN = 32


def load_identity_key(env: Mapping[str, str] | None = None, state_dir: Path = STATE_DIR) -> bytes:
    """The lockout-key secret from the environment, or the local development one.

    Raises:
        CodecConfigError: no secret outside local development, or one too short to be a secret.
    """
    e = os.environ if env is None else env
    key = secret_or_dev(
        e, ENV_IDENTITY_KEY, "a secret for account lockout keys", state_dir / "keys" / "identity-key"
    )
    if len(key) < _MIN_LEN:
        raise CodecConfigError(f"{ENV_IDENTITY_KEY} must be at least {_MIN_LEN} characters")
    return key.encode()
