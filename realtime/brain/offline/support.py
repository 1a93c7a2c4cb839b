"""Support: troubleshooting one knowledge-base step at a time, answers to general questions, tickets.

Anything the other flows do not cover lands here: a general question is
answered from the knowledge base when an article answers it, and only when
none does is a ticket opened.
"""

from __future__ import annotations

import asyncio
import re

from callengine import embed
from realtime.brain.base import Say
from realtime.brain.intents import TROUBLESHOOTING
from realtime.brain.offline import knowledge, lines, step
from realtime.brain.offline.agent import Agent, Flow
from realtime.brain.offline.step import YES, Ask

# A request this long says enough for a ticket without asking for details.
TICKET_WORDS = 6
# A question ("do you ship to Canada?") is its own description: no need to ask what is going on.
_QUESTION = re.compile(
    r"\?\s*$|^\s*(what|when|where|how|do|does|can|is|are|will|which|who|why)\b", re.IGNORECASE
)


async def _search(agent: Agent, query: str) -> Flow:
    """Search the knowledge base; the articles land in `agent.last.result.data`."""
    text = knowledge.search_query(query.strip()[:300])
    if len(text) >= 2:
        await agent.tool("search_knowledge", {"query": text})
        yield agent.last
        # Meanings are compared on the CPU (a few ms a sentence): encode them in a thread, not on
        # the event loop that paces every call's audio; `knowledge.match` then reads the cache.
        await asyncio.to_thread(embed.warm, knowledge.meanings(query, _articles(agent)))
    else:
        agent.forget_tool()  # nothing searched: no earlier search's articles may be read as this one's


def _articles(agent: Agent) -> list[dict[str, object]]:
    res = agent.last.result
    found = res.data.get("articles", []) if res.ok and agent.last.name == "search_knowledge" else []
    # An article the caller said was not their problem is not offered again for this request.
    return [a for a in found if isinstance(a, dict) and a.get("title") not in agent.d.rejected_articles]


async def troubleshoot(agent: Agent) -> Flow:
    """Walk the caller through the best article's steps; a ticket if none fits or none helps."""
    d = agent.d
    async for ev in _search(agent, d.problem):
        yield ev
    articles = _articles(agent)
    found = knowledge.match(d.problem, articles)
    # The article that is about the problem; else the help center's best guess, when that is about a
    # fault at all ("Pausing the Treat Club box" is no step for a box that never came).
    guess = next((a for a in articles[:1] if knowledge.about_a_fault(str(a.get("title", "")))), None)
    steps = found.steps if found else guess.get("steps") if guess else None
    if not isinstance(steps, list) or not steps:
        async for ev in _troubleshoot_ticket(agent, "no matching article"):
            yield ev
        return
    title = found.title if found else str(guess.get("title", "")) if guess else ""
    async for ev in _walk(agent, [str(s) for s in steps], title):
        yield ev


async def _walk(agent: Agent, steps: list[str], title: str) -> Flow:
    d = agent.d
    d.kb_steps = steps
    d.kb_index = 0
    d.kb_title = title
    yield Say(lines.TRY_THIS)
    yield Say(d.kb_steps[0])
    async for ev in step.ask(agent, _fixed_ask(agent, lines.FIXED_QUESTION)):
        yield ev


def _fixed_ask(agent: Agent, question: str) -> Ask:
    d = agent.d

    async def then(answer: str) -> Flow:
        if answer == YES:
            d.resolved = True
            async for ev in agent.anything_else(lines.FIXED):
                yield ev
            return
        d.kb_index += 1
        if d.kb_index < len(d.kb_steps):
            yield Say(lines.NEXT_STEP)
            yield Say(d.kb_steps[d.kb_index])
            async for ev in step.ask(agent, _fixed_ask(agent, lines.HELPED_QUESTION)):
                yield ev
        else:
            async for ev in _troubleshoot_ticket(agent, "all steps tried"):
                yield ev

    # One name for every step's question: "did that help?" twice unanswered is two misses.
    return step.yes_no_ask("fixed", question, then)


async def _troubleshoot_ticket(agent: Agent, why: str) -> Flow:
    d = agent.d
    tried = "; ".join(d.kb_steps[: d.kb_index + 1]) if d.kb_steps else "none"
    async for ev in agent.ticket_then_more(
        f"Technical problem: {d.problem[:100]}",
        f"Caller reports: {d.problem}\nSteps tried ({why}): {tried}",
        "high",
        lambda ticket: lines.ticket_opened(ticket, "for a technician to follow up"),
    ):
        yield ev


async def knows_about(agent: Agent, text: str) -> Flow:
    """Search the knowledge base for what the caller said; `found(agent, text)` then tells."""
    async for ev in _search(agent, text):
        yield ev


def found(agent: Agent, text: str) -> knowledge.Match | None:
    """The article of the last search that really is about `text`."""
    return knowledge.match(text, _articles(agent))


async def other_request(agent: Agent, text: str, searched: bool = False) -> Flow:
    """A request outside the top five: the knowledge base's answer or steps, else a ticket."""
    if not searched:
        async for ev in _search(agent, text):
            yield ev
    article = found(agent, text)
    if article:
        agent.understood()
    if article and knowledge.wants_steps(text, article):
        # A problem the help center has steps for ("my earbuds won't pair"): troubleshooting.
        agent.d.intent = TROUBLESHOOTING
        async for ev in _walk(agent, article.steps, article.title):
            yield ev
    elif article:
        async for ev in _answer(agent, article):
            yield ev
    elif len(text.split()) >= TICKET_WORDS or _QUESTION.search(text):
        # A question nobody documented, or a request that says enough: the team answers it.
        async for ev in _ticket_for_other(agent, text):
            yield ev
    else:
        async for ev in step.ask(agent, _details_ask(agent)):
            yield ev


async def _answer(agent: Agent, article: knowledge.Match) -> Flow:
    """The article's answer, then an offer of more."""
    agent.d.resolved = True
    agent.d.kb_title = article.title
    async for ev in agent.anything_else(*article.passages):
        yield ev


def _details_ask(agent: Agent) -> Ask:
    async def then(details: str) -> Flow:
        agent.d.problem = f"{agent.d.problem} {details}".strip()
        async for ev in _ticket_for_other(agent, agent.d.problem):
            yield ev

    return Ask(
        name="details",
        question=lines.DETAILS_QUESTION,
        retry=lines.DETAILS_RETRY,
        other_way=lines.DETAILS_OTHER_WAY,
        extract=lambda said: said.text.strip() or None,
        then=then,
    )


async def _ticket_for_other(agent: Agent, details: str) -> Flow:
    words = details.split()
    async for ev in agent.ticket_then_more(
        " ".join(words[:12]) or "Caller request",
        f"Caller said: {details}",
        "normal",
        lambda ticket: lines.ticket_opened(ticket, "about that; the team will follow up"),
        resolved=True,
    ):
        yield ev


async def complaint(agent: Agent, text: str, billing: bool) -> Flow:
    """A complaint: a ticket with the caller's words, and they hear who follows up.

    Args:
        agent: The call.
        text: What the caller said.
        billing: A charge they say is wrong (the billing team follows up), not how they were served.
    """
    async for ev in agent.ticket_then_more(
        "Billing dispute" if billing else "Complaint",
        f"Caller {'disputes a charge' if billing else 'complains'}: {text}",
        "normal",
        lambda ticket: lines.complaint_ticket(ticket, billing),
        resolved=True,
    ):
        yield ev
