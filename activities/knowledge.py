"""Knowledge base (Zendesk Help Center search): troubleshooting steps to read out.

Articles are split into steps so the agent can give one step at a time and
ask whether it helped, as a person on the phone would.
"""

from __future__ import annotations

import re

import httpx
from pydantic import BaseModel
from temporalio import activity

from activities import errors
from activities.help_center import Index
from activities.tickets import ZendeskClient
from callengine.settings import BackendSettings

_STEP_SPLIT = re.compile(r"(?:\n+|(?<=[.!?])\s+)")


class KnowledgeQuery(BaseModel):
    """What the caller's problem is about, in their words."""

    query: str
    limit: int = 3


class ArticleSummary(BaseModel):
    """One article, as steps."""

    article_id: str
    title: str
    steps: list[str]
    # The help center's labels (Zendesk `label_names`): what the article is about, in the
    # business's own words, so the agent can judge whether it answers the caller.
    labels: list[str] = []


class Articles(BaseModel):
    """Best match first; empty when nothing fits."""

    articles: list[ArticleSummary]


def steps_of(body: str) -> list[str]:
    """Split an article body into speakable steps, dropping list markers."""
    parts = [re.sub(r"^\s*(\d+[.)]|[-*•])\s*", "", p).strip() for p in _STEP_SPLIT.split(body)]
    return [p for p in parts if len(p) > 2]


# Articles found by meaning, added after the word search's best three.
BY_MEANING = 2


def heading(article: dict[str, object]) -> str:
    """What an article is about, to compare meanings with: its title and first step."""
    steps = steps_of(str(article.get("body", "")))
    return ". ".join([str(article.get("title", "")), *steps[:1]])


def _summary(a: dict[str, object]) -> ArticleSummary:
    labels = a.get("label_names")
    return ArticleSummary(
        article_id=str(a["id"]),
        title=str(a.get("title", "")),
        steps=steps_of(str(a.get("body", ""))),
        labels=[x for x in labels if isinstance(x, str)][:10] if isinstance(labels, list) else [],
    )


class KnowledgeActivities:
    """Help-center article search: by words (Zendesk's search), then by meaning (this worker's index)."""

    def __init__(
        self, http: httpx.AsyncClient, settings: BackendSettings, index: Index | None = None
    ) -> None:
        self._zendesk = ZendeskClient(http, settings)
        self._index = index or Index()

    async def warm(self) -> None:
        """Index the help center's articles by meaning before the first search needs them."""
        await self._index.warm(self._zendesk, heading)

    @activity.defn(name="knowledge.search_articles")
    async def search_articles(self, inp: KnowledgeQuery) -> Articles:
        """Articles matching the caller's description of the problem."""
        query = inp.query.strip()
        if not 2 <= len(query) <= 300:
            raise errors.invalid_input("describe the problem in a few words")
        body = await self._zendesk.api.call(
            "GET", "/help_center/articles/search.json", params={"query": query}
        )
        found = [a for a in body.get("results", []) if isinstance(a, dict)][: max(1, min(inp.limit, 3))]
        # The word search misses articles worded unlike the caller: add the closest in meaning.
        seen = {str(a.get("id")) for a in found}
        near = await self._index.nearest(self._zendesk, heading, query, BY_MEANING + len(found))
        found += [a for a in near if str(a.get("id")) not in seen][:BY_MEANING]
        return Articles(articles=[_summary(a) for a in found])
