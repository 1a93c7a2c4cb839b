"""Ask and tell an account's VerifyGuardWorkflow: is verification locked, count a failure.

The guard's workflow id is an HMAC, under the server's identity key, of the
task queue and the subject — the account's CRM id, or for a claimed identifier
that matched no account, that identifier — so no id, phone number or e-mail
shows in a workflow id, and the workflow holds the subject only inside its
(encrypted) input. The task queue is part of the key because a lock belongs to
one deployment's workers (its guard runs on that queue).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from pydantic import BaseModel
from temporalio import activity
from temporalio.client import WithStartWorkflowOperation, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from activities import errors
from callengine.identity_key import load_identity_key
from callengine.settings import BackendSettings
from workflows import verify_guard
from workflows.verify_guard import GuardFailure, GuardInput, GuardStatus, VerifyGuardWorkflow

ID_PREFIX = "verify-guard-"


class GuardRef(BaseModel):
    """Whose checks are counted: an account, or a claimed identifier that matched none."""

    subject: str  # the CRM id, or "claimed:<kind>:<value>" for no account
    customer_id: str | None = None  # set for an account: the lock leaves a CRM note on it


class FailureInput(BaseModel):
    """One failed check against `guard`, with an id a retry repeats."""

    guard: GuardRef
    failure_id: str


class LockResult(BaseModel):
    """Whether verification of the subject is locked now."""

    locked: bool


@dataclass(frozen=True)
class LockPolicy:
    """How many failed checks within how long lock an account, and for how long."""

    max_failures: int = verify_guard.MAX_FAILURES
    window_s: float = verify_guard.WINDOW.total_seconds()
    lock_s: float = verify_guard.LOCK.total_seconds()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LockPolicy:
        """`CALLENGINE_VERIFY_MAX_FAILURES`, `…_WINDOW_S`, `…_LOCK_S`, else the defaults."""
        e = os.environ if env is None else env
        d = cls()
        policy = cls(
            max_failures=int(e.get("CALLENGINE_VERIFY_MAX_FAILURES", d.max_failures)),
            window_s=float(e.get("CALLENGINE_VERIFY_WINDOW_S", d.window_s)),
            lock_s=float(e.get("CALLENGINE_VERIFY_LOCK_S", d.lock_s)),
        )
        if policy.max_failures < 1 or policy.window_s <= 0 or policy.lock_s <= 0:
            raise ValueError("CALLENGINE_VERIFY_MAX_FAILURES, _WINDOW_S and _LOCK_S must be positive")
        return policy


def guard_workflow_id(key: bytes, task_queue: str, subject: str) -> str:
    """The guard's workflow id: nothing of the subject can be read from it."""
    digest = hmac.new(key, f"{task_queue}\n{subject}".encode(), hashlib.sha256).hexdigest()
    return ID_PREFIX + digest[:40]


class LockoutActivities:
    """The identity gate's view of the per-account guards."""

    def __init__(self, http: httpx.AsyncClient, settings: BackendSettings) -> None:
        del http, settings  # the guards live in Temporal, reached with the worker's client
        self._key = load_identity_key()
        self._policy = LockPolicy.from_env()

    def _id(self, guard: GuardRef) -> str:
        return guard_workflow_id(self._key, activity.info().task_queue, guard.subject)

    @activity.defn(name="lockout.status")
    async def status(self, guard: GuardRef) -> LockResult:
        """Whether verification of the subject is locked (no guard yet: it is not)."""
        handle = activity.client().get_workflow_handle(self._id(guard))
        try:
            status = await handle.query(VerifyGuardWorkflow.status)
        except RPCError as e:
            if e.status == RPCStatusCode.NOT_FOUND:
                return LockResult(locked=False)
            raise errors.unavailable("the verification guard cannot be read") from None
        return LockResult(locked=status.locked_at(datetime.now(UTC)))

    @activity.defn(name="lockout.record_failure")
    async def record_failure(self, inp: FailureInput) -> LockResult:
        """Count one failed check (starting the guard if it is not running); locked now?"""
        client = activity.client()
        start = WithStartWorkflowOperation(
            VerifyGuardWorkflow.run,
            GuardInput(
                customer_id=inp.guard.customer_id,
                max_failures=self._policy.max_failures,
                window_s=self._policy.window_s,
                lock_s=self._policy.lock_s,
            ),
            id=self._id(inp.guard),
            task_queue=activity.info().task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
        try:
            status: GuardStatus = await client.execute_update_with_start_workflow(
                VerifyGuardWorkflow.failed,
                GuardFailure(failure_id=inp.failure_id),
                start_workflow_operation=start,
                id=inp.failure_id,  # the update id: a retried activity is the same update
            )
        except WorkflowUpdateFailedError:
            raise errors.unavailable("the verification guard refused the failure") from None
        return LockResult(locked=status.locked_at(datetime.now(UTC)))
