"""Settings, read once from the environment.

Secrets come only from the environment. The defaults are the local
development values that `callengine up` and the sandbox share, so a fresh
machine works with no configuration, while production points every base URL
and token at the real services.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from callengine.stream_token import StreamTokens, derive_secret

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = REPO_ROOT / "sandbox" / "seed.json"
STATE_DIR = REPO_ROOT / ".callengine"  # git-ignored: dev db, logs, local keys

DEV_TWILIO_AUTH_TOKEN = "dev-twilio-auth-token"
TWILIO_API = "https://api.twilio.com"


@dataclass(frozen=True)
class RefundPolicy:
    """When the agent may refund on the call without a person approving it."""

    window_days: int = 30
    auto_approve_max_cents: int = 10000
    # The business date the policy counts from. None = today. A frozen data set
    # (the sandbox seed is a snapshot "as of" a day) pins it, so the demo and
    # the tests give the same answers on any day.
    as_of: date | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str], seed_path: Path) -> RefundPolicy:
        """Environment first; else the seed's `refund_policy` and `as_of` (the sandbox's rules).

        `CALLENGINE_BUSINESS_DATE` (or the seed's top-level `as_of`) pins the date the refund
        window counts from: a seed is a snapshot of one day, and its orders do not age.
        """
        base = cls()
        if seed_path.is_file():
            try:
                seed = json.loads(seed_path.read_text())
                raw = seed.get("refund_policy") or {}
                as_of = seed.get("as_of")
                base = cls(
                    int(raw.get("window_days", base.window_days)),
                    int(raw.get("auto_approve_max_cents", base.auto_approve_max_cents)),
                    date.fromisoformat(as_of) if isinstance(as_of, str) else None,
                )
            except (ValueError, AttributeError):
                pass  # the sandbox reports a broken seed loudly; the policy keeps its defaults
        business_date = env.get("CALLENGINE_BUSINESS_DATE")
        return cls(
            window_days=int(env.get("CALLENGINE_REFUND_WINDOW_DAYS", base.window_days)),
            auto_approve_max_cents=int(
                env.get("CALLENGINE_REFUND_AUTO_APPROVE_MAX_CENTS", base.auto_approve_max_cents)
            ),
            as_of=date.fromisoformat(business_date) if business_date else base.as_of,
        )


@dataclass(frozen=True)
class BackendSettings:
    """Where the business systems live and how to authenticate to them."""

    shopify_base_url: str = "http://127.0.0.1:8090"
    shopify_token: str = "dev-shopify-token"
    zendesk_base_url: str = "http://127.0.0.1:8090"
    zendesk_email: str = "agent@example.com"
    zendesk_token: str = "dev-zendesk-token"
    crm_base_url: str = "http://127.0.0.1:8090"
    crm_token: str = "dev-crm-token"
    scheduling_base_url: str = "http://127.0.0.1:8090"
    scheduling_token: str = "dev-scheduling-token"
    # Per-request timeout for backend HTTP calls. Reads are local activities
    # with a few seconds in all, so one slow request must not eat the budget.
    http_timeout_s: float = 2.5
    refund_policy: RefundPolicy = field(default_factory=RefundPolicy)
    # Twilio REST (transfer, hang-up). The development credentials reach the sandbox's
    # emulator; real credentials reach api.twilio.com unless TWILIO_API_BASE_URL says otherwise.
    twilio_base_url: str = "http://127.0.0.1:8090"
    twilio_account_sid: str = "AC00000000000000000000000000000000"
    twilio_auth_token: str = DEV_TWILIO_AUTH_TOKEN
    # Where Twilio reaches our API (the whisper a human hears before a transfer).
    api_public_url: str = "http://127.0.0.1:8080"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BackendSettings:
        """Build from environment variables, falling back to the sandbox defaults."""
        e = os.environ if env is None else env
        # Without explicit URLs every system is the local sandbox, wherever it listens.
        sandbox = "http://{}:{}".format(
            e.get("CALLENGINE_SANDBOX_HOST", "127.0.0.1"), e.get("CALLENGINE_SANDBOX_PORT", "8090")
        )
        d = cls.for_sandbox(sandbox)
        twilio_token = e.get("TWILIO_AUTH_TOKEN", d.twilio_auth_token)
        twilio_default = d.twilio_base_url if twilio_token == DEV_TWILIO_AUTH_TOKEN else TWILIO_API
        return cls(
            shopify_base_url=e.get("SHOPIFY_BASE_URL", d.shopify_base_url),
            shopify_token=e.get("SHOPIFY_ACCESS_TOKEN", d.shopify_token),
            zendesk_base_url=e.get("ZENDESK_BASE_URL", d.zendesk_base_url),
            zendesk_email=e.get("ZENDESK_EMAIL", d.zendesk_email),
            zendesk_token=e.get("ZENDESK_API_TOKEN", d.zendesk_token),
            crm_base_url=e.get("CRM_BASE_URL", d.crm_base_url),
            crm_token=e.get("CRM_API_TOKEN", d.crm_token),
            scheduling_base_url=e.get("SCHEDULING_BASE_URL", d.scheduling_base_url),
            scheduling_token=e.get("SCHEDULING_API_TOKEN", d.scheduling_token),
            http_timeout_s=float(e.get("CALLENGINE_HTTP_TIMEOUT_S", d.http_timeout_s)),
            refund_policy=RefundPolicy.from_env(e, Path(e.get("CALLENGINE_SEED", str(DEFAULT_SEED)))),
            twilio_base_url=e.get("TWILIO_API_BASE_URL", twilio_default).rstrip("/"),
            twilio_account_sid=e.get("TWILIO_ACCOUNT_SID", d.twilio_account_sid),
            twilio_auth_token=twilio_token,
            api_public_url=e.get(
                "CALLENGINE_PUBLIC_URL", "http://127.0.0.1:{}".format(e.get("CALLENGINE_API_PORT", "8080"))
            ).rstrip("/"),
        )

    @classmethod
    def for_sandbox(cls, base_url: str) -> BackendSettings:
        """All systems at one local sandbox, with the development tokens."""
        return cls(
            shopify_base_url=base_url,
            zendesk_base_url=base_url,
            crm_base_url=base_url,
            scheduling_base_url=base_url,
            twilio_base_url=base_url,
        )


@dataclass(frozen=True)
class PriceTable:
    """What a call's usage costs, USD (list prices of the seed's stack; override per contract).

    `CALLENGINE_PRICES` (JSON, any subset of the fields) overrides them.
    """

    phone_per_min: float = 0.0085  # Twilio inbound voice minute
    media_stream_per_min: float = 0.004  # Twilio Media Streams
    deepgram_per_min: float = 0.0077  # Nova-3 streaming
    whisper_per_min: float = 0.0  # local
    llm_per_mtok_in: float = 0.15  # a small OpenAI model
    llm_per_mtok_out: float = 0.60
    elevenlabs_per_kchar: float = 0.05  # Flash
    piper_per_kchar: float = 0.0  # local

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PriceTable:
        """Defaults, with `CALLENGINE_PRICES` applied."""
        raw = env.get("CALLENGINE_PRICES")
        if not raw:
            return cls()
        try:
            overrides = {k: float(v) for k, v in json.loads(raw).items()}
            return cls(**overrides)
        except (ValueError, TypeError, AttributeError) as e:
            raise ValueError(
                f"CALLENGINE_PRICES must be a JSON object of {list(cls.__dataclass_fields__)}: {e}"
            ) from None

    def cost(
        self,
        *,
        phone_s: float,
        stt_s: float,
        stt: str,
        tokens_in: int,
        tokens_out: int,
        tts_chars: int,
        tts: str,
    ) -> float:
        """The estimated cost of one call."""
        stt_rate = self.deepgram_per_min if stt.startswith("deepgram") else self.whisper_per_min
        tts_rate = self.elevenlabs_per_kchar if tts.startswith("elevenlabs") else self.piper_per_kchar
        return round(
            phone_s / 60 * (self.phone_per_min + self.media_stream_per_min)
            + stt_s / 60 * stt_rate
            + tokens_in / 1e6 * self.llm_per_mtok_in
            + tokens_out / 1e6 * self.llm_per_mtok_out
            + tts_chars / 1000 * tts_rate,
            5,
        )


def _telephony(env: Mapping[str, str]) -> str:
    """Twilio REST when there is a Twilio to talk to (real credentials or an emulator), else stream."""
    real = env.get("TWILIO_AUTH_TOKEN", DEV_TWILIO_AUTH_TOKEN) != DEV_TWILIO_AUTH_TOKEN
    kind = env.get("CALLENGINE_TELEPHONY") or ("rest" if real or env.get("TWILIO_API_BASE_URL") else "stream")
    if kind not in ("rest", "stream"):
        raise ValueError(f"CALLENGINE_TELEPHONY={kind!r}: use rest or stream")
    return kind


@dataclass(frozen=True)
class Settings:
    """Everything a `callengine` process needs to know about its surroundings."""

    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    task_queue: str = "calls"
    temporal_ui_url: str = "http://127.0.0.1:8233"
    api_host: str = "127.0.0.1"
    api_port: int = 8080
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = 8090
    seed_path: Path = DEFAULT_SEED
    human_queue: str = "support"
    twilio_account_sid: str = "AC00000000000000000000000000000000"
    # Whether TWILIO_ACCOUNT_SID was configured: only then is every stream held to it (see
    # StreamTokens); production requires it.
    twilio_account_sid_configured: bool = False
    twilio_auth_token: str = DEV_TWILIO_AUTH_TOKEN
    public_url: str = "http://127.0.0.1:8080"
    # How the agent hangs up / transfers: "rest" (Twilio REST, via the workflow) or "stream"
    # (end the media stream; `/twilio/fallback` routes). See realtime/telephony.py.
    telephony: str = "stream"
    # How long a stopping `callengine serve` lets calls in progress run on (callengine/server.py).
    drain_s: float = 300.0
    # Keys the per-call stream tokens (callengine/stream_token.py); "" in development: derived
    # from the Twilio auth token, the same on every replica. Production requires its own.
    stream_token_secret: str = field(default="", repr=False)
    backends: BackendSettings = field(default_factory=BackendSettings)
    prices: PriceTable = field(default_factory=PriceTable)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build from environment variables (names as in DESIGN.md)."""
        e = os.environ if env is None else env
        d = cls()
        api_port = int(e.get("CALLENGINE_API_PORT", d.api_port))
        return cls(
            temporal_address=e.get("TEMPORAL_ADDRESS", d.temporal_address),
            temporal_namespace=e.get("TEMPORAL_NAMESPACE", d.temporal_namespace),
            task_queue=e.get("CALLENGINE_TASK_QUEUE", d.task_queue),
            temporal_ui_url=e.get("TEMPORAL_UI_URL", d.temporal_ui_url),
            api_host=e.get("CALLENGINE_API_HOST", d.api_host),
            api_port=api_port,
            sandbox_host=e.get("CALLENGINE_SANDBOX_HOST", d.sandbox_host),
            sandbox_port=int(e.get("CALLENGINE_SANDBOX_PORT", d.sandbox_port)),
            seed_path=Path(e.get("CALLENGINE_SEED", str(d.seed_path))),
            human_queue=e.get("CALLENGINE_HUMAN_QUEUE", d.human_queue),
            twilio_account_sid=e.get("TWILIO_ACCOUNT_SID", d.twilio_account_sid),
            twilio_account_sid_configured=bool(e.get("TWILIO_ACCOUNT_SID", "").strip()),
            twilio_auth_token=e.get("TWILIO_AUTH_TOKEN", d.twilio_auth_token),
            public_url=e.get("CALLENGINE_PUBLIC_URL", f"http://127.0.0.1:{api_port}"),
            telephony=_telephony(e),
            drain_s=float(e.get("CALLENGINE_DRAIN_S", d.drain_s)),
            stream_token_secret=e.get("CALLENGINE_STREAM_TOKEN_SECRET", "").strip(),
            backends=BackendSettings.from_env(e),
            prices=PriceTable.from_env(e),
        )

    def stream_tokens(self) -> StreamTokens:
        """Issues and checks the per-call tokens that bind a media stream to its webhook."""
        return StreamTokens(
            derive_secret(self.stream_token_secret, self.twilio_auth_token),
            self.twilio_account_sid if self.twilio_account_sid_configured else None,
        )

    def business_date(self) -> date:
        """The date the agent reasons about ("next Tuesday"): pinned for a frozen data set, else today."""
        return self.backends.refund_policy.as_of or date.today()

    def workflow_url(self, workflow_id: str) -> str:
        """Link to one call in the Temporal Web UI."""
        return f"{self.temporal_ui_url}/namespaces/{self.temporal_namespace}/workflows/{workflow_id}"
