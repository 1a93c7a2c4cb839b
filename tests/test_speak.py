"""Speakable formatting for text-to-speech."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from realtime.brain import slots, speak


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10482", "one oh four eight two"),
        ("#10-482", "one oh four eight two"),
        ("94103", "nine four one oh three"),
        ("0", "zero"),
        ("000", "zero zero zero"),
        ("4155550101", "four one five, five five five, oh one oh one"),
        ("+14155550101", "one, four one five, five five five, oh one oh one"),
        ("941031234", "nine four one oh three, one two three four"),
        ("5550101", "five five five, oh one oh one"),
        ("12345678", "one two three, four five six, seven eight"),
        ("1234567890123", "one two three, four five six, seven eight nine, oh one two three"),
        ("C1001", "C one oh oh one"),
        ("", ""),
        # Other businesses' ids: letters as capitals, '#' and '-' dropped, long ones grouped.
        ("#1001", "one oh oh one"),
        ("SO-7781", "S O seven seven eight one"),
        ("SO7701", "S O seven seven zero one"),  # the letter O is there: a zero is "zero"
        ("a1b2c3", "A one B two C three"),
        ("AP-900-B2", "A P, nine oh oh, B two"),
        ("0035e00000AbC12QAE", "oh oh three, five E oh, oh oh oh, oh A B, C one two, Q A E"),
    ],
)
def test_say_digits(value: str, expected: str) -> None:
    assert speak.say_digits(value) == expected


@pytest.mark.parametrize("value", ["10482", "94103", "4155550101", "100200"])
def test_read_back_is_heard_back(value: str) -> None:
    # What the agent reads back, the caller repeats; the slot reader must get the same digits.
    assert slots.digit_runs(speak.say_digits(value)) == [value]


@pytest.mark.parametrize(
    ("name", "heard"),
    [
        ("SO-7781", "SO7781"),
        ("A1B2C3", "A1B2C3"),
        ("AP-900-B2", "AP900B2"),
        ("#1001", "1001"),
        ("B0O1", "B0O1"),
    ],
)
def test_an_order_name_read_back_is_heard_back(name: str, heard: str) -> None:
    # Another shop's order names: the read-back, repeated by the caller, is the same order number.
    assert slots.order_number(speak.say_digits(name)) == heard


@pytest.mark.parametrize("scheme", ["#9999", "AA-9999", "A9A9A9", "AAA-999999", "99999-AA", "B9999"])
def test_generated_order_names_survive_the_read_back(scheme: str) -> None:
    # 300 names per naming scheme ('A' a letter, '9' a digit). A lone leading A, I or O is left
    # out of the last scheme on purpose: said alone before digits it is the article, the pronoun
    # or "oh" ("A 10482"), and the slot reader takes it as such.
    import random
    import string

    from activities import validation

    rng = random.Random(scheme)
    letters = [c for c in string.ascii_uppercase if scheme != "B9999" or c not in "AIO"]
    for _ in range(300):
        name = "".join(
            rng.choice(letters) if c == "A" or c == "B" else rng.choice(string.digits) if c == "9" else c
            for c in scheme
        )
        assert slots.order_number(speak.say_digits(name)) == validation.order_id(name), name


@pytest.mark.parametrize(
    ("cents", "expected"),
    [
        (4250, "42 dollars and 50 cents"),
        (10000, "100 dollars"),
        (5, "5 cents"),
        (0, "zero dollars"),
        (100, "1 dollar"),
        (101, "1 dollar and 1 cent"),
        (123456, "1234 dollars and 56 cents"),
        (-4250, "minus 42 dollars and 50 cents"),
    ],
)
def test_say_money(cents: int, expected: str) -> None:
    assert speak.say_money(cents) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-28", "Saturday, November 28th"),
        (date(2026, 12, 1), "Tuesday, December 1st"),
        (date(2026, 12, 2), "Wednesday, December 2nd"),
        (date(2026, 12, 3), "Thursday, December 3rd"),
        (date(2026, 12, 11), "Friday, December 11th"),
        (date(2026, 12, 12), "Saturday, December 12th"),
        (date(2026, 12, 13), "Sunday, December 13th"),
        (date(2026, 12, 21), "Monday, December 21st"),
        (date(2026, 12, 22), "Tuesday, December 22nd"),
        (datetime(2026, 12, 2, 14, 0), "Wednesday, December 2nd"),
        ("2026-12-02T23:30:00-06:00", "Wednesday, December 2nd"),  # the value's own date
    ],
)
def test_say_date(value: date | datetime | str, expected: str) -> None:
    assert speak.say_date(value) == expected


def test_say_date_with_year() -> None:
    assert speak.say_date("2027-01-04", with_year=True) == "Monday, January 4th, 2027"


def test_say_date_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        speak.say_date("next week")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (time(14, 0), "2 PM"),
        (time(9, 30), "9:30 AM"),
        (time(12, 0), "noon"),
        (time(12, 30), "12:30 PM"),
        (time(0, 0), "midnight"),
        (time(0, 15), "12:15 AM"),
        (time(23, 5), "11:05 PM"),
        (datetime(2026, 12, 2, 8, 0, tzinfo=ZoneInfo("America/Chicago")), "8 AM"),
    ],
)
def test_say_time(value: time | datetime, expected: str) -> None:
    assert speak.say_time(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 12, 2, 14, 0, tzinfo=ZoneInfo("America/Chicago")), "Wednesday, December 2nd at 2 PM"),
        (datetime(2026, 12, 3, 12, 0), "Thursday, December 3rd at noon"),
        (datetime(2026, 12, 8, 9, 30), "Tuesday, December 8th at 9:30 AM"),
    ],
)
def test_say_slot(value: datetime, expected: str) -> None:
    assert speak.say_slot(value) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("pending", "pending"),
        ("processing", "being prepared"),
        ("shipped", "shipped"),
        ("out_for_delivery", "out for delivery"),
        ("delivered", "delivered"),
        ("delivery_attempted", "not delivered yet: the carrier made a delivery attempt"),
        ("cancelled", "cancelled"),
        ("refunded", "refunded"),
        ("Out for delivery", "out for delivery"),
        ("on_hold", "on hold"),  # unknown: its own words, nothing invented
        ("ON-HOLD", "on hold"),
        ("partially_refunded", "partially refunded"),
        ("partiallyRefunded", "partially refunded"),
        ("returned", "returned"),
    ],
)
def test_say_status(status: str, expected: str) -> None:
    assert speak.say_status(status) == expected


def test_every_seed_status_has_a_phrase() -> None:
    from sandbox.seed import ORDER_STATUSES

    assert set(ORDER_STATUSES) == set(speak.STATUS_PHRASES)


@pytest.mark.parametrize(
    ("addr", "expected"),
    [
        ("maria@example.com", "maria at example dot com"),
        ("Maria.Lopez@Gmail.com", "maria dot lopez at gmail dot com"),
        ("maria_lopez@example.co.uk", "maria underscore lopez at example dot co dot uk"),
        ("maria-lopez+shop@example.com", "maria dash lopez plus shop at example dot com"),
        ("maria84@example.com", "maria eight four at example dot com"),
    ],
)
def test_say_email(addr: str, expected: str) -> None:
    assert speak.say_email(addr) == expected


@pytest.mark.parametrize(
    "addr",
    ["maria@example.com", "maria_lopez@example.co.uk", "maria-lopez@example.com", "maria.lopez@gmail.com"],
)
def test_spoken_email_reads_back(addr: str) -> None:
    assert slots.email(speak.say_email(addr)) == addr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Your order shipped. It arrives Friday!", ["Your order shipped.", "It arrives Friday!"]),
        ("Is that right? I can check.", ["Is that right?", "I can check."]),
        ("The refund is $42.50. Anything else?", ["The refund is $42.50.", "Anything else?"]),
        ("Version 2.5 is out.", ["Version 2.5 is out."]),
        ("Pi is 3.14. Done", ["Pi is 3.14.", "Done"]),
        ("Dr. Smith will call at 9 a.m. tomorrow. Bye.", ["Dr. Smith will call at 9 a.m. tomorrow.", "Bye."]),
        ("Mr. Lee and Mrs. Lee are listed.", ["Mr. Lee and Mrs. Lee are listed."]),
        ("Restart it, e.g. with the button. Then wait.", ["Restart it, e.g. with the button.", "Then wait."]),
        ("Ask for J. R. Smith. He knows.", ["Ask for J. R. Smith.", "He knows."]),
        ("It's at 9 a.m. Monday.", ["It's at 9 a.m. Monday."]),
        ("It's at 2 p.m. See you then.", ["It's at 2 p.m.", "See you then."]),
        ("Order No. 5 is here.", ["Order No. 5 is here."]),
        ('He said "hi." Then left.', ['He said "hi."', "Then left."]),
        ("Wait... Okay!", ["Wait...", "Okay!"]),
        ("Steps:\n1. Unplug the router.\n2. Wait.", ["Steps:", "1. Unplug the router.", "2. Wait."]),
        ("No trailing punctuation", ["No trailing punctuation"]),
        ("", []),
        ("   ", []),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert speak.sentences(text) == expected
