"""The LLM brain's repair guards, one function at a time (the brain's use of them is in test_llm_brain)."""

from __future__ import annotations

import pytest

from realtime.brain import prompt
from realtime.brain.base import Say
from realtime.brain.llm_repair import (
    QuestionStreak,
    digits_in_words,
    names_something_else,
    question_key,
    sounds_like_a_request,
    spoken_again,
    with_missed,
)


def test_read_back_digits_are_words_grouped_once_and_amounts_times_and_ids_left_alone() -> None:
    line = "Order 1 0 4 8 2 is $187.40, due at 10:30; call 4155550101 about SO-7781."
    assert digits_in_words(line) == (
        "Order one oh four eight two is $187.40, due at 10:30; "
        "call four one five, five five five, oh one oh one about SO-7781."
    )
    assert spoken_again(["That's 9 4 1 0 3, correct?", " "]) == [
        Say("That's nine four one, oh three, correct?", slow=True)
    ]
    # A phone number: `say_digits` reads it in its groups, the slow repeat splits the last four.
    assert spoken_again(["Call 4155550101."]) == [
        Say("Call four one five, five five five, oh one, oh one.", slow=True)
    ]


@pytest.mark.parametrize(
    ("request_", "last", "elsewhere"),
    [
        ("Sorry, what was the balance?", "Your balance is $42.50.", False),
        ("What was the balance again?", "Your order shipped with UPS.", True),
        ("Can you repeat the number?", "That's 1 0 4 8 2, right?", False),
        ("Can you repeat the number?", "Your order shipped with UPS.", True),
        ("Say that again?", "Your order shipped with UPS.", False),
        ("What was the dates?", "The open dates are Monday and Tuesday.", False),
        ("I didn't get the last part.", "Your order is out for delivery.", False),
        ("I missed the delivery.", "Your order is out for delivery.", True),
        ("I didn't get the package.", "Your package shipped.", True),
    ],
)
def test_a_repeat_request_naming_what_the_last_reply_did_not_say_goes_to_the_model(
    request_: str, last: str, elsewhere: bool
) -> None:
    assert names_something_else(request_, [last]) is elsewhere


def test_what_was_missed_rides_on_the_callers_message() -> None:
    assert with_missed("Sorry?", "  Your balance\n is $42.50. ") == (
        f'{prompt.MISSED_PREFIX}"Your balance is $42.50.") Sorry?'
    )
    assert with_missed("Sorry?", "") == "Sorry?"


@pytest.mark.parametrize(
    ("said", "is_request"),
    [
        ("My earbuds will not pair with my phone.", True),
        ("What are your support hours?", True),
        ("No, wait, one more thing.", True),
        ("Actually, can I get a refund too?", True),
        ("No, that's all, thanks.", False),
        ("Nope, I'm good.", False),
        ("no thank you bye", False),
        ("That's it.", False),
    ],
)
def test_a_new_request_is_told_from_a_goodbye(said: str, is_request: bool) -> None:
    assert sounds_like_a_request(said) is is_request


def test_questions_are_the_same_whatever_the_filler() -> None:
    assert question_key("Sorry, what's your ZIP code again?") == question_key("What is your ZIP code?")
    assert question_key("What is your ZIP code?") != question_key("What is the order number?")
    assert question_key("Your order shipped.") is None
    # The closing question is a menu: three requests answered in a row is not a loop.
    assert question_key("Is there anything else I can help with?") is None


def test_a_third_ask_in_a_row_would_loop_and_another_question_starts_over() -> None:
    streak = QuestionStreak()
    zip_ask = "What is your billing ZIP code?"
    assert not streak.would_loop(zip_ask)
    streak.replied(["I found your account.", zip_ask])
    streak.replied(["Sorry, I didn't get that.", "What's your billing ZIP code?"])
    assert streak.would_loop(zip_ask, ["Sorry."])
    streak.replied(["Thanks. What is the order number?"])
    assert not streak.would_loop(zip_ask)


def test_read_backs_of_corrected_values_are_not_a_loop() -> None:
    streak = QuestionStreak()
    streak.replied(["That's 9 4 1 0 7.", "Is that right?"])
    streak.replied(["That's 9 4 1 0 5.", "Is that right?"])
    assert not streak.would_loop("Is that right?", ["That's 9 4 1 0 4."])
    streak.replied(["That's 9 4 1 0 4.", "Is that right?"])
    streak.replied(["That's 9 4 1 0 4.", "Is that right?"])
    assert streak.would_loop("Is that right?", ["That's 9 4 1 0 4."])
