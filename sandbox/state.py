"""What every request handler shares: the store, credentials, faults and request log."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from sandbox.auth import SandboxTokens
from sandbox.faults import Faults
from sandbox.requestlog import RequestLog
from sandbox.store import Store
from sandbox.twilio import TwilioCalls


@dataclass
class SandboxState:
    store: Store
    tokens: SandboxTokens
    seed_path: Path
    faults: Faults
    requests: RequestLog
    twilio: TwilioCalls = field(default_factory=TwilioCalls)  # live calls: memory, not the store


def get_state(request: Request) -> SandboxState:
    """The app's shared state (FastAPI dependency)."""
    state: SandboxState = request.app.state.sandbox
    return state


def get_store(request: Request) -> Store:
    """The app's store (FastAPI dependency)."""
    return get_state(request).store


StateDep = Annotated[SandboxState, Depends(get_state)]
StoreDep = Annotated[Store, Depends(get_store)]
