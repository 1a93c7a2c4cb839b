"""The API's reach into Temporal: a lazily connected client, a call's state, ending a call.

Webhooks must answer Twilio whatever Temporal is doing, so every operation here is bounded by
a timeout and reports failure as a value (None / False) with a log line, never an exception.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from callengine.calls import Call
from workflows.types import CallState
from workflows.whisper import WhisperHeardInput, WhisperHeardWorkflow

log = logging.getLogger(__name__)

TemporalSource = Callable[[], Awaitable[Client]] | Client | None


class TemporalUnavailableError(RuntimeError):
    """No Temporal client: none configured, or connecting failed."""


def _not_found(err: BaseException) -> bool:
    # A signal or query to a call that never had a workflow, or whose workflow already
    # completed, is NOT_FOUND: expected (the other path got there first), not an error.
    return isinstance(err, RPCError) and err.status == RPCStatusCode.NOT_FOUND


class TemporalAccess:
    """A Temporal client, connected on first use and shared by all requests.

    A process may start before Temporal is reachable; connecting lazily lets the webhooks
    come up (and fall back to the human queue) instead of the whole API failing to start.
    """

    def __init__(self, source: TemporalSource) -> None:
        """Create the accessor.

        Args:
            source: A connected client, an async factory that connects one, or None (no
                Temporal: every call falls back to the human queue).
        """
        self._client = source if isinstance(source, Client) else None
        self._factory = None if isinstance(source, Client) else source
        self._lock = asyncio.Lock()

    async def client(self) -> Client:
        """The shared client, connecting it if needed.

        Raises:
            TemporalUnavailableError: None is configured, or connecting failed (the next
                call tries again).
        """
        if self._client is not None:
            return self._client
        if self._factory is None:
            raise TemporalUnavailableError("no Temporal client configured")
        async with self._lock:  # one connection attempt at a time, not one per request
            if self._client is None:
                try:
                    self._client = await self._factory()
                except Exception as e:
                    raise TemporalUnavailableError(f"connecting to Temporal failed: {e!r}") from e
        return self._client

    async def state(self, call_sid: str, timeout_s: float) -> CallState | None:
        """The call's `state` query, or None if there is no such call or Temporal did not answer.

        Args:
            call_sid: The Twilio Call SID (already validated).
            timeout_s: Budget for connecting and querying together.
        """
        try:
            async with asyncio.timeout(timeout_s):
                return await Call.attach(await self.client(), call_sid).state()
        except TimeoutError:
            log.warning("call %s: state query timed out after %.1f s", call_sid, timeout_s)
        except Exception as e:
            if _not_found(e):
                log.info("call %s: no workflow", call_sid)
            else:
                log.warning("call %s: state query failed: %r", call_sid, e)
        return None

    async def end(self, call_sid: str, reason: str, timeout_s: float) -> bool:
        """Signal `ended(reason)` to the call's workflow; best effort.

        The workflow keeps the first reason it hears, so this is safe to send from several
        places (media stop, status callback, fallback): whichever came first wins.

        Args:
            call_sid: The Twilio Call SID (already validated).
            reason: Why the call ended (`caller_hangup`, `stream_lost`, a call status, ...).
            timeout_s: Budget for connecting and signalling together.

        Returns:
            Whether the signal was delivered.
        """
        try:
            async with asyncio.timeout(timeout_s):
                await Call.attach(await self.client(), call_sid).end(reason)
            log.info("call %s: ended(%s) signalled", call_sid, reason)
            return True
        except TimeoutError:
            log.warning("call %s: ended(%s) timed out", call_sid, reason)
        except Exception as e:
            if _not_found(e):
                log.info("call %s: ended(%s) not sent: no running workflow", call_sid, reason)
            else:
                log.warning("call %s: ended(%s) failed: %r", call_sid, reason, e)
        return False

    async def claim_whisper(
        self, call_sid: str, leg_sid: str, task_queue: str, timeout_s: float
    ) -> bool | None:
        """Claim the one reading of a call's whisper for a human leg (workflows/whisper.py).

        Args:
            call_sid: The transferred call (already validated).
            leg_sid: The human leg Twilio requests the whisper for (already validated).
            task_queue: Where the worker runs the record's (empty) workflow.
            timeout_s: Budget for connecting and starting together.

        Returns:
            True for the first request of this leg, False for a repeat (a replay), None when
            Temporal could not be asked (then nothing from the call is read out either).
        """
        try:
            async with asyncio.timeout(timeout_s):
                await (await self.client()).start_workflow(
                    WhisperHeardWorkflow.run,
                    WhisperHeardInput(call_sid=call_sid, leg_sid=leg_sid),
                    id=f"whisper-{leg_sid}",
                    task_queue=task_queue,
                    id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    # Without a worker it never runs; the claim holds all the same.
                    execution_timeout=timedelta(minutes=10),
                )
            return True
        except WorkflowAlreadyStartedError:
            return False
        except TimeoutError:
            log.warning("call %s: whisper claim timed out after %.1f s", call_sid, timeout_s)
        except Exception as e:
            log.warning("call %s: whisper claim failed: %r", call_sid, e)
        return None
