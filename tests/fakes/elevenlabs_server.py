"""A fake ElevenLabs streaming-TTS WebSocket server on 127.0.0.1 (wire format of PROTOCOLS.md §5).

It speaks both endpoints:

* `/v1/text-to-speech/{voice_id}/multi-stream-input` — contexts by `context_id`;
  init (`text:" "` + `voice_settings`), text, `flush`, `text:""` (keep-alive),
  `close_context`, `close_socket`; frames carry `contextId`; a context ends with
  `{"isFinal": true, "contextId": …}`; at most 5 open contexts, the 6th gets the
  `max_active_conversations` error frame and close 1008.
* `/v1/text-to-speech/{voice_id}/stream-input` — one stream: init, text, `flush`,
  `{"text": ""}` = end of stream → remaining audio, `{"isFinal": true}`, close 1000.

Like the real service: `xi-api-key` header (a wrong one is refused with HTTP 401
at the handshake; without the header the key must be in the first message),
`output_format` must be given as `ulaw_8000` here (the only format it makes; 400
otherwise), text is buffered per context and generated when it passes the
`chunk_length_schedule` thresholds (default 120/160/250/290 chars), on `flush`,
at end of stream, or at once per message with `auto_mode=true`. Audio is real
speech: the text is synthesized by the local Piper voice (one sentence at a
time, off the event loop) and sent as base64 `audio` frames of 100 ms with
`alignment` / `normalizedAlignment` (times relative to the chunk). Idle contexts
and sockets time out after `inactivity_timeout` (default 20 s). A context's
`voice_settings.speed` (0.7–1.2, default 1.0) is honoured: Piper speaks it with
its length scale at 1/speed, so a slower context really sends longer audio.

Not verified against the real service (PROTOCOLS.md "Unverified"): the exact error
frame shape, and what a `close_context` for a context already closing does —
here it is recorded and ignored (the SDK docs say a flushed context keeps
flushing after `close_context`); the error for a speed out of range (here an
`invalid_voice_settings` error frame and close 1008).

Fault switches (see `FakeElevenLabs`): `reject_with`, `drop_after_chunks`,
`hang`, `error_frame`; `chunk_delay_s` paces the audio frames. Every received
message is recorded in `messages`, every connection in `connections`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import parse_qsl, urlsplit

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from realtime.tts.piper import PiperTts

API_KEY = "test-elevenlabs-key"
VOICE_ID = "test-voice"
MAX_CONTEXTS = 5
CHUNK_BYTES = 800  # 100 ms of 8 kHz μ-law
DEFAULT_SCHEDULE = (120, 160, 250, 290)
SPEED_RANGE = (0.7, 1.2)  # what ElevenLabs accepts for voice_settings.speed
_PATH = re.compile(r"/v1/text-to-speech/(?P<voice>[^/]+)/(?P<endpoint>multi-stream-input|stream-input)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

ERROR_MESSAGES = {
    "max_active_conversations": (
        "Maximum simultaneous contexts per WebSocket connection exceeded (5). "
        "Please close an existing context before opening a new one."
    ),
    "invalid_api_key": "Invalid API key",
    "quota_exceeded": "This request exceeds your quota.",
    "input_timeout_exceeded": (
        "Have not received a new text input within the timeout. "
        "Streaming input requires text input to be sent regularly."
    ),
    "context_not_initialized": "The first message of a context must initialise it with text ' '.",
    "invalid_voice_settings": "voice_settings.speed must be between 0.7 and 1.2.",
}


@dataclass
class Received:
    """One JSON message the server received."""

    connection: int
    endpoint: str
    message: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    @property
    def context_id(self) -> str | None:
        cid = self.message.get("context_id")
        return cid if isinstance(cid, str) else None

    @property
    def kind(self) -> str:
        """init | text | flush | keep_alive | close_context | close_socket | eos."""
        m = self.message
        if m.get("close_socket"):
            return "close_socket"
        if m.get("close_context"):
            return "close_context"
        text = m.get("text")
        if text == " ":
            return "init"
        if text == "":
            return "keep_alive" if self.endpoint == "multi-stream-input" else "eos"
        if text:
            return "text"
        return "flush" if m.get("flush") else "other"


@dataclass
class ConnectionRecord:
    """One accepted WebSocket connection."""

    index: int
    endpoint: str
    voice_id: str
    query: dict[str, str]
    key_in_header: bool
    audio_frames: int = 0
    close_code: int | None = None


class _Ctx:
    """One synthesis context (the only one on `stream-input`)."""

    def __init__(self, cid: str | None, schedule: tuple[int, ...], speed: float = 1.0) -> None:
        self.id = cid
        self.speed = speed
        self.schedule = schedule or DEFAULT_SCHEDULE
        self.buffer = ""
        self.generations = 0
        self.closing = False
        self.jobs: asyncio.Queue[str | None] = asyncio.Queue()  # text to speak; None = end (isFinal)
        self.busy = False
        self.last_input = time.monotonic()
        self.audio = bytearray()  # everything sent for this context
        self.worker: asyncio.Task[None] | None = None

    def generate(self, all_of_it: bool) -> None:
        """Queue the buffered text: all of it, or up to the last space once past the schedule."""
        if all_of_it:
            text, self.buffer = self.buffer, ""
        else:
            threshold = self.schedule[min(self.generations, len(self.schedule) - 1)]
            if len(self.buffer) < threshold:
                return
            # Whole words only: up to the last space (text chunks normally end with one).
            cut = len(self.buffer) if self.buffer.endswith(" ") else self.buffer.rfind(" ") + 1
            text, self.buffer = self.buffer[:cut], self.buffer[cut:]
        if text.strip():
            self.generations += 1
            self.jobs.put_nowait(text)

    def end(self) -> None:
        self.closing = True
        self.jobs.put_nowait(None)


class _Closed(Exception):
    """The fake closed the socket itself (fault or protocol error)."""


class FakeElevenLabs:
    """The fake server; switches are plain attributes a test sets.

    Attributes:
        reject_with: HTTP status to refuse every handshake with (e.g. 401).
        drop_after_chunks: Close a socket with 1011 after it has sent this many audio frames
            (0: as soon as a context is opened, before any audio).
        hang: Accept and read everything, never send audio (nor `isFinal`).
        error_frame: Answer the first context init with this error code's frame, close 1008.
        chunk_delay_s: Pause between audio frames (the real service streams faster than real time).
        connections: Every accepted connection.
        messages: Every JSON message received, in order.
        peak_contexts: Most contexts open at once on one multi-context socket.
    """

    def __init__(self, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self._server: Server | None = None
        self._tts = PiperTts()
        # One synthesis thread, like PiperTts itself: on two cores parallel syntheses only collide.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fake-elevenlabs")
        self._synth_cache: dict[tuple[str, float], bytes] = {}
        self._voices_by_speed: dict[float, PiperTts] = {1.0: self._tts}
        self._live: set[ServerConnection] = set()
        self.port = 0
        self.reset()

    # -- control ----------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL for `ElevenLabsSettings.url`."""
        return f"ws://127.0.0.1:{self.port}"

    def reset(self) -> None:
        """Clear faults and records."""
        self.reject_with: int | None = None
        self.drop_after_chunks: int | None = None
        self.hang = False
        self.error_frame: str | None = None
        self.chunk_delay_s = 0.005
        self.connections: list[ConnectionRecord] = []
        self.messages: list[Received] = []
        self.peak_contexts = 0
        self.context_audio: dict[str, bytes] = {}

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._tts.synthesize_ulaw, "Hello.")  # load + first run
        self._server = await serve(
            self._handle, "127.0.0.1", 0, process_request=self._process_request, compression=None
        )
        self.port = next(iter(self._server.sockets)).getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        self._executor.shutdown(wait=False)

    async def drop_all(self, code: int = 1000, reason: str = "") -> None:
        """Close every live socket from the server side (e.g. as an idle timeout would)."""
        for ws in list(self._live):
            await ws.close(code, reason)

    # -- records ----------------------------------------------------------------

    def of_kind(self, kind: str, context_id: str | None = None) -> list[Received]:
        """Messages of one kind (`Received.kind`), optionally for one context."""
        return [
            m for m in self.messages if m.kind == kind and (context_id is None or m.context_id == context_id)
        ]

    def context_ids(self) -> list[str]:
        """Contexts initialised, in order."""
        return [cid for m in self.of_kind("init") if (cid := m.context_id) is not None]

    def synthesize(self, text: str, speed: float = 1.0) -> bytes:
        """What the fake sends (or sent) for `text` at `speed`: Piper audio, cached per sentence.

        Piper's output varies from run to run, so the cache is what makes this equal to
        the audio already sent for the same text.
        """
        return b"".join(self._sentence_audio(s, speed) for s in _sentences(text))

    def _sentence_audio(self, sentence: str, speed: float = 1.0) -> bytes:
        audio = self._synth_cache.get((sentence, speed))
        if audio is None:
            voice = self._voices_by_speed.get(speed)
            if voice is None:  # same voice, every phoneme 1/speed as long
                voice = self._voices_by_speed[speed] = PiperTts(length_scale=1.0 / speed)
            audio = voice.synthesize_ulaw(sentence)
            self._synth_cache[(sentence, speed)] = audio
        return audio

    # -- handshake ----------------------------------------------------------------

    def _process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        if _PATH.fullmatch(parts.path) is None:
            return _json_response(conn, 404, "not_found", "Unknown path")
        if self.reject_with is not None:
            return _json_response(conn, self.reject_with, "invalid_api_key", "Invalid API key")
        key = request.headers.get("xi-api-key")
        if key is not None and key != self.api_key:
            return _json_response(conn, 401, "invalid_api_key", "Invalid API key")
        query = dict(parse_qsl(parts.query))
        if query.get("output_format") != "ulaw_8000":
            return _json_response(conn, 400, "invalid_output_format", "This fake only makes ulaw_8000")
        return None

    # -- sockets ------------------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        parts = urlsplit(ws.request.path)
        match = _PATH.fullmatch(parts.path)
        assert match is not None
        rec = ConnectionRecord(
            index=len(self.connections),
            endpoint=match["endpoint"],
            voice_id=match["voice"],
            query=dict(parse_qsl(parts.query)),
            key_in_header=ws.request.headers.get("xi-api-key") == self.api_key,
        )
        self.connections.append(rec)
        self._live.add(ws)
        session = _Session(self, ws, rec)
        try:
            await session.run()
        except (ConnectionClosed, _Closed):
            pass
        finally:
            await session.cleanup()
            self._live.discard(ws)
            rec.close_code = ws.close_code


class _Session:
    """One socket's protocol state."""

    def __init__(self, fake: FakeElevenLabs, ws: ServerConnection, rec: ConnectionRecord) -> None:
        self.fake = fake
        self.ws = ws
        self.rec = rec
        self.multi = rec.endpoint == "multi-stream-input"
        self.authed = rec.key_in_header
        self.auto_mode = rec.query.get("auto_mode", "false") == "true"
        self.timeout_s = min(float(rec.query.get("inactivity_timeout", "20")), 180.0)
        self.contexts: dict[str | None, _Ctx] = {}
        self.last_input = time.monotonic()
        self.send_lock = asyncio.Lock()
        self.watchdog: asyncio.Task[None] | None = None

    async def run(self) -> None:
        self.watchdog = asyncio.create_task(self._watch())
        async for raw in self.ws:
            try:
                msg = json.loads(raw)
            except ValueError:
                await self._fail("invalid_message", "Invalid JSON")
            if not isinstance(msg, dict):
                await self._fail("invalid_message", "Expected a JSON object")
            self.fake.messages.append(Received(self.rec.index, self.rec.endpoint, msg))
            self.last_input = time.monotonic()
            if not self.authed:
                # Without the header, the key must come in the first message (§5).
                if msg.get("xi-api-key") != self.fake.api_key and msg.get("authorization") != (
                    f"Bearer {self.fake.api_key}"
                ):
                    await self._fail("invalid_api_key")
                self.authed = True
            if self.multi:
                await self._on_multi(msg)
            else:
                await self._on_single(msg)

    async def _on_multi(self, msg: dict[str, Any]) -> None:
        if msg.get("close_socket"):
            for open_ctx in self.contexts.values():
                if not open_ctx.closing:
                    open_ctx.end()  # flushed text still goes out first
            await asyncio.gather(*(c.worker for c in self.contexts.values() if c.worker is not None))
            await self.ws.close(1000)
            raise _Closed
        cid = msg.get("context_id")
        cid = cid if isinstance(cid, str) and cid else "default"
        ctx = self.contexts.get(cid)
        if msg.get("close_context"):
            if ctx is not None and not ctx.closing:
                ctx.buffer = ""  # unflushed text is dropped; what was flushed keeps going
                ctx.end()
            return  # an unknown or already-closing context: recorded, nothing to do
        text = msg.get("text")
        if ctx is None:
            if text != " ":
                await self._fail("context_not_initialized")
            await self._open(cid, msg)
            return
        if ctx.closing:
            return
        ctx.last_input = time.monotonic()
        self._feed(ctx, msg)

    async def _on_single(self, msg: dict[str, Any]) -> None:
        ctx = self.contexts.get(None)
        text = msg.get("text")
        if ctx is None:
            if text != " ":
                await self._fail("context_not_initialized")
            await self._open(None, msg)
            return
        if ctx.closing:
            return
        if text == "":  # end of stream: the rest, isFinal, close 1000
            ctx.generate(all_of_it=True)
            ctx.end()
            return
        self._feed(ctx, msg)

    def _feed(self, ctx: _Ctx, msg: dict[str, Any]) -> None:
        text = msg.get("text")
        if isinstance(text, str) and text:
            ctx.buffer += text
            ctx.generate(all_of_it=self.auto_mode)
        if msg.get("flush"):
            ctx.generate(all_of_it=True)

    async def _open(self, cid: str | None, msg: dict[str, Any]) -> None:
        if self.fake.error_frame is not None:
            await self._fail(self.fake.error_frame)
        if len(self.contexts) >= MAX_CONTEXTS:
            await self._fail("max_active_conversations")
        if self.fake.drop_after_chunks == 0:  # dies before any audio
            await self.ws.close(1011, "internal error")
            raise _Closed
        config = msg.get("generation_config") or {}
        schedule = tuple(int(n) for n in config.get("chunk_length_schedule") or ())
        speed = float((msg.get("voice_settings") or {}).get("speed", 1.0))
        if not SPEED_RANGE[0] <= speed <= SPEED_RANGE[1]:
            await self._fail("invalid_voice_settings")
        ctx = _Ctx(cid, schedule, speed)
        self.contexts[cid] = ctx
        self.fake.peak_contexts = max(self.fake.peak_contexts, len(self.contexts))
        ctx.worker = asyncio.create_task(self._work(ctx))

    async def _work(self, ctx: _Ctx) -> None:
        """Speak the context's queued texts in order, then send its isFinal."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                text = await ctx.jobs.get()
                if self.fake.hang:
                    continue  # never a word, never an isFinal
                if text is None:
                    break
                ctx.busy = True
                for sentence in _sentences(text):
                    audio = await loop.run_in_executor(
                        self.fake._executor, self.fake._sentence_audio, sentence, ctx.speed
                    )
                    await self._send_audio(ctx, sentence, audio)
                ctx.busy = False
            final: dict[str, Any] = {"isFinal": True}
            if self.multi:
                final["contextId"] = ctx.id
            self.contexts.pop(ctx.id, None)
            await self._send(final)
            if not self.multi:
                await self.ws.close(1000)
        except ConnectionClosed:
            pass

    async def _send_audio(self, ctx: _Ctx, text: str, audio: bytes) -> None:
        total_ms = len(audio) / 8
        per_char = total_ms / max(len(text), 1)
        for start in range(0, len(audio), CHUNK_BYTES):
            chunk = audio[start : start + CHUNK_BYTES]
            t0, t1 = start / 8, (start + len(chunk)) / 8
            chars = [(c, i * per_char) for i, c in enumerate(text) if t0 <= i * per_char < t1]
            alignment = {
                "chars": [c for c, _ in chars],
                "charStartTimesMs": [round(t - t0) for _, t in chars],
                "charDurationsMs": [round(per_char) for _ in chars],
            }
            frame: dict[str, Any] = {
                "audio": base64.b64encode(chunk).decode(),
                "isFinal": None,
                "normalizedAlignment": alignment,
                "alignment": alignment,
            }
            if self.multi:
                frame["contextId"] = ctx.id
            await self._send(frame)
            ctx.audio += chunk
            if ctx.id is not None:
                self.fake.context_audio[ctx.id] = bytes(ctx.audio)
            self.rec.audio_frames += 1
            drop = self.fake.drop_after_chunks
            if drop is not None and self.rec.audio_frames >= drop:
                await self.ws.close(1011, "internal error")
                raise ConnectionClosed(None, None)
            await asyncio.sleep(self.fake.chunk_delay_s)

    async def _send(self, frame: dict[str, Any]) -> None:
        async with self.send_lock:
            await self.ws.send(json.dumps(frame))

    async def _fail(self, error: str, message: str | None = None) -> NoReturn:
        """Error frame, close 1008, stop handling this socket."""
        with contextlib.suppress(ConnectionClosed):
            await self._send(
                {"message": message or ERROR_MESSAGES.get(error, error), "error": error, "code": 1008}
            )
            await self.ws.close(1008, error)
        raise _Closed

    async def _watch(self) -> None:
        """Inactivity: idle contexts end (multi); an idle socket gets input_timeout_exceeded."""
        tick = min(1.0, self.timeout_s / 4)
        with contextlib.suppress(ConnectionClosed, _Closed):
            while True:
                await asyncio.sleep(tick)
                now = time.monotonic()
                if self.multi:
                    for ctx in list(self.contexts.values()):
                        idle = not ctx.closing and not ctx.busy and ctx.jobs.empty()
                        if idle and now - ctx.last_input > self.timeout_s:
                            ctx.end()
                if now - self.last_input > self.timeout_s and not any(c.busy for c in self.contexts.values()):
                    await self._fail("input_timeout_exceeded")

    async def cleanup(self) -> None:
        tasks = [c.worker for c in self.contexts.values() if c.worker is not None]
        if self.watchdog is not None:
            tasks.append(self.watchdog)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def _json_response(conn: ServerConnection, status: int, code: str, message: str) -> Response:
    response = conn.respond(status, json.dumps({"detail": {"status": code, "message": message}}))
    del response.headers["Content-Type"]
    response.headers["Content-Type"] = "application/json"
    return response


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
async def fake_elevenlabs_server() -> AsyncIterator[FakeElevenLabs]:
    """One fake server per session, in the session's event loop."""
    server = FakeElevenLabs()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def fake_elevenlabs(fake_elevenlabs_server: FakeElevenLabs) -> AsyncIterator[FakeElevenLabs]:
    """The fake server with no faults and empty records."""
    fake_elevenlabs_server.reset()
    yield fake_elevenlabs_server
    await fake_elevenlabs_server.drop_all()
    fake_elevenlabs_server.reset()
