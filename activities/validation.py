"""Normalise and check the values callers say or key in, and bound the ids backends give.

Speech-to-text and keypads deliver "#10482", "S O 7781", "415-555-0101",
"Maria@Example.COM". Each function returns the canonical form or raises
ValueError with a message the agent can act on. The same functions back the
tool argument models in the workflow (so bad input is answered without an
activity call) and are called again inside the activities (which may be used
by other callers and never trust their input).

Ids that come *from* a backend (customer, order, appointment, ticket, article,
refund) are another matter: their shape belongs to the customer's systems
(Salesforce `0035e00000AbC12QAE`, HubSpot `51`, UUIDs, `H2001`), so they are
opaque — only bounded and free of control characters, and carried unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

from activities import errors

_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")
_SEPARATORS = re.compile(r"[\s\-().#]")
# What people put between the parts of an order name: "SO-7781", "#1001", "A1B2 C3", "2026/114".
_ORDER_SEPARATORS = re.compile(r"[\s\-().#/_:.]")
MAX_OPAQUE_ID = 128


def order_id(value: str) -> str:
    """An order number as a caller says it, normalised to compare with a shop's order names.

    Shops name orders "#1001", "SO-7781" or "A1B2C3": spaces, separators and a
    leading '#' are dropped and letters upper-cased ("so-7781" → "SO7781").
    What remains must be 3 to 20 letters and digits with at least one digit,
    so a word the caller said ("refund") is never taken for an order number.
    """
    cleaned = _ORDER_SEPARATORS.sub("", value).upper()
    if not (3 <= len(cleaned) <= 20 and cleaned.isascii() and cleaned.isalnum()):
        raise ValueError("an order number is 3 to 20 letters and digits")
    if not any(c.isdigit() for c in cleaned):
        raise ValueError("an order number has at least one digit")
    return cleaned


def email(value: str) -> str:
    """An e-mail address, lower-cased; rejects anything without user, '@' and domain."""
    cleaned = value.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned):
        raise ValueError("that does not look like an e-mail address")
    return cleaned


def zip_code(value: str) -> str:
    """A US ZIP code: five digits (a ZIP+4 keeps its first five)."""
    digits = _SEPARATORS.sub("", value)
    if len(digits) == 9 and digits.isdigit():
        digits = digits[:5]
    if len(digits) != 5 or not digits.isdigit():
        raise ValueError("a ZIP code is five digits")
    return digits


def phone(value: str) -> str:
    """A phone number in E.164; ten digits are taken as a US number."""
    stripped = _SEPARATORS.sub("", value)
    digits = stripped.removeprefix("+")
    if not digits.isdigit():
        raise ValueError("a phone number is digits only")
    if len(digits) == 10 and not stripped.startswith("+"):
        digits = "1" + digits
    if not 8 <= len(digits) <= 15:
        raise ValueError("a phone number has 8 to 15 digits")
    return "+" + digits


def phone_last4(value: str) -> str:
    """The last four digits of a phone number, as a caller says or keys them."""
    digits = _SEPARATORS.sub("", value)
    if len(digits) != 4 or not digits.isdigit():
        raise ValueError("the last four digits of a phone number are four digits")
    return digits


def pin(value: str) -> str:
    """An account PIN: four to eight digits."""
    digits = _SEPARATORS.sub("", value)
    if not 4 <= len(digits) <= 8 or not digits.isdigit():
        raise ValueError("a PIN is four to eight digits")
    return digits


def person_name(value: str) -> str:
    """A first and last name as a caller says it: two or more words with letters, at most 100 characters.

    Only the shape is checked here; the comparison with the record
    (`activities/names.py`) forgives case, accents and punctuation.
    """
    cleaned = " ".join(value.split())
    words = [w for w in cleaned.split(" ") if any(c.isalpha() for c in w)]
    if len(cleaned) > 100 or len(words) < 2:
        raise ValueError("a name on an account is a first and a last name")
    return cleaned


def opaque_id(value: str) -> str:
    """An id a backend gave us: any printable string up to 128 characters, returned unchanged.

    Nothing about its shape is assumed (no case folding, no trimming: "abc " and
    "ABC" may be different records). Only what could never be an id is refused:
    nothing at all, something unbounded, or control characters (a newline in an
    id would forge log lines and headers).
    """
    if not value:
        raise ValueError("an id cannot be empty")
    if len(value) > MAX_OPAQUE_ID:
        raise ValueError(f"an id is at most {MAX_OPAQUE_ID} characters")
    if not value.isprintable():
        raise ValueError("an id cannot contain control characters")
    return value


def _id_text(value: object) -> object:
    # Zendesk and HubSpot send integer ids, other systems strings: the same opaque id either
    # way. Results recorded while ticket ids were integers still decode (workflow replay).
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


OrderId = Annotated[str, AfterValidator(order_id)]
Email = Annotated[str, AfterValidator(email)]
ZipCode = Annotated[str, AfterValidator(zip_code)]
Phone = Annotated[str, AfterValidator(phone)]
PhoneLast4 = Annotated[str, AfterValidator(phone_last4)]
Pin = Annotated[str, AfterValidator(pin)]
PersonName = Annotated[str, AfterValidator(person_name)]
OpaqueId = Annotated[str, AfterValidator(opaque_id)]
# An opaque id in a result: a backend's integer id is taken as its decimal string.
BackendId = Annotated[str, BeforeValidator(_id_text), AfterValidator(opaque_id)]


def backend_id(value: object, system: str) -> str:
    """The id in a backend's answer as an opaque string (integers as their decimal digits).

    Raises:
        ApplicationError: `BackendUnavailable` when the record has no usable id: the
            backend's answer is broken, whatever the caller said.
    """
    text = _id_text(value)
    if isinstance(text, str):
        try:
            return opaque_id(text)
        except ValueError:
            pass
    raise errors.unavailable(f"{system} sent a record without a usable id")


def checked(check: Callable[[str], str], value: str) -> str:
    """Run one check inside an activity: a bad value fails at once, never retried."""
    try:
        return check(value)
    except ValueError as e:
        raise errors.invalid_input(str(e)) from None
