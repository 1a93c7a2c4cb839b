"""How a slow repeat is worded for the voice: read-out digit runs get pauses, nothing else changes."""

from __future__ import annotations

import pytest

from realtime.brain import repair
from realtime.brain.base import Say
from realtime.tts.pacing import group_digit_runs


@pytest.mark.parametrize(
    ("line", "spoken"),
    [
        # An order number and a ZIP, which `speak.say_digits` reads in one breath.
        ("Your order number is one oh four eight two.", "Your order number is one oh four, eight two."),
        ("Is your ZIP nine four one oh three?", "Is your ZIP nine four one, oh three?"),
        ("That's four digits: one two three four.", "That's four digits: one two, three four."),
        ("Seven: one two three four five six seven.", "Seven: one two three, four five, six seven."),
        # A phone number already grouped by say_digits: only its four-digit tail is split.
        (
            "Call four one five, five five five, oh one oh one.",
            "Call four one five, five five five, oh one, oh one.",
        ),
        # An id with letters, read out letter by letter.
        ("Order A B one two three four shipped.", "Order A B one, two three four shipped."),
        # A sentence starting with a digit word, and a lowercase "a" before the number.
        ("One two three four is your code.", "One two, three four is your code."),
        ("Is it a one two three four?", "Is it a one two, three four?"),
    ],
)
def test_digit_runs_are_grouped(line: str, spoken: str) -> None:
    assert group_digit_runs(line) == spoken


@pytest.mark.parametrize(
    "line",
    [
        "I can help you with that.",
        "It is one two three.",  # three digits: one breath is fine
        "Your balance is forty two dollars.",  # a number said as a number, not digit by digit
        "I A M B",  # capitals without digits are no number
        "Oh, one more thing: we open at nine.",
    ],
)
def test_lines_without_a_long_digit_run_are_unchanged(line: str) -> None:
    assert group_digit_runs(line) == line


@pytest.mark.parametrize(
    "line",
    [
        "Ticket C one two three four five is open.",
        "Your code is seven seven one two, nine nine eight one three.",
        "Call four one five, five five five, oh one oh one.",
    ],
)
def test_grouping_is_idempotent(line: str) -> None:
    once = group_digit_runs(line)
    assert group_digit_runs(once) == once


def test_a_slow_repeat_is_grouped_once_by_the_brain() -> None:
    # Grouped twice (by a brain's own rule, then the voice's) an id with a letter paused in the
    # wrong places: "C one, two three, four five". One function, applied once, keeps its groups.
    assert repair.say_again(["Ticket C one two three four five is open."]) == [
        Say("Ticket C one two, three four five is open.", slow=True)
    ]
