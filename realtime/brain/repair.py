"""Conversation repair shared by every brain: what a caller says to hear something again.

Callers on a phone line miss words all the time (a bus, a bad line, talking
over the agent). "Sorry, say that again?" is not a failed answer and not a
new request: it asks for the agent's last reply, and the answer is that reply
again, slower. Both brains (the offline agent and the LLM agent) use this one
detector so they agree on what counts as a repeat request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from realtime.brain.base import Say

# A repeat request anywhere in the turn ("sorry, can you say that again please").
_ASK_AGAIN = re.compile(
    r"\b("
    r"(say|read|tell me|give me) (that|it|this|them|those|the \w+( \w+)?) (again|one more time)|"
    r"say again|repeat( (that|it|this|yourself|the \w+( \w+)?|what you said))?|"
    r"come again|one more time|once more|"
    r"(i )?(didn'?t|did not|couldn'?t|could not|can'?t|cannot) (quite )?(catch|get|hear|understand) "
    r"(that|it|this|you|what you said|the \w+)|"
    r"(i )?missed (that|it|the \w+|what you said)|"
    r"what (was|were|did you say) (that|it|the \w+( \w+)?)( again)?|"
    r"what did you (just )?say|you (were|are) breaking up|(it|that) cut out"
    r")\b"
)
# A turn that is nothing but a short "huh?" — only then do these words ask for a repeat
# ("sorry, it's 94103" is an answer, not a repeat request).
_ONLY = re.compile(
    r"^(sorry|i'?m sorry|what|huh|pardon( me)?|excuse me|beg your pardon|i beg your pardon|"
    r"eh|hmm|come again|again|repeat|say again)( please)?( what)?$"
)


def _words(text: str) -> str:
    t = text.lower().replace("\u2019", "'")
    t = re.sub(r"[^\w' ]+", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def repeat_request(text: str) -> bool:
    """Whether the caller is asking to hear the agent's last words again.

    Args:
        text: One caller utterance.

    Returns:
        True for "say that again", "what?", "sorry?", "pardon", "come again",
        "I didn't catch that", "can you repeat the number", "what was the
        balance again?"; False for anything that carries an answer or a new
        request.
    """
    t = _words(text)
    if not t:
        return False
    return bool(_ONLY.match(t) or _ASK_AGAIN.search(t))


def say_again(lines: Iterable[str]) -> list[Say]:
    """The agent's last reply, once more, marked to be spoken slower."""
    return [Say(line, slow=True) for line in lines if line.strip()]
