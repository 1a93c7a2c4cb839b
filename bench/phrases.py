"""Two disjoint phrasing banks for simulated callers: one to tune on, one held out.

Every act a caller performs (open with a request, give a ZIP, confirm, ask to
hear it again, correct itself, pick a slot …) has wordings in both banks, and no
wording appears in both (`tests/test_business.py` checks it), so a held-out
caller says things no tuned template says. Fields in braces are filled by the
caller: {zip} {order} {phone} {email} {problem} {question} {slot} {wrong} {right}.
"""

from __future__ import annotations

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
}

HELDOUT: Bank = {
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
}

BANKS: dict[str, Bank] = {"tune": TUNE, "heldout": HELDOUT}
