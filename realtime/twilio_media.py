"""The Twilio Media Streams wire format (bidirectional `<Connect><Stream>`), as typed messages.

Inbound frames are parsed into frozen pydantic models with `parse_inbound`; anything that is
not a well-formed Twilio message raises `ProtocolError` with a short reason (for a log line and
the `protocol_errors` metric). Outbound frames are built as JSON text by `media_message`,
`mark_message` and `clear_message`. `StreamState` enforces the order Twilio sends messages in.

Every shape here follows PROTOCOLS.md §1 ("Frames"); comments cite it where a choice was made.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AliasPath,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

__all__ = [
    "MAX_FRAME_CHARS",
    "MAX_PAYLOAD_BYTES",
    "MAX_REASON_CHARS",
    "Connected",
    "Dtmf",
    "InboundMessage",
    "Mark",
    "Media",
    "MediaFormat",
    "ProtocolError",
    "Start",
    "Stop",
    "StreamState",
    "clear_message",
    "mark_message",
    "media_message",
    "parse_inbound",
]

# A 20 ms inbound frame is 160 bytes (PROTOCOLS.md §1: "20 ms = 160 bytes ... in practice").
# One second of audio is 8000 bytes; a single frame larger than that is not Twilio, it is abuse
# or a bug, and decoding it would cost memory on the hot path.
MAX_PAYLOAD_BYTES = 8000
# Base64 length of MAX_PAYLOAD_BYTES: reject longer strings before spending time decoding them.
_MAX_PAYLOAD_B64 = 4 * ((MAX_PAYLOAD_BYTES + 2) // 3)
# The largest text frame we parse at all. A `start` with custom parameters is the biggest real
# message (a few hundred bytes); a media frame at the payload cap is ~11 kB of base64.
MAX_FRAME_CHARS = 64 * 1024

# PROTOCOLS.md §1: "SIDs: AC/CA/MZ + 32 hex". The Call SID becomes the workflow id
# (`call-<CallSid>`), and the Stream SID is echoed in every frame we send, so both are checked.
_ACCOUNT_SID = r"^AC[0-9a-fA-F]{32}$"
_CALL_SID = r"^CA[0-9a-fA-F]{32}$"
_STREAM_SID = r"^MZ[0-9a-fA-F]{32}$"
# Keypad digits a phone can send (DTMF 0-9, *, #).
_DTMF_DIGIT = r"^[0-9*#]$"
_DIGITS = re.compile(r"^[0-9]{1,18}$")


# A reason can quote sender-controlled text (a `customParameters` key, a media format name): it is
# cut to this length and stripped of anything unprintable, so it cannot forge or flood log lines.
MAX_REASON_CHARS = 160


def _log_safe(text: str) -> str:
    text = "".join(c if c.isprintable() else "?" for c in text[: MAX_REASON_CHARS + 1])
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"


class ProtocolError(ValueError):
    """A frame that breaks the Media Streams protocol.

    Attributes:
        reason: A short, log-safe description (never the frame itself: it may carry audio): at
            most `MAX_REASON_CHARS` printable characters.
    """

    def __init__(self, reason: str) -> None:
        reason = _log_safe(reason)
        super().__init__(reason)
        self.reason = reason


def _numeric_string(value: object) -> int:
    # PROTOCOLS.md §1: `sequenceNumber`, `media.chunk` and `media.timestamp` are *strings* of
    # digits on the wire. A bare number means the sender is not speaking Twilio's format.
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):  # `$` alone lets "7\n" through
        raise ValueError("must be a string of digits")
    return int(value)


def _payload(value: object) -> bytes:
    # PROTOCOLS.md §1: payload is base64 of headerless μ-law. Size is checked before and after
    # decoding so an oversize frame is refused without allocating its decoded copy.
    if not isinstance(value, str):
        raise ValueError("must be a base64 string")
    if len(value) > _MAX_PAYLOAD_B64:
        raise ValueError(f"larger than {MAX_PAYLOAD_BYTES} bytes")
    try:
        # validate=True refuses characters outside the alphabet; the length check refuses
        # stray padding that the decoder would otherwise skip. Twilio always sends padded base64.
        if len(value) % 4:
            raise ValueError
        audio = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not valid base64") from None
    if len(audio) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"larger than {MAX_PAYLOAD_BYTES} bytes")
    return audio


NumericString = Annotated[int, BeforeValidator(_numeric_string)]
Payload = Annotated[bytes, BeforeValidator(_payload)]
StreamSid = Annotated[StrictStr, Field(pattern=_STREAM_SID)]
CallSid = Annotated[StrictStr, Field(pattern=_CALL_SID)]
AccountSid = Annotated[StrictStr, Field(pattern=_ACCOUNT_SID)]

# Frozen: a parsed frame is a fact, passed between tasks of a call; nobody may edit it.
# extra="ignore": Twilio may add fields to its messages; new fields must not break live calls.
_CONFIG = ConfigDict(frozen=True, extra="ignore")


class Connected(BaseModel):
    """First message on the socket. PROTOCOLS.md §1: no `sequenceNumber` or `streamSid`."""

    model_config = _CONFIG

    event: Literal["connected"] = "connected"
    protocol: StrictStr
    version: StrictStr


class MediaFormat(BaseModel):
    """The inbound audio format. Only μ-law 8 kHz mono is accepted (see `Start`)."""

    model_config = _CONFIG

    encoding: StrictStr
    sample_rate: StrictInt = Field(validation_alias="sampleRate")
    channels: StrictInt


class Start(BaseModel):
    """Stream metadata: which call, which tracks, the `<Parameter>`s and the audio format."""

    model_config = _CONFIG

    event: Literal["start"] = "start"
    sequence_number: NumericString = Field(validation_alias="sequenceNumber")
    stream_sid: StreamSid = Field(validation_alias="streamSid")
    account_sid: AccountSid = Field(validation_alias=AliasPath("start", "accountSid"))
    call_sid: CallSid = Field(validation_alias=AliasPath("start", "callSid"))
    tracks: tuple[StrictStr, ...] = Field(validation_alias=AliasPath("start", "tracks"))
    # PROTOCOLS.md §1: `<Parameter>`s arrive as a string→string object. Absent = none were set.
    custom_parameters: dict[StrictStr, StrictStr] = Field(
        default_factory=dict, validation_alias=AliasPath("start", "customParameters")
    )
    media_format: MediaFormat = Field(validation_alias=AliasPath("start", "mediaFormat"))

    @model_validator(mode="after")
    def _mulaw_8k_mono(self) -> Start:
        # PROTOCOLS.md §1: "mediaFormat is always audio/x-mulaw, 8000 Hz, 1 channel". The whole
        # audio path (VAD, STT, TTS output) assumes it, so any other format is refused up front
        # rather than heard as noise.
        fmt = self.media_format
        if (fmt.encoding, fmt.sample_rate, fmt.channels) != ("audio/x-mulaw", 8000, 1):
            raise ValueError(
                f"unsupported mediaFormat {fmt.encoding} {fmt.sample_rate} Hz x{fmt.channels}"
                " (need audio/x-mulaw 8000 Hz mono)"
            )
        return self


class Media(BaseModel):
    """One chunk of caller audio (20 ms, 160 bytes of μ-law in practice)."""

    model_config = _CONFIG

    event: Literal["media"] = "media"
    sequence_number: NumericString = Field(validation_alias="sequenceNumber")
    stream_sid: StreamSid = Field(validation_alias="streamSid")
    track: StrictStr = Field(validation_alias=AliasPath("media", "track"))
    chunk: NumericString = Field(validation_alias=AliasPath("media", "chunk"))
    # Milliseconds since the stream started.
    timestamp: NumericString = Field(validation_alias=AliasPath("media", "timestamp"))
    payload: Payload = Field(validation_alias=AliasPath("media", "payload"))


class Dtmf(BaseModel):
    """One keypad digit. PROTOCOLS.md §1: bidirectional streams only; track is `inbound_track`."""

    model_config = _CONFIG

    event: Literal["dtmf"] = "dtmf"
    sequence_number: NumericString = Field(validation_alias="sequenceNumber")
    stream_sid: StreamSid = Field(validation_alias="streamSid")
    track: StrictStr = Field(validation_alias=AliasPath("dtmf", "track"))
    digit: Annotated[StrictStr, Field(pattern=_DTMF_DIGIT)] = Field(
        validation_alias=AliasPath("dtmf", "digit")
    )


class Mark(BaseModel):
    """A mark we sent, echoed back once the audio before it played (or was cleared).

    PROTOCOLS.md §1 "Mark semantics": after a `clear` every pending mark is echoed at once, so a
    returned mark does not prove the caller heard the audio.
    """

    model_config = _CONFIG

    event: Literal["mark"] = "mark"
    sequence_number: NumericString = Field(validation_alias="sequenceNumber")
    stream_sid: StreamSid = Field(validation_alias="streamSid")
    name: StrictStr = Field(validation_alias=AliasPath("mark", "name"))


class Stop(BaseModel):
    """The stream is over (the call ended); the socket closes next."""

    model_config = _CONFIG

    event: Literal["stop"] = "stop"
    sequence_number: NumericString = Field(validation_alias="sequenceNumber")
    stream_sid: StreamSid = Field(validation_alias="streamSid")
    account_sid: AccountSid = Field(validation_alias=AliasPath("stop", "accountSid"))
    call_sid: CallSid = Field(validation_alias=AliasPath("stop", "callSid"))


InboundMessage = Connected | Start | Media | Dtmf | Mark | Stop

_MODELS: dict[str, type[BaseModel]] = {
    "connected": Connected,
    "start": Start,
    "media": Media,
    "dtmf": Dtmf,
    "mark": Mark,
    "stop": Stop,
}


def _reason(event: str, err: ValidationError) -> str:
    first = err.errors(include_url=False, include_input=False)[0]
    msg = first["msg"].removeprefix("Value error, ")
    # Whole-message checks (the media format) have no field location.
    where = ".".join(str(part) for part in first["loc"])
    return f"{event}: {where}: {msg}" if where else f"{event}: {msg}"


def parse_inbound(raw: str | bytes) -> InboundMessage:
    """Parse one frame Twilio sent on the media WebSocket.

    Args:
        raw: The frame as received: `str` for a text frame, `bytes` for a binary frame.

    Returns:
        The typed message.

    Raises:
        ProtocolError: The frame is binary, not a JSON object, has an unknown or missing
            `event`, misses fields or has wrong types, carries bad or oversize audio, or
            announces a media format other than μ-law 8 kHz mono.
    """
    # PROTOCOLS.md §1: "all JSON text frames"; Twilio never sends binary.
    if not isinstance(raw, str):
        raise ProtocolError("binary frame (Twilio sends JSON text frames only)")
    if len(raw) > MAX_FRAME_CHARS:
        raise ProtocolError(f"frame larger than {MAX_FRAME_CHARS} characters")
    try:
        data: Any = json.loads(raw)
    except ValueError:
        raise ProtocolError("not JSON") from None
    except RecursionError:  # `[[[[...` fits thousands of levels in one frame
        raise ProtocolError("JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise ProtocolError("not a JSON object")
    event = data.get("event")
    if not isinstance(event, str):
        raise ProtocolError("missing event")
    model = _MODELS.get(event)
    if model is None:
        raise ProtocolError(f"unknown event {event[:32]!r}")
    try:
        message = model.model_validate(data)
    except ValidationError as e:
        raise ProtocolError(_reason(event, e)) from None
    assert isinstance(message, Connected | Start | Media | Dtmf | Mark | Stop)
    return message


# ---------------------------------------------------------------------------------- outbound
# PROTOCOLS.md §1 "You → Twilio": exactly these three shapes; anything else is error 31924.
# Compact separators: every byte on the socket is on the hot path, and the shapes are fixed.


def _dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


def media_message(stream_sid: str, ulaw: bytes) -> str:
    """Audio to play to the caller: headerless μ-law 8 kHz, any length (Twilio buffers it).

    Args:
        stream_sid: The `streamSid` from `start`.
        ulaw: Raw μ-law bytes.

    Returns:
        The JSON text frame.
    """
    payload = base64.b64encode(ulaw).decode("ascii")
    return _dumps({"event": "media", "streamSid": stream_sid, "media": {"payload": payload}})


def mark_message(stream_sid: str, name: str) -> str:
    """A mark Twilio echoes back when all audio sent before it has played (or was cleared).

    Args:
        stream_sid: The `streamSid` from `start`.
        name: The mark's name, echoed back unchanged.

    Returns:
        The JSON text frame.
    """
    return _dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})


def clear_message(stream_sid: str) -> str:
    """Drop all audio Twilio has buffered for the caller (barge-in); pending marks come back.

    Args:
        stream_sid: The `streamSid` from `start`.

    Returns:
        The JSON text frame.
    """
    return _dumps({"event": "clear", "streamSid": stream_sid})


# ------------------------------------------------------------------------------- ordering


class StreamState:
    """Checks that messages arrive in Twilio's order: `connected`, `start`, ..., `stop`.

    PROTOCOLS.md §1: "Twilio → you, in order: connected, start, then media/dtmf/mark
    interleaved, stop". Feed every parsed message to `accept`.
    """

    def __init__(self) -> None:
        self._start: Start | None = None
        self._stopped = False

    @property
    def start(self) -> Start | None:
        """The `start` message, once it arrived."""
        return self._start

    @property
    def stream_sid(self) -> str | None:
        """The stream's SID, once started: needed for every outbound frame."""
        return None if self._start is None else self._start.stream_sid

    @property
    def stopped(self) -> bool:
        """Whether `stop` arrived."""
        return self._stopped

    def accept(self, message: InboundMessage) -> InboundMessage | None:
        """Check one message against the stream so far.

        Args:
            message: A parsed inbound message.

        Returns:
            The message to act on, or None when it must be ignored (anything after `stop`:
            the call is over and late frames must not start new work).

        Raises:
            ProtocolError: `connected` after `start`, `media`/`dtmf`/`mark` before `start`, a
                second `start`, or a message for another stream.
        """
        if self._stopped:
            return None
        if isinstance(message, Connected):
            if self._start is not None:
                raise ProtocolError("connected after start")
            return message
        if isinstance(message, Start):
            if self._start is not None:
                raise ProtocolError("second start")
            self._start = message
            return message
        if isinstance(message, Stop):
            # A stop before start (call ended during set-up) still ends the stream.
            if self._start is not None and message.stream_sid != self._start.stream_sid:
                raise ProtocolError("stop for another streamSid")
            self._stopped = True
            return message
        if self._start is None:
            raise ProtocolError(f"{message.event} before start")
        # One socket carries one stream; a foreign streamSid is a confused or forged sender.
        if message.stream_sid != self._start.stream_sid:
            raise ProtocolError(f"{message.event} for another streamSid")
        return message
