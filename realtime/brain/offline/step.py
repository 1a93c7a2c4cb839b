"""The one ask / read-back / retry step every question of the offline agent goes through.

A question (`Ask`) says how to find its value in an answer, whether a heard
value is read back first, and what the flow does with it. The repair policy
lives here once, for every question:

- a value heard over the phone is read back and used only after "yes" (or a
  correction inside the "no": "no, it's 7 3 1 9 4" is read back in turn);
  keypad entry is exact and used as is;
- "I don't know" goes where the question says (another factor, a person);
- a miss — nothing usable, a plain "no" to a read-back, a value the backend
  did not accept — asks again once in other words, then changes the way
  (keypad, spelling, another option), and the third hands the call to a
  person: no question is asked more than twice in a row;
- repeat requests never reach a step (the brain answers them), so they are
  never a miss.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from realtime.brain import repair, slots
from realtime.brain.base import CallerInput, Say
from realtime.brain.offline import lines

if TYPE_CHECKING:
    from realtime.brain.offline.agent import Agent, Flow

YES, NO = "yes", "no"


@dataclass(frozen=True)
class Ask:
    """One question and what to do with its answer."""

    name: str  # the step, for counting misses ("zip", "order", "refund_ok")
    question: str
    retry: str  # the question in other words, after one miss
    other_way: str  # after two misses: the keypad, spelling, another option
    extract: Callable[[CallerInput], str | None]  # the value in a spoken answer
    then: Callable[[str], Flow]  # the flow, given the value
    # The read-back for a heard value, or None to use it at once (keypad, yes/no, free text).
    read_back: Callable[[str], str | None] | None = None
    # A new value inside a reply to the read-back ("no, it's 10483"), given the pending one.
    correct: Callable[[str, str], str | None] | None = None
    keyed: Callable[[str], str | None] | None = None  # keypad digits → value
    unknown: Callable[[], Flow] | None = None  # "I don't know it"
    # The question for a line too poor for speech (`Dialog.bad_line`): asked for keys instead.
    by_keypad: str | None = None


def yes_no_ask(name: str, question: str, then: Callable[[str], Flow]) -> Ask:
    """A yes/no question; the keypad answers it too (1 yes, 2 no)."""

    def extract(said: CallerInput) -> str | None:
        answer = slots.yes_no(said.text)
        return None if answer is None else (YES if answer else NO)

    return Ask(
        name=name,
        question=question,
        retry=f"{lines.NEED_YES_NO} {question}",
        other_way=lines.yes_no_keypad(question),
        extract=extract,
        then=then,
        keyed=yes_no_keys,
        by_keypad=lines.keypad_yes_no(question),
    )


def yes_no_keys(keys: str) -> str | None:
    """The keypad's answer to a yes/no question: 1 for yes, 2 for no."""
    return {"1": YES, "2": NO}.get(keys[:1])


def keyed_digits(low: int, high: int) -> Callable[[str], str | None]:
    """Keypad entry of `low` to `high` digits, as is."""

    def keyed(keys: str) -> str | None:
        digits = re.sub(r"\D", "", keys)
        return digits if low <= len(digits) <= high else None

    return keyed


async def ask(agent: Agent, step: Ask, line: str | None = None) -> Flow:
    """Put a question (in `line`'s words, if the flow has better ones for this moment).

    On a line too poor for speech, a question the keypad can answer asks for keys.
    """
    hold(agent, step)
    if agent.d.bad_line and step.by_keypad is not None:
        yield Say(_keys_from_now_on(agent, step.by_keypad))
        return
    yield Say(line or step.question)


def _keys_from_now_on(agent: Agent, line: str) -> str:
    """`line`, after saying why (once a call) the keypad is asked for."""
    if agent.d.keypad_said:
        return line
    agent.d.keypad_said = True
    return f"{lines.BAD_LINE} {line}"


def hold(agent: Agent, step: Ask) -> None:
    """Make `step` the open question without saying anything (a value is already at hand)."""
    d = agent.d
    if d.ask is None or d.ask.name != step.name:
        agent.policy.on_success(step.name)  # a new question: its misses start at zero
    d.ask, d.pending, d.more = step, None, False


async def offer(agent: Agent, step: Ask, value: str, line: str | None = None) -> Flow:
    """A value heard for `step`: read it back (in `line`'s words, if given), or use it at once."""
    hold(agent, step)
    said = step.read_back(value) if step.read_back else None
    if said is None:
        async for ev in step.then(value):
            yield ev
        return
    agent.d.pending = value
    yield Say(_read_back(agent, line or said))


def _read_back(agent: Agent, line: str) -> str:
    """A read-back as said: on a poor line a spoken "yes" is no surer than the value, a key confirms it."""
    return lines.keypad_yes_no(line) if agent.d.bad_line else line


async def answer(agent: Agent, said: CallerInput, text: str) -> Flow:
    """The caller's reply to the open question."""
    d = agent.d
    step = d.ask
    assert step is not None
    if said.source == "dtmf" and d.pending is not None and text in ("1", "2"):
        # A value read back, answered with a key: 1 is yes, 2 is no (a whole value keyed in is
        # taken as the answer below).
        async for ev in _confirming(agent, step, said, YES if text == "1" else NO, d.pending):
            yield ev
        return
    if said.source == "dtmf":
        value = step.keyed(text) if step.keyed else None
        if value is None:
            async for ev in miss(agent):
                yield ev
            return
        d.pending = None
        async for ev in step.then(value):
            yield ev
        return
    if d.pending is not None:
        async for ev in _confirming(agent, step, said, text, d.pending):
            yield ev
        return
    if step.unknown is not None and repair.dont_know(text):
        async for ev in step.unknown():
            yield ev
        return
    value = step.extract(said)
    if value is None:
        _unheard(agent, said)
        async for ev in miss(agent):
            yield ev
        return
    async for ev in offer(agent, step, value):
        yield ev


async def _confirming(agent: Agent, step: Ask, said: CallerInput, text: str, pending: str) -> Flow:
    """A reply to a read-back: yes, a corrected value, a plain no, or neither."""
    d = agent.d
    yes = slots.yes_no(text)
    fixed = step.correct(text, pending) if step.correct else None
    if fixed is None and yes is not True:
        # The number again without a "no" in front, or a no and another answer ("no, use my
        # e-mail instead, it's …").
        fixed = step.extract(said)
    if fixed and fixed != pending:
        again = step.read_back(fixed) if step.read_back else None
        if again is None:
            # Something this step never reads back (an e-mail instead of the number read back, "my
            # most recent one"): it is the answer. A bare "Okay." would leave the caller waiting.
            d.pending = None
            async for ev in step.then(fixed):
                yield ev
            return
        d.pending = fixed
        yield Say(_read_back(agent, f"Thanks. {again}"))
    elif yes is True or fixed == pending:
        d.pending = None
        async for ev in step.then(pending):
            yield ev
    elif yes is False:
        async for ev in miss(agent, lines.OKAY):
            yield ev
    else:
        # Neither yes nor no: the value read back still stands, a later "yes" confirms it.
        _unheard(agent, said)
        again = step.read_back(pending) if step.read_back else None
        again = _read_back(agent, again) if again else None
        async for ev in miss(agent, lines.NEED_YES_NO, again=again, keep_pending=True):
            yield ev


def _unheard(agent: Agent, said: CallerInput) -> None:
    """Count a spoken answer that answered nothing: two of them and the line is taken to be poor."""
    if said.source == "speech" and said.stt_confidence is not None:  # a recognizer, not typed text
        agent.d.unheard += 1


async def miss(
    agent: Agent,
    why: str | None = None,
    again: str | None = None,
    step: Ask | None = None,
    keep_pending: bool = False,
) -> Flow:
    """One failed attempt at the open question (or at `step`, which then becomes it).

    Args:
        agent: The call.
        why: What went wrong, said first ("I couldn't find order …").
        again: The words to ask again with after the first miss, instead of the step's retry.
        step: The question the miss is about, when it is not the open one yet.
        keep_pending: The value read back is still the candidate (the answer was unclear, not "no").
    """
    if step is not None:
        hold(agent, step)
    current = agent.d.ask
    assert current is not None
    if not keep_pending:
        agent.d.pending = None
    reason = agent.policy.on_failure(current.name)
    if reason is not None:
        async for ev in agent.escalate(reason):
            yield ev
        return
    line = current.other_way if agent.policy.failures[current.name] >= 2 else (again or current.retry)
    yield Say(f"{why} {line}" if why else line)
