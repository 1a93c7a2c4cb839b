"""Twilio REST telephony: transfer and hang-up through the real `twilio` SDK against the
sandbox's Twilio emulator — as activities, inside a real CallWorkflow (retries after a lost
response), and in a real voice call whose phone line follows the REST redirect."""

from __future__ import annotations

import asyncio
import dataclasses
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.telephony import HangUpInput, TelephonyActivities, TransferInput, transfer_twiml
from callengine import caller_voice as voices
from callengine.calls import Call, new_call_sid
from callengine.network import PhoneNetwork
from callengine.phone import PhoneCall
from callengine.settings import BackendSettings
from realtime.stt.whisper import WhisperStt
from realtime.tts.piper import PiperTts
from tests.conftest import ADMIN, Sandbox, WorkerFactory, engine_settings, offline_services, running_engine

HUMAN = "+14155550199"
CALLER = "+14155550101"
OUR_NUMBER = "+18005550100"


def activities(sandbox: Sandbox, **overrides: Any) -> TelephonyActivities:
    base = dataclasses.replace(
        BackendSettings.for_sandbox(sandbox.url), api_public_url="https://agent.example"
    )
    return TelephonyActivities(None, dataclasses.replace(base, **overrides))


async def live_call(sandbox: Sandbox) -> tuple[str, PhoneNetwork]:
    network = PhoneNetwork(sandbox.url)
    sid = new_call_sid()
    await network.place(sid, CALLER, OUR_NUMBER)
    return sid, network


def test_transfer_twiml_dials_numbers_with_a_whisper_and_enqueues_queue_names() -> None:
    dial = ET.fromstring(transfer_twiml(HUMAN, "https://a.example/twilio/whisper?CallSid=CA1", OUR_NUMBER))
    number = dial.find("Dial/Number")
    assert number is not None and number.text == HUMAN
    assert number.get("url") == "https://a.example/twilio/whisper?CallSid=CA1"
    assert dial.find("Dial") is not None and dial.find("Dial").get("callerId") == OUR_NUMBER  # type: ignore[union-attr]
    sip = ET.fromstring(transfer_twiml("sip:desk@pbx.example", "https://w", None))
    assert sip.find("Dial/Sip") is not None
    queue = ET.fromstring(transfer_twiml("support", "https://w", None))
    assert queue.findtext("Enqueue") == "support"


async def test_transfer_is_idempotent_and_names_the_whisper(sandbox: Sandbox) -> None:
    sid, network = await live_call(sandbox)
    acts = activities(sandbox)
    first = await acts.transfer(TransferInput(call_sid=sid, target=HUMAN, caller_id=OUR_NUMBER, ticket_id=7))
    assert first.outcome == "transferred" and first.leg_sid
    again = await acts.transfer(TransferInput(call_sid=sid, target=HUMAN, caller_id=OUR_NUMBER, ticket_id=7))
    assert again.outcome == "already_transferred" and again.leg_sid == first.leg_sid
    seen = await network.inspect(sid)
    assert seen is not None
    assert len(seen["twiml"]) == 1 and len(seen["legs"]) == 1  # the human's phone rang once
    leg = seen["legs"][0]
    assert leg["to"] == HUMAN and leg["parent_call_sid"] == sid and leg["from"] == OUR_NUMBER
    assert leg["whisper_url"] == f"https://agent.example/twilio/whisper?CallSid={sid}&ticket=7"


async def test_hang_up_completes_the_call_and_an_ended_call_counts_as_done(sandbox: Sandbox) -> None:
    sid, network = await live_call(sandbox)
    acts = activities(sandbox)
    assert (await acts.hang_up(HangUpInput(call_sid=sid))).outcome == "hung_up"
    seen = await network.inspect(sid)
    assert seen is not None and seen["call"]["status"] == "completed"
    assert (await acts.hang_up(HangUpInput(call_sid=sid))).outcome == "caller_gone"  # Twilio 21220
    assert (await acts.transfer(TransferInput(call_sid=sid, target=HUMAN))).outcome == "caller_gone"
    unknown = new_call_sid()
    assert (await acts.hang_up(HangUpInput(call_sid=unknown))).outcome == "caller_gone"  # Twilio 20404
    assert (await acts.transfer(TransferInput(call_sid=unknown, target="support"))).outcome == "caller_gone"


async def test_twilio_errors_map_to_retry_semantics(sandbox: Sandbox) -> None:
    sid, _ = await live_call(sandbox)
    with pytest.raises(ApplicationError) as auth:
        await activities(sandbox, twilio_auth_token="wrong").hang_up(HangUpInput(call_sid=sid))
    assert auth.value.type == "BackendAuth" and auth.value.non_retryable
    await sandbox.fault(method="POST", path_prefix="/2010-04-01/Accounts", status=503)
    with pytest.raises(ApplicationError) as down:
        await activities(sandbox).hang_up(HangUpInput(call_sid=sid))
    assert down.value.type == "BackendUnavailable" and not down.value.non_retryable
    # Twilio itself cannot be reached at all: retryable too.
    with pytest.raises(ApplicationError) as gone:
        await activities(sandbox, twilio_base_url="http://127.0.0.1:9").hang_up(HangUpInput(call_sid=sid))
    assert gone.value.type == "BackendUnavailable"


async def test_workflow_transfers_once_even_when_the_response_is_lost(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    sid, network = await live_call(sandbox)
    async with worker() as tq:
        call = await Call.start(
            temporal_client,
            tq,
            call_sid=sid,
            caller_number=CALLER,
            called_number=OUR_NUMBER,
            human_queue=HUMAN,
        )
        escalated = await call.tool("escalate", reason="caller_request")
        assert escalated.ok
        # Twilio executes the redirect but the answer never reaches the worker: the activity retries.
        await sandbox.fault(
            method="POST",
            path_prefix=f"/2010-04-01/Accounts/AC{'0' * 32}/Calls/{sid}",
            status=502,
            after_commit=True,
        )
        await call.end("transferred", phone_action="transfer")
        result = await asyncio.wait_for(call.result(), 30)
        state = await call.state()
    assert result.outcome == "escalated"
    assert state.phone == "already_transferred"  # the retry looked before redirecting again
    seen = await network.inspect(sid)
    assert seen is not None and len(seen["twiml"]) == 1 and len(seen["legs"]) == 1
    assert f"ticket={escalated.data['ticket_id']}" in seen["legs"][0]["whisper_url"]
    posts = [r for r in await sandbox.requests("/2010-04-01") if r["method"] == "POST"]
    assert len(posts) == 1  # one redirect sent; the retry only read


async def test_workflow_hang_up_is_recorded_and_a_dead_twilio_is_survived(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox
) -> None:
    sid, network = await live_call(sandbox)
    async with worker() as tq:
        call = await Call.start(
            temporal_client, tq, call_sid=sid, caller_number=CALLER, called_number=OUR_NUMBER
        )
        await call.turn("caller", "What are your opening hours?")
        await call.end("agent_hangup", resolved=True, phone_action="hang_up")
        assert (await asyncio.wait_for(call.result(), 30)).outcome == "resolved"
        assert (await call.state()).phone == "hung_up"
    seen = await network.inspect(sid)
    assert seen is not None and seen["call"]["status"] == "completed"

    sid2, _ = await live_call(sandbox)
    async with worker(twilio_auth_token="revoked") as tq:
        call = await Call.start(
            temporal_client, tq, call_sid=sid2, caller_number=CALLER, called_number=OUR_NUMBER
        )
        await call.turn("caller", "What are your opening hours?")
        await call.end("agent_hangup", resolved=True, phone_action="hang_up")
        result = await asyncio.wait_for(call.result(), 30)
        assert result.outcome == "resolved"  # the call is wrapped up anyway
        assert (await call.state()).phone == "failed"  # and the session falls back to the stream path


async def test_a_voice_call_is_transferred_over_rest_with_a_whisper(
    temporal_client: Client, worker: WorkerFactory, sandbox: Sandbox, speech: tuple[WhisperStt, PiperTts]
) -> None:
    port_settings = engine_settings("unused", sandbox)
    # The worker's Twilio activity points the whisper at this engine's public URL.
    async with worker(api_public_url=port_settings.public_url) as tq:
        settings = dataclasses.replace(port_settings, task_queue=tq, telephony="rest", human_queue=HUMAN)
        async with running_engine(
            settings, offline_services(temporal_client, settings, speech), speech[0]
        ) as engine:
            network = PhoneNetwork(sandbox.url)
            phone = PhoneCall(engine.url, settings.twilio_auth_token, caller=CALLER, network=network)
            await phone.dial()
            await phone.wait_agent_done(since=0)
            await phone.say(voices.say("I want to talk to a real person, please.", tail_ms=100))
            await asyncio.wait_for(phone.closed.wait(), 30)  # Twilio stopped the stream after the redirect
            twiml = await phone.follow_action()
            call = Call.attach(temporal_client, phone.call_sid)
            result = await asyncio.wait_for(call.result(), 30)
            state = await call.state()
    root = ET.fromstring(twiml)
    assert root.findtext("Dial/Number") == HUMAN, twiml
    assert result.outcome == "escalated" and result.escalation_reason == "caller_request"
    assert state.phone == "transferred" and state.ended_reason == "transferred"
    assert phone.whisper_twiml is not None and "caller request" in phone.whisper_twiml.lower()
    assert f"Ticket {result.ticket_ids[0]}" in phone.whisper_twiml
    assert CALLER not in phone.whisper_twiml and "4155550101" not in phone.whisper_twiml
    # Twilio never asked the <Connect action> URL: the REST redirect replaced the TwiML.
    async with httpx.AsyncClient() as http:
        log = (await http.get(f"{sandbox.url}/_admin/requests", headers=ADMIN)).json()["requests"]
    assert any(r["path"].endswith(f"/Calls/{phone.call_sid}.json") and r["method"] == "POST" for r in log)
