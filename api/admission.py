"""How many media streams this process serves at once (`CALLENGINE_MAX_CALLS`).

Every live stream holds a socket, a session's tasks and buffers, and a share of the one
recognizer and synthesizer of the process; past what the machine can carry, every call would
get slow together. So a stream past the limit is refused at the upgrade, before it costs
anything: Twilio then requests the call's `<Connect action>` (`/twilio/fallback`), which finds
no workflow for it and puts the caller in the human queue with an apology — never dropped.
Counted from the upgrade on (not from `start`), since an idle socket costs a slot as well.
"""

from __future__ import annotations

__all__ = ["Admission"]


class Admission:
    """A count of live streams against a limit. One event loop: no lock needed."""

    def __init__(self, limit: int | None) -> None:
        """Admit at most `limit` streams at once (None: no limit)."""
        self.limit = limit
        self.live = 0

    def enter(self) -> bool:
        """Take a slot for a new stream; False (nothing taken) when all are in use."""
        if self.limit is not None and self.live >= self.limit:
            return False
        self.live += 1
        return True

    def leave(self) -> None:
        """Give back the slot of a stream that ended."""
        self.live = max(0, self.live - 1)
