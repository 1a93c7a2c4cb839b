"""Conversation repair for the LLM brain: the parts that must not depend on the model.

The prompt asks the model to repair a conversation well; these guards make
the rules that matter most hold whatever the model does:

- a repeat request is answered with the last reply, slower, digits grouped,
  without a model round trip (`spoken_again`, `names_something_else`);
- what a barge-in cut is told to the model with the caller's next words
  (`with_missed`), so "sorry, what was the balance?" can be answered;
- the same question never goes out a third time in a row (`QuestionStreak`);
- a new request is not taken for a goodbye (`sounds_like_a_request`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from realtime.brain import prompt
from realtime.brain.base import Say
from realtime.brain.intents import HUMAN, scores
from realtime.brain.repair import say_again
from realtime.brain.speak import say_digits

# The model reads numbers back as spaced digits ("9 4 1 0 3", per the prompt) and sometimes
# writes them whole ("94103"). Amounts, decimals and times are left alone: "$187.40" and
# "10:30" are not read digit by digit.
_SPACED_DIGITS = re.compile(r"(?<![\w$.,:])\d(?: \d){2,}(?![\w]|[.,:]\d)")
_LONG_NUMBER = re.compile(r"(?<![\w$.,:/-])\d{5,}(?![\w]|[.,:]\d)")


def digits_in_words(line: str) -> str:
    """A line with its read-back numbers in words, as an agent reads a number back.

    Args:
        line: One line the model said, e.g. "That's 4 1 5 5 5 5 0 1 0 1, right?".

    Returns:
        The line with each digit read-back replaced by `speak.say_digits` words
        ("four one five, five five five, oh one oh one"); everything else unchanged.
    """
    line = _SPACED_DIGITS.sub(lambda m: say_digits(m.group()), line)
    return _LONG_NUMBER.sub(lambda m: say_digits(m.group()), line)


def spoken_again(lines: Iterable[str]) -> list[Say]:
    """The last reply once more for a caller who asked: slower, read-back digits grouped.

    The model's numerals become words here; `say_again` groups them (once, for both brains).
    """
    return say_again(digits_in_words(line) for line in lines)


# "can you repeat the number", "what was the balance again": the thing the caller names.
_NAMED = re.compile(
    r"\b(repeat|say|read|tell me|give me|what (?:was|were|did you say)|catch|get|hear|missed) "
    r"the (\w+)"
)
_NUMBER_WORDS = {"number", "numbers", "digits", "code", "zip", "amount", "total", "price"}
# "I didn't get the package" and "I missed the delivery" are problems, not repeat requests:
# with these verbs only the things an agent says make it a request to hear them again.
_AMBIGUOUS_VERBS = {"get", "missed"}
_SPOKEN_THINGS = {
    *_NUMBER_WORDS,
    "balance",
    "name",
    "date",
    "time",
    "times",
    "address",
    "email",
}
# "I didn't catch the last part": a part of the last reply, whatever it said.
_PARTS = {"last", "first", "end", "beginning", "rest", "part", "question", "words"}
_DIGIT_WORDS = re.compile(r"\d|\b(zero|oh|one|two|three|four|five|six|seven|eight|nine)\b")


def names_something_else(text: str, lines: Iterable[str]) -> bool:
    """Whether a repeat request asks for something the last reply did not say.

    "What was the balance again?" after "Your balance is $187.40." is a repeat;
    after "Your order shipped." it is a question for the model (the balance was
    said earlier, or never). So is "I missed the delivery", whatever was said:
    a delivery is not something the agent says. A request that names nothing
    ("sorry, what?") never is.

    Args:
        text: The caller's repeat request.
        lines: The agent's last reply.

    Returns:
        True when the request names a thing the last reply does not mention.
    """
    m = _NAMED.search(text.lower().replace("\u2019", "'"))
    if m is None:
        return False
    said = " ".join(lines).lower()
    verb, thing = m.group(1), m.group(2)
    if thing in _PARTS:
        return False
    if verb in _AMBIGUOUS_VERBS and thing not in _SPOKEN_THINGS:
        return True
    if thing in _NUMBER_WORDS and _DIGIT_WORDS.search(said):
        return False
    stem = thing[:-1] if thing.endswith("s") and len(thing) > 3 else thing
    return re.search(rf"\b{re.escape(stem)}", said) is None


def with_missed(text: str, missed: str) -> str:
    """The caller's words as the model gets them, after a barge-in cut the agent's reply.

    The note rides on the caller's message (like the keypad prefix) rather than
    in a mid-conversation system message, which some compatible servers refuse.

    Args:
        text: What the caller said.
        missed: The part of the agent's last reply they talked over and did not hear.

    Returns:
        `text`, prefixed with what was not heard when there is any.
    """
    missed = " ".join(missed.split())
    if not missed:
        return text
    return f'{prompt.MISSED_PREFIX}"{missed}") {text}'


# Words that do not change which question is asked ("Sorry, what is your ZIP code again?").
_FILLER = {
    "sorry",
    "please",
    "again",
    "just",
    "okay",
    "ok",
    "so",
    "and",
    "now",
    "then",
    "still",
    "could",
    "can",
    "would",
    "you",
    "the",
    "your",
    "me",
    "tell",
}
# The closing question is a menu, not a step: answering three requests in a row each ends
# with it, and that is a conversation going well, not a loop.
_CLOSING = re.compile(r"\banything else\b")


def question_key(sentence: str) -> str | None:
    """What question a sentence asks, ignoring filler words; None if it asks none."""
    if not sentence.rstrip().endswith("?"):
        return None
    t = sentence.lower().replace("\u2019", "'")
    if _CLOSING.search(t):
        return None
    t = re.sub(r"\b(what|where|when|how|who|that|it)'s\b", r"\1 is", t)
    words = [w for w in re.findall(r"[a-z0-9']+", t) if w not in _FILLER]
    return " ".join(words) or None


def _ask_key(lines: list[str], i: int) -> str | None:
    """The question line `i` of a reply asks, with the digits said up to it.

    "That's 9 4 1 0 7. Is that right?" and "That's 9 4 1 0 5. Is that right?" are
    two read-backs of two values: a caller correcting a number is progress, not a loop.
    """
    key = question_key(lines[i])
    if key is None:
        return None
    return f"{key}|{''.join(re.findall(r'[0-9]', ' '.join(lines[: i + 1])))}"


class QuestionStreak:
    """How many replies in a row have asked each question.

    A step may ask its question twice; the prompt tells the model to change the
    way after two misses, and this makes sure a model that does not is stopped
    before the third ask, instead of looping (the issue saw one question 14 times).
    Repeats of a reply the caller asked for are not asks: they are never counted.
    """

    LIMIT = 2

    def __init__(self) -> None:
        """No question asked yet."""
        self._streak: dict[str, int] = {}

    def would_loop(self, sentence: str, before: Iterable[str] = ()) -> bool:
        """Whether saying `sentence` now would ask the same question a third time in a row.

        Args:
            sentence: The next sentence of the reply.
            before: The sentences of this reply already said.

        Returns:
            True when the two replies before this one both asked it.
        """
        lines = [*before, sentence]
        key = _ask_key(lines, len(lines) - 1)
        return key is not None and self._streak.get(key, 0) >= self.LIMIT

    def replied(self, lines: Iterable[str]) -> None:
        """Count one reply the model gave: questions it did not ask again start over."""
        said = list(lines)
        asked = {k for k in (_ask_key(said, i) for i in range(len(said))) if k is not None}
        self._streak = {k: self._streak.get(k, 0) + 1 for k in asked}


_QUESTION = re.compile(
    r"^(what|when|where|why|how|which|who|can|could|would|will|do|does|did|is|are|i need|i want|"
    r"i have|i'd like|i would like|my|also|one more|and)\b"
)
# "No, wait, one more thing": a no that opens a new request.
_MORE = re.compile(r"\b(but|wait|actually|also|one more|another (thing|question))\b")
_CLEAR_NO = re.compile(
    r"^(no|nope|nah|no thanks|no thank you|that's all|that's it|that is all|nothing( else)?|"
    r"i'm good|i'm all set|all set|we're good|bye|goodbye|thanks|thank you)\b"
)


def sounds_like_a_request(text: str) -> bool:
    """Whether the caller's words carry a request, so they are not a goodbye.

    Used to question an `end_call` once: a caller who answers "anything else?"
    with "my earbuds will not pair" has a new problem, not a goodbye.

    Args:
        text: The caller's last words.

    Returns:
        True when they name a topic (an intent cue) or ask or state something new.
    """
    t = re.sub(r"\s+", " ", text.lower().replace("\u2019", "'")).strip()
    if not t:
        return False
    if any(v > 0 for k, v in scores(t).items() if k != HUMAN):
        return True
    rest = re.sub(r"[^\w' ]+", " ", t).strip()
    if _MORE.search(rest):
        return True
    if _CLEAR_NO.match(rest):
        return False
    return t.endswith("?") or bool(_QUESTION.match(rest))
