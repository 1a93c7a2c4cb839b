"""Which brain a call gets.

The LLM when a key is set (with the offline agent as its fallback), the
offline agent otherwise; `CALLENGINE_BRAIN` or `--brain` overrides.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from realtime.brain.base import Brain, CallContext
from realtime.brain.offline import OfflineBrain

KINDS = ("auto", "offline", "llm")


def brain_factory(kind: str | None = None) -> Callable[[CallContext], Brain]:
    """A per-call brain constructor for `kind` (auto, offline or llm)."""
    kind = (kind or os.environ.get("CALLENGINE_BRAIN") or "auto").lower()
    if kind not in KINDS:
        raise ValueError(f"unknown brain {kind!r}; use one of {', '.join(KINDS)}")
    if kind == "auto":
        kind = "llm" if os.environ.get("OPENAI_API_KEY") else "offline"
    if kind == "offline":
        return OfflineBrain

    from realtime.brain.fallback import FallbackBrain
    from realtime.brain.llm import LlmBrain, LlmSettings

    settings = LlmSettings.from_env()
    # One client (and connection pool) per process, shared by every call's brain.
    client = settings.client()

    def make(ctx: CallContext) -> Brain:
        return FallbackBrain(LlmBrain(ctx, settings, client=client), lambda: OfflineBrain(ctx))

    return make
