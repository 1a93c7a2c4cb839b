"""The help center's articles by meaning: a per-worker index that finds what word search misses.

A help center's search matches words, and callers seldom use the article's
("my cat was starving, the timer bowl never dropped anything" / "Automatic
feeder does not dispense food"). The worker keeps every article's heading
(title and first line) as a sentence embedding (`realtime.brain.embed`,
computed on the CPU in a thread), refreshed from Zendesk's article list every
few minutes, and a search adds the articles closest in meaning to the ones the
word search found. Whether an article really answers the caller is still
judged by the agent.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from temporalio.exceptions import ApplicationError

from activities.tickets import ZendeskClient
from callengine import embed

log = logging.getLogger(__name__)

# Articles are re-listed after this long: an edit in the help center reaches calls within minutes.
REFRESH_S = 300.0
# Zendesk's largest page; a help center of more than MAX_PAGES pages is indexed in part (the word
# search still covers all of it).
PER_PAGE = 100
MAX_PAGES = 20
# Closeness in meaning below which an article is not offered at all (unrelated articles score
# about 0.1–0.25 with all-MiniLM-L6-v2); the agent applies its own, stricter bar.
NEAR = 0.3


@dataclass(frozen=True)
class Entry:
    """One article as the index keeps it: the raw Zendesk record and its heading's meaning."""

    article: dict[str, object]
    meaning: embed.Vector


@dataclass
class Index:
    """Every article's meaning, listed from the help center and refreshed every REFRESH_S.

    A search never waits for the index: while it is being built (at worker start) or refreshed,
    searches use what is there (nothing, at first: the word search alone), so the caller's wait
    is the word search's.
    """

    clock: Callable[[], float] = time.monotonic
    entries: list[Entry] = field(default_factory=list)
    listed_at: float | None = None
    _building: asyncio.Task[None] | None = None

    async def warm(self, zendesk: ZendeskClient, heading: Callable[[dict[str, object]], str]) -> None:
        """Build the index now (at worker start), so that the first caller's search can use it."""
        self._start(zendesk, heading)
        if self._building is not None:
            await asyncio.shield(self._building)

    async def nearest(
        self, zendesk: ZendeskClient, heading: Callable[[dict[str, object]], str], query: str, n: int
    ) -> list[dict[str, object]]:
        """Up to `n` articles closest in meaning to `query`, closest first, each at least NEAR.

        With no index yet (being built, the help center down, no model installed) there are none:
        the word search's results stand alone, and the call goes on.
        """
        self._start(zendesk, heading)
        entries = self.entries
        if not entries:
            return []
        try:
            wanted = await asyncio.to_thread(embed.vector, query)
        except embed.ModelMissing:
            return []
        scores = np.stack([e.meaning for e in entries]) @ wanted
        order = np.argsort(-scores)[:n]
        return [entries[i].article for i in order if scores[i] >= NEAR]

    def _start(self, zendesk: ZendeskClient, heading: Callable[[dict[str, object]], str]) -> None:
        """Refresh in the background when the index is missing or stale and no refresh is running."""
        fresh = self.listed_at is not None and self.clock() - self.listed_at < REFRESH_S
        if fresh or (self._building is not None and not self._building.done()):
            return
        self.listed_at = self.clock()  # one attempt per REFRESH_S, whether it works or not
        # A fresh context: started from inside a search, the refresh must not inherit that
        # activity's deadline (its requests would be cut short once the search has answered).
        self._building = asyncio.create_task(self._refresh(zendesk, heading), context=contextvars.Context())

    async def _refresh(self, zendesk: ZendeskClient, heading: Callable[[dict[str, object]], str]) -> None:
        try:
            articles = await _list(zendesk)
            texts = [heading(a) for a in articles]
            meanings = await asyncio.to_thread(lambda: [embed.vector(t) for t in texts])
        except ApplicationError as exc:
            # Keep what was indexed (stale beats nothing) and try again at the next refresh.
            log.warning("help-center listing failed, index kept (%d articles): %s", len(self.entries), exc)
            return
        except embed.ModelMissing as exc:
            log.warning("help-center search by words only: %s", exc)
            return
        self.entries = [Entry(a, m) for a, m in zip(articles, meanings, strict=True)]


async def _list(zendesk: ZendeskClient) -> list[dict[str, object]]:
    """Every article, following Zendesk's pages (at most MAX_PAGES of PER_PAGE)."""
    out: list[dict[str, object]] = []
    for page in range(1, MAX_PAGES + 1):
        body = await zendesk.api.call(
            "GET", "/help_center/articles.json", params={"page": str(page), "per_page": str(PER_PAGE)}
        )
        out += [a for a in body.get("articles", []) if isinstance(a, dict)]
        if not body.get("next_page"):
            break
    return out
