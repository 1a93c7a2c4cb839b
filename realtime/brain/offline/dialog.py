"""What the offline agent remembers about one call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from realtime.brain import slots

if TYPE_CHECKING:
    from realtime.brain.offline.step import Ask

# Spoken turns the recognizer doubts, or spoken answers that answer nothing, before the line is
# taken to be bad.
DOUBTED_TURNS = 2
# How many of the agent's own replies are kept for "what was the balance again?".
REMEMBERED_REPLIES = 4


@dataclass
class Dialog:
    """The dialog record: the open question, the values heard, the facts found."""

    intent: str | None = None
    confidence: float = 0.0
    identity: str = "unknown"  # unknown | candidate | verified | locked
    caller_id_tried: bool = False
    # Found by an identifier the caller said (not caller ID): the ZIP and one more factor.
    second_factor: bool = False
    verify_zip: str | None = None  # the confirmed ZIP, while the second factor is asked
    by_email: bool = False  # the account was looked up by an e-mail the caller said (not read back)
    # The checks the caller answered (each read back and confirmed) for an e-mail that failed them:
    # tried once on the account the phone number then finds, rather than asked all over again.
    kept_factors: dict[str, str] | None = None
    first_name: str | None = None
    # The question the agent is waiting on; None while it waits for a request.
    ask: Ask | None = None
    pending: str | None = None  # a heard value read back, waiting for "yes"
    more: bool = False  # the agent last asked "anything else?"
    heard: slots.Mentioned = field(default_factory=slots.Mentioned)  # given with the request
    order_id: str | None = None
    problem: str = ""  # the caller's own words for troubleshooting / tickets
    appointment: dict[str, Any] | None = None
    slots: list[str] = field(default_factory=list)
    chosen_slot: str | None = None
    refund: dict[str, Any] | None = None
    kb_steps: list[str] = field(default_factory=list)
    kb_index: int = 0
    kb_title: str | None = None  # the article last walked through or answered from
    resolved: bool = False
    ended: bool = False
    replies: list[list[str]] = field(default_factory=list)  # the agent's recent replies, oldest first
    repeats: int = 0  # repeat requests in a row
    # Roads the caller turned down for the request at hand ("it's not about an order", "that's not
    # my problem" during an article's steps): intents and article titles not to take again until
    # the request is done.
    rejected: set[str] = field(default_factory=set)
    rejected_articles: set[str] = field(default_factory=set)
    # The request the agent asked "is this about …?" of, for the request at hand: asked once.
    checked: str | None = None
    unclear_asked: bool = False  # a request heard too poorly to act on was asked for again (once a call)
    preamble_heard: bool = False  # a turn of only "bear with me" was answered with "go on" (once a call)
    menu_offered: bool = False  # the keypad menu of requests was offered (once a call)
    doubted: int = 0  # spoken turns the recognizer doubted (a poor line, a voice it hears poorly)
    unheard: int = 0  # spoken answers in which no answer was found (no value, neither yes nor no)
    keypad_said: bool = False  # the caller was told the keypad would be used (once a call)
    # How often each whole reply was said: the same reply a third time is a caller going round in
    # circles (repeats the caller asked for are not counted).
    said: dict[str, int] = field(default_factory=dict)

    @property
    def bad_line(self) -> bool:
        """Whether speech has proven too poor to rely on: questions the keypad can answer ask for keys."""
        return self.menu_offered or self.doubted >= DOUBTED_TURNS or self.unheard >= DOUBTED_TURNS

    def remember(self, lines: list[str]) -> None:
        """Keep a reply the caller may ask to hear again."""
        if lines:
            self.replies = [*self.replies[-(REMEMBERED_REPLIES - 1) :], lines]
