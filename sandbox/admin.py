"""The sandbox's own admin API (`/_admin`): faults, reset and the request log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from sandbox.auth import require
from sandbox.errors import System, coded
from sandbox.seed import SeedError, load_seed
from sandbox.state import StateDep

JSON = dict[str, Any]
PREFIX = "/_admin"

router = APIRouter(prefix=PREFIX, tags=["admin"], dependencies=[Depends(require(System.ADMIN))])


class FaultIn(BaseModel):
    method: Annotated[str, Field(pattern=r"^[A-Za-z]+$")] | None = None
    path_prefix: Annotated[str, Field(min_length=1, pattern=r"^/")]
    status: Annotated[int, Field(ge=400, le=599)] | None = 500
    delay_ms: Annotated[int, Field(ge=0, le=120_000)] = 0
    count: Annotated[int, Field(ge=1)] | None = 1
    after_commit: bool = False


@router.post("/faults", status_code=201)
async def add_fault(fault: FaultIn, state: StateDep) -> JSON:
    """Inject a fault into matching requests."""
    added = state.faults.add(
        method=fault.method,
        path_prefix=fault.path_prefix,
        status=fault.status,
        delay_ms=fault.delay_ms,
        count=fault.count,
        after_commit=fault.after_commit,
    )
    return {"fault": added.as_json()}


@router.get("/faults")
async def list_faults(state: StateDep) -> JSON:
    """The faults still in force."""
    return {"faults": [f.as_json() for f in state.faults.active()]}


@router.delete("/faults", status_code=204)
async def clear_faults(state: StateDep) -> Response:
    """Remove every fault."""
    state.faults.clear()
    return Response(status_code=204)


@router.post("/reset", status_code=204)
async def reset(state: StateDep) -> Response:
    """Reload the seed file into a fresh database; faults and the request log are cleared too."""
    try:
        seed = load_seed(state.seed_path)
    except SeedError as exc:
        raise coded(500, "seed_invalid", str(exc)) from None
    state.store.reset(seed)
    state.faults.clear()
    state.requests.clear()
    state.twilio.clear()
    return Response(status_code=204)


@router.get("/requests")
async def list_requests(state: StateDep, path_prefix: str = "") -> JSON:
    """The recent request log, oldest first."""
    return {"requests": [e.as_json() for e in state.requests.entries(path_prefix)]}
