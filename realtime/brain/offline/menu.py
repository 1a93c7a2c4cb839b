"""The keypad menu: a request the line will not carry is chosen with a key.

On a bad line, or in a voice the recognizer hears poorly, a request asked for
again can come through as nonsense a second time. A person on the phone would
neither guess nor hand every such call to a colleague: they offer the choices.
So does the agent — once a call — each choice with a key, 0 for a person. The
caller presses a key, or says a word of it ("the appointment", "three").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from realtime.brain import slots
from realtime.brain.base import CallerInput
from realtime.brain.intents import ACCOUNT, HUMAN, ORDER_STATUS, REFUND, RESCHEDULE, TROUBLESHOOTING, classify
from realtime.brain.offline import lines, step
from realtime.brain.offline.agent import Agent, Flow
from realtime.brain.offline.step import Ask

# Key → request, in the order they are offered. What a caller may say for each, in a word.
CHOICES: tuple[tuple[str, str, str], ...] = (
    ("1", ORDER_STATUS, "an order"),
    ("2", REFUND, "a refund"),
    ("3", RESCHEDULE, "an appointment"),
    ("4", ACCOUNT, "your account balance"),
    ("5", TROUBLESHOOTING, "a technical problem"),
)
_KEYS = {key: intent for key, intent, _ in CHOICES} | {"0": HUMAN}
_WORDS = (
    (re.compile(r"\b(orders?|deliver(y|ies)|packages?|parcels?)\b", re.IGNORECASE), ORDER_STATUS),
    (re.compile(r"\brefunds?\b|\bmoney back\b", re.IGNORECASE), REFUND),
    (re.compile(r"\b(appointments?|visits?|bookings?|reschedul\w*)\b", re.IGNORECASE), RESCHEDULE),
    (re.compile(r"\b(account|balance|bill)\b", re.IGNORECASE), ACCOUNT),
    (re.compile(r"\b(technical|problem|fault|repair)\b", re.IGNORECASE), TROUBLESHOOTING),
    (re.compile(r"\b(person|human|agent|someone|somebody|operator)\b", re.IGNORECASE), HUMAN),
)
_OPTIONS = [(key, what) for key, _, what in CHOICES]
QUESTION = lines.keypad_menu(_OPTIONS)
RETRY = lines.keypad_menu(_OPTIONS, again=True)


def _spoken(said: CallerInput) -> str | None:
    """The choice in a spoken answer: a key said aloud ("three"), a word of it, or a clear request."""
    keys = slots.digits(said.text, 1, 1)
    if keys is not None and keys in _KEYS:
        return _KEYS[keys]
    named = {intent for pattern, intent in _WORDS if pattern.search(said.text)}
    if len(named) == 1:
        return named.pop()
    cls = classify(said.text, said.stt_confidence)
    return cls.intent if cls.intent in _KEYS.values() and cls.confidence >= 0.8 else None


def offer(agent: Agent, take: Callable[[str, str], Flow]) -> Flow:
    """Offer the menu, once a call.

    Args:
        agent: The call.
        take: Starts the chosen request: its intent (`HUMAN` for 0) and the caller's words for it
            (a technical problem is asked about first: its steps depend on what is wrong).
    """
    agent.d.menu_offered = True

    async def then(intent: str) -> Flow:
        agent.understood()  # a choice made: the unclear turns before it no longer count towards a handoff
        if intent != TROUBLESHOOTING:
            async for ev in take(intent, ""):
                yield ev
            return
        async for ev in step.ask(agent, _problem_ask(take)):
            yield ev

    return step.ask(
        agent,
        Ask(
            name="menu",
            question=QUESTION,
            retry=RETRY,
            other_way=RETRY,
            extract=_spoken,
            then=then,
            keyed=lambda keys: _KEYS.get(keys[:1]),
        ),
    )


def _problem_ask(take: Callable[[str, str], Flow]) -> Ask:
    return Ask(
        name="problem",
        question=lines.MENU_PROBLEM,
        retry=lines.MENU_PROBLEM,
        other_way=lines.MENU_PROBLEM,
        extract=lambda said: said.text.strip() or None,
        then=lambda problem: take(TROUBLESHOOTING, problem),
    )
