"""VerifyGuardWorkflow: failed identity checks of one account, counted across calls.

A per-call limit alone lets a stranger try again call after call (a neighbour
who shares the billing ZIP tries second factors, or order numbers against
their own ZIP). One workflow per account — its id an HMAC of the account's id
under a server secret (`activities/lockout.py`), so no identifier shows in
workflow ids — takes an update per failed check. `MAX_FAILURES` within
`WINDOW` lock phone verification of that account for `LOCK`: calls are handed
to a person, and the CRM gets one note (no digits in it). A successful check
does not reset anything: a lock only ends with its time.

The workflow ends once nothing it holds still matters (no failure inside the
window, no lock), so an account that is never attacked costs nothing; the next
failure starts a fresh run under the same id.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities import crm, errors

# With a second factor (last four digits: 10^4 values) on top of the ZIP, ten misses a day
# leave a guesser years from a match, while a household that fumbles the ZIP on a few calls,
# or a support team testing its own line, is not locked out by honest mistakes.
MAX_FAILURES = 10
WINDOW = timedelta(hours=24)
LOCK = timedelta(hours=24)
# Failure ids remembered for de-duplication (a retried update must not count twice).
MAX_SEEN = 200
# Past this many history events the run continues as new with its state (an account
# attacked for days must not grow one history without end).
MAX_HISTORY = 2000

LOCK_NOTE = (
    "Phone verification of this account was locked after repeated failed identity checks "
    "from callers. It reopens by itself after a day; until then callers are handed to a person, "
    "who can verify them another way."
)

NOTE_OPTIONS: dict[str, Any] = {
    "start_to_close_timeout": timedelta(seconds=10),
    "heartbeat_timeout": timedelta(seconds=2),
    "schedule_to_close_timeout": timedelta(hours=24),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(minutes=2),
        non_retryable_error_types=errors.NON_RETRYABLE,
    ),
}


class GuardInput(BaseModel):
    """One account's guard; the state is carried over when the run continues as new."""

    # The CRM id, for the lock note; None for a claimed identifier that matched no account
    # (counted the same way, so a lock does not tell a stranger that an account exists).
    customer_id: str | None = None
    failures: list[datetime] = Field(default_factory=list)
    locked_until: datetime | None = None
    seen: list[str] = Field(default_factory=list)
    locks: int = 0  # locks so far, for the note's idempotency key
    max_failures: int = MAX_FAILURES
    window_s: float = WINDOW.total_seconds()
    lock_s: float = LOCK.total_seconds()


class GuardFailure(BaseModel):
    """One failed check, named by the call and step that made it (a retry has the same id)."""

    failure_id: str


class GuardStatus(BaseModel):
    """Whether verification is locked, and until when."""

    locked_until: datetime | None = None

    def locked_at(self, now: datetime) -> bool:
        """Whether the lock still holds at `now`."""
        return self.locked_until is not None and now < self.locked_until


@workflow.defn(name="VerifyGuard")
class VerifyGuardWorkflow:
    """Failed verifications of one account, and its lock."""

    @workflow.init
    def __init__(self, inp: GuardInput) -> None:
        self._state = inp.model_copy(deep=True)
        self._note_due = False

    @workflow.run
    async def run(self, inp: GuardInput) -> None:
        """Hold the count until the window and any lock have passed, writing the lock note once."""
        while True:
            if self._note_due:
                self._note_due = False
                await self._write_note()
            end = self._relevant_until()
            remaining = (end - workflow.now()).total_seconds() if end is not None else 0.0
            if remaining <= 0:
                break
            if workflow.info().get_current_history_length() > MAX_HISTORY:
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._state)
            try:
                await workflow.wait_condition(lambda: self._note_due, timeout=timedelta(seconds=remaining))
            except TimeoutError:
                pass  # re-check: a failure may have extended the window meanwhile
        await workflow.wait_condition(workflow.all_handlers_finished)

    @workflow.update(name="failed")
    def failed(self, failure: GuardFailure) -> GuardStatus:
        """Count one failed check; lock when there are too many within the window."""
        s = self._state
        now = workflow.now()
        if failure.failure_id not in s.seen:
            s.seen = [*s.seen[-(MAX_SEEN - 1) :], failure.failure_id]
            window = timedelta(seconds=s.window_s)
            s.failures = [t for t in s.failures if now - t < window] + [now]
            if len(s.failures) >= s.max_failures and not self._status().locked_at(now):
                s.locked_until = now + timedelta(seconds=s.lock_s)
                s.locks += 1
                s.failures = []  # the lock has used them; after it, the count starts afresh
                self._note_due = s.customer_id is not None
        return self._status()

    @workflow.query(name="status")
    def status(self) -> GuardStatus:
        """The lock, as of the last event (compare `locked_until` with the time now)."""
        return self._status()

    def _status(self) -> GuardStatus:
        return GuardStatus(locked_until=self._state.locked_until)

    def _relevant_until(self) -> datetime | None:
        s = self._state
        ends = [t + timedelta(seconds=s.window_s) for t in s.failures]
        if s.locked_until is not None:
            ends.append(s.locked_until)
        return max(ends) if ends else None

    async def _write_note(self) -> None:
        s = self._state
        assert s.customer_id is not None
        wf_id = workflow.info().workflow_id
        try:
            await workflow.execute_activity_method(
                crm.CrmActivities.add_note,
                crm.AddNoteInput(
                    customer_id=s.customer_id,
                    body=LOCK_NOTE,
                    call_id=wf_id,
                    idempotency_key=f"{wf_id}/lock-{s.locks}",
                ),
                summary="CRM note: verification locked",
                **NOTE_OPTIONS,
            )
        except ActivityError as e:
            # Only a non-retryable refusal gets here (the CRM refused the record): the lock holds.
            workflow.logger.warning("lock note refused: %s", type(e.cause).__name__)
