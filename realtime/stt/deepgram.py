"""Deepgram live speech-to-text: Nova-3 over the `/v1/listen` WebSocket, one socket per call.

The wire protocol is PROTOCOLS.md §4; the socket is opened and spoken
through the official SDK (`deepgram-sdk` 7.17, `AsyncDeepgramClient`,
`listen.v1.connect`).

Audio: Twilio's 8 kHz μ-law goes out as it came (`encoding=mulaw`,
`sample_rate=8000`: no transcoding), as binary frames of 100 ms (five 20 ms
frames) rather than one message per frame, which cuts per-message overhead
fivefold and costs at most 80 ms of latency, all of it while the caller is
still talking. An empty frame is never sent (the docs warn it can close the
stream).

Turns: Deepgram transcribes continuously; the call session decides where a
turn ends. A session keeps the `is_final` segments received since the last
turn ended and the latest interim guess. `finalize()` sends `Finalize`,
which makes Deepgram flush what it still holds as `Results` with
`from_finalize:true`, and waits for that, or for a final result that
already covers every frame the VAD called speech before it (1.5 s at most).
Results come in stream order, so everything up to the answer to a turn's
`Finalize` belongs to that turn and everything after it to the next: audio
pushed while `finalize()` waits, and the words of a discarded turn, end up
where they belong. When Deepgram's own endpointing has already
finalized every frame the VAD called speech (`speech_final` usually arrives
300 ms after the last word, well before the call session is sure the turn
is over), `finalize()` answers at once without a round trip.

Failures: a dropped socket is reopened at once and the call goes on; audio
already sent is not sent again (what Deepgram had not finalized of it is
lost: at most the words in flight), audio pushed while reconnecting is
queued (up to 5 s) and sent on the new socket. Every failure counts in
`PROVIDER_ERRORS{provider="deepgram", role="stt"}`, a `Finalize` left
unanswered included. `PROVIDER_SECONDS` times each handshake (`op="connect"`)
and each `Finalize` from sending to its answer (`op="finalize"`: the
time-to-final a caller waits for). A socket that stops
answering (a `Finalize` unanswered, nothing at all received since it was
sent) is treated as dropped. After three failures in a row with nothing
heard from Deepgram in between (refused or timed-out handshakes, dead
sockets), or at once when the key is refused (401/403), the session gives
up: `finalize()` raises `SttUnavailable`, and the caller fails over to the
local recognizer.

Logs carry connection events and counts, never transcripts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import statistics
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

from deepgram import AsyncDeepgramClient, DeepgramClientEnvironment
from deepgram.core.api_error import ApiError
from deepgram.listen.v1.socket_client import AsyncV1SocketClient
from deepgram.listen.v1.types import ListenV1Error, ListenV1Results
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK

from realtime import audio
from realtime.metrics import PROVIDER_ERRORS, observe_provider
from realtime.stt.base import SpeechToText, SttSession, SttUnavailable, Transcript

__all__ = ["DeepgramSession", "DeepgramSettings", "DeepgramStt", "SttUnavailable"]

_log = logging.getLogger(__name__)

DEFAULT_URL: Final = "wss://api.deepgram.com"
_BYTES_PER_S: Final = audio.SAMPLE_RATE  # μ-law: one byte per sample
# A final result that ends this close to the end of the last speech frame covers it: the VAD flags
# speech in 20 ms steps, and its hangover already runs past the last word.
_COVER_SLACK_S: Final = 0.1
# A turn's Finalize is answered when a final result reaches this close to where it was sent.
_BOUNDARY_SLACK_S: Final = 0.03
_MAX_BACKOFF_S: Final = 2.0
# A socket that dies this soon after opening, having sent nothing, counts as a failed connect.
_SHORT_LIVED_S: Final = 10.0


@dataclass(frozen=True)
class DeepgramSettings:
    """How to reach Deepgram and how to use it.

    Attributes:
        api_key: The project's API key (sent as `Authorization: Token …`).
        url: WebSocket base URL, `wss://api.deepgram.com` (a loopback `ws://` one in tests).
        model: Recognition model.
        endpointing_ms: Silence after which Deepgram marks a result `speech_final`.
        utterance_end_ms: Gap after the last word before an `UtteranceEnd` (Deepgram's minimum is 1000).
        batch_ms: Audio per binary frame sent.
        keepalive_s: A `KeepAlive` goes out after this long without anything sent
            (Deepgram closes a socket after 10 s without audio or KeepAlive).
        finalize_timeout_s: How long `finalize()` waits for the answer to `Finalize`.
        connect_timeout_s: How long one handshake may take.
        close_timeout_s: How long `aclose()` waits for Deepgram to finish after `CloseStream`.
        max_failures: Failures in a row (with nothing heard in between) before giving up.
        reconnect_backoff_s: Wait before the second attempt in a row; doubles each time (max 2 s).
            The first reconnect after a drop is immediate.
        max_backlog_s: Audio kept while disconnected; older audio is dropped.
    """

    api_key: str = field(repr=False)
    url: str = DEFAULT_URL
    model: str = "nova-3"
    endpointing_ms: int = 300
    utterance_end_ms: int = 1000
    batch_ms: int = 100
    keepalive_s: float = 5.0
    finalize_timeout_s: float = 1.5
    connect_timeout_s: float = 5.0
    close_timeout_s: float = 2.0
    max_failures: int = 3
    reconnect_backoff_s: float = 0.25
    max_backlog_s: float = 5.0

    def __post_init__(self) -> None:
        """Check what would otherwise fail later, inside a call.

        Raises:
            ValueError: On an empty key, a URL that is not ws:// or wss://, or a batch size that is
                not a whole number of 20 ms frames.
        """
        if not self.api_key:
            raise ValueError("Deepgram needs an API key (DEEPGRAM_API_KEY)")
        parts = urlsplit(self.url)
        if parts.scheme not in ("ws", "wss") or not parts.netloc:
            raise ValueError("DEEPGRAM_URL must be a ws:// or wss:// base URL")
        if self.batch_ms <= 0 or self.batch_ms % audio.FRAME_MS:
            raise ValueError(f"batch_ms must be a positive multiple of {audio.FRAME_MS}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DeepgramSettings:
        """Settings from the environment.

        Args:
            env: Variables to read (`os.environ` by default): `DEEPGRAM_API_KEY`
                (required) and `DEEPGRAM_URL` (optional WebSocket base URL).

        Returns:
            The settings, with the defaults for everything else.

        Raises:
            ValueError: If the key is missing or the URL is not a WebSocket URL.
        """
        env = os.environ if env is None else env
        url = env.get("DEEPGRAM_URL", "").strip() or DEFAULT_URL
        return cls(api_key=env.get("DEEPGRAM_API_KEY", "").strip(), url=url.rstrip("/"))

    def environment(self) -> DeepgramClientEnvironment:
        """The SDK environment for `url`: the live socket uses `production`; the SDK needs all four."""
        http = self.url.replace("wss://", "https://", 1).replace("ws://", "http://", 1)
        return DeepgramClientEnvironment(base=http, production=self.url, agent=self.url, agent_rest=http)

    def query(self) -> dict[str, Any]:
        """The `listen.v1.connect` parameters for Twilio audio (PROTOCOLS.md §4)."""
        return {
            "model": self.model,
            "encoding": "mulaw",
            "sample_rate": audio.SAMPLE_RATE,
            "channels": 1,
            "interim_results": True,  # also required for UtteranceEnd
            "endpointing": self.endpointing_ms,
            "utterance_end_ms": self.utterance_end_ms,
            "vad_events": True,
            "smart_format": True,  # "10,482", "$20": the slot parsers read both forms
            "punctuate": True,
        }


# ---------------------------------------------------------------- turns


@dataclass
class _Segment:
    text: str
    confidence: float
    duration_s: float


class _Turn:
    """The words of one caller turn, as Deepgram sends them."""

    def __init__(self) -> None:
        self.finals: list[_Segment] = []
        self.interim = ""
        self.interim_confidence = 0.0
        self.speech_frames = 0
        # Set once its Finalize has gone out: on which connection, where in that stream (and where its
        # last speech frame ended), and when.
        self.gen: int | None = None
        self.boundary_s = 0.0
        self.speech_end_s: float | None = None
        self.sent_at = 0.0
        self.done = asyncio.Event()
        self.timed_out = False
        self.expiry: asyncio.TimerHandle | None = None

    def text(self, *, with_interim: bool) -> str:
        parts = [s.text for s in self.finals if s.text]
        if with_interim and self.interim:
            parts.append(self.interim)
        return " ".join(parts)

    def transcript(self, started: float) -> Transcript:
        spoken = [s for s in self.finals if s.text]
        # After a timeout the interim guess is the best there is; it is less sure than a final.
        text = self.text(with_interim=self.timed_out)
        if spoken:
            confidence = statistics.fmean(s.confidence for s in spoken)
        else:
            confidence = self.interim_confidence if text else 0.0
        return Transcript(
            text=text,
            confidence=confidence,
            audio_ms=sum(s.duration_s for s in self.finals) * 1000.0,
            decode_ms=(time.perf_counter() - started) * 1000.0,
        )

    def finish(self, *, timed_out: bool = False) -> None:
        if self.done.is_set():
            return
        self.timed_out = timed_out
        if self.expiry is not None:
            self.expiry.cancel()
        self.done.set()


@dataclass
class _Audio:
    data: bytes
    speech: bool


@dataclass
class _Finalize:
    turn: _Turn


class _CloseStream:
    pass


_Item = _Audio | _Finalize | _CloseStream


class _Restart(Exception):
    """The socket stopped answering: close it and open another."""


# ---------------------------------------------------------------- session


class DeepgramSession(SttSession):
    """One call's Deepgram stream: a socket opened on first use and kept (or reopened) for the call."""

    def __init__(self, client: AsyncDeepgramClient, settings: DeepgramSettings) -> None:
        """Create a session; `DeepgramStt.open` is the way in. Nothing connects until `push` or `connect`.

        Args:
            client: The SDK client (shared by the process's calls).
            settings: Connection and tuning.
        """
        self._client = client
        self._settings = settings
        self._batch_bytes = settings.batch_ms * audio.SAMPLE_RATE // 1000
        self._max_backlog = int(settings.max_backlog_s * _BYTES_PER_S)
        self._turn = _Turn()  # the turn in progress
        self._closing: deque[_Turn] = deque()  # turns whose Finalize is not answered yet, oldest first
        self._pending = bytearray()  # frames not yet batched
        self._pending_speech = False
        self._outbox: deque[_Item] = deque()  # to send, in order; an item leaves once sent
        self._backlog = 0  # bytes of audio in _outbox
        self._unsent_speech = 0  # _Audio items in _outbox that hold speech
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()  # a socket is open
        self._restart = asyncio.Event()
        self._gen = 0  # connections opened
        self._failures = 0  # in a row, with nothing heard from Deepgram in between
        self._error: SttUnavailable | None = None
        self._closed = False
        self._dropped_audio = False
        # The current socket's stream clock (seconds of audio sent on it) and what has been finalized.
        self._sent_bytes = 0
        self._speech_end_s: float | None = None
        self._final_end_s = 0.0
        self._heard_at = 0.0  # monotonic time of the last message from Deepgram

    # -- audio in ------------------------------------------------------------

    def push(self, ulaw: bytes, speech: bool) -> None:
        """Queue one frame of the caller's audio; opens the socket on the first call.

        Args:
            ulaw: 8 kHz μ-law as Twilio sent it (normally 160 bytes = 20 ms).
            speech: The VAD's decision for this frame.
        """
        if self._closed or self._error is not None or not ulaw:
            return
        self._start()
        if speech:
            self._turn.speech_frames += 1
            self._pending_speech = True
        self._pending += ulaw
        if len(self._pending) >= self._batch_bytes:
            self._flush()

    def _flush(self) -> None:
        """Move the frames waiting for a full batch to the outbox (never an empty frame)."""
        if not self._pending:
            return
        self._enqueue(_Audio(bytes(self._pending), self._pending_speech))
        self._pending.clear()
        self._pending_speech = False

    def _enqueue(self, item: _Item) -> None:
        self._outbox.append(item)
        if isinstance(item, _Audio):
            self._backlog += len(item.data)
            self._unsent_speech += item.speech
            while self._backlog > self._max_backlog:
                self._drop_oldest_audio()
        self._wake.set()

    def _drop_oldest_audio(self) -> None:
        """Disconnected for too long: forget the oldest queued audio (markers stay, in order)."""
        for i, item in enumerate(self._outbox):
            if isinstance(item, _Audio):
                del self._outbox[i]
                self._unqueued(item)
                if not self._dropped_audio:
                    self._dropped_audio = True
                    _log.warning("deepgram stt: still disconnected, dropping queued audio")
                return

    def _unqueued(self, item: _Item) -> None:
        if isinstance(item, _Audio):
            self._backlog -= len(item.data)
            self._unsent_speech -= item.speech

    # -- text out ------------------------------------------------------------

    def speculate(self) -> None:
        """Nothing to do: Deepgram decodes as the audio arrives."""

    async def interim(self) -> str:
        """The turn so far: its final segments and Deepgram's latest interim guess.

        Returns:
            The text, "" before Deepgram has heard any words.
        """
        return self._turn.text(with_interim=True)

    async def finalize(self) -> Transcript:
        """The turn ended: everything Deepgram heard since the last finalize/discard.

        The session is ready for the next turn at once: frames pushed while
        this waits belong to the next turn.

        Returns:
            The transcript (text "" and confidence 0 when nothing was said). If
            Deepgram does not answer in time, the best text it had sent.

        Raises:
            SttUnavailable: Deepgram refused the key or kept failing; use another recognizer.
        """
        started = time.perf_counter()
        if self._error is not None:
            self._turn = _Turn()
            raise self._error
        turn, self._turn = self._turn, _Turn()
        if turn.speech_frames == 0 or self._closed or self._caught_up():
            # Nothing was said, or every speech frame is already in a final result: no round trip.
            return turn.transcript(started)
        self._close_turn(turn)
        await turn.done.wait()
        if self._error is not None:
            raise self._error
        return turn.transcript(started)

    def discard(self) -> None:
        """Forget the turn in progress; what Deepgram still sends about its audio is dropped too."""
        turn, self._turn = self._turn, _Turn()
        if turn.speech_frames and self._error is None and not self._closed and not self._caught_up():
            # Deepgram still owes words for its audio: a Finalize marks where the next turn's begin.
            self._close_turn(turn)

    def _close_turn(self, turn: _Turn) -> None:
        self._flush()
        self._closing.append(turn)
        self._enqueue(_Finalize(turn))
        loop = asyncio.get_running_loop()
        turn.expiry = loop.call_later(self._settings.finalize_timeout_s, self._expire, turn)

    def _caught_up(self) -> bool:
        """Whether every speech frame sent on this socket is inside a final result already."""
        if self._closing or self._pending_speech or self._unsent_speech or not self._ready.is_set():
            return False
        return self._speech_end_s is None or self._final_end_s >= self._speech_end_s - _COVER_SLACK_S

    def _expire(self, turn: _Turn) -> None:
        """A turn's Finalize went unanswered for `finalize_timeout_s`."""
        if turn.done.is_set():
            return
        while self._closing:  # it and every older turn (answers come in order)
            older = self._closing.popleft()
            older.finish(timed_out=True)
            if older is turn:
                break
        marker = next(
            (i for i, x in enumerate(self._outbox) if isinstance(x, _Finalize) and x.turn is turn), None
        )
        if marker is not None:
            # Never sent (the socket is down): its audio is the finished turn's, not the next one's.
            for _ in range(marker + 1):
                self._unqueued(self._outbox.popleft())
            return
        if turn.gen == self._gen and self._ready.is_set() and self._heard_at < turn.sent_at:
            # Not a word from Deepgram since the Finalize went out: the socket is dead, not slow.
            self._failed("no answer to Finalize")
            self._restart.set()
        elif turn.gen is not None:
            # Alive but too slow: the turn goes on with what it has, and the timeout is a failure
            # of the vendor all the same (a dead socket was counted above; an unsent Finalize with
            # the connection failure that kept it unsent).
            PROVIDER_ERRORS.labels(provider="deepgram", role="stt").inc()
            _log.warning("deepgram stt: Finalize unanswered after %.1f s", self._settings.finalize_timeout_s)

    # -- lifecycle -----------------------------------------------------------

    async def connect(self) -> None:
        """Open the socket now, so that it is ready before the caller's first word.

        Returns once a socket is open, or raises once the session has given
        up. That takes at most `max_failures` handshakes of `connect_timeout_s`
        plus the backoff between them (about 16 s with the defaults, when the
        service hangs): bound it with `asyncio.timeout`, or run it as a task,
        if the call must not wait that long.

        Raises:
            SttUnavailable: Deepgram refused the key, or could not be reached.
        """
        self._start()
        if self._task is None:  # closed
            return
        ready: asyncio.Task[Any] = asyncio.create_task(self._ready.wait())
        running: asyncio.Task[Any] = self._task
        try:
            await asyncio.wait({ready, running}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
        if self._error is not None:
            raise self._error

    async def aclose(self) -> None:
        """Send `CloseStream`, let Deepgram finish (bounded), close the socket."""
        if self._closed:
            return
        self._closed = True
        task = self._task
        if task is not None and not task.done():
            if self._ready.is_set():
                self._flush()
                self._enqueue(_CloseStream())
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._settings.close_timeout_s + 1.0):
                        await asyncio.shield(task)
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for turn in self._closing:
            turn.finish()
        self._closing.clear()
        self._outbox.clear()

    def _start(self) -> None:
        if self._task is None and not self._closed:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="deepgram-stt")

    def _failed(self, reason: str) -> None:
        """Count a failure; give up after `max_failures` in a row."""
        PROVIDER_ERRORS.labels(provider="deepgram", role="stt").inc()
        self._failures += 1
        _log.warning(
            "deepgram stt: %s (failure %d of %d)", reason, self._failures, self._settings.max_failures
        )
        if self._failures >= self._settings.max_failures:
            self._give_up(f"Deepgram failed {self._failures} times in a row (last: {reason})")

    def _give_up(self, reason: str) -> None:
        if self._error is None:
            _log.error("deepgram stt: giving up for this call: %s", reason)
            self._error = SttUnavailable(reason)
        for turn in self._closing:
            turn.finish()
        self._closing.clear()
        self._outbox.clear()
        self._backlog = self._unsent_speech = 0
        self._restart.set()

    # -- the connection ------------------------------------------------------

    async def _run(self) -> None:
        """Keep a socket open for the call: connect, serve, reconnect, until closed or given up."""
        try:
            while self._error is None and not self._closed:
                if self._failures:
                    backoff = self._settings.reconnect_backoff_s * 2 ** (self._failures - 1)
                    await asyncio.sleep(min(backoff, _MAX_BACKOFF_S))
                await self._connection()
        except Exception:
            # A bug here must not leave the call waiting on a recognizer that is gone: fail over.
            _log.exception("deepgram stt: session task failed")
            PROVIDER_ERRORS.labels(provider="deepgram", role="stt").inc()
            self._give_up("internal error")

    async def _connection(self) -> None:
        """One socket, from handshake to close."""
        settings = self._settings
        cm = self._client.listen.v1.connect(**settings.query())
        started = time.monotonic()
        try:
            async with asyncio.timeout(settings.connect_timeout_s):
                conn = await cm.__aenter__()
            observe_provider("deepgram", "stt", "connect", time.monotonic() - started)
        except ApiError as exc:
            if exc.status_code in (401, 403):
                PROVIDER_ERRORS.labels(provider="deepgram", role="stt").inc()
                self._give_up(f"Deepgram refused the API key (HTTP {exc.status_code})")
            else:
                self._failed(f"handshake refused (HTTP {exc.status_code})")
            return
        except TimeoutError:
            self._failed("handshake timed out")
            return
        except Exception as exc:  # whatever stops a handshake is a failed attempt
            self._failed(f"cannot connect ({type(exc).__name__})")
            return

        if self._error is not None or self._closed:  # gave up or closed while the handshake ran
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1.0):
                    await cm.__aexit__(None, None, None)
            return
        self._gen += 1
        gen = self._gen
        self._sent_bytes, self._speech_end_s, self._final_end_s = 0, None, 0.0
        self._restart.clear()
        self._ready.set()
        heard_before, opened_at = self._heard_at, time.monotonic()
        _log.info("deepgram stt: connected (connection %d)", gen)
        try:
            await self._serve(conn, gen)
        except _Restart:
            pass  # counted where it was decided
        except Exception as exc:  # a dropped socket, however it dropped
            if self._closed:
                pass
            elif self._heard_at == heard_before and time.monotonic() - opened_at < _SHORT_LIVED_S:
                # It died young without a word: as good as a failed connect (this is what stops a
                # loop of sockets that open and die at once).
                self._failed(f"connection {gen} lost before any answer ({_describe(exc)})")
            else:
                PROVIDER_ERRORS.labels(provider="deepgram", role="stt").inc()
                _log.warning("deepgram stt: connection %d lost (%s), reconnecting", gen, _describe(exc))
        finally:
            self._ready.clear()
            # Turns whose Finalize went out on this socket will never be answered: they have what they have.
            while self._closing and self._closing[0].gen == gen:
                self._closing.popleft().finish()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1.0):
                    await cm.__aexit__(None, None, None)

    async def _serve(self, conn: AsyncV1SocketClient, gen: int) -> None:
        """Send and receive until the socket closes; returns only after our own CloseStream."""
        sender = asyncio.create_task(self._send_loop(conn, gen))
        receiver = asyncio.create_task(self._receive_loop(conn, gen))
        restart = asyncio.create_task(self._restart.wait())
        tasks = {sender, receiver, restart}
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            if sender in done and sender.exception() is None:
                # CloseStream went out: Deepgram sends what is left and a Metadata, then closes.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self._settings.close_timeout_s):
                        await asyncio.wait({receiver, restart}, return_when=asyncio.FIRST_COMPLETED)
                return
            if restart in done:
                raise _Restart
            if receiver in done and receiver.exception() is None:
                raise ConnectionError("closed by Deepgram")
            failed = receiver if receiver in done else sender
            exc = failed.exception()
            assert exc is not None
            raise exc
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _send_loop(self, conn: AsyncV1SocketClient, gen: int) -> None:
        """Send the outbox in order; KeepAlive when there has been nothing to send for a while."""
        while True:
            if not self._outbox:
                self._wake.clear()
                try:
                    async with asyncio.timeout(self._settings.keepalive_s):
                        await self._wake.wait()
                except TimeoutError:
                    await conn.send_keep_alive()
                continue
            item = self._outbox[0]
            if isinstance(item, _Audio):
                await conn.send_media(item.data)
                self._sent_bytes += len(item.data)
                if item.speech:
                    self._speech_end_s = self._sent_bytes / _BYTES_PER_S
            elif isinstance(item, _Finalize):
                if not item.turn.done.is_set():
                    item.turn.gen, item.turn.sent_at = gen, time.monotonic()
                    item.turn.boundary_s = self._sent_bytes / _BYTES_PER_S
                    item.turn.speech_end_s = self._speech_end_s
                    await conn.send_finalize()
            else:
                await conn.send_close_stream()
            # Only now is it sent; a send that failed leaves it for the next socket. (An expired
            # turn may have removed it meanwhile.)
            if self._outbox and self._outbox[0] is item:
                self._outbox.popleft()
                self._unqueued(item)
            if isinstance(item, _CloseStream):
                return

    async def _receive_loop(self, conn: AsyncV1SocketClient, gen: int) -> None:
        """Read Deepgram's messages until the socket closes (normally: returns; abnormally: raises)."""
        while True:
            try:
                message = await conn.recv()
            except ConnectionClosedOK:
                return
            self._heard_at = time.monotonic()
            self._failures = 0  # it answers: whatever failed before is over
            if isinstance(message, ListenV1Results):
                self._on_results(message, gen)
            elif isinstance(message, ListenV1Error):
                _log.warning("deepgram stt: error message from Deepgram (%s)", message.variant)
            # SpeechStarted, UtteranceEnd, Metadata: the call session has its own VAD and turn logic.

    def _on_results(self, msg: ListenV1Results, gen: int) -> None:
        alternatives = msg.channel.alternatives
        text = alternatives[0].transcript.strip() if alternatives else ""
        confidence = alternatives[0].confidence if alternatives else 0.0
        # Results come in stream order: until the oldest closing turn's Finalize is answered, they are its.
        turn = self._closing[0] if self._closing else self._turn
        if not msg.is_final:
            turn.interim, turn.interim_confidence = text, confidence
            return
        end_s = (msg.start or 0.0) + (msg.duration or 0.0)
        self._final_end_s = max(self._final_end_s, end_s)
        turn.finals.append(_Segment(text, confidence, msg.duration or 0.0))
        turn.interim = ""
        if turn is self._turn:
            return
        # Answered: the flush itself, or a final that reaches the Finalize, or one that covers every
        # speech frame sent before it (a `speech_final` that crossed the Finalize on the wire; what
        # follows is non-speech, and waiting for its flush would only add a round trip).
        answered = msg.from_finalize or (
            turn.gen == gen
            and (
                end_s >= turn.boundary_s - _BOUNDARY_SLACK_S
                or turn.speech_end_s is None
                or end_s >= turn.speech_end_s - _COVER_SLACK_S
            )
        )
        if answered:
            self._closing.popleft()
            if turn.sent_at:  # answered by its own Finalize's round trip, not a pending flush
                observe_provider("deepgram", "stt", "finalize", time.monotonic() - turn.sent_at)
            turn.finish()


def _describe(exc: BaseException) -> str:
    """A close code and reason or an exception name, for logs (no audio, no text)."""
    if isinstance(exc, ConnectionClosed):
        frame = exc.rcvd
        return (
            f"close {frame.code} {frame.reason}".strip()
            if frame is not None
            else "closed without a close frame"
        )
    return type(exc).__name__


# ---------------------------------------------------------------- provider


class DeepgramStt(SpeechToText):
    """Deepgram live transcription; one SDK client per process, one socket per call."""

    name = "deepgram"

    def __init__(self, settings: DeepgramSettings | None = None) -> None:
        """Configure; nothing connects until a session is used.

        Args:
            settings: Key, URL and tuning; `DeepgramSettings.from_env()` by default.
        """
        self.settings = settings or DeepgramSettings.from_env()
        self._client = AsyncDeepgramClient(
            api_key=self.settings.api_key, environment=self.settings.environment()
        )

    def open(self) -> DeepgramSession:
        """A stream for one call (connects on its first audio, or on `connect()`)."""
        return DeepgramSession(self._client, self.settings)

    async def warm(self) -> None:
        """Nothing to load: the model runs at Deepgram, and each call opens its own socket."""
