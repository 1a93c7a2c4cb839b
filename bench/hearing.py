"""How a simulated caller understands the agent: by meaning, not by the agent's templates.

A person on the phone does not match sentences; they notice what is being asked
(a ZIP, a yes or no, a choice of times, "anything else?"), and hear numbers as
spoken digits. `hear` turns one agent reply into that: an act and, for a
read-back, the value that was read. It knows nothing of the brain's wording,
so a rephrased prompt is still understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ONES = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
TEENS = {
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
}
TENS = {
    "twenty": "2",
    "thirty": "3",
    "forty": "4",
    "fifty": "5",
    "sixty": "6",
    "seventy": "7",
    "eighty": "8",
    "ninety": "9",
}
REPEATS = {"double": 2, "triple": 3}
_TOKEN = re.compile(r"[A-Za-z]+|\d+|[.?!]")
_SENTENCE = re.compile(r"(?<=[.?!])\s+")


def _as_spoken(text: str) -> str:
    """Whisper's way of writing a read-back undone: "W1O4" is W one oh four, "WK104" is W K 1 0 4."""
    text = re.sub(r"(?<=\d)O(?=\d|\b)|\bO(?=\d)", "0", text)
    return re.sub(r"\b([A-Z]{1,3})-?(?=\d)", lambda m: " ".join(m.group(1)) + " ", text)


def value_runs(text: str) -> list[str]:
    """Runs of spoken digits and spelled capital letters, as written values.

    "S O seven two six three" → ["SO7263"]; "four oh four, five five five" →
    ["404555"]; "double seven" → ["77"]. Words that are not digits or single
    capital letters end a run; commas do not (people pause inside numbers).
    """
    runs: list[str] = []
    cur = ""
    repeat = 1
    tokens = _TOKEN.findall(_as_spoken(text))
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        low = tok.lower()
        piece: str | None = None
        if tok.isdigit():
            piece = tok
        elif low in REPEATS:
            repeat = REPEATS[low]
            i += 1
            continue
        elif low in ONES:
            piece = ONES[low]
        elif low in TEENS:
            piece = TEENS[low]
        elif low in TENS:
            nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
            if nxt in ONES and ONES[nxt] != "0" and nxt != "oh":
                piece = TENS[low] + ONES[nxt]
                i += 1
            else:
                piece = TENS[low] + "0"
        elif len(tok) == 1 and tok.isupper() and tok not in ("I", "A"):
            piece = tok
        nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        if tok == "." and cur and (nxt.isdigit() or nxt in ONES):
            i += 1  # Whisper writes a pause inside a number as a full stop: "2.592", "WK-1. Oh, 4"
            continue
        if piece is None:
            if cur:
                runs.append(cur)
            cur, repeat = "", 1
        else:
            cur += piece * repeat
            repeat = 1
        i += 1
    if cur:
        runs.append(cur)
    return runs


def normalize(value: str) -> str:
    """A value as the caller compares it: letters and digits only, upper case."""
    return re.sub(r"[^0-9A-Za-z]", "", value).upper()


@dataclass(frozen=True)
class Heard:
    """What the caller understood the agent to want."""

    act: str
    value: str = ""  # for "confirm": the value read back
    about: str = ""  # for "confirm": zip | order | phone | last4 | name | "" (unclear)


ENDED = ("goodbye", "bye now", "connecting you", "connect you", "transfer you", "transferring", "hand you")
ANYTHING_ELSE = ("anything else", "something else", "else i can", "other question", "more i can do")
FIX_CHECK: tuple[str, ...] = ("did that fix", "did that help", "did that work", "did it work", "any better")
FIX_CHECK += ("is it working", "did that solve", "fixed now", "help at all")
OFFER: tuple[str, ...] = ("shall i", "should i", "would you like", "do you want", "want me to", "go ahead")
OFFER += ("is that okay", "okay with you", "can i book", "shall we", "ok to", "okay to", "may i")
OFFER += ("to confirm",)
DESCRIBE: tuple[str, ...] = ("what's the problem", "what is the problem", "tell me", "describe")
DESCRIBE += (
    "what's going on",
    "how can i help",
    "what can i do",
    "what seems",
    "what happened",
    "what do you need",
    "isn't working",
    "not working",
)
TIMES = re.compile(
    r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r"(:\d\d| [a-z]+)? ?(a\.?m\.?|p\.?m\.?|o'clock|noon)",
    re.I,
)
# "Press 1 for an order, 2 for a refund": a key and what it is for.
MENU_KEYS = re.compile(r"\b(\d|one|two|three|four|five|zero)\s+for\s+([^,.?]+)", re.I)
# The agent checking what the call is about: "Just so I get it right: is this about a refund?"
TOPIC = re.compile(r"\b(is|was) (this|it|that|your call) (about|regarding|to do with|for)\b")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _focus(text: str) -> tuple[str, str]:
    """The sentence that asks (the last ending in '?', else the last) and it with the one before.

    People answer the question at the end of a turn, in the light of what was just said.
    """
    sentences = [s for s in _SENTENCE.split(text.strip()) if s]
    if not sentences:
        return "", ""
    asked = [i for i, s in enumerate(sentences) if s.endswith("?")]
    last = asked[-1] if asked else len(sentences) - 1
    return sentences[last], " ".join(sentences[max(0, last - 1) : last + 1])


CONFIRM = ("right", "correct", "is that", "did i get", "confirm", "have i got", "got that")
# A second factor. The last digits of the phone on the account: "the last four digits",
# "last 4 of the phone", "what does the number end in"; said as words or numerals.
LAST4 = re.compile(
    r"\blast (?:four|4)\b|\b(?:final|ending) (?:four|4) digits\b|\bends? (?:in|with)\b.*\b(?:phone|number)"
    r"|\b(?:phone|number)\b.*\bends? (?:in|with)\b"
)
# The name on the account: "name on the account", "whose name is the account under",
# "what name is it under", "the account holder's name", "your full name".
ACCOUNT_NAME = re.compile(
    r"\bname\b.{0,30}\b(?:account|under|on file|registered)\b|\baccount\b.{0,30}\bname\b"
    r"|\b(?:whose|what|which) name\b|\baccount holder\b|\bfull name\b|\byour name\b"
)


def _about(sentence: str) -> str:
    s = sentence.lower()
    if LAST4.search(s):
        return "last4"
    if "zip" in s or "postal" in s or "postcode" in s:
        return "zip"
    if "order" in s:
        return "order"
    if "phone" in s or "number" in s:
        return "phone"
    return ""


def hear(reply: str) -> Heard:
    """Classify one agent reply (all it said this turn) by what it asks of the caller.

    Args:
        reply: The agent's words for the turn.

    Returns:
        The act: ended, still_there, confirm, slots, menu, zip, last4, account_name,
        identify, order, fix_check, anything_else, topic, offer, describe or unknown.
    """
    whole = reply.lower()
    asked, focus = _focus(reply)
    al, fl = asked.lower(), focus.lower()
    if any(k in whole for k in ENDED) and not al.endswith("?"):
        return Heard("ended")
    if "still there" in fl or "are you there" in fl:
        return Heard("still_there")
    if "what else" in al:  # after "yes, one more thing": the caller says what it is
        return Heard("describe")
    if any(k in al for k in ANYTHING_ELSE):
        return Heard("anything_else")
    if TOPIC.search(al) and not re.match(r"\W*(which|what|who|when|where|how)\b", al):
        # "Is this about an order?": the caller says whether it is ("which order is it about?" asks which)
        return Heard("topic", asked)
    if any(k in fl for k in FIX_CHECK):
        return Heard("fix_check")
    # A menu of requests, each with a key ("press 1 for an order, 2 for a refund, …"): not a choice of times.
    days = any(day in whole for day in WEEKDAYS)
    if len(MENU_KEYS.findall(reply)) >= 3 and not TIMES.search(reply) and not days:
        return Heard("menu", reply)
    # A choice of times, wherever Whisper put the question marks ("Sorry, which one Wednesday? March 10 …").
    if re.search(r"\bwhich\b|\bpress 1\b", whole) and (
        len(TIMES.findall(reply)) >= 2 or sum(day in whole for day in WEEKDAYS) >= 2
    ):
        return Heard("slots")
    times = len(TIMES.findall(focus))
    weekdays = sum(day in fl for day in WEEKDAYS)
    own = [r for r in value_runs(asked) if len(r) >= 4]
    near = [r for r in value_runs(focus) if len(r) >= 4]
    if not times and (own or (near and any(k in al for k in CONFIRM))):
        run = (own or near)[-1]
        return Heard("confirm", run, _about(focus))
    # Second factors, by the question itself: the sentence before may have been about the ZIP.
    if ACCOUNT_NAME.search(al):
        yes_no = re.match(r"\s*(?:is|are|so|and is|just to confirm)\b", al) or any(k in al for k in CONFIRM)
        if al.endswith("?") and yes_no and not re.match(r"\s*(?:what|whose|which|could|can|may|would)\b", al):
            return Heard("confirm", asked, "name")  # "Is the name on the account Ingrid Sandoval?"
        return Heard("account_name")
    if LAST4.search(al):
        return Heard("last4")
    if times >= 2 or weekdays >= 2:
        return Heard("slots")
    # Whisper may hear "ZIP" as "VIP" or "zipper"; a five-digit billing code is the ZIP all the same.
    if any(k in fl for k in ("zip", "postal", "postcode", "billing code", "5-digit", "five-digit")):
        return Heard("zip")
    # "Phone, e-mail or order number?" asks who you are; "Which order?" asks for the order.
    # Whole words: "your headphone repair" does not ask for a phone number.
    # "Key it in on your phone's keypad" asks for keys, not for the phone number.
    keypad = re.sub(r"\bphone(?:'s)? keypad\b|\bkeypad on your phone\b", "keypad", fl)
    if re.search(r"\b(phone|e-mail|email|look you up|find your account)\b", keypad):
        return Heard("identify")
    if "order" in fl and ("number" in fl or "which" in fl):
        return Heard("order")
    if any(k in al for k in OFFER) or (al.endswith("?") and (times or weekdays)):
        return Heard("offer")
    if any(k in fl for k in DESCRIBE):
        return Heard("describe")
    return Heard("unknown")
