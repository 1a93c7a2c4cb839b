"""Record the workflow histories that tests/test_replay.py replays.

    .venv/bin/python -m tests.record_history [NAME ...]   (default: all)

Runs representative calls (verified order lookup + refund + ticket, an
escalation, a dropped call) through a real dev server, worker and sandbox,
and writes each history as JSON to tests/histories/. Re-record only on
purpose: a history recorded by the old code is what proves a change is safe
for calls already running. Payloads are encrypted with the fixed test keys of
tests/__init__.py (imported first), so the histories replay on any machine.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from callengine.calls import Call, new_call_sid
from callengine.devserver import DevServerConfig, temporal_binary
from callengine.network import PhoneNetwork
from callengine.settings import BackendSettings
from callengine.temporal import DATA_CONVERTER
from callengine.worker import running_worker
from tests.conftest import SandboxServer
from workflows.types import TurnSignal

OUT = Path(__file__).parent / "histories"


async def verified_call(call: Call) -> None:
    await call.turn("agent", "Thanks for calling. How can I help?")
    await call.turn("caller", "Where is my order? And I want a refund on the extender.")
    await call.tool("identify_customer", use_caller_id=True)
    await call.tool("verify_customer", zip="10001")
    await call.tool("verify_customer", zip="94103")
    await call.tool("lookup_order", order_id="10482")
    await call.tool("lookup_order", order_id="99999")
    await call.tool("check_refund", order_id="10561")
    await call.tool("issue_refund", order_id="10561", reason="Does not work")
    await call.tool("search_knowledge", query="router keeps disconnecting")
    await call.tool("create_ticket", subject="Router drops", description="Router drops every evening.")
    await call.dtmf("1")
    await call.turn("agent", "Done. Anything else?", intent="refund", confidence=0.9)
    await call.end("agent_hangup", resolved=True)


async def escalated_call(call: Call) -> None:
    await call.turn("caller", "This isn't working, let me talk to a manager")
    await call.tool("escalate", reason="caller_request")
    await call.end("transferred")


async def lost_stream_call(call: Call) -> None:
    # The realtime side's batched turns (one signal per exchange, numbered), then a lost stream.
    await call.record_many(
        [
            TurnSignal(speaker="agent", text="Thanks for calling. How can I help?", seq=1),
            TurnSignal(speaker="caller", text="I want a refund for order 10561.", seq=2),
        ]
    )
    await call.tool("identify_customer", use_caller_id=True)
    await call.tool("verify_customer", zip="94103")
    await call.record_many(
        [
            TurnSignal(speaker="agent", text="Thanks, Maria. Let me check that order.", seq=3),
            TurnSignal(speaker="caller", text="42", source="dtmf", seq=4),
        ]
    )
    await call.end("stream_lost")


async def carried_turns_call(call: Call) -> None:
    # One inactivity timer for the whole call, and turns riding in tool updates.
    greeting = TurnSignal(speaker="agent", text="Thanks for calling. How can I help?", seq=1)
    ask = TurnSignal(speaker="caller", text="What's my balance?", seq=2)
    await call.tool("identify_customer", turns=[greeting, ask], use_caller_id=True)
    zip_turns = [
        TurnSignal(speaker="agent", text="What's the billing ZIP code?", seq=3),
        TurnSignal(speaker="caller", text="94103", source="dtmf", seq=4),
    ]
    await call.tool("verify_customer", turns=zip_turns, zip="94103")
    await call.tool("get_account", turns=[TurnSignal(speaker="agent", text="Thanks.", seq=5)])
    await call.record_many(
        [
            TurnSignal(speaker="agent", text="Your balance is 42 dollars. Anything else?", seq=6),
            TurnSignal(speaker="caller", text="No, thanks.", seq=7),
        ]
    )
    await call.end("agent_hangup", resolved=True)


async def rest_transfer_call(call: Call) -> None:
    # Twilio REST: the workflow transfers the live call itself (the sandbox emulates Twilio).
    await call.turn("caller", "Let me talk to a person, please.")
    await call.tool("escalate", reason="caller_request")
    await call.end("transferred", phone_action="transfer")


async def unverified_tickets_call(call: Call) -> None:
    # A caller nobody verified asks for three tickets (recorded before the one-ticket limit:
    # its replay proves the limit's `workflow.patched` keeps such a call running).
    await call.turn("caller", "My internet is down, open a ticket")
    for n in ("one", "two", "three"):
        await call.tool(
            "create_ticket", subject=f"Internet down {n}", description="No internet.", priority="urgent"
        )
    await call.end("caller_hangup")


async def second_factor_call(call: Call) -> None:
    # Issue 14's gate (patch "identity-second-factor"): a said identifier, the ZIP and one more
    # factor, a failed check counted by the account's guard, a claim that names nobody.
    await call.turn("caller", "Hi, I'm calling about my account.")
    await call.tool("identify_customer", use_caller_id=True)
    await call.tool("identify_customer", email="nobody@nowhere.example")
    await call.tool("verify_customer", zip="94103", phone_last4="1234")
    await call.tool("identify_customer", email="maria@example.com")
    await call.tool("verify_customer", zip="94103")  # no second factor: refused, not counted
    await call.tool("verify_customer", zip="94103", account_name="Ingrid Okafor")
    await call.tool("verify_customer", zip="94103", phone_last4="0101")
    await call.tool("identify_customer", order_id="10483")  # someone else's: "no match"
    await call.tool("get_account")
    await call.end("agent_hangup", resolved=True)


async def main() -> None:
    cfg = DevServerConfig.load()
    env = await WorkflowEnvironment.start_local(
        data_converter=DATA_CONVERTER,
        dev_server_existing_path=temporal_binary(),
        search_attributes=cfg.search_attribute_keys(),
        dev_server_extra_args=cfg.dynamic_config_args(),
    )
    sandbox = SandboxServer()
    sandbox.start()
    try:
        async with running_worker(env.client, "calls-record", BackendSettings.for_sandbox(sandbox.url)):
            wanted = set(sys.argv[1:])
            for name, script, kw in [
                ("verified_refund_ticket", verified_call, {}),
                ("escalated", escalated_call, {}),
                ("dropped", None, {"inactivity_timeout_s": 1.0}),
                ("lost_stream", lost_stream_call, {}),
                ("rest_transfer", rest_transfer_call, {"human_queue": "+14155550199"}),
                ("carried_turns", carried_turns_call, {}),
                ("unverified_tickets", unverified_tickets_call, {}),
                ("second_factor", second_factor_call, {}),
            ]:
                if wanted and name not in wanted:
                    continue
                sid = new_call_sid()
                await PhoneNetwork(sandbox.url).place(sid, "+14155550101", "+18005550100")
                call = await Call.start(
                    env.client,
                    "calls-record",
                    call_sid=sid,
                    caller_number="+14155550101",
                    called_number="+18005550100",
                    **kw,
                )
                if script is not None:
                    await script(call)
                else:
                    await call.turn("caller", "hello?")
                await call.result()
                history = await call.handle.fetch_history()
                (OUT / f"{name}.json").write_text(json.dumps(json.loads(history.to_json()), indent=1) + "\n")
                print(f"wrote {OUT / (name + '.json')} ({len(history.events)} events)")
    finally:
        sandbox.stop()
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
