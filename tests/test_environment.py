"""Production refuses every development default; development is chosen, never fallen into.

The process tests run the real `callengine serve`, `callengine worker` and `python -m sandbox`
and read what they print before exiting: nothing listens, nothing is made up.
"""

from __future__ import annotations

import asyncio
import secrets
import sys

import pytest

from callengine.environment import EnvironmentConfigError, check_startup, production_problems
from callengine.settings import REPO_ROOT

# A production environment with every secret and URL set (none of them real).
GOOD: dict[str, str] = {
    "CALLENGINE_ENV": "production",
    "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
    "TWILIO_ACCOUNT_SID": "AC" + secrets.token_hex(16),
    "CALLENGINE_PUBLIC_URL": "https://calls.example.com",
    "CALLENGINE_STREAM_TOKEN_SECRET": secrets.token_urlsafe(32),
    "CALLENGINE_CODEC_KEYS": "k20261201:" + "A" * 43 + "=",
    "CALLENGINE_CODEC_TOKEN": secrets.token_urlsafe(32),
    "CALLENGINE_IDENTITY_KEY": secrets.token_urlsafe(32),
    "SHOPIFY_BASE_URL": "https://shop.example.com",
    "SHOPIFY_ACCESS_TOKEN": secrets.token_hex(16),
    "ZENDESK_BASE_URL": "https://help.example.com",
    "ZENDESK_API_TOKEN": secrets.token_hex(16),
    "CRM_BASE_URL": "https://crm.example.com",
    "CRM_API_TOKEN": secrets.token_hex(16),
    "SCHEDULING_BASE_URL": "https://book.example.com",
    "SCHEDULING_API_TOKEN": secrets.token_hex(16),
    "SANDBOX_ADMIN_TOKEN": secrets.token_hex(16),
}


@pytest.mark.parametrize("role", ["api", "worker", "sandbox"])
def test_a_complete_production_environment_starts(role: str) -> None:
    assert production_problems(GOOD, role) == []  # type: ignore[arg-type]
    assert check_startup(GOOD, role) == "production"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("role", "change", "named"),
    [
        (
            "api",
            {"TWILIO_AUTH_TOKEN": "dev-twilio-auth-token"},
            "TWILIO_AUTH_TOKEN holds a development default",
        ),
        ("api", {"TWILIO_AUTH_TOKEN": None}, "TWILIO_AUTH_TOKEN is not set"),
        ("api", {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32}, "TWILIO_ACCOUNT_SID holds a development default"),
        ("api", {"CALLENGINE_STREAM_TOKEN_SECRET": None}, "CALLENGINE_STREAM_TOKEN_SECRET is not set"),
        ("api", {"CALLENGINE_STREAM_TOKEN_SECRET": "short"}, "CALLENGINE_STREAM_TOKEN_SECRET is shorter"),
        ("api", {"CALLENGINE_CODEC_TOKEN": None}, "CALLENGINE_CODEC_TOKEN is not set"),
        ("api", {"CALLENGINE_CODEC_KEYS": None}, "CALLENGINE_CODEC_KEYS is not set"),
        (
            "worker",
            {"CALLENGINE_CODEC_KEYS": "dev-1a2b:" + "A" * 43 + "="},
            "CALLENGINE_CODEC_KEYS holds a dev",
        ),
        ("api", {"CALLENGINE_PUBLIC_URL": "http://calls.example.com"}, "CALLENGINE_PUBLIC_URL is not https"),
        ("api", {"CALLENGINE_PUBLIC_URL": "https://127.0.0.1:8080"}, "CALLENGINE_PUBLIC_URL is a loopback"),
        ("api", {"CALLENGINE_PUBLIC_URL": "https://localhost"}, "CALLENGINE_PUBLIC_URL is a loopback"),
        ("api", {"CALLENGINE_PUBLIC_URL": "https://[::1]/"}, "CALLENGINE_PUBLIC_URL is a loopback"),
        ("worker", {"CALLENGINE_PUBLIC_URL": None}, "CALLENGINE_PUBLIC_URL is not set"),
        ("worker", {"CRM_API_TOKEN": "dev-crm-token"}, "CRM_API_TOKEN holds a development default"),
        ("worker", {"CALLENGINE_IDENTITY_KEY": None}, "CALLENGINE_IDENTITY_KEY is not set"),
        ("worker", {"CALLENGINE_IDENTITY_KEY": "short"}, "CALLENGINE_IDENTITY_KEY is shorter"),
        ("worker", {"SHOPIFY_ACCESS_TOKEN": None}, "SHOPIFY_ACCESS_TOKEN is not set"),
        ("worker", {"ZENDESK_BASE_URL": None}, "ZENDESK_BASE_URL is not set (the local sandbox)"),
        ("sandbox", {"SANDBOX_ADMIN_TOKEN": "dev-admin-token"}, "SANDBOX_ADMIN_TOKEN holds a development"),
    ],
)
def test_each_development_default_is_named(role: str, change: dict[str, str | None], named: str) -> None:
    env = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    problems = production_problems(env, role)  # type: ignore[arg-type]
    assert len(problems) == 1 and problems[0].startswith(named), problems
    with pytest.raises(EnvironmentConfigError, match="production refuses to start"):
        check_startup(env, role)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [None, "", "staging", "prod"])
def test_development_is_a_choice_not_a_fallback(value: str | None) -> None:
    env = {} if value is None else {"CALLENGINE_ENV": value}
    with pytest.raises(EnvironmentConfigError, match="CALLENGINE_ENV"):
        check_startup(env, "api")
    assert check_startup({"CALLENGINE_ENV": "development"}, "api") == "development"


async def _run(*args: str, env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        env=env,
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, err.decode()


# Only what a process needs to run Python: no CALLENGINE_*, Twilio or backend variable.
BARE = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}


async def test_production_processes_with_development_defaults_refuse_to_start_naming_each_variable() -> None:
    env = {**BARE, "CALLENGINE_ENV": "production", "CALLENGINE_PUBLIC_URL": "http://127.0.0.1:8080"}
    code, err = await _run("-m", "callengine", "serve", env=env)
    assert code == 2, err[-2000:]
    for line in (
        "TWILIO_AUTH_TOKEN is not set",
        "TWILIO_ACCOUNT_SID is not set",
        "CALLENGINE_PUBLIC_URL is not https",
        "CALLENGINE_CODEC_KEYS is not set",
        "CALLENGINE_CODEC_TOKEN is not set",
        "CALLENGINE_STREAM_TOKEN_SECRET is not set",
    ):
        assert line in err, (line, err[-2000:])
    code, err = await _run("-m", "callengine", "worker", env={**env, "CRM_API_TOKEN": "dev-crm-token"})
    assert code == 2 and "CRM_API_TOKEN holds a development default" in err, err[-2000:]
    assert "SHOPIFY_BASE_URL is not set (the local sandbox)" in err
    assert "CALLENGINE_IDENTITY_KEY is not set" in err
    code, err = await _run("-m", "sandbox", "--port", "0", env={**BARE, "CALLENGINE_ENV": "production"})
    assert code == 2 and "SANDBOX_ADMIN_TOKEN is not set" in err, err[-2000:]


async def test_without_a_chosen_environment_no_process_starts() -> None:
    for args in (("-m", "callengine", "serve"), ("-m", "callengine", "worker"), ("-m", "sandbox")):
        code, err = await _run(*args, env=BARE)
        assert code == 2 and "CALLENGINE_ENV is not set" in err, (args, err[-2000:])
