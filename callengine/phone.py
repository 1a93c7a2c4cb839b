"""A phone line that reaches the engine exactly as Twilio does.

Signed `POST /twilio/voice`, the TwiML parsed, the `<Stream>` URL opened with a
signed upgrade, `connected` and `start` sent, then 20 ms μ-law `media` frames
at real-time pace — silence when the caller is quiet, as a real line sends —
`dtmf` for keys and `stop` at hang-up. The agent's audio is played out at
8000 bytes/s: each `mark` is echoed once the audio before it would have
finished playing, and `clear` drops what is queued and echoes the pending
marks at once (PROTOCOLS.md §1). Both directions are recorded on one clock so
a test or the demo can say what the caller heard, and when.

With a `PhoneNetwork` (the sandbox's Twilio REST emulator) the call also exists
as a REST resource: when the agent's workflow redirects it (a transfer) or
completes it (a hang-up), this line stops the stream as Twilio does, follows the
new TwiML, and requests the whisper a human would hear before being connected.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import secrets
import time
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlparse

import httpx
import websockets
from twilio.request_validator import RequestValidator

from callengine.calls import new_call_sid
from callengine.network import PhoneNetwork

FRAME_BYTES = 160
FRAME_S = 0.02
SILENCE = b"\xff" * FRAME_BYTES


class PhoneError(RuntimeError):
    """The engine did not answer like Twilio expects."""


@dataclass
class AgentAudio:
    """A stretch of agent speech as the caller heard it."""

    start: float  # seconds since the call was answered
    audio: bytearray = field(default_factory=bytearray)

    @property
    def end(self) -> float:
        """When the stretch finished playing."""
        return self.start + len(self.audio) / 8000


@dataclass
class Recording:
    """Both sides of the call on one clock (seconds since answer)."""

    caller: list[tuple[float, bytes]] = field(default_factory=list)  # (when sent, frame)
    agent: list[tuple[float, bytes]] = field(default_factory=list)  # (when played, frame)
    events: list[tuple[float, str]] = field(default_factory=list)


class PhoneCall:
    """One simulated inbound call."""

    def __init__(
        self,
        public_url: str,
        auth_token: str,
        *,
        caller: str,
        called: str = "+18005550100",
        account_sid: str = "AC" + "0" * 32,
        http: httpx.AsyncClient | None = None,
        network: PhoneNetwork | None = None,
    ) -> None:
        self.public_url = public_url.rstrip("/")
        self.validator = RequestValidator(auth_token)
        self.caller, self.called, self.account_sid = caller, called, account_sid
        self.call_sid = new_call_sid()
        self.stream_sid = "MZ" + secrets.token_hex(16)
        self._http = http
        self._ws: websockets.ClientConnection | None = None
        self._seq = 0
        self._chunk = 0
        self._t0 = 0.0
        self._outgoing: deque[bytes] = deque()  # caller frames waiting to be sent
        self._sent_all = asyncio.Event()
        self._playout_end = 0.0  # when the agent audio received so far will have played
        self._pending_marks: list[tuple[float, str]] = []
        self.rec = Recording()
        self.clears: list[float] = []
        self.marks_echoed: list[str] = []
        self.action_url = ""
        self.stream_url = ""
        self.parameters: dict[str, str] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self.closed = asyncio.Event()
        self.close_code: int | None = None
        self.network = network
        self.redirect_twiml: str | None = None  # what Twilio executes after a REST redirect
        self.rest_completed = False  # the call was completed over REST (the agent hung up)
        self.whisper_twiml: str | None = None  # what the human heard before being connected
        self._rest_task: asyncio.Task[None] | None = None
        self._rest_seen = asyncio.Event()  # Twilio saw a REST redirect or hang-up

    # ------------------------------------------------------------------ dial

    def _now(self) -> float:
        return time.monotonic() - self._t0

    def _sign(self, url: str, params: dict[str, str]) -> str:
        return str(self.validator.compute_signature(url, params))

    def _voice_params(self, status: str) -> dict[str, str]:
        return {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": self.call_sid,
            "CallStatus": status,
            "Direction": "inbound",
            "From": self.caller,
            "To": self.called,
            "Caller": self.caller,
            "Called": self.called,
        }

    async def _post(self, path_or_url: str, params: dict[str, str]) -> httpx.Response:
        url = path_or_url if path_or_url.startswith("http") else self.public_url + path_or_url
        headers = {"X-Twilio-Signature": self._sign(url, params)}
        client = self._http or httpx.AsyncClient()
        try:
            return await client.post(url, data=params, headers=headers, timeout=10)
        finally:
            if self._http is None:
                await client.aclose()

    async def dial(self) -> None:
        """Ring the engine, follow its TwiML to the media stream, and start streaming."""
        if self.network is not None:
            await self.network.place(self.call_sid, self.caller, self.called)
        resp = await self._post("/twilio/voice", self._voice_params("ringing"))
        if resp.status_code != 200:
            raise PhoneError(f"/twilio/voice answered {resp.status_code}: {resp.text[:200]}")
        root = ET.fromstring(resp.text)
        connect = root.find("Connect")
        stream = connect.find("Stream") if connect is not None else None
        if connect is None or stream is None:
            raise PhoneError(f"TwiML has no <Connect><Stream>: {resp.text[:300]}")
        self.action_url = connect.get("action", "")
        self.stream_url = stream.get("url", "")
        self.parameters = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
        if urlparse(self.stream_url).query:
            raise PhoneError("the <Stream> URL has a query string (Twilio error 31920)")
        # Twilio signs the upgrade over the wss:// URL as configured (PROTOCOLS.md §2).
        sig = self._sign(self.stream_url, {})
        self._ws = await websockets.connect(
            self.stream_url, additional_headers={"X-Twilio-Signature": sig}, max_size=2**20
        )
        self._t0 = time.monotonic()
        await self._send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        self._seq = 1
        await self._send(
            {
                "event": "start",
                "sequenceNumber": "1",
                "streamSid": self.stream_sid,
                "start": {
                    "accountSid": self.account_sid,
                    "streamSid": self.stream_sid,
                    "callSid": self.call_sid,
                    "tracks": ["inbound"],
                    "customParameters": self.parameters,
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
                },
            }
        )
        self._tasks = [
            asyncio.create_task(self._pump()),
            asyncio.create_task(self._listen()),
            asyncio.create_task(self._echo_marks()),
        ]
        if self.network is not None:
            self._rest_task = asyncio.create_task(self._watch_rest(self.network))

    async def _send(self, msg: dict[str, object]) -> None:
        assert self._ws is not None
        if msg.get("event") not in ("connected", "start"):
            self._seq += 1
            msg["sequenceNumber"] = str(self._seq)
            msg["streamSid"] = self.stream_sid
        await self._ws.send(json.dumps(msg))

    # --------------------------------------------------------------- caller

    async def say(self, ulaw: bytes, *, wait: bool = True) -> float:
        """Speak: queue the audio as frames; returns the call time its first frame goes out."""
        frames = [
            ulaw[i : i + FRAME_BYTES].ljust(FRAME_BYTES, b"\xff") for i in range(0, len(ulaw), FRAME_BYTES)
        ]
        self._sent_all.clear()
        self._outgoing.extend(frames)
        start = self._now()
        if wait:
            # The engine may end the call mid-sentence: then the rest is never sent.
            sent = asyncio.ensure_future(self._sent_all.wait())
            gone = asyncio.ensure_future(self.closed.wait())
            try:
                await asyncio.wait({sent, gone}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                sent.cancel()
                gone.cancel()
        return start

    async def press(self, digits: str) -> None:
        """Keys on the keypad, as `dtmf` events."""
        for d in digits:
            await self._send({"event": "dtmf", "dtmf": {"track": "inbound_track", "digit": d}})
            await asyncio.sleep(0.15)

    async def _pump(self) -> None:
        """One 20 ms frame every 20 ms, on the wall clock (no drift), speech or silence."""
        n = 0
        while True:
            frame = self._outgoing.popleft() if self._outgoing else SILENCE
            if not self._outgoing:
                self._sent_all.set()
            self._chunk += 1
            t = self._now()
            self.rec.caller.append((t, frame))
            try:
                await self._send(
                    {
                        "event": "media",
                        "media": {
                            "track": "inbound",
                            "chunk": str(self._chunk),
                            "timestamp": str(int(t * 1000)),
                            "payload": base64.b64encode(frame).decode(),
                        },
                    }
                )
            except websockets.ConnectionClosed:
                return
            n += 1
            behind = self._now() - n * FRAME_S
            if behind > 3 * FRAME_S:
                # This process stalled: a real line does not burst to catch up, it just moves on.
                n = int(self._now() / FRAME_S)
            await asyncio.sleep(max(0.0, n * FRAME_S - self._now()))

    async def _watch_rest(self, network: PhoneNetwork) -> None:
        """Twilio's side of a REST update: a redirected or completed call stops its stream."""
        while True:
            await asyncio.sleep(0.1)
            try:
                seen = await network.inspect(self.call_sid)
            except httpx.HTTPError:
                continue
            if seen is None:
                continue
            if seen["twiml"] or seen["call"]["status"] != "in-progress":
                break
        self._rest_seen.set()
        self.redirect_twiml = seen["twiml"][-1] if seen["twiml"] else None
        self.rest_completed = seen["call"]["status"] == "completed" and self.redirect_twiml is None
        self.rec.events.append((self._now(), "rest redirect" if self.redirect_twiml else "rest hang-up"))
        with contextlib.suppress(websockets.ConnectionClosed, AssertionError):
            await self._send(
                {"event": "stop", "stop": {"accountSid": self.account_sid, "callSid": self.call_sid}}
            )
        if self._ws is not None:
            await self._ws.close()
        for leg in seen["legs"]:
            if leg.get("whisper_url"):
                # The human answered: Twilio fetches the whisper TwiML for their leg.
                params = {
                    **self._voice_params("in-progress"),
                    "CallSid": leg["sid"],
                    "ParentCallSid": self.call_sid,
                }
                params.update({"Direction": "outbound-dial", "To": leg["to"], "Called": leg["to"]})
                with contextlib.suppress(httpx.HTTPError):
                    self.whisper_twiml = (await self._post(leg["whisper_url"], params)).text

    # ---------------------------------------------------------------- agent

    async def _listen(self) -> None:
        assert self._ws is not None
        try:
            async for raw in self._ws:
                msg = json.loads(raw)
                event = msg.get("event")
                now = self._now()
                if event == "media":
                    audio = base64.b64decode(msg["media"]["payload"])
                    start = max(now, self._playout_end)
                    for i in range(0, len(audio), FRAME_BYTES):
                        self.rec.agent.append((start + i / 8000, audio[i : i + FRAME_BYTES]))
                    self._playout_end = start + len(audio) / 8000
                elif event == "mark":
                    self._pending_marks.append((max(now, self._playout_end), msg["mark"]["name"]))
                elif event == "clear":
                    self.clears.append(now)
                    self.rec.events.append((now, "clear"))
                    # Drop what has not played yet; pending marks come back at once.
                    self.rec.agent = [(t, f) for t, f in self.rec.agent if t < now]
                    self._playout_end = now
                    self._pending_marks = [(now, name) for _, name in self._pending_marks]
        except websockets.ConnectionClosed as e:
            self.close_code = e.rcvd.code if e.rcvd else None
        finally:
            if self._ws is not None and self._ws.close_code is not None:
                self.close_code = self._ws.close_code
            self.closed.set()

    async def _echo_marks(self) -> None:
        while True:
            now = self._now()
            due = [m for m in self._pending_marks if m[0] <= now]
            self._pending_marks = [m for m in self._pending_marks if m[0] > now]
            for _, name in due:
                self.marks_echoed.append(name)
                with contextlib.suppress(websockets.ConnectionClosed):
                    await self._send({"event": "mark", "mark": {"name": name}})
            await asyncio.sleep(0.01)

    @property
    def agent_speaking(self) -> bool:
        """Agent audio is playing in the caller's ear right now."""
        return self._now() < self._playout_end

    async def wait_agent_done(
        self, since: float | None = None, quiet_s: float = 0.8, timeout_s: float = 20.0
    ) -> float:
        """Wait for agent speech that ends after `since` (default: now), then `quiet_s` of quiet.

        Returns when that speech stopped playing (call time); on timeout, the last playout end.
        """
        since = self._now() if since is None else since
        deadline = self._now() + timeout_s
        while self._now() < deadline and not self.closed.is_set():
            end = self._playout_end
            if end > since and self._now() >= end + quiet_s:
                return end
            await asyncio.sleep(0.02)
        return self._playout_end

    def agent_audio_between(self, start: float, end: float) -> bytes:
        """What the caller heard of the agent in a time window."""
        return b"".join(f for t, f in self.rec.agent if start <= t < end)

    # ---------------------------------------------------------------- end

    async def hang_up(self) -> None:
        """`stop`, close the socket, then the call-status callback, as Twilio does."""
        with contextlib.suppress(websockets.ConnectionClosed, AssertionError):
            await self._send(
                {"event": "stop", "stop": {"accountSid": self.account_sid, "callSid": self.call_sid}}
            )
        await self._shutdown()
        if self.network is not None:
            with contextlib.suppress(httpx.HTTPError):
                await self.network.caller_hung_up(self.call_sid)
        params = {**self._voice_params("completed"), "CallDuration": str(int(self._now()))}
        with contextlib.suppress(httpx.HTTPError):
            await self._post("/twilio/status", params)

    async def follow_action(self) -> str:
        """After the stream ended: the TwiML the call runs next.

        A REST redirect's TwiML (a transfer), `<Hangup/>` for a call completed over REST, or —
        when the engine closed the stream itself — what the `<Connect action>` URL answers.
        """
        if self._rest_seen.is_set() and self._rest_task is not None:
            await asyncio.wait_for(asyncio.shield(self._rest_task), 10)  # the whisper request
        await self._shutdown()
        if self.redirect_twiml is not None:
            return self.redirect_twiml
        if self.rest_completed:
            return "<Response><Hangup/></Response>"  # Twilio ended the call: nothing else runs
        resp = await self._post(self.action_url, self._voice_params("in-progress"))
        return resp.text

    async def _shutdown(self) -> None:
        if self._rest_task is not None and not self._rest_task.done():
            self._rest_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._rest_task
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._ws is not None:
            await self._ws.close()


class DeafPhone(PhoneCall):
    """A caller who talks but never echoes a mark: what a stream that ignores playback looks like.

    Used by the hostile-stream tests and `bench/hostile.py` (realtime/bounds.py's mark timeout).
    """

    async def _echo_marks(self) -> None:
        await asyncio.Event().wait()


class ManualPhone(PhoneCall):
    """Sends no audio by itself: its user writes every frame with `media`, at any pace it likes."""

    async def _pump(self) -> None:
        await asyncio.Event().wait()

    async def media(self, frame: bytes) -> None:
        """Send one μ-law frame now, as a Twilio `media` event."""
        await self._send(
            {
                "event": "media",
                "media": {
                    "track": "inbound",
                    "chunk": "1",
                    "timestamp": "0",
                    "payload": base64.b64encode(frame).decode(),
                },
            }
        )
