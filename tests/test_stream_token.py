"""The per-call stream token alone: what it admits and everything it refuses."""

from __future__ import annotations

import base64
import json

import pytest

from callengine.stream_token import TTL_S, StreamTokenError, StreamTokens, derive_secret

ACCOUNT = "AC" + "0" * 32
CALL_A = "CA" + "a" * 32
CALL_B = "CA" + "b" * 32
CALLER = "+14155550101"
OURS = "+18005550100"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tokens(clock: Clock) -> StreamTokens:
    return StreamTokens(derive_secret("", "dev-twilio-auth-token"), ACCOUNT, clock=clock)


def test_a_token_admits_its_own_call_and_carries_the_signed_numbers(tokens: StreamTokens) -> None:
    binding = tokens.verify(tokens.issue(CALL_A, CALLER, OURS), call_sid=CALL_A, account_sid=ACCOUNT)
    assert (binding.caller, binding.called) == (CALLER, OURS)


def test_every_replica_with_the_same_configuration_verifies_the_others_tokens(clock: Clock) -> None:
    # The webhook and the stream may reach different API processes: the key is configuration.
    one = StreamTokens(derive_secret("", "tok"), ACCOUNT, clock=clock)
    other = StreamTokens(derive_secret("", "tok"), ACCOUNT, clock=clock)
    assert (
        other.verify(one.issue(CALL_A, CALLER, OURS), call_sid=CALL_A, account_sid=ACCOUNT).caller == CALLER
    )
    configured = StreamTokens(derive_secret("a-configured-secret", "tok"), ACCOUNT, clock=clock)
    with pytest.raises(StreamTokenError, match="not valid for this call"):
        configured.verify(one.issue(CALL_A, CALLER, OURS), call_sid=CALL_A, account_sid=ACCOUNT)


def test_a_token_for_another_call_is_refused(tokens: StreamTokens) -> None:
    with pytest.raises(StreamTokenError, match="not valid for this call"):
        tokens.verify(tokens.issue(CALL_A, CALLER, OURS), call_sid=CALL_B, account_sid=ACCOUNT)


def test_an_expired_token_is_refused(tokens: StreamTokens, clock: Clock) -> None:
    token = tokens.issue(CALL_A, CALLER, OURS)
    clock.now += TTL_S
    assert tokens.verify(token, call_sid=CALL_A, account_sid=ACCOUNT).caller == CALLER  # the last second
    clock.now += 1
    with pytest.raises(StreamTokenError, match="expired"):
        tokens.verify(token, call_sid=CALL_A, account_sid=ACCOUNT)


def test_another_account_is_refused(tokens: StreamTokens) -> None:
    token = tokens.issue(CALL_A, CALLER, OURS)
    with pytest.raises(StreamTokenError, match="another Twilio account"):
        tokens.verify(token, call_sid=CALL_A, account_sid="AC" + "1" * 32)
    theirs = StreamTokens(derive_secret("", "dev-twilio-auth-token"), "AC" + "1" * 32)
    with pytest.raises(StreamTokenError, match="not valid for this call"):
        tokens.verify(theirs.issue(CALL_A, CALLER, OURS), call_sid=CALL_A, account_sid=ACCOUNT)


def test_without_a_configured_account_a_token_holds_the_webhooks_account(clock: Clock) -> None:
    # Development without TWILIO_ACCOUNT_SID: a local Twilio-faithful caller on its own test
    # account must work, and its stream is still held to the account its signed webhook named.
    open_tokens = StreamTokens(derive_secret("", "dev-twilio-auth-token"), None, clock=clock)
    theirs = "AC" + "7" * 32
    token = open_tokens.issue(CALL_A, CALLER, OURS, webhook_account_sid=theirs)
    assert open_tokens.verify(token, call_sid=CALL_A, account_sid=theirs).caller == CALLER
    with pytest.raises(StreamTokenError, match="another Twilio account"):
        open_tokens.verify(token, call_sid=CALL_A, account_sid=ACCOUNT)
    # The account inside the token is covered by the MAC: rewriting it to match a start is refused.
    with pytest.raises(StreamTokenError, match="not valid for this call"):
        open_tokens.verify(_edit_body(token, acct=ACCOUNT), call_sid=CALL_A, account_sid=ACCOUNT)
    # A configured account ignores what the webhook said.
    pinned = StreamTokens(derive_secret("", "dev-twilio-auth-token"), ACCOUNT, clock=clock)
    with pytest.raises(StreamTokenError, match="another Twilio account"):
        token = pinned.issue(CALL_A, CALLER, OURS, webhook_account_sid=theirs)
        pinned.verify(token, call_sid=CALL_A, account_sid=theirs)


def _edit_body(token: str, **changes: object) -> str:
    version, body, mac = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data.update(changes)
    edited = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{version}.{edited}.{mac}"


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"caller": "+14155550199"}, id="caller"),
        pytest.param({"called": "+18005550199"}, id="called"),
        pytest.param({"exp": 1_900_000_000}, id="expiry"),
    ],
)
def test_an_edited_token_is_refused(tokens: StreamTokens, changes: dict[str, object]) -> None:
    token = _edit_body(tokens.issue(CALL_A, CALLER, OURS), **changes)
    with pytest.raises(StreamTokenError, match="not valid for this call"):
        tokens.verify(token, call_sid=CALL_A, account_sid=ACCOUNT)


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "v1",
        "v2.e30.AAAA",
        "v1..AAAA",
        "v1.!!!.AAAA",
        "v1.W10.AAAA",  # a JSON array, not an object
        "v1.eyJjYWxsZXIiOjF9.AAAA",  # {"caller": 1}
        "v1." + "A" * 5000 + ".AAAA",
    ],
)
def test_missing_or_malformed_tokens_are_refused(tokens: StreamTokens, token: str | None) -> None:
    with pytest.raises(StreamTokenError) as refused:
        tokens.verify(token, call_sid=CALL_A, account_sid=ACCOUNT)
    assert "A" * 50 not in refused.value.reason  # the reason never quotes the token


def test_an_expiry_that_is_a_float_or_a_bool_is_malformed(tokens: StreamTokens) -> None:
    for exp in (1.9e9, True):
        token = _edit_body(tokens.issue(CALL_A, CALLER, OURS), exp=exp)
        with pytest.raises(StreamTokenError, match="malformed"):
            tokens.verify(token, call_sid=CALL_A, account_sid=ACCOUNT)
