"""Phrasing bank "indie_e": story-telling, talk-around-it callers.

Population: Scottish, Irish, Indian and Nigerian English speakers who describe
rather than name things ("the box never came", "the money side of things"),
say numbers digit by digit with "double"/"triple", mix "zero" and "oh", and
spell letters with words ("B for Bravo", "C for cat").
"""

import random
import re

BANK: dict[str, tuple[str, ...]] = {
    # ------------------------------------------------------------------ openers
    "order_status": (
        "so the box was supposed to come last week and there's been nothing, not a sausage",
        "hiya, I'm after finding out where my parcel's got to, it's been a good while now",
        "hello, good morning, I bought some things from you people and till now nothing has reached me",
        "kindly check for me, the item I paid for has not been delivered, what is the position please",
        "ah listen, I've been waiting in all week for the delivery fella and there's no sign of him",
        "och, the wee package I was expecting still hasn't turned up, could you tell me where it is",
        "my things were meant to arrive on the Tuesday, it's Friday now and I'm still sitting here waiting",
        "I'm ringing about the stuff I got off your website, I think it's gone astray somewhere between yous and me",
        "please, I want to know when my goods will be brought, it's been long o",
        "the tracking thing hasn't moved in days, is the delivery actually coming at all",
        "so I got a few bits from yous a fortnight ago and, em, nothing's landed at the door yet",
        "good afternoon, I am calling to know the whereabouts of my shipment, I have not received it",
        "right, so my daughter's birthday present was supposed to be here by now and it's not, where's it at",
        "hello, the courier said it was out for delivery yesterday but it never came, can you find out where it's gone",
        "em, I'm just wondering where my bits and pieces are, I paid for them ages ago",
        "sorry, the things I bought from you, they haven't come yet, is there any news on them at all",
    ),
    "account": (
        "hi, I just want to know where I stand with the money side of things",
        "I'm after finding out how much I'm owing yous at the minute",
        "kindly tell me the amount outstanding on my side, I want to clear it",
        "could you tell me what's due, I got a letter and I couldn't make head nor tail of it",
        "I'd like to settle up with yous but I don't know what the figure is",
        "please, how much do I still have to pay you people",
        "so I think I owe you something but I'm not sure how much, could you have a look",
        "hello, I want to know the current position of my account, how much is remaining",
        "och, I've lost track of what I've paid and what I haven't, can you tell me what's left",
        "ah, I just need to know what I'm down for this month before I go and pay it",
        "what's the damage, like, how much am I in for on the account",
        "good morning, I wish to confirm what amount is pending against my name",
        "I want to clear whatever I'm owing before the end of the month, what's the total",
        "my husband usually sorts the bills but he's away, so what is it we owe yous",
        "is there anything hanging over me on your side, I don't want to be getting a late fee",
    ),
    "reschedule": (
        "I've got someone booked to come out but my sister's wedding is that day, can we move it",
        "I need to sort out the visit, the day yous gave me is no good for me anymore",
        "kindly, the technician is coming on a day I won't be at home, I want to change it",
        "hiya, the engineer's meant to be calling round next week but I'm away, can we shift it",
        "so I booked the lad to come and look at the boiler and, em, something's come up at work",
        "please, I want to shift the date of the service visit small",
        "I've a slot with yous but I can't make it now, is there another day going",
        "ah, the fella's due out to me on the Thursday and I've a hospital thing, can it be moved at all",
        "I need to change the time the person is coming to my house, please",
        "I'm after a different day for the visit, the one I have just isn't going to work",
        "the man is supposed to come and fix the thing on Monday but my mother is arriving, can we do another day",
        "good day, I would like to rearrange my booking for a later date",
        "och, I'll not be in when your person's meant to come, can we sort a new time",
        "I have a booking but I'll be travelling that week, kindly help me adjust it",
        "listen, could we move when yous are coming out, the kids are off school that day",
        "I'd like to bump my slot to another day if that's at all possible",
    ),
    "refund": (
        "I sent the thing back weeks ago and I still haven't seen the money come back to me",
        "I'm after getting my money back for something that was no use to me",
        "kindly return my money, the item you sent is not what I paid for",
        "the jacket didn't fit so I posted it back, when will the money be back in my account",
        "I want my money back please, I'm not happy at all with what came",
        "so I paid for a thing and then cancelled it and the money's still gone off my card",
        "hello, please I need you to reverse the payment, I don't want the goods again",
        "could I get the cash back for the bits I bought, they were broken when they came",
        "och, I'm wanting reimbursed for the stuff I sent back, it's been ages",
        "ah listen, I returned the parcel and I'm still waiting on the money to go back on my card",
        "I was told I'd be credited back and nothing has entered my account till now",
        "I've changed my mind about the purchase and I'd like my money returned",
        "the thing I got was faulty so I'd rather just have my money back than another one",
        "good afternoon, I want to be paid back for what I bought, it's not what was on the site",
        "em, the money for the thing I returned, can I get that back to me please",
    ),
    "troubleshooting": (
        "{problem}",
        "hiya, {problem}, and I've no idea what to do with it",
        "so I got this thing off yous and, em, {problem}",
        "please, {problem}, kindly help me",
        "ah listen, {problem}, I've tried everything I can think of",
        "hello, good morning, {problem}, what can I do",
        "och, it's driving me up the wall, {problem}",
        "the thing I bought is giving me wahala, {problem}",
        "right so, {problem}, and my son says it's broken but I'm not so sure",
        "I need a hand here, {problem}, is there something I should be pressing",
        "sorry to say it but {problem}, and it's only a few weeks old",
        "it was working grand until yesterday and now {problem}",
        "my wee one was playing with it and now {problem}",
        "good day, I want to report that {problem}",
    ),
    "general": (
        "{question}",
        "hiya, just a quick one, {question}",
        "I was only wondering, {question}",
        "please, I want to ask, {question}",
        "sorry, this might be a daft question but {question}",
        "ah, I'm only after a bit of information, {question}",
        "good afternoon, kindly tell me, {question}",
        "my neighbour was asking me and I didn't know, {question}",
        "och, before I come down, {question}",
        "hello, I have a small enquiry, {question}",
        "right, so, em, {question}",
        "could you tell me, {question}",
        "I just wanted to check something with yous, {question}",
        "me and the wife were arguing about this, {question}",
    ),
    "other": (
        "the young lad in your shop was awful rude to my mother and I want to speak to someone about it",
        "I've been charged twice for the one thing and I want a real person to look at it",
        "the parcel came all smashed up, the box was soaking and the thing inside is in bits",
        "kindly connect me to your manager, your staff insulted me yesterday and I am not happy at all",
        "there's money gone off my card that I never agreed to, I want this looked into properly",
        "the delivery man left my stuff out in the rain and it's destroyed, I want someone to deal with it",
        "I've rang yous four times about this and nobody has sorted it, I want a supervisor",
        "the man who came out to the house tracked muck all over my carpet and was cheeky with it",
        "please, I was overcharged, the price on the website is not what you people took from me",
        "someone from yous was on the phone to me shouting, that's not on, I want to make a complaint",
        "I got somebody else's things delivered and mine are nowhere, and there's personal papers in mine",
        "och, the fella that fitted it has left a hole in my wall and I want to talk to someone in charge",
        "I cancelled the subscription months ago and yous are still taking money, this is a scandal",
        "the glass was shattered when I opened it, and the driver just drove off before I could say anything",
        "I want to lodge a formal complaint about how I was treated in your branch",
    ),
    # ------------------------------------------------------------ terse openers
    "terse_order_status": (
        "where's my parcel",
        "delivery",
        "parcel not here",
        "my package",
        "tracking please",
        "missing delivery",
    ),
    "terse_account": (
        "what I owe",
        "amount due",
        "my bill",
        "payment",
        "how much owing",
        "account",
    ),
    "terse_reschedule": (
        "change visit",
        "move booking",
        "rearrange",
        "new date",
        "different day",
        "technician date",
    ),
    "terse_refund": (
        "money back",
        "return money",
        "reimbursement",
        "my money",
        "repayment please",
    ),
    # ------------------------------------------------------- preambles / ids
    "up_front": (
        "hi, {ids}, {request}",
        "hello, good morning, so my details are {ids}, and {request}",
        "right, before you ask, {ids}, and the thing is, {request}",
        "kindly note my details, {ids}, {request}",
        "ah, I'll give you the details first so, {ids}, and {request}",
        "och, let me just get this out of the way, {ids}, right so, {request}",
        "please, {ids}, that's my information, {request}",
        "here's my bits and pieces, {ids}, and {request}",
        "good day, for your records, {ids}, and {request}",
        "{ids}, that's me, and {request}",
        "hiya, I've got everything ready here, {ids}, so {request}",
        "okay so you'll be needing these, {ids}, and, em, {request}",
        "hello, I'm ringing with my details to hand, {ids}, and {request}",
    ),
    "polite": (
        "hi, sorry to bother you, ",
        "hello, good morning, ",
        "hiya, hope you're keeping well, ",
        "good afternoon, please, ",
        "ah hello there, sorry now, ",
        "kindly, ",
        "sorry to be a pain, ",
        "hello, I hope I've got the right place, ",
        "good day to you, ",
        "och hello, thanks for picking up, ",
        "hello, how are you doing today, ",
        "excuse me please, ",
        "hi there, thanks a million for taking my call, ",
        "good evening, sorry to trouble you, ",
    ),
    "ramble": (
        "so, em, I don't know if I'm ringing the right number but, ",
        "right, I've been meaning to call for days and I kept forgetting with the kids and everything, ",
        "ah look, I'll try and keep this short but you know yourself, ",
        "hello, so my cousin told me to ring this number and I've been on hold a good while, anyway, ",
        "och, it's been one of those weeks, the car's in the garage and the dog's not well, but anyway, ",
        "please, let me explain small, I was at work and my phone was off and I only just saw everything, so ",
        "so the thing is, and bear with me here, ",
        "I was going to send an email but then I thought I'd just ring, so, ",
        "em, I'm not great with these things, my daughter usually does it for me but she's away, so ",
        "right, well, I was on the bus earlier thinking about this and I said to myself I'd better just phone, ",
        "good morning, eh, I have been trying to get through since yesterday, the network was bad, anyway, ",
        "ah sure look, I don't want to take up too much of your time but ",
        "so you see, my husband was meant to sort this and of course he hasn't, ",
    ),
    "polite_reply": (
        "yes, of course, ",
        "ah right, ",
        "no bother, ",
        "sure, ",
        "okay, one second, ",
        "och aye, ",
        "alright so, ",
        "hold on now, ",
        "em, let me see, ",
        "grand, ",
        "okay okay, ",
        "sure thing, ",
        "no problem at all, ",
        "right you are, ",
    ),
    # ----------------------------------------------------- giving identifiers
    "give_zip": (
        "it's {zip}",
        "the zip is {zip}",
        "{zip}",
        "that'd be {zip}",
        "em, {zip}",
        "the billing one is {zip}",
        "my zip code is {zip}",
        "it should be {zip}",
        "I think it's {zip}, yeah",
        "okay, {zip}",
        "that's {zip} so it is",
        "my postcode, em, zip code sorry, is {zip}",
        "let me think... {zip}",
    ),
    "give_order": (
        "it's {order}",
        "{order}",
        "the number on the email is {order}",
        "I have it here, {order}",
        "em, hold on, {order}",
        "it says {order}",
        "that would be {order}",
        "the reference is {order}",
        "kindly note it, {order}",
        "right so it's {order}",
        "I think it was {order}",
        "okay, {order}, I hope that's the one",
    ),
    "give_phone": (
        "it's {phone}",
        "{phone}",
        "the number is {phone}",
        "my mobile is {phone}",
        "you can take {phone}",
        "that would be {phone}",
        "the one on the account is {phone}",
        "it's my mobile, {phone}",
        "okay, {phone}",
        "em, {phone}",
        "I'll give you the mobile, {phone}",
        "my number is {phone}, yeah",
    ),
    "give_email": (
        "it's {email}",
        "{email}",
        "the email is {email}",
        "you'll have me down as {email}",
        "em, {email}",
        "my email address is {email}",
        "it should be {email}",
        "okay, {email}",
        "that's {email}",
        "kindly take it, {email}",
        "I use {email} for everything",
        "the one on the account is {email}, I think",
    ),
    "last4": (
        "{last4}",
        "the last four are {last4}",
        "it ends in {last4}",
        "em, {last4}",
        "last four digits, {last4}",
        "that's {last4}",
        "it finishes {last4}",
        "the end of it is {last4}",
        "{last4}, I think",
        "okay, {last4}",
        "the last bit is {last4}",
        "it ends with {last4} so it does",
    ),
    "account_name": (
        "it's under {name}",
        "{name}",
        "it'd be in my name, {name}",
        "the name on it is {name}",
        "{name}, that's me",
        "it might be under my husband, {name}",
        "try {name}",
        "it's {name}",
        "you'll find it under {name}",
        "em, it should be {name}",
        "the account is in the name of {name}",
        "that'd be {name}",
    ),
    # --------------------------------------------------------------- yes / no
    "yes": (
        "yes",
        "yeah, that's right",
        "aye, that's it",
        "correct",
        "that's correct",
        "yes, it is",
        "yep",
        "it is, yeah",
        "exactly",
        "spot on",
        "that's the one",
        "grand, yes",
        "yes o",
        "that's right so",
    ),
    "no": (
        "no",
        "no, that's not it",
        "naw, that's wrong",
        "no no",
        "that's not right",
        "it's not, no",
        "sorry, no",
        "not at all",
        "no o, that's not it",
        "nope",
        "that's not it at all",
        "ah no",
        "no, that's not correct",
    ),
    "no_fix": (
        "no, it's {right}",
        "naw, it's {right}",
        "that's not it, it's {right}",
        "no no, {right}",
        "not quite, it should be {right}",
        "sorry, no, it's actually {right}",
        "no, the right one is {right}",
        "ah no, {right}",
        "that's wrong, kindly correct it to {right}",
        "no, it's {right} so it is",
        "no o, it's {right}",
        "not that, {right}",
    ),
    "self_correct": (
        "{wrong}, no wait, {right}",
        "it's {wrong}... sorry, no, {right}",
        "{wrong}, ah no hang on, it's {right}",
        "{wrong}, och no, that's the old one, {right}",
        "em, {wrong}, sorry, I mean {right}",
        "it's {wrong}, no, let me check... {right}",
        "{wrong}, sorry, correction, {right}",
        "{wrong}... no, what am I saying, {right}",
        "I think it's {wrong}, ah no, it's {right}",
        "{wrong}, no, scratch that, {right}",
        "{wrong}, sorry sorry, {right}",
        "{wrong}, ah wait, that's my sister's, mine is {right}",
    ),
    # ------------------------------------------------------- picking a time
    "pick_first": (
        "the first one",
        "the first one's grand",
        "I'll take the first",
        "the first one please",
        "first one, yeah",
        "the first time suits me",
        "the first one will do",
        "I'll go with the first option",
        "kindly book the first one",
        "the first is better for me",
        "och, the first one",
        "the first one you said, that's perfect",
    ),
    "pick_second": (
        "the second one",
        "the second one's better",
        "I'll take the second",
        "the second one please",
        "second one, yeah",
        "the other one, the second one",
        "the second suits me better",
        "kindly book the second one",
        "go with the second",
        "och, the second one",
        "the second time you said",
        "the second one will do me grand",
    ),
    "pick_day": (
        "{day} please",
        "{day} is grand",
        "the {day} one",
        "I'll take {day}",
        "{day} suits me",
        "let's do {day}",
        "{day} would be better",
        "kindly put me down for {day}",
        "{day}, yeah",
        "och, {day}'s fine",
        "the one on {day}",
        "{day} works for me",
    ),
    # ---------------------------------------------------- troubleshooting outcome
    "fixed": (
        "yes, it's working now",
        "oh, that's done it",
        "aye, that's sorted it",
        "it's working grand now",
        "yes o, it has started working",
        "that fixed it, thank you",
        "oh brilliant, it's back on",
        "it's come on now",
        "yes, it's okay now",
        "that's it working, thanks",
        "ah fair play, that did the trick",
        "it's behaving itself now",
        "yes, thank God, it's working",
    ),
    "not_fixed": (
        "no, still nothing",
        "no, it's the same",
        "naw, it's still not working",
        "nope, no change",
        "it's still doing the same thing",
        "no o, still the same",
        "ah no, it's still dead",
        "I tried that, no joy",
        "nothing's changed",
        "still not working, no",
        "no, it's still giving the same problem",
        "och no, it's no better",
    ),
    # --------------------------------------------------------- closing / flow
    "done": (
        "no, that's everything, thanks",
        "no, that's me, cheers",
        "no, that's all, thank you",
        "nothing else, thanks a million",
        "no, you've been very helpful, bye",
        "that's all for now, thank you",
        "no, that's grand, thanks",
        "no, I'm fine, thank you so much",
        "aye, that's me sorted, thanks",
        "no, God bless you, bye",
        "that will be all, thank you",
        "no, that's it, take care",
    ),
    "also": (
        "yes, actually, {request}",
        "there is one more thing, {request}",
        "aye, while I have you, {request}",
        "ah yeah, {request}",
        "one more thing please, {request}",
        "since I have you on the line, {request}",
        "oh, and {request}",
        "em, yes, {request}",
        "actually yeah, {request}",
        "yes please, {request}",
        "och, I nearly forgot, {request}",
        "just one other thing, {request}",
    ),
    "repeat": (
        "sorry, what was that",
        "could you say that again",
        "pardon",
        "come again",
        "sorry, I didn't catch that",
        "you're breaking up, say that again",
        "kindly repeat",
        "what did you say",
        "eh, say that one more time",
        "sorry, I missed that",
        "can you repeat that please",
        "sorry, the line's bad, what was that",
        "och, you lost me there, say again",
    ),
    "still_here": (
        "yes, I'm here",
        "aye, still here",
        "I'm still here",
        "yes, yes, I'm here",
        "sorry, I'm here",
        "yeah, go on",
        "I'm here, sorry, I was just looking for something",
        "still here, yeah",
        "yes o, I'm here",
        "I'm here, I'm listening",
        "yes, I'm still on",
        "sorry, yes, still here",
    ),
    "go_ahead": (
        "yes, go ahead",
        "please do",
        "aye, go on",
        "yes, do that",
        "that'd be great",
        "kindly do the needful",
        "grand, go ahead",
        "yes please",
        "sure, do that",
        "okay, go on",
        "yes, please do that",
        "that's fine, go ahead",
    ),
    "unknown": (
        "I don't know",
        "sorry, I'm not sure",
        "I've no idea",
        "I don't understand",
        "you've lost me",
        "I'm not sure what you mean",
    ),
    "no_order": (
        "it's not about a delivery, {request}",
        "I don't have one, it's nothing to do with something I bought, {request}",
        "no, there's no number, {request}",
        "it's not that kind of thing, {request}",
        "I haven't bought anything, {request}",
        "there's no number, it's something else, {request}",
        "och, it's not about a parcel at all, {request}",
        "no o, I didn't buy anything, {request}",
        "ah no, it's not that, {request}",
        "I've no number like that, {request}",
        "sorry, it's not about anything I got from yous, {request}",
        "no, no number, the thing is, {request}",
    ),
    "not_that": (
        "no, that's not what I meant, {request}",
        "you've got the wrong end of the stick, {request}",
        "no no, {request}",
        "that's not it, {request}",
        "sorry, I think you misunderstood, {request}",
        "och no, that's not what I'm after, {request}",
        "no, it's not that, {request}",
        "please, you did not get me, {request}",
        "ah no, you've picked me up wrong, {request}",
        "that's not what I'm asking, {request}",
        "hold on, no, {request}",
        "not that at all, {request}",
    ),
}


# ---------------------------------------------------------------- spoken forms

_DIGIT_WORDS = {
    "0": "zero",
    "1": "one",
    "2": "two",
    "3": "three",
    "4": "four",
    "5": "five",
    "6": "six",
    "7": "seven",
    "8": "eight",
    "9": "nine",
}

# Two spelling words per letter: one NATO-ish, one everyday word.
_LETTER_WORDS = {
    "A": ("Alpha", "apple"),
    "B": ("Bravo", "boy"),
    "C": ("Charlie", "cat"),
    "D": ("Delta", "dog"),
    "E": ("Echo", "egg"),
    "F": ("Foxtrot", "Frank"),
    "G": ("Golf", "George"),
    "H": ("Hotel", "house"),
    "I": ("India", "ice"),
    "J": ("Juliet", "John"),
    "K": ("Kilo", "king"),
    "L": ("Lima", "London"),
    "M": ("Mike", "mother"),
    "N": ("November", "Nigeria"),
    "O": ("Oscar", "orange"),
    "P": ("Papa", "Peter"),
    "Q": ("Quebec", "queen"),
    "R": ("Romeo", "Robert"),
    "S": ("Sierra", "Sam"),
    "T": ("Tango", "Tom"),
    "U": ("Uniform", "umbrella"),
    "V": ("Victor", "van"),
    "W": ("Whiskey", "water"),
    "X": ("X-ray", "xylophone"),
    "Y": ("Yankee", "yellow"),
    "Z": ("Zulu", "zebra"),
}


def _digit_word(d: str, zero: str) -> str:
    return zero if d == "0" else _DIGIT_WORDS[d]


def _say_digit_group(group: str, rng: random.Random, zero: str, use_multi: bool) -> str:
    """Say a group of digits one by one, collapsing repeats into double/triple."""
    words = []
    i = 0
    while i < len(group):
        d = group[i]
        j = i
        while j < len(group) and group[j] == d:
            j += 1
        run = j - i
        w = _digit_word(d, zero)
        if use_multi and run >= 2:
            while run > 0:
                if run == 3 or (run > 4 and run % 2 == 1):
                    words.append("triple " + w)
                    run -= 3
                elif run >= 2:
                    words.append("double " + w)
                    run -= 2
                else:
                    words.append(w)
                    run -= 1
        else:
            words.extend([w] * run)
        i = j
    return " ".join(words)


def _split_digits(run: str, rng: random.Random) -> list[str]:
    n = len(run)
    if n == 10:
        return [run[:3], run[3:6], run[6:]]
    if n == 5:
        return rng.choice(([run], [run[:2], run[2:]], [run[:3], run[3:]]))
    if n == 4:
        return rng.choice(([run], [run[:2], run[2:]]))
    if n > 5:
        return rng.choice(([run[:3], run[3:]], [run[: n // 2], run[n // 2 :]]))
    return [run]


def _say_letter(ch: str, rng: random.Random) -> str:
    up = ch.upper()
    words = _LETTER_WORDS.get(up)
    if words is None:
        return ch
    style = rng.random()
    # O and I are always spelled out, so they can't be mistaken for "oh" / "one".
    if up not in "OI" and style < 0.3:
        return up
    word = rng.choice(words)
    link = rng.choice(("for", "for", "as in"))
    return f"{up} {link} {word}"


def spoken_value(value: str, rng: random.Random) -> str:
    """How these callers read an identifier aloud, as a transcript would show it."""
    zero_pref = rng.choice(("zero", "oh", "zero"))
    use_multi = rng.random() < 0.75
    gap = rng.choice((", ", "... ", " "))
    parts: list[str] = []
    for tok in re.findall(r"\d+|[A-Za-z]|[#\-]|\s+|.", value.strip()):
        if tok.isspace():
            continue
        if tok.isdigit():
            groups = _split_digits(tok, rng)
            # occasional mixing of zero / oh within one value
            said = []
            for g in groups:
                z = zero_pref if rng.random() < 0.85 else ("oh" if zero_pref == "zero" else "zero")
                said.append(_say_digit_group(g, rng, z, use_multi))
            parts.append(gap.join(said))
        elif tok.isalpha():
            parts.append(_say_letter(tok, rng))
        elif tok == "#":
            pre = rng.choice(("hash", "number", ""))
            if pre:
                parts.append(pre)
        elif tok == "-":
            parts.append(rng.choice(("dash", "hyphen", "...")))
        else:
            parts.append(tok)
    out = ""
    for p in parts:
        if not out:
            out = p
        elif p == "...":
            out += "..."
        elif out.endswith("..."):
            out += " " + p
        else:
            out += (", " if rng.random() < 0.35 else " ") + p
    return out


def spoken_email(addr: str) -> str:
    """Deterministic spoken form of an e-mail address."""
    addr = addr.strip().lower()
    out: list[str] = []
    for tok in re.findall(r"\d+|[a-z]+|.", addr):
        if tok.isdigit():
            out.append(_say_digit_group(tok, random.Random(0), "zero", True))
        elif tok.isalpha():
            out.append(tok)
        elif tok == ".":
            out.append("dot")
        elif tok == "@":
            out.append("at")
        elif tok == "_":
            out.append("underscore")
        elif tok == "-":
            out.append("dash")
        elif tok == "+":
            out.append("plus")
        else:
            out.append(tok)
    return " ".join(out)
