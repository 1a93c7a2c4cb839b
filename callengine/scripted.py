"""A scripted call through the real workflow: identify, verify, look up an order, ticket, end.

Until the voice path exists this is what `make demo` runs. The caller's lines
are fixed; every agent line that states a fact is built from a tool result of
this call, the rule the real agent follows too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from temporalio.client import Client

from callengine.calls import Call, new_call_sid
from workflows import CallResult, ToolResult

Say = Callable[[str, str], None]


@dataclass(frozen=True)
class Persona:
    """Who the scripted caller is."""

    phone: str = "+14155550101"
    zip: str = "94103"
    order_id: str = "10482"


def spoken_digits(digits: str) -> str:
    """How a caller reads a number out: "1 0 4 8 2"."""
    return " ".join(digits)


def describe_order(data: dict[str, object]) -> str:
    """One short sentence from a lookup_order result."""
    status = str(data["status"]).replace("_", " ")
    line = f"Order {data['order_id']} is {status}"
    if data.get("carrier"):
        line += f" with {data['carrier']}"
    if data.get("eta") and data["status"] not in ("delivered", "cancelled", "refunded"):
        line += f", expected {data['eta']}"
    return line + "."


async def run_scripted_call(
    client: Client, task_queue: str, persona: Persona, say: Say, human_queue: str = "support"
) -> tuple[Call, CallResult]:
    """Play one call; `say(speaker, text)` shows each line as it happens."""
    call = await Call.start(
        client,
        task_queue,
        call_sid=new_call_sid(),
        caller_number=persona.phone,
        called_number="+18005550100",
        human_queue=human_queue,
    )

    async def caller(text: str, source: str = "speech") -> None:
        say("caller", text)
        await call.turn("caller", text, source=source)

    async def agent(text: str, intent: str | None = "order_status") -> None:
        say("agent", text)
        await call.turn("agent", text, intent=intent, confidence=0.95 if intent else None)

    async def tool(name: str, **args: Any) -> ToolResult:
        res = await call.tool(name, **args)
        say("tool", f"{name} → {'ok' if res.ok else res.error_code}")
        return res

    async def give_up(text: str) -> tuple[Call, CallResult]:
        await agent(text)
        await call.end("agent_hangup", resolved=False)
        return call, await call.result()

    await agent("Thanks for calling. How can I help?", intent=None)
    await caller("Hi, I'm calling about my order.")
    found = await tool("identify_customer", use_caller_id=True)
    if not (found.ok and found.data.get("found")):
        return await give_up("I couldn't find an account for this number, so I've noted your call. Goodbye.")
    await agent("I found an account for this number. To confirm it's you, what's your billing ZIP code?")
    await caller(spoken_digits(persona.zip))
    verified = await tool("verify_customer", zip=persona.zip)
    if not (verified.ok and verified.data.get("verified")):
        return await give_up("That ZIP code doesn't match, so I can't open the account. Goodbye.")
    await agent(f"Thanks, {verified.data['first_name']}. What's the order number?")
    await caller(spoken_digits(persona.order_id))
    await agent(f"That's {spoken_digits(persona.order_id)}, right?")
    await caller("Yes.")
    order = await tool("lookup_order", order_id=persona.order_id)
    if not order.ok:
        return await give_up(
            f"I couldn't look that order up: {order.message} I've noted it for follow-up. Goodbye."
        )
    await agent(describe_order(order.data) + " Anything else?")
    await caller("The tracking photo shows a damaged box. Can someone follow up?")
    ticket = await tool(
        "create_ticket",
        subject=f"Damaged box reported for order {persona.order_id}",
        description="Caller says the carrier's tracking photo shows a damaged box; asks for a follow-up.",
        priority="normal",
    )
    if ticket.ok:
        await agent(f"I've opened ticket {ticket.data['ticket_id']}; the team will follow up. Anything else?")
    else:
        await agent("I couldn't open a ticket just now; your call is noted for follow-up. Anything else?")
    await caller("No, that's all. Thanks!")
    await agent("Thanks for calling. Goodbye.")
    await call.end("agent_hangup", resolved=True)
    return call, await call.result()
