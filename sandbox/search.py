"""Help-center search: rank articles by word overlap with the query.

Deliberately simple and deterministic — the point is that "router keeps
dropping" finds the router article, not to emulate Zendesk's engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sandbox.records import ArticleRow

TITLE_WEIGHT = 3
LABEL_WEIGHT = 2
BODY_WEIGHT = 1

_WORD = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*")
STOPWORDS = frozenset(
    """
    a an and are as at be but by can do does for from has have how i if in is it its me my no not of on or
    our s so t that the their them then there this to up was we what when where which why will with you your
    """.split()
)


def stem(word: str) -> str:
    """Crude suffix stripping so "disconnecting", "disconnects" and "disconnect" meet."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


# Spellings people and articles mix freely.
_SPELLINGS = (("wi-fi", "wifi"), ("e-mail", "email"))


def terms(text: str) -> set[str]:
    """The stemmed, stop-word-free words of a text."""
    text = text.lower()
    for variant, canonical in _SPELLINGS:
        text = text.replace(variant, canonical)
    return {stem(w) for w in _WORD.findall(text) if w not in STOPWORDS}


def _label_terms(labels: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for label in labels:
        out |= terms(label.replace("-", " ").replace("_", " "))
    return out


def score(article: ArticleRow, query_terms: set[str]) -> int:
    """Weighted count of query words found in the title, labels and body."""
    return (
        TITLE_WEIGHT * len(query_terms & terms(article.title))
        + LABEL_WEIGHT * len(query_terms & _label_terms(article.tags))
        + BODY_WEIGHT * len(query_terms & terms(article.body))
    )


def rank(articles: Iterable[ArticleRow], query: str, labels: Iterable[str] = ()) -> list[ArticleRow]:
    """Articles matching the query, best first (ties by id).

    Args:
        articles: Candidates.
        query: Free text.
        labels: If given, only articles carrying at least one of these labels.
    """
    wanted = {label.strip().lower() for label in labels if label.strip()}
    query_terms = terms(query)
    scored = []
    for article in articles:
        if wanted and not wanted & {t.lower() for t in article.tags}:
            continue
        points = score(article, query_terms)
        if points > 0:
            scored.append((-points, article.id, article))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [article for _, _, article in scored]
