"""Normalise and check the values callers say or key in.

Speech-to-text and keypads deliver "#10482", "1 0 4 8 2", "415-555-0101",
"Maria@Example.COM". Each function returns the canonical form or raises
ValueError with a message the agent can act on. The same functions back the
tool argument models in the workflow (so bad input is answered without an
activity call) and are called again inside the activities (which may be used
by other callers and never trust their input).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator

from activities import errors

_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")
_CUSTOMER_ID = re.compile(r"^C\d{3,10}$")
_APPOINTMENT_ID = re.compile(r"^A\d{1,10}$")
_SEPARATORS = re.compile(r"[\s\-().#]")


def order_id(value: str) -> str:
    """An order number: 3 to 12 digits, separators and a leading '#' ignored."""
    digits = _SEPARATORS.sub("", value)
    if not digits.isdigit() or not 3 <= len(digits) <= 12:
        raise ValueError("an order number is 3 to 12 digits")
    return digits


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


def customer_id(value: str) -> str:
    """A CRM customer id such as C1001."""
    cleaned = value.strip().upper()
    if not _CUSTOMER_ID.match(cleaned):
        raise ValueError("a customer id looks like C1001")
    return cleaned


def appointment_id(value: str) -> str:
    """A scheduling appointment id such as A501."""
    cleaned = value.strip().upper()
    if not _APPOINTMENT_ID.match(cleaned):
        raise ValueError("an appointment id looks like A501")
    return cleaned


OrderId = Annotated[str, AfterValidator(order_id)]
Email = Annotated[str, AfterValidator(email)]
ZipCode = Annotated[str, AfterValidator(zip_code)]
Phone = Annotated[str, AfterValidator(phone)]
CustomerId = Annotated[str, AfterValidator(customer_id)]
AppointmentId = Annotated[str, AfterValidator(appointment_id)]


def checked(check: Callable[[str], str], value: str) -> str:
    """Run one check inside an activity: a bad value fails at once, never retried."""
    try:
        return check(value)
    except ValueError as e:
        raise errors.invalid_input(str(e)) from None
