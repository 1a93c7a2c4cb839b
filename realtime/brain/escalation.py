"""When the AI should stop and hand the call to a person — one policy for every brain.

The seed's triggers, made precise:
- an explicit request or give-up phrase ("speak to a human", "talk to a
  manager", "this isn't working", "never mind", "forget it" and variants):
  at once;
- intent confidence below 0.7 on two consecutive caller turns;
- caller sentiment below −0.5 (VADER compound): a single turn at −0.8 or
  lower, or the mean of the last two turns below −0.5 — so one sentence that
  merely describes a broken product ("it arrived damaged and broken", −0.72)
  does not hang up on a calm caller, while sustained frustration does;
- three failed attempts at the same step (an order number not found, a slot
  not understood), and a failed identity check (the workflow locks it).

A caller asking to hear something again ("sorry, say that again?") is none of
these: it is neither a low-confidence turn nor a failure, however often it
comes (`realtime.brain.repair.repeat_request`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from realtime.brain import intents
from realtime.brain.repair import repeat_request

CONFIDENCE_FLOOR = 0.7
SENTIMENT_FLOOR = -0.5
SENTIMENT_SPIKE = -0.8
MAX_STEP_FAILURES = 3

# Normalised (lower case, straight apostrophes, single spaces) phrase patterns.
_REQUEST = [
    r"\b(speak|talk|chat)\w* (to|with) (a |an |some )?(real |live |actual )?"
    r"(human|person|people|someone|somebody|agent|representative|rep|operator|manager|supervisor)\b",
    r"\b(real|live|actual) (human|person|agent)\b",
    r"\b(get|give|transfer|connect|put) me (to |through to |with )?(a |an |the )?"
    r"(human|person|agent|representative|operator|manager|supervisor)\b",
    r"\b(human|representative|operator|supervisor|manager),? please\b",
    r"^\s*(agent|representative|operator|human)[.! ]*$",
]
_GIVE_UP = [
    r"\bthis (is not|isn't|ain't) working\b",
    r"\b(it|you)('re| are) not (working|helping|understanding)\b",
    r"\bforget (it|about it)\b",
    r"\byou('re| are) useless\b",
]
_REQUEST_RE = re.compile("|".join(_REQUEST))
_GIVE_UP_RE = re.compile("|".join(_GIVE_UP))


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, single spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text).strip()


_NEVER_MIND = re.compile(r"\bnever ?mind\b")
# The words of a plain no to the agent's question.
_ANSWER_NO = re.compile(
    r"\b(no|nope|nah|naw|not|didn'?t|did not|doesn'?t|does not|hasn'?t|has not|isn'?t|won'?t|"
    r"no (change|luck|difference|good)|nothing changed|still|same|afraid)\b"
)


def explicit_request(text: str) -> bool:
    """The caller asked for a person or gave up on the AI."""
    t = normalise(text)
    return bool(_REQUEST_RE.search(t) or _GIVE_UP_RE.search(t) or _gives_up_with_never_mind(t))


def _gives_up_with_never_mind(t: str) -> bool:
    """A "never mind" that drops the call, not one that drops a grievance and goes on.

    "Oh never mind" and "never mind, I'll call back" give up; "I was on hold for ages, but never
    mind, where's my order?" and "never mind that, what's my balance?" carry a request on.
    """
    m = _NEVER_MIND.search(t)
    if m is None or t[: m.start()].rstrip().endswith("but"):
        return False  # "…on hold for ages, but never mind": a concession, not a give-up
    return not any(intents.scores(t[m.end() :]).values())


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


# Words that describe what is wrong with a product or a delivery, not how the caller feels:
# "my speaker is dead and won't power on" is a calm caller with a broken speaker. VADER reads
# them as strongly negative (dead −3.3, broken −2.1), so a plain fault report scored like anger.
# Words of mood ("angry", "ridiculous", "worst", "useless", "ugh") are left to count.
_FAULT_WORDS = re.compile(
    r"\b(broken|broke|dead|damaged|damage|problems?|issues?|trouble|bother|errors?|faulty|fault|"
    r"fail(s|ed|ing)?|failure|stuck|crash(es|ed|ing)?|crushed|smashed|cracked|leak(s|ed|ing)?|"
    r"wrong|defective|sorry|apologi[sz]e|excuse)\b"
)


def sentiment(text: str) -> float:
    """VADER compound score in [-1, 1] of the caller's mood: fault words left out."""
    return float(_analyzer().polarity_scores(_FAULT_WORDS.sub(" ", text.lower()))["compound"])


@dataclass
class EscalationPolicy:
    """Per-call escalation state: feed it every caller turn and every step failure."""

    low_confidence_streak: int = 0
    recent_sentiment: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)

    def on_caller_turn(
        self, text: str, intent_confidence: float | None, answering: bool = False
    ) -> str | None:
        """The escalation reason this turn triggers, if any.

        `answering`: the turn answers the agent's question. Its "no" ("nah, that didn't help",
        "no, no change") answers it and says nothing about the caller's mood, so the words of a
        no are left out of the sentiment; what else they say still counts ("no, this is useless").
        """
        if explicit_request(text):
            return "caller_request"
        if repeat_request(text):
            # A line missed on a bad phone line says nothing about the caller's mood or intent:
            # it neither counts towards nor breaks a streak.
            return None
        score = sentiment(_ANSWER_NO.sub(" ", normalise(text)) if answering else text)
        self.recent_sentiment = [*self.recent_sentiment[-1:], score]
        if score <= SENTIMENT_SPIKE or (
            len(self.recent_sentiment) == 2 and sum(self.recent_sentiment) / 2 < SENTIMENT_FLOOR
        ):
            return "negative_sentiment"
        if intent_confidence is not None:
            if intent_confidence < CONFIDENCE_FLOOR:
                self.low_confidence_streak += 1
                if self.low_confidence_streak >= 2:
                    return "low_confidence"
            else:
                self.low_confidence_streak = 0
        return None

    def on_failure(self, step: str) -> str | None:
        """Count a failed attempt at `step`; the third one escalates."""
        self.failures[step] += 1
        return "repeated_failure" if self.failures[step] >= MAX_STEP_FAILURES else None

    def on_success(self, step: str) -> None:
        """A step that worked starts its count again."""
        self.failures.pop(step, None)
