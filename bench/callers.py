"""A population of simulated callers: goals from a seed's call mix, six styles, three phrasing banks.

A caller has a goal (an order's status, the balance, a new time for a visit, a
fix, a refund, a general question the help center answers, a complaint that
needs a ticket), a way to be identified (caller ID, phone, e-mail, order
number) and a style:

- terse: bare values and two-word requests;
- rambling: every line wrapped in talk;
- repeater: asks to hear things again at random points, often right after
  the answer it called for, sometimes twice in a row;
- self_correcting: gives a value, takes it back and gives the right one;
- up_front: says who it is, its ZIP and what it wants in the first sentence;
- polite: wraps its request in apologies and niceties and thanks the agent
  before its answers.

On top of any style: a digit misheard by the phone line that the caller must
correct after the read-back, keypad entry, and a new request at "anything
else?". Asked for a second factor (the last four digits of the account's phone,
or the name on the account) it answers from the customer's record. The caller
understands the agent through `bench.hearing` (by meaning) and speaks from one
bank of `bench.phrases`: no bank shares a wording with another.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bench.hearing import MENU_KEYS, WEEKDAYS, Heard, hear, normalize
from bench.phrases import BANK_MODULES, BANKS, INDEPENDENT, Bank
from sandbox.business_profiles import ArticleSpec

Record = dict[str, Any]

MIX = {
    "order_status": 35,
    "account": 20,
    "reschedule": 15,
    "troubleshooting": 10,
    "refund": 8,
    "general": 7,
    "other": 5,
}
STYLES = ("terse", "rambling", "repeater", "self_correcting", "up_front", "polite")
IDENTIFY = {"caller_id": 45, "phone": 20, "email": 15, "order": 20}
# The agent asks for the keypad, not only allows it ("you can also key in", "say or key in" do not).
KEYPAD_ASKED = re.compile(r"\blet'?s try the keypad\b|\bplease key in\b", re.IGNORECASE)
# A yes/no question the keypad answers ("… Press 1 for yes or 2 for no."): a caller whose words keep
# getting lost presses.
KEYPAD_YES_NO = re.compile(r"\bpress (1|one) for yes\b", re.IGNORECASE)
# The agent asks for the phone number in particular (not "phone, e-mail or order number").
PHONE_ASKED = re.compile(
    r"\bkey in the phone number\b"
    r"|\b(try|say|what'?s) the phone number on the account( instead)?\b(?! or| e-?mail)",
    re.IGNORECASE,
)
# Goods that reached the customer: what a refund is asked for.
DELIVERED_LIKE = ("delivered", "installed", "picked_up", "returned", "partially_refunded", "refunded")

# What a caller with each goal takes an agent's "is this about …?" to be about.
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "order_status": ("order", "deliver", "parcel", "package", "shipment"),
    "account": ("balance", "bill", "account", "owe", "statement"),
    "reschedule": ("appointment", "visit", "booking", "reschedul"),
    "refund": ("refund", "money back"),
    "troubleshooting": ("problem", "fault", "not working", "fix", "repair"),
}

# What an agent says when it asks the same question again: not a new troubleshooting step.
REASK = re.compile(r"\byes or (?:a )?no\b|\bsorry\b|\bdidn't (?:quite )?(?:get|catch)\b|\bonce more\b")

DIGIT_WORDS = ("oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
ZERO_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TENS_WORDS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
TEEN_WORDS: tuple[str, ...] = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen")
TEEN_WORDS += ("seventeen", "eighteen", "nineteen")
LETTER_NAMES = {"S": "Sam", "O": "Oscar", "H": "Henry", "A": "Alpha", "C": "Charlie"}
# Held-out callers spell letters with everyday words instead.
LETTER_WORDS = {"B": "boy", "K": "kite", "S": "sugar", "O": "orange", "H": "house", "W": "water"}


@dataclass
class Goal:
    """One thing the caller wants done."""

    intent: str
    order: Record | None = None
    appointment: Record | None = None
    article: Record | None = None  # the seed's article
    spec: ArticleSpec | None = None  # how callers ask about it
    fixed_at_step: int | None = None  # troubleshooting: the step that fixes it (None = never)
    request: str = ""  # the words the caller asks with


@dataclass
class Case:
    """One generated conversation: who calls, how, and what for."""

    n: int
    bank_name: str
    style: str
    customer: Record
    identify_by: str
    caller_number: str
    goal: Goal
    followup: Goal | None = None
    misheard: bool = False
    keypad: bool = False


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Population:
    """Draws cases from a seed, the articles' caller wording and one phrasing bank."""

    def __init__(self, seed: Record, specs: tuple[ArticleSpec, ...], bank_name: str) -> None:
        self.seed = seed
        self.bank_name = bank_name
        self.bank: Bank = BANKS[bank_name]
        self.orders_of: dict[str, list[Record]] = {}
        for o in seed["orders"]:
            self.orders_of.setdefault(o["customer_id"], []).append(o)
        self.booked = {a["customer_id"]: a for a in seed["appointments"] if a["status"] == "booked"}
        by_title = {a["title"]: a for a in seed["articles"]}
        self.articles = [(by_title[s.title], s) for s in specs if s.title in by_title]

    def goal(self, intent: str, customer: Record, rng: random.Random) -> Goal:
        """A goal of `intent` for `customer`, with the words it is asked in."""
        bank = self.bank
        mine = self.orders_of.get(customer["id"], [])
        if intent in ("troubleshooting", "general"):
            kind = "troubleshooting" if intent == "troubleshooting" else "general"
            article, spec = rng.choice([(a, s) for a, s in self.articles if s.kind == kind])
            said = rng.choice(spec.symptoms)
            key = "problem" if kind == "troubleshooting" else "question"
            return Goal(
                intent,
                article=article,
                spec=spec,
                fixed_at_step=rng.choice((0, 1, 2, None)) if kind == "troubleshooting" else None,
                request=rng.choice(bank[intent]).format(**{key: said}),
            )
        if intent == "other":
            return Goal(intent, request=rng.choice(bank["other"]))
        goal = Goal(intent, request=rng.choice(bank[intent]))
        if intent == "order_status":
            goal.order = rng.choice(mine)
        elif intent == "refund":
            goal.order = rng.choice([o for o in mine if o["status"] in DELIVERED_LIKE] or mine)
        elif intent == "reschedule":
            goal.appointment = self.booked[customer["id"]]
        return goal

    def case(self, n: int, rng: random.Random) -> Case:
        """The n-th conversation of the population."""
        intent = _pick(rng, MIX)
        customers = self.seed["customers"]
        if intent == "reschedule":
            customers = [c for c in customers if c["id"] in self.booked]
        customer = rng.choice(customers)
        goal = self.goal(intent, customer, rng)
        identify_by = _pick(rng, IDENTIFY)
        if identify_by == "order" and goal.order is None:
            identify_by = "email"
        followup = None
        if rng.random() < 0.15:
            follow_intent = rng.choice(("general", "troubleshooting", "order_status"))
            if follow_intent != intent:
                followup = self.goal(follow_intent, customer, rng)
        return Case(
            n=n,
            bank_name=self.bank_name,
            style=rng.choice(STYLES),
            customer=customer,
            identify_by=identify_by,
            caller_number=customer["phone"]
            if identify_by == "caller_id"
            else f"+1999555{rng.randrange(10000):04d}",
            goal=goal,
            followup=followup,
            misheard=rng.random() < 0.15,
            keypad=rng.random() < 0.1,
        )

    def cases(self, count: int, rng: random.Random) -> list[Case]:
        """`count` conversations in the call mix."""
        return [self.case(n, rng) for n in range(count)]


def spoken_value(value: str, rng: random.Random, bank_name: str) -> str:
    """A value as a person says it over the phone, in the bank's manner.

    Tune callers say digits one by one ("oh" for zero, "double" for a pair);
    dev callers group them in pairs ("eighty, oh two"), say "zero", and spell
    letters "S as in Sam"; held-out callers say every digit, "zero" or "oh" as
    it comes, pause in a long number the way a phone number is grouped
    ("six one two, five five five, …") and spell letters with everyday words
    ("B as in boy") — other words for the same value.
    """
    if bank_name in INDEPENDENT:  # each independent author reads numbers out its own way
        speak: Callable[[str, random.Random], str] = BANK_MODULES[bank_name].spoken_value
        return speak(value, rng)
    chars = [c for c in value if c.isalnum()]
    if bank_name == "heldout":
        return _spoken_in_groups(chars, rng)
    if bank_name == "tune":
        out: list[str] = []
        i = 0
        while i < len(chars):
            c = chars[i]
            word = DIGIT_WORDS[int(c)] if c.isdigit() else c.upper()
            if i + 1 < len(chars) and chars[i + 1] == c and c.isdigit() and rng.random() < 0.5:
                out.append(f"double {word}")
                i += 2
                continue
            out.append(word)
            i += 1
        return " ".join(out)
    out = []
    i = 0
    while i < len(chars):
        c = chars[i]
        if not c.isdigit():
            name = LETTER_NAMES.get(c.upper())
            out.append(f"{c.upper()} as in {name}" if name and rng.random() < 0.5 else c.upper())
            i += 1
            continue
        pair = "".join(chars[i : i + 2])
        # "ninety" then "seven" would be heard as ninety-seven: a round pair only ends a value.
        round_inside = pair.endswith("0") and i + 2 < len(chars)
        if len(pair) == 2 and pair.isdigit() and pair[0] != "0" and not round_inside and rng.random() < 0.6:
            tens, ones = int(pair[0]), int(pair[1])
            if tens == 1:
                out.append(TEEN_WORDS[ones])
            else:
                out.append(TENS_WORDS[tens] + ("" if ones == 0 else f" {ZERO_WORDS[ones]}"))
            i += 2
            continue
        out.append(ZERO_WORDS[int(c)])
        i += 1
    return ", ".join(out) if len(out) > 4 else " ".join(out)


def _spoken_in_groups(chars: list[str], rng: random.Random) -> str:
    """Letters, then digits one by one, a long number paused after each three (as phones are read)."""
    groups: list[list[str]] = []
    kind = ""  # what the current group holds: letters or digits
    run = 0  # digits in the current group
    digits_left = sum(c.isdigit() for c in chars)
    for c in chars:
        if not c.isdigit():
            word = LETTER_WORDS.get(c.upper())
            if kind != "letters":
                groups.append([])
                kind = "letters"
            groups[-1].append(f"{c.upper()} as in {word}" if word and rng.random() < 0.4 else c.upper())
            continue
        if kind != "digits" or (run == 3 and digits_left >= 4 and len(chars) >= 7):
            groups.append([])
            kind, run = "digits", 0
        groups[-1].append(("oh" if rng.random() < 0.5 else "zero") if c == "0" else ZERO_WORDS[int(c)])
        run += 1
        digits_left -= 1
    return ", ".join(" ".join(g) for g in groups)


def spoken_email(addr: str, bank_name: str) -> str:
    if bank_name in INDEPENDENT:
        speak: Callable[[str], str] = BANK_MODULES[bank_name].spoken_email
        return speak(addr)
    user, _, domain = addr.partition("@")
    joiner = " period " if bank_name == "dev" else " dot "
    user = user.replace(".", joiner).replace("_", " underscore ")
    at = " at sign " if bank_name == "dev" else " at "
    return user + at + domain.replace(".", " dot ")


def misheard_copy(value: str, rng: random.Random) -> str:
    """The value with one digit wrong, as a noisy line delivers it."""
    positions = [i for i, c in enumerate(value) if c.isdigit()]
    i = rng.choice(positions)
    wrong = str((int(value[i]) + rng.randrange(1, 10)) % 10)
    return value[:i] + wrong + value[i + 1 :]


@dataclass
class Caller:
    """One simulated caller in conversation; `reply` gives its next line ('' hangs up)."""

    case: Case
    rng: random.Random
    turns: int = 0
    repeats: list[int] = field(default_factory=list)  # caller-turn indexes that asked to hear it again
    acts: list[str] = field(default_factory=lambda: ["opening"])  # what each caller line answered
    kb_step: int = -1
    kb_seen: set[str] = field(default_factory=set)  # the instructions the agent already gave
    current: Goal | None = None
    followup_said: bool = False
    misheard_left: bool = False
    corrected: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.current = self.case.goal
        self.misheard_left = self.case.misheard
        self.bank = BANKS[self.case.bank_name]

    # ------------------------------------------------------------ lines

    def say(self, act: str, **fields: str) -> str:
        line = self.rng.choice(self.bank[act]).format(**fields)
        if self.case.style == "rambling" and self.rng.random() < 0.5:
            line = self.rng.choice(self.bank["ramble"]) + line
        elif self.case.style == "polite" and act != "repeat" and self.rng.random() < 0.5:
            line = self.rng.choice(self.bank["polite_reply"]) + line
        return line

    def _value(self, value: str, kind: str, agent: str = "") -> str:
        """A value the agent asked for, with keypad, misheard and self-correcting variants."""
        keys = value.removeprefix("#")  # an order name "#1042" is keyed as 1042
        if self.case.keypad and keys.isdigit() and kind in ("zip", "order", "last4"):
            return f"dtmf:{keys}"
        if kind == "order" and not keys.isdigit() and sum(c.isdigit() for c in keys) >= 3:
            keys = re.sub(r"\D", "", keys)  # told to key it in: a keypad has no letters, "W104757" is 104757
        if keys.isdigit() and KEYPAD_ASKED.search(agent):
            # "Let's try the keypad: please key in …": a person whose words were missed twice does.
            return f"dtmf:{keys}"
        spoken = spoken_value(value, self.rng, self.case.bank_name)
        if self.misheard_left and any(c.isdigit() for c in value):
            self.misheard_left = False
            return spoken_value(misheard_copy(value, self.rng), self.rng, self.case.bank_name)
        if self.case.style == "self_correcting" and kind not in self.corrected:
            self.corrected.add(kind)
            wrong = spoken_value(misheard_copy(value, self.rng), self.rng, self.case.bank_name)
            return self.say("self_correct", wrong=wrong, right=spoken)
        if self.case.style == "terse":
            return spoken
        act = {"zip": "give_zip", "order": "give_order", "phone": "give_phone", "last4": "last4"}[kind]
        return self.say(act, **{kind: spoken})

    def opening(self) -> str:
        """The first thing the caller says after the greeting."""
        c, goal = self.case, self.case.goal
        request = goal.request
        if c.style == "terse" and self.bank.get(f"terse_{goal.intent}"):
            request = self.bank[f"terse_{goal.intent}"][0]
        if c.style == "up_front" and goal.intent not in ("general", "troubleshooting", "other"):
            ids = []
            if goal.order is not None:
                ids.append(f"order {spoken_value(goal.order['id'], self.rng, c.bank_name)}")
            elif c.identify_by != "caller_id":
                ids.append(f"my number is {spoken_value(c.customer['phone'][2:], self.rng, c.bank_name)}")
            ids.append(f"zip {spoken_value(c.customer['zip'], self.rng, c.bank_name)}")
            return self.say("up_front", ids=", ".join(ids), request=request)
        if c.style == "rambling":
            return self.rng.choice(self.bank["ramble"]) + request
        if c.style == "polite":
            return self.rng.choice(self.bank["polite"]) + request
        return request

    # ------------------------------------------------------------ turn

    def wants_repeat(self, act: str, reply: str) -> bool:
        """Whether a repeater asks to hear this reply again (often right after the answer)."""
        if self.case.style != "repeater" or act == "ended":
            return False
        if self.repeats and self.repeats[-1] == self.turns - 1:
            return self.rng.random() < 0.2  # sometimes twice in a row
        if act == "anything_else":
            return self.rng.random() < 0.6  # the answer just came: "sorry, what was that?"
        return self.rng.random() < 0.2

    def reply(self, agent: str) -> str:
        """The caller's answer to one agent reply."""
        self.turns += 1
        heard = hear(agent)
        if heard.act in ("unknown", "offer") and self.acts[-1] == "account_name" and agent.endswith("?"):
            # Right after the caller gave the name, a yes/no question is its read-back,
            # whether or not it says "name" ("Ingrid Sandoval, did I get that right?").
            heard = Heard("confirm", agent, "name")
        if self.wants_repeat(heard.act, agent):
            self.repeats.append(self.turns)
            self.acts.append("repeat request")
            return self.rng.choice(self.bank["repeat"])
        self.acts.append(heard.act)
        return self._answer(heard.act, heard.value, heard.about, agent)

    def _answer(self, act: str, value: str, about: str, agent: str) -> str:
        c, goal = self.case, self.current or self.case.goal
        if act == "ended":
            return ""
        if act == "still_there":
            return self.say("still_here")
        if act == "confirm":
            right, said = self._confirm(value, about)
            if KEYPAD_YES_NO.search(agent):
                return "dtmf:1" if right else "dtmf:2"
            return said
        if act == "slots":
            return self._pick_slot(agent)
        if act == "zip":
            return self._value(c.customer["zip"], "zip", agent)
        if act == "last4":  # a second factor: the last four digits of the account's phone
            return self._value(c.customer["phone"][-4:], "last4", agent)
        if act == "account_name":  # a second factor: the name the account is under
            return self.say("account_name", name=c.customer["name"])
        if act == "identify":
            if PHONE_ASKED.search(agent):  # "key in the phone number", "let's try the phone number instead"
                return self._value(c.customer["phone"][2:], "phone", agent)
            if c.identify_by == "email":
                return self.say("give_email", email=spoken_email(c.customer["email"], c.bank_name))
            if c.identify_by == "order" and goal.order is not None:
                return self._value(goal.order["id"], "order", agent)
            return self._value(c.customer["phone"][2:], "phone", agent)
        if act == "order":
            order = goal.order or (c.goal.order if c.goal.order else None)
            if order is None:  # asked for an order when the call is about something else
                return self.say("no_order", request=goal.request)
            return self._value(order["id"], "order")
        if act == "fix_check":
            if goal.intent == "general" and goal.spec is not None:
                # A question answered as if it were a problem: answered once the fact is heard.
                return self.say("fixed" if goal.spec.fact.lower() in agent.lower() else "not_fixed")
            if goal.intent != "troubleshooting":
                # Steps for a problem the caller does not have: they say what they called about.
                return self.say("not_that", request=goal.request)
            if self._new_step(agent):
                self.kb_step += 1
            # A fix that worked stays worked; asked again about the same step, the same answer.
            fixed = goal.fixed_at_step is not None and self.kb_step >= goal.fixed_at_step
            return self.say("fixed" if fixed else "not_fixed")
        if act == "anything_else":
            if c.followup is not None and not self.followup_said:
                self.followup_said = True
                self.current = c.followup
                self.kb_step = -1
                self.kb_seen.clear()
                return self.say("also", request=c.followup.request)
            return self.say("done")
        if act == "topic":
            # "Is this about an order?": a caller knows what they called about.
            if any(word in value.lower() for word in TOPIC_WORDS.get(goal.intent, ())):
                return self.say("yes")
            return self.say("not_that", request=goal.request)
        if act == "offer":
            return "dtmf:1" if KEYPAD_YES_NO.search(agent) else self.say("go_ahead")
        if act == "menu":
            return self._menu_key(value)
        if act == "describe":
            return goal.request
        return self.say("unknown") if self.rng.random() < 0.5 else goal.request

    def _menu_key(self, agent: str) -> str:
        """The key for what the caller called about (a person, 0, when nothing on the menu is it)."""
        words = TOPIC_WORDS.get((self.current or self.case.goal).intent, ())
        for key, what in MENU_KEYS.findall(agent):
            if any(word in what.lower() for word in words):
                digit = key if key.isdigit() else str(ZERO_WORDS.index(key.lower()))
                return f"dtmf:{digit}"
        return "dtmf:0"

    def _new_step(self, agent: str) -> bool:
        """Whether the agent gave an instruction it had not given before (not only asked again)."""
        said = [s.strip().lower() for s in re.split(r"(?<=[.!?])\s+", agent) if s.strip()]
        steps = {s for s in said if not s.endswith("?") and not REASK.search(s)}
        new = steps - self.kb_seen
        self.kb_seen |= steps
        return bool(new)

    def _pick_slot(self, agent: str) -> str:
        """Choose the first or second time offered, by its place or, when unambiguous, by its day."""
        second = self.rng.random() < 0.5
        # The day of the visit being moved ("your tune-up is on Sunday; I can move it to …") is
        # not on offer: the caller knows when their visit is.
        booked = (self.current or self.case.goal).appointment
        own = WEEKDAYS[date.fromisoformat(booked["starts_at"][:10]).weekday()] if booked else ""
        low = agent.lower()
        days = [d for _, d in sorted((low.find(d), d) for d in WEEKDAYS if d in low and d != own)]
        mentions = [agent.lower().count(d) for d in days]
        index = 1 if second else 0
        if index < len(days) and mentions[index] == 1 and self.rng.random() < 0.4:
            return self.say("pick_day", day=days[index].capitalize())
        return self.say("pick_second" if second else "pick_first")

    def _confirm(self, value: str, about: str) -> tuple[bool, str]:
        """A read-back: yes if it is what the caller meant, else no and the right value (and which)."""
        c, goal = self.case, self.current or self.case.goal
        if about == "name":  # the name on the account read back: the caller knows their own name
            # A first name alone ("Is this Ingrid?") is the caller's name all the same.
            if any(part in value.lower() for part in c.customer["name"].lower().split()):
                return True, self.say("yes")
            return False, self.say("no_fix", right=c.customer["name"])
        truths = {"zip": c.customer["zip"], "phone": c.customer["phone"][2:]}
        for g in (goal, c.goal):
            if g.order is not None:
                truths.setdefault("order", g.order["id"])
        # Last: a four-digit order number is the likelier meaning of an unclear four-digit read-back.
        truths["last4"] = c.customer["phone"][-4:]
        heard = normalize(value)
        for truth in truths.values():
            t = normalize(truth)
            if heard == t or heard == "".join(ch for ch in t if ch.isdigit()):
                return True, self.say("yes")
        kind = about if about in truths else ""
        if not kind:
            same = [k for k, t in truths.items() if len(normalize(t)) == len(heard)]
            kind = same[0] if same else "zip"
        right = spoken_value(truths[kind], self.rng, c.bank_name)
        return False, self.say("no_fix", right=right)


def business_date(seed: Record) -> date:
    """The day the seed's data is a snapshot of."""
    return date.fromisoformat(str(seed.get("as_of") or date.today().isoformat()))
