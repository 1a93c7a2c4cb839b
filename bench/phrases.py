"""Three pairwise disjoint phrasing banks for simulated callers: tune, dev and held out.

Every act a caller performs (open with a request, give a ZIP, confirm, ask to
hear it again, correct itself, pick a slot, give the last four digits of the
account's phone or the name on it …) has wordings in every bank, and no wording
appears in two banks (`tests/test_business.py` checks it), so a held-out caller
says things no tuned template says. `TUNE` is looked at while developing; `DEV`
was the held-out bank until the offline brain was fixed from its failures, so it
is a development bank now; `HELDOUT` was written afterwards from how people talk
on the phone (older callers, non-native speakers, hurried and chatty ones,
indirect requests, complaints, questions said as statements), never from the
agent's code, and is only measured. Fields in braces are filled by the caller:
{zip} {order} {phone} {email} {last4} {name} {problem} {question} {day} {wrong}
{right} {request} {ids}.
"""

from __future__ import annotations

import importlib
from typing import Any

Bank = dict[str, tuple[str, ...]]

TUNE: Bank = {
    "order_status": (
        "where's my order",
        "I want to check on an order",
        "can you tell me when my package gets here",
        "I'm trying to track something I bought",
    ),
    "account": (
        "what's my balance",
        "how much do I owe you",
        "I need my account balance",
        "can you look at my account, what's due",
    ),
    "reschedule": (
        "I need to reschedule my appointment",
        "can we move my visit to another day",
        "I can't make my appointment, can I change it",
    ),
    "refund": (
        "I'd like a refund",
        "I want my money back for an order",
        "can I get refunded for something I bought",
    ),
    "troubleshooting": ("{problem}", "I have a problem, {problem}", "hi, so {problem}"),
    "terse_order_status": ("order status",),
    "terse_account": ("balance",),
    "terse_reschedule": ("reschedule",),
    "terse_refund": ("refund",),
    "general": ("{question}", "quick question, {question}"),
    "other": (
        "I want to complain about the delivery driver, he was rude",
        "your website charged my card twice and I want it looked at",
    ),
    "give_zip": ("{zip}", "it's {zip}", "zip is {zip}"),
    "give_order": ("{order}", "the order number is {order}", "it's order {order}"),
    "give_phone": ("my phone number is {phone}", "{phone}"),
    "give_email": ("my email is {email}", "it's {email}"),
    "yes": ("yes", "yeah", "correct", "yes please"),
    "no": ("no", "no thanks"),
    "no_fix": ("no, that's wrong, it's {right}", "no, it's {right}"),
    "self_correct": ("{wrong}, no wait, {right}", "{wrong}, sorry, I mean {right}"),
    "pick_first": ("the first one", "the first one please"),
    "pick_second": ("the second one", "I'll take the second one"),
    "pick_day": ("{day} please", "the {day} one"),
    "fixed": ("yes it worked", "that fixed it, thanks"),
    "not_fixed": ("no, still not working", "nope, didn't help"),
    "done": ("no, that's all", "no thanks, bye"),
    "also": ("yes, one more thing, {request}", "actually yes, {request}"),
    "repeat": ("sorry, say that again?", "what?", "can you repeat that?"),
    "still_here": ("yes, I'm here",),
    "go_ahead": ("yes, go ahead", "yes please do"),
    "ramble": (
        "okay so, I'm sorry, I'm in the car right now, but ",
        "right, so, bear with me, the kids are yelling, ",
    ),
    "up_front": ("hi, {ids}, {request}",),
    "unknown": ("I'm not sure what you mean",),
    "last4": ("{last4}", "last four are {last4}"),
    "account_name": ("{name}", "it's under {name}"),
    "polite": ("hi, sorry to bother you, ",),
    "polite_reply": ("okay thanks, ",),
    "no_order": ("it's not about an order, {request}",),
    "not_that": ("no, that's not my problem, {request}",),
}

DEV: Bank = {
    "order_status": (
        "hello, I was wondering about the status of a purchase",
        "has my stuff shipped yet",
        "I ordered something and it hasn't shown up",
        "I'd like an update on my delivery please",
    ),
    "account": (
        "how much is on my bill right now",
        "could you tell me what I currently owe",
        "I'm calling about what's outstanding on my account",
        "what do I have left to pay",
    ),
    "reschedule": (
        "the technician is booked for a day that doesn't work for me anymore",
        "I'd need to push back my service visit",
        "something came up, could the visit be on a different date",
    ),
    "refund": (
        "I'd like to get reimbursed for a purchase",
        "could you refund me for an order",
        "I returned something and want the charge reversed",
    ),
    "troubleshooting": ("{problem}", "hey there, {problem}", "yeah hi, um, {problem}"),
    "terse_order_status": ("tracking",),
    "terse_account": ("my bill",),
    "terse_reschedule": ("change my visit",),
    "terse_refund": ("money back",),
    "general": ("{question}", "I just had a question, {question}"),
    "other": (
        "the crew left a mess in my driveway and I'm not happy about it",
        "I got an invoice for work nobody did and I need someone to check it",
    ),
    "give_zip": ("postal code {zip}", "that'd be {zip}", "{zip} is my zip"),
    "give_order": ("order {order}", "I have it here, {order}", "the number on the receipt is {order}"),
    "give_phone": ("you can try {phone}", "the number on file is {phone}"),
    "give_email": ("try {email}", "the email should be {email}"),
    "yes": ("yep", "that's right", "uh-huh", "exactly", "sure"),
    "no": ("nope", "not quite"),
    "no_fix": ("nope, it should be {right}", "not quite, {right}"),
    "self_correct": ("{wrong}... no, {right}", "{wrong}, oops, make that {right}"),
    "pick_first": ("the earliest one works", "let's do that first option"),
    "pick_second": ("the second option sounds good", "I'd go with option two"),
    "pick_day": ("{day} works for me", "let's do {day}"),
    "fixed": ("oh, that did it", "yep, working now"),
    "not_fixed": ("no luck, same thing", "tried it, no change"),
    "done": ("nah, I'm good", "that'll be everything, thank you"),
    "also": ("oh wait, {request}", "while I have you, {request}"),
    "repeat": (
        "sorry, I didn't catch that",
        "pardon?",
        "come again?",
        "could you say that once more",
        "sorry?",
    ),
    "still_here": ("still here",),
    "go_ahead": ("sure, do it", "please go ahead"),
    "ramble": (
        "so, um, long story, I've been meaning to call for a while and ",
        "okay, well, I'm standing in my kitchen, anyway, ",
    ),
    "up_front": ("hello, {ids}, and {request}",),
    "unknown": ("hmm, I don't follow",),
    "last4": ("that's {last4}", "the last four digits are {last4}"),
    "account_name": ("the account's in the name of {name}", "{name}, that's me"),
    "polite": ("good afternoon, I hope this is the right number, ",),
    "polite_reply": ("thank you, ",),
    "no_order": ("this isn't about an order, {request}",),
    "not_that": ("that's not what I'm calling about, {request}",),
}

HELDOUT: Bank = {
    "order_status": (
        "hi, um, I ordered a bike from you folks a while back and I still haven't heard anything",
        "yes hello, I am calling because my package, it did not arrive yet",
        "I need to know what's going on with my order, I'm kind of in a hurry",
        "good afternoon, I bought something on your website and my grandson said I should call "
        "and find out when it's coming",
        "so the website said my stuff was on its way but it's been ages and nothing",
        "just checking whether the thing I bought online went out yet",
    ),
    "account": (
        "I got a statement from you and I'm not sure what I actually owe",
        "hello, I would like to know the amount I must pay, please",
        "can you just tell me where my account stands real quick",
        "my wife says there's still money owing on our account and I wanted to check",
        "I'm trying to figure out if I've paid everything off or not",
    ),
    "reschedule": (
        "I was told someone would look at my bike Tuesday but that doesn't work for me now",
        "I've got a service booked and I can't make it, my shifts changed at work",
        "hi, I need a different day for my bike appointment",
        "hello, the appointment for my bicycle, is it possible to change the day",
        "I'm not going to be able to bring the bike in when I said I would",
    ),
    "refund": (
        "I sent back the pedals I bought and I haven't seen the money on my card",
        "I would like my money returned for something I bought, please",
        "the thing I ordered wasn't what I expected and I'd like a refund on it",
        "hello, I want to get the money back from my order, how do I do this",
        "I'm calling to see about getting reimbursed, it's for an order I made",
    ),
    "troubleshooting": (
        "{problem}",
        "hi there, so, {problem}",
        "yes, good morning, {problem}, can you help me",
        "ugh, okay, {problem}",
        "I don't know if you can help, but {problem}",
    ),
    "terse_order_status": ("shipping update",),
    "terse_account": ("amount owing",),
    "terse_reschedule": ("move appointment",),
    "terse_refund": ("refund please",),
    "general": (
        "{question}",
        "quick one for you, {question}",
        "I was just curious, {question}",
        "my neighbor wanted me to ask, {question}",
    ),
    "other": (
        "the guy at the counter was really rude to my son yesterday and I want somebody to know",
        "you charged me for a tune-up I never got and I want that sorted out",
        "I want to make a complaint, the bike I picked up has a scratch all down the frame",
    ),
    "give_zip": ("{zip}, that's the zip", "uh, {zip}", "it is {zip}", "should be {zip}"),
    "give_order": ("it says {order} on the email", "okay, um, {order}", "the number is {order}"),
    "give_phone": ("it's probably under {phone}", "{phone}, that's my cell"),
    "give_email": ("it'd be {email}", "my email, {email}"),
    "yes": ("yeah, that's it", "mm-hmm", "yes, that is correct", "yup", "right, yeah"),
    "no": ("no, no", "that's not it", "hmm, no"),
    "no_fix": ("no, it's actually {right}", "that's not right, {right}", "no no, {right}"),
    "self_correct": (
        "{wrong}, wait, sorry, {right}",
        "{wrong}, no, hang on, it's {right}",
        "{wrong}... actually {right}",
    ),
    "pick_first": ("the first time is fine", "I'll take the earlier one", "whichever is first"),
    "pick_second": ("the second of those", "the second time works better for me"),
    "pick_day": ("{day} is better for me", "can we do {day}", "{day}, if that's okay"),
    "fixed": ("oh hey, it's working now", "that sorted it, thank you", "oh, yes, that did the trick"),
    "not_fixed": ("no, it's still doing it", "I did that and nothing changed", "nope, same as before"),
    "done": ("no, that's it, thank you so much", "nope, that's everything", "no, I think that's all, bye"),
    "also": ("yes actually, {request}", "oh, and one more, {request}", "since I've got you, {request}"),
    "repeat": (
        "I'm sorry, what was that?",
        "can you say it again, slower please",
        "hm? sorry, the line cut out",
        "one more time?",
        "sorry, my hearing's not great, could you repeat that",
    ),
    "still_here": ("yes, yes, I'm here", "sorry, yes, still on"),
    "go_ahead": ("yes, please do that", "okay, that's fine", "sure, that works"),
    "ramble": (
        "oh gosh, okay, so I'm on my lunch break and I only have a few minutes, but ",
        "right, sorry, my dog is barking, give me a second, okay, ",
        "so, uh, this is kind of a long story, ",
    ),
    "up_front": ("okay so {ids}, {request}", "{request}, {ids}"),
    "unknown": ("I don't really understand", "I'm not sure, sorry"),
    "last4": ("um, {last4}", "it ends in {last4}", "the last four, {last4}"),
    "account_name": (
        "it's in my name, {name}",
        "{name}, I'm the account holder",
        "my husband set it up but it's under {name}",
    ),
    "polite": (
        "hello, sorry to trouble you, I hope you can help me, ",
        "good morning, I wonder if you might be able to help, ",
    ),
    "polite_reply": ("oh, thank you, ", "alright, lovely, "),
    "no_order": ("oh, no, I'm not calling about an order, {request}", "no, there's no order, {request}"),
    "not_that": (
        "wait, no, that's not why I called, {request}",
        "hold on, I think you misunderstood, {request}",
    ),
}

BANKS: dict[str, Bank] = {"tune": TUNE, "dev": DEV, "heldout": HELDOUT}


def _independent(name: str, taken: set[str]) -> Bank:
    """An independent author's bank, less any wording an earlier bank has (banks stay disjoint)."""
    bank: Bank = BANK_MODULES[name].BANK
    bare = {"{problem}", "{question}"}
    return {
        act: tuple(p for p in ps if p in bare or p.lower() not in taken) or ps[:0] for act, ps in bank.items()
    }


# Development banks by authors who never read the agent (see `bench.banks`).
INDEPENDENT = ("indie_a", "indie_b", "indie_c", "indie_d", "indie_e")
BANK_MODULES: dict[str, Any] = {n: importlib.import_module(f"bench.banks.{n}") for n in INDEPENDENT}
for _name in INDEPENDENT:
    _taken = {p.lower() for b in BANKS.values() for ps in b.values() for p in ps}
    BANKS[_name] = _independent(_name, _taken)
