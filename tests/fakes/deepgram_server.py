"""A Deepgram live-transcription server on 127.0.0.1 (wire protocol of PROTOCOLS.md §4).

The real `deepgram-sdk` (or any WebSocket client) is pointed at it with
`DEEPGRAM_URL=ws://127.0.0.1:PORT`. It is a real WebSocket server (the
`websockets` asyncio server, on its own thread and event loop, like a remote
service) and it listens for real: the μ-law it receives goes through
`realtime.vad.EnergyVad` to find speech, and every transcript it sends is
what local Whisper (`WhisperStt.transcribe_ulaw`, in a worker thread) heard in
that audio. Nothing is scripted, so a client bug (wrong framing, audio lost on
a reconnect, a turn cut short) shows up as a wrong transcript.

What it does like the real service:

- Handshake: path `/v1/listen`; `Authorization: Token <key>` (a bad or
  missing key is refused with HTTP 401 before the upgrade, so the SDK raises
  `ApiError(status_code=401)`); query checked (`model` required; the fake
  decodes only `encoding=mulaw&sample_rate=8000&channels=1`, anything else
  is a 400).
- Time is *audio* time: `start`/`duration`, endpointing and `utterance_end_ms`
  count the bytes received (8 bytes a millisecond), not the wall clock, as
  Deepgram does. So a client may send faster than real time.
- `SpeechStarted` (with `vad_events=true`) at the first speech frame after a
  finalized segment; interim `Results` (`is_final:false`, with
  `interim_results=true`) after every second of speech; a final `Results`
  (`is_final:true, speech_final:true`) once `endpointing` ms of non-speech
  follow speech; `UtteranceEnd` once `utterance_end_ms` pass after the last
  finalized word with no new speech.
- `Finalize` → the audio not yet finalized comes back at once as one
  `Results` with `is_final:true, from_finalize:true` (an empty transcript if
  it held no speech — the fake always answers; whether the real service
  answers a Finalize with nothing to flush is not documented).
- `KeepAlive` → no reply, resets the idle timer; no audio and no KeepAlive
  for `idle_timeout_s` (10 s) → close 1011 `NET-0001`.
- `CloseStream` (or, as the legacy protocol had it, an empty binary frame —
  counted in `empty_frames`, a client must never send one) → the rest of the
  audio is finalized, one `Metadata` is sent, then close 1000.
- An unknown text frame gets an `Error` (`variant: SchemaError`).

Transcripts are punctuated and capitalized as Whisper writes them when
`punctuate` or `smart_format` is on, lower case without punctuation when
both are off. Word timings are spread evenly over the speech (an
approximation: the real service aligns them).

Fault switches (read at every connection, set from the test thread):

- `drop_after_s`: the next connection to receive that many seconds of audio
  is closed abruptly in mid-stream with `drop_code` (1011, reason `NET-0000`;
  1006 aborts the TCP connection without a close frame). One shot: the
  switch clears itself.
- `reject_with`: every handshake is refused with this HTTP status.
- `hang`: handshakes succeed, audio is read, nothing is ever sent back.
- `hang_handshake`: the TCP connection is accepted but the HTTP upgrade is
  never answered.

Every accepted connection is recorded (`streams`: query, audio bytes, batch
sizes, control messages, everything sent back, how it was closed).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from realtime import audio
from realtime.stt.whisper import WhisperStt, is_hallucination
from realtime.vad import EnergyVad

API_KEY = "dg-test-key"
_MS = audio.SAMPLE_RATE // 1000  # μ-law bytes per millisecond
_FRAME = audio.FRAME_BYTES
_PREROLL_MS = 200  # audio kept before the first speech frame for decoding (Whisper needs the onset)
_TRAIL_MS = 300  # and after the last one
_INTERIM_EVERY_MS = 1000
_NOT_WORD = re.compile(r"[^\w']+")
_BOOLS = {"true", "false"}


@dataclass
class StreamRecord:
    """What one accepted connection sent and got."""

    index: int
    query: dict[str, str]
    user_agent: str
    audio_bytes: int = 0
    batch_sizes: list[int] = field(default_factory=list)
    empty_frames: int = 0
    keepalives: int = 0
    finalizes: int = 0
    close_stream: bool = False
    sent: list[dict[str, Any]] = field(default_factory=list)
    closed_with: int | None = None  # the close code the server sent (None: the client closed first)
    dropped: bool = False

    def results(self, *, final: bool | None = None) -> list[dict[str, Any]]:
        """The `Results` messages sent, optionally only finals (True) or interims (False)."""
        return [m for m in self.sent if m["type"] == "Results" and (final is None or m["is_final"] is final)]

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        """The messages of one `type` sent."""
        return [m for m in self.sent if m["type"] == kind]


def _error_body(code: str, message: str) -> str:
    return json.dumps({"err_code": code, "err_msg": message, "request_id": str(uuid.uuid4())})


def _respond(connection: ServerConnection, status: int, body: str) -> Response:
    response = connection.respond(status, body)
    del response.headers["Content-Type"]
    response.headers["Content-Type"] = "application/json"
    return response


class FakeDeepgram:
    """The fake service: a websockets server on its own thread, fault switches and a record of streams."""

    def __init__(self, stt: WhisperStt, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self._stt = stt
        self.idle_timeout_s = 10.0
        self.streams: list[StreamRecord] = []
        self.handshakes = 0  # every upgrade request, refused ones included
        self.rejected = 0
        self.reset()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-deepgram", daemon=True)
        self._server: Server | None = None
        self._records: dict[ServerConnection, StreamRecord] = {}
        self.port = 0
        self.url = ""

    # -- test API

    def reset(self) -> None:
        """Clear the fault switches and the records (between tests)."""
        self.drop_after_s: float | None = None
        self.drop_code = 1011
        self.reject_with: int | None = None
        self.hang = False
        self.hang_handshake = False
        self.idle_timeout_s = 10.0
        self.streams = []
        self.handshakes = 0
        self.rejected = 0

    @property
    def connections(self) -> int:
        """WebSocket connections accepted (handshake completed)."""
        return len(self.streams)

    @property
    def close_streams(self) -> int:
        """How many streams got a `CloseStream`."""
        return sum(1 for s in self.streams if s.close_stream)

    def start(self) -> None:
        """Start serving on a free loopback port."""
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        self._server = future.result(timeout=10)
        self.port = int(next(iter(self._server.sockets)).getsockname()[1])
        self.url = f"ws://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Close every connection and stop the thread."""
        self.reset()  # releases hung handshakes

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close(close_connections=True)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(3):
                        await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    # -- server

    async def _start(self) -> Server:
        # Silence the library's "connection rejected (401)" and handshake-timeout logs: those are the point.
        logging.getLogger("websockets.server").setLevel(logging.CRITICAL)
        return await serve(self._handle, "127.0.0.1", 0, process_request=self._process_request)

    async def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        self.handshakes += 1
        if self.hang_handshake:
            # Until the switch is cleared (or the server's open_timeout, 10 s, ends the handshake).
            while self.hang_handshake:
                await asyncio.sleep(0.05)
            self.rejected += 1
            return _respond(connection, 503, _error_body("FAULT", "Injected hang."))
        url = urlsplit(request.path)
        if url.path != "/v1/listen":
            self.rejected += 1
            return _respond(connection, 404, _error_body("NOT_FOUND", "Not found."))
        if request.headers.get("Authorization") != f"Token {self.api_key}":
            self.rejected += 1
            return _respond(connection, 401, _error_body("INVALID_AUTH", "Invalid credentials."))
        if self.reject_with is not None:
            self.rejected += 1
            return _respond(connection, self.reject_with, _error_body("FAULT", "Injected failure."))
        query = dict(parse_qsl(url.query))
        problem = _check_query(query)
        if problem is not None:
            self.rejected += 1
            return _respond(connection, 400, _error_body("Bad Request", problem))
        # Recorded before the 101 goes out, so a client that sees its socket open finds it here.
        record = StreamRecord(
            index=len(self.streams), query=query, user_agent=request.headers.get("User-Agent", "")
        )
        self.streams.append(record)
        self._records[connection] = record
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        record = self._records.pop(ws)
        stream = _Stream(self, ws, record)
        try:
            await stream.run()
        except ConnectionClosed:
            pass  # the client went away: nothing to answer

    # -- for _Stream

    def transcribe(self, ulaw: bytes) -> tuple[str, float]:
        """Whisper's text and confidence for μ-law audio (blocking: run it in a thread)."""
        result = self._stt.transcribe_ulaw(ulaw)
        return result.text, result.confidence


def _check_query(query: dict[str, str]) -> str | None:
    """Why Deepgram would refuse these parameters (as far as the fake can tell), or None."""
    if not query.get("model"):
        return "model is required"
    if query.get("encoding") != "mulaw" or query.get("sample_rate") != "8000":
        return "this fake decodes only encoding=mulaw with sample_rate=8000"
    if query.get("channels", "1") != "1":
        return "this fake decodes only channels=1"
    for name in ("interim_results", "vad_events", "smart_format", "punctuate"):
        if name in query and query[name] not in _BOOLS:
            return f"{name} must be true or false"
    for name in ("endpointing", "utterance_end_ms"):
        value = query.get(name)
        if value is not None and value != "false" and not value.isdigit():
            return f"{name} must be a number of milliseconds"
    return None


class _Stream:
    """One connection: audio in, VAD, Whisper, Deepgram messages out."""

    def __init__(self, fake: FakeDeepgram, ws: ServerConnection, record: StreamRecord) -> None:
        self.fake = fake
        self.ws = ws
        self.record = record
        q = record.query
        self.request_id = str(uuid.uuid4())
        self.interim_results = q.get("interim_results") == "true"
        self.vad_events = q.get("vad_events") == "true"
        self.formatted = q.get("punctuate") == "true" or q.get("smart_format") == "true"
        endpointing = q.get("endpointing", "10")  # Deepgram's default is 10 ms
        self.endpointing_ms = None if endpointing == "false" else int(endpointing)
        utterance_end = q.get("utterance_end_ms")
        self.utterance_end_ms = int(utterance_end) if utterance_end and utterance_end.isdigit() else None
        self.vad = EnergyVad()
        self.partial = bytearray()  # bytes of an incomplete 20 ms frame
        self.received = 0  # bytes of audio processed (the stream clock)
        self.last_activity = time.monotonic()
        self._new_segment()
        self.last_word_end: float | None = None  # pending UtteranceEnd

    def _new_segment(self) -> None:
        self.seg_start = self.received
        self.seg_audio = bytearray()
        self.seg_first_speech: int | None = None  # offsets into seg_audio
        self.seg_speech_end = 0
        self.seg_speech_ms = 0
        self.silence_ms = 0  # non-speech after the last speech frame
        self.speech_since_interim_ms = 0

    # -- the loop

    async def run(self) -> None:
        while True:
            remaining = self.fake.idle_timeout_s - (time.monotonic() - self.last_activity)
            if remaining <= 0:
                await self._close(1011, "NET-0001")
                return
            try:
                async with asyncio.timeout(remaining):
                    message = await self.ws.recv()
            except TimeoutError:
                continue  # recv() is cancellation-safe; the top of the loop decides
            if self.fake.hang:
                self._note_hung(message)
                continue
            if isinstance(message, bytes):
                if not message:
                    self.record.empty_frames += 1
                    await self._close_stream()
                    return
                self.last_activity = time.monotonic()
                self.record.batch_sizes.append(len(message))
                self.record.audio_bytes += len(message)
                if await self._audio(message):
                    return  # dropped
            elif not await self._control(message):
                return

    def _note_hung(self, message: str | bytes) -> None:
        """Record what a hung server receives, answer nothing."""
        if isinstance(message, bytes):
            self.record.audio_bytes += len(message)
            self.record.batch_sizes.append(len(message))
            return
        with contextlib.suppress(ValueError, AttributeError):
            kind = json.loads(message).get("type")
            self.record.keepalives += kind == "KeepAlive"
            self.record.finalizes += kind == "Finalize"
            self.record.close_stream |= kind == "CloseStream"

    async def _control(self, message: str) -> bool:
        """Handle a text frame; False when the stream is over."""
        try:
            kind = json.loads(message).get("type")
        except (ValueError, AttributeError):
            kind = None
        if kind == "KeepAlive":
            self.record.keepalives += 1
            self.last_activity = time.monotonic()
        elif kind == "Finalize":
            self.record.finalizes += 1
            await self._finalize(speech_final=False, from_finalize=True, always=True)
        elif kind == "CloseStream":
            self.record.close_stream = True
            await self._close_stream()
            return False
        else:
            await self._send(
                {
                    "type": "Error",
                    "variant": "SchemaError",
                    "description": "Received a text message that is not a known control message.",
                    "message": message[:200],
                }
            )
        return True

    async def _audio(self, data: bytes) -> bool:
        """Process received audio frame by frame; True if the fault switch dropped the connection."""
        self.partial += data
        while len(self.partial) >= _FRAME:
            frame = bytes(self.partial[:_FRAME])
            del self.partial[:_FRAME]
            await self._frame(frame)
            drop = self.fake.drop_after_s
            if drop is not None and self.received >= drop * 1000 * _MS:
                self.fake.drop_after_s = None  # one shot
                await self._drop()
                return True
        return False

    async def _frame(self, frame: bytes) -> None:
        speech = self.fake_vad(frame)
        frame_start = self.received
        self.received += len(frame)
        self.seg_audio += frame
        if speech:
            if self.seg_first_speech is None:
                self.seg_first_speech = len(self.seg_audio) - len(frame)
                if self.vad_events:
                    await self._send({"type": "SpeechStarted", "channel": [0], "timestamp": _s(frame_start)})
            self.seg_speech_end = len(self.seg_audio)
            self.seg_speech_ms += audio.FRAME_MS
            self.speech_since_interim_ms += audio.FRAME_MS
            self.silence_ms = 0
            self.last_word_end = None  # the caller went on: no UtteranceEnd yet
        elif self.seg_first_speech is not None:
            self.silence_ms += audio.FRAME_MS

        if self.seg_first_speech is not None:
            if self.endpointing_ms is not None and self.silence_ms >= self.endpointing_ms:
                await self._finalize(speech_final=True, from_finalize=False)
            elif self.interim_results and self.speech_since_interim_ms >= _INTERIM_EVERY_MS:
                self.speech_since_interim_ms = 0
                await self._results(is_final=False, speech_final=False, from_finalize=False)
        if (
            self.last_word_end is not None
            and self.utterance_end_ms is not None
            and self.interim_results
            and _s(self.received) - self.last_word_end >= self.utterance_end_ms / 1000
        ):
            await self._send({"type": "UtteranceEnd", "channel": [0, 1], "last_word_end": self.last_word_end})
            self.last_word_end = None

    def fake_vad(self, frame: bytes) -> bool:
        return self.vad.is_speech(audio.ulaw_to_pcm16(frame))

    async def _finalize(self, *, speech_final: bool, from_finalize: bool, always: bool = False) -> None:
        """Send the segment so far as a final result and start a new one."""
        if not self.seg_audio and not always:
            return
        heard = await self._results(is_final=True, speech_final=speech_final, from_finalize=from_finalize)
        if heard and self.seg_first_speech is not None:
            self.last_word_end = _s(self.seg_start + self.seg_speech_end)
        self._new_segment()

    async def _results(self, *, is_final: bool, speech_final: bool, from_finalize: bool) -> bool:
        """Transcribe the current segment and send it as `Results`; True if it had words."""
        text, confidence = "", 0.0
        first = self.seg_first_speech
        if first is not None:
            lo = max(0, first - _PREROLL_MS * _MS)
            hi = self.seg_speech_end + _TRAIL_MS * _MS
            text, confidence = await asyncio.to_thread(self.fake.transcribe, bytes(self.seg_audio[lo:hi]))
            if is_hallucination(text, self.seg_speech_ms):
                text, confidence = "", 0.0
        tokens = text.split()
        words = [_NOT_WORD.sub("", t).lower() for t in tokens]
        if not self.formatted:
            text = " ".join(w for w in words if w)
        word_items = []
        if first is not None and tokens:
            t0 = _s(self.seg_start + first)
            step = (_s(self.seg_start + self.seg_speech_end) - t0) / len(tokens)
            word_items = [
                {
                    "word": w,
                    "start": round(t0 + i * step, 3),
                    "end": round(t0 + (i + 1) * step, 3),
                    "confidence": round(confidence, 4),
                    "punctuated_word": tok,
                }
                for i, (w, tok) in enumerate(zip(words, tokens, strict=True))
            ]
        await self._send(
            {
                "type": "Results",
                "channel_index": [0, 1],
                "duration": round(_s(self.received - self.seg_start), 3),
                "start": round(_s(self.seg_start), 3),
                "is_final": is_final,
                "speech_final": speech_final,
                "from_finalize": from_finalize,
                "channel": {
                    "alternatives": [
                        {"transcript": text, "confidence": round(confidence, 4), "words": word_items}
                    ]
                },
                "metadata": {
                    "request_id": self.request_id,
                    "model_info": {"name": "general-nova-3", "version": "fake", "arch": "nova-3"},
                    "model_uuid": "00000000-0000-0000-0000-000000000003",
                },
            }
        )
        return bool(text)

    async def _close_stream(self) -> None:
        """CloseStream: finish the audio, one Metadata, close 1000."""
        if self.seg_first_speech is not None:
            await self._finalize(speech_final=True, from_finalize=False)
        await self._send(
            {
                "type": "Metadata",
                "transaction_key": "deprecated",
                "request_id": self.request_id,
                "sha256": hashlib.sha256(str(self.record.audio_bytes).encode()).hexdigest(),
                "created": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "duration": round(_s(self.received), 3),
                "channels": 1,
            }
        )
        await self._close(1000, "")

    async def _drop(self) -> None:
        self.record.dropped = True
        if self.fake.drop_code == 1006:
            self.record.closed_with = 1006
            self.ws.transport.abort()  # no close frame: the client sees 1006
        else:
            await self._close(self.fake.drop_code, "NET-0000")

    async def _close(self, code: int, reason: str) -> None:
        self.record.closed_with = code
        await self.ws.close(code, reason)

    async def _send(self, message: dict[str, Any]) -> None:
        self.record.sent.append(message)
        await self.ws.send(json.dumps(message))


def _s(nbytes: int) -> float:
    """Stream time in seconds of a μ-law byte offset."""
    return nbytes / audio.SAMPLE_RATE


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def fake_deepgram_server() -> Iterator[FakeDeepgram]:
    """One fake Deepgram for the test session (Whisper is loaded once)."""
    stt = WhisperStt()
    stt.transcribe_ulaw(audio.silence(500))  # load the model and run the first (slow) decode now
    server = FakeDeepgram(stt)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def fake_deepgram(fake_deepgram_server: FakeDeepgram) -> AsyncIterator[FakeDeepgram]:
    """The session's fake Deepgram with no faults and empty records."""
    fake_deepgram_server.reset()
    yield fake_deepgram_server
    fake_deepgram_server.reset()
