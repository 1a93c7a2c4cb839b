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


class KnowledgeActivities:
    """Help-center article search."""

    def __init__(self, http: httpx.AsyncClient, settings: BackendSettings) -> None:
        self._zendesk = ZendeskClient(http, settings)

    @activity.defn(name="knowledge.search_articles")
    async def search_articles(self, inp: KnowledgeQuery) -> Articles:
        """Articles matching the caller's description of the problem."""
        query = inp.query.strip()
        if not 2 <= len(query) <= 300:
            raise errors.invalid_input("describe the problem in a few words")
        body = await self._zendesk.api.call(
            "GET", "/help_center/articles/search.json", params={"query": query}
        )
        results = body.get("results", [])
        return Articles(
            articles=[
                ArticleSummary(
                    article_id=str(a["id"]),
                    title=str(a.get("title", "")),
                    steps=steps_of(str(a.get("body", ""))),
                    labels=[str(x) for x in a.get("label_names") or [] if isinstance(x, str)][:10],
                )
                for a in results[: max(1, min(inp.limit, 5))]
            ]
        )
