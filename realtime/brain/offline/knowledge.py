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
from dataclasses import dataclass
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
    wont won't doesnt doesn't isnt isn't cant through keep keeps work works working thing things stuff
    going gonna go actually yeah yes no not one
    turn turned turns nothing play plays playing stop stopped start started make makes making come coming
    problem problems issue issues trouble happen happens happening there theres right left
    id im ive youre update updating change changing set setting use using check fix add new file
    """.split()
)
# Support vocabulary that callers and help centers word differently ("when are you open" /
# "Support hours"): each word stands for its concept, so a question meets the article about it.
# General customer-service language, not any one business's products.
_CONCEPTS = {
    "hours": ("hour", "hours", "open", "opening", "close", "closed", "closing"),
    "support": ("support", "service", "customer", "helpline", "contact"),
    "ship": ("ship", "shipping", "deliver", "delivery", "send", "sent", "mail", "post", "postage"),
    "country": ("country", "countries", "international", "abroad", "overseas", "worldwide"),
    "warranty": ("warranty", "guarantee", "guaranteed", "cover", "covered", "coverage"),
    "return": ("return", "returns", "exchange", "exchanges"),
    "cancel": ("cancel", "cancellation", "cancelling", "canceling"),
    "cost": ("cost", "price", "fee", "fees", "charge", "charges"),
}
_CONCEPT_OF = {_s: concept for concept, words in _CONCEPTS.items() for _s in words}
_WORD = re.compile(r"[a-z0-9]+")
# A short article is read out whole; a long one only its best passage.
_SHORT_ARTICLE_WORDS = 45
# "How do I reset it?" asks for a procedure (steps, one at a time), not a fact.
_HOW_TO = re.compile(r"\bhow (do|can|should|would) (i|we|you)\b|\bhow to\b|\bsteps\b", re.IGNORECASE)
# A question anywhere in the turn: rambling callers ask it after a preamble ("so, bear with me,
# which countries do you ship to").
_QUESTION = re.compile(
    r"\?|(^|[,.;!]\s*|\b(so|and|but|also|just|quick question|wondering)\s+)"
    r"(what|when|where|how|do|does|can|could|is|are|will|which|who|why)\b",
    re.IGNORECASE,
)


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
    """The content words of a text: stemmed, with support vocabulary folded into its concepts."""
    out: set[str] = set()
    for w in _WORD.findall(text.lower().replace("'", "")):
        if w in _STOP and w not in _CONCEPT_OF:
            continue
        concept = _CONCEPT_OF.get(w)
        out.add(concept if concept else _stem(w))
    return out


def _passages(steps: Iterable[str]) -> list[str]:
    return [s for step in steps for s in speak.sentences(step)]


@dataclass(frozen=True)
class Match:
    """The article that answers a caller, and the sentences that do."""

    title: str
    steps: list[str]
    passages: list[str]


def match(question: str, articles: Iterable[Mapping[str, Any]]) -> Match | None:
    """The article that really is about what the caller said, or None.

    A help-center search returns whatever shares a word with the query, and
    callers ramble ("bear with me, the kids are yelling, which countries do you
    ship to"), so the agent judges relevance by the article's *heading*: a
    word of the caller's in its title (counts double) or labels is what makes
    an article about it. The best article is taken when it clearly leads —
    two heading words, or more heading evidence than any other result.

    Args:
        question: What the caller said ("what are your support hours?", "my earbuds won't pair").
        articles: Search results as the knowledge tool returns them (title, labels, steps).

    Returns:
        The best article with its answering passages, or None.
    """
    wanted = terms(question)
    if not wanted:
        return None
    scored: list[tuple[float, int, Match]] = []
    for article in articles:
        steps = [str(s) for s in article.get("steps", [])]
        passages = _passages(steps)
        if not passages:
            continue
        title = terms(str(article.get("title", "")))
        labels = terms(" ".join(str(x) for x in article.get("labels") or [])) - title
        heading = 2 * len(wanted & title) + len(wanted & labels)
        if not heading:
            continue
        body = terms(" ".join(passages))
        # The passage that says most of what was asked; a short article is read whole.
        ranked = sorted(passages, key=lambda p: len(wanted & terms(p)), reverse=True)
        short = sum(len(p.split()) for p in passages) <= _SHORT_ARTICLE_WORDS
        chosen = passages if short else [ranked[0]]
        score = heading + 0.5 * len(wanted & body)
        scored.append((score, heading, Match(str(article.get("title", "")), steps, chosen)))
    if not scored:
        return None
    scored.sort(key=lambda t: t[0], reverse=True)
    score, heading, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    return best if heading >= 2 or score > runner_up else None


def answer(question: str, articles: Iterable[Mapping[str, Any]]) -> list[str] | None:
    """The sentences that answer `question`, from the best article, or None when none answers it."""
    found = match(question, articles)
    return found.passages if found else None


# The caller speaks of their own things: an account request, not a general question.
_OWN = re.compile(r"\b(my|mine|i'?ve|i (ordered|bought|paid|got|have|had|booked))\b|\d", re.IGNORECASE)


def general_question(said: str) -> bool:
    """A question about the business, not about the caller's own account.

    "What's your return policy?" and "do you ship to Canada?" are answered from
    the help center; "where is my order?" and "can I return my headphones?"
    need the caller's account.
    """
    return bool(_QUESTION.search(said)) and not _OWN.search(said)


def wants_steps(said: str, found: Match) -> bool:
    """Walk the caller through the article's steps (a problem or a how-to), or just answer it.

    "My speaker won't turn on" and "how do I reset it?" get one step at a time with "did that
    help?"; "what are your hours?" gets the answer.
    """
    if len(found.steps) < 2:
        return False
    return bool(_HOW_TO.search(said)) or not _QUESTION.search(said)
