"""What a picked record puts into a scenario's lines and expectations.

A scenario refers to a picked record's facts as `{role_name.field}`
(`{account.zip_words}`, `{order.status}`). Each field has three renderings,
because the same fact is used three ways:

- `text`: what the simulated caller says or keys (`{account.zip_words}` →
  "nine four one zero three");
- `heard`: a regex that finds the fact in the agent's words as Whisper wrote
  them down, forgiving the ways a phone line and a small recognizer garble it
  ("10482" or "one oh four eight two", "$1,234", "passed you" for "past due").
  Used in `said` and in `when`;
- `exact`: a strict regex for `not_said`, where a lenient pattern would flag
  innocent words (the neighbour's "processing" must not match "pro plan").

The facts are derived from the data the way a person checks an answer (a
status in words, an amount in dollars, a number digit by digit), never from
the agent's own templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from callengine.seedview import Appointment, Article, Customer, Order, SeedData

DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
# How Whisper writes a digit it heard: the numeral, the word, or "oh" for zero.
_HEARD_DIGIT = {str(d): f"(?:{d}|{w}{'|oh?' if d == 0 else ''})" for d, w in enumerate(DIGIT_WORDS)}
# Between spoken characters: the pauses Whisper writes as spaces, commas, dots or dashes.
_GAP = r"[\s,.#-]*"


@dataclass(frozen=True)
class Field:
    """One fact in its three renderings (see the module docstring)."""

    text: str
    heard: str
    exact: str


Fields = dict[str, Field]


def normalized(value: str) -> str:
    """A spoken number's letters and digits, upper-cased: how `#1001` and `so-7781` compare."""
    return "".join(c for c in value if c.isalnum()).upper()


def spoken_chars(value: str) -> str:
    """A number as a caller reads it out: digits as words, letters as capitals, separators dropped.

    Args:
        value: An order number, ZIP or phone number ("SO-7781", "#1001", "94103").

    Returns:
        "S O seven seven eight one", "one zero zero one", "nine four one zero three".
    """
    return " ".join(DIGIT_WORDS[int(c)] if c.isdigit() else c.upper() for c in normalized(value))


def national(phone: str) -> str:
    """A phone number as a caller says it at home: a US number without its +1, else without the +."""
    return phone[2:] if phone.startswith("+1") and len(phone) == 12 else phone.lstrip("+")


def words(value: str) -> str:
    """A system's value as words: `past_due` → "past due", `ON-HOLD` → "on hold"."""
    return " ".join(re.split(r"[\s_-]+", value.strip())).lower()


def _phrase(value: str) -> str:
    """The words of a value in order, any punctuation or spacing between them."""
    return r"\W+".join(re.escape(w) for w in words(value).split())


def _chars_heard(value: str) -> str:
    """A number read back character by character, as numerals or words, grouped or not."""
    parts = [_HEARD_DIGIT[c] if c.isdigit() else re.escape(c) for c in normalized(value)]
    return r"\b" + _GAP.join(parts)


def _dollars(cents: int) -> str:
    """Whole dollars as written with or without a thousands comma (`1,?234`), as a word."""
    grouped = f"{cents // 100:,}"
    return r"\b" + grouped.replace(",", ",?") + r"\b"


def _status_heard(value: str) -> str:
    # Whisper tiny hears "is past due" as "has passed you": a status counts as heard when
    # one of its longer words is, by its first three letters.
    ws = words(value).split()
    longer = [w for w in ws if len(w) >= 4] or ws
    return r"\b(?:" + "|".join(re.escape(w[:3]) + r"\w*" for w in longer) + ")"


def _acronym(value: str) -> str:
    # Letters read one by one come back from Whisper as "UPS", "U.P.S.", "DigHL" or "DJ CHL"
    # for "DHL": the letters in order, a few characters of a misheard letter name between.
    return r"\b" + r"[\w\s.-]{0,4}".join(re.escape(c) for c in value) + r"\b"


def plain(value: str) -> Field:
    """A name, plan or carrier: said as is, heard as its words (an acronym letter by letter)."""
    if 2 <= len(value) <= 5 and value.isalpha() and value.isupper():
        return Field(value, _acronym(value), _acronym(value))
    return Field(value, _phrase(value), _phrase(value))


def named(value: str) -> Field:
    """A product's or plan's name: heard when one of its longer words is.

    A brand runs through a small recognizer as other words ("Tidewave Club Plus" came
    back as "Tide Week Club plus" and "Tied Wave Club"); its common words survive.
    """
    ws = words(value).split()
    longer = [w for w in ws if len(w) >= 4] or ws
    heard = r"\b(?:" + "|".join(re.escape(w) for w in longer) + r")\b"
    return Field(value, heard, _phrase(value))


def number(value: str) -> Field:
    """An id a caller says character by character."""
    return Field(value, _chars_heard(value), _chars_heard(value))


def customer_fields(c: Customer) -> Fields:
    """A customer's facts: who they are, how they prove it, and what their account says."""
    first, _, last = c.name.partition(" ")
    user, _, domain = c.email.partition("@")
    phone_words = spoken_chars(national(c.phone))
    last4 = "".join(ch for ch in c.phone if ch.isdigit())[-4:]
    return {
        "id": number(c.id),
        "name": plain(c.name),
        "first_name": plain(first),
        "last_name": plain(last or first),
        "phone": Field(c.phone, _chars_heard(national(c.phone)), _chars_heard(national(c.phone))),
        "phone_words": Field(phone_words, _chars_heard(national(c.phone)), _chars_heard(national(c.phone))),
        "email": plain(c.email),
        "email_words": plain(f"{user.replace('.', ' dot ')} at {domain.replace('.', ' dot ')}"),
        "zip": number(c.zip),
        "zip_words": Field(spoken_chars(c.zip), _chars_heard(c.zip), _chars_heard(c.zip)),
        "zip_keys": number("".join(ch for ch in c.zip if ch.isdigit())),
        # The second factor after a said identifier: the last four digits of the phone on file.
        "phone_last4_words": Field(spoken_chars(last4), _chars_heard(last4), _chars_heard(last4)),
        "phone_last4_keys": number(last4),
        "plan": named(c.plan),
        "status": Field(words(c.status), _status_heard(c.status), _phrase(c.status)),
        "balance_dollars": _money(c.balance_cents),
    }


def order_fields(o: Order, seed: SeedData) -> Fields:
    """An order's facts: its number as said, keyed and misheard, its status, carrier and total."""
    misheard = misheard_number(o.id, seed)
    return {
        "number": number(o.id),
        "number_words": Field(spoken_chars(o.id), _chars_heard(o.id), _chars_heard(o.id)),
        "keys": number("".join(ch for ch in o.id if ch.isdigit())),
        "misheard_words": Field(spoken_chars(misheard), _chars_heard(misheard), _chars_heard(misheard)),
        "status": Field(words(o.status), _status_heard(o.status), _phrase(o.status)),
        "carrier": plain(o.carrier or ""),
        "total_dollars": _money(o.total_cents),
        "item": plain(o.items[0] if o.items else "order"),
    }


def appointment_fields(a: Appointment) -> Fields:
    """An appointment's facts: its service and when it is."""
    return {"id": number(a.id), "service": named(a.service), "starts_at": plain(a.starts_at)}


# A numbered list marker ("1." or "2)") starts a step, as in help-center articles.
_STEP = re.compile(r"(?:^|\s)\d+[.)]\s+")


def article_steps(body: str) -> list[str]:
    """An article's instructions in order: the lead sentence, then each numbered step."""
    return [p.strip() for p in _STEP.split(body) if len(p.strip()) > 2]


def article_fields(a: Article) -> Fields:
    """A troubleshooting article's facts: the problem as a caller puts it, and its first step."""
    title = a.title.strip().rstrip(".")
    problem = f"My {title[:1].lower()}{title[1:]}."
    steps = article_steps(a.body)
    # The first step is heard when one of its longer words is (Whisper garbles short ones);
    # words of the title do not count, the agent may repeat the problem back.
    in_title = set(words(title).split())
    longer = sorted({w.lower() for w in re.findall(r"[A-Za-z]{6,}", steps[0] if steps else "")} - in_title)
    heard = r"\b(?:" + "|".join(re.escape(w[:5]) for w in longer) + r")" if longer else _phrase(title)
    return {
        "title": plain(a.title),
        "problem": Field(problem, _phrase(title), _phrase(title)),
        "first_step": Field(steps[0] if steps else "", heard, heard),
    }


def unknown_fields(seed: SeedData) -> Fields:
    """Values that exist nowhere in the seed: a stranger's phone, order numbers and ZIPs on no account.

    Chosen deterministically (the first free value of a fixed sequence), so a
    run is repeatable.
    """
    taken_orders = {normalized(o.id) for o in seed.orders}
    taken_phones = {c.phone for c in seed.customers}
    taken_zips = {normalized(c.zip) for c in seed.customers}
    orders = _free((str(99991 + i) for i in range(1000)), taken_orders, 4)
    zips = _free((d * 5 for d in "123456789"), taken_zips, 3, first=["12345", "54321"])
    phone = _free((f"+1999555{i:04d}" for i in range(10000)), taken_phones, 1)[0]
    out: Fields = {
        "phone": Field(phone, _chars_heard(national(phone)), _chars_heard(national(phone))),
        "phone_words": Field(
            spoken_chars(national(phone)), _chars_heard(national(phone)), _chars_heard(national(phone))
        ),
    }
    for i, value in enumerate(orders, 1):
        out[f"order_{i}"] = number(value)
        out[f"order_{i}_words"] = Field(spoken_chars(value), _chars_heard(value), _chars_heard(value))
    for i, value in enumerate(zips, 1):
        out[f"zip_{i}"] = number(value)
        out[f"zip_{i}_words"] = Field(spoken_chars(value), _chars_heard(value), _chars_heard(value))
    return out


def misheard_number(value: str, seed: SeedData) -> str:
    """The number with its last digit changed, as a line might garble it, naming no order in the seed."""
    taken = {normalized(o.id) for o in seed.orders}
    at = max((i for i, c in enumerate(value) if c.isdigit()), default=-1)
    if at < 0:
        return value + "1"
    for step in range(1, 10):
        candidate = value[:at] + str((int(value[at]) + step) % 10) + value[at + 1 :]
        if normalized(candidate) not in taken:
            return candidate
    return value + "1"


def _money(cents: int) -> Field:
    dollars, rest = divmod(cents, 100)
    said = f"{dollars} dollars" + (f" and {rest} cents" if rest else "")
    return Field(said, _dollars(cents), _dollars(cents))


def _free(candidates: Iterable[str], taken: set[str], n: int, first: list[str] | None = None) -> list[str]:
    out: list[str] = []
    for value in [*(first or []), *candidates]:
        if normalized(value) not in taken and value not in out:
            out.append(value)
            if len(out) == n:
                break
    return out
