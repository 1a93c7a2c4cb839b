"""Slot extraction from phone transcripts, as Whisper and Deepgram write them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import pytest

from realtime.brain import slots
from realtime.session import complete_answer, keys_complete

# --- digit runs --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10482", ["10482"]),
        ("#10482", ["10482"]),
        ("10-482", ["10482"]),
        ("1 0 4 8 2", ["10482"]),
        ("7-3-1-9-4", ["73194"]),
        ("It's 1-0-4-8-2.", ["10482"]),
        ("Uh, my zip is 9, 4, 1, 0, 3.", ["94103"]),
        ("one oh four eight two", ["10482"]),
        ("nine four one zero three", ["94103"]),
        ("One. Oh. Four. Eight. Two.", ["10482"]),
        ("zero", ["0"]),
        ("double seven", ["77"]),
        ("triple five", ["555"]),
        ("four double seven one", ["4771"]),
        ("double oh seven", ["007"]),
        ("ten four eight two", ["10482"]),
        ("forty two", ["42"]),
        ("forty-two", ["42"]),
        ("nineteen", ["19"]),
        ("one hundred", ["100"]),
        ("a hundred", ["100"]),
        ("one hundred and five", ["105"]),
        ("one hundred oh five", ["105"]),
        ("one hundred twenty three", ["123"]),
        ("two thousand five hundred", ["2500"]),
        ("twenty twenty", ["2020"]),
        ("nineteen ninety nine", ["1999"]),
        ("four one five, five five five, oh one oh one", ["4155550101"]),
        ("415-555-0101", ["4155550101"]),
        ("415.555.0101", ["4155550101"]),
        ("(415) 555-0101", ["4155550101"]),
        ("one oh four, uh, eight two", ["10482"]),
        ("10,482", ["10482"]),  # Deepgram smart formatting
        ("It's 10 482.", ["10482"]),
        ("my order is 10482 and my zip is 94103", ["10482", "94103"]),
        ("no, not 10482, it's 10483", ["10482", "10483"]),
        ("No. It's one oh four eight three.", ["10483"]),
    ],
)
def test_digit_runs(text: str, expected: list[str]) -> None:
    assert slots.digit_runs(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "I want to check my order",
        "Oh, okay.",  # "oh" alone is an interjection
        "oh",
        "on the 2nd",  # an ordinal is not a digit string
        "I don't know it.",
    ],
)
def test_no_digit_runs(text: str) -> None:
    assert slots.digit_runs(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Oh, 10482", ["10482"]),  # "oh" cut off by a comma is an interjection
        ("It's 10482, oh, and my zip is 94103", ["10482", "94103"]),
        ("nine four one one oh", ["94110"]),  # but a trailing "oh" without a pause is a zero
        ("oh one oh one", ["0101"]),
    ],
)
def test_oh_is_a_zero_only_among_digits(text: str, expected: list[str]) -> None:
    assert slots.digit_runs(text) == expected


@pytest.mark.parametrize(
    ("text", "min_len", "max_len", "expected"),
    [
        ("no, not 10482, it's 10483", 1, 20, "10483"),
        ("it's 10483, not 10482", 1, 20, "10483"),  # a ruled-out run is skipped
        ("I ordered 2 things, order 10482", 1, 20, "10482"),  # longest wins
        ("10482 or maybe 10483", 1, 20, "10483"),  # ties go to the last
        ("I have 2", 3, 12, None),
        ("nothing here", 1, 20, None),
        ("12 and 1234567", 1, 5, "12"),  # the longer run is out of bounds
    ],
)
def test_digits(text: str, min_len: int, max_len: int, expected: str | None) -> None:
    assert slots.digits(text, min_len, max_len) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It's 1-0-4-8-2.", "10482"),
        ("My order number is #10482", "10482"),
        ("one oh four eight two", "10482"),
        ("Order 10-482, please.", "10482"),
        ("no, not 10482, it's 10483", "10483"),
        ("I have two orders", None),  # one digit is not an order number
        ("I have 2 orders", None),
        ("It's 12", None),
        ("1234567890123", None),  # 13 digits: too long
        ("I don't have it", None),
    ],
)
def test_order_number(text: str, expected: str | None) -> None:
    assert slots.order_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Shops name orders with letters; callers spell them out or STT writes them whole.
        ("S O seven seven eight one", "SO7781"),
        ("order number A B 1 2 3 4", "AB1234"),
        ("hash one oh oh one", "1001"),
        ("My order is SO-7781.", "SO7781"),
        ("It's S O dash seven seven eight one", "SO7781"),
        ("it's A1B2C3", "A1B2C3"),
        ("A one B two C three", "A1B2C3"),
        ("INV 2231, please", "INV2231"),
        ("my zip is 94103 and the order is S O 7 7 8 1", "SO7781"),  # letters mark the order
        ("no, not SO7781, it's SO7782", "SO7782"),
        ("B zero O one", "B0O1"),  # beside a spelled letter, "O" is the letter
        ("It is A 4761", "A4761"),  # mid-sentence, STT writes the article "a" in lower case
        ("order A-4-7-6-1", "A4761"),
        # …and what is not an order name with letters.
        ("A 10482", "10482"),  # a lone "A" is a word
        ("I 10482", "10482"),
        ("S O seven two double eight, I hope that's the one", "SO7288"),  # "I" the pronoun after it
        ("one O four eight two", "10482"),  # among digits only, "O" is a zero
        ("OK 10482", "10482"),
        ("It's 1-0-4-8-2.", "10482"),  # the "s" of "it's" is no letter
        ("my iPhone15 broke", None),
        ("at 10am please", None),
        ("on the 22nd", None),
    ],
)
def test_order_number_with_letters(text: str, expected: str | None) -> None:
    assert slots.order_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Letters spelled the way people spell on the phone: "X as in <word>", "X like <word>",
        # or a spelling-alphabet word; the example word only names the letter, it adds none.
        ("S as in Sam, O as in Oscar, seven, three, seven, zero", "SO7370"),
        ("S as in Sam, O, seven, thirty two, four", "SO7324"),
        ("order S like Sierra O like Oscar 7 3 2 4", "SO7324"),
        ("sierra oscar seven three two four", "SO7324"),
        ("Sierra Oscar, 7 3 2 4", "SO7324"),
        ("it's S as in Sam O as in Oscar 7 3 7 0", "SO7370"),
        ("s as in sam, o as in oscar, seven three seven oh", "SO7370"),
        ("O as in Oscar, 7 3 2 4", "O7324"),  # named by its example, a leading "O" is the letter
        ("A as in apple, B as in boy, 1 2 3 4", "AB1234"),
        ("B for Bravo, seven three seven zero", "B7370"),
        ("OK, W is in whiskey, 104 681. I hope that's the one.", "W104681"),  # "as in", misheard
        ("S as in Sam, O as in Oscar, dash, seven, three, seventy", "SO7370"),
        ("Alpha Bravo, one two three four", "AB1234"),
        ("x-ray yankee seven three two four", "XY7324"),
        # A spoken "O" in a run of letters stays the letter; two-digit number words compose.
        ("S O seven three seven zero", "SO7370"),
        ("S O seven, three, seventy", "SO7370"),
        ("S O seven thirty two four", "SO7324"),
        # …and what is still not a spelled letter.
        ("seven, three, seventy", "7370"),
        ("I like Oscar, 10482", "10482"),  # "like" names a letter only with a matching example
        ("I like Italian, 345", "345"),  # …and the pronoun "I" only with "India"
        ("I like India, 3 4 5", "I345"),
        ("Oscar 10482", "10482"),  # a spelling-alphabet word alone is a name
        ("the November 10482 order", "10482"),
        ("A 10482", "10482"),
        # A filler between the letters and the digits is still one name.
        ("yup S like sam, O like oscar, uh, seven three, four five", "SO7345"),
        ("it's S as in sierra, O as in orange, um, seven two eight six", "SO7286"),
    ],
)
def test_order_number_spelled_with_examples(text: str, expected: str | None) -> None:
    assert slots.order_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Uh, my zip is 9, 4, 1, 0, 3.", "94103"),
        ("nine four one zero three", "94103"),
        ("94103-1234", "94103"),  # ZIP+4 keeps the first five
        ("It's 94110.", "94110"),
        ("my zip is nine four one one oh", "94110"),
        ("415-555-0101", None),  # a phone number is not a ZIP
        ("four one five, five five five, oh one oh one", None),
        ("1234", None),
        ("I don't remember", None),
    ],
)
def test_zip_code(text: str, expected: str | None) -> None:
    assert slots.zip_code(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("four one five, five five five, oh one oh one", "+14155550101"),
        ("415-555-0101", "+14155550101"),
        ("(415) 555-0101", "+14155550101"),
        ("1 415 555 0101", "+14155550101"),
        ("+1 415.555.0101", "+14155550101"),
        ("seven nought four, five five five, two nine seven three", "+17045552973"),  # British zero
        # A trailing-off pause between groups is a pause, not the end of the number.
        ("six one seven... triple five... two eight nine six", "+16175552896"),
        ("four oh four\u2026 double five five\u2026 two seven nine two", "+14045552792"),
        ("My number is 4155550101.", "+14155550101"),
        ("94103", None),
        ("555-0101", None),  # seven digits: no area code
        ("24155550101", None),  # 11 digits not starting with 1
    ],
)
def test_phone_number(text: str, expected: str | None) -> None:
    assert slots.phone_number(text) == expected


# --- e-mail ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("maria at example dot com", "maria@example.com"),
        ("maria@example.com", "maria@example.com"),
        ("Maria@Example.COM, thanks.", "maria@example.com"),
        ("m a r i a at example dot com", "maria@example.com"),
        ("It's M-A-R-I-A at example dot com.", "maria@example.com"),
        ("maria underscore lopez at example dot co dot uk", "maria_lopez@example.co.uk"),
        ("maria dash lopez at example dot com", "maria-lopez@example.com"),
        ("maria hyphen lopez at example dot com", "maria-lopez@example.com"),
        ("maria dot lopez at gmail dot com", "maria.lopez@gmail.com"),
        ("Maria at Example.com.", "maria@example.com"),
        ("My email is maria at example.com", "maria@example.com"),
        ("my email is a l e x at g mail dot com", "alex@gmail.com"),
        ("j smith at gmail dot com", "jsmith@gmail.com"),
        ("maria 84 at gmail dot com", "maria84@gmail.com"),
        ("it's rortega at lonestar dot io", "rortega@lonestar.io"),
        ("maria at example dotcom", "maria@example.com"),
        ("maria plus shop at example dot com", "maria+shop@example.com"),
        # Digits said as words belong to the address; "oh" is a zero only among digits.
        ("it's colette three eight... at example dot org", "colette38@example.org"),
        # Numbers said as numbers, not digit by digit.
        ("should be jovan eighty-six at ohana dot example dot org", "jovan86@ohana.example.org"),
        ("kate nineteen eighty at example dot com", "kate1980@example.com"),
        ("maria double two at example dot com", "maria22@example.com"),
        ("it should be bianca six eight, at, inbox dot example dot net, dear", "bianca68@inbox.example.net"),
        ("bob oh seven at mail dot com", "bob07@mail.com"),
    ],
)
def test_email(text: str, expected: str) -> None:
    assert slots.email(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "look at that",
        "I'm at home",
        "maria at example",  # no top-level domain
        "at example dot com",  # no user
        "rewarding to have loans for.eel",  # Whisper's take on a spoken address
        "my email is the one on file",
    ],
)
def test_no_email(text: str) -> None:
    assert slots.email(text) is None


# --- yes / no ----------------------------------------------------------------

YES = [
    "yes",
    "Yes.",
    "yeah",
    "Yeah, that's right.",
    "yep",
    "yup",
    "correct",
    "That's correct.",
    "that's right",
    "right",
    "sure",
    "ok",
    "Okay.",
    "please do",
    "go ahead",
    "do it",
    "absolutely",
    "uh huh",
    "Uh-huh.",
    "Mm-hmm.",
    "affirmative",
    "sounds good",
    "it did",
    "It worked!",
    "that fixed it",
    "Sure, no problem.",
    "uh, uh, yes",  # fillers, not "uh-uh"
    # How else people say yes: British, older, casual.
    "spot on",
    "that's the one",
    "cheers, quite right",
    "mm hm",
    "bang on",
    "aye",
    "you bet",
    # The last clause that answers decides; talk before it is not a no.
    "now bear with me, I'm not very good with these things, that's correct",
    "I've been on hold for ages, but never mind, quite right",
    # "No bother" and "no trouble" are a yes with a "no" in front.
    "no bother, that's right",
    "no trouble at all, yes",
    # A fix that worked, at "did that help?".
    "brilliant, that did the trick",
    "oh, that's sorted it",
    "it's come back on now",
    "kindly do the needful",  # Indian English: do what is needed
]
NO = [
    "no",
    "No.",
    "nope",
    "nah",
    "not quite",
    "wrong",
    "incorrect",
    "that's not right",
    "don't",
    "didn't",
    "it didn't",
    "still not working",
    "not yet",
    "Uh-uh.",
    "no, that's right it's 10483",  # a correction starting with "no"
    "No. It's one oh four eight three.",
    "Yeah, it didn't work.",  # the negation wins
    "yes, but it's still not working",
    "tried it, nothing",
    "still doing the same thing lol",
    "I don't think so.",
    "No, it’s still the same.",  # curly apostrophe from Deepgram
    "no, it hasn't come back on",
    "nothing's changed",
    "no change",
]
NEITHER = ["", "hello?", "what was that", "I'm not sure", "I don't know", "10482", "maybe"]


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    assert slots.yes_no(text) is True


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    assert slots.yes_no(text) is False


@pytest.mark.parametrize("text", NEITHER)
def test_neither_yes_nor_no(text: str) -> None:
    assert slots.yes_no(text) is None


# --- corrections -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("no, it's 10483", "order", "10483"),
        ("No. It's one oh four eight three.", "order", "10483"),
        ("no, not 10482, it's 10483", "order", "10483"),
        ("it's 10483, not 10482", "order", "10483"),
        ("Actually it's 10483.", "order", "10483"),
        ("no it's nine four one one oh", "zip", "94110"),
        ("No, 94110.", "zip", "94110"),
        ("no, it's four one five, five five five, oh one oh two", "phone", "+14155550102"),
        ("no, it's S O seven seven eight two", "order", "SO7782"),
        ("no, it's S as in Sam, O as in Oscar, seven three seven zero", "order", "SO7370"),
        ("no, sierra oscar seven three two four", "order", "SO7324"),
        ("that's wrong, kindly correct it to S O seven two eight eight", "order", "SO7288"),
        ("no", "order", None),  # rejected, but no new value
        ("nope, wrong one", "zip", None),
        ("yes, 10482", "order", None),  # a confirmation is not a correction
        ("that's right", "order", None),
        ("no, it's 4155550101", "zip", None),  # the new value must be of the kind read back
        ("no, I have 2", "order", None),
    ],
)
def test_correction(text: str, kind: Literal["order", "zip", "phone"], expected: str | None) -> None:
    assert slots.correction(text, kind) == expected


# --- ordinal choices ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "n", "expected"),
    [
        ("the first one", 3, 0),
        ("second", 3, 1),
        ("The second one, please.", 3, 1),
        ("number two", 3, 1),
        ("Number 1", 3, 0),
        ("option 3", 3, 2),
        ("Option two.", 3, 1),
        ("the last one", 3, 2),
        ("the last one", 5, 4),
        ("the 2nd", 3, 1),
        ("the third one", 3, 2),
        ("the middle one", 3, 1),
        ("the middle one", 4, None),  # no middle of four
        ("the second to last", 4, 2),
        ("not the first, the second", 3, 1),
        ("I'll take the first", 3, 0),
        ("the third one", 2, None),  # out of range
        ("option 5", 3, None),
        ("hmm", 3, None),
        ("wait a second", 3, None),
        ("last time I called it broke", 3, None),
        ("", 3, None),
    ],
)
def test_ordinal_choice(text: str, n: int, expected: int | None) -> None:
    assert slots.ordinal_choice(text, n) == expected


# --- appointment times -------------------------------------------------------

TZ = ZoneInfo("America/Chicago")
TODAY = date(2026, 11, 28)  # a Saturday
OPTIONS = [
    datetime(2026, 12, 1, 10, 0, tzinfo=TZ),  # Tuesday 10 AM
    datetime(2026, 12, 2, 14, 0, tzinfo=TZ),  # Wednesday 2 PM
    datetime(2026, 12, 3, 9, 0, tzinfo=TZ),  # Thursday 9 AM
    datetime(2026, 12, 8, 14, 30, tzinfo=TZ),  # the next Tuesday, 2:30 PM
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the first one", 0),
        ("The second one.", 1),
        ("the last one", 3),
        ("Thursday", 2),
        ("I'll take Wednesday.", 1),
        ("this Tuesday", 0),
        ("Tuesday morning", 0),
        ("Tuesday afternoon", 3),
        ("December 3rd", 2),
        ("Dec 8", 3),
        ("the 3rd of December", 2),
        ("the 3rd", 2),
        ("on the 8th", 3),
        ("the one on the 8th", 3),
        ("the second", 1),  # day 2 is offered
        ("the second at 2", 1),
        ("December second at 2 pm", 1),
        ("at 2", 1),  # 2:00 preferred over 2:30
        ("2 pm", 1),
        ("Two o'clock.", 1),
        ("9 a.m.", 2),
        ("14:00", 1),
        ("at 2:30", 3),
        ("two thirty", 3),
        ("at 10", 0),
        ("10 o'clock on Tuesday", 0),
        ("Thursday at 9 in the morning", 2),
        ("Wednesday at 2", 1),
        ("not Thursday, Wednesday", 1),
        ("the earliest", 0),
        ("the latest one you have", 3),
        # No unique answer: None, and the agent asks again.
        ("Tuesday", None),  # two Tuesdays offered
        ("next Tuesday", None),
        ("morning", None),  # two mornings
        ("Thursday at 2", None),  # a cue no option satisfies
        ("Friday", None),
        ("tomorrow", None),
        ("evening", None),
        ("hmm, whatever", None),
        ("", None),
    ],
)
def test_match_time(text: str, expected: int | None) -> None:
    assert slots.match_time(text, OPTIONS, TODAY) == expected


def test_the_second_is_a_position_when_no_option_falls_on_day_two() -> None:
    options = [datetime(2026, 12, d, 10, tzinfo=TZ) for d in (7, 9, 11)]
    assert slots.match_time("the second", options, TODAY) == 1
    assert slots.match_time("the 9th", options, TODAY) == 1


def test_relative_days_use_today() -> None:
    options = [datetime(2026, 11, 29, 10, tzinfo=TZ), datetime(2026, 11, 30, 10, tzinfo=TZ)]
    assert slots.match_time("tomorrow", options, TODAY) == 0
    assert slots.match_time("the day after tomorrow", options, TODAY) == 1
    assert slots.match_time("Monday", options, TODAY) == 1


def test_afternoon_and_evening_bounds() -> None:
    options = [datetime(2026, 12, 1, h, tzinfo=TZ) for h in (11, 16, 17)]
    assert slots.match_time("afternoon", options, TODAY) == 1
    assert slots.match_time("evening", options, TODAY) == 2
    assert slots.match_time("at 5", options, TODAY) == 2  # 1-6 without am/pm is afternoon


def test_no_options() -> None:
    assert slots.match_time("the first one", [], TODAY) is None


@pytest.mark.parametrize(
    ("question", "text", "done"),
    [
        ("For security, what's the billing ZIP code?", "nine four one oh three", True),
        ("For security, what's the billing ZIP code?", "nine four one", False),
        ("What's the phone number on the account?", "four one five five five five oh one oh one", True),
        ("What's the order number?", "one oh four eight two", True),
        ("What's the order number?", "one oh four", False),
    ],
)
def test_a_complete_spoken_answer_ends_the_turn_early(question: str, text: str, done: bool) -> None:
    assert complete_answer(question, text) is done


@pytest.mark.parametrize(
    ("question", "keys", "done"),
    [
        ("Please say or key in the five-digit billing ZIP code.", "94103", True),
        ("Please say or key in the five-digit billing ZIP code.", "9410", False),
        ("What's the phone number on the account?", "4155550101", True),
        ("What's the phone number on the account?", "14155550101", True),
        ("What's the phone number on the account?", "415555", False),
        ("What's the order number? You can key it in.", "10482", False),  # any length: wait for the gap or #
    ],
)
def test_a_complete_keyed_answer_needs_no_gap(question: str, keys: str, done: bool) -> None:
    assert keys_complete(question, keys) is done


# --- yes / no and corrections the way untuned callers say them (issue 13) ------------


@pytest.mark.parametrize(
    "text",
    [
        "yep",
        "yeah",
        "correct",
        "exactly",
        "that's it",
        "sure",
        "uh-huh",
        "mm-hmm",
        "right",
        "Yep, that's right.",
    ],
)
def test_yes_as_people_say_it(text: str) -> None:
    assert slots.yes_no(text) is True


@pytest.mark.parametrize("text", ["nope", "not quite", "that's wrong", "Nope, that's not it."])
def test_no_as_people_say_it(text: str) -> None:
    assert slots.yes_no(text) is False


def test_a_correction_inside_a_no() -> None:
    assert slots.correction("no, it's 7 3 1 9 4", "zip") == "73194"
    assert slots.correction("not quite, it's seven three one nine four", "zip") == "73194"


# --- values said with the request -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi, where is my order?", slots.Mentioned()),
        ("where is order 10482, my zip is 94103", slots.Mentioned(order="10482", zip="94103")),
        ("I'd like my money back for order number one oh five five six", slots.Mentioned(order="10556")),
        (
            "my number is 415 555 0101 and my zip code is nine four one oh three",
            slots.Mentioned(zip="94103", phone="+14155550101"),
        ),
        ("it's maria at example dot com", slots.Mentioned(email="maria@example.com")),
        ("what's my balance, zip code 94103", slots.Mentioned(zip="94103")),
        ("is 10482 on its way", slots.Mentioned(loose="10482")),  # five digits alone: ZIP or order?
    ],
)
def test_mentioned(text: str, expected: slots.Mentioned) -> None:
    assert slots.mentioned(text) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("oh one oh one", "0101"),
        ("It's 0101.", "0101"),
        ("zero one, zero one", "0101"),
        ("four one five five five five zero one zero one", "0101"),  # the whole number: its last four
        ("I think it's 1234", "1234"),
        ("94103", None),
        ("I don't know", None),
    ],
)
def test_last_four_digits_of_a_phone(text: str, value: str | None) -> None:
    assert slots.last4(text) == value


def test_a_correction_of_the_last_four() -> None:
    assert slots.correction("no, it's 0 1 0 2", "last4") == "0102"
    assert slots.correction("yes", "last4") is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Maria Lopez", "Maria Lopez"),
        ("It's Maria Lopez.", "Maria Lopez"),
        ("my name is maria lopez, thanks", "Maria Lopez"),
        ("The name on the account is Sean O'Brien", "Sean O'brien"),
        ("uh, Anna Meyer-Lang", "Anna Meyer-lang"),  # case is not compared
        ("Maria", None),
        ("I don't know", None),
        ("yes", None),
        ("it's 94103", None),
    ],
)
def test_a_name_said_as_an_answer(text: str, name: str | None) -> None:
    assert slots.person_name(text) == name


def test_a_correction_of_a_name() -> None:
    assert slots.name_correction("no, it's Maria Lopes") == "Maria Lopes"
    assert slots.name_correction("yes that's right") is None


@pytest.mark.parametrize(
    ("said", "rest"),
    [
        ("no", ""),
        ("nope, it's about my bill", "it's about my bill"),
        ("no, not that, the courier was rude", "the courier was rude"),
        ("the courier was rude", "the courier was rude"),  # no "no" in front: all of it
    ],
)
def test_what_follows_a_no(said: str, rest: str) -> None:
    assert slots.after_no(said) == rest


def test_a_pause_whisper_wrote_as_a_full_stop_inside_a_number_is_a_pause() -> None:
    assert slots.order_number("OK, W104. 757, I hope that's the one.") == "W104757"
    assert slots.order_number("M, hold on W104. 757.") == "W104757"
    assert slots.order_number("W104, 96768 is my zip") == "W104"  # a comma ends the name
    assert slots.phone_number("No, it's 8.08, triple 5, 2.5.92.") == "+18085552592"
    assert slots.digit_runs("Let me think, 9.6, 7.6, 8.") == ["96768"]
