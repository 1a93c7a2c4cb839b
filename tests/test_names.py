"""The name on an account as a second factor: lenient about form, strict about the person."""

from __future__ import annotations

import pytest

from activities import validation
from activities.names import same_person_name


@pytest.mark.parametrize(
    "said",
    ["Maria Lopez", "maria lopez", "MARIA LOPEZ.", "María López", "Maria  Lopez ", "Maria Elena Lopez"],
)
def test_the_same_name_said_another_way_matches(said: str) -> None:
    assert same_person_name(said, "Maria Lopez")


@pytest.mark.parametrize("said", ["Maria", "Lopez Maria", "Mario Lopez", "Maria Lopes", "Ingrid Okafor", ""])
def test_another_name_does_not(said: str) -> None:
    assert not same_person_name(said, "Maria Lopez")


def test_nicknames_are_not_the_name() -> None:
    assert not same_person_name("Bob Smith", "Robert Smith")


def test_apostrophes_and_hyphens_on_the_record() -> None:
    assert same_person_name("Sean O'Brien", "Seán OBrien")
    assert same_person_name("Anna Meyer-Lang", "anna meyer lang")


def test_what_a_caller_says_is_checked_before_it_is_compared() -> None:
    assert validation.phone_last4(" 01-01 ") == "0101"
    assert validation.pin("4711") == "4711"
    assert validation.person_name("  Maria   Lopez ") == "Maria Lopez"
    for bad, check in (
        ("101", validation.phone_last4),
        ("12", validation.pin),
        ("Maria", validation.person_name),
    ):
        with pytest.raises(ValueError):
            check(bad)
