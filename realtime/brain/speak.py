"""Speakable formatting: the agent's facts in words a text-to-speech voice reads right.

Piper (espeak-ng phonemes) and ElevenLabs read "10482" as "ten thousand
four hundred eighty-two", "$42.50" unpredictably and "maria@example.com"
not at all. On a phone call numbers must be read back digit by digit, the
way US agents do ("one oh four eight two"), and dates, times and amounts as
a person would say them. These pure functions produce that text; the brains
use them for every value they speak, and `sentences` cuts a reply into
chunks so speech can start after the first one.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

_DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = "January February March April May June July August September October November December".split()

# Each phrase completes "Your order is …" and says only what the status says.
STATUS_PHRASES: dict[str, str] = {
    "pending": "pending",
    "processing": "being prepared",
    "shipped": "shipped",
    "out_for_delivery": "out for delivery",
    "delivered": "delivered",
    "delivery_attempted": "not delivered yet: the carrier made a delivery attempt",
    "cancelled": "cancelled",
    "refunded": "refunded",
}


def _digit_groups(n: int, leading_one: bool) -> list[int]:
    """How a run of `n` digits is chunked when read aloud (a pause between chunks)."""
    if n <= 6:
        return [n]  # order numbers and ZIP codes: one breath
    fixed = {7: [3, 4], 9: [5, 4], 10: [3, 3, 4]}  # local phone, ZIP+4, US phone
    if n in fixed:
        return fixed[n]
    if n == 11 and leading_one:
        return [1, 3, 3, 4]  # 1 + US phone
    groups = [3] * (n // 3)
    if n % 3 == 1:
        groups[-1] += 1  # never leave a lone digit at the end
    elif n % 3 == 2:
        groups.append(2)
    return groups


def say_digits(s: str) -> str:
    """Read an id digit by digit and letter by letter, as an agent reads back a number.

    Zero is "oh" ("one oh four eight two"), except in a string of only zeros
    ("zero zero") and in an id that also holds the letter O ("S O seven seven
    zero one"), where "oh" could be either. Separators ("#", "-", "+", spaces)
    are dropped; digit-only strings are grouped with commas so TTS pauses: 10
    digits as a US phone number ("four one five, five five five, oh one oh
    one"), 11 starting with 1 as "one, …", 9 as ZIP+4, up to 6 as one group.
    Letters are read as capitals ("C1001" → "C one oh oh one"); an id with
    letters longer than six characters is grouped too, along its own separators
    ("SO-7781-B2") or in threes ("0035e00000AbC12QAE"), so a caller can follow.

    Args:
        s: The value to read, e.g. "10482", "+14155550101", "SO-7781".

    Returns:
        The words to speak ("" when `s` holds no letter or digit).
    """
    chars = [c for c in s if c.isalnum()]
    if not chars:
        return ""
    only_digits = all(c.isdigit() for c in chars)
    all_zero = only_digits and set(chars) == {"0"}
    zero = "zero" if all_zero or any(c in "oO" for c in chars) else "oh"

    def word(c: str) -> str:
        if not c.isdigit():
            return c.upper()
        return zero if c == "0" else _DIGIT_NAMES[int(c)]

    if only_digits:
        sizes = _digit_groups(len(chars), chars[0] == "1")
        return ", ".join(" ".join(word(c) for c in part) for part in _cut(chars, sizes))
    if len(chars) <= 6:
        return " ".join(word(c) for c in chars)
    parts = [list(p) for p in re.split(r"[^0-9A-Za-z]+", s) if p] if s.isascii() else [chars]
    groups = [g for p in parts for g in _cut(p, _digit_groups(len(p), False))]
    return ", ".join(" ".join(word(c) for c in g) for g in groups)


def _cut(chars: list[str], sizes: list[int]) -> list[list[str]]:
    out, i = [], 0
    for size in sizes:
        out.append(chars[i : i + size])
        i += size
    return out


def say_money(cents: int) -> str:
    """An amount in words TTS cannot misread: 4250 → "42 dollars and 50 cents".

    Whole-dollar amounts drop the cents ("100 dollars"), amounts under a
    dollar drop the dollars ("5 cents"), nothing is "zero dollars" and a
    negative amount is "minus …". Numbers stay numerals without thousands
    separators, which every voice reads as a number.

    Args:
        cents: The amount in cents.

    Returns:
        The words to speak.
    """
    sign = "minus " if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    parts = []
    if dollars:
        parts.append(f"{dollars} dollar{'' if dollars == 1 else 's'}")
    if rest:
        parts.append(f"{rest} cent{'' if rest == 1 else 's'}")
    if not parts:
        return "zero dollars"
    return sign + " and ".join(parts)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _as_date(d: date | datetime | str) -> date:
    if isinstance(d, str):
        d = (
            datetime.fromisoformat(d.strip())
            if "T" in d or " " in d.strip()
            else date.fromisoformat(d.strip())
        )
    return d.date() if isinstance(d, datetime) else d


def say_date(d: date | datetime | str, with_year: bool = False) -> str:
    """A date as people say it: "2026-11-28" → "Saturday, November 28th".

    Args:
        d: A date, a datetime (its own local date) or an ISO 8601 string.
        with_year: Append the year ("…, 2026"), for dates not in the coming months.

    Returns:
        The words to speak.

    Raises:
        ValueError: `d` is a string that is not an ISO date.
    """
    day = _as_date(d)
    text = f"{_WEEKDAYS[day.weekday()]}, {_MONTHS[day.month - 1]} {_ordinal(day.day)}"
    return f"{text}, {day.year}" if with_year else text


def say_time(t: datetime | time) -> str:
    """A clock time, 12-hour: 14:00 → "2 PM", 9:30 → "9:30 AM", 12:00 → "noon".

    Read in the value's own timezone; seconds are ignored.

    Args:
        t: A datetime or time.

    Returns:
        The words to speak.
    """
    if t.hour == 12 and t.minute == 0:
        return "noon"
    if t.hour == 0 and t.minute == 0:
        return "midnight"
    hour = t.hour % 12 or 12
    meridiem = "AM" if t.hour < 12 else "PM"
    return f"{hour} {meridiem}" if t.minute == 0 else f"{hour}:{t.minute:02d} {meridiem}"


def say_slot(dt: datetime) -> str:
    """An appointment slot: "Wednesday, December 2nd at 2 PM".

    Args:
        dt: The slot's start, in the timezone the caller lives in.

    Returns:
        The words to speak.
    """
    return f"{say_date(dt)} at {say_time(dt)}"


def say_status(status: str) -> str:
    """An order status as a phrase that completes "Your order is …".

    pending → "pending", processing → "being prepared", shipped →
    "shipped", out_for_delivery → "out for delivery", delivered →
    "delivered", delivery_attempted → "not delivered yet: the carrier made
    a delivery attempt", cancelled → "cancelled", refunded → "refunded". An
    unknown status is read as its words ("on_hold", "ON-HOLD" → "on hold",
    "partially_refunded" → "partially refunded"), so a status of another
    business's shop is still spoken, never invented.

    Args:
        status: The status as the order tool returns it.

    Returns:
        The phrase.
    """
    # camelCase ("partiallyRefunded") and SHOUTING-KEBAB ("ON-HOLD") are words too.
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", status.strip())
    words = re.split(r"[\s_\-]+", spaced.lower())
    key = "_".join(w for w in words if w)
    return STATUS_PHRASES.get(key, key.replace("_", " "))


_EMAIL_SYMBOLS = {"@": " at ", ".": " dot ", "_": " underscore ", "-": " dash ", "+": " plus "}


def say_email(addr: str) -> str:
    """An e-mail address as it is read aloud: "maria@example.com" → "maria at example dot com".

    Symbols become words (at, dot, underscore, dash, plus) and digits are
    read one by one ("maria84" → "maria eight four").

    Args:
        addr: The address.

    Returns:
        The words to speak.
    """
    out: list[str] = []
    for piece in re.findall(r"\d+|[^\d]", addr.strip().lower()):
        if piece.isdigit():
            out.append(" " + " ".join(_DIGIT_NAMES[int(c)] for c in piece) + " ")
        else:
            out.append(_EMAIL_SYMBOLS.get(piece, piece))
    return re.sub(r"\s+", " ", "".join(out)).strip()


# Abbreviations after which a period never ends a sentence.
_NEVER_END = frozenset(
    {"mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "e.g.", "i.e.", "vs.", "approx.", "apt.", "dept."}
)
# Abbreviations that end a sentence only when a capitalised word (not a day or month) follows.
_MAYBE_END = frozenset({"a.m.", "p.m.", "etc.", "inc.", "ltd.", "co.", "jr.", "sr."})
_CALENDAR_WORDS = frozenset(_WEEKDAYS) | frozenset(_MONTHS)
_TERMINATOR = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s|$)")


def _ends_sentence(line: str, m: re.Match[str]) -> bool:
    if "!" in m.group() or "?" in m.group():
        return True
    rest = line[m.end() :].lstrip()
    if not rest:
        return True
    before = line[: m.start() + 1].split()
    word = before[-1].lstrip("(\"'\u201c\u2018[") if before else ""
    lower = word.lower()
    next_word = re.sub(r"[^\w]", "", rest.split()[0])
    if lower in _NEVER_END or (lower == "no." and rest[0].isdigit()):
        return False
    if lower in _MAYBE_END or re.fullmatch(r"(?:[a-z]\.){2,}", lower):
        return rest[0].isupper() and next_word not in _CALENDAR_WORDS
    if re.fullmatch(r"[A-Z]\.", word):
        return False  # an initial: "J. R. Smith"
    if re.fullmatch(r"\d{1,2}\.", word) and len(before) == 1:
        return False  # a list marker: "1. Unplug the router."
    # A lower-case continuation means the period was an abbreviation we do not know.
    return not rest[0].islower()


def sentences(text: str) -> list[str]:
    """Split a reply into speakable chunks at sentence ends, keeping their punctuation.

    Splits after ".", "!" and "?" (and at line breaks) but not inside
    "$42.50" or "2.5", after "e.g.", "Mr.", "Dr.", initials ("J. R. Smith")
    or list markers ("1."), nor after "a.m."/"p.m." unless a new sentence
    clearly starts.

    Args:
        text: The reply.

    Returns:
        The chunks, stripped, none empty.
    """
    out: list[str] = []
    for line in text.splitlines():
        start = 0
        for m in _TERMINATOR.finditer(line):
            if _ends_sentence(line, m):
                chunk = line[start : m.end()].strip()
                if chunk:
                    out.append(chunk)
                start = m.end()
        rest = line[start:].strip()
        if rest:
            out.append(rest)
    return out
