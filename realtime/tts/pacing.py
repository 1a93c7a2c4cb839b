"""How a slow line (a repeat the caller asked for) is worded for the voice.

A caller who asks "sorry, what was that number?" missed it once at normal
speed; the repeat is spoken slower (each voice lowers its own rate, see
`SLOW_RATE`) and any run of digits read one by one gets a comma every two or
three digits, which every voice renders as a short pause: "one oh four, eight
two". `speak.say_digits` already groups long numbers (phone numbers); order
numbers and ZIP codes it reads in one breath, which is right the first time
and too fast for someone who missed it.

`group_digit_runs` is the one grouping function: both brains word a repeat with
it (`realtime.brain.repair.say_again`), once, and the voices speak that text
as it is. It is idempotent: a line already grouped comes back unchanged.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["SLOW_RATE", "group_digit_runs"]

# Speaking rate of a slow line relative to the voice's normal rate: 0.8 is clearly slower yet
# still natural, and inside what every engine accepts (ElevenLabs' `speed` takes 0.7–1.2).
SLOW_RATE: Final = 0.8

# A digit read aloud, as `speak.say_digits` writes it ("oh" for zero inside a number).
_DIGIT_WORD = r"(?i:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
# One read-out token: a digit word, or a single capital letter of an id like "A B one two three".
# Digit words match in any case ("One two…" starts a sentence); letters only as capitals, since
# a lowercase "a" is a word, not part of an id.
_TOKEN = rf"(?:{_DIGIT_WORD}|[A-Z])"
# A run of at least four tokens separated by single spaces (commas already end a run).
_RUN = re.compile(rf"\b{_TOKEN}(?: {_TOKEN}){{3,}}\b")
_IS_DIGIT = re.compile(rf"^{_DIGIT_WORD}$")


def _sizes(n: int) -> list[int]:
    """Groups of three, never a lone token at the end (4 → 2+2, 5 → 3+2, 7 → 3+2+2)."""
    groups = [3] * (n // 3)
    rest = n % 3
    if rest == 2:
        groups.append(2)
    elif rest == 1:
        groups[-1:] = [2, 2]
    return groups


def _group(match: re.Match[str]) -> str:
    tokens = match.group(0).split(" ")
    # A run of capitals with hardly a digit ("I A M one") is not a number read out: leave it.
    if sum(1 for t in tokens if _IS_DIGIT.match(t)) < 2:
        return match.group(0)
    out: list[str] = []
    i = 0
    for size in _sizes(len(tokens)):
        out.append(" ".join(tokens[i : i + size]))
        i += size
    return ", ".join(out)


def group_digit_runs(text: str) -> str:
    """`text` with every read-out run of four or more digits split by commas, for a slow repeat.

    Args:
        text: One line the agent says, with numbers already in words
            ("Your order number is one oh four eight two.").

    Returns:
        The same words with pauses: "Your order number is one oh four, eight two."
        Text without such a run comes back unchanged.
    """
    return _RUN.sub(_group, text)
