"""CallWorkflow: the durable truth of one phone call, `call-<CallSid>`.

The realtime side owns audio and time; this workflow owns who the caller is,
whether they proved it, every turn, every tool call and its result, and the
outcome. It is the only way to reach the business systems, so the identity
gate here is the one the brain cannot talk its way around: account tools are
refused until the caller is verified, and their inputs take the customer id
from this workflow's state, never from the brain's arguments.

Deterministic code only: all I/O is in activities (reads as local activities
for latency, writes as regular activities with retries and an idempotency key
made of the workflow id and the step number).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities import crm, errors, handoff, lockout, orders, redaction, summary, telephony, tickets
    from workflows import legacy
    from workflows.tools import TOOLS, Access, Kind, Tool, ToolContext
    from workflows.types import (
        NOTE_MATCH_TWO_FACTORS,
        NOTE_NO_MATCH_TWO_FACTORS,
        CallInput,
        CallResult,
        CallState,
        DtmfSignal,
        EndedSignal,
        Outcome,
        PhoneAction,
        ToolCallRecord,
        ToolRequest,
        ToolResult,
        TurnBatch,
        TurnRecord,
        TurnSignal,
    )

CALL_SID = SearchAttributeKey.for_keyword("CallSid")
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
INTENT = SearchAttributeKey.for_keyword("Intent")
OUTCOME = SearchAttributeKey.for_keyword("Outcome")
ESCALATED = SearchAttributeKey.for_bool("Escalated")

MAX_VERIFY_ATTEMPTS = 3  # per call; workflows/verify_guard.py counts per account across calls
IDENTITY_PATCH = "identity-second-factor"
LOCKED_MESSAGE = "Too many failed checks; hand the caller to a person."

SECOND_FACTOR_NEXT = (
    "verify_customer with the billing ZIP and one more factor: phone_last4 (last four digits "
    "of the phone number on the account), account_name (first and last name on the account) or pin"
)
MAX_TURNS_KEPT = 400  # bounds the state (and the query) on a pathological call
MAX_TEXT = 2000
MAX_BATCH = 50  # turns per `turns` signal: a realtime side sends one exchange, a few turns
# A caller who has not proved who they are gets one ticket per call: later requests are answered
# with that ticket (no write), so nobody can flood the help desk or page people anonymously.
TICKET_LIMIT_PATCH = "unverified-ticket-limit"

# Reads: the caller is waiting. A few seconds in all, then an honest "it's slow".
READ_OPTIONS: dict[str, Any] = {
    # The read ends inside this budget by its own hand: every backend request is cut to the
    # time left and, with too little left, the activity fails for good (activities/_http.py).
    # Temporal's local-activity timeouts must not be what ends it. In the SDK's core
    # (temporalio 1.35) a start-to-close timer outlives its attempt and cancels the next one,
    # a schedule-to-close deadline that falls in the backoff between attempts is missed (a
    # hanging backend turned 6 s into 9 s), and a read that does end by a timeout leaves a
    # history that no longer replays (nondeterminism at the next query or worker restart).
    # Hence no start_to_close_timeout: each request's own timeout bounds an attempt.
    "schedule_to_close_timeout": timedelta(seconds=6),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(milliseconds=200),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=1),
        maximum_attempts=4,
        non_retryable_error_types=errors.NON_RETRYABLE,
    ),
}
# Writes during the call: retried with backoff, bounded so the caller hears an answer.
WRITE_OPTIONS: dict[str, Any] = {
    "start_to_close_timeout": timedelta(seconds=10),
    # Writes heartbeat while they run (activities/_heartbeat.py): if their worker dies, the
    # retry starts on another worker 2 s after the last beat instead of after the 10 s above.
    "heartbeat_timeout": timedelta(seconds=2),
    "schedule_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(milliseconds=500),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=5),
        non_retryable_error_types=errors.NON_RETRYABLE,
    ),
}
# Writes after the call (note, follow-up ticket): nobody is waiting, nothing may be lost.
WRAP_UP_OPTIONS: dict[str, Any] = {
    "start_to_close_timeout": timedelta(seconds=10),
    "heartbeat_timeout": timedelta(seconds=2),  # a dead worker's write moves on fast (see above)
    "schedule_to_close_timeout": timedelta(hours=24),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(minutes=2),
        non_retryable_error_types=errors.NON_RETRYABLE,
    ),
}

# Acting on the live phone call: the caller is waiting in silence, so a few quick tries; if
# Twilio stays unreachable the realtime side closes the stream and the fallback route takes over.
PHONE_OPTIONS: dict[str, Any] = {
    "start_to_close_timeout": timedelta(seconds=5),
    "heartbeat_timeout": timedelta(seconds=2),  # a dead worker's write moves on fast (see above)
    "schedule_to_close_timeout": timedelta(seconds=12),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(milliseconds=300),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=2),
        non_retryable_error_types=errors.NON_RETRYABLE,
    ),
}

# What the brain hears when a backend stays down: true, short, no internals.
UNAVAILABLE_MESSAGE = "That system is not responding right now."


def mask_number(number: str) -> str:
    """The caller's number as the state and the Web UI show it: whether there was one, no digits.

    Not even the last four: "the last four digits of the phone on file" is a second factor
    (issue 14), and a caller-ID call shows the account's own number.
    """
    return "•••" if any(c.isdigit() for c in number) else "withheld"


def _claim_subject(args: Any) -> str:
    """What an identifier that matched no account is counted under (never stored in an id)."""
    if args.order_id is not None:
        return f"claimed:order:{args.order_id}"
    if args.email is not None:
        return f"claimed:email:{args.email}"
    return f"claimed:phone:{args.phone}"


def _failure(tool: str, code: str, message: str) -> ToolResult:
    return ToolResult(tool=tool, ok=False, error_code=code, message=message)


# A regular activity's failure arrives as ActivityError(cause=ApplicationError);
# a local activity's non-retryable failure arrives as the ApplicationError itself.
ACTIVITY_FAILURES = (ActivityError, ApplicationError)


def _error_result(tool: str, err: ActivityError | ApplicationError) -> ToolResult:
    """Map an activity failure to something the brain can say honestly."""
    cause = err.cause if isinstance(err, ActivityError) else err
    if isinstance(cause, ApplicationError):
        if cause.type == errors.INVALID_INPUT:
            return _failure(tool, "invalid_input", cause.message)
        if cause.type == errors.NOT_FOUND:
            return _failure(tool, "not_found", cause.message)
        if cause.type == errors.REJECTED:
            return _failure(tool, "rejected", cause.message)
    return _failure(tool, "backend_unavailable", UNAVAILABLE_MESSAGE)


def _validation_message(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "arguments"
    text = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {text}"


@workflow.defn(name="CallWorkflow")
class CallWorkflow:
    """One phone call, from the first frame to the wrap-up."""

    @workflow.init
    def __init__(self, inp: CallInput) -> None:
        # Initialised from the input before any handler runs, so an update that
        # arrives with the start (update-with-start) already sees the call.
        self._input = inp
        self._state = CallState(
            call_sid=inp.call_sid, caller=mask_number(inp.caller_number), started_at=inp.started_at
        )
        self._candidate: str | None = None  # matched, not yet verified
        # An identifier the caller said that matched no account: checked (and failed) like one
        # that did, and counted under its own guard, so neither reveals who is a customer.
        self._claim: str | None = None
        self._second_factor = False  # not found by caller ID: the ZIP and one more factor
        self._gate_v2: bool | None = None
        self._email: str | None = None
        self._verify_failures = 0
        self._step = 0
        self._activity_seq = 0
        self._resolved = False
        self._ended_signal: EndedSignal | None = None
        self._handoff: ToolResult | None = None
        # Redaction (activities/redaction.py): the ids backends returned, which text may name, and
        # what the caller gave to identify or verify themselves, which it may not. Kept out of
        # the state on purpose: the state is queryable, these are the secrets it must not show.
        self._found_ids: list[str] = []
        self._secrets: list[str] = []
        self._unverified_ticket: dict[str, Any] | None = None  # the one ticket of an unverified caller
        # Tool calls run one at a time: identity changes must not interleave.
        self._tool_lock = asyncio.Lock()
        # Turn numbers recorded: a re-sent turn is ignored. A set, not the highest number: a turn
        # carried by a retried tool update may arrive after later turns sent by signal.
        self._seqs: set[int] = set()
        self._last_heard = workflow.now()  # the last message from the realtime side

    # ------------------------------------------------------------------ run

    @workflow.run
    async def run(self, inp: CallInput) -> CallResult:
        """Wait for the call to end (or go silent), then wrap it up."""
        state = self._state
        workflow.upsert_search_attributes([CALL_SID.value_set(inp.call_sid), ESCALATED.value_set(False)])
        self._refresh_details()
        if workflow.patched("one-inactivity-timer"):
            await self._until_ended_or_quiet(inp.inactivity_timeout_s)
        else:  # calls started before the patch: one timer per message, as they were recorded
            while self._ended_signal is None:
                try:
                    await workflow.wait_condition(
                        self._heard_since(self._activity_seq),
                        timeout=timedelta(seconds=inp.inactivity_timeout_s),
                    )
                except TimeoutError:
                    self._ended_signal = EndedSignal(reason="inactivity")
        end = self._ended_signal
        assert end is not None  # both loops only leave once the call has ended
        state.ended = True
        state.ended_reason = end.reason
        self._resolved = self._resolved or end.resolved
        if end.phone_action is not None:
            await self._act_on_phone(end.phone_action)
        # A tool call still running (a refund mid-flight) finishes and is recorded first.
        await workflow.wait_condition(lambda: not self._tool_lock.locked())
        result = await self._wrap_up()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return result

    async def _until_ended_or_quiet(self, timeout_s: float) -> None:
        """Wait for the end, or for `timeout_s` without any message from the realtime side.

        One timer per quiet period, not one per message: re-arming a timer on every turn would
        cost two history events per message (a five-minute call must stay well under 200).
        When the timer fires, the call was only quiet if nothing arrived meanwhile.
        """
        while self._ended_signal is None:
            remaining = timeout_s - (workflow.now() - self._last_heard).total_seconds()
            if remaining <= 0:
                # Nothing from the realtime side for a long time: its process or the stream is
                # gone. Wrap up as dropped rather than wait forever.
                self._ended_signal = EndedSignal(reason="inactivity")
                return
            try:
                await workflow.wait_condition(
                    lambda: self._ended_signal is not None, timeout=timedelta(seconds=remaining)
                )
            except TimeoutError:
                pass  # re-check: messages may have come in while the timer ran

    # ------------------------------------------------------------- messages

    @workflow.signal(name="turns")
    def turns(self, batch: TurnBatch) -> None:
        """Record several turns at once (the realtime side sends one signal per exchange)."""
        self._record_all(batch.turns)

    def _record_all(self, turns: list[TurnSignal]) -> None:
        for sig in turns[:MAX_BATCH]:
            if sig.source == "dtmf":
                if self._fresh(sig.seq):
                    self._record(self._dtmf_turn(sig.text))
            else:
                self.turn(sig)

    @workflow.signal(name="turn")
    def turn(self, sig: TurnSignal) -> None:
        """Record one utterance and the brain's current reading of the intent."""
        if self._fresh(sig.seq):
            self._record(sig)

    def _fresh(self, seq: int | None) -> bool:
        """Whether a turn is new (not a re-send of one already recorded)."""
        if seq is None:
            return True
        if seq in self._seqs:
            return False
        self._seqs.add(seq)
        return True

    def _record(self, sig: TurnSignal) -> None:
        state = self._state
        self._touch()
        if len(state.turns) < MAX_TURNS_KEPT:
            state.turns.append(
                TurnRecord(
                    index=len(state.turns),
                    at=workflow.now(),
                    speaker=sig.speaker,
                    text=sig.text[:MAX_TEXT],
                    source=sig.source,
                    interrupted=sig.interrupted,
                    latency=sig.latency,
                )
            )
        if sig.latency is not None:
            for stage, value in sig.latency.model_dump(exclude_none=True).items():
                state.latencies.setdefault(stage, {})[str(len(state.turns) - 1)] = float(value)
        if sig.confidence is not None:
            state.confidence = sig.confidence
        if sig.intent and sig.intent != state.intent:
            state.intent = sig.intent
            workflow.upsert_search_attributes([INTENT.value_set(sig.intent)])
        self._refresh_details()

    @workflow.signal(name="dtmf")
    def dtmf(self, sig: DtmfSignal) -> None:
        """Keypad digits are a caller turn like any other."""
        self._record(self._dtmf_turn(sig.digits))

    @staticmethod
    def _dtmf_turn(digits: str) -> TurnSignal:
        keys = "".join(c for c in digits if c in "0123456789*#")[:64]
        return TurnSignal(speaker="caller", text=keys, source="dtmf")

    @workflow.signal(name="ended")
    def ended(self, sig: EndedSignal) -> None:
        """The call is over; the first reason given wins."""
        self._touch()
        if self._ended_signal is None:
            self._ended_signal = sig
        if sig.usage is not None and self._state.usage is None:
            self._state.usage = sig.usage  # the session that carried the audio knows what it used

    @workflow.query(name="state")
    def state(self) -> CallState:
        """Everything about the call so far."""
        return self._state

    @workflow.update(name="tool")
    async def tool(self, req: ToolRequest) -> ToolResult:
        """Run one tool for the brain, through the identity gate; always returns a result."""
        state = self._state
        self._record_all(req.turns)  # what was said before the tool, in order
        self._touch()
        async with self._tool_lock:
            if self._ended_signal is not None:
                return _failure(req.name, "call_ended", "The call has ended.")
            spec = TOOLS[req.name]
            if req.name in redaction.IDENTITY_TOOLS:
                self._secrets.extend(redaction.identity_values(req.arguments))
            self._step += 1
            step = self._step
            started = workflow.now()
            try:
                args = spec.args.model_validate(req.arguments)
            except ValidationError as e:
                result = _failure(req.name, "invalid_input", _validation_message(e))
            else:
                old_rule = None if workflow.patched(legacy.PATCH) else legacy.refusal(req.arguments)
                if old_rule is not None:
                    result = _failure(req.name, "invalid_input", old_rule)
                else:
                    result = await self._dispatch(spec, args, step)
            note = result.data.pop("_note", "") if result.ok else ""
            if result.ok:
                self._found_ids.extend(redaction.found_ids(result.data))
            state.tool_calls.append(
                ToolCallRecord(
                    step=step,
                    at=started,
                    name=req.name,
                    # The state is queryable: identity values hidden, free text masked (the raw
                    # arguments stay in the history, which the codec encrypts).
                    arguments=redaction.arguments(
                        req.name, req.arguments, keep=self._keep(), secrets=self._secrets
                    ),
                    ok=result.ok,
                    error_code=result.error_code,
                    note=str(note),
                    duration_ms=(workflow.now() - started).total_seconds() * 1000,
                )
            )
            self._touch()
            self._refresh_details()
            return result

    @tool.validator
    def _validate_tool(self, req: ToolRequest) -> None:
        # Rejected updates never reach the history: unknown tools are a bug in
        # the caller of this API, not part of the call.
        if req.name not in TOOLS:
            raise ValueError(f"unknown tool {req.name!r}")

    # ---------------------------------------------------------------- tools

    async def _dispatch(self, spec: Tool, args: Any, step: int) -> ToolResult:
        if spec.name == "identify_customer":
            return await self._identify(args)
        if spec.name == "verify_customer":
            return await self._verify(args, step)
        if spec.name == "escalate":
            return await self._escalate(args.reason)
        if spec.access is Access.VERIFIED and not self._state.verified:
            return _failure(
                spec.name,
                "not_verified",
                "Verify the caller first: find their account, then check the billing ZIP.",
            )
        if spec.name == "create_ticket" and not self._state.verified:
            first = self._unverified_ticket
            if first is not None and workflow.patched(TICKET_LIMIT_PATCH):
                return ToolResult(
                    tool=spec.name,
                    ok=True,
                    data={**first, "already_open": True, "_note": f"ticket {first['ticket_id']} again"},
                    message="A ticket is already open for this call; a person follows up on it.",
                )
        ctx = self._context(step, spec.name)
        try:
            out = await self._run_activity(
                spec.activity, spec.build_input(args, ctx), spec.kind, summary=spec.name
            )
        except ACTIVITY_FAILURES as e:
            return _error_result(spec.name, e)
        data = out.model_dump(mode="json")
        data["_note"] = spec.note(out)
        if spec.name == "create_ticket":
            self._state.ticket_ids.append(str(data["ticket_id"]))
            if not self._state.verified and self._unverified_ticket is None:
                self._unverified_ticket = {k: v for k, v in data.items() if k != "_note"}
        return ToolResult(tool=spec.name, ok=True, data=data)

    def _identity_v2(self) -> bool:
        """Whether this call runs the identity gate of issue 14 (asked once, at its first identity tool).

        Calls that identified a caller before it keep the rules they started with (no second
        factor, no per-account guard, "other account" refused by name) so their histories replay.
        """
        if self._gate_v2 is None:
            self._gate_v2 = workflow.patched(IDENTITY_PATCH)
        return self._gate_v2

    async def _find(self, args: Any) -> crm.FindCustomerResult:
        """The account an identifier names, if exactly one does."""
        if args.order_id is not None:
            owner = await self._run_activity(
                orders.OrdersActivities.order_owner,
                orders.OrderIdInput(order_id=args.order_id),
                Kind.READ,
                summary="identify by order number",
            )
            return crm.FindCustomerResult(found=owner.found, customer_id=owner.customer_id)
        phone = self._input.caller_number if args.use_caller_id else args.phone
        result: crm.FindCustomerResult = await self._run_activity(
            crm.CrmActivities.find_customer,
            crm.FindCustomerInput(phone=phone, email=args.email),
            Kind.READ,
            summary="identify by caller ID" if args.use_caller_id else "identify",
        )
        return result

    async def _identify(self, args: Any) -> ToolResult:
        name = "identify_customer"
        state = self._state
        v2 = self._identity_v2()
        if self._verify_failures >= MAX_VERIFY_ATTEMPTS:
            return _failure(name, "identity_locked", LOCKED_MESSAGE)
        try:
            found = await self._find(args)
        except ACTIVITY_FAILURES as e:
            return _error_result(name, e)
        match = found.customer_id if found.found else None
        no_match = ToolResult(tool=name, ok=True, data={"found": False, "_note": "no match"})
        if state.verified:
            if match is not None and match == state.customer_id:
                return ToolResult(
                    tool=name, ok=True, data={"found": True, "verified": True, "_note": "already verified"}
                )
            if match is None or v2:
                # One account per call, and another customer's identifier is answered exactly
                # like one that names nobody: the caller learns nothing about who is a customer.
                return no_match
            return _failure(
                name,
                "other_account",
                "That belongs to a different account than the one verified on this call.",
            )
        if not v2 or args.use_caller_id:
            # Caller ID: the caller cannot choose what it matches, so "no account for this number"
            # tells them nothing about anyone else; the ZIP alone verifies, as it always has.
            if match is None:
                return no_match
            self._candidate, self._claim, self._second_factor = match, None, False
            return ToolResult(
                tool=name,
                ok=True,
                data={"found": True, "next": "verify_customer (billing ZIP)", "_note": "match"},
            )
        # A phone number, e-mail or order number the caller says: whether it names an account
        # must not show, so one that names nobody gets the same answer and the same next step,
        # and its check fails later exactly as a wrong answer for a real account fails.
        self._candidate = match
        self._claim = None if match is not None else _claim_subject(args)
        self._second_factor = True
        return ToolResult(
            tool=name,
            ok=True,
            data={
                "found": True,
                "second_factor": True,
                "next": SECOND_FACTOR_NEXT,
                "_note": NOTE_MATCH_TWO_FACTORS if match is not None else NOTE_NO_MATCH_TWO_FACTORS,
            },
        )

    async def _verify(self, args: Any, step: int) -> ToolResult:
        name = "verify_customer"
        state = self._state
        if state.verified:
            return ToolResult(tool=name, ok=True, data={"verified": True, "_note": "already verified"})
        if self._candidate is None and self._claim is None:
            return _failure(name, "not_identified", "Find the caller's account first.")
        if self._verify_failures >= MAX_VERIFY_ATTEMPTS:
            return _failure(name, "identity_locked", LOCKED_MESSAGE)
        if not self._identity_v2():
            return await self._verify_zip_only(args)
        if self._second_factor and not args.second_factor():
            # Nothing was checked, so nothing is counted or revealed.
            return _failure(
                name, "invalid_input", "Also give one more factor: phone_last4, account_name or pin."
            )
        guard = lockout.GuardRef(subject=self._candidate or self._claim or "", customer_id=self._candidate)
        try:
            lock = await self._run_activity(
                lockout.LockoutActivities.status, guard, Kind.READ, summary="verification lock"
            )
            if lock.locked:
                return _failure(name, "identity_locked", LOCKED_MESSAGE)
            verified = False
            if self._candidate is not None:
                check = await self._run_activity(
                    crm.CrmActivities.verify_customer,
                    crm.VerifyInput(
                        customer_id=self._candidate,
                        zip=args.zip,
                        phone_last4=args.phone_last4,
                        name=args.account_name,
                        pin=args.pin,
                    ),
                    Kind.READ,
                    summary="verify factors",
                )
                verified = check.verified
        except ACTIVITY_FAILURES as e:
            return _error_result(name, e)
        if not verified:
            return await self._count_failure(guard, step)
        return await self._verified(self._candidate)

    async def _count_failure(self, guard: lockout.GuardRef, step: int) -> ToolResult:
        """A failed check: counted for this call and for the account (or the claimed identifier)."""
        name = "verify_customer"
        self._verify_failures += 1
        left = MAX_VERIFY_ATTEMPTS - self._verify_failures
        failure = lockout.FailureInput(guard=guard, failure_id=f"{workflow.info().workflow_id}/step-{step}")
        try:
            counted = await self._run_activity(
                lockout.LockoutActivities.record_failure, failure, Kind.READ, summary="count failed check"
            )
        except ACTIVITY_FAILURES as e:
            # The check failed either way; the caller hears that. The per-call limit still holds.
            workflow.logger.warning("failed check not counted: %s", type(e.cause or e).__name__)
        else:
            if counted.locked:
                return _failure(name, "identity_locked", LOCKED_MESSAGE)
        return ToolResult(
            tool=name, ok=True, data={"verified": False, "attempts_left": left, "_note": "mismatch"}
        )

    async def _verify_zip_only(self, args: Any) -> ToolResult:
        """The check of calls identified before the second factor: the ZIP, counted per call."""
        name = "verify_customer"
        assert self._candidate is not None  # such calls only ever held a matched account
        try:
            check = await self._run_activity(
                crm.CrmActivities.verify_customer,
                crm.VerifyInput(customer_id=self._candidate, zip=args.zip),
                Kind.READ,
                summary="verify second factor",
            )
        except ACTIVITY_FAILURES as e:
            return _error_result(name, e)
        if not check.verified:
            self._verify_failures += 1
            left = MAX_VERIFY_ATTEMPTS - self._verify_failures
            return ToolResult(
                tool=name, ok=True, data={"verified": False, "attempts_left": left, "_note": "mismatch"}
            )
        return await self._verified(self._candidate)

    async def _verified(self, customer_id: str | None) -> ToolResult:
        name = "verify_customer"
        assert customer_id is not None  # a claim that matched no account never verifies
        state = self._state
        try:
            profile = await self._run_activity(
                crm.CrmActivities.get_profile,
                crm.CustomerRef(customer_id=customer_id),
                Kind.READ,
                summary="load verified profile",
            )
        except ACTIVITY_FAILURES as e:
            return _error_result(name, e)
        state.verified = True
        state.customer_id = profile.customer_id
        self._email = profile.email
        workflow.upsert_search_attributes([CUSTOMER_ID.value_set(profile.customer_id)])
        return ToolResult(
            tool=name, ok=True, data={"verified": True, "first_name": profile.first_name, "_note": "verified"}
        )

    async def _escalate(self, reason: str) -> ToolResult:
        state = self._state
        inp = self._input
        if self._handoff is not None:
            return self._handoff  # one handoff per call, however often it is asked for
        text = await self._summary()
        try:
            res = await self._run_activity(
                handoff.HandoffActivities.escalate,
                handoff.HandoffInput(
                    call_id=workflow.info().workflow_id,
                    reason=reason,
                    summary=text,
                    duration_s=self._duration_s(),
                    queue=inp.human_queue,
                    customer_id=state.customer_id,
                    intent=state.intent,
                    idempotency_key=f"{workflow.info().workflow_id}/handoff",
                ),
                Kind.WRITE,
                summary=f"handoff: {reason}",
            )
        except ACTIVITY_FAILURES as e:
            return _error_result("escalate", e)
        state.escalated = True
        state.escalation_reason = reason
        state.ticket_ids.append(res.ticket_id)
        workflow.upsert_search_attributes([ESCALATED.value_set(True)])
        self._handoff = ToolResult(
            tool="escalate",
            ok=True,
            data={"queue": res.queue, "ticket_id": res.ticket_id, "_note": f"ticket {res.ticket_id}"},
        )
        return self._handoff.model_copy(deep=True)

    async def _act_on_phone(self, action: PhoneAction) -> None:
        """Hang up or transfer the live call over Twilio REST — first, the caller is waiting."""
        inp = self._input
        try:
            if action == "transfer":
                ticket = self._handoff.data.get("ticket_id") if self._handoff is not None else None
                res = await workflow.execute_activity_method(
                    telephony.TelephonyActivities.transfer,
                    telephony.TransferInput(
                        call_sid=inp.call_sid,
                        target=inp.human_queue,
                        caller_id=inp.called_number or None,
                        ticket_id=str(ticket) if ticket is not None else None,
                    ),
                    summary=f"transfer to {inp.human_queue}",
                    **PHONE_OPTIONS,
                )
            else:
                res = await workflow.execute_activity_method(
                    telephony.TelephonyActivities.hang_up,
                    telephony.HangUpInput(call_sid=inp.call_sid),
                    summary="hang up",
                    **PHONE_OPTIONS,
                )
            self._state.phone = res.outcome
        except ACTIVITY_FAILURES as e:
            # The realtime side closes the stream after a grace period; `/twilio/fallback` then
            # routes the caller (enqueue or hang up) from this workflow's state.
            self._state.phone = "failed"
            workflow.logger.warning("phone %s failed: %s", action, e.cause or e)

    # -------------------------------------------------------------- wrap-up

    async def _wrap_up(self) -> CallResult:
        state = self._state
        caller_turns = [t for t in state.turns if t.speaker == "caller"]
        lost = state.ended_reason == "stream_lost" and workflow.patched("stream-lost-handoff")
        if lost and not state.escalated and (caller_turns or state.tool_calls):
            # The realtime side died or the stream broke: Twilio's fallback has put the caller
            # in the human queue. The person who picks up gets everything said and done so far.
            await self._escalate("stream_lost")
        text = await self._summary()
        outcome: Outcome
        if lost and state.escalation_reason == "stream_lost":
            outcome = "dropped"  # dropped by us and transferred: not a handoff the agent chose
        elif state.escalated:
            outcome = "escalated"
        elif not caller_turns and not state.tool_calls:
            outcome = "abandoned"
        elif state.ended_reason in ("inactivity", "silence"):
            outcome = "dropped"
        elif self._resolved:
            outcome = "resolved"
        else:
            outcome = "ticketed"
        wf_id = workflow.info().workflow_id
        if outcome in ("ticketed", "dropped") and not state.ticket_ids:
            # The caller left with their issue open: a person follows up.
            ticket = await self._wrap_up_write(
                tickets.TicketsActivities.create_ticket,
                tickets.CreateTicketInput(
                    subject=f"Follow up: {(state.intent or 'call').replace('_', ' ')} ({outcome})",
                    description=text,
                    idempotency_key=f"{wf_id}/follow-up",
                    call_id=wf_id,
                    customer_id=state.customer_id,
                    tags=["follow_up", outcome],
                ),
                "follow-up ticket",
            )
            if ticket is not None:
                state.ticket_ids.append(ticket.ticket_id)
        if state.verified and state.customer_id:
            await self._wrap_up_write(
                crm.CrmActivities.add_note,
                crm.AddNoteInput(
                    customer_id=state.customer_id,
                    body=f"{text}\nOutcome: {outcome}.",
                    call_id=wf_id,
                    idempotency_key=f"{wf_id}/crm-note",
                ),
                "CRM note",
            )
        state.outcome = outcome
        workflow.upsert_search_attributes([OUTCOME.value_set(outcome)])
        self._refresh_details()
        return CallResult(
            call_sid=state.call_sid,
            outcome=outcome,
            customer_id=state.customer_id,
            verified=state.verified,
            intent=state.intent,
            escalated=state.escalated,
            escalation_reason=state.escalation_reason,
            ticket_ids=list(state.ticket_ids),
            summary=text,
            duration_s=self._duration_s(),
            turns=len(state.turns),
            tool_calls=len(state.tool_calls),
            usage=state.usage,
        )

    async def _wrap_up_write(self, activity: Any, arg: Any, label: str) -> Any:
        try:
            return await workflow.execute_activity(activity, arg, summary=label, **WRAP_UP_OPTIONS)
        except ACTIVITY_FAILURES as e:
            # Only a non-retryable refusal gets here (bad data); it is recorded, not hidden.
            workflow.logger.warning("wrap-up step %s refused: %s", label, e.cause)
            return None

    async def _summary(self) -> str:
        state = self._state
        out = await workflow.execute_local_activity(
            summary.summarize,
            summary.SummaryInput(
                call_id=workflow.info().workflow_id,
                customer_id=state.customer_id,
                verified=state.verified,
                intent=state.intent,
                duration_s=self._duration_s(),
                turns=[summary.SummaryTurn(speaker=t.speaker, text=t.text) for t in state.turns],
                tool_calls=[
                    summary.SummaryToolCall(name=c.name, ok=c.ok, note=c.note) for c in state.tool_calls
                ],
                escalation_reason=state.escalation_reason,
                ended_reason=state.ended_reason,
                found_ids=list(self._found_ids),
                secrets=list(self._secrets),
            ),
            **READ_OPTIONS,
        )
        return str(out.text)

    # -------------------------------------------------------------- helpers

    async def _run_activity(self, activity: Any, arg: Any, kind: Kind, *, summary: str) -> Any:
        if kind is Kind.READ:
            return await workflow.execute_local_activity(activity, arg, summary=summary, **READ_OPTIONS)
        return await workflow.execute_activity(activity, arg, summary=summary, **WRITE_OPTIONS)

    def _context(self, step: int, tool: str) -> ToolContext:
        state = self._state
        wf_id = workflow.info().workflow_id
        return ToolContext(
            call_id=wf_id,
            customer_id=state.customer_id if state.verified else None,
            customer_email=self._email,
            today=workflow.now().date(),
            idempotency_key=f"{wf_id}/step-{step}/{tool}",
            keep=self._keep(),
            secrets=tuple(self._secrets),
        )

    def _keep(self) -> frozenset[str]:
        return redaction.kept_digits(self._found_ids)

    def _heard_since(self, seen: int) -> Callable[[], bool]:
        return lambda: self._ended_signal is not None or self._activity_seq != seen

    def _touch(self) -> None:
        self._activity_seq += 1
        self._last_heard = workflow.now()

    def _duration_s(self) -> int:
        return max(0, int((workflow.now() - self._input.started_at).total_seconds()))

    def _refresh_details(self) -> None:
        """The line ops see on the call in the Web UI (no personal data)."""
        s = self._state
        parts = [
            f"**Caller** {s.caller}",
            f"**Customer** {s.customer_id or '—'} ({'verified' if s.verified else 'not verified'})",
            f"**Intent** {s.intent or '—'}",
            f"**Turns** {len(s.turns)} · **Tools** {len(s.tool_calls)}",
        ]
        if s.escalated:
            parts.append(f"**Escalated** {s.escalation_reason}")
        if s.outcome:
            parts.append(f"**Outcome** {s.outcome} · {self._duration_s()}s")
        workflow.set_current_details("  \n".join(parts))
