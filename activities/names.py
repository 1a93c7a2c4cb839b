"""Compare a name a caller says with the name on a record, leniently but without guessing.

Speech-to-text and CRMs disagree on case, accents and punctuation ("Maria
López", "maria lopez", "Lopez, Maria" is not supported), and a record may
carry a middle name. Nicknames ("Bob" for "Robert") are not matched: a second
factor that accepts look-alikes stops being a factor.
"""

from __future__ import annotations

import hmac
import unicodedata


def name_words(name: str) -> list[str]:
    """The words of a name: accents removed, lower-cased, letters and digits only."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    cleaned = "".join(c.lower() if c.isalnum() else " " for c in plain.replace("'", ""))
    return cleaned.split()


def same_person_name(claimed: str, on_record: str) -> bool:
    """Whether a spoken first + last name is the record's first and last name.

    Middle names on either side are ignored; the first and the last word must match.
    The comparison is in constant time over the compared words.
    """
    said, record = name_words(claimed), name_words(on_record)
    if len(said) < 2 or len(record) < 2:
        return False
    a = f"{said[0]} {said[-1]}".encode()
    b = f"{record[0]} {record[-1]}".encode()
    return hmac.compare_digest(a, b)
