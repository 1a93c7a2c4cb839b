"""Twilio Media Streams wire format: the documented messages, the builders, and every refusal."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from realtime.twilio_media import (
    MAX_PAYLOAD_BYTES,
    Connected,
    Dtmf,
    Mark,
    Media,
    MediaFormat,
    ProtocolError,
    Start,
    Stop,
    StreamState,
    clear_message,
    mark_message,
    media_message,
    parse_inbound,
)

# The examples from PROTOCOLS.md §1 "Frames", with the elided SIDs ("MZ…", "CA…", "AC…")
# filled in with real-shaped ones (prefix + 32 hex) and a real 20 ms payload.
STREAM_SID = "MZ18ad3ab5a668481ce02b83e7395059f0"
CALL_SID = "CA5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d"
ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
FRAME = bytes(range(96, 256))  # 160 bytes: one 20 ms μ-law frame
PAYLOAD = base64.b64encode(FRAME).decode()

# PROTOCOLS.md §1 "Frames", verbatim; then the elided SIDs and payload are filled in.
DOCUMENTED = """
{"event":"connected","protocol":"Call","version":"1.0.0"}
{"event":"start","sequenceNumber":"1","streamSid":"MZ…32hex",
 "start":{"accountSid":"AC…","streamSid":"MZ…","callSid":"CA…","tracks":["inbound"],
          "customParameters":{"tenant":"t1"},
          "mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}
{"event":"media","sequenceNumber":"4","streamSid":"MZ…",
 "media":{"track":"inbound","chunk":"2","timestamp":"5","payload":"<base64 μ-law>"}}
{"event":"dtmf","sequenceNumber":"5","streamSid":"MZ…","dtmf":{"track":"inbound_track","digit":"1"}}
{"event":"mark","sequenceNumber":"6","streamSid":"MZ…","mark":{"name":"utt-3"}}
{"event":"stop","sequenceNumber":"7","streamSid":"MZ…","stop":{"accountSid":"AC…","callSid":"CA…"}}
"""
FILLED = (
    DOCUMENTED.replace("MZ…32hex", STREAM_SID)
    .replace("MZ…", STREAM_SID)
    .replace("AC…", ACCOUNT_SID)
    .replace("CA…", CALL_SID)
    .replace("<base64 μ-law>", PAYLOAD)
)
# One frame per message: each starts at a line beginning with `{"event"`.
CONNECTED, START, MEDIA, DTMF, MARK, STOP = ("{" + frame.strip() for frame in FILLED.split("\n{")[1:])


def test_documented_messages_parse_to_their_models() -> None:
    assert parse_inbound(CONNECTED) == Connected(protocol="Call", version="1.0.0")

    start = parse_inbound(START)
    assert isinstance(start, Start)
    assert (start.sequence_number, start.stream_sid, start.call_sid, start.account_sid) == (
        1,
        STREAM_SID,
        CALL_SID,
        ACCOUNT_SID,
    )
    assert start.tracks == ("inbound",)
    assert start.custom_parameters == {"tenant": "t1"}
    assert start.media_format == MediaFormat(encoding="audio/x-mulaw", sampleRate=8000, channels=1)

    media = parse_inbound(MEDIA)
    assert isinstance(media, Media)
    assert (media.sequence_number, media.track, media.chunk, media.timestamp) == (4, "inbound", 2, 5)
    assert media.payload == FRAME and len(media.payload) == 160

    dtmf = parse_inbound(DTMF)
    assert isinstance(dtmf, Dtmf)
    assert (dtmf.sequence_number, dtmf.track, dtmf.digit) == (5, "inbound_track", "1")

    mark = parse_inbound(MARK)
    assert isinstance(mark, Mark) and (mark.sequence_number, mark.name) == (6, "utt-3")

    stop = parse_inbound(STOP)
    assert isinstance(stop, Stop)
    assert (stop.sequence_number, stop.call_sid, stop.account_sid) == (7, CALL_SID, ACCOUNT_SID)


def test_messages_are_frozen_and_unknown_fields_are_tolerated() -> None:
    data = json.loads(MARK)
    data["somethingNew"] = {"x": 1}  # Twilio may add fields; live calls must not break
    mark = parse_inbound(json.dumps(data))
    assert isinstance(mark, Mark)
    with pytest.raises(ValueError, match="frozen"):
        mark.name = "other"


def test_start_without_custom_parameters_has_none() -> None:
    data = json.loads(START)
    del data["start"]["customParameters"]
    start = parse_inbound(json.dumps(data))
    assert isinstance(start, Start) and start.custom_parameters == {}


def test_builders_produce_the_exact_documented_shapes() -> None:
    audio = b"\xff\x7f\x00" * 100
    assert json.loads(media_message(STREAM_SID, audio)) == {
        "event": "media",
        "streamSid": STREAM_SID,
        "media": {"payload": base64.b64encode(audio).decode()},
    }
    assert json.loads(mark_message(STREAM_SID, "utt-3")) == {
        "event": "mark",
        "streamSid": STREAM_SID,
        "mark": {"name": "utt-3"},
    }
    assert clear_message(STREAM_SID) == '{"event":"clear","streamSid":"' + STREAM_SID + '"}'
    # Compact JSON: no spaces on the hot path.
    assert " " not in media_message(STREAM_SID, audio)


def _edit(raw: str, path: tuple[str, ...], value: Any) -> str:
    """A copy of a documented message with one field set (or deleted, for value=...)."""
    data = copy.deepcopy(json.loads(raw))
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(data)


MALFORMED = [
    pytest.param(START.encode(), "binary frame", id="binary"),
    pytest.param('{"event":"media",', "not JSON", id="bad-json"),
    pytest.param("[1, 2]", "not a JSON object", id="array"),
    pytest.param('"start"', "not a JSON object", id="string"),
    pytest.param('{"streamSid":"x"}', "missing event", id="no-event"),
    pytest.param('{"event":7}', "missing event", id="event-not-string"),
    pytest.param('{"event":"clear","streamSid":"x"}', "unknown event 'clear'", id="unknown-event"),
    pytest.param(
        _edit(START, ("start", "callSid"), ...), "start: start.callSid: Field required", id="no-sid"
    ),
    pytest.param(
        _edit(MEDIA, ("media", "payload"), ...), "media: media.payload: Field required", id="no-audio"
    ),
    pytest.param(_edit(MARK, ("mark",), ...), "mark: mark.name: Field required", id="no-mark-object"),
    pytest.param(
        _edit(CONNECTED, ("version",), 1), "connected: version: Input should be a valid string", id="ver"
    ),
    pytest.param(
        _edit(MEDIA, ("sequenceNumber",), 4), "media: sequenceNumber: must be a string of digits", id="seq"
    ),
    pytest.param(
        _edit(MEDIA, ("media", "chunk"), "two"), "media: media.chunk: must be a string of digits", id="chk"
    ),
    pytest.param(_edit(START, ("start", "tracks"), "inbound"), "start: start.tracks:", id="tracks-not-list"),
    pytest.param(
        _edit(START, ("start", "customParameters"), {"tenant": 1}),
        "start: start.customParameters.tenant: Input should be a valid string",
        id="param-not-string",
    ),
    pytest.param(
        _edit(START, ("start", "mediaFormat", "sampleRate"), "8000"),
        "start: start.mediaFormat.sampleRate: Input should be a valid integer",
        id="rate-as-string",
    ),
    pytest.param(
        _edit(START, ("start", "callSid"), "CA123"), "start: start.callSid: String should match", id="sid"
    ),
    pytest.param(
        _edit(DTMF, ("dtmf", "digit"), "12"), "dtmf: dtmf.digit: String should match", id="two-digits"
    ),
    pytest.param(
        _edit(MEDIA, ("media", "payload"), "not base64!"), "media.payload: not valid base64", id="b64"
    ),
    pytest.param(
        _edit(MEDIA, ("media", "payload"), "QUJD="), "media.payload: not valid base64", id="padding"
    ),
    pytest.param(
        _edit(MEDIA, ("media", "payload"), 160), "media.payload: must be a base64 string", id="b64-type"
    ),
    pytest.param(
        _edit(MEDIA, ("media", "payload"), base64.b64encode(b"\xff" * (MAX_PAYLOAD_BYTES + 1)).decode()),
        f"media.payload: larger than {MAX_PAYLOAD_BYTES} bytes",
        id="oversize",
    ),
    pytest.param(
        _edit(START, ("start", "mediaFormat", "encoding"), "audio/l16"),
        "start: unsupported mediaFormat audio/l16 8000 Hz x1",
        id="encoding",
    ),
    pytest.param(
        _edit(START, ("start", "mediaFormat", "sampleRate"), 16000),
        "start: unsupported mediaFormat audio/x-mulaw 16000 Hz",
        id="sample-rate",
    ),
    pytest.param(
        _edit(START, ("start", "mediaFormat", "channels"), 2), "start: unsupported mediaFormat", id="stereo"
    ),
    pytest.param(" " * 70_000, "frame larger than", id="huge-frame"),
]


@pytest.mark.parametrize(("raw", "reason"), MALFORMED)
def test_malformed_frames_are_protocol_errors_with_a_specific_reason(raw: str | bytes, reason: str) -> None:
    with pytest.raises(ProtocolError) as err:
        parse_inbound(raw)
    assert err.value.reason.startswith(reason) or reason in err.value.reason, err.value.reason


def test_a_full_payload_at_the_limit_is_accepted() -> None:
    raw = _edit(MEDIA, ("media", "payload"), base64.b64encode(b"\xff" * MAX_PAYLOAD_BYTES).decode())
    media = parse_inbound(raw)
    assert isinstance(media, Media) and len(media.payload) == MAX_PAYLOAD_BYTES


def _feed(state: StreamState, *frames: str) -> list[Any]:
    return [state.accept(parse_inbound(f)) for f in frames]


def test_stream_state_accepts_twilio_order_and_ignores_anything_after_stop() -> None:
    state = StreamState()
    assert state.stream_sid is None
    accepted = _feed(state, CONNECTED, START, MEDIA, DTMF, MARK, STOP)
    assert [m.event for m in accepted] == ["connected", "start", "media", "dtmf", "mark", "stop"]
    assert state.stream_sid == STREAM_SID and state.start is not None and state.stopped
    # After stop the call is over: late frames (even a second start) are dropped, not errors.
    assert _feed(state, MEDIA, MARK, START, STOP) == [None, None, None, None]


@pytest.mark.parametrize(
    ("frames", "reason"),
    [
        pytest.param((MEDIA,), "media before start", id="media"),
        pytest.param((CONNECTED, DTMF), "dtmf before start", id="dtmf"),
        pytest.param((MARK,), "mark before start", id="mark"),
        pytest.param((START, START), "second start", id="second-start"),
        pytest.param((START, CONNECTED), "connected after start", id="late-connected"),
        pytest.param(
            (START, MEDIA.replace(STREAM_SID, "MZ" + "0" * 32)), "media for another streamSid", id="foreign"
        ),
    ],
)
def test_stream_state_refuses_out_of_order_messages(frames: tuple[str, ...], reason: str) -> None:
    state = StreamState()
    *ok, bad = frames
    _feed(state, *ok)
    with pytest.raises(ProtocolError, match=reason):
        state.accept(parse_inbound(bad))


def test_stop_before_start_ends_the_stream() -> None:
    state = StreamState()
    assert isinstance(state.accept(parse_inbound(STOP)), Stop)
    assert state.stopped and state.accept(parse_inbound(MEDIA)) is None
