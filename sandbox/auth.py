"""Per-system credentials, checked the way each real vendor checks them."""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fastapi import Request

from sandbox.errors import System, unauthorized


@dataclass(frozen=True)
class SandboxTokens:
    """The credentials the sandbox accepts; defaults match `callengine.settings`."""

    shopify: str = "dev-shopify-token"
    zendesk_email: str = "agent@example.com"
    zendesk: str = "dev-zendesk-token"
    crm: str = "dev-crm-token"
    scheduling: str = "dev-scheduling-token"
    admin: str = "dev-admin-token"
    twilio_account_sid: str = "AC00000000000000000000000000000000"
    twilio_auth_token: str = "dev-twilio-auth-token"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SandboxTokens:
        """Read the tokens from the environment variables named in sandbox/README.md."""
        e = os.environ if env is None else env
        d = cls()
        return cls(
            shopify=e.get("SHOPIFY_ACCESS_TOKEN", d.shopify),
            zendesk_email=e.get("ZENDESK_EMAIL", d.zendesk_email),
            zendesk=e.get("ZENDESK_API_TOKEN", d.zendesk),
            crm=e.get("CRM_API_TOKEN", d.crm),
            scheduling=e.get("SCHEDULING_API_TOKEN", d.scheduling),
            admin=e.get("SANDBOX_ADMIN_TOKEN", d.admin),
            twilio_account_sid=e.get("TWILIO_ACCOUNT_SID", d.twilio_account_sid),
            twilio_auth_token=e.get("TWILIO_AUTH_TOKEN", d.twilio_auth_token),
        )


def _same(given: str, expected: str) -> bool:
    return secrets.compare_digest(given.encode(), expected.encode())


def _bearer(headers: Mapping[str, str]) -> str:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def basic_credentials(headers: Mapping[str, str]) -> tuple[str, str] | None:
    """(user, password) of an HTTP Basic `Authorization` header, or None."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def _twilio_ok(headers: Mapping[str, str], tokens: SandboxTokens) -> bool:
    # Twilio: Basic AccountSid:AuthToken (API keys are not emulated).
    creds = basic_credentials(headers)
    return (
        creds is not None
        and _same(creds[0], tokens.twilio_account_sid)
        and _same(creds[1], tokens.twilio_auth_token)
    )


def _zendesk_ok(headers: Mapping[str, str], tokens: SandboxTokens) -> bool:
    creds = basic_credentials(headers)
    if creds is None:
        return False
    user, token = creds
    email, _, kind = user.rpartition("/")
    # Emails compare case-insensitively, as Zendesk logins do.
    return kind == "token" and email.lower() == tokens.zendesk_email.lower() and _same(token, tokens.zendesk)


def authorized(system: System, headers: Mapping[str, str], tokens: SandboxTokens) -> bool:
    """Whether the request headers carry this system's credential.

    Args:
        system: The emulated system the request is for.
        headers: Request headers (case-insensitive mapping, lower-case keys work).
        tokens: The accepted credentials.
    """
    if system is System.SHOPIFY:
        return _same(headers.get("x-shopify-access-token", ""), tokens.shopify)
    if system is System.ZENDESK:
        return _zendesk_ok(headers, tokens)
    if system is System.TWILIO:
        return _twilio_ok(headers, tokens)
    expected = {System.CRM: tokens.crm, System.SCHEDULING: tokens.scheduling, System.ADMIN: tokens.admin}[
        system
    ]
    given = _bearer(headers)
    return bool(given) and _same(given, expected)


def require(system: System) -> Callable[[Request], None]:
    """A FastAPI dependency that answers 401 in the system's shape unless authorized."""

    def dependency(request: Request) -> None:
        tokens: SandboxTokens = request.app.state.sandbox.tokens
        if not authorized(system, request.headers, tokens):
            raise unauthorized(system)

    return dependency
