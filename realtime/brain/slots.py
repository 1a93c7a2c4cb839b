"""Slot extraction from what callers say, as speech-to-text writes it.

The offline brain has no language model to read "one oh four, eight two" or
"maria at example dot com", so this module turns phone transcripts (Whisper
tiny.en on 8 kHz audio, or Deepgram) into the values the tools need: digit
strings (order numbers, ZIPs, phone numbers), e-mail addresses, yes/no
answers, corrections of a read-back, and choices among offered options or
appointment slots.

Everything here is a pure, deterministic function of its arguments: no I/O,
no clock (callers pass `today`), so a replayed call extracts the same slots.
Every extractor returns None rather than guess when the words do not give a
clear answer; the brain then re-asks or offers the keypad.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from activities import validation

# --------------------------------------------------------------------------
# Number words
# --------------------------------------------------------------------------


def _numbered(words: str, start: int = 0, step: int = 1) -> dict[str, int]:
    return {word: start + i * step for i, word in enumerate(words.split())}


_UNITS = _numbered("zero one two three four five six seven eight nine")
_UNIT_NAMES = {v: k for k, v in _UNITS.items() if v}
# "oh" and "o" are zeros only next to other digits; alone they are interjections.
_WEAK_ZEROS = frozenset({"oh", "o"})
# British and older ways of saying zero: as strong as "zero" itself.
_ZERO_WORDS = frozenset({"zero", "nought", "naught", "nil", "nada"})
_TEENS = _numbered("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen", 10)
_TENS = _numbered("twenty thirty forty fifty sixty seventy eighty ninety", 20, 10)
_TENS["fourty"] = 40  # a misspelling STT vocabularies contain
_SCALES = {"hundred": 100, "thousand": 1000}
_REPEATS = {"double": 2, "triple": 3}
_FILLERS = frozenset({"uh", "um", "umm", "uhm", "uhh", "er", "erm", "ah", "hmm", "mm"})
# Punctuation STT puts between digit groups ("415-555-0101", "9, 4, 1", "#10482").
_JOINERS = frozenset({",", "-", "\u2013", "\u2014", "/", "(", ")", "#", "+"})
_NUMBER_WORD_KINDS = frozenset({"unit", "zero", "weak", "teen", "tens", "hundred", "thousand"})

_DIGIT_TOKEN = re.compile(r"\d+(?:st|nd|rd|th)\b|\d+|[a-z]+(?:'[a-z]+)*|\S")


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Run:
    digits: str
    negated: bool  # directly after "not" / "isn't": the caller is ruling it out


def _clean(text: str) -> str:
    """Lower case with straight apostrophes: the one form every matcher here reads."""
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


def _kind(word: str) -> tuple[str, int]:
    """What role a token can play in a spoken number, and its value."""
    if word.isdigit():
        return "num", 0
    if word in _ZERO_WORDS:
        return "zero", 0
    if word in _UNITS:
        return "unit", _UNITS[word]
    if word in _WEAK_ZEROS:
        return "weak", 0
    if word in _TEENS:
        return "teen", _TEENS[word]
    if word in _TENS:
        return "tens", _TENS[word]
    if word in _SCALES:
        return word, _SCALES[word]
    if word in _REPEATS:
        return "repeat", _REPEATS[word]
    if word in _FILLERS or word in _JOINERS:
        return "joiner", 0
    if word in {"and", ".", "a"}:
        return word, 0
    return "other", 0


def _is_single_digit(tok: _Token) -> bool:
    kind, _ = _kind(tok.text)
    return kind in {"unit", "zero", "weak"} or (kind == "num" and len(tok.text) == 1)


class _RunBuilder:
    """Accumulates one digit run, composing "forty two" and "one hundred" on the way."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.parts: list[str] = []
        self.strong = False  # holds a real digit, not only "oh"s
        self.first = -1  # token index where the run began
        self.repeat = 1  # pending "double"/"triple"
        self.after_pause = False  # a "," or "." since the last real digit
        self.weak_tail = 0  # trailing "oh"s said after such a pause
        # An open compound number: high is the thousands part, low the rest, and
        # state the last word ("unit", "teen", "tens", "tens_unit", "hundred",
        # "hundred0", "thousand", "closed"), which decides what may extend it.
        self.high = 0
        self.low = 0
        self.state = ""
        self.last_word = False
        self.last_single = False
        self.last_numeral = False

    @property
    def active(self) -> bool:
        return bool(self.parts) or bool(self.state) or self.repeat > 1

    def _begin(self, index: int) -> None:
        if self.first < 0:
            self.first = index

    def _close_group(self) -> None:
        if self.state:
            self.parts.append(str(self.high + self.low))
            self.high = self.low = 0
            self.state = ""

    def _real_digit(self) -> None:
        self.strong = True
        self.after_pause = False
        self.weak_tail = 0

    def set_repeat(self, times: int, index: int) -> None:
        self._begin(index)
        self.repeat = times

    def numeral(self, text: str, index: int) -> None:
        self._begin(index)
        self._close_group()
        if self.repeat > 1 and len(text) == 1:
            text *= self.repeat
        self.repeat = 1
        self.parts.append(text)
        self._real_digit()
        self.last_word, self.last_single, self.last_numeral = False, len(text) == 1, True

    def zero(self, weak: bool, index: int) -> None:
        self._begin(index)
        self.last_word, self.last_single, self.last_numeral = True, True, False
        if self.state == "hundred" and self.repeat == 1:
            # "one hundred oh five" is 105, not 1000 5.
            self.state = "hundred0"
            return
        self._close_group()
        self.parts.append("0" * self.repeat)
        if not weak or self.repeat > 1:
            self._real_digit()
        elif self.after_pause:
            self.weak_tail += 1
        self.repeat = 1

    def word(self, kind: str, value: int, index: int) -> None:
        self._begin(index)
        self._real_digit()
        self.last_word, self.last_single, self.last_numeral = True, kind == "unit", False
        if self.repeat > 1:
            # "double seven" repeats one digit; it never opens a compound number.
            self._close_group()
            self.parts.append(str(value) * self.repeat if kind == "unit" else str(value))
            self.repeat = 1
            return
        st = self.state
        if kind == "unit":
            if st == "tens":
                self.low, self.state = self.low + value, "tens_unit"
            elif st in {"hundred", "hundred0"}:
                self.low, self.state = self.low + value, "closed"
            elif st == "thousand":
                self.low, self.state = value, "unit"
            else:
                self._close_group()
                self.low, self.state = value, "unit"
        elif kind in {"teen", "tens"}:
            if st == "hundred":
                self.low, self.state = self.low + value, "closed" if kind == "teen" else "tens"
            elif st == "thousand":
                self.low, self.state = value, kind
            else:
                self._close_group()
                self.low, self.state = value, kind
        elif kind == "hundred":
            if st in {"unit", "teen", "tens", "tens_unit"} and 1 <= self.low < 100:
                self.low, self.state = self.low * 100, "hundred"
            else:
                self._close_group()
                self.low, self.state = 100, "hundred"
        elif kind == "thousand":
            if st and st != "thousand" and self.high == 0 and self.low >= 1:
                self.high, self.low, self.state = self.low * 1000, 0, "thousand"
            else:
                self._close_group()
                self.high, self.low, self.state = 1000, 0, "thousand"

    def joiner(self, text: str) -> None:
        # "Oh, 10482": a leading "oh" cut off by punctuation was an interjection.
        if text in {",", "."}:
            if not self.strong:
                self.reset()
            else:
                self.after_pause = True

    def finish(self) -> tuple[str | None, int]:
        self._close_group()
        # "10482, oh, and...": an "oh" after a pause that ends the run was an interjection.
        if self.weak_tail:
            del self.parts[-self.weak_tail :]
        result = "".join(self.parts) if self.strong and self.parts else None
        first = self.first
        self.reset()
        return result, first


def _negated(tokens: list[_Token], first: int) -> bool:
    """Whether the run starting at token `first` follows "not", "isn't", "wasn't"..."""
    j = first - 1
    while j >= 0 and _kind(tokens[j].text)[0] == "joiner":
        j -= 1
    if j < 0:
        return False
    word = tokens[j].text
    return word in {"not", "never"} or word.endswith("n't")


_ELLIPSIS = re.compile(r"\s*(?:\.{2,}|\u2026)\s*")
# Whisper writes a pause inside a number as a full stop ("W104. 757", "8.08, triple 5, 2.5.92"):
# between digits it is a pause, like a comma, never a sentence's end or a decimal point callers say.
_DIGIT_STOP = re.compile(r"(?<=\d)\.\s*(?=\d)")


def _scan(text: str) -> list[_Run]:
    # A trailing-off pause ("six one seven... five five five") is a pause, like a comma.
    text = _DIGIT_STOP.sub(", ", _ELLIPSIS.sub(", ", _clean(text)))
    tokens = [_Token(m.group(), m.start(), m.end()) for m in _DIGIT_TOKEN.finditer(text)]
    runs: list[_Run] = []
    b = _RunBuilder()

    def flush() -> None:
        digits, first = b.finish()
        if digits:
            runs.append(_Run(digits, _negated(tokens, first)))

    for i, tok in enumerate(tokens):
        kind, value = _kind(tok.text)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if kind == "num":
            b.numeral(tok.text, i)
        elif kind in {"zero", "weak"}:
            b.zero(kind == "weak", i)
        elif kind in _NUMBER_WORD_KINDS:
            b.word(kind, value, i)
        elif kind == "repeat":
            if nxt is not None and _is_single_digit(nxt):
                b.set_repeat(value, i)
            else:
                flush()
        elif kind == "joiner":
            if b.active:
                b.joiner(tok.text)
        elif kind == "and":
            # "one hundred and five", "four and two": only between number words.
            if not (
                b.active and b.last_word and nxt is not None and _kind(nxt.text)[0] in _NUMBER_WORD_KINDS
            ):
                flush()
        elif kind == ".":
            prev = tokens[i - 1] if i else None
            glued = (
                b.last_numeral
                and prev is not None
                and nxt is not None
                and prev.end == tok.start
                and tok.end == nxt.start
                and nxt.text.isdigit()
            )  # "415.555.0101"
            spelled = b.last_single and nxt is not None and _is_single_digit(nxt)  # "One. Oh. Four."
            if b.active and (glued or spelled):
                b.joiner(".")
            else:
                flush()
        elif kind == "a" and nxt is not None and nxt.text in _SCALES:
            b.word("unit", 1, i)  # "a hundred"
        else:
            flush()
    flush()
    return runs


def digit_runs(text: str) -> list[str]:
    """Every digit string the caller said, in order.

    Reads numerals ("10482", "#10482", "10-482", "7-3-1-9-4", "1 0 4 8 2"),
    digit words ("one oh four eight two"), repeats ("double seven" → "77"),
    and compound numbers ("forty two" → "42", "ten four eight two" →
    "10482", "one hundred" → "100"). A run continues across spaces, commas,
    dashes, fillers ("uh") and "and" between number words; any other word
    ends it. "oh"/"o" count as 0 only next to other digits.

    Args:
        text: One caller utterance as transcribed.

    Returns:
        The digit strings, in the order spoken (possibly empty).
    """
    return [r.digits for r in _scan(text)]


def _pick_last(text: str, accept: Callable[[str], str | None]) -> str | None:
    """The last run (corrections come last) that `accept` turns into a value."""
    for run in reversed(_scan(text)):
        if run.negated:
            continue
        value = accept(run.digits)
        if value is not None:
            return value
    return None


def digits(text: str, min_len: int = 1, max_len: int = 20) -> str | None:
    """The longest digit run whose length is within bounds.

    Ties go to the last run, since corrections come last ("no, not 10482,
    it's 10483" → "10483"). Runs the caller rules out ("it's 10483, not
    10482") are skipped.

    Args:
        text: One caller utterance.
        min_len: Fewest digits accepted.
        max_len: Most digits accepted.

    Returns:
        The digit string, or None when no run fits.
    """
    best: str | None = None
    for run in _scan(text):
        if run.negated or not min_len <= len(run.digits) <= max_len:
            continue
        if best is None or len(run.digits) >= len(best):
            best = run.digits
    return best


def order_number(text: str) -> str | None:
    """An order number as the caller says it: letters and digits, or a run of 3 to 12 digits.

    Shops name orders with letters ("SO-7781", "A1B2C3"): "S O seven seven eight
    one", "order number A B 1 2 3 4" and "SO-7781" give "SO7781" / "AB1234"
    (upper-cased, as `activities.validation.order_id` normalises). Letters may
    be spelled the phone way: "S as in Sam, O as in Oscar, seven, three,
    seventy" and "sierra oscar seven three seven zero" give "SO7370". Without
    letters it is the longest digit run (see `digits`): "hash one oh oh one" →
    "1001".

    Args:
        text: One caller utterance.

    Returns:
        The order number, or None.
    """
    lettered = _lettered_orders(text)
    if lettered:
        return lettered[-1]  # corrections come last
    return digits(text, 3, 12)


# An order name said with letters: single spelled letters, a short capitalised prefix ("SO"),
# or a token mixing letters and digits ("A1B2C3"), next to digits: any shop's naming scheme.
_ORDER_TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*|\d+|[^\sA-Za-z\d]")
_ORDER_JOINERS = frozenset({"-", "#", ".", ",", "/"})
# Capitalised words that come before numbers without being part of an order name.
_NOT_PREFIXES = frozenset({"OK", "ID", "PIN", "ZIP", "UPS", "USPS", "DHL", "AM", "PM", "TV", "USA", "CA"})
# "2nd", "10am", "1990s": numbers with a suffix, never order names.
_SUFFIXED = re.compile(r"\d+(st|nd|rd|th|am|pm|s)", re.I)


def _order_piece(tokens: list[str], i: int, prev: str, lettered: bool) -> str:
    """What token `i` is inside a spoken order name: L(etter), D(igit), J(oiner) or "" (none).

    `prev` is the previous token's piece, `lettered` whether the name so far has a letter.
    """
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if tok.isalpha():
        if len(tok) == 1:
            if tok == "O" and prev == "D" and not lettered:
                return "D"  # "one O four": among digits only, a zero (in "B zero O one", the letter)
            if prev == "L":
                return "L"  # inside a spelled run, "O" is the letter: "S O seven…"
            if tok == "I" and len(nxt) > 1 and nxt.isalpha() and nxt.islower() and not _order_word(nxt):
                return ""  # "…double eight, I hope that's the one": the pronoun, not a letter
            if nxt.isalpha() and len(nxt) == 1 and tok not in "ai":
                return "L"  # "A B 1 2 3 4" starts a spelled run (lower-case "a", "i" are words)
            if tok.isupper():
                return "L"  # "C 1001"; a lone "A", "I" or "O" may be a word (see `_weak_letter`)
        elif tok.isupper() and len(tok) <= 4 and tok not in _NOT_PREFIXES and (nxt.isdigit() or nxt == "-"):
            return "L"  # "SO-7781", "INV 2231": a capitalised prefix right before its number
        if tok.lower() in {"dash", "hyphen"} or tok.lower() in _FILLERS:
            return "J"  # "S O dash seven seven eight one", "S like Sam, uh, seven three…"
        kind, _ = _kind(tok.lower())
        return "D" if kind in _NUMBER_WORD_KINDS or kind == "repeat" else ""
    if tok.isdigit():
        return "D"
    return "J" if tok in _ORDER_JOINERS else ""


def _order_word(word: str) -> bool:
    """A word that may be part of a spoken order name: a number word, "dash", a filler."""
    w = word.lower()
    kind = _kind(w)[0]
    return w in {"dash", "hyphen"} or w in _FILLERS or kind in _NUMBER_WORD_KINDS or kind == "repeat"


def _weak_letter(tokens: list[str], i: int) -> bool:
    """Whether the letter token `i` may be a word: "I", or "A"/"O" opening a sentence.

    Such a letter counts only in a name with another letter ("A one B two") or glued to its
    number ("A-4761"); alone it is the pronoun, the article or "oh" ("A 10482", "I 10482").
    STT capitalises a sentence's first word, so "order A 4761" keeps its "A".
    """
    tok = tokens[i]
    glued = i + 1 < len(tokens) and tokens[i + 1] == "-"
    opens = i == 0 or tokens[i - 1] in {".", "!", "?", ","}
    return not glued and (tok == "I" or (tok in ("A", "O") and opens))


def _lettered_orders(text: str) -> list[str]:
    """Every order number with letters in `text`, in order ("SO7781", "AB1234", "A1B2C3")."""
    text = text.replace("\u2019", "'")
    whole: list[str] = []
    words = text.split()
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        core = word.strip(".,;:!?")
        if _SUFFIXED.fullmatch(core) or not re.fullmatch(r"#?[A-Z0-9]+(?:-[A-Z0-9]+)*", core):
            continue  # lower or mixed case ("iPhone15") is a word, not an order name
        flat = core.replace("-", "").lstrip("#")
        if flat.upper() not in _NOT_PREFIXES and sum(c.isdigit() for c in flat) >= 2 and not flat.isdigit():
            # Written as one token ("A1B2C3", "SO-7781"), and the digits after a pause Whisper wrote
            # as a full stop or a space ("W104. 757"); a comma ends it ("W104, 96768 is the ZIP").
            while not word.endswith(",") and i < len(words) and words[i].strip(".,;:!?").isdigit():
                word = words[i]
                flat += word.strip(".,;:!?")
                i += 1
            whole.append(flat)
    # A name written as one token is the clearer reading; spelled-out ones otherwise.
    return [c for c in (whole or _spelled_orders(text)) if _valid_order(c)]


# The spelling alphabet callers use ("S as in Sam, O as in Oscar" or "sierra oscar").
_SPELLING_WORDS = {
    word: word[0].upper()
    for word in (
        "alpha alfa bravo charlie delta echo foxtrot golf hotel india juliet juliett kilo lima mike"
        " november oscar papa quebec romeo sierra tango uniform victor whiskey whisky xray yankee zulu"
    ).split()
}
# What joins a spelled letter to its example word: "S as in Sam", "S like Sierra", "B for Bravo".
# (Whisper writes "W as in whiskey" as "W is in whiskey" often enough.)
_EXAMPLE_CUES = (("as", "in"), ("is", "in"), ("like",), ("for",))
_SPELLING_GAPS = frozenset({",", "-", "."})


def _example_cue(tokens: list[str], i: int) -> int:
    """How many tokens of a cue ("as in", "like", "for") start at `i`, possibly after a comma; 0 if none."""
    j = i + 1 if i < len(tokens) and tokens[i] == "," else i
    for cue in _EXAMPLE_CUES:
        if [t.lower() for t in tokens[j : j + len(cue)]] == list(cue):
            return j - i + len(cue)
    return 0


def _letter_with_example(tokens: list[str], i: int) -> int:
    """Tokens taken by a letter named with an example at `i` ("S as in Sam", "o like Oscar"); 0 if none.

    With "as in" any example names the letter said; "like" and "for" are everyday words, so
    there the example must start with the letter ("I like Oscar" is no letter), and for the
    pronoun "I" be "India" ("I like Italian" is no letter either).
    """
    tok = tokens[i]
    letter = "O" if tok.lower() == "oh" else tok.upper()
    if len(letter) != 1 or not letter.isalpha():
        return 0
    cue = _example_cue(tokens, i + 1)
    example = tokens[i + 1 + cue] if cue and i + 1 + cue < len(tokens) else ""
    if not example.isalpha() or (tok.lower() == "oh" and example[0].upper() != "O"):
        return 0
    if tokens[i + cue].lower() != "in" and (
        example[0].upper() != letter or (letter == "I" and example.lower() != "india")
    ):
        return 0
    return 1 + cue + 1


def _spelling_word(tokens: list[str], i: int) -> tuple[str, int]:
    """The letter a spelling-alphabet word at `i` stands for ("oscar", "x-ray"), and its token count."""
    if tokens[i].lower() == "x" and [t.lower() for t in tokens[i + 1 : i + 3]] == ["-", "ray"]:
        return "X", 3
    letter = _SPELLING_WORDS.get(tokens[i].lower(), "")
    return letter, 1 if letter else 0


def _spell_out(tokens: list[str]) -> tuple[list[str], set[int]]:
    """Tokens with spelled letters reduced to the letter, and the indexes of letters so named.

    "S as in Sam" and "S like Sierra" become "S" (the example adds no letter); a
    spelling-alphabet word becomes its letter when a neighbour (across a comma or dash) is a
    spelled letter too ("sierra oscar seven…", "S as in Sam, Oscar…"), since alone it is
    more likely a name or a word ("Oscar 10482", "November").
    """
    out: list[str] = []
    named: set[int] = set()  # letters said with an example: surely letters
    alphabet: dict[int, str] = {}  # spelling-alphabet words (as said), letters if a neighbour is one
    i = 0
    while i < len(tokens):
        taken = _letter_with_example(tokens, i)
        if taken:
            named.add(len(out))
            out.append("O" if tokens[i].lower() == "oh" else tokens[i].upper())
            i += taken
            continue
        letter, taken = _spelling_word(tokens, i)
        if taken:
            alphabet[len(out)] = "".join(tokens[i : i + taken])
            out.append(letter)
            i += taken
            continue
        out.append(tokens[i])
        i += 1

    def neighbours(k: int) -> list[int]:
        found = []
        for step in (-1, 1):
            j = k + step
            while 0 <= j < len(out) and out[j] in _SPELLING_GAPS:
                j += step
            if 0 <= j < len(out):
                found.append(j)
        return found

    def is_letter(j: int) -> bool:
        return j in named or j in alphabet or (len(out[j]) == 1 and out[j].isupper())

    sure = set(named)
    for k, said in alphabet.items():
        if any(is_letter(j) for j in neighbours(k)):
            sure.add(k)
        else:
            out[k] = said  # a word after all, which ends any name
    return out, sure


def _spelled_orders(text: str) -> list[str]:
    """Order numbers spelled out piece by piece: "S O seven seven eight one", "A B 1 2 3 4".

    Letters may be named with an example ("S as in Sam", "O like Oscar") or by a
    spelling-alphabet word ("sierra oscar seven three two four"); see `_spell_out`.
    """
    tokens, sure = _spell_out([m.group() for m in _ORDER_TOKEN.finditer(text)])
    out: list[str] = []
    value, chunk, prev, has_letter, weak = "", [], "", False, False
    for i in range(len(tokens) + 1):
        piece = "" if i >= len(tokens) else "L" if i in sure else _order_piece(tokens, i, prev, has_letter)
        if piece in ("D", "J"):
            # After a letter, "oh" is a zero even after a pause ("five E, oh oh three").
            zero = has_letter and tokens[i].lower() in _WEAK_ZEROS
            chunk.append("zero" if zero else tokens[i])
        elif piece == "L":
            value += "".join(digit_runs(" ".join(chunk))) + tokens[i].upper()
            named = i in sure
            weak = weak or (not named and not has_letter and not value[:-1] and _weak_letter(tokens, i))
            chunk, has_letter = [], True
        else:
            value += "".join(digit_runs(" ".join(chunk)))
            lone = weak and sum(c.isalpha() for c in value) == 1  # "A 10482": no letters after all
            if has_letter and not lone and any(c.isdigit() for c in value):
                out.append(value)
            value, chunk, has_letter, weak = "", [], False, False
        prev = piece
    return out


def _valid_order(value: str) -> bool:
    try:
        validation.order_id(value)
    except ValueError:
        return False
    return True


def _as_zip(run: str) -> str | None:
    return run[:5] if len(run) in {5, 9} else None


def _as_phone(run: str) -> str | None:
    if len(run) == 10 or (len(run) == 11 and run.startswith("1")):
        return validation.phone(run if len(run) == 10 else "+" + run)
    return None


def _as_order(run: str) -> str | None:
    return run if 3 <= len(run) <= 12 else None


def zip_code(text: str) -> str | None:
    """A US ZIP code: the last run of exactly 5 digits, or 9 (ZIP+4, first 5 kept).

    A phone number (10 digits) is never taken for a ZIP.

    Args:
        text: One caller utterance.

    Returns:
        Five digits, or None.
    """
    return _pick_last(text, _as_zip)


def phone_number(text: str) -> str | None:
    """A US phone number in E.164: 10 digits → "+1…", 11 starting with 1 → "+…".

    Args:
        text: One caller utterance.

    Returns:
        The E.164 number, or None.
    """
    return _pick_last(text, _as_phone)


def _as_last4(run: str) -> str | None:
    # Four digits, or a whole phone number said instead (its last four are the answer).
    if len(run) == 4 or len(run) == 10 or (len(run) == 11 and run.startswith("1")):
        return run[-4:]
    return None


def last4(text: str) -> str | None:
    """The last four digits of a phone number: the last run of exactly four digits.

    "oh one oh one", "0101", "it's 01 01" → "0101"; a whole number said instead
    ("415 555 0101") gives its last four. Runs the caller rules out are skipped.

    Args:
        text: One caller utterance.

    Returns:
        Four digits, or None.
    """
    return _pick_last(text, _as_last4)


# --------------------------------------------------------------------------
# A person's name
# --------------------------------------------------------------------------

# Words around a name that are not the name: lead-ins, politeness, yes/no.
_NAME_LEAD = re.compile(
    r"^(?:(?:yes|yeah|yep|sure|ok|okay|um|uh|so|well|oh|hi|no|nope|sorry|actually|i mean)\b[\s,.]*)*"
    r"(?:(?:the |my )?(?:full )?name(?: on (?:the|my) account)?(?: is|'s)?|it(?: is|'s)|this is|"
    r"i am|i'm|that's|that is|account is|under)?\b[\s,:]*"
)
_NAME_TAIL = re.compile(r"[\s,.]*\b(?:please|thanks|thank you|here|speaking)\b.*$")
_NOT_NAME_WORDS = frozenset(
    "yes yeah no nope not don't dont know sure okay ok the a an and or is it's my account name "
    "number phone zip code order email i what sorry".split()
)


def person_name(text: str) -> str | None:
    """A first and last name said as an answer: "It's Maria Lopez." → "Maria Lopez".

    Two to four words of letters (apostrophes and hyphens kept: "O'Brien",
    "Meyer-Lang") after an optional lead-in ("my name is", "it's", "this is").
    Anything with digits, or words that are plainly not a name ("I don't
    know"), gives None: the brain asks again rather than check a guess.

    Args:
        text: One caller utterance.

    Returns:
        The name in title case, or None.
    """
    t = re.sub(r"\s+", " ", _clean(text)).strip(" .,!?")
    if any(c.isdigit() for c in t):
        return None
    t = _NAME_TAIL.sub("", _NAME_LEAD.sub("", t, count=1)).strip(" .,!?")
    words = [w.strip(".,!?") for w in t.split(" ") if w.strip(".,!?")]
    if not 2 <= len(words) <= 4:
        return None
    if any(w in _NOT_NAME_WORDS or not re.fullmatch(r"[a-z][a-z'\-]*", w) for w in words):
        return None
    return " ".join(w[:1].upper() + w[1:] for w in words)


def name_correction(text: str) -> str | None:
    """A new name inside a reply to a name read-back: "no, it's Maria Lopes" → "Maria Lopes"."""
    if yes_no(text) is not False and not _CORRECTION_CUE.search(_words(text)):
        return None
    rest = re.sub(r"^\W*(?:no|nope|not quite|that's wrong|wrong)\b[\s,.]*", "", _clean(text))
    return person_name(rest)


# --------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------

_INLINE_EMAIL = re.compile(r"[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}")
_EMAIL_TOKEN = re.compile(r"[a-z0-9]+(?:[._%+\-'][a-z0-9]+)*|[@_+\-]")
_SPOKEN_SYMBOLS = {
    "at": "@",
    "dot": ".",
    "period": ".",
    "point": ".",
    "underscore": "_",
    "dash": "-",
    "hyphen": "-",
    "minus": "-",
    "plus": "+",
}
_LOCAL_JOINERS = frozenset({".", "_", "-", "+"})
# Words that introduce an address and must never be glued onto it.
_EMAIL_STOP = frozenset(
    {"is", "my", "email", "mail", "address", "it", "its", "the", "me", "to", "and", "at", "was", "use", "try"}
)


def _email_tokens(text: str) -> list[str]:
    out: list[str] = []
    for raw in _EMAIL_TOKEN.findall(_clean(text)):
        parts = re.split(r"[.\-]", raw)
        if len(parts) >= 3 and all(len(p) == 1 for p in parts):
            out.append("".join(parts))  # "m-a-r-i-a" / "m.a.r.i.a": spelled letters
        elif raw.startswith("dot") and raw[3:] in {"com", "net", "org", "edu", "gov", "io"}:
            out += [".", raw[3:]]  # "dotcom"
        else:
            out.append(_SPOKEN_SYMBOLS.get(raw, raw))
    return _digits_in_address(out)


def _digits_in_address(tokens: list[str]) -> list[str]:
    """Digits said as words glued into one token: "colette three eight" → "colette", "38".

    Numbers said as numbers count too: "jovan eighty-six" → jovan86, "nineteen" → 19, "double
    two" → 22. "oh" is a zero only next to another digit ("bob oh seven" → bob07); alone it stays
    a word.
    """
    words: list[str] = []
    for tok in tokens:
        parts = tok.split("-")
        # "eighty-six" as one token: its parts, when every part is a number word.
        words += parts if len(parts) > 1 and all(p in _UNITS or p in _TENS for p in parts) else [tok]

    def number(w: str) -> bool:
        return w in _UNITS or w in _TEENS or w in _TENS or w.isdigit()

    out: list[str] = []
    run = ""
    i = 0
    while i < len(words):
        tok = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        near_digit = (i > 0 and number(words[i - 1])) or number(nxt)
        digit: str | None = None
        if tok in _UNITS or tok.isdigit():
            digit = str(_UNITS[tok]) if tok in _UNITS else tok
        elif tok == "oh" and near_digit:
            digit = "0"
        elif tok in _TEENS:
            digit = str(_TEENS[tok])
        elif tok in _TENS:
            if _UNITS.get(nxt):
                digit, i = str(_TENS[tok] + _UNITS[nxt]), i + 1
            else:
                digit = str(_TENS[tok])
        elif tok in _REPEATS and nxt in _UNITS:
            digit, i = str(_UNITS[nxt]) * _REPEATS[tok], i + 1
        i += 1
        if digit is not None:
            run += digit
            continue
        if run:
            out.append(run)
            run = ""
        out.append(tok)
    if run:
        out.append(run)
    return out


def _atom(tok: str) -> bool:
    return tok not in _LOCAL_JOINERS and tok != "@" and "'" not in tok


def _local_part(tokens: list[str], at: int) -> str | None:
    j = at - 1
    if j < 0 or not _atom(tokens[j]) or tokens[j] in _EMAIL_STOP:
        return None
    parts = [tokens[j]]
    j -= 1
    while j >= 0:
        head, prev = parts[0], tokens[j]
        if prev in _LOCAL_JOINERS and j >= 1 and _atom(tokens[j - 1]) and tokens[j - 1] not in _EMAIL_STOP:
            parts[:0] = [tokens[j - 1], prev]  # "maria dot lopez", "maria underscore lopez"
            j -= 2
        elif _atom(prev) and len(prev) == 1 and len(head) == 1:
            parts.insert(0, prev)  # spelled letters "m a r i a"
            j -= 1
        elif _atom(prev) and prev.isalpha() and prev not in _EMAIL_STOP and head.isdigit():
            parts.insert(0, prev)  # "maria 84" → maria84
            j -= 1
        elif (
            _atom(prev)
            and len(prev) == 1
            and prev.isalpha()
            and prev not in {"a", "i"}
            and not head.isdigit()
        ):
            parts.insert(0, prev)  # an initial: "j smith" → jsmith
            j -= 1
        else:
            break
    return "".join(parts)


def _domain(tokens: list[str], at: int) -> str | None:
    j = at + 1
    if j < len(tokens) and tokens[j] in {"sign", "symbol"}:
        j += 1  # "at sign"
    if j >= len(tokens) or not _atom(tokens[j]):
        return None
    if "." in tokens[j]:
        label = tokens[j]  # "example.com" as STT wrote it
        j += 1
    else:
        # First label up to the first "dot": "example", "g mail", "my-site".
        pieces: list[str] = []
        while j < len(tokens) and tokens[j] != "." and (_atom(tokens[j]) or tokens[j] == "-"):
            pieces.append(tokens[j])
            j += 1
        words = [p for p in pieces if p != "-"]
        if not words or (len(words) > 3 and not all(len(w) == 1 for w in words)):
            return None
        label = "".join(pieces)
    while j + 1 < len(tokens) and tokens[j] == "." and _atom(tokens[j + 1]):
        label += "." + tokens[j + 1]
        j += 2
    return label


def email(text: str) -> str | None:
    """An e-mail address from its spoken or written form, lower-cased.

    Understands "maria@example.com", "maria at example dot com",
    "m a r i a at example dot com" (spelled letters), "maria underscore
    lopez", "maria dash lopez", "maria dot lopez at gmail dot com" and
    trailing punctuation ("Maria at Example.com."). The local part is the
    word (or glued words) right before "at"; preamble such as "my email is"
    is left out. The result passes `activities.validation.email`.

    Args:
        text: One caller utterance.

    Returns:
        The address, or None when nothing plausible was said.
    """
    cleaned = _clean(text)
    for m in reversed(list(_INLINE_EMAIL.finditer(cleaned))):
        try:
            return validation.email(m.group().strip("._-+"))
        except ValueError:
            continue
    tokens = _email_tokens(text)
    for at in reversed([i for i, t in enumerate(tokens) if t == "@"]):
        local, domain = _local_part(tokens, at), _domain(tokens, at)
        if local and domain:
            try:
                return validation.email(f"{local}@{domain}")
            except ValueError:
                continue
    return None


# --------------------------------------------------------------------------
# Yes / no
# --------------------------------------------------------------------------


def _words(text: str) -> str:
    """Lower case, straight apostrophes, "uh-huh" → "uh huh", no punctuation, single spaces."""
    t = _clean(text)
    t = re.sub(r"\b([ap])\.\s?m\.?", r"\1m", t)
    t = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", t)
    t = re.sub(r"[^\w':]+", " ", t)
    return re.sub(r"\s+", " ", t).strip()


# Phrases that contain a negative word but mean yes; read first and removed.
_YES_DESPITE_NO = re.compile(
    r"\b(no problem|no worries|not a problem|no bother|no trouble|why not|(i )?don'?t mind|do not mind|"
    r"no doubt)\b"
)
# Uncertainty is neither yes nor no ("I'm not sure" must not count as "sure").
_UNSURE = re.compile(
    r"\b(not (really )?sure|not certain|(i )?don'?t know|do not know|dunno|no idea|"
    r"(i )?don'?t remember|can'?t remember|maybe|perhaps)\b"
)
_NO = re.compile(
    r"\b(no|nope|nah|naw|nay|negative|wrong|incorrect|not|never|"
    r"don'?t|didn'?t|doesn'?t|isn'?t|wasn'?t|won'?t|can'?t|cannot|haven'?t|hasn'?t|aren'?t|"
    r"still (broken|down|the same|happening|slow|dropping)|same (problem|issue)|no luck|nothing changed|"
    r"^nothing( happened| at all)?$|no dice|nada|zilch|not a thing|same thing|same as before|"
    r"still (doing|does|did) (it|that|the same)|still (there|going on|at it)|"
    r"nothing('?s| has) changed|no (different|better|change))\b"
)
_YES = re.compile(
    # "Correct it to W104766" asks for a change: the verb is no yes.
    r"\b(yes|yeah|yea|yeh|yep|yup|ya|yah|correct(?! (it|that|this|the|to|me|my)\b)|right|all right|alright|"
    r"sure|ok|okay|"
    r"please do|go ahead|do it|absolutely|definitely|certainly|of course|uh huh|mm hmm|mhm|"
    r"affirmative|exactly|indeed|sounds good|sounds great|perfect|great|fine|good|that works|"
    r"works for me|it did|it worked|it works|that fixed it|fixed it|that did it|that's it|"
    r"it's working|working now|i think so|i guess so|you got it|true|"
    # How else English speakers say yes to a read-back or an offer.
    r"spot on|bang on|dead on|on the nose|that's the one|the very one|that is it|that's right|"
    r"you'?re right|you are right|you have it|you'?ve got it|got it|nailed it|bingo|aye|yessir|"
    r"yes sir|yes ma'?am|yas|yass|kk|mm hm|mhmm|mmhm|uh hum|totally|for sure|you bet|"
    r"sure thing|go for it|do that|sounds right|that'?s lovely|lovely|brilliant|cool|"
    r"precisely|just so|that's correct|that is correct|that's accurate|accurate|confirmed|"
    r"i confirm|roger|yea verily|do the needful|(please |kindly )?proceed|"
    # A fix that worked, as people say it at "did that help?".
    r"did the trick|done the trick|(that|this|it)('s| has| is)? (done|sorted|solved|fixed|cured) it|"
    r"(it'?s|it is|that'?s|that is) (sorted|grand|behaving|back to normal|all good)|"
    r"(it'?s|it is|it has|it'?s after) (come|coming|came) (back )?on|back (on|up) and running|"
    r"(it'?s|it is) (back )?on now)\b"
)


def yes_no(text: str) -> bool | None:
    """The caller's answer to a yes/no question.

    A leading "no" wins ("no, that's right, it's 10483" is a correction);
    otherwise the last clause that answers does ("yeah, it didn't work" is a
    no; "I'm not very good with these things, that's correct" a yes). Phrases such as "no
    problem" count as yes, and uncertainty ("I'm not sure", "I don't know")
    as neither.

    Args:
        text: One caller utterance.

    Returns:
        True for yes, False for no, None when the words say neither.
    """
    # "Uh-uh" (no) is told from fillers ("uh, uh, yes") only by its hyphen.
    if re.search(r"\b(uh|nuh|mm|hm)-(uh|mm)\b", _clean(text)):
        return False
    clauses = [c for c in (_words(c) for c in _CLAUSE_BREAK.split(_clean(text))) if c]
    if not clauses:
        return None
    if _LEADING_NO.match(clauses[0]):
        return False  # "no, that's right, it's 10483": a correction, whatever follows
    # Otherwise the last clause that answers: "I'm not very good with these things, that's
    # correct" is a yes, "yeah, it didn't work" a no.
    for clause in reversed(clauses):
        verdict = _clause_yes_no(clause)
        if verdict is not None:
            return verdict
    return None


_CLAUSE_BREAK = re.compile(r"[,.;:!?\u2026]+|\s[-\u2013\u2014]\s|\bbut\b")
# "No bother, that's right" and "no problem" are yeses said with a "no" in front.
_LEADING_NO = re.compile(
    r"^(no(?! (problem|problems|worries|bother|trouble|doubt)\b)|nope|nah|naw|nay|negative|wrong|incorrect|"
    r"not (quite|really|exactly))\b"
)


def _clause_yes_no(t: str) -> bool | None:
    """One clause's answer: any negative cue wins inside it ("yes it's not working" is a no)."""
    positive = bool(_YES_DESPITE_NO.search(t))
    t = _UNSURE.sub(" ", _YES_DESPITE_NO.sub(" ", t))
    if _NO.search(t):
        return False
    if positive or _YES.search(t):
        return True
    return None


_CORRECTION_CUE = re.compile(r"\b(actually|i mean|i said|should be|sorry)\b")


def correction(text: str, kind: Literal["order", "zip", "phone", "last4"]) -> str | None:
    """The new value when the caller rejects a read-back and gives it at once.

    "no, it's 10483", "no it's nine four one one oh", "actually it's 10483",
    "it's 10483, not 10482" → the new value; a plain "no" or a rejection
    without a value of that kind → None.

    Args:
        text: The caller's reply to a read-back.
        kind: Which slot was read back.

    Returns:
        The corrected value (as `order_number`, `zip_code`, `phone_number`
        or `last4` would return it), or None.
    """
    if yes_no(text) is not False and not _CORRECTION_CUE.search(_words(text)):
        return None
    if kind == "order" and (lettered := _lettered_orders(text)):
        return lettered[-1]  # "no, it's S O seven seven eight two"
    accept = {"order": _as_order, "zip": _as_zip, "phone": _as_phone, "last4": _as_last4}[kind]
    return _pick_last(text, accept)


# --------------------------------------------------------------------------
# Choices among offered options
# --------------------------------------------------------------------------

_ORDINAL_UNITS = "first second third fourth fifth sixth seventh eighth ninth"
_ORDINAL_WORDS = _numbered(
    f"{_ORDINAL_UNITS} tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth"
    " seventeenth eighteenth nineteenth",
    1,
)
_ORDINAL_WORDS |= {f"twenty {word}": 21 + i for i, word in enumerate(_ORDINAL_UNITS.split())}
_ORDINAL_WORDS |= {"twentieth": 20, "thirtieth": 30, "thirty first": 31}

_CARDINAL_WORDS = {**{k: v for k, v in _UNITS.items() if v}, **_TEENS, "twenty": 20, "thirty": 30}
_CARDINAL_WORDS |= {f"twenty {_UNIT_NAMES[n]}": 20 + n for n in range(1, 10)}
_CARDINAL_WORDS["thirty one"] = 31


def _alternation(words: dict[str, int]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_ORD_WORD = _alternation(_ORDINAL_WORDS)
_CARD_WORD = _alternation(_CARDINAL_WORDS)
_ORD_NUM = r"\d{1,2}(?:st|nd|rd|th)"
# Phrases where "second", "first" or "last" are not a choice.
_NOT_A_CHOICE = re.compile(
    r"\b((a|one|just a|wait a|hold on a) (second|sec)|at first|first of all|at last|"
    r"last (time|week|month|year|night|call|order))\b"
)
_CHOICE_NOUN = r"(?: (?:one|option|choice|slot|time|appointment|day))"


_MIDDLE = 0  # position code of "the middle one"


@dataclass(frozen=True)
class _Choice:
    start: int
    position: int  # 1-based from the start; -1 the last, -2 the second to last; _MIDDLE
    explicit: bool  # "the second one", "option 2": surely a choice, not a day of the month
    day: int | None  # the day of the month the same words could mean ("the second")
    negated: bool  # "not the first"

    def index(self, n: int) -> int | None:
        """The 0-based option index among `n` (may be out of range), or None."""
        if self.position == _MIDDLE:
            return n // 2 if n % 2 else None
        return self.position - 1 if self.position > 0 else n + self.position


# Most specific first; each match is blanked out so "the second to last" is not also "the second".
# A None position is read from the match's first group.
_CHOICE_PATTERNS: list[tuple[re.Pattern[str], int | None, bool]] = [
    (re.compile(r"\b(?:the )?(?:second|next) (?:to )?last\b|\bpenultimate\b"), -2, True),
    (re.compile(r"\b(?:the )?(?:very )?last(?: one)?\b|\bthe latter\b"), -1, True),
    (re.compile(r"\b(?:the )?former\b"), 1, True),
    (re.compile(r"\b(?:the )?middle(?: one)?\b"), _MIDDLE, True),
    (re.compile(rf"\b(?:number|option|choice|slot) (\d{{1,2}}|{_CARD_WORD})\b"), None, True),
    (re.compile(rf"\b(?:the )?({_ORD_WORD}|{_ORD_NUM}){_CHOICE_NOUN}\b"), None, True),
    (re.compile(rf"\b(?:on )?(?:the )?({_ORD_WORD}|{_ORD_NUM})\b"), None, False),
]


def _ordinal_value(word: str) -> int:
    if word[0].isdigit():
        return int(re.sub(r"\D", "", word))
    return _ORDINAL_WORDS.get(word) or _CARDINAL_WORDS[word]


def _is_negated(t: str, start: int) -> bool:
    return bool(
        re.search(r"\bnot (?:on |at |in |the |in the |on the |at the )?$", t[max(0, start - 16) : start])
    )


def _mask(t: str, start: int, end: int) -> str:
    return t[:start] + " " * (end - start) + t[end:]


def _choices(t: str) -> tuple[list[_Choice], str]:
    """Ordinal mentions in normalised text `t`, and `t` with them blanked out."""
    found: list[_Choice] = []
    t = _NOT_A_CHOICE.sub(lambda m: " " * len(m.group()), t)
    for rx, fixed, explicit in _CHOICE_PATTERNS:
        for m in list(rx.finditer(t)):
            position = fixed if fixed is not None else _ordinal_value(m.group(1))
            day = None if explicit else position
            found.append(_Choice(m.start(), position, explicit, day, _is_negated(t, m.start())))
            t = _mask(t, m.start(), m.end())
    found.sort(key=lambda c: c.start)
    return found, t


def ordinal_choice(text: str, n: int) -> int | None:
    """Which of `n` offered options the caller picked, by position.

    "the first one", "second", "number two", "option 3", "the 2nd", "the
    last one", "the second to last", "the middle one" (odd n). The last
    mention wins, except one the caller rules out ("not the first, the
    second" → 1). "Wait a second" and "last time" are not choices.

    Args:
        text: One caller utterance.
        n: How many options were offered.

    Returns:
        The 0-based index, or None when no choice was named or it is out of range.
    """
    mentions, _ = _choices(_words(text))
    for c in reversed(mentions):
        if c.negated:
            continue
        index = c.index(n)
        return index if index is not None and 0 <= index < n else None
    return None


# --------------------------------------------------------------------------
# Appointment times
# --------------------------------------------------------------------------

_WEEKDAYS = tuple("monday tuesday wednesday thursday friday saturday sunday".split())
_MONTH_NUM = _numbered(
    "january february march april may june july august september october november december", 1
)
# Short forms as STT sometimes writes them ("Dec 3rd").
_MONTH_NUM |= {m[:3]: n for m, n in list(_MONTH_NUM.items())} | {"sept": 9}
_MONTH_RE = _alternation(_MONTH_NUM)
_DAY_RE = rf"\d{{1,2}}(?:st|nd|rd|th)?|{_ORD_WORD}|{_CARD_WORD}"
_HOUR_WORDS = {k: v for k, v in _CARDINAL_WORDS.items() if 1 <= v <= 12 and " " not in k}
_HOUR_RE = rf"\d{{1,2}}|{_alternation(_HOUR_WORDS)}"
_MINUTE_WORDS = {"fifteen": 15, "thirty": 30, "forty five": 45, "o five": 5, "oh five": 5, "forty": 40}

_Cue = Callable[[int, datetime], bool]  # (option index, option start) -> satisfied?


# Cue factories: each binds its values now, so a cue built in a loop keeps its own.
def _on_date(day: date) -> _Cue:
    return lambda _, dt: dt.date() == day


def _on_month_day(month: int, day: int | None) -> _Cue:
    return lambda _, dt: dt.month == month and (day is None or dt.day == day)


def _on_day_of_month(day: int) -> _Cue:
    return lambda _, dt: dt.day == day


def _on_weekday(weekday: int, after: date | None = None) -> _Cue:
    return lambda _, dt: dt.weekday() == weekday and (after is None or dt.date() > after)


def _in_hours(start: int, end: int) -> _Cue:
    return lambda _, dt: start <= dt.hour < end


def _is_option(index: int | None) -> _Cue:
    return lambda i, _: i == index


def _on_the_hour(_: int, dt: datetime) -> bool:
    return dt.minute == 0


def _is_start(when: datetime) -> _Cue:
    return lambda _, dt: dt == when


@dataclass(frozen=True)
class _TimeCue:
    test: _Cue
    negated: bool  # "not Thursday": the option must fail the test
    soft: bool = False  # only breaks ties ("at 2" prefers 2:00 over 2:30)


def _day_value(word: str) -> int | None:
    word = word.strip()
    if word[0].isdigit():
        value = int(re.sub(r"\D", "", word))
    else:
        value = _ORDINAL_WORDS.get(word) or _CARDINAL_WORDS.get(word) or 0
    return value if 1 <= value <= 31 else None


def _hour_value(word: str) -> int:
    return int(word) if word.isdigit() else _HOUR_WORDS[word]


def _hour_cue(hour: int, minute: int | None, meridiem: str | None, part: str | None) -> _Cue:
    """Turn a spoken clock hour into a 24-hour test, resolving am/pm as people mean it."""
    if meridiem == "am":
        h = hour % 12
    elif meridiem == "pm":
        h = hour % 12 + 12
    elif hour > 12:
        h = hour  # "14:00"
    elif part == "morning":
        h = hour % 12
    elif part in {"afternoon", "evening"}:
        h = hour % 12 + 12
    else:
        # Business hours: nobody books a 3 a.m. visit, so 1–6 mean afternoon.
        h = hour + 12 if 1 <= hour <= 6 else hour

    def test(_: int, dt: datetime) -> bool:
        return dt.hour == h and (minute is None or dt.minute == minute)

    return test


def _part_of_day(t: str) -> str | None:
    m = re.search(r"\b(morning|afternoon|evening|tonight)\b", t)
    if m is None:
        return None
    return "evening" if m.group(1) == "tonight" else m.group(1)


def _collect_time_cues(t: str, today: date) -> tuple[list[_TimeCue], str]:
    """Every non-ordinal cue in normalised text `t`, and `t` with those words blanked out."""
    cues: list[_TimeCue] = []

    def add(start: int, end: int, test: _Cue) -> None:
        nonlocal t
        cues.append(_TimeCue(test, _is_negated(t, start)))
        t = _mask(t, start, end)

    # Month and day: "december 3rd", "dec the third", "the 3rd of december".
    for m in list(re.finditer(rf"\b({_MONTH_RE}) (?:the )?({_DAY_RE})\b", t)):
        month, day = _MONTH_NUM[m.group(1)], _day_value(m.group(2))
        if day is not None:
            add(m.start(), m.end(), _on_month_day(month, day))
    for m in list(re.finditer(rf"\b(?:the )?({_DAY_RE}) of ({_MONTH_RE})\b", t)):
        month, day = _MONTH_NUM[m.group(2)], _day_value(m.group(1))
        if day is not None:
            add(m.start(), m.end(), _on_month_day(month, day))
    # A month alone only after "in", so "may" the verb is not May.
    for m in list(re.finditer(rf"\bin ({_MONTH_RE})\b", t)):
        month = _MONTH_NUM[m.group(1)]
        add(m.start(), m.end(), _on_month_day(month, None))

    for m in list(re.finditer(r"\b(?:the )?day after tomorrow\b", t)):
        add(m.start(), m.end(), _on_date(today + timedelta(days=2)))
    for m in list(re.finditer(r"\btomorrow\b", t)):
        add(m.start(), m.end(), _on_date(today + timedelta(days=1)))
    for m in list(re.finditer(r"\btoday\b", t)):
        add(m.start(), m.end(), _on_date(today))

    for m in list(re.finditer(rf"\b(?:(this|next|coming|this coming) )?({'|'.join(_WEEKDAYS)})s?\b", t)):
        wd, which = _WEEKDAYS.index(m.group(2)), m.group(1)
        if which in {"this", "coming", "this coming"}:
            # The nearest one from today on.
            target = today + timedelta(days=(wd - today.weekday()) % 7)
            add(m.start(), m.end(), _on_date(target))
        elif which == "next":
            # "Next Tuesday" is read differently by different people; require only a
            # later Tuesday, and if two are offered the choice stays ambiguous.
            add(m.start(), m.end(), _on_weekday(wd, after=today))
        else:
            add(m.start(), m.end(), _on_weekday(wd))

    part = _part_of_day(t)
    for m in list(re.finditer(r"\b(?:12 )?(?:noon|midday)\b", t)):
        add(m.start(), m.end(), lambda _, dt: dt.hour == 12 and dt.minute == 0)
    minute_re = _alternation(_MINUTE_WORDS)
    clock_patterns = [
        r"\b(?P<h>\d{1,2}):(?P<m>\d{2})(?: ?(?P<ap>am|pm))?\b",
        rf"\b(?P<h>{_HOUR_RE})(?: (?P<mw>{minute_re}))? ?(?P<ap>am|pm)\b",
        rf"\b(?P<h>{_HOUR_RE}) ?o ?'?clock\b",
        rf"\b(?:at|around|about|by|for) (?P<h>{_HOUR_RE})(?: (?P<mw>{minute_re}))?\b",
        rf"\b(?P<h>{_HOUR_RE})(?: (?P<mw>{minute_re}))? in the (?:morning|afternoon|evening)\b",
        rf"\b(?P<h>{_alternation(_HOUR_WORDS)}) (?P<mw>{minute_re})\b",  # "two thirty"
    ]
    for pattern in clock_patterns:
        for m in list(re.finditer(pattern, t)):
            if not t[m.start() : m.end()].strip():
                continue
            groups = m.groupdict()
            hour = _hour_value(groups["h"])
            minute: int | None = None
            if groups.get("m"):
                minute = int(groups["m"])
            elif groups.get("mw"):
                minute = _MINUTE_WORDS[groups["mw"]]
            if not 0 <= hour <= 23 or (minute is not None and minute > 59):
                continue
            add(m.start(), m.end(), _hour_cue(hour, minute, groups.get("ap"), part))
            if minute is None and not cues[-1].negated:
                cues.append(_TimeCue(_on_the_hour, False, soft=True))

    for m in list(re.finditer(r"\b(morning|afternoon|evening|tonight)\b", t)):
        word = m.group(1)
        if word == "morning":
            add(m.start(), m.end(), _in_hours(0, 12))
        elif word == "afternoon":
            add(m.start(), m.end(), _in_hours(12, 17))
        else:
            add(m.start(), m.end(), _in_hours(17, 24))
    return cues, t


def _only_match(options: list[datetime], cues: list[_TimeCue]) -> tuple[int | None, int]:
    """The single option every cue accepts (negated cues must reject it), and how many did.

    Soft cues only choose among several options that pass every hard cue.
    """

    def passes(i: int, dt: datetime, which: list[_TimeCue]) -> bool:
        return all(c.test(i, dt) != c.negated for c in which)

    hard = [c for c in cues if not c.soft]
    soft = [c for c in cues if c.soft]
    hits = [i for i, dt in enumerate(options) if passes(i, dt, hard)]
    if len(hits) > 1 and soft:
        preferred = [i for i in hits if passes(i, options[i], soft)]
        if len(preferred) == 1:
            return preferred[0], 1
    return (hits[0] if len(hits) == 1 else None), len(hits)


def match_time(text: str, options: list[datetime], today: date) -> int | None:
    """Which offered appointment slot the caller means.

    Cues: position ("the second one", "the last one"), relative day
    ("tomorrow", "this Friday", "next Tuesday"), weekday, date ("December
    3rd", "on the 12th"), clock time ("at 2", "2 pm", "two o'clock", "9
    a.m.", "14:00", "noon") and part of day ("morning" < 12, "afternoon"
    12–17, "evening" ≥ 17), plus "earliest"/"latest". A clock hour 1–6
    without am/pm is afternoon. "Not Thursday" excludes. An option is chosen
    only if it satisfies every cue and is the only one that does.

    "The second" alone is read as the day of the month when an option falls
    on that day (so "the second at 2" is day 2 at 14:00), otherwise as the
    second option.

    Args:
        text: One caller utterance.
        options: The offered slots, timezone-aware; compared in their own zone.
        today: The caller's current date, for relative days.

    Returns:
        The 0-based index of the slot, or None when no cue was given or the
        answer is not unique.
    """
    if not options:
        return None
    t = _words(text)
    cues: list[_TimeCue] = []
    for word, pick in (
        (r"\b(earliest|soonest|first available)\b", min),
        (r"\b(latest|last available)\b", max),
    ):
        m = re.search(word, t)
        if m:
            cues.append(_TimeCue(_is_start(pick(options)), False))
            t = _mask(t, m.start(), m.end())
    time_cues, t = _collect_time_cues(t, today)
    cues += time_cues
    choices, t = _choices(t)
    n = len(options)
    ambiguous: list[tuple[_Choice, int]] = []
    for c in choices:
        if c.explicit or c.day is None:
            cues.append(_TimeCue(_is_option(c.index(n)), c.negated))
        else:
            ambiguous.append((c, c.day))
    if not cues and not ambiguous:
        return None
    # Read "the second" as a date first; if no offered day fits, as a position.
    as_days = [_TimeCue(_on_day_of_month(day), c.negated) for c, day in ambiguous]
    choice, count = _only_match(options, cues + as_days)
    if choice is not None or count > 1 or not ambiguous:
        return choice
    as_positions = [_TimeCue(_is_option(c.index(n)), c.negated) for c, _ in ambiguous]
    return _only_match(options, cues + as_positions)[0]


# --------------------------------------------------------------------------
# Values said with the request
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Mentioned:
    """Values a caller gave up front ("where's order 10482? my zip is 94103"), so none is asked again.

    `order` and `zip` are set only when the caller named what the digits are;
    `loose` is an order-number-like value said without a label, which only an
    order call may take for its order number.
    """

    order: str | None = None
    zip: str | None = None
    phone: str | None = None
    email: str | None = None
    loose: str | None = None


# What a caller calls the value that follows.
_LABELS = re.compile(
    r"\b(?P<zip>(billing )?zip( code)?|postal code|post code|postcode)\b"
    r"|\b(?P<order>order( number| no| #)?|confirmation number)\b"
    r"|\b(?P<phone>phone( number)?|cell( number)?|mobile( number)?|my number|calling from)\b"
    r"|\b(?P<email>e-?mail( address)?)\b"
)


def mentioned(text: str) -> Mentioned:
    """Every identifier in one utterance, each by what the caller called it.

    "Where is order 10482, zip 94103" gives order 10482 and ZIP 94103; "my
    number is 415 555 0101" a phone; "maria at example dot com" an e-mail.
    Digits with no label are kept apart (`loose`): five digits alone can be a
    ZIP or an order number, and only the call's intent can tell.

    Args:
        text: One caller utterance, typically the opening request.

    Returns:
        What was said; fields the caller did not give are None.
    """
    t = _clean(text)
    found: dict[str, str | None] = {"order": None, "zip": None}
    labels = list(_LABELS.finditer(t))
    bounds = [m.end() for m in labels]
    for i, m in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(t)
        kind = m.lastgroup or ""
        if kind == "zip" and found["zip"] is None:
            found["zip"] = zip_code(t[bounds[i] : end])
        elif kind == "order" and found["order"] is None:
            # From the words as said: capitals tell spelled letters ("order S, O, 7 3…").
            # (`_clean` keeps every offset: it only lower-cases and straightens apostrophes.)
            found["order"] = order_number(text[bounds[i] : end])
    phone = phone_number(text)
    head = text[: labels[0].start()] if labels else text
    loose = order_number(head) if not email(head) else None
    if loose is not None and (phone and phone.endswith(loose)):
        loose = None
    return Mentioned(order=found["order"], zip=found["zip"], phone=phone, email=email(text), loose=loose)


_NO_IN_FRONT = re.compile(
    r"^\s*(?:(?:no|nope|nah|naw|not (?:really|quite|exactly))\b[\s,.;:!-]*)+"
    r"(?:(?:it'?s|it is|that'?s|that is) not(?: that| it)?\b|not that\b|it isn'?t(?: that)?\b)?[\s,.;:!-]*",
    re.IGNORECASE,
)


def after_no(text: str) -> str:
    """What the caller says after a "no" in front ("no, it's about my bill" → "it's about my bill")."""
    return _NO_IN_FRONT.sub("", text, count=1).strip()
