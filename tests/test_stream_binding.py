"""Riding a live call (issue 14, attack 1), performed against the real engine.

The attacker holds what a network capture gives: a valid upgrade signature (it covers only the
fixed `wss://…/twilio/media` URL, so one replays forever) and the frames of a real call's stream.
The engine is the real API and realtime session on a loopback port, with a real worker, the
Temporal dev server and the sandbox. A stream may speak for a call only with the token that call's
signed webhook issued (callengine/stream_token.py), and only once.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import websockets
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from callengine import caller_voice as voices
from callengine.calls import Call, new_call_sid
from callengine.phone import PhoneCall
from callengine.stream_token import PARAMETER, StreamTokens, derive_secret
from tests.conftest import MARIA, OUR_NUMBER, Engine
from workflows.types import CallInput

FOREIGN_ACCOUNT = "AC" + "1" * 32


def start_frame(
    call_sid: str, parameters: dict[str, str], account_sid: str = "AC" + "0" * 32
) -> dict[str, Any]:
    stream_sid = "MZ" + new_call_sid()[2:]
    return {
        "event": "start",
        "sequenceNumber": "1",
        "streamSid": stream_sid,
        "start": {
            "accountSid": account_sid,
            "streamSid": stream_sid,
            "callSid": call_sid,
            "tracks": ["inbound"],
            "customParameters": parameters,
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        },
    }


async def ride(engine: Engine, start: dict[str, Any], listen_s: float = 2.0) -> tuple[list[str], int | None]:
    """Open a stream with a replayed upgrade signature, send `start` and silence; what came back.

    Returns:
        The events the engine sent, and the close code (None: still open after `listen_s`).
    """
    stream_url = engine.url.replace("http://", "ws://") + "/twilio/media"
    signature = PhoneCall(engine.url, engine.settings.twilio_auth_token, caller="+1")._sign(stream_url, {})
    received: list[str] = []
    async with websockets.connect(stream_url, additional_headers={"X-Twilio-Signature": signature}) as ws:
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await ws.send(json.dumps(start))
        sid = start["streamSid"]
        media = {"track": "inbound", "chunk": "1", "timestamp": "20", "payload": "/" * 212 + "w=="}
        deadline = time.monotonic() + listen_s
        try:
            for seq in range(2, 10_000):
                await ws.send(
                    json.dumps(
                        {"event": "media", "sequenceNumber": str(seq), "streamSid": sid, "media": media}
                    )
                )
                try:
                    received.append(json.loads(await asyncio.wait_for(ws.recv(), 0.02))["event"])
                except TimeoutError:
                    pass
                if time.monotonic() > deadline:
                    return received, None
        except websockets.ConnectionClosed:
            pass
    return received, ws.close_code


async def never_started(client: Client, call_sid: str) -> bool:
    try:
        await client.get_workflow_handle(f"call-{call_sid}").describe()
    except RPCError as e:
        return e.status == RPCStatusCode.NOT_FOUND
    return False


async def started_input(client: Client, call_sid: str) -> CallInput:
    """The CallInput the call's workflow was started with, decoded as the worker sees it."""
    history = await client.get_workflow_handle(f"call-{call_sid}").fetch_history()
    attrs = history.events[0].workflow_execution_started_event_attributes
    [inp] = await client.data_converter.decode(attrs.input.payloads, [CallInput])
    assert isinstance(inp, CallInput)
    return inp


def mint(engine: Engine, call_sid: str, caller: str, called: str, **kw: Any) -> str:
    """A token made with the engine's own key, as its webhook would (for the call's own account)."""
    s = engine.settings
    ours = s.twilio_account_sid if s.twilio_account_sid_configured else None
    tokens = StreamTokens(derive_secret(s.stream_token_secret, s.twilio_auth_token), ours, **kw)
    return tokens.issue(call_sid, caller, called, webhook_account_sid=s.twilio_account_sid)


async def test_a_replayed_start_for_a_live_call_gets_no_audio_and_the_call_goes_on(
    engine: Engine, temporal_client: Client
) -> None:
    phone = engine.phone(MARIA["phone"])
    await phone.dial()
    await phone.wait_agent_done(since=0)
    # The capture: the live call's own `start`, token and all, on a second socket.
    replay = start_frame(phone.call_sid, dict(phone.parameters))
    received, code = await ride(engine, replay)
    assert received == [] and code == 1008
    # The real call did not notice: it goes on, and its workflow heard from one stream only.
    await phone.say(voices.say("Hi, where is my order?", tail_ms=100))
    spoke_at = phone._now()
    end = await phone.wait_agent_done(since=spoke_at, quiet_s=1.5)
    assert "zip" in engine.transcribe(phone.agent_audio_between(spoke_at, end + 0.1)).lower()
    call = Call.attach(temporal_client, phone.call_sid)
    state = await call.state()
    assert not state.ended
    greetings = [t for t in state.turns if t.speaker == "agent" and "help" in t.text.lower()]
    assert len(greetings) == 1, state.turns
    await phone.hang_up()
    result = await asyncio.wait_for(call.result(), 30)
    assert result.outcome in ("abandoned", "dropped", "ticketed"), result
    assert (await call.handle.describe()).status == WorkflowExecutionStatus.COMPLETED


async def test_a_made_up_call_sid_with_the_victims_number_gets_no_audio_and_starts_no_workflow(
    engine: Engine, temporal_client: Client
) -> None:
    sid = new_call_sid()
    received, code = await ride(engine, start_frame(sid, {"caller": MARIA["phone"], "called": OUR_NUMBER}))
    assert received == [] and code == 1008
    assert await never_started(temporal_client, sid)


async def test_a_token_for_one_call_is_refused_on_another(engine: Engine, temporal_client: Client) -> None:
    token = mint(engine, new_call_sid(), MARIA["phone"], OUR_NUMBER)  # call A's
    sid = new_call_sid()  # call B
    received, code = await ride(engine, start_frame(sid, {PARAMETER: token, "caller": MARIA["phone"]}))
    assert received == [] and code == 1008
    assert await never_started(temporal_client, sid)


async def test_an_expired_token_is_refused(engine: Engine, temporal_client: Client) -> None:
    sid = new_call_sid()
    stale = mint(engine, sid, MARIA["phone"], OUR_NUMBER, clock=lambda: time.time() - 600)
    received, code = await ride(engine, start_frame(sid, {PARAMETER: stale}))
    assert received == [] and code == 1008
    assert await never_started(temporal_client, sid)


async def test_a_foreign_account_sid_is_refused(engine: Engine, temporal_client: Client) -> None:
    sid = new_call_sid()
    token = mint(engine, sid, MARIA["phone"], OUR_NUMBER)
    received, code = await ride(engine, start_frame(sid, {PARAMETER: token}, account_sid=FOREIGN_ACCOUNT))
    assert received == [] and code == 1008
    assert await never_started(temporal_client, sid)


async def test_caller_id_comes_from_the_token_not_the_unsigned_parameters(
    engine: Engine, temporal_client: Client
) -> None:
    # A genuine token for a number on no account; a `caller` parameter beside it names the victim.
    sid = new_call_sid()
    token = mint(engine, sid, "+14155550199", OUR_NUMBER)
    received, _ = await ride(engine, start_frame(sid, {PARAMETER: token, "caller": MARIA["phone"]}), 1.0)
    assert "media" in received  # admitted: the token is valid for this call
    call = Call.attach(temporal_client, sid)
    # The workflow's caller ID is the token's (the state only shows it masked, so read the input).
    assert (await started_input(temporal_client, sid)).caller_number == "+14155550199"
    await asyncio.wait_for(call.result(), 30)  # the socket closed: the call wraps up
