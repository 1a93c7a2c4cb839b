"""The text-to-speech interface the call session uses.

Output is what Twilio plays: 8 kHz μ-law bytes, streamed in chunks as soon
as they exist, so the first audio of a sentence goes out before the whole
sentence is synthesized. Fixed lines (greeting, fillers, goodbye) are
synthesized once per process and served from memory.

A *slow* line is a repeat the caller asked for ("sorry, say that again?"):
every voice speaks it at about `SLOW_RATE` of its normal rate, and never from
the cache of fixed lines, which holds them at normal speed. Its read-out digit
runs were grouped once, by the brain that said it (`repair.say_again` with
`pacing.group_digit_runs`): a voice does not group them again.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Iterable

from realtime.tts.pacing import SLOW_RATE

__all__ = ["SLOW_RATE", "TextToSpeech", "TtsUnavailable"]


class TtsUnavailable(RuntimeError):
    """The voice provider cannot speak this text now; the caller should fail over (e.g. to Piper)."""


class TextToSpeech(abc.ABC):
    """A voice provider, shared by all calls of a process."""

    name: str = "tts"

    @abc.abstractmethod
    def stream(self, text: str, *, slow: bool = False) -> AsyncIterator[bytes]:
        """μ-law 8 kHz audio for `text`, chunk by chunk; cancellable between chunks.

        Args:
            text: What to say.
            slow: A repeat: slower, not from the cache (see the module docstring).
        """

    def cached(self, text: str) -> bytes | None:
        """Audio for a pre-synthesized line at normal speed, or None."""
        return None

    async def prepare(self, lines: Iterable[str]) -> None:  # noqa: B027 — optional
        """Synthesize fixed lines ahead of time (greeting, fillers, goodbye)."""

    async def warm(self) -> None:  # noqa: B027 — optional
        """Load models / open connections before the first call needs them."""
