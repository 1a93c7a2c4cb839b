"""A cloud recognizer with the local one standing by.

Every frame goes to both sessions: the local one only buffers (Whisper decodes
on demand), so it costs almost nothing until needed — and when the vendor
fails mid-call (error, timeout, dropped socket), the turn in progress is
decoded locally from the same audio, and the rest of the call stays local.
The caller hears at most the local decode time, never a lost turn.

Metrics: every time the local recognizer answers in the vendor's place counts in
`PROVIDER_FAILOVERS{provider=<vendor>, role="stt"}`. The vendor's own failures are
counted in `PROVIDER_ERRORS` by its module (an `SttUnavailable` says it has been);
this wrapper counts only the unexpected ones, so one failure is one error.
"""

from __future__ import annotations

import asyncio
import logging

from realtime import metrics
from realtime.stt.base import SpeechToText, SttSession, SttUnavailable, Transcript

log = logging.getLogger("callengine.stt")
RESCUE_MIN_SPEECH_MS = 300.0


def _count_failure(provider: str, err: BaseException) -> None:
    """One switch to the local recognizer; an error too unless the vendor's module counted it."""
    if not isinstance(err, SttUnavailable):
        metrics.PROVIDER_ERRORS.labels(provider=provider, role="stt").inc()
    metrics.PROVIDER_FAILOVERS.labels(provider=provider, role="stt").inc()


class FailoverSession(SttSession):
    """The primary vendor's session, shadowed by a local one."""

    def __init__(self, primary: SttSession, fallback: SttSession, provider: str) -> None:
        self._primary: SttSession | None = primary
        self._fallback = fallback
        self._provider = provider
        self.switched = False

    def _fail(self, err: BaseException) -> None:
        log.warning(
            "speech-to-text %s failed (%s); this call continues on the local recognizer",
            self._provider,
            type(err).__name__,
        )
        _count_failure(self._provider, err)
        self._primary, self.switched = None, True

    def push(self, ulaw: bytes, speech: bool) -> None:
        """Both sessions hear every frame."""
        self._fallback.push(ulaw, speech)
        if self._primary is not None:
            try:
                self._primary.push(ulaw, speech)
            except Exception as e:
                self._fail(e)

    def speculate(self) -> None:
        """Only the active recognizer speculates."""
        (self._primary or self._fallback).speculate()

    async def interim(self) -> str:
        """The active recognizer's guess."""
        if self._primary is not None:
            try:
                return await self._primary.interim()
            except Exception as e:
                self._fail(e)
        return await self._fallback.interim()

    async def finalize(self) -> Transcript:
        """The vendor's transcript; the local one when the vendor fails."""
        if self._primary is not None:
            try:
                result = await self._primary.finalize()
                heard_ms = float(getattr(self._fallback, "speech_ms", 0.0))
                if result.text.strip() or heard_ms < RESCUE_MIN_SPEECH_MS:
                    self._fallback.discard()  # the shadow copy of this turn is not needed
                    return result
                # The vendor returned nothing for a turn with real speech in it (a stalled
                # socket answers a timeout with nothing): the local copy rescues the turn.
                log.warning(
                    "speech-to-text %s returned no words for %.0f ms of speech; decoding locally",
                    self._provider,
                    heard_ms,
                )
                # A failover for this turn; whether it was the vendor's error (a timeout) or only a
                # miss, its module has already said.
                metrics.PROVIDER_FAILOVERS.labels(provider=self._provider, role="stt").inc()
                return await self._fallback.finalize()
            except asyncio.CancelledError:
                raise
            except Exception as e:
                self._fail(e)
        return await self._fallback.finalize()

    def discard(self) -> None:
        """Both forget the turn."""
        self._fallback.discard()
        if self._primary is not None:
            self._primary.discard()

    async def aclose(self) -> None:
        """Close both."""
        if self._primary is not None:
            try:
                await self._primary.aclose()
            except Exception as e:  # closing a broken vendor socket must not break hang-up
                log.debug("closing %s session: %s", self._provider, type(e).__name__)
        await self._fallback.aclose()


class FailoverStt(SpeechToText):
    """`primary` for every call, with `fallback` shadowing it."""

    def __init__(self, primary: SpeechToText, fallback: SpeechToText) -> None:
        self.primary, self.fallback = primary, fallback
        self.name = f"{primary.name}+{fallback.name}"

    def open(self) -> SttSession:
        """A session that fails over on its own."""
        fallback = self.fallback.open()
        try:
            primary = self.primary.open()
        except Exception as e:
            _count_failure(self.primary.name, e)
            log.warning(
                "speech-to-text %s unavailable (%s); using the local recognizer",
                self.primary.name,
                type(e).__name__,
            )
            return fallback
        return FailoverSession(primary, fallback, self.primary.name)

    async def warm(self) -> None:
        """Warm both: the local one must be ready the moment the vendor fails."""
        await asyncio.gather(self.primary.warm(), self.fallback.warm(), return_exceptions=False)
