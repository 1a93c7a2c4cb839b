"""Bad input never crashes anything: property-based fuzzing of everything a stranger can reach.

- The media-stream parser and its order checker (realtime/twilio_media.py): any text or binary
  frame — arbitrary JSON, mutated Twilio frames, truncated, oversized or deeply nested ones, base64
  garbage, events out of order — is a typed message, a `ProtocolError` with a short log-safe reason,
  or ignored (after `stop`). Nothing else ever comes out.
- The webhooks through the ASGI app: random params, bodies, content types, sizes and signatures
  (missing, garbage, another token, and valid signatures *replayed* on another body or path). An
  unauthentic request is always a 403; an authentic one is answered by what it carries (2xx/4xx),
  never a 5xx; `/twilio/fallback` always answers TwiML.
- The media WebSocket end to end, over a signed upgrade to a real uvicorn, with the real realtime
  session (`MediaStreamHandler`: parser, VAD, turn-taking, speaker, marks, workflow signals). Only
  its outside world is faked — Temporal, speech models, the brain — which is all cheap and
  in-process. Several fuzzed streams run while a well-behaved call is in progress on the same app;
  the fuzzed ones end cleanly (1000, never 1011) and the good call is not disturbed.
- schemathesis against the app's own OpenAPI document, signing every request as Twilio does, so
  it gets past the 403: no 5xx, and every answer conforms to the document.

Every property test is deterministic (`derandomize=True` / a fixed schemathesis seed, no example
database), so CI sees the same examples on every run.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import itertools
import json
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast
from urllib.parse import parse_qsl, urlencode

import httpx
import hypothesis.strategies as st
import pytest
import requests
import schemathesis
import uvicorn
import websockets
from fastapi import FastAPI, WebSocket
from hypothesis import HealthCheck, event, given, settings
from starlette.datastructures import FormData
from temporalio.client import Client
from twilio.request_validator import RequestValidator

from api import create_app
from api.fallback import FINAL_CALL_STATUSES
from api.forms import MAX_BODY_BYTES, MAX_FIELDS
from callengine.settings import Settings
from realtime.brain.base import Brain, BrainEvent, CallerInput, Say, TurnDone
from realtime.session import MediaStreamHandler, Services, SessionConfig
from realtime.stt.base import SpeechToText, SttSession, Transcript
from realtime.tts.base import TextToSpeech
from realtime.twilio_media import (
    MAX_FRAME_CHARS,
    MAX_PAYLOAD_BYTES,
    MAX_REASON_CHARS,
    Connected,
    Dtmf,
    InboundMessage,
    Mark,
    Media,
    ProtocolError,
    Start,
    Stop,
    StreamState,
    parse_inbound,
)
from tests.conftest import free_port
from workflows import EndedSignal

TOKEN = "fuzz-auth-token"
PUBLIC = "https://calls.example.com"
INTERNAL = "http://internal-host:8080"  # what the app sees behind the TLS-terminating proxy
SETTINGS = Settings(twilio_auth_token=TOKEN, public_url=PUBLIC, human_queue="tier2")
WEBHOOKS = ("/twilio/voice", "/twilio/status", "/twilio/stream-status", "/twilio/fallback", "/twilio/whisper")
FORM = "application/x-www-form-urlencoded"
SID_SHAPE = re.compile(r"CA[0-9a-fA-F]{32}")  # used with fullmatch: `$` would allow a trailing newline

ACCOUNT_SID = "AC" + "0" * 32
OWN_STREAM = "MZ" + "a" * 32  # the stream a socket announced in its `start`
OTHER_STREAM = "MZ" + "b" * 32  # a stream some other socket owns

# One profile for every property test here: reproducible, no example database, no deadline
# (a loaded 2-core CI box is slow), and a budget that keeps this file well under a minute.
_COMMON: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
}
FAST = settings(max_examples=800, **_COMMON)  # pure functions: microseconds each
HTTP = settings(max_examples=600, **_COMMON)  # one in-process ASGI request each
WIRE = settings(max_examples=25, **_COMMON)  # real sockets and a real call each: ~0.3 s


# =============================================================================== strategies

hex32 = st.text("0123456789abcdef", min_size=32, max_size=32)
numeric = st.integers(0, 10**18 - 1).map(str)  # Twilio's digit strings (sequenceNumber, chunk...)

# JSON values of every kind, nested a little: what a confused or hostile peer may put anywhere.
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()  # NaN and Infinity too: Python's json reads and writes them
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


EVENTS = ("connected", "start", "media", "media", "media", "dtmf", "mark", "stop")


@st.composite
def twilio_frames(
    draw: st.DrawFn, stream_sid: st.SearchStrategy[str] | None = None, events: Sequence[str] = EVENTS
) -> dict[str, Any]:
    """A well-formed Twilio frame (PROTOCOLS.md §1 "Frames") of any type, as a JSON object."""
    sid = draw(stream_sid if stream_sid is not None else st.sampled_from([OWN_STREAM, OTHER_STREAM]))
    seq = draw(numeric)
    event = draw(st.sampled_from(events))
    if event == "connected":
        return {"event": "connected", "protocol": "Call", "version": "1.0.0"}
    if event == "start":
        params = draw(st.dictionaries(st.text(max_size=10), st.text(max_size=16), max_size=3))
        return {
            "event": "start",
            "sequenceNumber": seq,
            "streamSid": sid,
            "start": {
                "accountSid": ACCOUNT_SID,
                "streamSid": sid,
                "callSid": "CA" + draw(hex32),
                "tracks": ["inbound"],
                "customParameters": params,
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            },
        }
    common = {"sequenceNumber": seq, "streamSid": sid}
    if event == "media":
        audio = draw(st.binary(max_size=480) | st.just(bytes(160)))
        media = {
            "track": "inbound",
            "chunk": draw(numeric),
            "timestamp": draw(numeric),
            "payload": _b64(audio),
        }
        return {"event": "media", **common, "media": media}
    if event == "dtmf":
        return {
            "event": "dtmf",
            **common,
            "dtmf": {"track": "inbound_track", "digit": draw(st.sampled_from("0123456789*#"))},
        }
    if event == "mark":
        return {"event": "mark", **common, "mark": {"name": draw(st.text(max_size=16))}}
    return {"event": "stop", **common, "stop": {"accountSid": ACCOUNT_SID, "callSid": "CA" + draw(hex32)}}


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key/index path inside a JSON value."""
    items: Iterator[tuple[Any, Any]]
    if isinstance(value, dict):
        items = iter(value.items())
    elif isinstance(value, list):
        items = iter(enumerate(value))
    else:
        return
    for key, child in items:
        yield (*prefix, key)
        yield from _paths(child, (*prefix, key))


@st.composite
def mutated_frames(draw: st.DrawFn) -> Any:
    """A Twilio frame with one to three fields replaced, deleted or added: wrong types, wrong shapes."""
    frame: Any = copy.deepcopy(draw(twilio_frames()))
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(frame))
        if not paths or draw(st.integers(0, 9)) == 0:
            return draw(json_values)  # the whole frame is something else
        path = draw(st.sampled_from(paths))
        parent = frame
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "replace":
            special = st.sampled_from(
                ["", "-1", "1e3", "0x10", "٣", "7\n", " 7", "\u0000", "=" * 4, "!!!!", "MZ", "CA" + "g" * 32]
            )
            parent[path[-1]] = draw(
                json_values | special | st.sampled_from(["media", "start", "stop", "clear"])
            )
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(json_values)
        else:
            parent.append(draw(json_values))
    return frame


bad_base64 = st.one_of(
    st.text(max_size=40),  # mostly not base64 at all
    st.binary(min_size=1, max_size=60).map(lambda b: _b64(b).rstrip("=")),  # padding stripped
    st.binary(min_size=1, max_size=60).map(lambda b: _b64(b) + "="),  # stray padding
    st.binary(min_size=1, max_size=60).map(lambda b: _b64(b).replace("+", "-").replace("/", "_")),  # urlsafe
    st.just(_b64(b"\xff" * (MAX_PAYLOAD_BYTES + 1))),  # one byte over the cap
    st.just("A" * (4 * ((MAX_PAYLOAD_BYTES + 2) // 3) + 4)),  # over the cap before decoding
)


@st.composite
def media_with_bad_payload(draw: st.DrawFn) -> dict[str, Any]:
    frame = draw(twilio_frames(st.just(OWN_STREAM), events=["media"]))
    frame["media"]["payload"] = draw(bad_base64)
    return frame


def _deeply_nested(depth: int) -> str:
    return '{"event":"media","streamSid":"' + OWN_STREAM + '","x":' + "[" * depth + "]" * depth + "}"


def dumps(frame: Any) -> str:
    return json.dumps(frame, separators=(",", ":"))


# Any frame a socket may carry: text (JSON or not) or binary.
raw_frames: st.SearchStrategy[str | bytes] = st.one_of(
    twilio_frames().map(dumps),
    mutated_frames().map(dumps),
    media_with_bad_payload().map(dumps),
    json_values.map(dumps),
    st.text(max_size=60),
    # Truncated frames: a prefix of a real one.
    st.tuples(twilio_frames().map(dumps), st.floats(0, 1)).map(lambda t: t[0][: int(len(t[0]) * t[1])]),
    st.binary(max_size=60),
    twilio_frames().map(lambda f: dumps(f).encode()),  # a real frame, sent as binary
    st.integers(1, 30_000).map(_deeply_nested),  # JSON nested deeper than the parser's recursion
    st.just(" " * (MAX_FRAME_CHARS + 1)),  # oversized
    st.just('{"event":"media","pad":"' + "x" * MAX_FRAME_CHARS + '"}'),
)


# ===================================================================== 1. the frame parser


def assert_log_safe(reason: str) -> None:
    assert 0 < len(reason) <= MAX_REASON_CHARS, reason
    assert reason.isprintable(), repr(reason)


def assert_well_formed(message: InboundMessage) -> None:
    """What every parsed message guarantees to the session that acts on it."""
    assert isinstance(message, Connected | Start | Media | Dtmf | Mark | Stop)
    if isinstance(message, Connected):
        return
    assert re.fullmatch(r"MZ[0-9a-fA-F]{32}", message.stream_sid)
    assert 0 <= message.sequence_number < 10**18
    if isinstance(message, Start | Stop):
        assert SID_SHAPE.fullmatch(message.call_sid) and re.fullmatch(
            r"AC[0-9a-fA-F]{32}", message.account_sid
        )
    if isinstance(message, Start):
        fmt = message.media_format
        assert (fmt.encoding, fmt.sample_rate, fmt.channels) == ("audio/x-mulaw", 8000, 1)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in message.custom_parameters.items())
    if isinstance(message, Media):
        assert isinstance(message.payload, bytes) and len(message.payload) <= MAX_PAYLOAD_BYTES
    if isinstance(message, Dtmf):
        assert message.digit in "0123456789*#" and len(message.digit) == 1


@FAST
@given(raw=raw_frames)
def test_any_frame_parses_to_a_well_formed_message_or_a_protocol_error(raw: str | bytes) -> None:
    try:
        message = parse_inbound(raw)
    except ProtocolError as e:
        assert_log_safe(e.reason)
        # The reason never quotes the frame's audio (it is the caller's voice).
        frame = _json_or_none(raw)
        media = frame.get("media") if isinstance(frame, dict) else None
        payload = media.get("payload") if isinstance(media, dict) else None
        if isinstance(payload, str) and len(payload) >= 8:
            assert payload not in e.reason
        return
    assert_well_formed(message)
    # Digit-string fields that parsed were digit strings, exactly (PROTOCOLS.md §1).
    frame = json.loads(raw)
    for container, name in [
        (frame, "sequenceNumber"),
        (frame.get("media"), "chunk"),
        (frame.get("media"), "timestamp"),
    ]:
        if isinstance(container, dict) and name in container:
            assert re.fullmatch("[0-9]{1,18}", container[name]), container[name]


def _json_or_none(raw: str | bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


@FAST
@given(frame=twilio_frames())
def test_every_well_formed_twilio_frame_parses_to_exactly_what_was_sent(frame: dict[str, Any]) -> None:
    message = parse_inbound(dumps(frame))
    assert message.event == frame["event"]
    assert_well_formed(message)
    if not isinstance(message, Connected):
        assert (message.sequence_number, message.stream_sid) == (
            int(frame["sequenceNumber"]),
            frame["streamSid"],
        )
    if isinstance(message, Start):
        assert message.call_sid == frame["start"]["callSid"]
        assert message.custom_parameters == frame["start"]["customParameters"]
    if isinstance(message, Media):
        assert message.payload == base64.b64decode(frame["media"]["payload"])
        assert (message.chunk, message.timestamp) == (
            int(frame["media"]["chunk"]),
            int(frame["media"]["timestamp"]),
        )
    if isinstance(message, Dtmf):
        assert message.digit == frame["dtmf"]["digit"]
    if isinstance(message, Mark):
        assert message.name == frame["mark"]["name"]


@FAST
@given(
    frame=twilio_frames(st.just(OWN_STREAM), events=["media"]),
    field=st.sampled_from([("sequenceNumber",), ("media", "chunk"), ("media", "timestamp")]),
    value=st.text("0123456789 \n\t+-_.٣¹", max_size=6) | st.sampled_from(["7\n", " 7", "0" * 19, "9" * 18]),
)
def test_digit_string_fields_accept_ascii_digit_strings_and_nothing_else(
    frame: dict[str, Any], field: tuple[str, ...], value: str
) -> None:
    target = frame
    for key in field[:-1]:
        target = target[key]
    target[field[-1]] = value
    if re.fullmatch("[0-9]{1,18}", value):
        message = parse_inbound(dumps(frame))
        assert isinstance(message, Media) and int(value) in (
            message.sequence_number,
            message.chunk,
            message.timestamp,
        )
        return
    with pytest.raises(ProtocolError, match="must be a string of digits"):
        parse_inbound(dumps(frame))


@FAST
@given(frame=media_with_bad_payload())
def test_base64_garbage_and_oversize_audio_are_refused_as_such(frame: dict[str, Any]) -> None:
    payload = frame["media"]["payload"]
    try:
        audio = base64.b64decode(payload, validate=True)
        valid = len(payload) % 4 == 0 and len(audio) <= MAX_PAYLOAD_BYTES
    except ValueError:
        valid = False
    if valid:  # garbage that happens to be good base64 is audio
        message = parse_inbound(dumps(frame))
        assert isinstance(message, Media) and message.payload == audio
        return
    with pytest.raises(ProtocolError) as refused:
        parse_inbound(dumps(frame))
    assert refused.value.reason.startswith("media: media.payload: ")
    assert_log_safe(refused.value.reason)


def test_regression_deeply_nested_json_is_a_protocol_error_not_a_recursion_error() -> None:
    # Found by the fuzzer: json.loads raised RecursionError on `[[[[...` (a 64 kB frame holds
    # 32k levels), which the session does not catch: one frame dropped the call with 1011.
    with pytest.raises(ProtocolError, match="nested too deeply"):
        parse_inbound(_deeply_nested(20_000))


def test_regression_a_protocol_error_reason_cannot_forge_or_flood_log_lines() -> None:
    # Found by the fuzzer: a `customParameters` key or a media format name went into the reason
    # verbatim — newlines and all, 60 kB long — and from there into a log line.
    start = json.loads(dumps(_start_frame("CA" + "1" * 32)))
    start["start"]["customParameters"] = {"x\nWARNING forged line " * 500: 1}
    with pytest.raises(ProtocolError) as long_key:
        parse_inbound(dumps(start))
    start["start"]["customParameters"] = {}
    start["start"]["mediaFormat"]["encoding"] = "\r\n" + "a" * 5000
    with pytest.raises(ProtocolError) as long_format:
        parse_inbound(dumps(start))
    for reason in (long_key.value.reason, long_format.value.reason):
        assert_log_safe(reason)
        assert "\n" not in str(ProtocolError(reason))
    assert long_key.value.reason.startswith("start: start.customParameters.x?WARNING forged line")


# ---------------------------------------------------------------------- the order checker


def _reference_accept(
    started: Start | None, stopped: bool, message: InboundMessage
) -> tuple[Literal["accept", "ignore", "refuse"], Start | None, bool]:
    """StreamState's documented contract, as a table (PROTOCOLS.md §1 order; docstring of accept)."""
    if stopped:
        return "ignore", started, stopped
    if isinstance(message, Connected):
        return ("refuse" if started else "accept"), started, stopped
    if isinstance(message, Start):
        return ("refuse", started, stopped) if started else ("accept", message, stopped)
    if isinstance(message, Stop):
        if started is not None and message.stream_sid != started.stream_sid:
            return "refuse", started, stopped
        return "accept", started, True
    if started is None or message.stream_sid != started.stream_sid:
        return "refuse", started, stopped
    return "accept", started, stopped


@FAST
@given(frames=st.lists(twilio_frames(), max_size=25))
def test_stream_state_accepts_twilio_order_refuses_the_rest_and_ignores_all_after_stop(
    frames: list[dict[str, Any]],
) -> None:
    # Frames in any order, repeated, for this stream or another, sequence numbers going anywhere
    # (including backwards: Twilio's single TCP stream cannot reorder, so they are not checked).
    state = StreamState()
    started: Start | None = None
    stopped = False
    for frame in frames:
        message = parse_inbound(dumps(frame))
        expected, started, stopped = _reference_accept(started, stopped, message)
        before = (state.start, state.stopped)
        try:
            got = state.accept(message)
        except ProtocolError as e:
            assert expected == "refuse", (frame["event"], e.reason)
            assert_log_safe(e.reason)
            assert (state.start, state.stopped) == before  # a refused frame changes nothing
            continue
        assert expected == ("accept" if got is message else "ignore"), frame["event"]
        assert got is message or got is None
        assert (state.start, state.stopped) == (started, stopped)
        assert state.stream_sid == (None if started is None else started.stream_sid)


# ========================================================================= 2. the webhooks


def sign(url: str, params: Sequence[tuple[str, str]] | dict[str, str], token: str = TOKEN) -> str:
    data = FormData(list(params.items()) if isinstance(params, dict) else list(params))
    return str(RequestValidator(token).compute_signature(url, data))


@dataclass(frozen=True)
class WebhookRequest:
    """One request to a webhook, exactly as it reaches the app, and how it was built."""

    kind: str
    path: str
    body: bytes
    content_type: str | None
    signature: str | None
    query: bytes = b""  # raw, as on the wire: it need not be UTF-8
    chunk: int = 1 << 20  # the body arrives in pieces of this size
    disconnect: bool = False  # the sender hangs up before the body is complete


def _params() -> st.SearchStrategy[list[tuple[str, str]]]:
    keys = st.sampled_from(
        [
            "CallSid",
            "CallStatus",
            "From",
            "To",
            "Direction",
            "AccountSid",
            "StreamEvent",
            "StreamError",
            "Digits",
        ]
    )
    call_sids = st.sampled_from(
        ["CA" + "1" * 32, "CA" + "aB" * 16, "", "CA123", "ca" + "0" * 32, "CA" + "2" * 32 + "\n"]
    ) | hex32.map(lambda h: "CA" + h)
    statuses = st.sampled_from(
        [*sorted(FINAL_CALL_STATUSES), "in-progress", "ringing", "queued", "", "COMPLETED"]
    )
    odd = st.sampled_from(
        ["+14155550101", "<Hangup/>", "&amp;", "]]>", "\"'", "%", "a=b&c", "\x00", "\x1b[31m"]
    )
    values = st.text(max_size=30) | odd
    pair = st.one_of(
        st.tuples(st.just("CallSid"), call_sids),
        st.tuples(st.just("CallStatus"), statuses),
        st.tuples(keys | st.text(max_size=10), values),
    )
    return st.lists(pair, max_size=12)


KINDS = (
    *("signed",) * 4,
    "unsigned",
    "garbage-signature",
    "wrong-token",
    "replayed-on-another-path",
    "replayed-with-another-body",
    "signed-for-the-internal-url",
    "truncated",
    "cut-off",
    "oversized",
    "raw-bytes",
    "wrong-content-type",
    "odd-content-type",
    "query-string",
)


def _whisper_query() -> st.SearchStrategy[bytes]:
    """The transfer's `<Number url>` query: the caller's Call SID and the handoff ticket."""
    sids = st.sampled_from(["CA" + "1" * 32, "", "CA123"])
    tickets = st.sampled_from(
        ["1", "12345678901", "123456789012", "²", "٣", "-1", "", "1e3", " 1"]
    ) | st.text(max_size=6)
    return st.builds(
        lambda sid, ticket: urlencode({"CallSid": sid, "ticket": ticket}).encode(), sids, tickets
    )


def _url(base: str, path: str, query: bytes) -> str:
    return base + path + (f"?{query.decode('utf-8', 'replace')}" if query else "")


@st.composite
def webhook_requests(draw: st.DrawFn) -> WebhookRequest:
    path = draw(st.sampled_from(WEBHOOKS))
    params = draw(_params())
    body = urlencode(params).encode()
    query = draw(_whisper_query()) if path == "/twilio/whisper" else b""
    honest = sign(_url(PUBLIC, path, query), params)
    kind = draw(st.sampled_from(KINDS))
    chunk = draw(st.sampled_from([1 << 20, 1 << 20, 7, 1]))
    req = WebhookRequest(kind, path, body, FORM, honest, query=query, chunk=chunk)
    if kind == "signed":
        return req
    if kind == "unsigned":
        return replace(req, signature=None)
    if kind == "garbage-signature":
        return replace(req, signature=draw(st.text(max_size=40) | st.just("bm90IGEgc2lnbmF0dXJl")))
    if kind == "wrong-token":
        return replace(req, signature=sign(_url(PUBLIC, path, query), params, token="another-token"))
    if kind == "replayed-on-another-path":
        other = draw(st.sampled_from([p for p in WEBHOOKS if p != path]))
        return replace(req, signature=sign(_url(PUBLIC, other, query), params))
    if kind == "replayed-with-another-body":
        return replace(req, body=urlencode(draw(_params())).encode())
    if kind == "signed-for-the-internal-url":
        return replace(req, signature=sign(_url(INTERNAL, path, query), params))
    if kind == "truncated":  # a shorter body, signed for the whole one
        return replace(req, body=body[: draw(st.integers(0, max(len(body) - 1, 0)))])
    if kind == "cut-off":  # the sender hangs up mid-body
        return replace(req, disconnect=True, chunk=max(1, len(body) // 2))
    if kind == "oversized":  # honestly signed, but no Twilio webhook is that big
        padded = [*params, ("Padding", "x" * MAX_BODY_BYTES)]
        return replace(
            req, body=urlencode(padded).encode(), signature=sign(_url(PUBLIC, path, query), padded)
        )
    if kind == "raw-bytes":
        raw = draw(st.binary(max_size=80))
        as_parsed = sign(_url(PUBLIC, path, query), parse_qsl(raw.decode("latin-1")))
        return replace(req, body=raw, signature=draw(st.sampled_from([honest, as_parsed])))
    if kind == "wrong-content-type":
        ctype = draw(
            st.sampled_from([None, "application/json", "text/plain", "multipart/form-data; boundary=x"])
        )
        return replace(req, content_type=ctype)
    if kind == "odd-content-type":  # still a form: parameters, case and spaces do not matter
        return replace(
            req, content_type=draw(st.sampled_from([FORM + "; charset=utf-8", FORM.upper(), f" {FORM} "]))
        )
    # "query-string": Twilio signs the URL with its query string, raw; it need not even be UTF-8.
    other_query = draw(
        st.sampled_from([b"a=1", b"x=%ff", b"\xff", b"a=\xc3", b"%", b"q=a+b"]) | st.binary(max_size=8)
    )
    if draw(st.booleans()):
        return replace(req, query=other_query)  # signed for the original query
    return replace(req, query=other_query, signature=sign(_url(PUBLIC, path, other_query), params))


def authentic(req: WebhookRequest) -> bool:
    """Whether Twilio could have sent this: the oracle, from PROTOCOLS.md §2 and api/forms.py's limits."""
    ctype = (req.content_type or "").split(";", 1)[0].strip().lower()
    if req.signature is None or req.disconnect or ctype != FORM or len(req.body) > MAX_BODY_BYTES:
        return False
    try:
        params = parse_qsl(req.body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
        url = PUBLIC + req.path + (f"?{req.query.decode('utf-8')}" if req.query else "")
    except ValueError:  # UnicodeDecodeError included
        return False
    return bool(RequestValidator(TOKEN).validate(url, FormData(params), req.signature))


@dataclass
class AsgiResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


async def send(app: FastAPI, req: WebhookRequest) -> AsgiResponse:
    """The request straight into the ASGI app, byte for byte as a server would pass it on.

    (httpx re-encodes what it sends; Twilio's and an attacker's bytes need not be that tidy.)
    """
    headers = [(b"host", b"internal-host:8080"), (b"content-length", str(len(req.body)).encode())]
    if req.content_type is not None:
        headers.append((b"content-type", req.content_type.encode("latin-1")))
    if req.signature is not None:
        headers.append((b"x-twilio-signature", req.signature.encode("utf-8")))
    pieces = [req.body[i : i + req.chunk] for i in range(0, len(req.body), req.chunk)] or [b""]
    if req.disconnect:
        pieces = pieces[:-1] if len(pieces) > 1 else [b""]
    incoming: list[dict[str, Any]] = [
        {"type": "http.request", "body": piece, "more_body": req.disconnect or i < len(pieces) - 1}
        for i, piece in enumerate(pieces)
    ]
    outgoing: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if incoming:
            return incoming.pop(0)
        await asyncio.sleep(0)
        return {"type": "http.disconnect"}

    async def send_(message: dict[str, Any]) -> None:
        outgoing.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": req.path,
        "raw_path": req.path.encode(),
        "query_string": req.query,
        "root_path": "",
        "headers": headers,
        "server": ("internal-host", 8080),
        "client": ("127.0.0.1", 50000),
    }
    await app(scope, receive, send_)  # an exception escaping here would be a 500 from uvicorn
    start = next(m for m in outgoing if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in outgoing if m["type"] == "http.response.body")
    return AsgiResponse(
        start["status"], {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]}, body
    )


def _last(params: list[tuple[str, str]], name: str) -> str:
    values = [v for k, v in params if k == name]
    return values[-1] if values else ""


async def _hanging_temporal() -> Client:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


async def _failing_temporal() -> Client:
    raise ConnectionRefusedError("Temporal is down")


# No Temporal, Temporal refusing connections, and Temporal hanging past the query budget.
WEBHOOK_APPS = {
    "no-temporal": create_app(SETTINGS, temporal=None, media_handler=None),
    "temporal-down": create_app(SETTINGS, temporal=_failing_temporal, media_handler=None),
    "temporal-hangs": create_app(
        SETTINGS, temporal=_hanging_temporal, media_handler=None, temporal_timeout_s=0.01
    ),
}


def assert_twiml(resp: AsgiResponse) -> ET.Element:
    assert resp.status == 200, resp.text
    assert resp.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(resp.body)  # well-formed XML, whatever the params held
    assert root.tag == "Response"
    return root


@HTTP
@given(req=webhook_requests(), app_name=st.sampled_from(sorted(WEBHOOK_APPS)))
async def test_webhooks_answer_authentic_requests_by_their_content_and_refuse_the_rest(
    req: WebhookRequest, app_name: str
) -> None:
    resp = await send(WEBHOOK_APPS[app_name], req)
    event(f"{req.path} {resp.status}")  # `pytest --hypothesis-show-statistics` shows the mix
    assert resp.status < 500, (req.kind, resp.status, resp.text)
    if req.kind == "signed":
        assert authentic(req)  # the generator's honest requests are what Twilio sends
    if not authentic(req):
        # Unsigned, forged, replayed on another body or path, or not a small form: 403, no TwiML.
        assert resp.status == 403, (req.kind, resp.status, resp.text)
        assert resp.headers["content-type"].startswith("text/plain") and "<Response" not in resp.text
        return
    params = parse_qsl(req.body.decode(), keep_blank_values=True)
    good_sid = bool(SID_SHAPE.fullmatch(_last(params, "CallSid")))
    if req.path == "/twilio/voice":
        if not good_sid:
            assert resp.status == 400 and "<Response" not in resp.text
            return
        stream = assert_twiml(resp).find("Connect/Stream")
        assert stream is not None and stream.attrib["url"] == "wss://calls.example.com/twilio/media"
        sent = {p.attrib["name"]: p.attrib["value"] for p in stream.findall("Parameter")}
        # One token: the numbers exactly as Twilio signed them, whatever they hold.
        assert list(sent) == ["token"]
        # Development (no TWILIO_ACCOUNT_SID configured): the token holds the webhook's account.
        binding = STREAM_TOKENS.verify(
            sent["token"], call_sid=_last(params, "CallSid"), account_sid=_last(params, "AccountSid")
        )
        assert (binding.caller, binding.called) == (_last(params, "From"), _last(params, "To"))
    elif req.path == "/twilio/status":
        assert resp.status == (204 if good_sid else 400)
    elif req.path == "/twilio/stream-status":
        assert resp.status == 204
    elif req.path == "/twilio/whisper":  # what the human hears: whatever the query held
        assert [c.tag for c in assert_twiml(resp)] == ["Say"]
    else:  # the fallback: TwiML, always — Twilio would drop the caller on anything else
        root = assert_twiml(resp)
        if good_sid and _last(params, "CallStatus") in FINAL_CALL_STATUSES:
            assert list(root) == []  # the caller is gone
        else:
            assert [c.tag for c in root] == ["Say", "Enqueue"] and root.findtext("Enqueue") == "tier2"


async def test_regression_voice_twiml_stays_well_formed_whatever_the_caller_id_holds() -> None:
    # Found by the fuzzer: a control character in `From` went into `<Parameter value>` raw, and
    # the TwiML was not XML at all (Twilio fails the call on a document it cannot parse).
    params = {"CallSid": "CA" + "1" * 32, "From": "+1415\x08555\x000101\x1b", "To": 'a\r\nb\t<&>"'}
    body = urlencode(params).encode()
    req = WebhookRequest("signed", "/twilio/voice", body, FORM, sign(PUBLIC + "/twilio/voice", params))
    stream = assert_twiml(await send(WEBHOOK_APPS["no-temporal"], req)).find("Connect/Stream")
    assert stream is not None
    sent = {p.attrib["name"]: p.attrib["value"] for p in stream.findall("Parameter")}
    binding = STREAM_TOKENS.verify(sent["token"], call_sid=params["CallSid"], account_sid=ACCOUNT_SID)
    assert (binding.caller, binding.called) == (params["From"], params["To"])  # carried intact


async def test_regression_a_call_sid_with_a_trailing_newline_is_not_sid_shaped() -> None:
    # Found by the fuzzer: `re.match("^CA[0-9a-f]{32}$")` also matches "CA…\n" (`$` allows a
    # final newline), so a forged SID passed as a real one and split the log lines it was in.
    params = {"CallSid": "CA" + "2" * 32 + "\n", "CallStatus": "completed"}
    for path, expected in [("/twilio/voice", 400), ("/twilio/status", 400), ("/twilio/fallback", 200)]:
        req = WebhookRequest("signed", path, urlencode(params).encode(), FORM, sign(PUBLIC + path, params))
        resp = await send(WEBHOOK_APPS["no-temporal"], req)
        assert resp.status == expected, path
        if path == "/twilio/fallback":  # not taken for a hung-up call: a person takes it
            assert [c.tag for c in assert_twiml(resp)] == ["Say", "Enqueue"]


@pytest.mark.parametrize("ticket", ["²", "①", "٣", "1²"])
async def test_regression_a_whisper_ticket_of_unicode_digits_is_ignored_not_a_500(ticket: str) -> None:
    # Found by the fuzzer: `"²".isdigit()` is true but int("²") raises: a 500 on a signed request.
    query = urlencode({"CallSid": "CA" + "1" * 32, "ticket": ticket}).encode()
    signature = sign(_url(PUBLIC, "/twilio/whisper", query), {})
    req = WebhookRequest("signed", "/twilio/whisper", b"", FORM, signature, query=query)
    root = assert_twiml(await send(WEBHOOK_APPS["temporal-down"], req))
    assert "Ticket" not in (root.findtext("Say") or "")


@pytest.mark.parametrize("path", WEBHOOKS)
async def test_regression_a_query_string_that_is_not_utf8_is_refused_not_a_500(path: str) -> None:
    # Found by the fuzzer: Starlette decodes the query string strictly while building
    # `request.url`, so a raw 0xff byte after `?` made the signature check raise (a 500).
    req = WebhookRequest("query-string", path, b"CallSid=CA" + b"1" * 32, FORM, "c2ln", query=b"\xff")
    assert (await send(WEBHOOK_APPS["no-temporal"], req)).status == 403


@pytest.mark.parametrize("path", WEBHOOKS)
async def test_regression_a_body_cut_off_by_a_disconnect_is_refused_not_a_500(path: str) -> None:
    # Found by the fuzzer: Starlette raises ClientDisconnect when the sender hangs up mid-body;
    # it escaped the handler ("Exception in ASGI application") as a 500.
    body = urlencode({"CallSid": "CA" + "1" * 32, "CallStatus": "completed"}).encode()
    req = WebhookRequest("cut-off", path, body, FORM, sign(PUBLIC + path, {}), chunk=10, disconnect=True)
    assert (await send(WEBHOOK_APPS["no-temporal"], req)).status == 403


# ================================================= 3. the media WebSocket, end to end

GOOD_STREAM = "MZ" + "c" * 32
MEDIA_URL_SIGNED = "wss://calls.example.com/twilio/media"  # what Twilio signs for the upgrade
GREETING = "Thanks for calling."
# 300 ms of μ-law silence: long enough that fuzzed streams hang up while the greeting is playing.
GREETING_AUDIO = b"\xff" * 2400
REPLY_AUDIO = b"\xff" * 320
SILENCE_FRAME = _b64(b"\xff" * 160)
STREAM_TOKENS = SETTINGS.stream_tokens()


def _start_frame(call_sid: str, stream_sid: str = OWN_STREAM, seq: int = 1) -> dict[str, Any]:
    return {
        "event": "start",
        "sequenceNumber": str(seq),
        "streamSid": stream_sid,
        "start": {
            "accountSid": ACCOUNT_SID,
            "streamSid": stream_sid,
            "callSid": call_sid,
            "tracks": ["inbound"],
            # The token `POST /twilio/voice` would have issued: the stream is this call's.
            "customParameters": {
                "token": STREAM_TOKENS.issue(
                    call_sid, "+14155550101", "+18005550100", webhook_account_sid=ACCOUNT_SID
                )
            },
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        },
    }


class FakeHandle:
    """One call's workflow, as far as the session can tell: it records every signal in order."""

    def __init__(self, workflow_id: str, received: list[Any]) -> None:
        self.id = workflow_id
        self.received = received

    async def signal(self, _signal: Any, arg: Any) -> None:
        self.received.append(arg)


@dataclass
class FakeTemporal:
    """The Temporal client the session starts workflows with; what each call's workflow was sent."""

    signals: dict[str, list[Any]] = field(default_factory=dict)

    async def start_workflow(self, _run: Any, arg: Any, *, id: str, **_: Any) -> FakeHandle:
        return FakeHandle(id, self.signals.setdefault(arg.call_sid, []))


class CountingStt(SpeechToText):
    """A recognizer that hears nothing (so noise never becomes a turn) and counts what it is fed."""

    name = "fake-stt"

    def open(self) -> SttSession:
        return _SilentSession()


class _SilentSession(SttSession):
    def push(self, ulaw: bytes, speech: bool) -> None:
        pass

    def speculate(self) -> None:
        pass

    async def interim(self) -> str:
        return ""

    async def finalize(self) -> Transcript:
        return Transcript(text="", confidence=0.0, audio_ms=0.0, decode_ms=0.0)

    def discard(self) -> None:
        pass


class SilenceTts(TextToSpeech):
    name = "fake-tts"

    async def stream(self, text: str, *, slow: bool = False) -> AsyncIterator[bytes]:
        yield REPLY_AUDIO

    def cached(self, text: str) -> bytes | None:
        return GREETING_AUDIO if text == GREETING else None


class KeypadBrain(Brain):
    """Answers keys with "You pressed N."; speech never reaches it (the recognizer hears nothing)."""

    def greeting(self) -> str:
        return GREETING

    async def respond(self, said: CallerInput) -> AsyncIterator[BrainEvent]:
        yield Say(f"You pressed {said.text}.")
        yield TurnDone(intent=None, confidence=1.0)


class TrackedHandler:
    """The real media handler, recording how each stream's handling ended (None: it returned)."""

    def __init__(self, inner: MediaStreamHandler) -> None:
        self.inner = inner
        self.outcomes: list[BaseException | None] = []

    async def __call__(self, websocket: WebSocket) -> None:
        try:
            await self.inner(websocket)
        except Exception as e:
            self.outcomes.append(e)
            raise
        self.outcomes.append(None)


class Errors(logging.Handler):
    """ERROR records of the app and the session: a failed handler, a lost signal."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Wire:
    base: str
    temporal: FakeTemporal
    handler: TrackedHandler
    errors: Errors


@pytest.fixture(scope="module")
async def wire() -> AsyncIterator[Wire]:
    """The app with the real realtime session behind `WS /twilio/media`, on a loopback port."""
    temporal = FakeTemporal()
    services = Services(
        client=cast(Client, temporal),
        settings=SETTINGS,
        stt=CountingStt(),
        tts=SilenceTts(),
        make_brain=lambda _ctx: KeypadBrain(),
        config=SessionConfig(start_timeout_s=5, silence_prompt_s=600, silence_goodbye_s=600),
        greeting=GREETING,
    )
    handler = TrackedHandler(MediaStreamHandler(services))
    app = create_app(SETTINGS, temporal=None, media_handler=handler)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="critical", lifespan="off", ws_max_size=2**20
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    errors = Errors()
    loggers = [logging.getLogger(name) for name in ("api.app", "callengine.session")]
    for logger in loggers:
        logger.addHandler(errors)
    try:
        yield Wire(f"ws://127.0.0.1:{port}", temporal, handler, errors)
    finally:
        for logger in loggers:
            logger.removeHandler(errors)
        server.should_exit = True
        await task


def connect(wire: Wire) -> websockets.asyncio.client.connect:
    signature = sign(MEDIA_URL_SIGNED, {})
    return websockets.connect(
        wire.base + "/twilio/media", additional_headers={"X-Twilio-Signature": signature}
    )


async def until(condition: Any, within_s: float = 5.0) -> None:
    async with asyncio.timeout(within_s):
        while not condition():
            await asyncio.sleep(0.005)


def transcript(signals: list[Any]) -> list[tuple[str, str]]:
    """A call as its workflow recorded it, (who, what) in order, however the turns were batched.

    Duck-typed over the signal models (`TurnSignal`, a batch of them, `DtmfSignal`,
    `EndedSignal`): how the session groups its signals is its own business.
    """
    said: list[tuple[str, str]] = []
    for signal in signals:
        for item in getattr(signal, "turns", [signal]):
            if hasattr(item, "digits"):
                said.append(("keys", item.digits))
            elif hasattr(item, "speaker"):
                said.append(("keys" if item.source == "dtmf" else item.speaker, item.text))
            else:
                said.append(("ended", item.reason))
    return said


@dataclass
class GoodCall:
    """What a well-behaved caller on the same server saw."""

    call_sid: str
    received: list[dict[str, Any]] = field(default_factory=list)
    frames_sent: int = 0
    close_code: int | None = None


_good_calls = itertools.count(1)


async def good_call(wire: Wire, greeted: asyncio.Event, others_done: asyncio.Event) -> GoodCall:
    """A call as Twilio places it: 20 ms of audio every 20 ms, marks echoed, a key, a hang-up."""
    call = GoodCall("CA" + "f" * 16 + f"{next(_good_calls):016x}")  # fuzzed starts never use f…f
    seq = itertools.count(1)
    marks: asyncio.Queue[str] = asyncio.Queue()
    talking = True
    async with connect(wire) as ws:

        async def send(frame: dict[str, Any]) -> None:
            await ws.send(dumps({**frame, "sequenceNumber": str(next(seq)), "streamSid": GOOD_STREAM}))

        async def listen() -> None:
            async for raw in ws:
                frame = json.loads(raw)
                call.received.append(frame)
                if frame["event"] == "mark":  # played at once: nothing buffers on this side
                    await send({"event": "mark", "mark": frame["mark"]})
                    marks.put_nowait(frame["mark"]["name"])

        async def talk() -> None:
            for chunk in itertools.count(1):
                if not talking:
                    return
                media = {
                    "track": "inbound",
                    "chunk": str(chunk),
                    "timestamp": str(chunk * 20),
                    "payload": SILENCE_FRAME,
                }
                await send({"event": "media", "media": media})
                call.frames_sent += 1
                await asyncio.sleep(0.02)

        await ws.send(dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await ws.send(dumps(_start_frame(call.call_sid, GOOD_STREAM, next(seq))))
        listener, talker = asyncio.create_task(listen()), asyncio.create_task(talk())
        try:
            await asyncio.wait_for(marks.get(), 5)  # the greeting played in full
            greeted.set()
            await others_done.wait()
            await send({"event": "dtmf", "dtmf": {"track": "inbound_track", "digit": "4"}})
            await send({"event": "dtmf", "dtmf": {"track": "inbound_track", "digit": "#"}})
            # The reply played in full. Its mark was echoed before `stop` is sent (below), and the
            # session reads frames in order: it knows the reply was heard before it hears `stop`.
            await asyncio.wait_for(marks.get(), 5)
            talking = False
            await talker
            await send({"event": "stop", "stop": {"accountSid": ACCOUNT_SID, "callSid": call.call_sid}})
            await asyncio.wait_for(listener, 5)  # the session closes the stream after `stop`
        finally:
            talking = False
            listener.cancel()
            talker.cancel()
    call.close_code = ws.close_code
    return call


async def fuzzed_stream(wire: Wire, frames: list[str | bytes]) -> int | None:
    """Send the frames, stop early if the server closes the stream, hang up; the close code."""
    async with connect(wire) as ws:
        for frame in frames:
            try:
                await ws.send(frame)
            except websockets.ConnectionClosed:
                break
    return ws.close_code


@st.composite
def fuzzed_streams(draw: st.DrawFn) -> list[str | bytes]:
    frames: list[str | bytes] = []
    if draw(st.booleans()):  # a proper opening, so the garbage reaches a running call
        frames += [dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"})]
        frames += [
            dumps(_start_frame("CA" + "0" * 28 + draw(st.text("0123456789abcd", min_size=4, max_size=4))))
        ]
    # Its own stream, another one, or the good call's stream (a confused or forged sender).
    ours = twilio_frames(st.sampled_from([OWN_STREAM, OWN_STREAM, OTHER_STREAM, GOOD_STREAM])).map(dumps)
    frames += draw(st.lists(ours | raw_frames, max_size=20))
    return frames


@WIRE
@given(streams=st.lists(fuzzed_streams(), min_size=1, max_size=3))
async def test_fuzzed_media_streams_end_cleanly_and_leave_a_concurrent_call_unaffected(
    wire: Wire, streams: list[list[str | bytes]]
) -> None:
    finished, errors = len(wire.handler.outcomes), len(wire.errors.records)
    greeted, others_done = asyncio.Event(), asyncio.Event()
    good = asyncio.create_task(good_call(wire, greeted, others_done))
    await asyncio.wait_for(greeted.wait(), 5)

    codes = await asyncio.gather(*(fuzzed_stream(wire, frames) for frames in streams))
    # Each fuzzed stream's handling ended (returned, or found its peer gone), nothing was logged
    # as an error, and every socket closed normally: 1000, never 1011.
    await until(lambda: len(wire.handler.outcomes) >= finished + len(streams))
    outcomes = wire.handler.outcomes[finished:]
    event(f"fuzzed handlers ended: {sorted('raised' if o else 'returned' for o in outcomes)}")
    assert all(o is None for o in outcomes), outcomes
    assert [r.getMessage() for r in wire.errors.records[errors:]] == []
    assert codes == [1000] * len(streams)

    others_done.set()
    call = await asyncio.wait_for(good, 10)
    assert wire.handler.outcomes[-1] is None and call.close_code == 1000
    # It heard only its own stream: audio and marks for its streamSid, never a `clear`.
    assert {f["streamSid"] for f in call.received} == {GOOD_STREAM}
    assert {f["event"] for f in call.received} == {"media", "mark"}
    # Its workflow got exactly its own call: greeting, the key, the reply as heard, the hang-up,
    # and every audio frame it sent reached its recognizer (usage counts 20 ms per frame).
    signals = wire.temporal.signals[call.call_sid]
    assert transcript(signals) == [
        ("agent", GREETING),
        ("keys", "4"),
        ("agent", "You pressed 4."),
        ("ended", "caller_hangup"),
    ]
    ended = signals[-1]
    assert isinstance(ended, EndedSignal) and ended.usage is not None
    assert ended.usage.stt_seconds == round(call.frames_sent * 0.02, 1)


async def _run_media_handler(handler: Any, query: bytes = b"") -> list[dict[str, Any]]:
    """`WS /twilio/media` over raw ASGI, signed; the caller's side is gone once the handler accepts."""
    app = create_app(SETTINGS, temporal=None, media_handler=handler)
    incoming = [{"type": "websocket.connect"}, {"type": "websocket.disconnect", "code": 1006}]
    outgoing: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "websocket.disconnect", "code": 1006}

    async def send_(message: dict[str, Any]) -> None:
        if message["type"] == "websocket.send":
            raise OSError("the peer closed the connection")  # what uvicorn's ClientDisconnected is
        outgoing.append(message)

    signature = sign(MEDIA_URL_SIGNED, {})
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": "/twilio/media",
        "raw_path": b"/twilio/media",
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"internal-host:8080"), (b"x-twilio-signature", signature.encode())],
        "server": ("internal-host", 8080),
        "client": ("127.0.0.1", 50000),
        "subprotocols": [],
    }
    await app(scope, receive, send_)
    return outgoing


async def test_regression_a_hang_up_while_the_agent_speaks_is_not_a_handler_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Found by the fuzzer: a stream closed by the caller's side while the session's speaker was
    # sending made the send raise WebSocketDisconnect out of the call's TaskGroup, and the app
    # logged "the media handler failed" with a traceback and tried to close with 1011.
    async def speaking(websocket: WebSocket) -> None:
        await websocket.accept()
        async with asyncio.TaskGroup() as tg:
            tg.create_task(websocket.send_text(dumps({"event": "media"})))

    async def broken(websocket: WebSocket) -> None:
        await websocket.accept()
        async with asyncio.TaskGroup() as tg:
            tg.create_task(asyncio.sleep(0))
            raise RuntimeError("a real bug")

    with caplog.at_level(logging.INFO, logger="api.app"):
        sent = await _run_media_handler(speaking)
    assert "the stream closed while the media handler was sending" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [m["type"] for m in sent] == ["websocket.accept"]  # no 1011 close: nobody to send it to

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="api.app"):
        sent = await _run_media_handler(broken)
    assert "the media handler failed" in caplog.text  # a real failure is still one
    assert sent[-1] == {"type": "websocket.close", "code": 1011, "reason": ""}


# ============================================== 4. schemathesis against the OpenAPI document

# Deterministic: a fixed seed and no example database. Every operation gets its explicit
# examples, the coverage phase (boundary and schema-violating values) and a fuzzing budget.
SCHEMATHESIS = {
    "seed": 20261120,
    "generation": {"max-examples": 80, "database": "none", "mode": "all"},
}


class TwilioSignature:
    """schemathesis auth: sign each request as Twilio does (PROTOCOLS.md §2), over what is sent.

    The signature covers the public URL and the form params as the app will parse them, so it
    is computed from the serialized body of the very case being sent, after it was generated.
    """

    def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> str:
        return TOKEN

    def set(self, case: schemathesis.Case, token: str, ctx: schemathesis.AuthContext) -> None:
        kwargs = case.as_transport_kwargs(base_url=INTERNAL)
        prepared = requests.Request(
            kwargs["method"], kwargs["url"], data=kwargs.get("data"), params=kwargs.get("params")
        ).prepare()
        body = prepared.body or b""
        raw = body if isinstance(body, bytes) else body.encode()
        try:
            params = parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            return  # not a form Twilio could have sent: left unsigned
        query = httpx.URL(prepared.url or "").query.decode()
        url = PUBLIC + case.formatted_path + (f"?{query}" if query else "")
        case.headers = {**(case.headers or {}), "X-Twilio-Signature": sign(url, params, token)}


# The schema is read from the app itself, served at the path the flag turns on. (Loaded at import:
# schemathesis' lazy `from_fixture` does not run under pytest 9.)
OPENAPI_APP = create_app(
    SETTINGS, temporal=_failing_temporal, media_handler=None, openapi_url="/openapi.json"
)
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", OPENAPI_APP, config=schemathesis.Config.from_dict(SCHEMATHESIS)
)
schema.auth()(TwilioSignature)


@schema.parametrize()
def test_the_api_conforms_to_its_openapi_document_and_never_answers_5xx(case: schemathesis.Case) -> None:
    response = case.call_and_validate()  # not_a_server_error, conformance, ignored_auth, ...
    event(f"{case.method} {case.path} {response.status_code}")
    if case.path.startswith("/twilio/") and case.meta is not None:
        if case.meta.generation.mode == schemathesis.GenerationMode.POSITIVE:
            # Valid for the schema and signed: the signature check let it through.
            assert response.status_code != 403, response.text


async def test_regression_an_upgrade_whose_query_string_is_not_utf8_is_refused_not_a_500() -> None:
    # The same strict decoding as for the webhooks (found there): the upgrade is refused (1008
    # before accepting, which the server turns into HTTP 403) instead of raising.
    handled: list[WebSocket] = []

    async def handler(websocket: WebSocket) -> None:
        handled.append(websocket)

    sent = await _run_media_handler(handler, query=b"\xff")
    assert sent == [{"type": "websocket.close", "code": 1008, "reason": ""}] and handled == []


async def test_a_frame_over_the_servers_size_limit_closes_only_that_stream(wire: Wire) -> None:
    # ws_max_size (1 MiB, as `callengine serve` runs): the server closes with 1009 and the
    # session ends as a protocol error (no phone line sends one), without an error logged.
    finished, errors = len(wire.handler.outcomes), len(wire.errors.records)
    async with connect(wire) as ws:
        await ws.send(dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await ws.send(dumps(_start_frame("CA" + "0" * 31 + "9")))
        assert json.loads(await ws.recv())["event"] == "media"  # the call is up: the greeting plays
        await until(lambda: "CA" + "0" * 31 + "9" in wire.temporal.signals)
        await ws.send("x" * (2**20 + 1))
        with pytest.raises(websockets.ConnectionClosedError):
            while True:
                await ws.recv()
    assert ws.close_code == 1009
    await until(lambda: len(wire.handler.outcomes) > finished)
    assert all(o is None for o in wire.handler.outcomes[finished:])
    assert [r.getMessage() for r in wire.errors.records[errors:]] == []
    ended = wire.temporal.signals["CA" + "0" * 31 + "9"][-1]
    assert isinstance(ended, EndedSignal) and ended.reason == "protocol_error"
