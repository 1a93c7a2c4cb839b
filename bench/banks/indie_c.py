"""Callers who speak English as a second language (Spanish, Hindi, Chinese, Eastern European) mixed with plain-spoken middle-aged folks from the US South and Midwest."""

import random

BANK: dict[str, tuple[str, ...]] = {
    # ------------------------------------------------------------------ openings
    "order_status": (
        "hello, I want to know where is my order",
        "yes hi, I am calling about my package, it not arrive yet",
        "please, I order something last week and I want to know when it is coming",
        "hi, is possible to check status of my delivery",
        "my parcel is still not come, can you tell me where it is",
        "good day, I am waiting for my order, when it will be delivered please",
        "hey there, I'm just tryin' to figure out where my order's at",
        "yeah, I ordered somethin' a while back and I reckon it oughta been here by now, where's it at",
        "hi, I was wonderin' if y'all could tell me when my package is gonna show up",
        "I want to track my order please",
        "um, my delivery, where is it? it say shipped but nothing come",
        "well, howdy, I got an order out there somewhere and I'd like to know where it's at",
        "hi, I need the tracking information for my order",
        "yes, my husband order something online and we don't receive, I want to know when it come",
        "uh, hi, I'm callin' to check on a order I placed, see when it's fixin' to get here",
        "hello, the shipment is late, can you check where it is for me",
        "sure, hi, I'm just checkin' on the status of an order",
        "my order, when it arrive? nobody tell me anything",
    ),
    "account": (
        "hello, I want to know my account balance please",
        "hi, how much I owe on my account",
        "please tell me the amount due on my bill",
        "is possible to know what is my balance",
        "yeah hi, I'm callin' to find out what I owe y'all",
        "I reckon I got a bill comin' due, how much is it gonna be",
        "hi, I need to check the balance on my account",
        "good morning, what is the amount I have to pay this month",
        "um, can you tell me what's due on my account",
        "yes, I like to know my outstanding balance",
        "hey, just wantin' to see what my balance is at",
        "my bill, how much it is now? I want to pay it",
        "hi, could you look up what I owe, I wanna get it paid off",
        "please, I need to know the total amount due",
        "howdy, what's my account showin' for a balance",
        "hello, how much money I am owing to you, I want to know",
        "well, I got the statement but I can't make heads or tails of it, what do I owe",
    ),
    "reschedule": (
        "hello, I have appointment with technician and I need to change the day",
        "hi, is possible to move my service visit to another time",
        "I want to reschedule my appointment please",
        "yeah, I got a technician comin' out and I need to push it back",
        "hi there, I'm fixin' to be out of town when y'all are supposed to come, can we move that appointment",
        "please, the technician visit, I cannot be home that day, I want other time",
        "um, I need to change my appointment time",
        "hello, my service appointment, I want to make it a different day",
        "I reckon I need to reschedule that service call y'all set up",
        "hi, something come up and I can't make my appointment, can we pick a new time",
        "good afternoon, I booked a visit but I need to move it, please",
        "yes, I want to change the date when technician is coming",
        "hey, can we bump my appointment to a different day",
        "hello, my appointment time is not good anymore, I need to move it",
        "sure, hi, I got a service visit on the books and I gotta change it",
        "my boss make me work that day so the repair man visit, I need to put it other day",
    ),
    "refund": (
        "hello, I want my money back for my order",
        "hi, I need a refund please",
        "is possible to get refund for something I buy",
        "yeah, I ordered somethin' and I'd like a refund on it",
        "hi, I reckon I just want my money back on that order",
        "please, I ask for refund, the product is not what I want",
        "the thing I order, I don't want it, I want refund",
        "hey there, how do I go about gettin' a refund",
        "I'd like to request a refund for an order",
        "good morning, I want the money return to my card for my order",
        "um, yeah, I need my money back, I paid for somethin' and I don't want it no more",
        "hello, how I can get refund, please",
        "I paid for the order and I want the money refunded",
        "sure thing, I'm callin' about gettin' refunded for a purchase",
        "please give me back my money for the order, I am not happy with it",
    ),
    "troubleshooting": (
        "hello, {problem}, can you help me please",
        "hi, I have problem, {problem}",
        "yes, so {problem} and I don't know what to do",
        "please help, {problem}",
        "hey there, {problem}, and I'm about at my wit's end",
        "well, {problem}, reckon y'all can help me with that",
        "um, so {problem}, is possible to fix",
        "hi, my problem is {problem}, what I should do",
        "good morning, I call because {problem}",
        "yeah, {problem}, been like that since yesterday",
        "hello, {problem}, I try everything already",
        "I got a problem, {problem}, can you walk me through it",
        "hi, uh, {problem}, I want to know how to fix it",
        "sure, hi, so {problem}, any idea what's goin' on",
        "hello, please, {problem}",
        "{problem}, can somebody help me",
        "okay so my son is not here to help me and {problem}",
    ),
    "general": (
        "hello, I want to know {question}",
        "hi, I have a question, {question}",
        "please, {question}",
        "just a quick question, {question}",
        "yeah, I was wonderin', {question}",
        "good morning, I want to ask, {question}",
        "howdy, I got a question for y'all, {question}",
        "um, {question}",
        "hello, one question only, {question}",
        "hey, I just need to know real quick, {question}",
        "yes hi, please tell me, {question}",
        "I'd like to ask somethin', {question}",
        "hi, my friend tell me to call you, {question}",
        "well, I been meanin' to ask, {question}",
        "sorry, small question, {question}",
    ),
    "other": (
        "hello, I want to make complaint about your technician, he was very rude with me",
        "hi, there is charge on my card I don't recognize, I want to dispute it",
        "my package come broken, everything inside is damage, I want to make a claim",
        "yeah, I need to talk to somebody about a billin' mistake, y'all charged me twice",
        "I want to speak with manager about the service, it was very bad",
        "well, the fella y'all sent out was downright rude to my wife, and I want somebody to hear about it",
        "hi, I got charged for somethin' I never ordered and I wanna dispute that charge",
        "the item arrive damaged, the box was crush, I need to report this and get it fixed",
        "please, my bill is wrong, you charge me more than we agree, I need a person to fix it",
        "I'd like to file a complaint about the customer service I got last time",
        "hello, the delivery man throw my package and now it is broken, I want to make claim",
        "hey, there's a billing error on my statement and I need a real person to look at it",
        "I want to report bad service, nobody call me back for two weeks",
        "sure, uh, I'm callin' because the thing showed up all busted up and I need to file a damage claim",
    ),
    "terse_order_status": (
        "where my order",
        "tracking",
        "order status",
    ),
    "terse_account": (
        "my balance",
        "my bill",
        "amount due",
    ),
    "terse_reschedule": (
        "reschedule",
        "change appointment",
        "move my appointment",
    ),
    "terse_refund": (
        "refund",
        "refund please",
        "money back",
    ),
    "up_front": (
        "hi, {ids}, {request}",
        "hello, my details, {ids}, and {request}",
        "yes, so {ids}. {request}",
        "okay, I give you my information first, {ids}, {request}",
        "howdy, {ids}, {request}",
        "hey there, I got my info ready, {ids}, {request}",
        "good morning, {ids}, and uh, {request}",
        "please, {ids}, {request}",
        "alright, {ids}, now {request}",
        "hello, this is my information, {ids}. {request}",
        "yeah, {ids}, that's me, {request}",
        "hi, before you ask, {ids}, {request}",
        "um, {ids}, and {request}",
        "well, lemme give you this first, {ids}, okay, {request}",
    ),
    "polite": (
        "good morning, sorry to bother you, ",
        "hello, thank you, ",
        "hi, how are you, ",
        "yes, hello, please, ",
        "well, good afternoon to you, ",
        "hey there, hope you're doin' well, ",
        "hello, sorry, my English is not so good, ",
        "good day, excuse me, ",
        "hi, thank you for take my call, ",
        "howdy, appreciate you pickin' up, ",
        "hello, good morning sir, ",
        "hi there, thanks a bunch, ",
        "good evening, please, ",
        "yes, hi, sorry for the trouble, ",
        "hello, how you doing today, ",
        "hey, how y'all doin', ",
    ),
    "ramble": (
        "okay so, I been on hold a long time and, ",
        "sorry, my kids are making noise here, um, ",
        "well, I tell you what, it's been a week, ",
        "so my daughter usually does this stuff for me but she's at work, ",
        "uh, let me see, I have the paper here somewhere, okay, ",
        "I try to do on the website but it don't work, so, ",
        "well, I'm gettin' up there in years and these computers and me don't get along, so ",
        "sorry, I am driving, I put you on the speaker, ",
        "my English not perfect, please be patient with me, ",
        "now I been meanin' to call y'all for a couple days, ",
        "okay, one moment, I find my glasses, okay, ",
        "so, uh, long story short, ",
        "I already call yesterday and the line cut, so again, ",
        "bless your heart for answerin', I been fightin' with this all mornin', ",
        "my son he tell me to call this number, ",
        "well, I'm standin' out here in the yard so if you hear the dog that's him, ",
    ),
    "polite_reply": (
        "okay, thank you, ",
        "alright, ",
        "okay okay, ",
        "okay, one second, ",
        "let me see, ",
        "mm, okay, ",
        "well, ",
        "alright then, ",
        "okay, so, ",
        "thank you, ",
        "uh, okay, ",
        "right, ",
        "hmm, okay, ",
        "okay, just a moment, ",
        "well now, ",
    ),
    # ------------------------------------------------------------------ details
    "give_zip": (
        "{zip}",
        "zip code is {zip}",
        "it's {zip}",
        "my zip is {zip}",
        "yes, the zip code, {zip}",
        "okay, {zip}",
        "postal code, {zip}",
        "uh, that'd be {zip}",
        "sure, it's {zip}",
        "the zip is {zip}, for billing",
        "{zip}, that's the billin' zip",
        "let me think, {zip}",
        "we are in {zip}",
        "it is {zip}",
        "zip code, uh, {zip}",
    ),
    "give_order": (
        "{order}",
        "order number is {order}",
        "okay, it's {order}",
        "my order number, {order}",
        "the number is {order}",
        "yes, I have here, {order}",
        "let me see here, it says {order}",
        "sure, {order}",
        "it's order {order}",
        "I got it right here, {order}",
        "one second, okay, {order}",
        "on the email it say {order}",
        "it is {order}",
        "alright, it's {order}",
    ),
    "give_phone": (
        "{phone}",
        "my phone number is {phone}",
        "it's {phone}",
        "the number on account is {phone}",
        "okay, {phone}",
        "sure, that's {phone}",
        "my cell, {phone}",
        "phone is {phone}",
        "it should be {phone}",
        "the number is {phone}",
        "that'd be my cell, {phone}",
        "it is {phone}, my mobile",
        "uh, {phone}, that's the one on there",
        "home number, {phone}",
    ),
    "give_email": (
        "{email}",
        "my email is {email}",
        "it's {email}",
        "email address, {email}",
        "okay, is {email}",
        "sure, it's {email}",
        "my e-mail, {email}",
        "it should be {email}",
        "I say slowly, {email}",
        "that'd be {email}",
        "the email on the account is {email}",
        "uh, {email}, I think that's the one",
        "my daughter set it up, it's {email}",
        "email is {email}",
    ),
    "last4": (
        "{last4}",
        "last four is {last4}",
        "it's {last4}",
        "the last four digits, {last4}",
        "okay, {last4}",
        "ends in {last4}",
        "sure, {last4}",
        "last four numbers, {last4}",
        "the phone ends with {last4}",
        "that's {last4}",
        "it is {last4}",
        "uh, {last4}",
        "it ends {last4}",
    ),
    "account_name": (
        "{name}",
        "it's under {name}",
        "my name is {name}",
        "the account is in name of {name}",
        "it's {name}",
        "should be under {name}",
        "{name}, that's me",
        "it's under my husband, {name}",
        "name is {name}",
        "okay, {name}",
        "that'd be {name}",
        "under {name}, please",
        "the account holder is {name}",
        "it's in my wife's name, {name}",
        "sure, {name}",
    ),
    # ------------------------------------------------------------------ answers
    "yes": (
        "yes",
        "yes, that's right",
        "yeah",
        "correct",
        "yes, correct",
        "yep",
        "that's it",
        "yes yes",
        "uh-huh",
        "sure is",
        "yes, that is correct",
        "right",
        "that's right",
        "you got it",
        "yeah, that's correct",
        "exactly",
        "yes, is correct",
        "mm-hm, yes",
        "yes sir",
        "that's the one",
    ),
    "no": (
        "no",
        "no, that's not right",
        "no, is not correct",
        "nope",
        "no, that's wrong",
        "hmm, no",
        "no sir, that ain't it",
        "no no",
        "that's not it",
        "no, is wrong",
        "uh, no",
        "no, that ain't right",
    ),
    "no_fix": (
        "no, it's {right}",
        "no, is {right}",
        "no no, {right}",
        "that's not right, it's {right}",
        "no, the correct one is {right}",
        "nope, {right}",
        "no, I said {right}",
        "no, it should be {right}",
        "not quite, it's {right}",
        "no sir, it's {right}",
        "no, wrong, {right}",
        "uh, no, {right}",
        "that ain't it, it's {right}",
        "no, let me say again, {right}",
    ),
    "self_correct": (
        "{wrong}, no wait, {right}",
        "{wrong}, sorry, {right}",
        "it's {wrong}, no, I mean {right}",
        "{wrong}, oh no, sorry, is {right}",
        "uh, {wrong}, hold on, that's wrong, {right}",
        "{wrong}, no no, {right}",
        "{wrong}, wait, let me look again, {right}",
        "{wrong}, shoot, no, {right}",
        "it is {wrong}, ah sorry, {right}",
        "{wrong}, scratch that, {right}",
        "{wrong}, I mean, {right}",
        "I think {wrong}, no, actually {right}",
        "{wrong}, sorry, sorry, correct one is {right}",
        "{wrong}, no, that's the old one, it's {right}",
    ),
    "pick_first": (
        "the first one",
        "first one please",
        "the first",
        "I take the first one",
        "first one is good",
        "the first one works",
        "I'll take the first one",
        "number one",
        "first",
        "the first one sounds good",
        "give me the first one",
        "let's do the first one",
        "the first option please",
        "the one you said first",
    ),
    "pick_second": (
        "the second one",
        "second one please",
        "the second",
        "I take the second",
        "second is better",
        "the second one works",
        "I'll take the second one",
        "number two",
        "second",
        "the last one you said",
        "give me the second one",
        "let's do the second one",
        "second option please",
        "the second one, that works better for me",
    ),
    "pick_day": (
        "{day}",
        "{day} please",
        "the {day} one",
        "{day} is good",
        "I take {day}",
        "{day} works",
        "let's do {day}",
        "{day} is better for me",
        "I'll take {day}",
        "on {day}",
        "{day}, that's fine",
        "give me the {day}",
        "{day} would be best",
        "better {day}",
        "um, {day}",
    ),
    "fixed": (
        "yes, is working now",
        "oh, it work now, thank you",
        "yes, that fixed it",
        "well I'll be, it's workin'",
        "yeah, it's good now",
        "okay, now is okay",
        "it works, thank you so much",
        "yes, the problem is gone",
        "that did it",
        "yep, that did the trick",
        "yes, it is fine now",
        "oh good, yeah, it's back up and runnin'",
        "it worked",
        "yes, now it's working, thank you",
    ),
    "not_fixed": (
        "no, still not working",
        "no, same problem",
        "it didn't help",
        "no, nothing change",
        "nope, still the same",
        "I try, but still is not work",
        "no, that didn't do nothin'",
        "still broke",
        "no, it still don't work",
        "no, it's still doin' the same thing",
        "no, not working",
        "I did it but no, same thing",
        "no luck",
        "nope, didn't fix it",
    ),
    "done": (
        "no, that's all, thank you",
        "no, that's it",
        "nothing else, thank you",
        "no thank you, bye",
        "that's all I need",
        "no, I'm good, thanks",
        "nope, that'll do it, y'all have a good one",
        "no, is all, thank you very much",
        "no, nothing more",
        "that's everything, thanks",
        "no, you have been very helpful, bye bye",
        "no, that's all I needed",
        "I think that's it, thank you",
        "nah, that's it",
        "no, I'm all set",
    ),
    "also": (
        "yes, also {request}",
        "yeah, one more thing, {request}",
        "actually yes, {request}",
        "yes please, {request}",
        "one more, {request}",
        "oh, and {request}",
        "yes, there is one more, {request}",
        "well, now that you mention it, {request}",
        "yeah, {request}",
        "yes, another thing, {request}",
        "uh, yes, {request}",
        "while I got you, {request}",
        "yes, sorry, also {request}",
        "actually, {request}",
    ),
    "repeat": (
        "sorry, can you repeat",
        "what? I didn't hear",
        "pardon?",
        "sorry, again please",
        "can you say that again",
        "I'm sorry, come again?",
        "say again please, the line is bad",
        "I don't understand, please say one more time",
        "sorry, you speak too fast, can you repeat please",
        "huh? what was that",
        "could you repeat that, I missed it",
        "excuse me, say it again slowly please",
        "I'm sorry hon, I didn't catch that",
        "what's that now?",
        "sorry, one more time?",
    ),
    "still_here": (
        "yes, I'm here",
        "yes, still here",
        "yeah, I'm here",
        "hello, yes, I am here",
        "yes yes, I'm here",
        "still here",
        "yep, I'm still on",
        "I'm here, sorry",
        "uh-huh, I'm here",
        "yes, I'm here, go ahead",
        "yeah, I'm still here, hon",
        "yes, I am still on the line",
        "sorry, yes, I'm here",
    ),
    "go_ahead": (
        "yes, please",
        "yes, please do",
        "okay, go ahead",
        "sure, do that",
        "yes, that would be good",
        "sure thing, go on ahead",
        "yes, please open it",
        "okay, yes, do it",
        "yeah, go ahead",
        "that'd be great, thanks",
        "yes, I want that",
        "please do, thank you",
        "sure, that works",
        "yes, okay",
    ),
    "unknown": (
        "I'm not sure what you're asking",
        "sorry, I don't understand the question",
        "what you mean?",
        "hmm, I don't know",
        "I'm not followin' you",
        "sorry, what do you need from me",
        "I don't know what is that",
        "uh, I'm not sure",
        "you lost me there",
    ),
    "no_order": (
        "no, is not about order, {request}",
        "I don't have order number, this is not about order, {request}",
        "it ain't about an order, {request}",
        "no, no order, {request}",
        "this is not for order, {request}",
        "um, it's not an order thing, {request}",
        "I don't have any order, {request}",
        "no order, sorry, {request}",
        "it's not about an order, like I said, {request}",
        "no, I did not order nothing, {request}",
        "order? no, {request}",
        "I didn't order anything, {request}",
        "there ain't no order, {request}",
    ),
    "not_that": (
        "no, that is not my problem, {request}",
        "that's not my issue, {request}",
        "no no, is different problem, {request}",
        "that ain't what I'm callin' about, {request}",
        "sorry, you misunderstand, {request}",
        "no, that's not it, {request}",
        "wait, no, that's not the problem, {request}",
        "hold on, that's a different thing, {request}",
        "no, I think you confuse, {request}",
        "that's not what I said, {request}",
        "no, my problem is other, {request}",
        "hmm, no, that's not what's wrong, {request}",
        "no, that's not what I need, {request}",
    ),
}


def spoken_value(value: str, rng: "random.Random") -> str:
    """Say an id aloud the way these callers do: digit by digit, "oh" or
    "zero", sometimes "double five" / "triple seven" (common in Indian
    English), letters plain or "B as in boy" / "B for ball"."""
    digit_words = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    as_in = {
        "A": "apple",
        "B": "boy",
        "C": "cat",
        "D": "dog",
        "E": "edward",
        "F": "frank",
        "G": "george",
        "H": "henry",
        "I": "ice cream",
        "J": "john",
        "K": "king",
        "L": "larry",
        "M": "mary",
        "N": "nancy",
        "O": "orange",
        "P": "peter",
        "Q": "queen",
        "R": "robert",
        "S": "sam",
        "T": "tom",
        "U": "umbrella",
        "V": "victor",
        "W": "william",
        "X": "x-ray",
        "Y": "yellow",
        "Z": "zebra",
    }
    for_word = {
        "A": "apple",
        "B": "ball",
        "C": "cat",
        "D": "delhi",
        "E": "elephant",
        "F": "fish",
        "G": "goat",
        "H": "hotel",
        "I": "india",
        "J": "jug",
        "K": "kite",
        "L": "lion",
        "M": "mango",
        "N": "nose",
        "O": "orange",
        "P": "papa",
        "Q": "queen",
        "R": "rat",
        "S": "sugar",
        "T": "tiger",
        "U": "umbrella",
        "V": "van",
        "W": "water",
        "X": "x-ray",
        "Y": "yak",
        "Z": "zebra",
    }

    chars = [c.upper() for c in value if c.isalnum()]
    has_letters = any(c.isalpha() for c in chars)
    has_letter_o = "O" in chars

    # How this caller says zero: mostly consistent, sometimes mixed.
    if has_letter_o:
        zero_mode = "zero"
    else:
        zero_mode = rng.choice(("zero", "oh", "oh", "mixed"))
    use_runs = rng.random() < 0.35  # "double five", "triple seven"
    letter_style = rng.choice(("plain", "plain", "as_in", "for"))
    sep = rng.choice((", ", " ", ", ", "... "))

    def zero_word() -> str:
        if zero_mode == "mixed":
            return rng.choice(("zero", "oh"))
        return zero_mode

    def dword(d: str) -> str:
        return zero_word() if d == "0" else digit_words[int(d)]

    def say_letter(c: str) -> str:
        if letter_style == "as_in":
            return f"{c} as in {as_in[c]}"
        if letter_style == "for":
            return f"{c} for {for_word[c]}"
        if c == "O":
            return "the letter O"
        return c

    def say_digits(ds: str) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(ds):
            j = i
            while j < len(ds) and ds[j] == ds[i]:
                j += 1
            run = j - i
            if use_runs and run == 2:
                out.append("double " + dword(ds[i]))
            elif use_runs and run == 3:
                out.append("triple " + dword(ds[i]))
            else:
                out.extend(dword(ds[i]) for _ in range(run))
            i = j
        return out

    def group_digits(ds: str) -> list[str]:
        n = len(ds)
        if n == 10 and rng.random() < 0.85:
            return [ds[:3], ds[3:6], ds[6:]]
        if n == 7 and rng.random() < 0.6:
            return [ds[:3], ds[3:]]
        if n == 4 and rng.random() < 0.3:
            return [ds[:2], ds[2:]]
        if n in (5, 6) and rng.random() < 0.3:
            return [ds[:3], ds[3:]]
        return [ds]

    # Split into runs of letters and runs of digits.
    segments: list[str] = []
    for c in chars:
        if segments and segments[-1][-1].isdigit() == c.isdigit():
            segments[-1] += c
        else:
            segments.append(c)

    parts: list[str] = []
    for seg in segments:
        if seg[0].isalpha():
            if letter_style == "plain":
                parts.append(" ".join(say_letter(c) for c in seg))
            else:
                parts.append(", ".join(say_letter(c) for c in seg))
        else:
            groups = group_digits(seg) if not has_letters or len(seg) > 4 else [seg]
            parts.append(sep.join(" ".join(say_digits(g)) for g in groups))

    return (", " if has_letters else sep).join(parts)


def spoken_email(addr: str) -> str:
    """jane.doe42@example.com -> 'jane dot doe four two at example dot com'."""
    digit_words = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    symbols = {".": "dot", "@": "at", "_": "underscore", "-": "dash", "+": "plus"}
    words: list[str] = []
    buf = ""
    for c in addr.strip().lower():
        if c.isalpha():
            buf += c
            continue
        if buf:
            words.append(buf)
            buf = ""
        if c.isdigit():
            words.append(digit_words[int(c)])
        elif c in symbols:
            words.append(symbols[c])
        else:
            words.append(c)
    if buf:
        words.append(buf)
    return " ".join(words)
