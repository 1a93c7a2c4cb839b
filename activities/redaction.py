"""What of a caller's words may leave the encrypted store: no numbers, no e-mail, no secrets.

The call's history is encrypted by the payload codec; tickets, CRM notes, the handoff
whisper, the `state` query and the Web UI are not. Whatever reaches those goes through
`mask` first. The rule:

- **The caller's words** (quoted in a summary, written by the brain into a ticket, a refund
  reason, a knowledge query kept in the state) lose every number — digits ("94103",
  "415-555-0101") and spoken number words in a row ("nine four one oh three", "double seven",
  "ninety four") become `[number]` — every e-mail address, written or spoken
  ("john at example dot com", "j o h n at gmail.com") becomes `[e-mail]`, and every secret
  the caller gave to identify or verify themselves (a name, a PIN) becomes `[redacted]`.
  A second factor, a phone number, an e-mail address or any digit string therefore never
  leaves in a caller's words, whatever form the recognizer gave it.
- **What the agent found** may be named: an id a backend returned on this call (the order the
  verified caller asked about, a ticket, a refund, an appointment) is passed as `keep`, and a
  number whose digits are exactly such an id's digits stays. That is how "Refund review for
  order 10482" survives while the ZIP said next to it does not.
- A lone number word ("this one", "two routers") stays: it carries no digit string.

Pure and deterministic, so workflow code may call it as well as activities.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

NUMBER: Final = "[number]"
EMAIL: Final = "[e-mail]"
SECRET: Final = "[redacted]"
HIDDEN: Final = "•••"

_DIGIT_WORDS: Final = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "nought": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "niner": "9",
}
# Words that are numbers but not one digit: they still make a digit string when said in a row.
_OTHER_NUMBER_WORDS: Final = frozenset(
    "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen "
    "twenty thirty forty fourty fifty sixty seventy eighty ninety hundred thousand million".split()
)
# "double seven", "triple zero": a repeat of the next digit.
_REPEATS: Final = {"double": 2, "triple": 3}
# Allowed between two numbers of one run ("four one five dash five five five", "a hundred and three").
_JOINERS: Final = frozenset({"and", "dash", "hyphen", "point"})
# What may stand between two tokens of one run: spaces and the punctuation people and
# recognizers put inside numbers ("415-555-0101", "(415) 555.0101", "9, 4, 1", "12:30").
_GAP: Final = re.compile(r"^[\s,.\-–—/()+#*:]*$")
_TOKEN: Final = re.compile(r"\d+|[^\W\d_]+")

_WRITTEN_EMAIL: Final = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*", re.UNICODE)
# A spoken address: a local part (maybe spelled letter by letter, maybe "john dot smith"), "at"
# ("at sign", "at the rate of"), then a domain with at least one "dot" or a written dot
# ("example dot com", "gmail.com"). A written dot must be inside a word, so "looking at it. The …"
# is not an address.
_DOT: Final = r"(?:\s+(?:dot|period)\s+|\.(?=\w))"
# Around "at", a caller may pause: "maria, at, example dot com", "colette three eight... at".
_AT_GAP: Final = r"(?:\s*(?:,|\.{2,}|…)\s*|\s+)"
# Digits said as words inside the local part: "colette three eight at …".
_LOCAL_DIGIT: Final = (
    r"\s+(?:zero|oh|nought|one|two|three|four|five|six|seven|eight|nine|double|triple|ten|eleven|twelve|"
    r"\w+teen|(?:twenty|thirty|forty|fourty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:-(?:one|two|three|four|five|six|seven|eight|nine))?)\b"
)
_SPOKEN_EMAIL: Final = re.compile(
    r"(?:(?<![\w'’])\w\s+)*"  # "j o h n": spelled letter by letter (not the s of "it's")
    r"(?<![\w'’])[\w%+-]+(?:"
    + _DOT
    # (a part after a dot may be spelled out too: "chloe dot n guyen")
    + r"(?:\w\s+)*[\w%+-]+|\s+(?:underscore|dash|hyphen)\s+[\w%+-]+|"
    + _LOCAL_DIGIT
    + r")*"
    + _AT_GAP
    + r"(?:at(?:\s+sign|\s+the\s+rate(?:\s+of)?)?|@)"
    + _AT_GAP
    + r"[\w-]+(?:"
    + _DOT
    + r"[\w-]+)+\b",
    re.IGNORECASE,
)


def _digits_of(word: str) -> str | None:
    """The digits a token stands for, "" for a number word that is not one digit, None if not a number."""
    if word.isdigit():
        return word
    low = word.lower()
    if low in _DIGIT_WORDS:
        return _DIGIT_WORDS[low]
    if low in _OTHER_NUMBER_WORDS or low in _REPEATS:
        return ""
    return None


def _run_digits(words: list[str]) -> str:
    """The digit string a run of number tokens spells ("double seven" → "77"), as far as it is one."""
    out: list[str] = []
    repeat = 1
    for w in words:
        low = w.lower()
        if low in _REPEATS:
            repeat = _REPEATS[low]
            continue
        d = _digits_of(w)
        if d:
            out.append(d * repeat)
        repeat = 1
    return "".join(out)


def _is_secret_run(words: list[str]) -> bool:
    """Whether a run of number tokens is a digit string worth hiding (not a lone "one")."""
    if any(w.isdigit() for w in words):
        return True
    spoken = [w.lower() for w in words if w.lower() not in _JOINERS]
    # "oh" and "o" alone are an exclamation or a letter; with another number word they are zero.
    return len(spoken) >= 2 and any(w not in ("oh", "o") for w in spoken)


def _mask_numbers(text: str, keep: frozenset[str]) -> str:
    tokens = list(_TOKEN.finditer(text))
    out: list[str] = []
    pos = 0
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if _digits_of(tok.group()) is None:
            i += 1
            continue
        # Grow the run: number tokens (and joiners between them) separated by number punctuation.
        j = i
        end = i
        while j + 1 < len(tokens) and _GAP.match(text[tokens[j].end() : tokens[j + 1].start()]):
            nxt = tokens[j + 1].group()
            if _digits_of(nxt) is not None:
                j += 1
                end = j
            elif nxt.lower() in _JOINERS:
                j += 1
            else:
                break
        words = [t.group() for t in tokens[i : end + 1]]
        if _is_secret_run(words) and _run_digits(words) not in keep:
            out.append(text[pos : tok.start()])
            out.append(NUMBER)
            pos = tokens[end].end()
        i = end + 1
    out.append(text[pos:])
    return "".join(out)


def kept_digits(ids: Iterable[str]) -> frozenset[str]:
    """The digit strings of ids the agent found, in the form `mask(keep=...)` compares.

    Args:
        ids: Opaque ids a backend returned on this call ("#10482", "SO-7781", "57").

    Returns:
        Each id's digits ("10482", "7781", "57"); ids without digits add nothing.
    """
    return frozenset(d for d in ("".join(c for c in i if c.isdigit()) for i in ids) if d)


def mask(text: str, *, keep: frozenset[str] = frozenset(), secrets: Iterable[str] = ()) -> str:
    """A caller's words without numbers, e-mail addresses or the secrets they gave.

    Args:
        text: What the caller said, or what the brain wrote from it.
        keep: Digit strings of ids the agent found on this call (`kept_digits`): those stay.
        secrets: Values the caller gave to identify or verify themselves (a name, a PIN),
            masked wherever they appear, in any case.

    Returns:
        The text with `[number]`, `[e-mail]` and `[redacted]` in their places.
    """
    masked = _WRITTEN_EMAIL.sub(EMAIL, text)
    masked = _SPOKEN_EMAIL.sub(EMAIL, masked)
    for secret in sorted({s.strip() for s in secrets if len(s.strip()) >= 2}, key=len, reverse=True):
        masked = re.sub(rf"(?<!\w){re.escape(secret)}(?!\w)", SECRET, masked, flags=re.IGNORECASE)
    return _mask_numbers(masked, keep)


# Tool arguments kept as given in the state: ids the caller names to point at their own records,
# and fixed choices. Free text is masked like a caller's words; anything else (a ZIP, a phone
# number, an e-mail address, a name or PIN a future identity check asks for) is hidden whole.
_ID_ARGUMENTS: Final = frozenset({"order_id", "appointment_id", "starts_at", "priority", "reason_code"})
_TEXT_ARGUMENTS: Final = frozenset({"subject", "description", "reason", "query"})
# The tools a caller proves who they are with: every value they are given is a secret.
IDENTITY_TOOLS: Final = frozenset({"identify_customer", "verify_customer"})
_IDENTITY_IDS: Final = frozenset({"order_id"})


def arguments(
    tool: str, args: Mapping[str, Any], *, keep: frozenset[str] = frozenset(), secrets: Iterable[str] = ()
) -> dict[str, Any]:
    """A tool call's arguments as the queryable state and the Web UI may show them.

    Args:
        tool: The tool's name: every string an identity tool was given is hidden, except
            an order number (an id, not a secret).
        args: The arguments as the brain sent them (possibly invalid).
        keep: Digit strings of ids found on this call (see `mask`).
        secrets: Identity values given on this call (see `mask`).

    Returns:
        A copy: booleans and ids as given, free text masked, every other value `•••`.
    """
    secrets = list(secrets)
    identity = tool in IDENTITY_TOOLS
    ids = _IDENTITY_IDS if identity else _ID_ARGUMENTS
    shown: dict[str, Any] = {}
    for key, value in args.items():
        if isinstance(value, bool) or value is None:
            shown[key] = value
        elif key in ids and isinstance(value, str):
            shown[key] = value
        elif key in _TEXT_ARGUMENTS and isinstance(value, str) and not identity:
            shown[key] = mask(value, keep=keep, secrets=secrets)
        else:
            shown[key] = HIDDEN
    return shown


def identity_values(args: Mapping[str, Any]) -> list[str]:
    """The values an identity tool was given that are secrets (all but an order number).

    Args:
        args: identify_customer's or verify_customer's arguments.

    Returns:
        Their string values, for `mask(secrets=...)`.
    """
    values = [v for k, v in args.items() if k not in _IDENTITY_IDS and not isinstance(v, bool)]
    return [str(v) for v in values if isinstance(v, str | int)]


def found_ids(data: Any) -> list[str]:
    """The record ids in a tool's result (order, ticket, refund, appointment), for `keep`.

    Args:
        data: A successful tool result's data, as the brain gets it (nested lists and dicts).

    Returns:
        Every string or integer value of a key ending in `_id`, except the customer's own id
        (a CRM id is no record the caller asked about, and its digits could be anyone's).
    """
    out: list[str] = []
    if isinstance(data, Mapping):
        for key, value in data.items():
            if isinstance(key, str) and key.endswith("_id") and key != "customer_id":
                if isinstance(value, str | int) and not isinstance(value, bool):
                    out.append(str(value))
            else:
                out.extend(found_ids(value))
    elif isinstance(data, list):
        for item in data:
            out.extend(found_ids(item))
    return out
