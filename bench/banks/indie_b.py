"""Young, hurried, casual callers: slang and fragments, often driving or at work, some annoyed, some chatty around their answers."""

import random
import re

BANK: dict[str, tuple[str, ...]] = {
    # ------------------------------------------------------------------ openings
    "order_status": (
        "yo where's my order at",
        "hey um i ordered something like a week ago and it still hasn't shown up",
        "hi, tryna figure out where my package is",
        "yeah hi, my order hasn't come yet, can you check on it",
        "i need to track my order real quick",
        "so my delivery was supposed to be here yesterday and nah, nothing. where is it",
        "hey can you tell me when my stuff's gonna get here",
        "ok so i'm driving rn but i wanna know when my order's arriving",
        "my package has said out for delivery for like forever lol, where's it at",
        "checking on an order",
        "hey, just wanna see the status of my order",
        "um yeah hi, i placed an order and i got no idea where it is, the tracking's not updating",
        "when's my order coming, it's been like ten days",
        "hey so i'm at work and i'm kinda waiting on a delivery, can you tell me if it shipped yet",
        "ugh hi, my order still hasn't come and i'm honestly kinda annoyed, where is it",
        "can you look up where my delivery is",
        "i'm calling about my order, did it ship or what",
        "hey has my order gone out yet? i kinda need it by the weekend",
        "yo quick one, i need an ETA on my package",
    ),
    "account": (
        "hey what's my balance",
        "yo how much do i owe",
        "hi, i need to check my account balance real quick",
        "um, what's the amount due on my account",
        "how much is my bill this month",
        "hey so i'm tryna pay my bill but idk how much it is, can you tell me",
        "can you tell me what i owe rn",
        "i wanna know my balance, like what's due",
        "hi yeah, checking how much is on my account, like what i owe you guys",
        "ok so i got a notice saying i owe something? how much is it",
        "what's my current balance",
        "hey quick question, how much do i owe and when's it due",
        "need my balance please, kinda in a rush",
        "yo i'm on my lunch break, can you just tell me what my bill is",
        "i need to know my amount due before i pay it",
        "ugh the app won't show my balance, so can you just tell me what i owe",
    ),
    "reschedule": (
        "hey i need to move my appointment",
        "yo can i reschedule my technician visit",
        "hi um i got a tech coming out but i can't make that time, can we change it",
        "i need to reschedule my service appointment",
        "something came up at work so i gotta push my appointment to another day",
        "hey so i have a visit booked and it doesn't work for me anymore, can i move it",
        "can we switch my appointment time",
        "i booked a service visit but i need a different time slot",
        "yo the tech's supposed to come tomorrow but i won't be home, can we pick another time",
        "need to change my appointment time real quick",
        "hi, i got an install appointment scheduled and i need to move it",
        "ugh i have to reschedule, my appointment's at a really bad time",
        "hey can i bump my appointment to a different day",
        "so my boss just switched my shift lol, i need to move my service visit",
        "i wanna reschedule the technician thing",
    ),
    "refund": (
        "hey i want a refund",
        "yo i need my money back for something i ordered",
        "hi, i'd like to get a refund on an order",
        "so i got my order and honestly it's not what i wanted, can i get a refund",
        "can i send this back and get my money back",
        "um i need to request a refund please",
        "hey, i ordered something and i want a refund for it",
        "this thing i bought is trash lol, i just want my money back",
        "i wanna get refunded for my order",
        "hi so i ordered the wrong size and i just want a refund",
        "how do i get a refund, i don't even want the thing anymore",
        "i need a refund on my last order asap",
        "yeah hi, my order was kind of a letdown, can i get my money back",
        "i'm returning my order and i need the refund",
    ),
    "troubleshooting": (
        "{problem}",
        "hey so {problem}, can you help",
        "yo {problem}",
        "um hi, {problem} and i don't know what to do",
        "ok so like {problem}, what do i do",
        "{problem}, can you help me fix it",
        "hi yeah {problem}, it's driving me nuts",
        "ugh {problem} again, this is like the third time",
        "so basically {problem}, any ideas",
        "hey quick thing, {problem}",
        "i need help, {problem}",
        "{problem} lol, and yes i already tried turning it off and on",
        "hey so i'm kinda in a rush but {problem}, can you walk me through fixing it",
        "hi um, {problem}? like it just won't work",
        "yeah so {problem} and i literally just bought it",
    ),
    "general": (
        "{question}",
        "hey quick question, {question}",
        "yo {question}",
        "hi um, {question}",
        "i just had a question, {question}",
        "hey so {question}",
        "{question}? just wondering",
        "ok random question but {question}",
        "hi yeah, {question}, real quick",
        "can you tell me, {question}",
        "um i was wondering like {question}",
        "hey i'm driving so i can't look it up, {question}",
        "my friend asked me and i didn't know lol, {question}",
    ),
    "other": (
        "hey i wanna file a complaint about one of your employees, they were super rude to me",
        "yo there's a charge on my card from you guys that i didn't make and i wanna dispute it",
        "my package showed up all smashed and the thing inside is broken, i need to file a claim",
        "hi, i got billed twice for the same thing and i need someone to fix that",
        "honestly the service i got last time was terrible and i want to talk to someone about it",
        "the tech who came out was really unprofessional and i wanna report it",
        "there's a charge on my bill that's wrong and i need somebody to look into it",
        "my order came damaged, like the box was soaked and the thing's cracked, i wanna report that",
        "i wanna talk to someone about a billing mistake, you guys overcharged me",
        "hey i need to complain, the guy at your store was straight up rude",
        "i'm disputing a charge, i never got what i paid for",
        "yeah so i got charged some fee i never agreed to and i need a real person to sort it out",
        "i was promised a callback like three times and nobody ever called, i wanna make a complaint",
    ),
    "terse_order_status": (
        "tracking",
        "order status",
        "where's my order",
    ),
    "terse_account": (
        "my balance",
        "balance",
        "my bill",
    ),
    "terse_reschedule": (
        "reschedule",
        "move my appointment",
        "reschedule appointment",
    ),
    "terse_refund": (
        "refund",
        "refund please",
        "money back",
    ),
    "up_front": (
        "hi, {ids}, {request}",
        "yo {ids}, {request}",
        "ok so {ids}, and {request}",
        "hey, um, {ids}. {request}",
        "{ids}, {request}",
        "hey just so you have it, {ids}. {request}",
        "hi i'll just give you my info first, {ids}, and yeah, {request}",
        "alright {ids}, {request}",
        "ok before you ask lol, {ids}. {request}",
        "hey so {ids} and uh, {request}",
        "yeah hi, {ids}, so basically {request}",
        "hi, {ids}. {request}, i'm kinda in a hurry",
    ),
    "polite": (
        "hey, how's it going, ",
        "hi, sorry, ",
        "hey, sorry to bug you, ",
        "hi there, hope your day's going good, ",
        "yo, thanks, ",
        "hey thanks for picking up, ",
        "hi, um, sorry if this is a dumb question but ",
        "hey good morning, ",
        "oh hi, thanks, ",
        "hey, appreciate it, ",
        "hi, sorry i'm kinda all over the place today, ",
        "heyy, ",
        "hello, yeah, hi, ",
    ),
    "ramble": (
        "ok so um, i'm driving right now so bear with me, ",
        "sorry, hold on, i'm at work so i gotta be quick, ",
        "ugh ok so i was on hold forever lol, anyway, ",
        "so like, my roommate told me to call you guys, ",
        "ok so this is kinda a whole thing but ",
        "hang on, lemme turn my music down, ok, ",
        "so i literally just got off my shift and ",
        "uh yeah hi, sorry my dog's barking, anyway, ",
        "so i tried doing this on the app but it kept crashing, so ",
        "ok um, i've been meaning to call for like a week, ",
        "sorry i'm in the car so if i cut out that's why, ",
        "so yeah i'm kinda annoyed already lol but ",
        "like i don't usually call places but ",
        "ok wait, is this the right number? whatever, ",
    ),
    "polite_reply": (
        "ok cool, ",
        "kk, ",
        "yup, ",
        "ok thanks, ",
        "cool cool, ",
        "alright, ",
        "ok bet, ",
        "oh ok, thanks, ",
        "got it, ",
        "mhm ok, ",
        "ok sweet, ",
        "yeah ok, ",
        "ok thank you, ",
    ),
    # ------------------------------------------------------------------ details
    "give_zip": (
        "{zip}",
        "it's {zip}",
        "yeah {zip}",
        "zip is {zip}",
        "uh {zip}",
        "ok it's {zip}",
        "{zip}, that's my zip",
        "yup, {zip}",
        "um hold on... {zip}",
        "billing zip's {zip}",
        "oh yeah it's {zip}",
        "lemme think, {zip}",
        "{zip}, i just moved but that's the one on the card",
    ),
    "give_order": (
        "{order}",
        "it's {order}",
        "order number's {order}",
        "ok hold on lemme find the email... ok it's {order}",
        "yeah it's {order}",
        "uh {order}",
        "yup {order}",
        "ok so it's {order}",
        "one sec, pulling it up... {order}",
        "the number is {order}",
        "it says {order}",
        "kk it's {order}",
        "{order}, that's what's on the confirmation",
    ),
    "give_phone": (
        "{phone}",
        "it's {phone}",
        "yeah my number's {phone}",
        "{phone}, that's my cell",
        "uh it's {phone}",
        "ok {phone}",
        "phone number is {phone}",
        "yup, {phone}",
        "it'd be {phone}",
        "should be my cell, {phone}",
        "the one on there is {phone}",
        "it's {phone}, same one i'm calling from",
    ),
    "give_email": (
        "{email}",
        "it's {email}",
        "my email's {email}",
        "uh {email}",
        "yeah it's {email}",
        "ok so {email}",
        "{email}, all lowercase",
        "it should be {email}",
        "email is {email}",
        "the one on the account is {email}",
        "yup {email}",
        "oh it's my old one, {email}",
    ),
    "last4": (
        "{last4}",
        "last four are {last4}",
        "it's {last4}",
        "uh {last4}",
        "yeah {last4}",
        "{last4}, those are the last four",
        "ends in {last4}",
        "ok it ends with {last4}",
        "yup {last4}",
        "last four, {last4}",
        "um {last4}",
        "the last four digits are {last4}",
    ),
    "account_name": (
        "{name}",
        "it's {name}",
        "yeah it's under {name}",
        "{name}, that's me",
        "should be under {name}",
        "uh {name}",
        "it's in my name, {name}",
        "name's {name}",
        "ok {name}",
        "it's under {name}, i'm the one who set it up",
        "full name, {name}",
        "yup, {name}",
    ),
    # ------------------------------------------------------------------ answers
    "yes": (
        "yes",
        "yeah",
        "yup",
        "yep",
        "mhm",
        "yeah that's it",
        "correct",
        "yup that's right",
        "yeah yeah",
        "uh huh",
        "right",
        "yes that's right",
        "yeah that's correct",
        "ya",
        "that's it",
        "yeah exactly",
        "yuh",
        "yep you got it",
    ),
    "no": (
        "no",
        "nah",
        "nope",
        "no that's not right",
        "nah that's wrong",
        "no that's not it",
        "uh no",
        "nah not quite",
        "no, wrong",
        "nope, that's off",
        "nah that ain't it",
    ),
    "no_fix": (
        "no, it's {right}",
        "nah it's {right}",
        "nope, {right}",
        "no no, {right}",
        "nah that's wrong, it's {right}",
        "no, {right}",
        "uh no, it should be {right}",
        "nope it's {right}, you missed something",
        "nah, {right}",
        "not quite, it's {right}",
        "no that's off, it's {right}",
        "nah nah, it's {right}",
    ),
    "self_correct": (
        "{wrong}, wait no, {right}",
        "it's {wrong}, no sorry, {right}",
        "{wrong}... nah wait, {right}",
        "uh {wrong}, oh my bad, {right}",
        "{wrong}, no hold on, it's {right}",
        "it's {wrong}, wait scratch that, {right}",
        "{wrong}, ugh no, {right}, sorry",
        "{wrong}, actually no, it's {right}",
        "ok {wrong}, wait that's my old one, it's {right}",
        "{wrong}, sorry i mean {right}",
        "it's {wrong}, no wait i'm dumb, it's {right}",
        "{wrong}, nope, {right}",
    ),
    "pick_first": (
        "the first one",
        "first one",
        "first one works",
        "uh the first one's good",
        "let's do the first one",
        "i'll take the first one",
        "the first option",
        "first one please",
        "yeah the first one",
        "the first one you said",
        "gimme the first one",
        "first is fine",
        "the one you said first",
    ),
    "pick_second": (
        "the second one",
        "second one",
        "second one works",
        "uh the second one's good",
        "let's do the second one",
        "i'll take the second one",
        "the second option",
        "second one please",
        "yeah the second one",
        "the second one you said",
        "gimme the second one",
        "second is better",
        "the one you said second",
    ),
    "pick_day": (
        "{day}",
        "{day} works",
        "let's do {day}",
        "the {day} one",
        "{day} please",
        "i'll take {day}",
        "{day} is better for me",
        "uh {day}",
        "yeah {day}",
        "gimme {day}",
        "{day}, i'm off that day",
        "the one on {day}",
        "{day} lol, i work the other day",
    ),
    "fixed": (
        "oh it worked",
        "yup that fixed it",
        "oh nice it's working now",
        "yeah that did it",
        "ok it's good now",
        "lol it works now",
        "ayy it's working",
        "yeah it's fixed, thanks",
        "oh wow ok that worked",
        "yep, all good now",
        "it's working now",
        "yeah that helped, it's fine now",
        "ok yeah that fixed it, thank god",
    ),
    "not_fixed": (
        "nah still not working",
        "no, same thing",
        "nope didn't work",
        "still broken",
        "ugh no it's still doing it",
        "nah that didn't help",
        "no it's still not working",
        "tried it, nothing",
        "nope, same problem",
        "no change",
        "still doing the same thing lol",
        "nah i already tried that and it didn't fix it",
        "didn't do anything",
    ),
    "done": (
        "nah that's it",
        "nope, i'm good",
        "no that's all, thanks",
        "that's it, thanks",
        "nah i'm good, thanks",
        "no that's everything",
        "nope that's all",
        "all good, thanks, bye",
        "nah we're good",
        "no, that's it, thank you",
        "that's all i needed, thanks",
        "nope, bye",
        "no i'm good, gotta go",
    ),
    "also": (
        "yeah actually, {request}",
        "oh yeah, {request}",
        "yeah one more thing, {request}",
        "um yeah, {request}",
        "actually yeah, {request}",
        "oh wait, yeah, {request}",
        "yup, {request}",
        "while i have you, {request}",
        "yeah so also, {request}",
        "oh and {request}",
        "yeah real quick, {request}",
        "one more thing lol, {request}",
    ),
    "repeat": (
        "sorry what",
        "what?",
        "huh?",
        "can you say that again",
        "sorry, say that again?",
        "wait what did you say",
        "you cut out, can you repeat that",
        "sorry i'm driving, didn't catch that",
        "come again?",
        "sorry what was that",
        "can you repeat that",
        "hold on, say that one more time",
        "my bad, i missed that, what'd you say",
        "sorry it's loud here, what?",
    ),
    "still_here": (
        "yeah i'm here",
        "yup still here",
        "yeah sorry, i'm here",
        "yes i'm here",
        "yeah yeah i'm here",
        "here",
        "still here",
        "yup, sorry, i'm driving",
        "yeah, i'm still on",
        "mhm i'm here",
        "yeah sorry someone was talking to me, i'm here",
        "yep, here",
        "i'm here lol",
    ),
    "go_ahead": (
        "yeah go ahead",
        "yes please",
        "yeah do that",
        "sure",
        "yup please",
        "yeah that'd be great",
        "ok sure",
        "yeah go for it",
        "yes do it",
        "sure thing",
        "yeah please do",
        "kk yeah",
        "yes please, thank you",
    ),
    "unknown": (
        "wait what do you mean",
        "uh i'm not sure what you're asking",
        "huh? i don't get it",
        "idk what that means",
        "i don't know",
        "wait, what are you asking me exactly",
        "i'm confused lol",
        "not sure, sorry",
        "i don't really know what you mean by that",
        "uhh idk",
    ),
    "no_order": (
        "nah it's not about an order, {request}",
        "no this isn't about an order, {request}",
        "i don't have an order number, it's not about an order. {request}",
        "it's not an order thing, {request}",
        "no order, {request}",
        "there's no order, {request}",
        "it's not about an order lol, {request}",
        "nah no order number, like i said, {request}",
        "this has nothing to do with an order, {request}",
        "no, i'm not calling about an order, {request}",
        "wait no it's not an order, {request}",
        "ugh no, no order, {request}",
    ),
    "not_that": (
        "no that's not my problem, {request}",
        "nah that's not it, {request}",
        "wait that's not what i'm calling about, {request}",
        "no no, that's a different thing, {request}",
        "that's not my issue, {request}",
        "uh no, i think you got it wrong, {request}",
        "nah you're talking about something else, {request}",
        "that's not the problem lol, {request}",
        "no that's not what i said, {request}",
        "that's not it, like i said, {request}",
        "ugh no that's not it, {request}",
        "wrong thing, {request}",
        "hold on, that's not my issue, {request}",
    ),
}


_DIGITS = {
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

# casual "X as in ..." words
_PHONETIC = {
    "A": ("apple", "adam"),
    "B": ("boy", "bravo"),
    "C": ("cat", "charlie"),
    "D": ("dog", "david"),
    "E": ("elephant", "echo"),
    "F": ("frank", "fox"),
    "G": ("george", "golf"),
    "H": ("henry", "hotel"),
    "I": ("ice", "india"),
    "J": ("jack", "john"),
    "K": ("king", "kilo"),
    "L": ("larry", "lima"),
    "M": ("mike", "mary"),
    "N": ("nancy", "nick"),
    "O": ("orange", "oscar"),
    "P": ("peter", "papa"),
    "Q": ("queen", "quebec"),
    "R": ("robert", "romeo"),
    "S": ("sam", "sierra"),
    "T": ("tom", "tango"),
    "U": ("umbrella", "uniform"),
    "V": ("victor", "van"),
    "W": ("william", "whiskey"),
    "X": ("x-ray",),
    "Y": ("yellow", "yankee"),
    "Z": ("zebra", "zulu"),
}


def _say_digits(run: str, zero: str, use_double: bool) -> str:
    """Speak a run of digits one by one; exact pairs may become 'double X'."""
    words = []
    i = 0
    while i < len(run):
        d = run[i]
        w = zero if d == "0" else _DIGITS[d]
        j = i
        while j < len(run) and run[j] == d:
            j += 1
        n = j - i
        if use_double and n == 2:
            words.append("double " + w)
        else:
            words.extend([w] * n)
        i = j
    return " ".join(words)


def _group_sizes(n: int, rng: "random.Random") -> list[int]:
    if n == 10:
        return rng.choice(([3, 3, 4], [3, 3, 4], [3, 3, 2, 2], [10]))
    if n == 7:
        return rng.choice(([3, 4], [7]))
    if n == 5:
        return rng.choice(([5], [5], [3, 2], [2, 3]))
    if n == 4:
        return rng.choice(([4], [4], [2, 2]))
    if n <= 3:
        return [n]
    # generic: chunks of three, remainder at the end
    if rng.random() < 0.4:
        return [n]
    sizes = [3] * (n // 3)
    if n % 3:
        sizes.append(n % 3)
    return sizes


def spoken_value(value: str, rng: "random.Random") -> str:
    chars = re.sub(r"[#\-\s]", "", value).upper()
    if not chars:
        return value
    has_letter_o = "O" in chars
    # letter O present -> always say "zero" for 0 so nobody mixes them up
    zero = "zero" if has_letter_o else rng.choice(("oh", "oh", "zero"))
    use_double = rng.random() < 0.35
    letter_style = rng.choice(("plain", "plain", "as_in", "like"))
    sep = rng.choice((", ", ", ", " ", "... "))
    filler = rng.random() < 0.2  # occasionally an "uh" between chunks

    # split into runs of letters / digits
    runs = re.findall(r"[A-Z]+|[0-9]+|[^A-Z0-9]+", chars)
    pieces: list[str] = []
    for run in runs:
        if run.isdigit():
            pos = 0
            for size in _group_sizes(len(run), rng):
                pieces.append(_say_digits(run[pos : pos + size], zero, use_double))
                pos += size
        elif run.isalpha():
            letters = []
            for ch in run:
                style = letter_style
                if ch == "O":
                    style = "as_in" if style == "plain" else style
                if style == "plain":
                    letters.append(ch)
                elif style == "as_in":
                    letters.append(f"{ch} as in {rng.choice(_PHONETIC[ch])}")
                else:
                    letters.append(f"{ch} like {rng.choice(_PHONETIC[ch])}")
            joiner = " " if letter_style == "plain" and "O" not in run else ", "
            pieces.append(joiner.join(letters))
        else:
            pieces.append(" ".join(run))
    out = ""
    for k, p in enumerate(pieces):
        if k == 0:
            out = p
        elif filler and k == 1 and len(pieces) > 1:
            out += ", uh, " + p
        else:
            out += sep + p
    return out


def spoken_email(addr: str) -> str:
    addr = addr.strip().lower()
    local, _, domain = addr.partition("@")

    def speak(part: str) -> str:
        tokens = re.findall(r"[a-z]+|[0-9]|[._+\-]|.", part)
        names = {".": "dot", "_": "underscore", "-": "dash", "+": "plus"}
        out = []
        for t in tokens:
            if t in names:
                out.append(names[t])
            elif t.isdigit():
                out.append(_DIGITS[t])
            else:
                out.append(t)
        return " ".join(out)

    if not domain:
        return speak(local)
    return f"{speak(local)} at {speak(domain)}"
