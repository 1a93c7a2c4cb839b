"""Money as integer cents inside, decimal strings ("89.99") on the wire, as Shopify does."""

from __future__ import annotations

import re

_AMOUNT = re.compile(r"^(\d{1,9})(?:\.(\d{1,2}))?$")


def format_cents(cents: int) -> str:
    """Format cents as a decimal string: 8999 → "89.99"."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def parse_amount(text: str) -> int | None:
    """Parse "12.34" into 1234; None unless a plain non-negative decimal with at most two places."""
    match = _AMOUNT.match(text.strip())
    if match is None:
        return None
    whole, frac = match.groups()
    return int(whole) * 100 + int((frac or "0").ljust(2, "0"))
