"""Asking before guessing: "is this about an order?" when a request leans to one but was not placed.

A caller who describes rather than names ("I got a few bits from you a fortnight ago and nothing's
landed yet") may be understood by no cue and only half by meaning (`senses.guess_of`). A person
asks; so does the agent — once per request, with its best guess — instead of opening a ticket for
a request it never understood. "Yes" takes that road with everything said up front; "no" turns the
road down and whatever the caller says instead is the request; a plain "no" leaves the caller's
own words for a ticket.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from realtime.brain import repair, slots
from realtime.brain.base import CallerInput
from realtime.brain.intents import ACCOUNT, ORDER_STATUS, REFUND, RESCHEDULE
from realtime.brain.offline import lines, step
from realtime.brain.offline.agent import Agent, Flow
from realtime.brain.offline.step import Ask

_ABOUT = {
    ORDER_STATUS: "an order you're waiting for",
    ACCOUNT: "your account balance",
    RESCHEDULE: "changing an appointment",
    REFUND: "a refund",
}
_YES_IN_FRONT = re.compile(
    r"^\s*(?:(?:yes|yeah|yep|yup|sure|correct|right|aye|exactly|uh huh|mm hmm)\b[\s,.;:!-]*)+(?:and\b\s*)?",
    re.IGNORECASE,
)
# An answer this long that is neither yes nor no is the request said again, in other words.
_REDESCRIBED_WORDS = 4


def question(guess: str) -> str:
    """The question for `guess` (one of the account requests `can_ask` allows)."""
    return f"Just so I get it right: is this about {_ABOUT[guess]}?"


def can_ask(guess: str | None) -> bool:
    """Whether the agent knows how to ask about `guess`."""
    return guess in _ABOUT


def check(
    agent: Agent,
    guess: str,
    take: Callable[[], Flow],
    instead: Callable[[str], Flow],
    unplaced: Callable[[], Flow],
) -> Flow:
    """Ask whether the request is `guess`.

    Args:
        agent: The call.
        guess: The account request the turn leans to (a key of `_ABOUT`).
        take: The request is `guess`: its flow, with what the caller said up front.
        instead: The caller said no and what it is instead (their words).
        unplaced: A plain no: the request stays unplaced (a ticket with the caller's words).
    """
    agent.d.checked = guess
    asked = question(guess)

    def extract(said: CallerInput) -> str | None:
        if slots.yes_no(said.text) is not None or len(said.text.split()) >= _REDESCRIBED_WORDS:
            return said.text
        return None

    async def then(answer: str) -> Flow:
        if slots.yes_no(answer) is True:
            rest = _YES_IN_FRONT.sub("", answer, count=1).strip()
            # "Aye, that's it" (heard as "I, that's it") is a yes said twice, not a new request.
            if len(rest.split()) >= 3 and slots.yes_no(rest) is not True and not repair.closing(rest):
                # "Yes, and please send me a catalog": the caller's own words say what it is.
                async for ev in instead(rest):
                    yield ev
                return
            agent.understood()
            async for ev in take():
                yield ev
            return
        agent.d.rejected.add(guess)
        rest = slots.after_no(answer)
        source = instead(rest) if len(rest.split()) >= 3 else unplaced()
        async for ev in source:
            yield ev

    return step.ask(
        agent,
        Ask(
            name="topic",
            question=asked,
            retry=f"{lines.NEED_YES_NO} {asked}",
            other_way=lines.yes_no_keypad(asked),
            extract=extract,
            then=then,
            keyed=step.yes_no_keys,
            by_keypad=lines.keypad_yes_no(asked),
        ),
    )
