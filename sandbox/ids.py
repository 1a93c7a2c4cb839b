"""Ids in the sandbox: the seed's opaque ones, and the integers the emulated vendors use.

A business's seed names its records in its own scheme (`0035e00000AbC12QAE`, `AP900`,
`SO-7781`, `faq-returns`). Shopify orders and Help Center articles, though, have integer ids
in those vendors' APIs, so the emulators give each such record one: the number the seed id
already is where it is one (`10482`, `KB3` → 3, keeping the classic seed's URLs), otherwise
the next free number above every such one, in seed order (stable across resets).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_ID = 128
# Where numbering starts for ids that carry no number: far above seeded numbers, as real
# vendor ids are (Shopify order ids have ten or more digits).
FIRST_ASSIGNED = 5_000_000_001
_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")


def opaque(value: str) -> str:
    """A seed id: any printable text up to 128 characters, except '/'.

    '/' is refused because the emulated REST paths (`/crm/v1/customers/{id}`) could not
    address such a record: like most web servers, the sandbox does not route an encoded
    slash inside a path segment.
    """
    if not value:
        raise ValueError("must not be empty")
    if len(value) > MAX_ID:
        raise ValueError(f"must be at most {MAX_ID} characters")
    if not value.isprintable():
        raise ValueError("must not contain control characters")
    if "/" in value:
        raise ValueError("must not contain '/' (it could not be addressed in a URL path)")
    return value


def spoken_key(name: str) -> str:
    """How a caller says an order name: its letters and digits, upper-cased ("#so-7781" → "SO7781")."""
    return _NON_ALNUM.sub("", name).upper()


def numbered(ids: Iterable[str], natural: re.Pattern[str]) -> dict[str, int]:
    """An integer for every id: its own number where `natural` captures one, else a fresh one.

    Args:
        ids: The seed ids, unique, in seed order.
        natural: A pattern whose group 1 is the id's own number (e.g. `KB(digits)`).

    Returns:
        Seed id → integer id, all distinct.
    """
    ids = list(ids)
    out: dict[str, int] = {}
    taken: set[int] = set()
    for i in ids:
        m = natural.fullmatch(i)
        if m is not None and int(m.group(1)) not in taken:
            out[i] = int(m.group(1))
            taken.add(out[i])
    nxt = max([FIRST_ASSIGNED - 1, *taken]) + 1
    for i in ids:
        if i not in out:
            out[i] = nxt
            taken.add(nxt)
            nxt += 1
    return out


ORDER_NUMBER = re.compile(r"#?(\d{1,15})")
ARTICLE_NUMBER = re.compile(r"(?:KB)?(\d{1,15})")
