"""Development is a choice, not a fallback: what `CALLENGINE_ENV` allows each process.

`CALLENGINE_ENV=development` (set by `make demo`, `callengine up` and the tests) lets a process
use the local defaults: the sandbox and its tokens, the development Twilio token, codec keys made
under `.callengine/keys/`, a stream-token key derived from the Twilio token, a loopback public
URL. `CALLENGINE_ENV=production` refuses every one of them: the process does not start, and the
message names each offending variable at once (never its value), so one deploy fixes them all.
Unset is an error too: a process that quietly made its own keys or talked to a sandbox in
production would look healthy while being neither safe nor useful.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

ENV_MODE = "CALLENGINE_ENV"
DEVELOPMENT = "development"
PRODUCTION = "production"

Role = Literal["api", "worker", "sandbox"]

# The development values in the code (callengine/settings.py, sandbox/auth.py). A production
# variable holding one of them is as bad as an unset one.
_DEV_VALUES = frozenset(
    {
        "dev-twilio-auth-token",
        "dev-shopify-token",
        "dev-zendesk-token",
        "dev-crm-token",
        "dev-scheduling-token",
        "dev-admin-token",
        "AC00000000000000000000000000000000",
    }
)
_MIN_SECRET_CHARS = 32  # the stream-token key: 32 random URL-safe characters carry ≥ 190 bits

_BACKEND_TOKENS = ("SHOPIFY_ACCESS_TOKEN", "ZENDESK_API_TOKEN", "CRM_API_TOKEN", "SCHEDULING_API_TOKEN")
_BACKEND_URLS = ("SHOPIFY_BASE_URL", "ZENDESK_BASE_URL", "CRM_BASE_URL", "SCHEDULING_BASE_URL")


class EnvironmentConfigError(RuntimeError):
    """`CALLENGINE_ENV` is missing or unknown, or production mode found development defaults."""


def mode(env: Mapping[str, str]) -> str:
    """`development` or `production`.

    Raises:
        EnvironmentConfigError: Unset, or another value.
    """
    value = env.get(ENV_MODE, "").strip().lower()
    if value in (DEVELOPMENT, PRODUCTION):
        return value
    if not value:
        raise EnvironmentConfigError(
            f"{ENV_MODE} is not set. Set {ENV_MODE}=development to run locally with the sandbox and "
            f"development keys (make demo, callengine up and the tests set it), or {ENV_MODE}=production "
            "with real secrets in the environment."
        )
    raise EnvironmentConfigError(f"{ENV_MODE}={value!r}: use development or production.")


def is_development(env: Mapping[str, str]) -> bool:
    """Whether development defaults (local keys, the sandbox) were chosen explicitly."""
    return env.get(ENV_MODE, "").strip().lower() == DEVELOPMENT


def _unset_or_dev(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    if not value:
        return f"{name} is not set"
    if value in _DEV_VALUES or value.startswith("dev-"):
        return f"{name} holds a development default"
    return None


def _public_url(env: Mapping[str, str]) -> str | None:
    url = env.get("CALLENGINE_PUBLIC_URL", "").strip()
    if not url:
        return "CALLENGINE_PUBLIC_URL is not set (the https URL Twilio reaches)"
    parts = urlsplit(url)
    if parts.scheme != "https":
        return "CALLENGINE_PUBLIC_URL is not https (Twilio signs and streams over TLS)"
    host = (parts.hostname or "").lower()
    try:
        loopback = ipaddress.ip_address(host).is_loopback or ipaddress.ip_address(host).is_unspecified
    except ValueError:
        loopback = host == "localhost" or host.endswith(".localhost")
    if not host or loopback:
        return "CALLENGINE_PUBLIC_URL is a loopback address (Twilio cannot reach it)"
    return None


def _long_secret(env: Mapping[str, str], name: str, purpose: str) -> str | None:
    # A key we derive MACs from: required, long, and not a development value.
    value = env.get(name, "").strip()
    if not value:
        return f"{name} is not set ({purpose})"
    if len(value) < _MIN_SECRET_CHARS or value.startswith("dev-"):
        return f"{name} is shorter than {_MIN_SECRET_CHARS} characters or a default"
    return None


def _codec(env: Mapping[str, str], *, token: bool) -> list[str | None]:
    keys = env.get("CALLENGINE_CODEC_KEYS", "").strip()
    found: list[str | None] = []
    if not keys:
        found.append("CALLENGINE_CODEC_KEYS is not set (the payload encryption keys)")
    elif any(entry.strip().startswith("dev-") for entry in keys.split(",")):
        # `dev-…` key ids are the ones local development makes under .callengine/keys/.
        found.append("CALLENGINE_CODEC_KEYS holds a development key (id dev-…)")
    if token and not env.get("CALLENGINE_CODEC_TOKEN", "").strip():
        found.append("CALLENGINE_CODEC_TOKEN is not set (the codec server's token)")
    return found


def production_problems(env: Mapping[str, str], role: Role) -> list[str]:
    """What a production `role` process would be running on that is a development default.

    Args:
        env: The environment.
        role: `api` (`callengine serve`), `worker` (`callengine worker`) or `sandbox`.

    Returns:
        One line per offending variable, naming it (never its value); empty when all is set.
    """
    found: list[str | None] = []
    if role in ("api", "worker"):
        found += [_unset_or_dev(env, "TWILIO_AUTH_TOKEN"), _unset_or_dev(env, "TWILIO_ACCOUNT_SID")]
        found += [_public_url(env), *_codec(env, token=role == "api")]
    if role == "api":
        found.append(
            _long_secret(env, "CALLENGINE_STREAM_TOKEN_SECRET", "the key of the per-call stream tokens")
        )
    if role == "worker":
        found.append(_long_secret(env, "CALLENGINE_IDENTITY_KEY", "the key of the per-account lockout ids"))
        found += [_unset_or_dev(env, name) for name in _BACKEND_TOKENS]
        found += [f"{name} is not set (the local sandbox)" for name in _BACKEND_URLS if not env.get(name)]
    if role == "sandbox":
        found += [_unset_or_dev(env, name) for name in (*_BACKEND_TOKENS, "SANDBOX_ADMIN_TOKEN")]
    return [line for line in found if line is not None]


def check_startup(env: Mapping[str, str], role: Role) -> str:
    """Refuse to start a process whose environment is not an explicit, complete choice.

    Args:
        env: The environment.
        role: What the process is (see `production_problems`).

    Returns:
        The mode, `development` or `production`.

    Raises:
        EnvironmentConfigError: `CALLENGINE_ENV` unset or unknown, or production with any
            development default (every offending variable named in one message).
    """
    chosen = mode(env)
    if chosen == PRODUCTION:
        problems = production_problems(env, role)
        if problems:
            raise EnvironmentConfigError(
                f"{ENV_MODE}=production refuses to start the {role} with development defaults:\n  - "
                + "\n  - ".join(problems)
            )
    return chosen
