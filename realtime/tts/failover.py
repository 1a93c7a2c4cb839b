"""A cloud voice with the local one standing by.

A sentence whose first audio does not come from the vendor (error, timeout,
dropped socket) is spoken by the local voice instead, and after a failure the
rest of the call stays local: the caller hears a short pause and a different
voice, never silence.

Metrics: each switch to the local voice counts in `PROVIDER_FAILOVERS{provider=<vendor>,
role="tts"}` (once per failure; the sentences of the cool-down that follows are not
switches). The vendor's own failures are counted in `PROVIDER_ERRORS` by its module (a
`TtsUnavailable` says it has been); this wrapper counts only the unexpected ones.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable

from realtime import metrics
from realtime.tts.base import TextToSpeech, TtsUnavailable

log = logging.getLogger("callengine.tts")


def _count_error(provider: str, err: BaseException) -> None:
    """An error of the vendor, unless its module counted it already (it raised `TtsUnavailable`)."""
    if not isinstance(err, TtsUnavailable):
        metrics.PROVIDER_ERRORS.labels(provider=provider, role="tts").inc()


class FailoverTts(TextToSpeech):
    """`primary` until it fails, then `fallback`."""

    def __init__(self, primary: TextToSpeech, fallback: TextToSpeech, cooldown_s: float = 60.0) -> None:
        self.primary, self.fallback = primary, fallback
        self.name = f"{primary.name}+{fallback.name}"
        self._cooldown_s = cooldown_s
        self._down_until = 0.0  # the vendor is skipped until then, for every call of the process

    def _vendor_up(self) -> bool:
        return asyncio.get_running_loop().time() >= self._down_until

    async def stream(self, text: str, *, slow: bool = False) -> AsyncIterator[bytes]:
        """Vendor audio; local audio for the sentence (and a cool-down) when the vendor fails.

        Args:
            text: What to say.
            slow: A repeat; both voices honour it, so a failover mid-repeat stays slow.

        Yields:
            μ-law chunks.
        """
        if self._vendor_up():
            try:
                async for chunk in self.primary.stream(text, slow=slow):
                    yield chunk
                return
            except asyncio.CancelledError:
                raise
            except Exception as e:
                _count_error(self.primary.name, e)
                metrics.PROVIDER_FAILOVERS.labels(provider=self.primary.name, role="tts").inc()
                log.warning(
                    "text-to-speech %s failed (%s); switching to the local voice",
                    self.primary.name,
                    type(e).__name__,
                )
                self._down_until = asyncio.get_running_loop().time() + self._cooldown_s
        # If part of the sentence already played in the vendor's voice, it is said again whole:
        # better than resuming mid-word in another voice.
        async for chunk in self.fallback.stream(text, slow=slow):
            yield chunk

    def cached(self, text: str) -> bytes | None:
        """Fixed lines in the voice that is currently speaking."""
        return (self.primary.cached(text) if self._vendor_up() else None) or self.fallback.cached(text)

    async def prepare(self, lines: Iterable[str]) -> None:
        """Both voices cache the fixed lines; the local cache must be there when needed."""
        fixed = list(lines)
        await self.fallback.prepare(fixed)
        try:
            await self.primary.prepare(fixed)
        except Exception as e:
            _count_error(self.primary.name, e)
            log.warning(
                "text-to-speech %s could not prepare fixed lines (%s)", self.primary.name, type(e).__name__
            )

    async def warm(self) -> None:
        """Warm both."""
        await self.fallback.warm()
        try:
            await self.primary.warm()
        except Exception as e:
            _count_error(self.primary.name, e)
            # The cool-down below sends the first calls to the local voice: that is a switch too.
            metrics.PROVIDER_FAILOVERS.labels(provider=self.primary.name, role="tts").inc()
            log.warning("text-to-speech %s unavailable at start (%s)", self.primary.name, type(e).__name__)
            self._down_until = asyncio.get_running_loop().time() + self._cooldown_s
