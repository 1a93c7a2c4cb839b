"""Answering a general question from the knowledge base, only when an article really answers it.

A help-center search returns whatever shares a word with the query, so the
agent judges relevance itself: most of the question's content words must
appear in the article's title and one passage, and one of them in the
title. Then the passage (or the whole article, when it is short) is the
answer; otherwise there is none, and the caller gets a ticket instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from realtime.brain import speak

# Words that say nothing about the topic of a question.
_STOP = frozenset(
    """
    a about all am an and any anything are as at be been but by can could did do does doing for from get got
    had has have hello hey hi how i if in is it its just know like me my need of on or our please s say so
    some tell than thank thanks that the their them then there these they this to up us want was we were
    what when where which who why will with would you your yours you're i'm i'd can't don't guys question
    wondering wonder quick sorry ok okay um uh also still really much many well
    """.split()
)
_WORD = re.compile(r"[a-z0-9]+")
# A short article is read out whole; a long one only its best passage.
_SHORT_ARTICLE_WORDS = 45
MIN_COVERAGE = 0.6


def _stem(word: str) -> str:
    for suffix in ("ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    # "shipping" → "shipp" → "ship": a doubled final consonant left by the suffix.
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word


def terms(text: str) -> set[str]:
    """The stemmed content words of a text."""
    return {_stem(w) for w in _WORD.findall(text.lower().replace("'", "")) if w not in _STOP}


def _passages(steps: Iterable[str]) -> list[str]:
    return [s for step in steps for s in speak.sentences(step)]


def answer(question: str, articles: Iterable[Mapping[str, Any]]) -> list[str] | None:
    """The sentences that answer `question`, from the best article, or None when none answers it.

    Args:
        question: What the caller asked ("what are your support hours?").
        articles: Search results as the knowledge tool returns them (title, steps).

    Returns:
        One or more sentences to say, or None.
    """
    wanted = terms(question)
    if not wanted:
        return None
    best: tuple[float, int, list[str]] | None = None
    for article in articles:
        title = terms(str(article.get("title", "")))
        passages = _passages(str(s) for s in article.get("steps", []))
        if not title & wanted or not passages:
            continue
        for passage in passages:
            said = terms(passage)
            coverage = len(wanted & (title | said)) / len(wanted)
            if coverage < MIN_COVERAGE or not (wanted & said or wanted <= title):
                continue
            short = sum(len(p.split()) for p in passages) <= _SHORT_ARTICLE_WORDS
            chosen = passages if short else [passage]
            rank = (coverage, len(wanted & said), chosen)
            if best is None or rank[:2] > best[:2]:
                best = (coverage, len(wanted & said), chosen)
    return best[2] if best else None
