"""ElevenLabs streaming text-to-speech over one multi-context WebSocket per process.

Wire protocol: PROTOCOLS.md §5, `multi-stream-input`. The elevenlabs SDK has no
async WebSocket TTS and forces `wss://` (§5 "Python SDK"), so this speaks the
protocol directly with `websockets`, against a configurable base URL (tests use
a plain-ws fake on 127.0.0.1).

Latency design:

* One socket per process, opened by `warm()` and reopened when it drops, so no
  sentence pays a TLS + WebSocket handshake.
* Every `stream(text)` is its own context (`context_id`): the init message, the
  whole text with `flush: true` and `close_context` go out in one burst. With
  `auto_mode=true` (§5: no chunk schedule, for whole sentences) the server starts
  at once; `close_context` after a flush lets the flush finish and then ends the
  context with `isFinal` (§5), which is how a stream knows it is complete and
  frees the context slot.
* A single reader task routes audio frames by `contextId` into per-stream
  queues, so a slow reader never holds up another call's audio.
* Barge-in: a stream closed or cancelled before its `isFinal` sends
  `close_context` for its context (§5 "Barge-in") and its late audio is dropped
  by `contextId`. Its slot stays taken until the server confirms with `isFinal`:
  releasing early is how clients exceed the limit of 5 open contexts per socket
  and get closed with 1008 `max_active_conversations` (§5; livekit/agents-js#1985).

Failures raise `TtsUnavailable` (the session fails over to Piper on it) and
count `PROVIDER_ERRORS{provider="elevenlabs", role="tts"}`: a refused handshake
(401 = bad API key), an error frame, no audio within `audio_timeout_s`, a socket
that drops mid-sentence. A socket found dropped before a stream got any audio
(e.g. the server closed it while idle) is reopened once, transparently.
`PROVIDER_SECONDS` times each handshake (`op="connect"`) and, per sentence, the
wait from `stream()` to its first audio (`op="first_audio"`; cached lines excluded).

Slow lines (a repeat the caller asked for) are their own context whose init
carries `voice_settings.speed = slow_speed` (ElevenLabs' speaking rate,
0.7–1.2; settings are per context on `multi-stream-input`, so a slow line never
slows another), their text as the brain worded it (read-out digit runs already
grouped by commas, `repair.say_again`); they are never served from the cache of
fixed lines.

Logs carry context ids, close codes and error codes, never the text spoken.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import os
import time
import uuid
from collections.abc import AsyncGenerator, Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote, urlencode, urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from realtime.metrics import PROVIDER_ERRORS, observe_provider
from realtime.tts.base import SLOW_RATE, TextToSpeech, TtsUnavailable

__all__ = [
    "DEFAULT_URL",
    "DEFAULT_VOICE_ID",
    "MAX_CONTEXTS",
    "OUTPUT_FORMAT",
    "SPEED_RANGE",
    "ElevenLabsSettings",
    "ElevenLabsTts",
    "TtsUnavailable",
]

logger = logging.getLogger(__name__)

DEFAULT_URL: Final = "wss://api.elevenlabs.io"
# "Rachel", one of ElevenLabs' premade voices: available on every account.
DEFAULT_VOICE_ID: Final = "21m00Tcm4TlvDq8ikWAM"
DEFAULT_MODEL_ID: Final = "eleven_flash_v2_5"
# What Twilio plays: headerless 8 kHz μ-law, straight into `media.payload` (§5). Not a setting:
# anything else would break the TextToSpeech contract.
OUTPUT_FORMAT: Final = "ulaw_8000"
# Open contexts allowed per connection by ElevenLabs (§5 multi-context).
MAX_CONTEXTS: Final = 5
# The range ElevenLabs accepts for `voice_settings.speed` (1.0 = the voice's normal rate).
SPEED_RANGE: Final = (0.7, 1.2)

_PROVIDER: Final = "elevenlabs"


class _ConnectionLost(TtsUnavailable):
    """The socket closed while a context was open (retried once if no audio had come yet)."""


def _count_error() -> None:
    PROVIDER_ERRORS.labels(provider=_PROVIDER, role="tts").inc()


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class ElevenLabsSettings:
    """How to reach ElevenLabs and which voice to speak with.

    Attributes:
        api_key: Sent as the `xi-api-key` handshake header; never logged or repr'd.
        voice_id: The voice (path segment of the URL).
        url: WebSocket base URL; `http(s)://` is accepted and mapped to `ws(s)://`.
        model_id: ElevenLabs model; Flash v2.5 is their lowest-latency one.
        stability: Voice setting (0–1): higher is steadier, lower more expressive.
        similarity_boost: Voice setting (0–1): adherence to the original voice.
        speed: Voice setting: speaking rate, 1.0 = normal (0.7–1.2).
        slow_speed: The speaking rate of a slow line (a repeat the caller asked for).
        auto_mode: Query `auto_mode`: the server skips its chunk-length buffering,
            right for whole sentences (what `stream` sends) and lower latency.
        chunk_length_schedule: `generation_config.chunk_length_schedule` for each
            context (only matters with `auto_mode=False`); empty = server default.
        inactivity_timeout_s: Query `inactivity_timeout` (max 180): how long the
            server keeps an idle connection.
        max_contexts: Contexts open at once on the socket (ElevenLabs allows 5).
        connect_timeout_s: Handshake timeout.
        audio_timeout_s: No audio for a context this long (first chunk or between
            chunks) = the provider is unavailable.
        slot_timeout_s: Longest wait for a free context slot.
        reconnect_backoff_s: After a failed handshake, streams fail at once for this
            long instead of each trying again (fast failover while the vendor is down).
    """

    api_key: str = field(repr=False)
    voice_id: str = DEFAULT_VOICE_ID
    url: str = DEFAULT_URL
    model_id: str = DEFAULT_MODEL_ID
    stability: float = 0.5
    similarity_boost: float = 0.8
    speed: float = 1.0
    slow_speed: float = SLOW_RATE
    auto_mode: bool = True
    chunk_length_schedule: tuple[int, ...] = ()
    inactivity_timeout_s: int = 180
    max_contexts: int = MAX_CONTEXTS
    connect_timeout_s: float = 3.0
    audio_timeout_s: float = 2.0
    slot_timeout_s: float = 5.0
    reconnect_backoff_s: float = 2.0

    def __post_init__(self) -> None:
        """Validate eagerly: a bad setting should fail at startup, not on a caller's first sentence."""
        if not self.api_key:
            raise ValueError("ElevenLabs API key is empty")
        if not self.voice_id:
            raise ValueError("ElevenLabs voice id is empty")
        if urlsplit(self.url).scheme not in ("ws", "wss", "http", "https"):
            raise ValueError("ElevenLabs URL must be ws://, wss://, http:// or https://")
        if not 1 <= self.max_contexts <= MAX_CONTEXTS:
            raise ValueError(f"max_contexts must be 1..{MAX_CONTEXTS}")
        if any(not 50 <= n <= 500 for n in self.chunk_length_schedule):
            raise ValueError("chunk_length_schedule values must be 50..500")
        low, high = SPEED_RANGE
        if not (low <= self.speed <= high and low <= self.slow_speed <= high):
            raise ValueError(f"speed and slow_speed must be {low}..{high}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ElevenLabsSettings:
        """Settings from `ELEVENLABS_API_KEY`, `ELEVENLABS_VOICE_ID` and `ELEVENLABS_URL`.

        Args:
            environ: The environment to read; `os.environ` by default.

        Returns:
            The settings; voice and URL fall back to `DEFAULT_VOICE_ID` / `DEFAULT_URL`.

        Raises:
            ValueError: `ELEVENLABS_API_KEY` is missing or empty.
        """
        env = os.environ if environ is None else environ
        key = env.get("ELEVENLABS_API_KEY", "").strip()
        if not key:
            raise ValueError("ELEVENLABS_API_KEY is not set")
        return cls(
            api_key=key,
            voice_id=env.get("ELEVENLABS_VOICE_ID", "").strip() or DEFAULT_VOICE_ID,
            url=env.get("ELEVENLABS_URL", "").strip() or DEFAULT_URL,
        )

    def stream_url(self) -> str:
        """The `multi-stream-input` URL with its query (§5)."""
        parts = urlsplit(self.url.rstrip("/"))
        scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
        query = {
            "model_id": self.model_id,
            "output_format": OUTPUT_FORMAT,
            "auto_mode": "true" if self.auto_mode else "false",
            "inactivity_timeout": str(self.inactivity_timeout_s),
        }
        path = f"{parts.path}/v1/text-to-speech/{quote(self.voice_id, safe='')}/multi-stream-input"
        return f"{scheme}://{parts.netloc}{path}?{urlencode(query)}"

    def voice_settings(self, slow: bool = False) -> dict[str, float]:
        """The `voice_settings` object of a context's init message.

        Args:
            slow: For a slow line: `speed` is `slow_speed`.

        Returns:
            Stability, similarity boost and speed.
        """
        speed = self.slow_speed if slow else self.speed
        return {"stability": self.stability, "similarity_boost": self.similarity_boost, "speed": speed}


# ---------------------------------------------------------------- one socket


@dataclass(frozen=True)
class _End:
    """Last item of a context's queue: its `isFinal`, or why it failed."""

    error: TtsUnavailable | None = None


@dataclass(eq=False)
class _Context:
    """One `stream()` call's context on the socket."""

    id: str
    conn: _Connection
    release: Callable[[], None]  # frees the slot; safe to call more than once
    frames_at_open: int
    queue: asyncio.Queue[bytes | _End] = field(default_factory=asyncio.Queue)
    init_sent: bool = False
    done: bool = False  # isFinal received, or failed: nothing more will come
    abandoned: bool = False  # nobody reads any more: drop its late audio


class _Connection:
    """A `multi-stream-input` socket and the task that routes its frames to contexts."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.contexts: dict[str, _Context] = {}
        self.frames = 0  # frames received, to tell a dead socket from one slow context
        self.alive = True
        self.error: TtsUnavailable | None = None
        self.closing_by_us = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.reader = asyncio.create_task(self._read(), name="elevenlabs-reader")

    # -- sending ---------------------------------------------------------------

    async def send(self, payload: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(payload, separators=(",", ":")))

    def send_soon(self, payload: dict[str, Any]) -> None:
        """Send without waiting (from `finally` blocks of cancelled streams); failures are moot."""
        if not self.alive:
            return

        async def send() -> None:
            try:
                await self.send(payload)
            except ConnectionClosed:
                pass  # the reader finishes the contexts

        self._spawn(send())

    def close_soon(self) -> None:
        """Close in the background; the reader then fails every open context."""
        self.alive = False
        self.closing_by_us = True
        self._spawn(self.ws.close())

    async def close(self) -> None:
        """`close_socket` (the server finishes flushing contexts) and close."""
        if self.alive:
            self.alive = False
            self.closing_by_us = True
            try:
                await self.send({"close_socket": True})
            except ConnectionClosed:
                pass
        await self.ws.close()
        await asyncio.gather(self.reader, return_exceptions=True)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- contexts --------------------------------------------------------------

    def finish(self, ctx: _Context, error: TtsUnavailable | None = None) -> None:
        """End a context (idempotent): wake its reader and free its slot."""
        if ctx.done:
            return
        ctx.done = True
        self.contexts.pop(ctx.id, None)
        ctx.queue.put_nowait(_End(error))
        ctx.release()

    # -- receiving -------------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                self.frames += 1
                self._dispatch(raw)
        except ConnectionClosed:
            pass  # a non-1000 close: reported below from close_code
        finally:
            self.alive = False
            code, reason = self.ws.close_code, self.ws.close_reason
            open_contexts = list(self.contexts.values())
            if self.error is None and open_contexts and not self.closing_by_us:
                _count_error()
                logger.warning(
                    "ElevenLabs socket closed with %d context(s) open (code %s)", len(open_contexts), code
                )
            else:
                logger.info("ElevenLabs socket closed (code %s)", code)
            error = self.error or _ConnectionLost(
                f"ElevenLabs connection closed (code {code}{': ' + reason if reason else ''})"
            )
            for ctx in open_contexts:
                self.finish(ctx, error)

    def _dispatch(self, raw: str | bytes) -> None:
        try:
            msg = json.loads(raw)
        except ValueError:
            logger.warning("ElevenLabs sent a frame that is not JSON (%d bytes)", len(raw))
            return
        if not isinstance(msg, dict):
            return
        final = msg.get("isFinal") is True or msg.get("is_final") is True
        if msg.get("error") or (msg.get("message") and not msg.get("audio") and not final):
            self._error_frame(msg)
            return
        ctx_id = msg.get("contextId", msg.get("context_id"))
        ctx = self.contexts.get(ctx_id) if isinstance(ctx_id, str) else None
        if ctx is None:
            return  # late frames of a finished context
        audio = msg.get("audio")
        if isinstance(audio, str) and audio:
            try:
                chunk = base64.b64decode(audio, validate=True)
            except binascii.Error:
                _count_error()
                self.finish(ctx, TtsUnavailable("ElevenLabs sent audio that is not base64"))
                return
            if not ctx.abandoned:
                ctx.queue.put_nowait(chunk)
        if final:
            self.finish(ctx)

    def _error_frame(self, msg: dict[str, Any]) -> None:
        """An error frame ends the socket (§5: sent before the server closes): fail every context."""
        code, message = msg.get("error"), msg.get("message")
        _count_error()
        logger.warning("ElevenLabs error frame: %s (code %s)", code, msg.get("code"))
        auth = isinstance(code, str) and ("api_key" in code or "auth" in code or "unauthor" in code)
        what = "rejected the API key" if auth else "reported an error"
        self.error = TtsUnavailable(f"ElevenLabs {what}: {code or 'error'}: {message or ''}".rstrip(": "))
        for ctx in list(self.contexts.values()):
            self.finish(ctx, self.error)
        self.close_soon()


# ---------------------------------------------------------------- the provider


class ElevenLabsTts(TextToSpeech):
    """ElevenLabs voice over a shared `multi-stream-input` socket, 8 kHz μ-law out.

    One instance per process, shared by all calls (like `PiperTts`).
    """

    name = "elevenlabs"

    def __init__(self, settings: ElevenLabsSettings) -> None:
        """Configure; nothing connects until `warm` or the first `stream`.

        Args:
            settings: Account, voice and timeouts.
        """
        self.settings = settings
        self._conn: _Connection | None = None
        self._connect_lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(settings.max_contexts)
        self._held = 0  # slots taken: contexts open on the server or awaiting its isFinal
        self._failed_until = 0.0
        self._last_failure = ""
        self._cache: dict[str, bytes] = {}
        self._closed = False

    @property
    def connected(self) -> bool:
        """Whether a socket is open now."""
        return self._conn is not None and self._conn.alive

    @property
    def open_contexts(self) -> int:
        """Contexts holding a slot (open on the server or awaiting its `isFinal`)."""
        return self._held

    # -- connection ------------------------------------------------------------

    async def warm(self) -> None:
        """Open the socket now (idempotent and cheap when it is open: fine to call at each call start).

        Raises:
            TtsUnavailable: The handshake failed (bad key, unreachable, timeout).
        """
        await self._connection()

    async def close(self) -> None:
        """Close the socket for good (process shutdown); later streams raise `TtsUnavailable`."""
        self._closed = True
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    async def _connection(self) -> _Connection:
        conn = self._conn
        if conn is not None and conn.alive:
            return conn
        async with self._connect_lock:  # concurrent streams share one handshake
            conn = self._conn
            if conn is not None and conn.alive:
                return conn
            if self._closed:
                raise TtsUnavailable("the ElevenLabs client is closed")
            if time.monotonic() < self._failed_until:
                raise TtsUnavailable(self._last_failure)
            self._conn = await self._connect()
            return self._conn

    async def _connect(self) -> _Connection:
        s = self.settings
        started = time.monotonic()
        try:
            ws = await connect(
                s.stream_url(),
                additional_headers={"xi-api-key": s.api_key},
                open_timeout=s.connect_timeout_s,
                close_timeout=1.0,
                # Audio is base64 of μ-law: deflate saves little and costs CPU on every frame.
                compression=None,
                max_size=2**22,
            )
        except InvalidStatus as e:
            status = e.response.status_code
            if status in (401, 403):
                raise self._connect_failed(f"ElevenLabs rejected the API key (HTTP {status})") from e
            raise self._connect_failed(f"ElevenLabs refused the WebSocket (HTTP {status})") from e
        except (OSError, TimeoutError, InvalidHandshake) as e:
            raise self._connect_failed(f"cannot reach ElevenLabs ({type(e).__name__})") from e
        observe_provider(_PROVIDER, "tts", "connect", time.monotonic() - started)
        logger.info("ElevenLabs socket open (voice %s, model %s)", s.voice_id, s.model_id)
        return _Connection(ws)

    def _connect_failed(self, message: str) -> TtsUnavailable:
        _count_error()
        logger.warning("%s", message)
        self._last_failure = message
        self._failed_until = time.monotonic() + self.settings.reconnect_backoff_s
        return TtsUnavailable(message)

    # -- contexts --------------------------------------------------------------

    async def _acquire_slot(self) -> None:
        try:
            async with asyncio.timeout(self.settings.slot_timeout_s):
                await self._slots.acquire()
            self._held += 1
        except TimeoutError:
            _count_error()
            # Every slot has been taken this long: contexts whose isFinal never came. Closing the
            # socket ends them all on the server too, so the next stream starts clean.
            conn = self._conn
            if conn is not None and conn.alive:
                conn.close_soon()
            raise TtsUnavailable(
                f"no free ElevenLabs context within {self.settings.slot_timeout_s:.1f} s"
            ) from None

    async def _open(self, words: str, slow: bool) -> _Context:
        """Take a slot, make sure the socket is open, and send the context's messages."""
        await self._acquire_slot()
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._held -= 1
                self._slots.release()

        try:
            conn = await self._connection()
        except BaseException:
            release()
            raise
        ctx = _Context(id=uuid.uuid4().hex[:16], conn=conn, release=release, frames_at_open=conn.frames)
        if not conn.alive:  # dropped while we were getting it: the reader is gone
            conn.finish(ctx, _ConnectionLost("ElevenLabs connection closed"))
            return ctx
        conn.contexts[ctx.id] = ctx
        init: dict[str, Any] = {
            "text": " ",
            "context_id": ctx.id,
            "voice_settings": self.settings.voice_settings(slow),
        }
        if self.settings.chunk_length_schedule:
            init["generation_config"] = {"chunk_length_schedule": list(self.settings.chunk_length_schedule)}
        try:
            await conn.send(init)
            ctx.init_sent = True
            # Text chunks end with a space (§5); flush = generate now, close_context = then end with isFinal.
            await conn.send({"text": words + " ", "context_id": ctx.id, "flush": True})
            await conn.send({"context_id": ctx.id, "close_context": True})
        except ConnectionClosed:
            conn.finish(ctx, _ConnectionLost("ElevenLabs connection closed"))
        except BaseException:
            self._abandon(ctx)
            raise
        return ctx

    def _abandon(self, ctx: _Context) -> None:
        """Nobody will read this context any more (barge-in, error): stop it and drop its audio."""
        ctx.abandoned = True
        while not ctx.queue.empty():  # free the audio nobody will play
            ctx.queue.get_nowait()
        if ctx.done:
            return
        if not ctx.init_sent or not ctx.conn.alive:
            # The server never heard of it (or the socket is gone): no isFinal will come.
            ctx.conn.finish(ctx)
            return
        # The slot stays taken until the server's isFinal confirms the context is gone.
        ctx.conn.send_soon({"context_id": ctx.id, "close_context": True})

    async def _next(self, ctx: _Context) -> bytes | None:
        """The context's next audio chunk, or None at its end."""
        try:
            async with asyncio.timeout(self.settings.audio_timeout_s):
                item = await ctx.queue.get()
        except TimeoutError:
            _count_error()
            logger.warning(
                "no audio from ElevenLabs within %.1f s (context %s)", self.settings.audio_timeout_s, ctx.id
            )
            conn = ctx.conn
            self._abandon(ctx)
            if conn.alive and conn.frames == ctx.frames_at_open:
                # Not a single frame on the socket since this context opened: the socket (or the
                # server behind it) is stuck, not just this context. Start the next stream afresh.
                conn.close_soon()
            raise TtsUnavailable(
                f"no audio from ElevenLabs within {self.settings.audio_timeout_s:.1f} s"
            ) from None
        if isinstance(item, _End):
            if item.error is not None:
                raise item.error
            return None
        return item

    async def _begin(self, words: str, slow: bool) -> tuple[_Context, bytes | None]:
        """Open a context and wait for its first chunk, reopening a dropped socket once."""
        for attempt in range(2):
            ctx = await self._open(words, slow)
            try:
                return ctx, await self._next(ctx)
            except _ConnectionLost:
                # Nothing was heard for this context yet (audio would have been queued before the
                # end), so saying it on a fresh socket repeats nothing. Typical cause: the server
                # closed the idle socket just as we used it.
                if attempt == 0 and not self._closed:
                    logger.info("ElevenLabs socket lost before audio; reopening (context %s)", ctx.id)
                    continue
                raise
            except BaseException:
                self._abandon(ctx)
                raise
        raise AssertionError("unreachable")

    # -- TextToSpeech ------------------------------------------------------------

    async def stream(self, text: str, *, slow: bool = False) -> AsyncGenerator[bytes, None]:
        """μ-law 8 kHz audio for `text`, each chunk yielded as soon as it arrives.

        A cached line is yielded whole (unless slow: the cache is at normal
        speed). Closing the generator (`aclose`) or cancelling its reader before
        the end sends `close_context` and drops the context's remaining audio.

        Args:
            text: What to say (one or a few sentences).
            slow: A repeat: spoken at `slow_speed` (the text is already worded for it).

        Yields:
            μ-law chunks (about 100 ms each from ElevenLabs).

        Raises:
            TtsUnavailable: ElevenLabs cannot say it (see the module docstring).
        """
        cached = None if slow else self._cache.get(text)
        if cached is not None:
            yield cached
            return
        words = text.strip()
        if not words:
            return
        started = time.monotonic()
        ctx, chunk = await self._begin(words, slow)
        if chunk is not None:
            # From the caller's side: slot, handshake (if any) and synthesis until audio exists.
            observe_provider(_PROVIDER, "tts", "first_audio", time.monotonic() - started)
        try:
            while chunk is not None:
                yield chunk
                chunk = await self._next(ctx)
        finally:
            # Normal end, error, cancellation or aclose(): a context still open is abandoned.
            if not ctx.done:
                self._abandon(ctx)

    def cached(self, text: str) -> bytes | None:
        """Audio for a line synthesized by `prepare`, or None."""
        return self._cache.get(text)

    async def prepare(self, lines: Iterable[str]) -> None:
        """Synthesize fixed lines (greeting, fillers, goodbye) once and keep them in memory.

        The lines go out concurrently (bounded by the context slots).

        Args:
            lines: The exact texts that will later be passed to `stream` / `cached`.

        Raises:
            TtsUnavailable: A line could not be synthesized (the others are kept).
        """
        todo = [line for line in dict.fromkeys(lines) if line not in self._cache and line.strip()]
        results = await asyncio.gather(*(self._synthesize(line) for line in todo), return_exceptions=True)
        for line, result in zip(todo, results, strict=True):
            if isinstance(result, bytes):
                self._cache[line] = result
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _synthesize(self, text: str) -> bytes:
        return b"".join([chunk async for chunk in self.stream(text)])
