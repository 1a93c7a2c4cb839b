"""A brain that hands the call to a backup brain when the primary fails.

The LLM is a remote service: it can be down, slow, or cut a stream halfway.
The caller must not notice more than a short pause, so `FallbackBrain` runs
the primary (the LLM brain) and, on the first failure or when it is silent
for too long before its first event, switches for the rest of the call to
the fallback (the offline agent), which first catches up from the workflow's
state. Switching back and forth mid-call would make the agent forget what it
just said; one switch keeps the conversation coherent.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable

import httpx
import httpx2
import openai

from realtime import metrics
from realtime.brain.base import Brain, BrainEvent, CallerInput, TurnDone

log = logging.getLogger(__name__)


class BrainFailure(Exception):
    """A brain cannot go on with this call (raise it to hand over to the fallback)."""


# What counts as "the primary is broken" rather than a bug to surface.
FAILURES: tuple[type[BaseException], ...] = (
    BrainFailure,
    openai.OpenAIError,  # APIError and every status/connection/timeout subclass
    httpx.HTTPError,
    httpx2.HTTPError,
    TimeoutError,  # asyncio.TimeoutError is the same class on 3.11
    json.JSONDecodeError,
)

FIRST_EVENT_TIMEOUT = "first_event_timeout"
_TICK_S = 0.05


class _FirstEventTimeout(Exception):
    """The primary produced nothing in time (distinct from a TimeoutError it raised itself)."""


class FallbackBrain(Brain):
    """Delegates to `primary` until it fails, then to the fallback for the rest of the call."""

    name = "fallback"

    def __init__(
        self,
        primary: Brain,
        fallback_factory: Callable[[], Brain] | Brain,
        first_event_timeout_s: float = 4.0,
    ) -> None:
        """Wrap a primary brain.

        Args:
            primary: The brain to use while it works.
            fallback_factory: The backup brain, or a factory that builds it on the first
                failure (so a call that never fails never builds it).
            first_event_timeout_s: How long a reply may take to produce its first event
                before the primary is considered hung. Time spent in a tool does not
                count when the primary has a `tool_running` attribute that says so.
        """
        self.primary = primary
        self._fallback_factory = fallback_factory
        self._fallback: Brain | None = fallback_factory if isinstance(fallback_factory, Brain) else None
        self.first_event_timeout_s = first_event_timeout_s
        self.switched = False
        self.reason: str | None = None
        # Named like the speech chains ("deepgram+whisper"): the primary, with a local standby.
        self.name = f"{primary.name}+offline"

    @property
    def _provider(self) -> str:
        """The primary's label in the provider metrics (the LLM brain's is its API, `openai`)."""
        return str(getattr(self.primary, "provider", self.primary.name))

    @property
    def active(self) -> Brain:
        """The brain answering now."""
        return self._fallback if self.switched and self._fallback is not None else self.primary

    def greeting(self) -> str:
        """The active brain's greeting."""
        return self.active.greeting()

    async def take_over(self) -> None:
        """Let the active brain catch up (when this brain itself takes over a call)."""
        await self.active.take_over()

    async def warm(self) -> None:
        """Warm the primary (the one the first turn will use)."""
        await self.primary.warm()

    async def aclose(self) -> None:
        """Release what the brains hold (the LLM client), for those that have an `aclose`."""
        for brain in (self.primary, self._fallback):
            close = getattr(brain, "aclose", None)
            if brain is not None and close is not None:
                await close()

    async def respond(self, said: CallerInput) -> AsyncIterator[BrainEvent]:
        """Stream the primary's reply; on failure, the fallback's reply to the same input.

        Events the primary already yielded stay yielded: a sentence already spoken
        cannot be unsaid, and a tool call already made is in the workflow's record.
        """
        if self.switched:
            async for event in self._backup().respond(said):
                yield event
            return
        replies = self.primary.respond(said)
        done = False
        failure: str | None = None
        first = True
        try:
            while True:
                try:
                    event = await (self._first_event(replies) if first else anext(replies))
                except StopAsyncIteration:
                    break
                except _FirstEventTimeout:
                    # The primary raised nothing (it was cut off), so it counted nothing: count here.
                    metrics.PROVIDER_ERRORS.labels(provider=self._provider, role="brain").inc()
                    failure = FIRST_EVENT_TIMEOUT
                    break
                except FAILURES as e:
                    failure = _describe(e)
                    break
                first = False
                done = done or isinstance(event, TurnDone)
                yield event
        finally:
            if isinstance(replies, AsyncGenerator):
                await replies.aclose()
        if failure is None:
            return
        if done:
            # The turn was complete; the next turn will find out whether it is still broken.
            log.warning("brain %s failed after its turn ended (%s)", self.primary.name, failure)
            return
        await self._switch(failure)
        async for event in self._backup().respond(said):
            yield event

    async def _first_event(self, replies: AsyncIterator[BrainEvent]) -> BrainEvent:
        """The reply's first event, or `_FirstEventTimeout` if the primary is silent too long.

        The clock stops while the primary reports a tool running: a slow backend is
        not a broken model, and the fallback would only call the same backend again.
        """
        loop = asyncio.get_running_loop()
        # asyncio.timeout, not wait_for: the generator must keep running in this task
        # (the SDK's connection state must not move between tasks).
        scope = asyncio.timeout(self.first_event_timeout_s)
        last = loop.time()
        handle: asyncio.TimerHandle | None = None

        def tick() -> None:
            nonlocal last, handle
            now = loop.time()
            deadline = scope.when()
            if scope.expired():
                return
            if getattr(self.primary, "tool_running", False) and deadline is not None:
                scope.reschedule(deadline + (now - last))
            last = now
            handle = loop.call_later(_TICK_S, tick)

        handle = loop.call_later(_TICK_S, tick)
        try:
            async with scope:
                return await anext(replies)
        except TimeoutError:
            if scope.expired():
                raise _FirstEventTimeout from None
            raise
        finally:
            if handle is not None:
                handle.cancel()

    def _backup(self) -> Brain:
        if self._fallback is None:
            factory = self._fallback_factory
            assert not isinstance(factory, Brain)
            self._fallback = factory()
        return self._fallback

    async def _switch(self, reason: str) -> None:
        backup = self._backup()
        self.switched = True
        self.reason = reason
        metrics.PROVIDER_FAILOVERS.labels(provider=self._provider, role="brain").inc()
        # No personal data here: brain names and an error class or status only.
        log.warning(
            "brain %s failed (%s); %s takes over for the rest of the call",
            self.primary.name,
            reason,
            backup.name,
        )
        await backup.take_over()


def _describe(err: BaseException) -> str:
    """An error class and status code: enough for metrics, nothing the caller said."""
    status = getattr(err, "status_code", None)
    return f"{type(err).__name__}:{status}" if status is not None else type(err).__name__
