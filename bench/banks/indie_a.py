"""Older, formal callers (60+), some hard of hearing, long polite indirect sentences, with a share of British and Australian English speakers."""

import random
import re

BANK: dict[str, tuple[str, ...]] = {
    # ------------------------------------------------------------------ openings
    "order_status": (
        "I was wondering whether you might be able to tell me where my order has got to",
        "yes, hello, I placed an order a little while ago and it still hasn't arrived, I wondered if you could find out where it is",
        "good morning, I'm ringing about a parcel I'm expecting, I'd like to know when it's likely to be delivered",
        "I'd be very grateful if you could tell me when my delivery is due, please",
        "I ordered something from you about a fortnight ago and I've heard nothing since, could you tell me what's happened to it",
        "um, yes, I'm calling to find out the whereabouts of my order",
        "I'm trying to find out where my parcel is, dear, it was meant to be here by now",
        "could you possibly check on the progress of an order for me",
        "I wonder if you could help me, I'm waiting in for a delivery and I've no idea when it's coming",
        "I'd like to know the status of my order please",
        "my daughter ordered something for me on your website and I'd like to know when it's going to turn up",
        "hello there, I was hoping you could tell me whether my order has been sent out yet",
        "I'm just ringing to chase up an order that hasn't come",
        "would you be so kind as to tell me when I can expect my parcel",
        "uh, I've been waiting on a delivery for over a week now and I'd like to know where it is",
        "I'm after an update on my order, if that's possible",
        "yes, I'd like to track a parcel please, I'm not very good with the computer so I thought I'd ring",
        "I was told my order would be with me by now and it isn't, I wonder if you could look into where it is",
        "could you let me know if my order's been dispatched, and when it might arrive",
        "g'day, I'm just wondering where my delivery's got to, it's been a while",
        "I haven't had a notification or anything about my order, could you tell me where it is",
        "I'd like to enquire about an order I placed, I'd like to know when it will be delivered",
    ),
    "account": (
        "I was wondering whether you might be able to tell me what the balance is on my account",
        "I'd like to know how much I owe you at the moment, please",
        "good afternoon, could you tell me the amount outstanding on my account",
        "I'm ringing to find out what my current balance is",
        "um, yes, I'd like to check how much is due on my account, I haven't had a statement",
        "could you possibly tell me how much I need to pay this month",
        "I'd be most grateful if you could let me know what I owe",
        "I wanted to check my account balance, please, dear",
        "I'm trying to sort out my bills and I'd like to know what the amount due is on my account with you",
        "would you be able to tell me how much is owing on my account",
        "hello, I'd just like to know what I owe you before I pay it",
        "I wonder if you could give me the balance of my account, I've mislaid the letter",
        "I'm calling to check what's outstanding on my account, if you'd be so kind",
        "yes, my husband used to see to the bills and I'd like to know what we owe on the account",
        "could you tell me what my bill comes to at present",
        "I'm just after my account balance please, love",
        "I'd like to know how much money is due on my account and when it needs paying by",
    ),
    "reschedule": (
        "I was wondering whether it might be possible to move my appointment to a different time",
        "I've got an engineer booked to come round, but I'm afraid I can't be in that day, could we rearrange it",
        "good morning, I need to change the date of a technician visit, please",
        "I'd like to reschedule my appointment if I may",
        "I have a service visit booked and something's come up, I wonder if we could put it back to another day",
        "um, yes, I've got a hospital appointment on the same day as your man's supposed to come, could I move the visit",
        "could you possibly rebook my appointment for another time",
        "I'm ringing about the technician visit I've got booked, I need to change it I'm afraid",
        "I'd be ever so grateful if you could move my appointment, the time I was given doesn't suit",
        "would it be possible to bring my service appointment forward, or else push it back a bit",
        "I need to rearrange the visit you've got booked in for me, please",
        "my son was meant to be here when your technician comes and now he can't make it, so I'd like to change the appointment",
        "hello dear, I'd like to change the time of my appointment",
        "I have a booking for someone to come out and I'd like to move it to a different day, if that's no trouble",
        "could I change my appointment to another time, please",
        "I've an appointment booked with you and I'm afraid I'll be away, so I'd like to rebook it",
        "I'm wondering if I can reschedule the service visit, the day I've got isn't convenient after all",
    ),
    "refund": (
        "I'd like my money refunded please",
        "I was wondering whether I might be able to get a refund for something I ordered",
        "good afternoon, I bought something from you and it's not what I wanted, I'd like my money back",
        "I'm ringing to ask for a refund on an order",
        "um, yes, I sent an item back and I'd like to be refunded for it",
        "could you possibly arrange a refund for me",
        "I'd be very grateful if you could refund me for my order, it wasn't suitable at all",
        "I'd like to return something and have the money put back on my card",
        "I wonder if you could help me get a refund, I ordered the wrong thing",
        "I'm after a refund please, love",
        "hello, I'd like to claim a refund for an order I placed",
        "I'd like my money back for something I bought, if you don't mind",
        "I returned a parcel to you some weeks ago and I still haven't had my refund, I'd like that sorted please",
        "would it be possible to have a refund, I'm afraid I've changed my mind about the purchase",
        "I'd like to be reimbursed for an order, please",
        "I want to request a refund on something I ordered from you",
        "my granddaughter says I'm entitled to a refund on my order, so I'm ringing to ask for one",
    ),
    "troubleshooting": (
        "I was wondering whether you might be able to help me, {problem}",
        "{problem}",
        "hello, yes, {problem}, and I'm not sure what to do about it",
        "I'm having some trouble, {problem}, could you help me",
        "the thing is, {problem}, and I'm not very technical I'm afraid",
        "I wonder if you could help, {problem}",
        "um, well, {problem}, and my grandson isn't here to look at it",
        "good morning, I've got a bit of a problem, {problem}",
        "I'd be ever so grateful for some help, {problem}",
        "it's rather a nuisance, {problem}, is there anything I can do",
        "I'm ringing because {problem}",
        "I don't know if you're the right people to ask, but {problem}",
        "yes, hello, {problem}, I've tried turning it off and on again",
        "I'm having a spot of bother, {problem}",
        "I hope you can help me, dear, {problem}, I've no idea why",
        "something's gone wrong, {problem}, could you talk me through it",
    ),
    "general": (
        "I was wondering whether you might be able to tell me {question}",
        "{question}",
        "I just have a quick question, {question}",
        "good morning, I wonder if you could help, {question}",
        "um, could you tell me, {question}",
        "I'd like to ask, {question}",
        "I hope you don't mind me asking, {question}",
        "it's only a general query, dear, {question}",
        "my neighbour asked me to find out, {question}",
        "yes, hello, I've been meaning to ask, {question}",
        "I wonder if you'd be so kind as to tell me, {question}",
        "I just wanted to know, {question}",
        "sorry, this might be a silly question, but {question}",
        "could you let me know, {question}",
    ),
    "other": (
        "I'd like to make a complaint about one of your delivery drivers, he was very rude to me on my own doorstep",
        "I've been charged for something I never ordered and I'd like to dispute it",
        "my order arrived damaged, the box was crushed and the item inside is broken, I'd like to make a claim",
        "I wish to complain about the service I received in your shop last week, I was treated very poorly",
        "there's been a mistake on my bill, I've been charged twice, and I'd like to speak to someone about it",
        "I'd like to speak to a manager about the way I was spoken to on the telephone yesterday",
        "I was wondering whether I might speak to somebody about a charge on my statement that I don't recognise",
        "your engineer left my kitchen in a terrible state and I'd like to make a formal complaint",
        "the parcel came smashed to pieces, I've kept everything, and I'd like someone to deal with it",
        "I think I've been overcharged on my last bill and I'd like a person to look into it properly",
        "I've been waiting weeks for someone to ring me back about a complaint and nobody has, I'd like it escalated",
        "I'd like to report a billing error, the amount you've taken from my account is not what I agreed to",
        "I'm not at all happy with how I've been treated, I'd like to lodge a complaint",
        "I'd like to dispute a payment you've taken, I never authorised it",
        "the item I received was damaged in transit and I'd like to report it so somebody can sort it out",
    ),
    "terse_order_status": (
        "my parcel",
        "where's my order",
        "delivery",
    ),
    "terse_account": (
        "my balance",
        "my bill",
        "amount owing",
    ),
    "terse_reschedule": (
        "change appointment",
        "rebook",
        "reschedule please",
    ),
    "terse_refund": (
        "refund",
        "refund please",
        "my money back",
    ),
    "up_front": (
        "hello, {ids}, {request}",
        "good morning, I've got my details here, {ids}, and {request}",
        "right, I'll give you my details first, {ids}, now, {request}",
        "yes, hello, {ids}, I was wondering, {request}",
        "I've written it all down so I don't forget, {ids}, and {request}",
        "my details are {ids}, {request}",
        "good afternoon, um, {ids}, {request}",
        "before I forget, {ids}, and the reason I'm calling is {request}",
        "hello dear, let me read these out for you, {ids}, right, {request}",
        "I have my reference here, {ids}, {request}",
        "{ids}, that's my details, and {request}",
        "hello, it's about my account, {ids}, {request}",
        "I'll give you the numbers first, {ids}, and um, {request}",
    ),
    "polite": (
        "good morning, ",
        "good afternoon, sorry to trouble you, ",
        "hello there, I do hope you can help me, ",
        "oh hello, thank you for answering, ",
        "hello, good morning, I'm sorry to bother you, ",
        "yes, good afternoon, ",
        "hello dear, ",
        "good morning to you, ",
        "oh, hello, I hope you're keeping well, ",
        "hello, thank you ever so much for picking up, ",
        "g'day, ",
        "hello love, ",
        "sorry to be a nuisance, ",
        "good evening, I hope I've rung the right number, ",
    ),
    "ramble": (
        "now bear with me, I'm not very good with these things, ",
        "my grandson usually does all this for me but he's away at the moment, ",
        "I've been trying to get through all morning, ",
        "I'm sorry, I'm a bit hard of hearing so you may have to speak up, ",
        "I've got my glasses on now so I can read everything out, ",
        "I did try the website but I couldn't make head nor tail of it, ",
        "I've just put the kettle on, so, um, ",
        "my late husband always dealt with this sort of thing, so forgive me, ",
        "I've been on hold for rather a long time, but never mind, ",
        "I don't like these automated things, I much prefer talking to a real person, ",
        "I've got all my paperwork here on the table, ",
        "well, it's a bit of a long story, ",
        "I'm ringing from my landline because the mobile's playing up, ",
        "you'll have to forgive me, I'm eighty-two, ",
        "my daughter said I should ring you, ",
    ),
    "polite_reply": (
        "thank you, ",
        "oh, lovely, ",
        "right you are, ",
        "cheers, ",
        "very good, ",
        "thank you dear, ",
        "yes, alright, ",
        "oh, I see, ",
        "that's very kind, ",
        "right, ",
        "okay, thank you, ",
        "oh, thank you very much, ",
        "brilliant, ",
    ),
    # ------------------------------------------------------------------ details
    "give_zip": (
        "it's {zip}",
        "the zip code is {zip}",
        "{zip}",
        "yes, that would be {zip}",
        "my postcode, is it, it's {zip}",
        "um, let me think, {zip}",
        "the billing zip is {zip}",
        "right, that's {zip}",
        "I believe it's {zip}",
        "it should be {zip}, dear",
        "we're {zip}",
        "the postcode is {zip}",
        "that'll be {zip}",
    ),
    "give_order": (
        "it's {order}",
        "the order number is {order}",
        "{order}",
        "I've got it written down here, it's {order}",
        "just a moment, let me find my glasses, right, it's {order}",
        "um, it says {order}",
        "the reference on the email is {order}",
        "yes, it's {order}",
        "I believe the number is {order}",
        "right, are you ready, {order}",
        "that's {order}",
        "it's number {order}",
        "according to my letter, it's {order}",
    ),
    "give_phone": (
        "it's {phone}",
        "my telephone number is {phone}",
        "{phone}",
        "the number on the account is {phone}",
        "it'll be my home number, {phone}",
        "um, {phone}",
        "yes, it's {phone}",
        "that's {phone}",
        "I think it's under my landline, {phone}",
        "you'll have it as {phone}",
        "my number is {phone}, dear",
        "it should be {phone}",
        "right, it's {phone}",
    ),
    "give_email": (
        "it's {email}",
        "my email address is {email}",
        "{email}",
        "um, it's {email}",
        "the email is {email}",
        "yes, it's {email}, all lower case",
        "my daughter set it up, it's {email}",
        "I think it's {email}",
        "that'll be {email}",
        "right, it's {email}",
        "you'll have it as {email}",
        "it should be {email}, dear",
    ),
    "last4": (
        "{last4}",
        "the last four are {last4}",
        "it ends in {last4}",
        "the last four digits are {last4}",
        "um, {last4}",
        "that's {last4}",
        "yes, it finishes {last4}",
        "it ends {last4}",
        "right, {last4}",
        "the last four numbers are {last4}, dear",
        "I believe it's {last4}",
        "let me see, {last4}",
    ),
    "account_name": (
        "it's {name}",
        "the account is under {name}",
        "{name}",
        "it's in my name, {name}",
        "it should be under {name}",
        "that'll be {name}",
        "um, {name}",
        "my name is {name}",
        "it's under the name {name}",
        "yes, it's {name}",
        "I think it's {name}, dear",
        "you'll find it under {name}",
        "the name on the account is {name}",
    ),
    # ------------------------------------------------------------------ answers
    "yes": (
        "yes",
        "yes, that's right",
        "that's correct",
        "yes, that's it",
        "quite right",
        "yes dear",
        "that's the one",
        "spot on",
        "yes, correct",
        "yep",
        "that's right, yes",
        "yes, that's quite correct",
        "mm hm, yes",
        "yes, that's lovely",
        "uh, yes",
        "that's it exactly",
    ),
    "no": (
        "no",
        "no, that's not right",
        "no, I'm afraid not",
        "no, that's wrong",
        "I don't think so, no",
        "no, no",
        "sorry, no",
        "no, that isn't it",
        "not quite, no",
        "no, dear, that's not it",
        "nope",
    ),
    "no_fix": (
        "no, it's {right}",
        "no, I'm afraid that's not right, it's {right}",
        "no, dear, it's {right}",
        "not quite, it's {right}",
        "no, that's wrong, it should be {right}",
        "sorry, no, {right}",
        "no, no, {right}",
        "no, let me say it again, {right}",
        "I don't think you heard me right, it's {right}",
        "no, it's actually {right}",
        "that's not it, it's {right}",
        "no, it ought to be {right}",
    ),
    "self_correct": (
        "{wrong}, no, sorry, {right}",
        "it's {wrong}, oh, no, hang on, it's {right}",
        "{wrong}, oh dear, I've said that wrong, it's {right}",
        "um, {wrong}, no, wait, {right}",
        "{wrong}, sorry, I mean {right}",
        "it's {wrong}, no, let me look again, {right}",
        "{wrong}, oh no, that's my old one, it's {right}",
        "I think it's {wrong}, no, sorry dear, it's {right}",
        "{wrong}, no, I beg your pardon, {right}",
        "{wrong}, hold on, I've got my glasses now, it's {right}",
        "it's {wrong}, no, silly me, {right}",
        "{wrong}, actually no, scratch that, {right}",
    ),
    "pick_first": (
        "the first one, please",
        "I'll take the first one",
        "the first, please",
        "the first one you said would suit me",
        "the former, please",
        "I'd prefer the first of those",
        "the first one sounds lovely",
        "um, the first one",
        "let's go with the first",
        "the first option, please, dear",
        "the first one you mentioned",
        "I'll have the first one, thank you",
    ),
    "pick_second": (
        "the second one, please",
        "I'll take the second one",
        "the second, please",
        "the latter, please",
        "the second one you said would be better",
        "I'd prefer the second of those",
        "the last one you mentioned",
        "um, the second one",
        "let's go with the second",
        "the second option, please, dear",
        "the other one, the second one",
        "I'll have the second one, thank you",
    ),
    "pick_day": (
        "{day}, please",
        "{day} would suit me best",
        "I'll take the {day} one",
        "the {day}, please",
        "um, {day}",
        "let's say {day}",
        "{day} would be lovely",
        "I'd prefer {day}, if that's alright",
        "the one on {day}, please",
        "{day} is better for me",
        "I'll go for {day}, thank you",
        "{day}, dear",
    ),
    "fixed": (
        "oh yes, that's done the trick",
        "it's working now, brilliant",
        "yes, that seems to have sorted it",
        "oh, lovely, it's working again",
        "yes, that's fixed it, thank you",
        "well I never, it's working",
        "yes, it's fine now",
        "that worked, thank you dear",
        "oh good, yes, it's come back on",
        "yes, that's much better now",
        "it seems to be alright now, yes",
        "yes it has, thank you ever so much",
    ),
    "not_fixed": (
        "no, I'm afraid it's still not working",
        "no, no change",
        "still the same, I'm afraid",
        "no, that didn't help",
        "I've done that and it's still not right",
        "no, dear, it's still doing it",
        "it hasn't made any difference",
        "no, nothing's happened",
        "I'm afraid not, it's still broken",
        "no luck, I'm afraid",
        "um, no, it's just the same as before",
        "no, that hasn't fixed it",
    ),
    "done": (
        "no, that's everything, thank you very much",
        "no, that's all, cheers",
        "no thank you, you've been very helpful, goodbye",
        "no, that's all I needed, thank you dear",
        "that's everything, thank you, bye bye",
        "no, I think that's it, thank you ever so much",
        "no, that's lovely, thank you, goodbye",
        "nothing else, thank you",
        "no, you've been most helpful, I'll let you go",
        "no, that'll be all, thanks",
        "no, I'm all sorted now, thank you, ta-ra",
        "no, that's it for today, thanks very much, bye",
    ),
    "also": (
        "yes, actually, {request}",
        "well, while I've got you, {request}",
        "there is one more thing, {request}",
        "oh yes, I nearly forgot, {request}",
        "yes, if you don't mind, {request}",
        "um, yes, {request}",
        "actually there is, {request}",
        "yes please, {request}",
        "one other thing, dear, {request}",
        "since I'm on the phone, {request}",
        "yes, I was also wondering, {request}",
        "now that you mention it, {request}",
    ),
    "repeat": (
        "I'm sorry, I didn't catch that",
        "could you say that again, please",
        "pardon?",
        "sorry, dear, my hearing isn't what it used to be, could you repeat that",
        "come again?",
        "would you mind repeating that a little more slowly",
        "I'm sorry, could you speak up a bit, I didn't hear you",
        "sorry, what was that?",
        "I beg your pardon, I missed that",
        "you'll have to say that again, I'm a bit hard of hearing",
        "sorry, the line's not very good, could you repeat that",
        "I didn't quite get that, could you go over it again",
        "what did you say, love?",
        "sorry, you lost me there, could you say it once more",
    ),
    "still_here": (
        "yes, I'm still here",
        "yes, still here, dear",
        "I'm here, I'm here",
        "yes, sorry, I was just finding my glasses",
        "yes, I'm still on the line",
        "still here, yes",
        "oh, yes, I'm here",
        "yes, sorry, I'm still here",
        "I haven't gone anywhere",
        "yes, I'm here, love",
        "hello, yes, I'm still here",
        "yes, yes, I'm listening",
    ),
    "go_ahead": (
        "yes please, do that",
        "that would be lovely, thank you",
        "yes, if you would",
        "please do",
        "brilliant, yes please",
        "yes, go ahead",
        "yes, that would be very kind of you",
        "oh yes, please, dear",
        "yes, I'd appreciate that",
        "that sounds fine, please go ahead",
        "yes, if you wouldn't mind",
        "by all means, yes",
        "yes, thank you, that would be a great help",
    ),
    "unknown": (
        "I'm sorry, I'm not quite sure what you're asking me",
        "I don't follow, I'm afraid",
        "oh dear, I'm not sure",
        "I'm sorry, I don't understand the question",
        "I'm not sure what you mean, dear",
        "um, I don't really know",
        "I'm afraid you've lost me",
        "I'm not sure how to answer that",
    ),
    "no_order": (
        "oh, it's not about an order, {request}",
        "no, I haven't got an order number, it's nothing to do with an order, {request}",
        "it isn't about an order, dear, {request}",
        "I'm afraid there's no order, {request}",
        "no, no, I'm not calling about an order, {request}",
        "I don't have one, it's not about an order at all, {request}",
        "sorry, I think there's been a misunderstanding, it's not an order, {request}",
        "there isn't an order number, {request}",
        "no, it's not an order I'm ringing about, {request}",
        "I haven't ordered anything, {request}",
        "it's not to do with an order, {request}",
        "um, no order, {request}",
    ),
    "not_that": (
        "no, that's not the trouble at all, {request}",
        "I'm sorry, I think you've misunderstood me, {request}",
        "no, dear, that's not my problem, {request}",
        "that's not what I meant, {request}",
        "no, no, it's not that, {request}",
        "I'm afraid that's not it, {request}",
        "that's nothing to do with it, {request}",
        "sorry, I don't think you heard me properly, {request}",
        "no, that's a different thing, {request}",
        "that's not my issue, {request}",
        "hold on, that's not what I rang about, {request}",
        "no, you've got the wrong end of the stick, {request}",
    ),
}

# ---------------------------------------------------------------------- values

_DIGITS = {
    "0": "oh",
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

# phonetic words an older caller might reach for ("B for Bertie", "S for sugar")
_PHONETIC = {
    "A": ("apple", "Alfred"),
    "B": ("boy", "Bertie"),
    "C": ("Charlie", "cat"),
    "D": ("dog", "David"),
    "E": ("Edward", "echo"),
    "F": ("Freddie", "Frank"),
    "G": ("George", "golf"),
    "H": ("Harry", "hotel"),
    "I": ("India", "ink"),
    "J": ("John", "Jack"),
    "K": ("King", "kite"),
    "L": ("London", "lemon"),
    "M": ("Mary", "mother"),
    "N": ("Nancy", "Norman"),
    "O": ("orange", "Oscar"),
    "P": ("Peter", "Papa"),
    "Q": ("Queen", "Quebec"),
    "R": ("Robert", "Romeo"),
    "S": ("sugar", "Sierra"),
    "T": ("Tommy", "tango"),
    "U": ("umbrella", "uncle"),
    "V": ("Victor", "violet"),
    "W": ("William", "whisky"),
    "X": ("x-ray", "xylophone"),
    "Y": ("yellow", "Yankee"),
    "Z": ("zebra", "Zulu"),
}


def _zero_word(rng: "random.Random") -> str:
    r = rng.random()
    if r < 0.7:
        return "oh"
    if r < 0.92:
        return "zero"
    return "nought"


def _say_digits(digits: str, rng: "random.Random", zero: str, doubles: bool) -> str:
    """Digit words for one group, with 'double'/'triple' the way many older callers say them."""
    words = []
    i = 0
    while i < len(digits):
        d = digits[i]
        run = 1
        while i + run < len(digits) and digits[i + run] == d:
            run += 1
        word = zero if d == "0" else _DIGITS[d]
        while run > 0:
            if doubles and run >= 3 and rng.random() < 0.3:
                words.append("triple " + word)
                run -= 3
            elif doubles and run >= 2 and rng.random() < 0.75:
                words.append("double " + word)
                run -= 2
            else:
                words.append(word)
                run -= 1
        i += len(digits[i:]) - len(digits[i:].lstrip(d))
    return " ".join(words)


def _digit_groups(digits: str, rng: "random.Random") -> list[str]:
    n = len(digits)
    r = rng.random()
    if n == 10:  # a phone number
        if r < 0.55:
            return [digits[:3], digits[3:6], digits[6:]]
        if r < 0.8:
            return [digits[:3], digits[3:6], digits[6:8], digits[8:]]
        return [digits]
    if n == 5:  # a ZIP
        if r < 0.6:
            return [digits]
        if r < 0.85:
            return [digits[:3], digits[3:]]
        return [digits[:2], digits[2:]]
    if n == 4:
        if r < 0.6:
            return [digits]
        return [digits[:2], digits[2:]]
    if n == 11 and digits.startswith("1") and r < 0.6:
        return [digits[:1], digits[1:4], digits[4:7], digits[7:]]
    if n >= 6 and r < 0.6:
        cut = n // 2
        return [digits[:cut], digits[cut:]]
    return [digits]


def _say_letter(ch: str, rng: "random.Random", phonetic: bool) -> str:
    # a bare "O" would be heard as the digit "oh", so it always gets a word
    if phonetic or ch == "O":
        word = rng.choice(_PHONETIC[ch])
        how = rng.choice(("for", "as in", "for"))
        return f"{ch} {how} {word}"
    return ch


def spoken_value(value: str, rng: "random.Random") -> str:
    chars = re.sub(r"[^0-9A-Za-z]", "", value).upper()
    if not chars:
        return value
    zero = _zero_word(rng)
    doubles = rng.random() < 0.6
    phonetic = rng.random() < 0.5
    sep = rng.choice((", ", ", ", " ", "... "))

    # split into runs of letters and runs of digits
    runs = re.findall(r"[A-Z]+|[0-9]+", chars)
    parts: list[str] = []
    for run in runs:
        if run.isdigit():
            for g in _digit_groups(run, rng):
                parts.append(_say_digits(g, rng, zero, doubles))
        else:
            letters = [_say_letter(c, rng, phonetic) for c in run]
            parts.append(", ".join(letters) if phonetic or "O" in run else " ".join(letters))
    return sep.join(parts)


def spoken_email(addr: str) -> str:
    addr = addr.strip()
    if "@" not in addr:
        local, domain = addr, ""
    else:
        local, domain = addr.rsplit("@", 1)

    def say(part: str) -> str:
        out = []
        for tok in re.findall(r"[A-Za-z]+|[0-9]|[._\-+]|.", part):
            if tok == ".":
                out.append("dot")
            elif tok == "_":
                out.append("underscore")
            elif tok == "-":
                out.append("hyphen")
            elif tok == "+":
                out.append("plus")
            elif tok.isdigit():
                out.append(_DIGITS[tok] if tok != "0" else "zero")
            elif tok.strip():
                out.append(tok.lower())
        return " ".join(out)

    spoken_local = say(local)
    if not domain:
        return spoken_local
    spoken_domain = say(domain)
    style = sum(ord(c) for c in addr) % 3
    if style == 0:
        return f"{spoken_local} at {spoken_domain}"
    if style == 1:
        return f"{spoken_local}, at, {spoken_domain}"
    return f"{spoken_local}... at {spoken_domain}"
