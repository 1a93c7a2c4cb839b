"""Generate `sandbox/transcripts.jsonl`: a sample call-transcript export, deterministically.

    python -m sandbox.make_transcripts [--out PATH] [--calls N]

400 calls whose intent mix follows the seed article (order status 35%,
account 20%, reschedule 15%, troubleshooting 10%, refunds 8%, everything else
12%, a few of which only ever ask for a person), written the way a phone
speech-to-text engine hands them over: lower case or half-punctuated, with
"uh"/"um", restarts, digits spoken or written, and the odd misheard word.

The phrasing was written from how callers talk, not from the classifier's
cue lists, so that `callengine analyze` is measured on language it was not
tuned on. Every record carries its intended intent as `label` (ground truth
for the classifier's accuracy); the analysis ignores it except to score
agreement.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(__file__).resolve().parent / "transcripts.jsonl"
RANDOM_SEED = 20261126
DEFAULT_CALLS = 400

# The seed's mix in percent; `other` is split so a few callers only want a person.
MIX: dict[str, float] = {
    "order_status": 35,
    "account": 20,
    "reschedule": 15,
    "troubleshooting": 10,
    "refund": 8,
    "other": 9.5,
    "human": 2.5,
}

TZ = timezone(timedelta(hours=-8))
EXPORT_START = datetime(2026, 11, 2, tzinfo=TZ)  # four weeks of calls before the seed's "today"

# --------------------------------------------------------------------------- slots

PRODUCTS = [
    "mesh router",
    "wifi extender",
    "smart thermostat",
    "doorbell camera",
    "security camera",
    "streaming box",
    "headphones",
    "laptop charger",
    "modem",
    "smart plugs",
    "robot vacuum",
    "printer",
    "ink cartridges",
    "desk lamp",
    "space heater",
    "air purifier",
    "phone case",
    "power bank",
    "keyboard",
    "monitor",
]
DEVICES = [
    "router",
    "modem",
    "extender",
    "thermostat",
    "doorbell camera",
    "streaming box",
    "camera",
    "printer",
]
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WHEN_PAST = [
    "last week",
    "like two weeks ago",
    "on {day}",
    "last {day}",
    "a couple days ago",
    "at the beginning of the month",
    "on black friday",
    "ten days ago",
]
WHEN_FUTURE = [
    "{day}",
    "this {day}",
    "next {day}",
    "tomorrow",
    "the first",
    "the third of december",
    "{day} morning",
]
CARRIERS = ["ups", "fedex", "usps", "the mail", "the delivery guy", "the driver"]
CITIES = ["oakland", "san jose", "fresno", "sacramento", "reno", "daly city"]
NAMES = ["maria lopez", "james chen", "priya patel", "tom baker", "aisha johnson", "kevin o'brien", "li wei"]
COMPANY = ["Northwind", "Northwind Supply", "Northwind Home"]
AGENT_NAMES = ["Ava", "Sam", "Riley"]

DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

# Words STT engines commonly mishear on a phone line, with what they hear.
MISHEARD: dict[str, list[str]] = {
    "order": ["oder", "border", "older"],
    "refund": ["re fund", "we fund"],
    "reschedule": ["re schedule", "reshedule"],
    "appointment": ["a point meant", "appointments"],
    "router": ["rooter", "rotor"],
    "internet": ["inner net", "internets"],
    "account": ["a count", "accounts"],
    "balance": ["balanced", "ballots"],
    "wifi": ["why fi", "wi fi"],
    "package": ["packet", "packages"],
    "tracking": ["trekking", "track in"],
    "shipped": ["shipping", "ship"],
    "bill": ["bell", "bil"],
    "technician": ["technicians", "tech nation"],
    "delivered": ["delivery", "deliver"],
    "money": ["many", "monies"],
    "plan": ["plane", "plans"],
    "install": ["and stall", "in stall"],
    "modem": ["motive", "mode them"],
    "extender": ["extend her", "extendor"],
}

FILLERS = ["uh", "um", "uh", "um", "like", "you know", "so", "yeah", "i mean", "okay so"]


# --------------------------------------------------------------------------- speech


@dataclass
class Speech:
    """Slot values and speech habits for one caller, drawn once per call."""

    rng: random.Random
    product: str
    device: str
    order_no: str
    zip_code: str
    phone: str
    name: str
    day: str
    day2: str
    carrier: str
    city: str
    disfluency: float  # chance of a filler at each word boundary
    mishear: float  # chance a mishearable word is misheard
    punctuated: bool  # some STT setups add punctuation and capitals ("smart format")

    def fill(self, template: str) -> str:
        """Fill a template's slots; `{when}` and `{when_f}` draw a phrase, then their own `{day}`."""
        text = template
        if "{when}" in text:
            text = text.replace("{when}", self.rng.choice(WHEN_PAST))
        if "{when_f}" in text:
            text = text.replace("{when_f}", self.rng.choice(WHEN_FUTURE))
        return text.format(
            product=self.product,
            device=self.device,
            order=self.digits(self.order_no),
            zip=self.digits(self.zip_code),
            phone=self.digits(self.phone),
            name=self.name,
            day=self.day,
            day2=self.day2,
            carrier=self.carrier,
            city=self.city,
            n=self.rng.choice(["two", "three", "four", "5", "six", "ten"]),
            amount=self.rng.choice(["forty two fifty", "$89.99", "sixty dollars", "129", "twelve bucks"]),
        )

    def digits(self, number: str) -> str:
        """Say a number as a caller does: written, digit by digit, "oh" for zero, or paired."""
        style = self.rng.random()
        if style < 0.35:
            return number
        if style < 0.55:
            return " ".join(number)
        words = [DIGIT_WORDS[int(d)] for d in number]
        if style < 0.8:
            return " ".join(words)
        return " ".join("oh" if w == "zero" else w for w in words)

    def say(self, text: str) -> str:
        """Turn a clean caller sentence into what STT would transcribe."""
        words = text.split()
        out: list[str] = []
        for i, word in enumerate(words):
            bare = word.strip(",.?!").lower()
            if bare in MISHEARD and self.rng.random() < self.mishear:
                word = word.lower().replace(bare, self.rng.choice(MISHEARD[bare]))
            if i > 0 and self.rng.random() < self.disfluency:
                out.append(self.rng.choice(FILLERS))
            if i > 0 and self.rng.random() < self.disfluency / 4:
                out.append(word)  # a stutter: "i i need"
            out.append(word)
        if self.rng.random() < self.disfluency:
            out.insert(0, self.rng.choice(["uh", "um", "yeah", "hi", "hello", "yes"]))
        spoken = " ".join(out)
        if self.rng.random() < 0.08:
            # The caller starts, stops and starts again.
            cut = self.rng.randrange(1, max(2, len(out) // 2))
            spoken = " ".join(out[:cut]) + "- " + spoken
        if self.punctuated:
            spoken = spoken[:1].upper() + spoken[1:]
            if not spoken.endswith(("?", ".", "!")):
                spoken += (
                    "?" if spoken.split()[0].lower() in ("can", "is", "do", "does", "where", "when") else "."
                )
        else:
            # Plain STT output: no capitals, no sentence punctuation (but "$89.99" keeps its point).
            spoken = re.sub(r"[,.?!]+(?=\s|$)", "", spoken.lower())
        return spoken


# --------------------------------------------------------------------------- per-intent phrasing

# Each intent: openers (the reason for calling, said first or after a
# greeting) and details (the second thing a caller says once asked).
OPENERS: dict[str, list[str]] = {
    "order_status": [
        "hi i'm calling about my order, it was supposed to be here {when_f}",
        "yeah where's my package",
        "i ordered a {product} {when} and it still hasn't shown up",
        "can you tell me when my {product} is gonna get here",
        "i'm trying to track an order",
        "the tracking hasn't updated in like {n} days",
        "it says delivered but there's nothing on my porch",
        "hi i placed an order {when} and haven't heard anything since",
        "i'm checking on the status of order {order}",
        "has my order shipped yet",
        "my {product} never came",
        "i never received my {product}",
        "i was wondering if my stuff went out yet",
        "i got an email saying it shipped but the link doesn't go anywhere",
        "what's going on with my delivery",
        "it was supposed to arrive {day} and it's not here",
        "i need an update on a shipment",
        "{carrier} never showed up with my box",
        "can you check on an order for me",
        "i'm waiting on a {product} i bought on your website",
        "i still haven't got my package and it's been over a week",
        "do you know when my order ships",
        "the thing i bought {when}, is it on the way",
        "hey so i bought a {product} and i have no idea where it is",
        "i'm calling to see where my {product} is at",
        "my order says processing for {n} days now",
        "the website says out for delivery since yesterday",
        "i think my package got lost",
        "is there any way to find out where my order is",
        "i need to know when the {product} will be delivered because i won't be home {day}",
        "i ordered some stuff and only half of it came",
        "you guys sent me a tracking number that doesn't work",
        "yeah hi order {order}, where is it",
        "it's been two weeks and no {product}",
    ],
    "account": [
        "hi i wanted to check my balance",
        "how much do i owe right now",
        "what plan am i on",
        "my bill looks higher than usual this month, can you explain it",
        "is my account still active, i got a weird email",
        "i want to know when my next payment is due",
        "can you tell me what i'm paying every month",
        "i think my account got suspended",
        "i wanna upgrade my plan",
        "i need to update the card you have on file",
        "i can't log in to my online account",
        "did my payment go through",
        "i got a statement and i don't understand some of the charges",
        "what's the amount due on my account",
        "am i on the pro plan or the basic one",
        "i'd like to know my account status",
        "i'm a little behind, what do i owe",
        "when does my subscription renew",
        "i want to set up autopay",
        "why was there a late fee on my bill",
        "can you tell me my account balance",
        "i'm trying to figure out if i still owe anything",
        "i want to switch to the cheaper plan",
        "my account says on hold, what does that mean",
        "i need a copy of my last invoice",
        "can i change my billing date to the fifteenth",
        "how much is left on my account",
        "i paid {amount} yesterday, is that showing up",
    ],
    "reschedule": [
        "i need to reschedule my appointment",
        "i have an installation on {day} and i can't make it",
        "can we move the technician visit to {day2}",
        "something came up and i need a different day for the install",
        "i got a text about my appointment {when_f}, can i push it back",
        "is there anything earlier than {day}",
        "the tech is supposed to come {day} morning but i'll be at work",
        "i'd like to change my appointment time",
        "can i get a later slot on {day}",
        "i booked a service visit and need to change it",
        "i won't be home {day}, can someone come {day2} instead",
        "i have a guy coming out on {day} to set up the {product}, can we do another day",
        "i need to move my appointment",
        "my install is {when_f} and that doesn't work anymore",
        "can the technician come in the afternoon instead of the morning",
        "hi i have to cancel my appointment on {day} and pick a new one",
        "i need to change the date for my installation",
        "i'm not gonna be around {when_f}, can we do next week",
        "can i bump my appointment to {day2}",
        "is it possible to come a day later",
        "my appointment got booked for the wrong day",
    ],
    "troubleshooting": [
        "my internet keeps dropping",
        "the wifi is super slow",
        "there's a red light blinking on the {device}",
        "my {device} won't turn on",
        "i can't get the {device} to connect",
        "the {device} stopped working since {day}",
        "nothing's loading, i think the internet is down",
        "the camera app says offline",
        "i set up the extender and my phone still can't see it",
        "every night around eight the connection cuts out",
        "the thermostat screen is just blank",
        "i keep getting kicked off the wifi",
        "my laptop says connected no internet",
        "the router has been acting up",
        "the {device} keeps restarting on its own",
        "i can't get online at all",
        "the light on the {device} is orange, what does that mean",
        "my {device} isn't working right",
        "the printer won't print from my phone",
        "the streaming box just spins and spins",
        "my wifi password isn't working anymore",
        "the doorbell isn't ringing my phone",
    ],
    "refund": [
        "i want a refund for the {product}",
        "i was charged twice for my order",
        "i'd like to return the {product}, it's not what i expected",
        "can i get my money back",
        "i returned a {product} {n} weeks ago and haven't seen the money",
        "the {product} came broken and i just want my money back",
        "i cancelled my order but i still got charged",
        "how do i send this back and get refunded",
        "i was overcharged and i want it credited back",
        "i'd like to return something",
        "the {product} doesn't work and i want a refund",
        "you charged me {amount} for something i never got, i want it back",
        "i want to send back the {product}",
        "i'm still waiting on my refund",
        "can you refund the shipping, it came late",
    ],
    "other": [
        "i need to change my address",
        "what are your hours on {day}",
        "i want to cancel my service",
        "i want to make a complaint about the installer",
        "do you guys sell gift cards",
        "is the {product} covered under warranty",
        "are you guys hiring",
        "i'd like to update my email",
        "i got a missed call from this number",
        "is there a store near {city}",
        "do you price match",
        "i just wanted to say the tech who came out was great",
        "how do you use my data, i want to know",
        "i'm moving to {city}, do you have service there",
        "wrong number sorry",
        "can i pick up my order in the store",
        "do you have the {product} in stock",
        "i want to leave some feedback",
        "how do i get a receipt for my taxes",
        "are you open on thanksgiving",
    ],
    "human": [
        "i need to speak to a human",
        "representative",
        "can i talk to a real person please",
        "just get me a manager",
        "operator",
        "agent. agent",
        "i don't want a robot, let me talk to somebody",
        "transfer me to someone please",
    ],
}

# What a caller adds when the agent asks for specifics.
DETAILS: dict[str, list[str]] = {
    "order_status": [
        "the order number is {order}",
        "it's {order}",
        "it was a {product}, i ordered it {when}",
        "i don't have the number but it's under {name}",
        "it's order {order}, the tracking just says label created",
        "hang on let me find it, ok it's {order}",
        "{order}. it was supposed to come {day}",
    ],
    "account": [
        "my phone number is {phone}",
        "it's under {name}",
        "zip code {zip}",
        "the account's under my wife's name actually, {name}",
        "my number is {phone} and the zip is {zip}",
    ],
    "reschedule": [
        "{day2} would be better, afternoon if you have it",
        "anything after three on {day2}",
        "it's under {name}, the appointment is {when_f}",
        "my zip is {zip}",
        "any morning next week works",
        "can you do {day2} at like ten",
    ],
    "troubleshooting": [
        "i already unplugged it and plugged it back in",
        "it's the {device} you guys sent me",
        "it started {when}",
        "yeah it's plugged in, the light is just flashing",
        "i tried restarting it like three times",
        "it's only on my phone, the tv works fine",
    ],
    "refund": [
        "the order number is {order}",
        "it's {order}",
        "i bought it {when}",
        "it was {amount}",
        "it came in the box all smashed",
        "order {order}, under {name}",
    ],
    "other": [
        "it's {name}",
        "the new one is {city}",
        "no that's it, just wondering",
        "my zip is {zip}",
        "ok",
    ],
    "human": [
        "no i just want to talk to a person",
        "it's complicated, i'd rather explain it to someone",
        "i already told the last guy, just transfer me",
        "representative",
        "please just put me through",
    ],
}

# Said before the reason, in some calls.
PREAMBLES = [
    "hi",
    "hello",
    "yeah hi how are you",
    "hello? hi yes",
    "hi um i have a question",
    "hey, so",
    "yes hello i'm calling because",
    "good morning",
]
# A caller who asks for a person first and then says what the call is about.
HUMAN_FIRST = [
    "can i just talk to a person",
    "representative please",
    "i need to speak with someone",
    "operator",
    "let me talk to a real person",
]
CLOSERS = [
    "ok thanks",
    "perfect thank you, bye",
    "alright that's it",
    "no that's everything",
    "cool",
    "thank you have a good one",
    "great, thanks so much",
    "ok",
    "yep got it, bye",
    "ok wait can you repeat that",
    "that's all thanks",
]
ACKS = ["yes", "yeah that's right", "correct", "uh huh", "yep", "mhm", "no, it's {zip}"]


# --------------------------------------------------------------------------- agent lines

AGENT_ASK: dict[str, list[str]] = {
    "order_status": ["I can check that. What's the order number?", "Sure. Can I get your order number?"],
    "account": ["I can help with your account. What's the phone number on it?", "First, your billing ZIP?"],
    "reschedule": ["I can move that. What day works better?", "Sure. Which day would you like instead?"],
    "troubleshooting": ["Sorry about that. Which device is it?", "Let's fix it. When did it start?"],
    "refund": ["I can look into a refund. What's the order number?", "Sorry to hear that. Which order?"],
    "other": ["I can take the details for the team. Can I get your name?", "Sure, tell me more."],
    "human": [
        "I can connect you. Can you tell me what it's about first?",
        "Before I transfer you, what's it about?",
    ],
}
AGENT_ANSWER: dict[str, list[str]] = {
    "order_status": [
        "Order {order} shipped with UPS and should arrive {day2}.",
        "It's in transit and due on the 28th.",
        "It was delivered yesterday at 2 pm. I'll open a ticket to trace it.",
    ],
    "account": [
        "Your balance is $42.50, due on the 1st.",
        "You're on the Pro plan, and the account is active.",
        "Your last payment posted on the 20th.",
    ],
    "reschedule": [
        "Done. You're booked for {day2} at 10 am.",
        "I moved it to {day2} between 1 and 3 pm.",
        "The next open slot is Monday at 9. Shall I book it?",
    ],
    "troubleshooting": [
        "Unplug the {device} for 30 seconds, then plug it back in.",
        "Let's reset it. Hold the back button for ten seconds.",
        "I've opened a ticket and a technician will call you.",
    ],
    "refund": [
        "The refund of $89.99 is approved; allow five business days.",
        "That order is outside the 30-day window, so I've sent it for review.",
        "I've issued the refund to your original card.",
    ],
    "other": ["I've created a ticket and the team will follow up by email.", "Noted. Anything else?"],
    "human": ["Transferring you now. Please hold.", "I'm connecting you to the next available person."],
}


# --------------------------------------------------------------------------- calls


def _speech(rng: random.Random) -> Speech:
    day, day2 = rng.sample(DAYS, 2)
    noisy = rng.random() < 0.3  # a bad line or a loud room
    return Speech(
        rng=rng,
        product=rng.choice(PRODUCTS),
        device=rng.choice(DEVICES),
        order_no=str(rng.randint(10000, 19999)),
        zip_code=f"9{rng.randint(4000, 5999)}",
        phone=f"415555{rng.randint(1000, 9999)}",
        name=rng.choice(NAMES),
        day=day,
        day2=day2,
        carrier=rng.choice(CARRIERS),
        city=rng.choice(CITIES),
        disfluency=rng.choice([0.0, 0.03, 0.06, 0.1]),
        mishear=0.15 if noisy else 0.0,
        punctuated=rng.random() < 0.35,
    )


def make_call(rng: random.Random, label: str, started_at: datetime) -> dict[str, Any]:
    """One exported call of the given intent."""
    sp = _speech(rng)
    turns: list[tuple[str, str]] = []

    def caller(template: str) -> None:
        turns.append(("caller", sp.say(sp.fill(template))))

    def agent(line: str) -> None:
        turns.append(("agent", line))

    agent(f"Thanks for calling {rng.choice(COMPANY)}, this is {rng.choice(AGENT_NAMES)}. How can I help?")
    shape = rng.random()
    if label != "human" and shape < 0.1:
        # Asks for a person first; says what it is about only when asked.
        caller(rng.choice(HUMAN_FIRST))
        agent("I can help, or connect you. What's the call about?")
    elif shape < 0.3:
        caller(rng.choice(PREAMBLES))
        agent("Hi there. What can I do for you?")
    caller(rng.choice(OPENERS[label]))
    must_keep = len(turns)  # a call is never cut before its reason is stated
    agent(rng.choice(AGENT_ASK[label]))
    caller(rng.choice(DETAILS[label]))
    if rng.random() < 0.4:
        agent("Thanks. Can you confirm the ZIP code on the account?")
        caller(rng.choice(ACKS))
    answer = rng.choice(AGENT_ANSWER[label])
    agent(answer.format(order=sp.order_no, day2=sp.day2.capitalize(), device=sp.device))
    caller(rng.choice(CLOSERS))
    agent("You're welcome. Goodbye!")

    length = rng.randint(max(2, must_keep), min(8, len(turns)))
    turns = turns[:length]  # dropped calls and hang-ups cut the export short
    duration = min(600.0, max(60.0, 25.0 * length + rng.uniform(20, 200)))
    return {
        "call_id": "CA" + f"{rng.getrandbits(128):032x}",
        "started_at": started_at.isoformat(timespec="seconds"),
        "duration_s": round(duration, 1),
        "turns": [{"speaker": s, "text": t} for s, t in turns],
        "label": label,
    }


def labels_for(n: int) -> list[str]:
    """Exactly `n` labels in the seed's proportions (largest remainders), unshuffled."""
    raw = {label: n * share / 100 for label, share in MIX.items()}
    counts = {label: int(v) for label, v in raw.items()}
    by_remainder = sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)
    for label in by_remainder[: n - sum(counts.values())]:
        counts[label] += 1
    return [label for label, k in counts.items() for _ in range(k)]


def make_transcripts(n: int = DEFAULT_CALLS, seed: int = RANDOM_SEED) -> list[dict[str, Any]]:
    """`n` calls in the seed's mix, in time order, reproducible for a given seed."""
    rng = random.Random(seed)
    labels = labels_for(n)
    rng.shuffle(labels)
    times = sorted(_call_time(rng) for _ in range(n))
    return [make_call(rng, label, t) for label, t in zip(labels, times, strict=True)]


def _call_time(rng: random.Random) -> datetime:
    # Support hours, 8 am to 6 pm, any day of the four weeks.
    day = rng.randrange(28)
    seconds = rng.randrange(8 * 3600, 18 * 3600)
    return EXPORT_START + timedelta(days=day, seconds=seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--calls", type=int, default=DEFAULT_CALLS)
    args = parser.parse_args(argv)
    text = "".join(json.dumps(call, ensure_ascii=False) + "\n" for call in make_transcripts(args.calls))
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.calls} calls to {args.out}")


if __name__ == "__main__":
    main()
