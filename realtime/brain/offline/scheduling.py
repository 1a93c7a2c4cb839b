"""Rescheduling: the booked appointment, three open times, the caller's pick, confirmed, then moved."""

from __future__ import annotations

import re
from datetime import datetime

from realtime.brain import slots, speak
from realtime.brain.base import CallerInput, Say
from realtime.brain.offline import lines, step
from realtime.brain.offline.agent import Agent, Flow
from realtime.brain.offline.step import YES, Ask

# Appointment statuses that are over or off: anything else a scheduling system says is still on.
_CLOSED = re.compile(r"cancel|complet|done|finish|no.?show|missed|past|closed|fulfil", re.IGNORECASE)
# Stands for "none of these times" among extracted values: never an ISO timestamp.
_NONE = "\x00none"


async def reschedule_flow(agent: Agent) -> Flow:
    """Find the caller's upcoming appointment and offer times to move it to."""
    res = await agent.tool("list_appointments", {})
    yield agent.last
    if not res.ok:
        async for ev in agent.tool_failed(res, "scheduling"):
            yield ev
        return
    upcoming = [a for a in res.data.get("appointments", []) if not _CLOSED.search(str(a.get("status", "")))]
    if not upcoming:
        async for ev in agent.anything_else(lines.NO_APPOINTMENT):
            yield ev
        return
    agent.d.appointment = upcoming[0]
    async for ev in _offer_slots(agent):
        yield ev


def _service(agent: Agent) -> str:
    return str((agent.d.appointment or {}).get("service", "appointment")).replace("_", " ")


def _options(agent: Agent) -> list[str]:
    return [speak.say_slot(datetime.fromisoformat(s)) for s in agent.d.slots]


def _slot_list(agent: Agent) -> str:
    said = _options(agent)
    return said[0] if len(said) == 1 else ", ".join(said[:-1]) + f", or {said[-1]}"


async def _offer_slots(agent: Agent, line: str | None = None) -> Flow:
    d = agent.d
    appt = d.appointment or {}
    appointment_id = str(appt.get("appointment_id", ""))
    res = await agent.tool("open_slots", {"appointment_id": appointment_id})
    yield agent.last
    if not res.ok:
        async for ev in agent.tool_failed(res, "scheduling"):
            yield ev
        return
    d.slots = [str(s) for s in res.data.get("starts_at", [])][:3]
    if not d.slots:
        ticket = await agent.ticket(
            f"Reschedule {_service(agent)} {appointment_id}",
            "Caller wants to reschedule; no open slots were available.",
            "normal",
        )
        yield agent.last
        async for ev in agent.anything_else(lines.no_slots(_service(agent), ticket)):
            yield ev
        return
    if line is None and appt.get("starts_at"):
        current = speak.say_slot(datetime.fromisoformat(str(appt["starts_at"])))
        yield Say(lines.appointment_now(_service(agent), current))
    async for ev in step.ask(agent, _slot_ask(agent), line or lines.slot_offer(_slot_list(agent))):
        yield ev


def _slot_ask(agent: Agent) -> Ask:
    d = agent.d

    def extract(said: CallerInput) -> str | None:
        options = [datetime.fromisoformat(s) for s in d.slots]
        idx = slots.match_time(said.text, options, agent.ctx.today)
        if idx is not None:
            return d.slots[idx]
        return _NONE if slots.yes_no(said.text) is False else None

    def keyed(keys: str) -> str | None:
        digits = re.sub(r"\D", "", keys)
        return d.slots[int(digits) - 1] if digits and 1 <= int(digits) <= len(d.slots) else None

    async def then(value: str) -> Flow:
        source = _none_suits(agent, value) if value == _NONE else _confirm_slot(agent, value)
        async for ev in source:
            yield ev

    return Ask(
        name="slot",
        question=lines.slot_offer(_slot_list(agent)),
        retry=lines.slot_retry(_slot_list(agent)),
        other_way=lines.slot_keypad(_options(agent)),
        extract=extract,
        then=then,
        keyed=keyed,
        by_keypad=lines.slot_keypad(_options(agent)),
    )


async def _none_suits(agent: Agent, said: str) -> Flow:
    d = agent.d
    ticket = await agent.ticket(
        "Reschedule: offered times did not suit",
        f"Offered {', '.join(d.slots)}; none suited the caller.",
        "normal",
    )
    yield agent.last
    async for ev in agent.anything_else(lines.no_slot_suits(ticket)):
        yield ev


async def _confirm_slot(agent: Agent, chosen: str) -> Flow:
    agent.d.chosen_slot = chosen
    when = speak.say_slot(datetime.fromisoformat(chosen))
    question = lines.slot_confirm(_service(agent), when)

    async def then(answer: str) -> Flow:
        if answer != YES:
            async for ev in step.ask(agent, _slot_ask(agent), lines.slot_reoffer(_slot_list(agent))):
                yield ev
            return
        async for ev in _move(agent):
            yield ev

    async for ev in step.ask(agent, step.yes_no_ask("slot_ok", question, then)):
        yield ev


async def _move(agent: Agent) -> Flow:
    d = agent.d
    appt = d.appointment or {}
    res = await agent.tool(
        "reschedule_appointment",
        {"appointment_id": str(appt.get("appointment_id", "")), "starts_at": d.chosen_slot or ""},
    )
    yield agent.last
    if res.ok:
        d.resolved = True
        when = speak.say_slot(datetime.fromisoformat(str(res.data["starts_at"])))
        service = str(res.data.get("service") or _service(agent)).replace("_", " ")
        async for ev in agent.anything_else(lines.rescheduled(service, when)):
            yield ev
    elif res.error_code == "rejected":
        yield Say(lines.SLOT_TAKEN)
        async for ev in _offer_slots(agent, line=None):
            yield ev
    else:
        async for ev in agent.tool_failed(res, "scheduling"):
            yield ev
