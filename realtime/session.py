"""One phone call on the realtime side: audio in, turns, brain, speech out.

Everything a call runs lives in one `asyncio.TaskGroup` — the Twilio reader,
the paced speaker, the conversation, the ordered workflow-signal writer and
the silence watchdog — so when the call ends, by hang-up or by the agent,
every task of that call ends with it and nothing runs on afterwards.

The call's truth is its workflow (`call-<CallSid>`): the session starts or
attaches to it on `start`, records every turn (the agent's as *heard*, from
Twilio's marks), and runs every tool through its `tool` update. Signals go
through one writer task so the hot path never waits on Temporal and the
turns arrive in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from temporalio.client import Client
from temporalio.exceptions import WorkflowAlreadyStartedError

from callengine import embed, logs, stream_token, tracing
from callengine.calls import Call, transient
from callengine.settings import Settings
from callengine.stream_token import StreamBinding, StreamTokens
from realtime import metrics, quarantine, twilio_media
from realtime.audio import ulaw_to_pcm16
from realtime.bounds import Overflows, StreamLimits, put_newest
from realtime.brain import senses, slots
from realtime.brain.base import Brain, CallContext, CallerInput, Say, TurnDone
from realtime.inbound import InboundGate
from realtime.signals import TurnWriter
from realtime.speaker import Segment, Speaker
from realtime.stt.base import SpeechToText, SttSession
from realtime.telephony import Handoff, RestTelephony, StreamTelephony, Telephony
from realtime.tts.base import TextToSpeech
from realtime.turns import Event, TurnDetector, TurnTiming
from realtime.vad import EnergyVad
from workflows import CallUsage, ToolResult, TurnLatency, TurnSignal
from workflows.types import PhoneAction

log = logging.getLogger("callengine.session")

FILLER = "One moment while I check that."
STILL_THERE = "Are you still there?"
# What a tool returns when the workflow cannot be reached at all: honest, no internals.
UNREACHABLE = "That system is not responding right now."
SILENCE_GOODBYE = "I haven't heard anything, so I'll end the call now. Please call back anytime. Goodbye."
TIME_LIMIT_GOODBYE = (
    "I'm sorry, we've reached the time limit for this call, so I'll end it now. "
    "Anything still open will be followed up. Please call back anytime. Goodbye."
)
# A caller's "uh-huh" while the agent talks is listening, not a new request.
_BACKCHANNEL = re.compile(r"^(uh[- ]?huh|mm[- ]?hmm|mhm|yeah|yep|okay|ok|right|sure|got it)[.!]?$", re.I)
# Ends the workflow hears from the session at wrap-up (the agent's own ends are signalled as they
# happen); `server_shutdown`: the drain deadline of a stopping process (callengine/server.py).
_CALLER_SIDE_ENDS = ("caller_hangup", "stream_lost", "protocol_error", "server_shutdown")
# The agent's own end at CALLENGINE_MAX_CALL_SECONDS (api/fallback.py hangs up after it).
MAX_DURATION = "max_duration"
_ASKS_FOR_DIGITS = re.compile(r"\b(zip|order number|phone number|key (it )?in|digits?)\b", re.I)
# The session's own holding lines carry nothing a caller could ask about: not "missed" if cut.
_HOLDING_LINES = frozenset({FILLER, STILL_THERE})


def complete_answer(question: str, heard: str) -> bool:
    """Whether the words so far already answer a request for a number (so stop waiting)."""
    q = question.lower()
    if "zip" in q:
        return slots.zip_code(heard) is not None
    found = [slots.phone_number(heard), slots.email(heard)]
    order = slots.order_number(heard)
    if order is not None and len(order) >= 5:
        found.append(order)
    return any(found)


def keys_complete(question: str, digits: str) -> bool:
    """Whether keyed digits already answer the question (a ZIP, a phone number): no gap to wait."""
    q = question.lower()
    if "zip" in q:
        return len(digits) == 5
    if "phone" in q:
        return len(digits) == 10 or (len(digits) == 11 and digits.startswith("1"))
    return False  # order numbers vary in length: the gap or `#` ends them


class CallOver(Exception):
    """Raised inside the call's TaskGroup to end every task of the call."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Quarantined(CallOver):
    """The stream is not a phone line (realtime/quarantine.py): the call ends, the socket is held."""

    def __init__(self, why: quarantine.Why) -> None:
        super().__init__("protocol_error")
        self.why = why


@dataclass(frozen=True)
class SessionConfig:
    """Timing of a call's behaviour (seconds unless named otherwise)."""

    turn: TurnTiming = field(default_factory=TurnTiming)
    filler_after_s: float = 0.7
    silence_prompt_s: float = 8.0
    silence_goodbye_s: float = 8.0
    dtmf_gap_s: float = 1.5
    start_timeout_s: float = 10.0
    inactivity_timeout_s: float = 120.0
    max_bad_frames: int = 50
    # How long a tool call is retried while Temporal is unreachable (the caller hears the filler).
    tool_retry_s: float = 20.0
    # What one stream may make the process hold or do (realtime/bounds.py).
    limits: StreamLimits = field(default_factory=StreamLimits)


@dataclass
class Services:
    """What every call of a process shares: Temporal, models, the brain factory."""

    client: Client
    settings: Settings
    stt: SpeechToText
    tts: TextToSpeech
    make_brain: Callable[[CallContext], Brain]
    config: SessionConfig = field(default_factory=SessionConfig)
    greeting: str = "Thanks for calling. How can I help you today?"
    # Numbers whose stream was quarantined; the webhook refuses their calls for a while.
    offenders: quarantine.Offenders = field(default_factory=quarantine.Offenders)
    # Checks that a stream may speak for the call it names (callengine/stream_token.py).
    tokens: StreamTokens = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.settings.stream_tokens()

    async def warm(self) -> None:
        """Load models and synthesize the fixed lines before the first caller speaks."""
        # The sentence model (help-center answers by meaning) loads in a thread: ~0.3 s, once.
        await asyncio.gather(
            self.stt.warm(),
            self.tts.warm(),
            asyncio.to_thread(embed.warm, [FILLER]),
            asyncio.to_thread(senses.warm),
        )
        await self.tts.prepare([self.greeting, FILLER, STILL_THERE, SILENCE_GOODBYE, TIME_LIMIT_GOODBYE])


class MediaStreamHandler:
    """The `WS /twilio/media` handler: one `CallSession` per stream."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.active: set[CallSession] = set()

    async def __call__(self, websocket: WebSocket) -> None:
        """Serve one media stream until its call ends."""
        if websocket.client_state == WebSocketState.CONNECTING:
            await websocket.accept()
        session = CallSession(self.services, websocket)
        self.active.add(session)
        try:
            with tracing.call_span():  # one trace per call: its Temporal requests are children
                await session.run()
        finally:
            self.active.discard(session)


@dataclass
class _TurnEnd:
    speech_end: float
    endpoint_at: float
    dtmf: str | None = None


class CallSession:
    """One call."""

    def __init__(self, services: Services, websocket: WebSocket) -> None:
        self.s = services
        self.cfg = services.config
        self.ws = websocket
        self._send_lock = asyncio.Lock()
        self.call: Call | None = None
        self.call_sid = ""
        self._call_ready = asyncio.Event()
        self._signals = TurnWriter(on_sent=self._count_temporal)
        self._overflows = Overflows()
        self._gate = InboundGate(self.cfg.limits, self._overflows)
        self._turns: asyncio.Queue[_TurnEnd] = asyncio.Queue(maxsize=self.cfg.limits.max_queued_turns)
        self._speaker: Speaker | None = None
        self._stt: SttSession | None = None
        self._detector = TurnDetector(self.cfg.turn)
        self._vad = EnergyVad()
        self._brain: Brain | None = None
        self._reply_task: asyncio.Task[None] | None = None
        self._segments: list[Segment] = []  # of the reply being spoken
        self._interrupted: list[Segment] = []  # unheard sentences of the last cut reply
        self._last_voice = time.monotonic()
        self._last_activity = time.monotonic()
        self._dtmf = ""
        self._question = ""  # the agent's last sentence: what the caller is answering
        self._dtmf_task: asyncio.Task[None] | None = None
        self._tool_ms = 0.0
        self._tool_seq = 0
        self._temporal_ms = 0.0
        self._bad_frames = 0
        self._close_code: int | None = None  # the socket's, once the peer or the WebSocket layer closed it
        self._caller = ""  # the number the stream token vouches for
        self._ended_reason: str | None = None
        self._end_requested: str | None = None  # by end_now(), from outside the call
        self._closing = False  # the call-length limit is closing the call: no new replies
        self._started_at = time.monotonic()
        self._stt_frames = 0  # caller audio the recognizer heard (vendors bill streamed time)
        self._tts_chars = 0  # text synthesized (vendors bill characters); cached lines are free
        self.telephony: Telephony = (
            RestTelephony(self._close, self._phone_outcome)
            if services.settings.telephony == "rest"
            else StreamTelephony(self._close)
        )

    # ------------------------------------------------------------ transport

    async def _send(self, text: str) -> None:
        async with self._send_lock:
            if self.ws.application_state == WebSocketState.CONNECTED:
                try:
                    # A send waits while the socket's write buffer is full. Twilio reads all
                    # the time; a far end that stops reading would hold this call (and its
                    # slot) forever, so past the bound the stream counts as lost.
                    async with asyncio.timeout(self.cfg.limits.send_timeout_s):
                        await self.ws.send_text(text)
                except TimeoutError:
                    self._overflows.note("send_timeout", "the far end stopped reading; stream closed")
                    raise CallOver("stream_lost") from None
                except (WebSocketDisconnect, RuntimeError, OSError):
                    # The peer closed the socket while the agent was talking (no `stop` came):
                    # the stream is gone, which ends the call like any other lost stream.
                    raise CallOver("stream_lost") from None

    async def _close(self) -> None:
        if self.ws.application_state == WebSocketState.CONNECTED:
            # The close frame waits for the same full buffer a send does.
            with contextlib.suppress(Exception):
                async with asyncio.timeout(self.cfg.limits.send_timeout_s):
                    await self.ws.close(code=1000)

    async def _receive(self) -> str | bytes | None:
        """The next frame's payload, or None when the socket is gone."""
        try:
            msg = await self.ws.receive()
        except (WebSocketDisconnect, RuntimeError):
            return None
        if msg["type"] == "websocket.disconnect":
            self._close_code = msg.get("code")
            return None
        text = msg.get("text")
        return text if text is not None else msg.get("bytes") or b""

    # ------------------------------------------------------------------ run

    async def run(self) -> None:
        """Serve the stream until the call ends."""
        stream = twilio_media.StreamState()
        try:
            start = await self._await_start(stream)
        except CallOver:
            start = None
        if start is None:
            await self._close()
            return
        binding = self._admit(start)
        if binding is None:
            await self._refuse()
            return
        self.call_sid = self._overflows.call_sid = start.call_sid
        self._caller = binding.caller
        # This connection's own task: every log line and span of the call (its tasks too) says which.
        logs.bind_call_sid(start.call_sid)
        tracing.tag_call(start.call_sid)
        started_at = self._started_at = time.monotonic()
        # The call is claimed before a byte of audio goes out: a second stream for it gets none.
        self.call = await self._claim(start, binding)
        if self.call is None:
            await self._refuse()
            return
        limits = self.cfg.limits
        speaker = self._speaker = Speaker(
            self._send,
            start.stream_sid,
            mark_grace_s=limits.mark_grace_s,
            max_sentence_s=limits.max_sentence_s,
            overflows=self._overflows,
        )
        self._stt = self.s.stt.open()
        metrics.ACTIVE_CALLS.inc()
        quarantined: quarantine.Why | None = None
        greeting = speaker.say(self.s.greeting, self.s.tts.cached(self.s.greeting) or b"")
        if not greeting.audio:
            asyncio.get_running_loop().create_task(self._synthesize_into(greeting))
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self._watch_greeting(started_at))
                tg.create_task(speaker.run())
                tg.create_task(speaker.watch_marks())
                tg.create_task(self._time_limit(started_at))
                tg.create_task(self._attach_workflow(greeting))
                tg.create_task(self._read(stream))
                tg.create_task(self._conversation())
                tg.create_task(self._write_signals())
                tg.create_task(self._watchdog())
                tg.create_task(self._warm_brain())
        except* CallOver as group:
            self._ended_reason = self._ended_reason or group.exceptions[0].args[0]
            held = [e for e in group.exceptions if isinstance(e, Quarantined)]
            quarantined = held[0].why if held else None
        finally:
            metrics.ACTIVE_CALLS.dec()
            await self._wrap_up(quarantined)

    async def _await_start(self, stream: twilio_media.StreamState) -> twilio_media.Start | None:
        """Read `connected` and `start`; anything else first is a protocol error."""
        try:
            async with asyncio.timeout(self.cfg.start_timeout_s):
                while True:
                    raw = await self._receive()
                    if raw is None:
                        return None
                    try:
                        msg = stream.accept(twilio_media.parse_inbound(raw))
                    except twilio_media.ProtocolError as e:
                        if self._protocol_error(e):
                            # No call yet, nothing to hold: the socket just closes.
                            raise CallOver("protocol_error") from None
                        continue
                    if isinstance(msg, twilio_media.Start):
                        return msg
        except TimeoutError:
            log.warning("media stream sent no start within %.0fs; closing", self.cfg.start_timeout_s)
            return None

    def _protocol_error(self, e: twilio_media.ProtocolError) -> bool:
        """Count and log a bad frame; True once the stream has sent more than it may."""
        self._bad_frames += 1
        # A fixed label: reasons can echo sender-controlled text (unbounded label values).
        metrics.PROTOCOL_ERRORS.labels(kind="inbound").inc()
        # The first says what is wrong; a stream of garbage must not flood the log with the rest.
        if self._bad_frames == 1:
            log.warning("call %s: bad media frame (%s)", self.call_sid or "?", e)
        return self._bad_frames > self.cfg.max_bad_frames

    async def _watch_greeting(self, started_at: float) -> None:
        speaker = self._speaker
        assert speaker is not None
        first = asyncio.Event()
        speaker.on_first_frame = lambda t: first.set()
        await first.wait()
        speaker.on_first_frame = None
        assert speaker.first_frame_at is not None
        metrics.STAGE_SECONDS.labels(stage="greeting").observe(speaker.first_frame_at - started_at)

    async def _synthesize_into(self, seg: Segment) -> None:
        speaker = self._speaker
        assert speaker is not None
        async for chunk in self.s.tts.stream(seg.text):
            speaker.push(seg, chunk)
        speaker.end(seg)

    def _admit(self, start: twilio_media.Start) -> StreamBinding | None:
        """The numbers the stream's token vouches for, or None: the stream is not this call's.

        The token was issued by `POST /twilio/voice`, whose Twilio signature covers the CallSid
        and caller ID (callengine/stream_token.py). Caller ID comes from it, never from the
        message's other, unsigned parameters.
        """
        try:
            return self.s.tokens.verify(
                start.custom_parameters.get(stream_token.PARAMETER),
                call_sid=start.call_sid,
                account_sid=start.account_sid,
            )
        except stream_token.StreamTokenError as e:
            metrics.PROTOCOL_ERRORS.labels(kind="stream_refused").inc()
            # The SID is SID-shaped (parsed), never the token or a number.
            log.warning("media: refused a stream for call %s: %s", start.call_sid, e.reason)
            return None

    async def _claim(self, start: twilio_media.Start, binding: StreamBinding) -> Call | None:
        """Start the call's workflow, or None when a stream already claimed this CallSid."""
        t0 = time.monotonic()
        try:
            call = await Call.start(
                self.s.client,
                self.s.settings.task_queue,
                call_sid=start.call_sid,
                caller_number=binding.caller,
                called_number=binding.called,
                human_queue=self.s.settings.human_queue,
                inactivity_timeout_s=self.cfg.inactivity_timeout_s,
                exclusive=True,
            )
        except WorkflowAlreadyStartedError:
            # A replayed `start` (captured token) or a confused sender: the live stream, on
            # whichever replica holds it, and its workflow are left exactly as they were.
            metrics.PROTOCOL_ERRORS.labels(kind="stream_refused").inc()
            log.warning("media: refused a second stream for call %s (it already has one)", start.call_sid)
            return None
        self._temporal_ms += (time.monotonic() - t0) * 1000
        return call

    async def _refuse(self) -> None:
        """Close a stream that may not speak for the call it names, before any audio (1008)."""
        if self.ws.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self.ws.close(code=1008)

    async def _attach_workflow(self, greeting: Segment) -> None:
        self._brain = self.s.make_brain(self._context())
        self._call_ready.set()
        self._signal_turn("agent", greeting.text)

    async def _warm_brain(self) -> None:
        """While the greeting plays: the brain opens its vendor connection (LLM) for turn one."""
        await self._call_ready.wait()
        if self._brain is not None:
            await self._brain.warm()

    def _context(self) -> CallContext:
        async def tools(name: str, arguments: dict[str, Any]) -> ToolResult:
            return await self._run_tool(name, arguments)

        async def state() -> Any:
            assert self.call is not None
            return await self.call.state()

        return CallContext(
            call_sid=self.call_sid,
            tools=tools,
            state=state,
            today=self.s.settings.business_date(),
            human_queue=self.s.settings.human_queue,
        )

    async def _run_tool(self, name: str, arguments: dict[str, Any]) -> ToolResult:
        """A tool through the workflow; a filler line if it is slow."""
        await self._call_ready.wait()
        assert self.call is not None
        t0 = time.monotonic()
        task = asyncio.ensure_future(self._tool_with_retry(self.call, name, arguments))
        try:
            result = await asyncio.wait_for(asyncio.shield(task), self.cfg.filler_after_s)
        except TimeoutError:
            speaker = self._speaker
            if speaker is not None and not speaker.speaking:
                self._segments.append(speaker.say(FILLER, self.s.tts.cached(FILLER) or b""))
            result = await task
        elapsed = time.monotonic() - t0
        self._tool_ms += elapsed * 1000
        metrics.TOOL_SECONDS.labels(tool=name).observe(elapsed)
        return result

    async def _tool_with_retry(self, call: Call, name: str, arguments: dict[str, Any]) -> ToolResult:
        """The `tool` update, retried while Temporal is unreachable (a server restart).

        One update id for all attempts: the server runs an update once per id, so a retry after a
        lost answer returns the first attempt's result instead of running the tool again.
        """
        self._tool_seq += 1
        update_id = f"{call.workflow_id}/tool-{self._tool_seq}"
        deadline = time.monotonic() + self.cfg.tool_retry_s
        delay = 0.2
        turns = self._signals.take_for_update()  # what the caller just said rides along
        while True:
            try:
                return await call.tool(name, update_id=update_id, turns=turns, **arguments)
            except Exception as e:
                if not transient(e) or time.monotonic() + delay > deadline:
                    log.warning("call %s: tool %s failed: %s", self.call_sid, name, type(e).__name__)
                    self._signals.put_back(turns)
                    return ToolResult(
                        tool=name, ok=False, error_code="backend_unavailable", message=UNREACHABLE
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    # ---------------------------------------------------------------- input

    async def _read(self, stream: twilio_media.StreamState) -> None:
        """Twilio → us: audio, keys, marks, hang-up."""
        while True:
            raw = await self._receive()
            if raw is None:
                if self._close_code == 1009:  # the WebSocket layer refused a frame past ws_max_size
                    raise Quarantined("oversized_frame")
                raise CallOver("stream_lost")
            try:
                msg = stream.accept(twilio_media.parse_inbound(raw))
            except twilio_media.ProtocolError as e:
                self._protocol_error(e)
                self._check_line()
                continue
            if isinstance(msg, twilio_media.Media):
                if self._gate.audio(msg.payload):
                    self._on_audio(msg.payload)
                self._check_line()
            elif isinstance(msg, twilio_media.Dtmf):
                if self._gate.dtmf():
                    self._on_dtmf(msg.digit)
            elif isinstance(msg, twilio_media.Mark):
                assert self._speaker is not None
                self._speaker.on_mark(msg.name)
            elif isinstance(msg, twilio_media.Stop):
                raise CallOver("caller_hangup")

    def _check_line(self) -> None:
        """Quarantine the stream once it has shown it is not a phone line (realtime/quarantine.py)."""
        speaker = self._speaker
        assert speaker is not None
        why = quarantine.evidence(
            self.cfg.limits,
            dropped_audio_ms=self._gate.dropped_audio_ms,
            bad_frames=self._bad_frames,
            max_bad_frames=self.cfg.max_bad_frames,
            marks_echoed=speaker.marks_echoed,
            first_overdue_at=speaker.first_overdue_at,
            now=time.monotonic(),
        )
        if why is not None:
            raise Quarantined(why)

    def _on_audio(self, ulaw: bytes) -> None:
        now = time.monotonic()
        speaker, stt = self._speaker, self._stt
        assert speaker is not None and stt is not None
        speech = self._vad.is_speech(ulaw_to_pcm16(ulaw))
        stt.push(ulaw, speech)
        self._stt_frames += 1
        if speech:
            self._last_activity = now
            # The VAD holds "speech" through short gaps (hangover); the caller's last
            # word is the last frame that was loud in itself — latency counts from there.
            if self._vad.last_dbfs >= self._vad.threshold_dbfs:
                self._last_voice = now
        event = self._detector.frame(speech, agent_speaking=speaker.speaking)
        if event is Event.BARGE_IN:
            asyncio.get_running_loop().create_task(self._barge_in())
        elif event is Event.SPECULATE:
            stt.speculate()
            if self._detector.expect_digits:
                asyncio.get_running_loop().create_task(self._shorten_if_complete())
        elif event is Event.ENDED:
            self._queue_turn(_TurnEnd(speech_end=self._last_voice, endpoint_at=now))

    def _queue_turn(self, end: _TurnEnd) -> None:
        if put_newest(self._turns, end):
            self._overflows.note("turn_queue_full", "the oldest waiting turn dropped")

    async def _shorten_if_complete(self) -> None:
        """Mid-number pauses get a long endpoint; a complete number does not need it."""
        stt = self._stt
        assert stt is not None
        heard = await stt.interim()  # the speculative decode just started
        if self._detector.in_turn and complete_answer(self._question, heard):
            self._detector.expect_digits = False

    def _on_dtmf(self, digit: str) -> None:
        now = time.monotonic()
        self._last_activity = now
        if digit == "#":
            self._flush_dtmf(now)
            return
        self._dtmf += digit
        if len(self._dtmf) >= self.cfg.limits.max_dtmf_digits:
            # Keys that never end (no `#`, no pause) would grow the buffer without end.
            self._overflows.note("dtmf_too_long", "digits without end answered as if # was pressed")
            self._flush_dtmf(now)
            return
        if keys_complete(self._question, self._dtmf):
            self._flush_dtmf(now)  # a whole ZIP is keyed: answer now, not after the 1.5 s gap
            return
        if self._dtmf_task is not None:
            self._dtmf_task.cancel()
        self._dtmf_task = asyncio.get_running_loop().create_task(self._dtmf_timeout())

    async def _dtmf_timeout(self) -> None:
        await asyncio.sleep(self.cfg.dtmf_gap_s)
        self._flush_dtmf(time.monotonic())

    def _flush_dtmf(self, now: float) -> None:
        if self._dtmf_task is not None and self._dtmf_task is not asyncio.current_task():
            self._dtmf_task.cancel()
        self._dtmf_task = None
        if self._dtmf:
            self._queue_turn(_TurnEnd(speech_end=now, endpoint_at=now, dtmf=self._dtmf))
            self._dtmf = ""

    async def _barge_in(self) -> None:
        """The caller talks over the agent: stop speaking now, drop the reply in progress."""
        speaker = self._speaker
        assert speaker is not None
        metrics.BARGE_INS.inc()
        cut = await speaker.clear()
        self._interrupted = [s for s in cut if not s.heard]
        if self._reply_task is not None and not self._reply_task.done():
            self._reply_task.cancel()  # tool calls already sent are shielded and finish

    # --------------------------------------------------------- conversation

    async def _conversation(self) -> None:
        """Caller turns → brain → speech, one turn at a time."""
        await self._call_ready.wait()
        stt = self._stt
        assert stt is not None
        while True:
            end = await self._turns.get()
            if self._closing:
                continue  # the time-limit goodbye is the last thing the agent says
            t_stt = time.monotonic()
            if end.dtmf is not None:
                said = CallerInput(text=end.dtmf, source="dtmf", missed=self._missed())
                self._signal_dtmf(end.dtmf)
                stt_ms = 0.0
            else:
                tr = await stt.finalize()
                stt_ms = (time.monotonic() - t_stt) * 1000
                metrics.STAGE_SECONDS.labels(stage="stt").observe(stt_ms / 1000)
                if not tr.text.strip():
                    continue  # noise: a cough, a click, the line
                if _BACKCHANNEL.match(tr.text.strip()) and self._interrupted:
                    await self._resume_interrupted()
                    continue
                said = CallerInput(
                    text=tr.text, source="speech", stt_confidence=tr.confidence, missed=self._missed()
                )
                self._signal_turn("caller", tr.text)
            self._interrupted = []
            self._reply_task = asyncio.create_task(self._reply(said, end, stt_ms))
            try:
                await self._reply_task
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise  # the call is ending, not a barge-in

    def _missed(self) -> str:
        """The sentences of the last reply the caller cut off, whole, for the brain to draw on.

        A sentence cut halfway counts whole: "your balance is forty—" is no answer to
        "sorry, what was the balance?".
        """
        return " ".join(s.text for s in self._interrupted if s.text not in _HOLDING_LINES)

    async def _resume_interrupted(self) -> None:
        """An "uh-huh" cut the agent off: say the rest of what it was saying."""
        speaker = self._speaker
        assert speaker is not None
        rest, self._interrupted = self._interrupted, []
        for seg in rest:
            speaker.say(seg.text, bytes(seg.audio))

    async def _reply(self, said: CallerInput, end: _TurnEnd, stt_ms: float) -> None:
        brain, speaker = self._brain, self._speaker
        assert brain is not None and speaker is not None
        speaker.reply_started()
        self._segments = segments = []
        self._tool_ms = 0.0
        t_brain = time.monotonic()
        marks: dict[str, float | None] = {"first_chunk": None, "first_audio": None}
        done = TurnDone(None, 0.0)
        self._detector.expect_digits = False
        try:
            async for ev in brain.respond(said):
                if isinstance(ev, Say):
                    marks["first_chunk"] = marks["first_chunk"] or time.monotonic()
                    seg = speaker.begin(ev.text)
                    segments.append(seg)
                    # The cache holds fixed lines at normal speed: a slow repeat is synthesized anew.
                    cached = None if ev.slow else self.s.tts.cached(ev.text)
                    if cached is not None:
                        speaker.push(seg, cached)
                    else:
                        self._tts_chars += len(ev.text)
                        async for chunk in self.s.tts.stream(ev.text, slow=ev.slow):
                            marks["first_audio"] = marks["first_audio"] or time.monotonic()
                            speaker.push(seg, chunk)
                    marks["first_audio"] = marks["first_audio"] or time.monotonic()
                    speaker.end(seg)
                elif isinstance(ev, TurnDone):
                    done = ev
            for seg in list(segments):
                await seg.done.wait()
        except asyncio.CancelledError:
            # Barge-in: the transcript keeps only what the caller heard before cutting in.
            self._record_agent_turn(segments, done, end, stt_ms, t_brain, marks)
            raise
        self._record_agent_turn(segments, done, end, stt_ms, t_brain, marks)
        self._question = segments[-1].text if segments else ""
        self._detector.expect_digits = bool(_ASKS_FOR_DIGITS.search(self._question))
        self._last_activity = time.monotonic()
        if done.end_call:
            await self._end_call(done)

    def _record_agent_turn(
        self,
        segments: list[Segment],
        done: TurnDone,
        end: _TurnEnd,
        stt_ms: float,
        t_brain: float,
        marks: dict[str, float | None],
    ) -> None:
        speaker = self._speaker
        assert speaker is not None
        heard = " ".join(t for t in (s.heard_text() for s in segments) if t)
        latency = self._latency(
            end, stt_ms, t_brain, marks["first_chunk"], marks["first_audio"], speaker.first_frame_at
        )
        self._signal_turn(
            "agent",
            heard,
            intent=done.intent,
            confidence=done.confidence,
            interrupted=any(not s.heard for s in segments),
            latency=latency,
        )

    def _latency(
        self,
        end: _TurnEnd,
        stt_ms: float,
        t_brain: float,
        first_chunk: float | None,
        first_audio: float | None,
        first_frame: float | None,
    ) -> TurnLatency:
        def ms(a: float | None, b: float | None) -> float | None:
            return None if a is None or b is None else round((b - a) * 1000, 1)

        lat = TurnLatency(
            endpointing_ms=ms(end.speech_end, end.endpoint_at),
            stt_ms=round(stt_ms, 1),
            brain_first_chunk_ms=ms(t_brain, first_chunk),
            tts_first_audio_ms=ms(first_chunk, first_audio),
            tool_ms=round(self._tool_ms, 1),
            temporal_ms=round(self._temporal_ms, 1),
            voice_to_voice_ms=ms(end.speech_end, first_frame),
        )
        for stage, value in (
            ("endpointing", lat.endpointing_ms),
            ("brain_first_chunk", lat.brain_first_chunk_ms),
            ("tts_first_audio", lat.tts_first_audio_ms),
            ("voice_to_voice", lat.voice_to_voice_ms),
        ):
            if value is not None:
                metrics.STAGE_SECONDS.labels(stage=stage).observe(value / 1000)
        self._temporal_ms = 0.0
        return lat

    async def _end_call(self, done: TurnDone) -> None:
        """The agent ends the call — only after its last line was heard in full."""
        if done.escalation:
            metrics.ESCALATIONS.labels(reason=done.escalation).inc()
            reason = "transferred"
        else:
            reason = "agent_hangup"
        action: PhoneAction = "transfer" if done.escalation else "hang_up"
        await self._finish(reason, resolved=done.resolved, phone_action=action)
        if done.escalation:
            await self.telephony.transfer(
                self.call_sid, Handoff(self.s.settings.human_queue, done.escalation)
            )
        else:
            await self.telephony.hang_up(self.call_sid)
        raise CallOver(reason)

    async def _finish(self, reason: str, resolved: bool, phone_action: PhoneAction | None = None) -> None:
        """Flush the turn signals, then tell the workflow the call is over (once).

        `phone_action` is what the agent does to the call; the workflow performs it over
        Twilio REST when this process's telephony says so.
        """
        if self._ended_reason is not None:
            return
        self._ended_reason = reason
        await self._signals.flush()
        if self.call is not None:
            action = phone_action if self.telephony.by_workflow else None
            try:
                await self.call.end(reason, resolved=resolved, usage=self._usage(), phone_action=action)
            except Exception:  # the workflow's inactivity timeout is the safety net
                log.exception("call %s: could not signal the end", self.call_sid)

    def end_now(self, reason: str) -> None:
        """End the call from outside it (the process is stopping): the stream closes normally.

        The watchdog raises it within a quarter of a second, so the call's tasks end through the
        TaskGroup like at any other end, and the workflow hears `reason`. Twilio then requests the
        `<Connect action>`, which sends the caller to the human queue (api/fallback.py).
        """
        self._end_requested = reason

    async def _phone_outcome(self) -> str | None:
        """What the workflow's Twilio REST action did to the call (None while it runs)."""
        if self.call is None:
            return "failed"  # no workflow, nobody acts: close the stream, the fallback routes
        return (await self.call.state()).phone

    # ------------------------------------------------------------- watchdog

    async def _watchdog(self) -> None:
        """Silence: ask once, then say goodbye and hang up."""
        prompted = False
        while True:
            await asyncio.sleep(0.25)
            if self._end_requested is not None:
                raise CallOver(self._end_requested)
            speaker = self._speaker
            busy = (
                (speaker is not None and speaker.speaking)
                or self._detector.in_turn
                or (self._reply_task is not None and not self._reply_task.done())
                or not self._turns.empty()
            )
            now = time.monotonic()
            if busy:
                self._last_activity = now
                continue
            idle = now - self._last_activity
            if not prompted and idle >= self.cfg.silence_prompt_s and speaker is not None:
                prompted = True
                seg = speaker.say(STILL_THERE, self.s.tts.cached(STILL_THERE) or b"")
                self._signal_turn("agent", seg.text)
                self._last_activity = now
            elif prompted and idle >= self.cfg.silence_goodbye_s and speaker is not None:
                seg = speaker.say(SILENCE_GOODBYE, self.s.tts.cached(SILENCE_GOODBYE) or b"")
                await seg.done.wait()
                self._signal_turn("agent", seg.heard_text())
                await self._finish("silence", resolved=False, phone_action="hang_up")
                await self.telephony.hang_up(self.call_sid)
                raise CallOver("silence")
            elif prompted and self._last_voice > now - 0.5:
                prompted = False

    async def _time_limit(self, started_at: float) -> None:
        """At the call-length limit: let the reply in progress finish, say goodbye, hang up.

        The workflow hears `max_duration` and wraps up as usual (summary, CRM note, a follow-up
        ticket for what is still open); `/twilio/fallback` hangs up after it.
        """
        limits = self.cfg.limits
        await asyncio.sleep(max(0.0, started_at + limits.max_call_s - time.monotonic()))
        speaker = self._speaker
        assert speaker is not None
        self._overflows.note("max_duration", f"the call reached {limits.max_call_s:.0f}s; saying goodbye")
        self._closing = True
        reply = self._reply_task
        if reply is not None and not reply.done():
            await asyncio.wait({reply}, timeout=limits.close_wait_s)
            if not reply.done():
                reply.cancel()
                await speaker.clear()
        seg = speaker.begin(TIME_LIMIT_GOODBYE)
        cached = self.s.tts.cached(TIME_LIMIT_GOODBYE)
        if cached is not None:
            speaker.push(seg, cached)
            speaker.end(seg)
        else:
            await self._synthesize_into(seg)
        await seg.done.wait()  # bounded: an unechoed mark counts as played after its audio
        self._signal_turn("agent", seg.heard_text())
        await self._finish(MAX_DURATION, resolved=False, phone_action="hang_up")
        await self.telephony.hang_up(self.call_sid)
        raise CallOver(MAX_DURATION)

    # -------------------------------------------------------------- signals

    def _require_call(self) -> Call:
        assert self.call is not None
        return self.call

    def _count_temporal(self, ms: float) -> None:
        self._temporal_ms += ms

    def _signal_dtmf(self, digits: str) -> None:
        self._signals.put(TurnSignal(speaker="caller", text=digits, source="dtmf"))

    def _signal_turn(self, speaker: str, text: str, **kw: Any) -> None:
        if text:
            # Counted where the transcript is: every turn the workflow records, caller's and agent's.
            metrics.TURNS.labels(speaker=speaker).inc()
            self._signals.put(TurnSignal.model_validate({"speaker": speaker, "text": text, **kw}))

    async def _write_signals(self) -> None:
        """Send the turns to the workflow in order, off the hot path (realtime/signals.py)."""
        await self._call_ready.wait()
        self._signals.call_sid = self.call_sid
        await self._signals.run(self._require_call())

    def _usage(self) -> CallUsage:
        """What this call used, and what that costs by the price table."""
        brain = self._brain
        llm = getattr(brain, "usage", None) or getattr(getattr(brain, "primary", None), "usage", None)
        tokens_in = int(getattr(llm, "prompt_tokens", 0))
        tokens_out = int(getattr(llm, "completion_tokens", 0))
        phone_s = time.monotonic() - self._started_at
        stt_s = self._stt_frames * 0.02
        stt, tts = self.s.stt.name, self.s.tts.name
        cost = self.s.settings.prices.cost(
            phone_s=phone_s,
            stt_s=stt_s,
            stt=stt,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            tts_chars=self._tts_chars,
            tts=tts,
        )
        return CallUsage(
            phone_seconds=round(phone_s, 1),
            stt_seconds=round(stt_s, 1),
            llm_prompt_tokens=tokens_in,
            llm_completion_tokens=tokens_out,
            tts_characters=self._tts_chars,
            cost_usd=cost,
            providers={"stt": stt, "tts": tts, "brain": brain.name if brain else "none"},
        )

    async def _wrap_up(self, quarantined: quarantine.Why | None = None) -> None:
        """After the TaskGroup: the workflow hears how the call ended; resources are released.

        A quarantined stream is then held open at a crawl (realtime/quarantine.py) before it closes.
        """
        reason = self._ended_reason or "caller_hangup"
        if self.call is not None and reason in _CALLER_SIDE_ENDS:
            # The caller left (or the process stops): record what is still queued, then the end.
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await self._signals.drain(self.call)
                    await self.call.end(reason, usage=self._usage())
        if self._stt is not None:
            await self._stt.aclose()
        metrics.CALLS.labels(outcome=reason).inc()
        if quarantined is not None:
            self._overflows.note("quarantined", f"{quarantined}: heard no more, held, number refused")
            self.s.offenders.flag(self._caller)
            await quarantine.hold(self._receive, self.cfg.limits)
        await self._close()
