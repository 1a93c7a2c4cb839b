"""Phrasing bank "indie_d": busy callers phoning from work or on the move.

Tradespeople on a job site, small-business owners, nurses on a break, parents
with kids in the car.  Direct, rarely use the business's own words, describe
situations rather than ask questions.  Mostly American English, with some
Canadian and New Zealand speakers.  Numbers said fast, in pairs or threes,
sometimes "zero" instead of "oh".
"""

import itertools
import random
import re

BANK: dict[str, tuple[str, ...]] = {
    # ------------------------------------------------------------------ openings
    "order_status": (
        "yeah hi, I'm trying to find out where my stuff is, it was supposed to be here by now",
        "hey, I ordered a thing off you guys a while back and it still hasn't shown up",
        "hi, I'm just calling about a delivery, it's been a week and nothing's turned up at the house",
        "yeah, I've got an order that's kind of gone missing in action, I'm trying to track it down",
        "hi there, quick one, I'm waiting on a package from you and I've got no idea where it's at",
        "so the thing I ordered off your website still isn't here and I need it for a job Monday",
        "morning, I'm after an update on my order, the tracking hasn't moved in days",
        "hi, I put an order in last week and I'm trying to figure out when it's actually coming",
        "yeah gidday, just wondering where my parcel's got to, it said it'd be here Tuesday",
        "hey, so my order's supposed to be out for delivery but nobody's been by and I've been home all day",
        "hi, I need to know if my order's even shipped yet, I'm kind of counting on it",
        "sorry, I'm in the truck, I'm just checking on a delivery, the stuff I ordered for the shop",
        "hi, I'm chasing up an order, it's overdue and I haven't heard a peep",
        "yeah, I'm trying to work out when my delivery's gonna land, I've gotta plan the week around it",
        "hi, I ordered some stuff a couple weeks back and I'm still waiting on it, eh",
        "hey, the box I was supposed to get still isn't here, I want to know where it is",
    ),
    "account": (
        "hi, I'm trying to work out if I'm paid up or if I still owe you guys something",
        "yeah hi, I just need to know what's left on my bill",
        "hey, what do I owe right now, I want to get it squared away before the end of the month",
        "hi, I'm looking at my account online and I can't tell what the balance actually is",
        "yeah, I'm calling to find out how much is still outstanding on my account",
        "hi there, I want to pay off whatever I owe but I don't know the number",
        "hey, quick one, what's the damage on my bill at the moment, I want to pay it off",
        "I've got a statement here and I just want to know what the actual amount due is",
        "hi, I'm doing the books for the business and I need to know where our balance is at with you",
        "yeah, am I behind on anything, I want to check what I owe before it goes overdue",
        "hi, sorry, I lost the last bill, I need to know how much I'm supposed to be paying",
        "hey, I'm just trying to figure out where I'm at on my account, like what's left to pay",
        "hi, I need the balance on my account, I'm about to make a payment",
        "yeah, I think I might still owe you a bit, I just want to know how much",
        "hi, just checking how much my next payment is and when it's due",
        "hiya, I'm wanting to settle up my account, how much is sitting on it",
    ),
    "reschedule": (
        "hi, I've got a guy booked to come out Thursday and I need to move that",
        "yeah, I can't make my appointment, I need to push it back a few days",
        "hey, something came up at work and I need to change the time for the service visit",
        "hi, the technician's meant to be coming tomorrow morning but I won't be home, can we shift it",
        "I need to switch my booking to a different day, the one I've got doesn't work anymore",
        "hi, sorry, I've got a visit booked and my kid's got a thing that day, I need to move it",
        "yeah hi, I'd like to bump my appointment to later in the week if there's room",
        "hey, I'm on a job site all next week so the appointment I booked isn't gonna work, I need a new time",
        "hi, can I move the guy coming Thursday to sometime the week after",
        "hi there, I need to rebook my appointment, I've got a clash",
        "yeah, I'm calling to change when someone's coming out to the house",
        "hi, I booked a service call for Monday and I need it earlier if you've got anything",
        "so I'm on nights this week and the morning slot I picked is no good, I need to change it",
        "hi, I need to reschedule, the time I booked just isn't going to happen, eh",
        "hey, my appointment with you guys, I need to move it, same week's fine, just a different day",
    ),
    "refund": (
        "hi, I sent something back to you and I still haven't seen my money",
        "yeah, I want my money back for an order, the thing I got isn't what I need",
        "hey, I'm trying to get a refund on an order I returned a couple weeks ago",
        "hi, I returned my stuff and the refund still isn't showing on my card",
        "I'd like to get refunded for an order, I never ended up using it",
        "hi there, I need to send an order back and get my money back",
        "yeah hi, I cancelled an order and I'm waiting on the money to come back to me",
        "hey, I was told I'd get a refund and it's been like ten days and nothing",
        "hi, the thing I ordered doesn't suit the job, I just want to send it back for a refund",
        "hi, I'm after a refund on an order, it's not what I thought it was",
        "yeah, I paid for an order I don't need anymore and I'd like the money put back on my card",
        "hi, I'm trying to get my money back, the order came and it's no good to me",
        "hey, sorry, I'm driving, I just need to sort out a refund for something I bought",
        "hi, I'm chasing a refund, the box went back to you ages ago",
        "I'd like my money back on my last order please, I've already boxed it up",
    ),
    "troubleshooting": (
        "{problem}",
        "hi, so {problem}, and I've kind of run out of ideas",
        "yeah hey, {problem}, I need someone to walk me through it",
        "hi, I bought something from you guys and {problem}",
        "hey, quick one, {problem}, and I've already tried turning it off and on",
        "so the thing I got from you, {problem}",
        "hi there, I've got a bit of a problem, {problem}",
        "yeah, um, {problem}, and I need it working for a job this afternoon",
        "hi, sorry, I'm on my break so I've only got a few minutes, {problem}",
        "hey, {problem}, and it was fine last week",
        "hi, I'm hoping you can help, {problem}, and I'm not sure what I did",
        "morning, {problem}, is there something I'm meant to reset or whatever",
        "yeah gidday, {problem}, any ideas",
        "hi, {problem}, I've got the kids in the car so bear with me",
        "hey, so basically {problem}, and the manual's useless",
    ),
    "general": (
        "{question}",
        "hi, quick question, {question}",
        "yeah hey, I just wanted to check, {question}",
        "hi, I'm not calling about an order or anything, I just want to know, {question}",
        "hi there, sorry, random one, {question}",
        "hey, my partner asked me to find out, {question}",
        "hi, {question}, I couldn't find it anywhere on the website",
        "yeah, um, {question}",
        "morning, I was wondering, {question}",
        "hi, I'm trying to plan something out, {question}",
        "hey, just a general thing, {question}",
        "hi, before I order anything, {question}",
        "hiya, I've got a question for you, {question}",
        "hey, somebody at work said to ask you guys, {question}",
    ),
    "other": (
        "hi, I got charged twice for the same thing and I want it sorted out",
        "yeah, the guy who came out yesterday was honestly pretty rude, I want to talk to someone about it",
        "hey, my delivery showed up smashed, the box was all caved in and the thing inside is broken",
        "I've got a statement here that doesn't add up, there's a charge on it I never made",
        "hi, the technician tracked mud all through my house and left without finishing, I want someone to deal with it",
        "yeah, I was on the phone with one of your people last week and they hung up on me",
        "hi, there's a charge on my card from you and I haven't bought anything in months",
        "hey, you sent me the wrong thing, and when I called before nobody called me back like they said they would",
        "hi, I want to make a complaint, the driver left my parcel out in the rain and it's ruined",
        "your guy never showed up for the appointment, I took the afternoon off work for nothing, and I want someone to answer for that",
        "hi, I've been overcharged, the price on the bill isn't what I was quoted",
        "yeah, I'd like to speak to a manager, the woman at your store was really short with me and my kid",
        "hi, somebody signed for my delivery and it wasn't me, and now it's just gone",
        "hey, I keep getting billed for something I cancelled months ago and I'm done going round in circles",
        "hi, the stuff came, but half of it's damaged and the rest is the wrong size, honestly it's a mess",
        "hi, my account got sent to collections and I've never missed a payment, I need a real person on this",
    ),
    # ------------------------------------------------------------ terse openers
    "terse_order_status": (
        "where's my order",
        "order status",
        "delivery",
        "tracking",
        "my package",
        "where's my stuff",
        "missing parcel",
    ),
    "terse_account": (
        "my balance",
        "the bill",
        "what I owe",
        "balance",
        "amount due",
        "account balance",
        "my bill",
    ),
    "terse_reschedule": (
        "reschedule",
        "change appointment",
        "move my booking",
        "new time",
        "appointment change",
        "change my visit",
    ),
    "terse_refund": (
        "refund",
        "money back",
        "my refund",
        "refund please",
        "refund status",
        "return and refund",
    ),
    # --------------------------------------------------------------- frames
    "up_front": (
        "hi, {ids}, {request}",
        "yeah, so {ids}, and {request}",
        "hey, right off the bat, {ids}, {request}",
        "hi, let me give you my details first, {ids}, okay, {request}",
        "hi there, {ids}. {request}",
        "okay, {ids}, and the reason I'm calling, {request}",
        "hi, before you ask, {ids}, {request}",
        "hey, I've got my stuff in front of me, {ids}, and {request}",
        "hi, to save time, {ids}, {request}",
        "yeah hi, {ids}... {request}",
        "hi, I'll just rattle this off, {ids}, so, {request}",
        "hiya, {ids}, um, {request}",
        "okay so, {ids}, and basically {request}",
    ),
    "polite": (
        "hi, sorry to bother you, ",
        "hi there, hope you're having a good day, ",
        "hey, thanks for picking up, ",
        "hi, sorry, I'll be quick, ",
        "hello, thanks for taking my call, ",
        "hi, sorry if I'm a bit distracted, ",
        "good morning, ",
        "hi, hope I've got the right department, ",
        "hey there, thanks for helping me out with this, ",
        "hiya, cheers for answering, ",
        "hi, I appreciate you taking the time, ",
        "hello, sorry about the noise in the background, ",
        "hi, thanks, I won't keep you long, ",
        "hi, sorry, I know you're probably busy, ",
    ),
    "ramble": (
        "okay so, um, I'm just pulling over here, hang on, right, so, ",
        "yeah hi, so I've been meaning to call for like a week now and I finally got a second between jobs, anyway, ",
        "hi, sorry, I've got the kids in the back and they're going at it, so bear with me, um, ",
        "so I'm on my break, I've got about ten minutes, and I tried the website but it just kept going in circles, so ",
        "right, okay, so I wasn't sure who to call about this and my buddy said just call the main line, so here I am, ",
        "hey, um, this is gonna sound kind of dumb, but I've had a long day, so, ",
        "hi, so, long story, but basically, ",
        "okay, I'm on a job site so if it gets loud that's the saw, sorry, uh, ",
        "yeah so my husband usually deals with this stuff but he's away this week, so, anyway, ",
        "hi, I've tried calling a couple of times today already and the call kept dropping, so hopefully this one sticks, ",
        "so I was gonna email but honestly it's quicker to just call, I figure, ",
        "hi, okay, I'm just gonna read this off my notes because otherwise I'll forget, um, ",
        "yeah gidday, so I'm out in the shed and the signal's a bit patchy, so if I cut out, sorry, but ",
        "oh hi, sorry, I wasn't expecting someone to pick up so fast, okay, so, ",
        "hi, so I run a little shop and I'm doing about five things at once here, so ",
    ),
    "polite_reply": (
        "sure, ",
        "yeah, no worries, ",
        "okay, ",
        "yep, ",
        "um, yeah, ",
        "sure thing, ",
        "right, ",
        "oh, okay, ",
        "yeah, hang on, ",
        "no problem, ",
        "okay so, ",
        "yeah, sure, ",
        "alright, ",
        "one sec, uh, ",
    ),
    # ---------------------------------------------------------- identifiers
    "give_zip": (
        "it's {zip}",
        "{zip}",
        "yeah, {zip}",
        "zip's {zip}",
        "it's uh, {zip}",
        "{zip}, that's the billing one",
        "the zip code is {zip}",
        "should be {zip}",
        "um, {zip}",
        "billing zip, {zip}",
        "okay, {zip}",
        "that'd be {zip}",
        "{zip}, yeah",
        "let me think, it's {zip}",
    ),
    "give_order": (
        "it's {order}",
        "{order}",
        "yeah, the order number's {order}",
        "hang on, I've got the email here, {order}",
        "uh, {order}",
        "okay, it says {order}",
        "it's {order} on the receipt",
        "order number, {order}",
        "let me scroll, okay, {order}",
        "should be {order}",
        "it's, um, {order}",
        "that's {order}",
        "{order}, that's the one",
        "got it right here, {order}",
    ),
    "give_phone": (
        "it's {phone}",
        "{phone}",
        "my number's {phone}",
        "the phone on there should be my cell, {phone}",
        "uh, {phone}",
        "yeah, it's {phone}",
        "try {phone}",
        "it'd be under {phone}",
        "{phone}, that's my cell",
        "the number on the account is {phone}",
        "okay, {phone}",
        "best number's {phone}",
        "probably my mobile, {phone}",
        "should be {phone}",
    ),
    "give_email": (
        "it's {email}",
        "{email}",
        "my email's {email}",
        "yeah, {email}",
        "uh, it's {email}",
        "should be {email}",
        "the email on there is {email}",
        "try {email}",
        "{email}, all lower case",
        "it'd be my work one, {email}",
        "okay, {email}",
        "probably {email}",
        "I use {email} for pretty much everything",
        "it's, um, {email}",
    ),
    "last4": (
        "{last4}",
        "it's {last4}",
        "last four are {last4}",
        "yeah, {last4}",
        "uh, {last4}",
        "ends in {last4}",
        "the last four, {last4}",
        "that'd be {last4}",
        "okay, {last4}",
        "should be {last4}",
        "it ends {last4}",
        "{last4}, yeah",
        "last four digits, {last4}",
    ),
    "account_name": (
        "it's under {name}",
        "{name}",
        "it should be {name}",
        "the account's in my name, {name}",
        "probably under {name}",
        "yeah, {name}",
        "try {name}",
        "it'd be under {name}",
        "{name}, that's who it's under",
        "it's {name}",
        "uh, {name}",
        "should be under {name}",
        "I think I set it up as {name}",
    ),
    # --------------------------------------------------------- confirmations
    "yes": (
        "yes",
        "yeah",
        "yep, that's right",
        "yeah, that's it",
        "correct",
        "that's right",
        "yup",
        "mm-hm, yeah",
        "yeah, that's the one",
        "sure is",
        "that's correct",
        "yep",
        "yeah, spot on",
        "uh huh",
        "yeah, sounds right",
    ),
    "no": (
        "no",
        "nope",
        "no, that's not it",
        "no, that's wrong",
        "nah",
        "no, not quite",
        "nah, that's not right",
        "no, that's not mine",
        "uh, no",
        "no, that's off",
        "nope, that's not it",
        "nah, wrong one",
        "no, sorry, that's not right",
    ),
    "no_fix": (
        "no, it's {right}",
        "nope, {right}",
        "no, that's wrong, it's {right}",
        "nah, it should be {right}",
        "no no, {right}",
        "not quite, it's {right}",
        "no, you've got it wrong, {right}",
        "no, it's actually {right}",
        "nope, I said {right}",
        "no, {right}",
        "that's not it, it's {right}",
        "nah, try {right}",
        "no, sorry, {right}",
        "wrong one, it's {right}",
    ),
    "self_correct": (
        "it's {wrong}, no wait, {right}",
        "{wrong}, sorry, I mean {right}",
        "uh, {wrong}... no, hang on, it's {right}",
        "{wrong}, no, scratch that, {right}",
        "it's {wrong}, oh sorry, that's the old one, it's {right}",
        "{wrong}, wait no, {right}",
        "try {wrong}, actually no, {right}",
        "{wrong}... sorry, {right}",
        "it's {wrong}, hold on, no, it's {right}",
        "{wrong}, no, sorry, I'm reading the wrong line, {right}",
        "{wrong}, uh, no, {right}, that's it",
        "I think it's {wrong}, no, {right}, sorry",
        "{wrong}, actually, make that {right}",
    ),
    # ------------------------------------------------------------ scheduling
    "pick_first": (
        "the first one",
        "first one's good",
        "the first one works",
        "I'll take the first",
        "the first time you said",
        "yeah, the first one",
        "let's do the first one",
        "first",
        "the first one please",
        "that first one's fine",
        "gimme the first one",
        "go with the first",
        "the first one, yeah",
    ),
    "pick_second": (
        "the second one",
        "second one",
        "the second one works better",
        "the other one, the second",
        "I'll take the second",
        "second one please",
        "let's do the second",
        "the second time you said",
        "yeah, the second",
        "the last one you said",
        "go with the second",
        "second one's better for me",
        "number two",
    ),
    "pick_day": (
        "{day}",
        "{day} works",
        "the {day} one",
        "let's do {day}",
        "{day} is good",
        "I'll take {day}",
        "{day}'s better for me",
        "uh, {day}",
        "go with {day}",
        "{day}, please",
        "can we do the {day}",
        "yeah, {day}",
        "{day} would be best",
    ),
    # ------------------------------------------------------- troubleshooting
    "fixed": (
        "yeah, that did it",
        "oh, it's working now",
        "yep, that fixed it",
        "yeah, it's back on",
        "oh sweet, that worked",
        "okay, yeah, that sorted it",
        "it's working, thanks",
        "yeah, all good now",
        "looks like it, yeah",
        "oh nice, yeah, it's going",
        "yep, we're good",
        "yeah, it came right",
        "hey, that worked",
        "yep, fixed",
    ),
    "not_fixed": (
        "no, still nothing",
        "nope, same thing",
        "no, it's still doing it",
        "nah, didn't work",
        "no, still dead",
        "uh, no, no change",
        "no, that didn't do anything",
        "still not working",
        "nope, still the same",
        "no, it's just doing the same thing",
        "nah, no luck",
        "no, I did that, still nothing",
        "no, it's worse if anything",
    ),
    # --------------------------------------------------------------- wrap-up
    "done": (
        "no, that's it, thanks",
        "nope, that's all",
        "no, I'm good",
        "that's everything, cheers",
        "no, all good, thanks",
        "nah, that's it",
        "that's all I needed",
        "no, thanks, bye",
        "I'm good, thanks for your help",
        "nope, you've sorted me out",
        "no, that'll do it",
        "no, that's it, have a good one",
        "that's it for today",
        "no thanks, I've gotta run",
    ),
    "also": (
        "yeah, actually, {request}",
        "oh, while I've got you, {request}",
        "one more thing, {request}",
        "yeah, actually, totally different thing, {request}",
        "um, yeah, {request}",
        "since I'm on the line, {request}",
        "oh, and {request}",
        "actually yes, {request}",
        "yeah, one other thing, {request}",
        "oh right, I nearly forgot, {request}",
        "there is one more, {request}",
        "yeah, separate thing, {request}",
        "while I'm here, {request}",
        "yes, and this is unrelated, but {request}",
    ),
    # ------------------------------------------------------------- repair
    "repeat": (
        "sorry, what was that",
        "can you say that again",
        "sorry, I didn't catch that",
        "come again",
        "say that one more time",
        "sorry, you cut out there",
        "huh, sorry, what",
        "I missed that, the truck was loud",
        "sorry, can you repeat that",
        "what was that last bit",
        "sorry, my kid was talking, what'd you say",
        "pardon",
        "sorry, go back, what did you say",
        "one more time, sorry",
    ),
    "still_here": (
        "yeah, I'm here",
        "yep, still here",
        "sorry, yeah, I'm here",
        "yeah yeah, go ahead",
        "still here",
        "yep, sorry, I was just grabbing something",
        "I'm here, sorry",
        "yeah, just driving",
        "uh, yeah, I'm still on",
        "here, yep",
        "sorry, yes, I'm here",
        "yeah, I'm here, I just had to step outside",
        "yeah, still with you",
    ),
    "go_ahead": (
        "yeah, go ahead",
        "sure, do that",
        "yep, please",
        "yes please",
        "okay, sounds good",
        "yeah, let's do that",
        "go for it",
        "sure, that works",
        "yeah, that'd be great",
        "please, yeah",
        "okay, yeah, do it",
        "yep, that's fine",
        "sure thing",
        "yeah, sort that out for me",
    ),
    "unknown": (
        "I don't know",
        "no idea, sorry",
        "I'm not sure what you mean",
        "sorry, I don't get it",
        "um, I couldn't tell you",
        "I don't have that on me",
        "not sure, honestly",
    ),
    "no_order": (
        "I don't have an order number, it's not about an order, {request}",
        "it's not an order thing, {request}",
        "no, there's no order, {request}",
        "I'm not calling about an order, {request}",
        "there isn't one, {request}",
        "uh, it's not about an order at all, {request}",
        "no order, {request}",
        "I don't have one, this isn't about an order, {request}",
        "no, no, not an order, {request}",
        "nah, it's nothing I ordered, {request}",
        "it's got nothing to do with an order, {request}",
        "there's no order number for this, {request}",
        "I didn't order anything, {request}",
    ),
    "not_that": (
        "no, that's not what I meant, {request}",
        "no, sorry, you've got the wrong end of it, {request}",
        "that's not it, {request}",
        "no no, {request}",
        "hang on, no, {request}",
        "you misunderstood me, {request}",
        "no, I'm not asking about that, {request}",
        "sorry, I wasn't clear, {request}",
        "nah, not that, {request}",
        "no, what I'm saying is, {request}",
        "that's not what I'm calling about, {request}",
        "no, wait, {request}",
        "wrong thing, {request}",
        "no, let me try again, {request}",
    ),
}


# ---------------------------------------------------------------------------
# Spoken identifiers
# ---------------------------------------------------------------------------

_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

_AS_IN = {
    "A": ("apple", "Adam"),
    "B": ("boy", "Bob"),
    "C": ("Charlie", "cat"),
    "D": ("dog", "David"),
    "E": ("Edward", "echo"),
    "F": ("Frank", "fox"),
    "G": ("George", "golf"),
    "H": ("Henry", "house"),
    "I": ("ice", "India"),
    "J": ("John", "Jack"),
    "K": ("king", "kilo"),
    "L": ("Larry", "lima"),
    "M": ("Mike", "Mary"),
    "N": ("Nancy", "Nora"),
    "O": ("Oscar", "orange"),
    "P": ("Paul", "Peter"),
    "Q": ("queen", "Quebec"),
    "R": ("Robert", "Romeo"),
    "S": ("Sam", "sugar"),
    "T": ("Tom", "tango"),
    "U": ("uncle", "umbrella"),
    "V": ("Victor", "van"),
    "W": ("William", "whiskey"),
    "X": ("x-ray", "x-ray"),
    "Y": ("yellow", "yankee"),
    "Z": ("zebra", "Zulu"),
}
_CONFUSABLE = set("BCDEGPTVZMNSF")


class _Voice:
    """Per-utterance speaking habits, drawn once from rng."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.zero = "zero" if rng.random() < 0.4 else "oh"
        self.doubles = rng.random() < 0.35  # "double five"
        self.triples = rng.random() < 0.15  # "triple seven" (NZ habit)
        self.pairs = rng.random() < 0.5  # "sixty-one" style for pairs
        self.numerals = rng.random() < 0.1  # transcript shows digits
        r = rng.random()
        self.letter_style = "plain" if r < 0.5 else ("all" if r < 0.75 else "confusable")

    # -- digits -------------------------------------------------------------
    def digit(self, d: str) -> str:
        return self.zero if d == "0" else _ONES[int(d)]

    def digitwise(self, s: str) -> str:
        out, i = [], 0
        while i < len(s):
            d = s[i]
            if self.triples and s[i : i + 3] == d * 3:
                out.append("triple " + self.digit(d))
                i += 3
            elif self.doubles and s[i : i + 2] == d * 2:
                out.append("double " + self.digit(d))
                i += 2
            else:
                out.append(self.digit(d))
                i += 1
        return " ".join(out)

    def pair(self, s: str) -> str:
        a, b = int(s[0]), int(s[1])
        if a == 0:
            if b == 0:
                return "double " + self.zero if self.doubles else self.zero + " " + self.zero
            return self.zero + " " + _ONES[b]
        if a == 1:
            return _TEENS[b]
        if b == 0:
            return _TENS[a]
        return _TENS[a] + "-" + _ONES[b]

    def group(self, s: str) -> str:
        if self.numerals:
            return s
        n = len(s)
        if n == 1:
            return self.digit(s)
        if n == 2:
            return self.pair(s) if (self.pairs or self.rng.random() < 0.3) else self.digitwise(s)
        if n == 3:
            if s[1:] == "00" and s[0] != "0" and self.rng.random() < 0.5:
                return _ONES[int(s[0])] + " hundred"
            if s[0] != "0" and s[1] != "0" and self.pairs and self.rng.random() < 0.4:
                return _ONES[int(s[0])] + " " + self.pair(s[1:])
            return self.digitwise(s)
        if n == 4:
            if self.pairs or self.rng.random() < 0.25:
                return self.pair(s[:2]) + " " + self.pair(s[2:])
            return self.digitwise(s)
        return self.digitwise(s)

    def chunks(self, s: str) -> list[str]:
        n = len(s)
        if n == 10:
            split = (3, 3, 4)
        elif n == 5:
            split = self.rng.choice(((3, 2), (2, 3), (2, 2, 1), (5,)))
        elif n <= 4:
            split = (n,)
        else:
            split, left = [], n
            while left > 0:
                if left in (2, 3):
                    take = left
                elif left == 4:
                    take = 2
                else:
                    take = self.rng.choice((2, 3))
                split.append(take)
                left -= take
        out, i = [], 0
        for k in split:
            out.append(s[i : i + k])
            i += k
        return out

    def number(self, s: str) -> str:
        parts = self.chunks(s)
        if len(parts) == 1 and len(s) == 5:
            return self.digitwise(s) if not self.numerals else s
        said = []
        for p in parts:
            if len(p) > 4:
                said.append(self.digitwise(p) if not self.numerals else p)
            else:
                said.append(self.group(p))
        text = said[0]
        for prev, nxt in itertools.pairwise(said):
            sep = self.sep()
            # "twenty" + "one" would fuse into twenty-one: keep a clear break
            if sep == " " and (
                (prev.endswith("ty") and re.match(r"(one|two|three|four|five|six|seven|eight|nine)\b", nxt))
                or (prev.endswith("hundred") and not re.match(r"(oh|zero|double)\b", nxt))
            ):
                sep = ", "
            text += sep + nxt
        return text

    def sep(self) -> str:
        r = self.rng.random()
        if r < 0.2:
            return "... "
        if r < 0.55:
            return ", "
        return " "

    # -- letters ------------------------------------------------------------
    def letter(self, ch: str) -> str:
        ch = ch.upper()
        words = _AS_IN.get(ch)
        if words is None:
            return ch
        as_in = (
            self.letter_style == "all"
            or (self.letter_style == "confusable" and ch in _CONFUSABLE)
            or ch == "O"
        )  # never let the letter O pass for zero
        if as_in:
            if ch == "O" and self.letter_style == "plain" and self.rng.random() < 0.5:
                return "the letter O"
            return f"{ch} as in {self.rng.choice(words)}"
        return ch


def spoken_value(value: str, rng: random.Random) -> str:
    """How these callers say an identifier (ZIP, last four, phone, order number)."""
    v = _Voice(rng)
    raw = value.strip()
    if raw.isdigit():
        return v.number(raw)

    out: list[str] = []
    tokens = re.findall(r"[A-Za-z]+|\d+|#|-|[^A-Za-z\d#\-\s]+", raw)
    for i, tok in enumerate(tokens):
        if tok == "#":
            if rng.random() < 0.45:
                out.append(rng.choice(("number", "pound", "hash")) if i == 0 else "number")
        elif tok == "-":
            out.append(rng.choice(("dash", "dash", "hyphen", "...", "")))
        elif tok.isdigit():
            out.append(v.number(tok))
        elif tok.isalpha():
            said = [v.letter(c) for c in tok]
            joiner = ", " if any(" as in " in w or w.startswith("the ") for w in said) else " "
            out.append(joiner.join(said))
        else:
            out.append(tok)
    text = ", ".join(p for p in out if p)
    text = re.sub(r",\s*\.\.\.,", "...", text)
    text = re.sub(r"\s+", " ", text).strip(" ,")
    return text


# ---------------------------------------------------------------------------
# Spoken e-mail
# ---------------------------------------------------------------------------

_VOWELS = set("aeiouy")
_ONSETS = {
    "bl",
    "br",
    "ch",
    "cl",
    "cr",
    "dr",
    "dw",
    "fl",
    "fr",
    "gl",
    "gr",
    "gw",
    "kn",
    "kr",
    "ph",
    "pl",
    "pr",
    "qu",
    "sc",
    "sh",
    "sk",
    "sl",
    "sm",
    "sn",
    "sp",
    "st",
    "sw",
    "th",
    "tr",
    "tw",
    "wh",
    "wr",
    "ts",
    "kl",
    "sch",
    "scr",
    "shr",
    "spl",
    "spr",
    "str",
    "thr",
    "squ",
}
_SPELLED_TLDS = {"edu", "gov"}
_SEP_WORDS = {".": "dot", "_": "underscore", "-": "dash", "+": "plus", "'": "apostrophe"}


_WHOLE_WORDS = {"gmail", "hotmail", "ymail", "xtra", "icloud", "protonmail", "outlook", "yahoo"}
_SPELL_WORDS = {"aol", "msn", "att"}


def _say_letters(run: str) -> str:
    run = run.lower()
    if run in _WHOLE_WORDS:
        return run
    if run in _SPELL_WORDS:
        return " ".join(run)
    if len(run) == 1 or not any(c in _VOWELS for c in run):
        return " ".join(run)
    # leading consonant cluster that can't start an English word -> initial
    if len(run) > 2 and run[0] not in _VOWELS and run[1] not in _VOWELS:
        if run[:2] not in _ONSETS and run[:3] not in _ONSETS:
            return run[0] + " " + _say_letters(run[1:])
    return run


def _say_digits(run: str) -> str:
    if len(run) == 2 and run[0] != "0":
        a, b = int(run[0]), int(run[1])
        if a == 1:
            return _TEENS[b]
        return _TENS[a] if b == 0 else f"{_TENS[a]}-{_ONES[b]}"
    if len(run) == 4 and (run.startswith("19") or (run.startswith("20") and run[2] != "0")):
        return _say_digits(run[:2]) + " " + _say_digits(run[2:])
    return " ".join(_ONES[int(c)] for c in run)


def _say_chunk(chunk: str) -> str:
    parts = []
    for run in re.findall(r"[A-Za-z]+|\d+|[^A-Za-z\d]+", chunk):
        if run.isdigit():
            parts.append(_say_digits(run))
        elif run.isalpha():
            parts.append(_say_letters(run))
        else:
            parts.append(" ".join(_SEP_WORDS.get(c, c) for c in run))
    return " ".join(parts)


def spoken_email(addr: str) -> str:
    """Deterministic spoken form: "maria dot lopez seven at example dot com"."""
    addr = addr.strip()
    local, at, domain = addr.rpartition("@")
    if not at:
        local, domain = addr, ""
    words = []
    for piece in re.split(r"([._+\-])", local):
        if not piece:
            continue
        words.append(_SEP_WORDS[piece] if piece in _SEP_WORDS else _say_chunk(piece))
    if domain:
        words.append("at")
        labels = domain.split(".")
        for i, label in enumerate(labels):
            if i:
                words.append("dot")
            low = label.lower()
            is_tld = i == len(labels) - 1 and i > 0
            if is_tld and (len(low) <= 2 or low in _SPELLED_TLDS):
                words.append(" ".join(low))
            else:
                sub = []
                for piece in re.split(r"(-)", label):
                    if piece:
                        sub.append("dash" if piece == "-" else _say_chunk(piece))
                words.append(" ".join(sub))
    return re.sub(r"\s+", " ", " ".join(words)).strip()
