"""Answering a general question from the knowledge base, only when an article really answers it.

A help-center search returns whatever shares a word with the query, so the
agent judges relevance itself: a word of the caller's in the article's
heading, or — when callers and the business word it differently ("the map
hasn't updated my pup's position" / "GPS tracker shows no location") — the
meaning of what was asked close to the article's heading and first line
(`realtime.brain.embed`). Then the passage (or the whole article, when it is
short) is the answer; otherwise there is none, and the caller gets a ticket.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from callengine import embed
from realtime.brain import intents, senses, speak

log = logging.getLogger(__name__)

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
    something anything everything whatever
    """.split()
)
# Support vocabulary that callers and help centers word differently ("when are you open" /
# "Support hours"): each word stands for its concept, so a question meets the article about it.
# General customer-service language, not any one business's products. A word may stand for more
# than one concept: "cover" is a warranty's ("what does it cover") and a service area's ("which
# cities do you cover"); the article's heading decides which one the caller meant.
_CONCEPTS = {
    "hours": (
        "hour", "hours", "open", "opening", "close", "closed", "closing", "weekend", "weekends",
        "holiday", "holidays",
    ),
    "support": ("support", "service", "customer", "helpline", "contact"),
    "ship": ("ship", "shipping", "deliver", "delivery", "send", "sent", "mail", "post", "postage"),
    "country": ("country", "countries", "international", "abroad", "overseas", "worldwide"),
    "warranty": ("warranty", "guarantee", "guaranteed", "cover", "covered", "coverage"),
    "area": (
        "area", "areas", "city", "cities", "town", "towns", "region", "regions", "location",
        "locations", "neighborhood", "neighbourhood", "county", "zone", "zones", "radius", "serve",
        "serves", "cover", "covered", "coverage",
    ),
    "return": ("return", "returns", "exchange", "exchanges"),
    "cancel": ("cancel", "cancellation", "cancelling", "canceling", "skip", "skipping", "call off"),
    # Stopping a subscription for a while: "put it on hold", "skip a box", "freeze my membership".
    "pause": ("pause", "paused", "pausing", "hold", "skip", "skipping", "freeze", "suspend", "break"),
    "subscription": (
        "subscription", "subscribe", "subscribed", "membership", "member", "club", "box", "plan",
        "monthly", "recurring",
    ),
    "cost": ("cost", "price", "fee", "fees", "charge", "charges", "penalty", "penalties", "surcharge"),
    "payment": (
        "pay", "paying", "payment", "payments", "cash", "paypal", "financing", "finance",
        "installment", "installments",
    ),
    # "The shower runs cold" is about the article that says "no hot water".
    "temperature": ("hot", "cold", "warm", "lukewarm", "freezing", "heat", "temperature"),
}  # fmt: skip
_CONCEPTS_OF: dict[str, tuple[str, ...]] = {}
for _concept, _words in _CONCEPTS.items():
    for _w in _words:
        _CONCEPTS_OF[_w] = (*_CONCEPTS_OF.get(_w, ()), _concept)
# Phrases that name a concept with none of its words: "until what time can I reach someone" asks
# for the hours, "do you come out to Boulder" for the service area, "what if the fix doesn't
# hold" for the guarantee.
_PHRASES = (
    (re.compile(r"\b(what|which) times?\b|\b(until|till|til) when\b|\bhow (late|early)\b"), "hours"),
    (
        re.compile(
            r"\b(reach|call|talk to|speak to|speak with|get (a ?hold of|through to)) "
            r"(someone|somebody|anyone|anybody|a person|a human|you|your)\b"
        ),
        "support",
    ),
    (
        re.compile(
            r"\b(you|y'?all|your \w+)( guys)? "
            r"(come|go|travel|drive|work|operate) (out |over )?(to|in|around|as far as)\b"
            r"|\b(send|get) (someone|somebody|anyone|a \w+) (out|over)\b"
        ),
        "area",
    ),
    (
        re.compile(
            r"\b(doesn'?t|does not|don'?t|do not|won'?t|will not|didn'?t|did not) (hold|last|stick|hold up)\b"
            r"|\b(breaks?|fails?|stops? working|goes wrong|acts? up) again\b"
        ),
        "warranty",
    ),
    (re.compile(r"\bhow much (is|are|does|do|would|will)\b"), "cost"),
    # A card is a way to pay only as a credit or debit card ("gift cards" are something sold).
    (re.compile(r"\b(credit|debit|bank) cards?\b"), "payment"),
    (re.compile(r"\bsend (\w+ ){0,2}back\b|\bbring (\w+ ){0,2}back\b"), "return"),
)
_WORD = re.compile(r"[a-z0-9]+")
# The words of a plea for help that names no topic of its own ("can you help me sort it out?").
_PLEA = frozenset(
    "help talk walk guide idea suggest suggestion advice advise recommend sort tip able possible assist "
    "assistance try do done fix anyone someone somebody out now next".split()
)
# A short article is read out whole; a long one only its best passage.
_SHORT_ARTICLE_WORDS = 45
# "How do I reset it?" asks for a procedure (steps, one at a time), not a fact.
_HOW_TO = re.compile(r"\bhow (do|can|should|would) (i|we|you)\b|\bhow to\b|\bsteps\b", re.IGNORECASE)
# A question anywhere in the turn: rambling callers ask it after a preamble ("so, bear with me,
# which countries do you ship to"), and a question word may follow its preposition ("until what
# time", "by when", "for how long").
_QUESTION = re.compile(
    r"\?|(^|[,.;!]\s*|\b(so|and|but|also|just|quick question|wondering)\s+)"
    r"((until|till|til|by|at|for|from|in|on|to|since) )?"
    r"(what|when|where|how|do|does|can|could|is|are|will|which|who|why)\b"
    # An embedded question is one too: "could you tell me how many days…", "I wonder whether…".
    r"|\b(wonder(ing)?|know|ask(ing)?|find out|curious|tell me) "
    r"(if|whether|what|when|where|how|which|who|why)\b",
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


_CONTRACTION = re.compile(r"'(?:s|re|ll|ve|m|d)\b")


def terms(text: str) -> set[str]:
    """The content words of a text: stemmed, with support vocabulary folded into its concepts."""
    low = text.lower().replace("\u2019", "'")
    out = {concept for rx, concept in _PHRASES if rx.search(low)}
    # "Where's" is "where" (a stop word), not a stem "wher"; "the dog's bowl" is the dog's.
    for w in _WORD.findall(_CONTRACTION.sub("", low).replace("'", "")):
        if w in _STOP and w not in _CONCEPTS_OF:
            continue
        out.update(_CONCEPTS_OF.get(w) or (_stem(w),))
    return out


def search_query(said: str) -> str:
    """What to ask the help center for: the caller's words, and the words of the concepts they name.

    A help center's search matches words, and callers seldom use the article's ("what cities
    do you cover" / "Areas we serve"): each concept the caller named brings its vocabulary, so
    the article about it is among the results. Whether a result really answers the caller is
    judged afterwards (`match`), on the caller's own words.

    Args:
        said: What the caller said.

    Returns:
        The query, at most 300 characters (the knowledge tool's limit), the caller's words first.
    """
    wanted = terms(said)
    extra = [w for concept, words in _CONCEPTS.items() if concept in wanted for w in words]
    seen = set(_WORD.findall(said.lower()))
    query = " ".join([said.strip(), *dict.fromkeys(w for w in extra if w not in seen)])
    return query[:300].rsplit(" ", 1)[0] if len(query) > 300 else query


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
    asked = asked_part(question)
    wanted = terms(asked)
    if not wanted:
        return None
    articles = list(articles)
    words, heading = _by_words(wanted, articles)
    if words is not None and about_a_fault(words.title) and not _FAULTY.search(asked):
        # "Can I get cat litter sent to Hilo?" names the litter-box fault article's product, but
        # asks about sending it: an article about a fault needs a caller who speaks of one.
        healthy = [a for a in articles if not about_a_fault(str(a.get("title", "")))]
        other, other_heading = _by_words(wanted, healthy)
        if other is not None:
            words, heading = other, other_heading
    if words is not None and heading > _ONE_TITLE_WORD:
        return words  # the caller named what the article's heading names
    if words is not None and heading == _ONE_TITLE_WORD:
        # One title word can be a preamble's ("I'm on my break" and "Pausing the box"): an article
        # that clearly means what was said wins over it.
        meant = _by_meaning(asked, articles)
        if meant is None or meant.title == words.title or not _far_closer(asked, meant, words, articles):
            return words
        return meant
    # A single shared heading word can be chance ("my dog yelps when I shave him" and a leash article
    # labelled "dogs"): what the caller means, when it clearly points elsewhere, decides.
    return _by_meaning(asked, articles) or words


# An article about a fault says so in its title ("Speaker will not turn on", "Tracker keeps losing
# signal"); a caller with one says something is wrong.
_FAULT_TITLE = re.compile(
    r"\b(will not|won'?t|wont|doesn'?t|does not|can'?t|cannot|not (working|turning|charging|connecting|"
    r"pairing|cooling|heating)|stopped|keeps|no (power|sound|signal|water|picture)|stuck|broken|fails?|"
    r"error|leak(s|ing)?|noisy|noise)\b",
    re.IGNORECASE,
)
_FAULTY = re.compile(
    r"\b(won'?t|wont|will not|doesn'?t|does not|didn'?t|isn'?t|is not|aren'?t|can'?t|cannot|not|no longer|"
    r"never|stopped|stops|broke|broken|keeps|stuck|dead|fault\w*|problem|issue|wrong|error|beep\w*|noise|"
    r"leak\w*|rattl\w*|smell\w*|only|nothing|still|anymore|any more|how (do|can|should) i)\b",
    re.IGNORECASE,
)


def about_a_fault(title: str) -> bool:
    """Whether an article's title names a fault ("Speaker will not turn on"), not a policy or a how-to."""
    return bool(_FAULT_TITLE.search(title))


def _by_words(wanted: set[str], articles: Iterable[Mapping[str, Any]]) -> tuple[Match | None, int]:
    """The best article by shared words, and how many heading words it shares (titles count twice)."""
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
        return None, 0
    scored.sort(key=lambda t: t[0], reverse=True)
    score, heading, best = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    return (best, heading) if heading >= 2 or score > runner_up else (None, 0)


# Meaning that counts as "about it": cosine of what was asked with an article's heading and first
# line (all-MiniLM-L6-v2). Measured on the development businesses' symptoms and questions
# (bench: tune, dev, pets): at 0.4 the right article for 87 of 96 and a wrong one for 1, while a
# complaint or a billing dispute ("your website charged my card twice") stays below it — those
# get a ticket. Used only when no heading word matched.
_MEANS = 0.4
# …and it must lead the next article by this much: two close articles are a guess, not an answer.
_LEAD = 0.05
# Meaning alone reads a symptom more than the thing that has it ("the fan does nothing when I turn
# it on" is close to "Speaker will not turn on"): below _SURE, the article must also speak of what
# the caller speaks of — one of the caller's content words in its title, labels or text ("the map
# hasn't updated my pup's position" / "if the map still shows no position"), or a word of the
# caller's akin to a word of its title ("grass"/"lawn", "video"/"camera", "shave"/"grooming": 0.5–0.8;
# "fan"/"speaker" 0.32).
_SURE = 0.55
_KIN = 0.4
# A title word counts 2 in `_by_words`' heading score: one alone is weak evidence, and an article
# closer in meaning by _FAR (cosine) is taken instead.
_ONE_TITLE_WORD = 2
_FAR = 0.15


def _heading(article: Mapping[str, Any]) -> str:
    """What an article is about, to compare meanings with: its title and first line."""
    steps = [str(s) for s in article.get("steps", [])]
    return ". ".join([str(article.get("title", "")), *steps[:1]])


def _by_meaning(asked: str, articles: list[Mapping[str, Any]]) -> Match | None:
    """The article whose heading means what the caller asked, when it clearly leads; else None."""
    candidates = [a for a in articles if _passages(str(s) for s in a.get("steps", []))]
    if not candidates:
        return None
    # Each clause on its own too: a preamble or an aside ("I'm having a spot of bother", "and my
    # grandson isn't here") blurs the meaning of the clause that says the problem.
    parts = [asked, *senses.clauses(asked)]
    try:
        scored = sorted(
            ((max(embed.similarity(p, _heading(a)) for p in parts), i) for i, a in enumerate(candidates)),
            reverse=True,
        )
    except embed.ModelMissing as exc:
        log.warning("help-center answers by words only: %s", exc)
        return None
    best, i = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best < _MEANS or best - runner_up < _LEAD:
        return None
    article = candidates[i]
    steps = [str(s) for s in article.get("steps", [])]
    passages = _passages(steps)
    title = str(article.get("title", ""))
    labels = " ".join(str(x) for x in article.get("labels") or [])
    shared = terms(asked) & terms(" ".join([title, labels, *passages]))
    if best < _SURE and not shared and not _akin(asked, title):
        return None
    short = sum(len(p.split()) for p in passages) <= _SHORT_ARTICLE_WORDS
    chosen = passages if short else [max(passages, key=lambda p: embed.similarity(asked, p))]
    return Match(str(article.get("title", "")), steps, chosen)


def _far_closer(asked: str, meant: Match, words: Match, articles: list[Mapping[str, Any]]) -> bool:
    """Whether the article by meaning is closer in meaning than the one by words by `_FAR`."""
    by_title = {str(a.get("title", "")): a for a in articles}
    parts = [asked, *senses.clauses(asked)]
    try:
        near, other = (
            max(embed.similarity(p, _heading(by_title[m.title])) for p in parts) for m in (meant, words)
        )
    except (embed.ModelMissing, KeyError):
        return False
    return near - other >= _FAR


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower().replace("'", "")) if len(w) > 2 and w not in _STOP}


def _akin(asked: str, title: str) -> bool:
    """Whether a word the caller said is akin in meaning to a word of the article's title."""
    said, heading = _content_words(asked), _content_words(title)
    return any(embed.similarity(a, b) >= _KIN for a in said for b in heading)


def meanings(question: str, articles: Iterable[Mapping[str, Any]]) -> list[str]:
    """The texts `match` may compare by meaning (to encode ahead, off the event loop)."""
    asked = asked_part(question)
    out = [asked, *senses.clauses(asked), *_content_words(asked)]
    for article in articles:
        out += [_heading(article), *_content_words(str(article.get("title", "")))]
        out += _passages(str(s) for s in article.get("steps", []))
    return out


def answer(question: str, articles: Iterable[Mapping[str, Any]]) -> list[str] | None:
    """The sentences that answer `question`, from the best article, or None when none answers it."""
    found = match(question, articles)
    return found.passages if found else None


# The caller speaks of their own things: an account request, not a general question.
# ("Do I have to…" is not possession.)
_OWN = re.compile(
    r"\b(my|mine|i'?ve|i (ordered|bought|paid|got|booked|placed|purchased|sent|returned|received|made)|"
    r"(i|we) (\w+ )?(owe|owed|have to pay|need to pay)|am i|"
    r"i (have|had)\b(?! to\b| a (quick |short )?question))\b|\d",
    re.IGNORECASE,
)
# "The visit", "the technician", "the order": a caller who says "the" of an account's thing means
# their own one ("could the visit be on a different date"); a policy question says "a visit".
_THE_OWN = re.compile(
    r"\b(the|our|this|that) ((service|repair|technician|engineer|home|next|upcoming) )?"
    r"(visit|appointment|appt|booking|technician|tech|crew|install|installation|"
    r"order|package|parcel|delivery|shipment|account|bill|invoice|balance|payment|refund|plan|"
    r"subscription)\b",
    re.IGNORECASE,
)
# Asking the agent to do something ("could you move it", "can we push it back", "would you refund
# me", "can I get my money back") is a request, whatever its question form.
_ACTION = re.compile(
    r"\b(can|could|would|will) (you|we|y'?all)( please)? (move|change|reschedule|push|switch|shift|"
    r"bump|refund|reimburse|credit|cancel|check|look|find|track|tell me (where|when|if|whether))\b"
    r"|\b(refund|reimburse|credit|charge|bill|send|move|reschedule) me\b"
    # "Can it be moved at all?", "could the visit be changed?": the same request, said passively.
    r"|\b(can|could|would|will) (it|that|this|they|the \w+) (please )?be (moved|changed|rescheduled|pushed|"
    r"switched|shifted|rebooked|rearranged|postponed|put back|brought forward|refunded|cancelled|canceled|"
    r"tracked|traced|found|sent)\b"
    # "Can I move it?", "could I change the date?": the caller acting on their own booking.
    r"|\b(can|could|may) (i|we) (please )?(move|change|reschedule|push|switch|shift|bump|rebook|"
    r"rearrange|postpone|delay|cancel|return|send back|track)\b"
    r"|\b(can|could|may) (i|we) (please )?(get|have|request|ask for|arrange) (a |an |my |the |some |our )?"
    r"(refund|reimbursement|credit|money back|replacement|exchange|new (time|date|day|appointment))\b"
    r"|\b(can|could|may) (i|we) (please )?get (refunded|reimbursed|credited|compensated|paid back)\b"
    # "Can we pick another time?", "could we do Thursday instead": the caller and the agent acting
    # together on something of the caller's.
    r"|\b(can|could|shall|should) we\b|\binstead of\b"
    r"|\b(be|go|happen|come) on (a different|another|some other|a later|an earlier|a new) (day|date|time)\b",
    re.IGNORECASE,
)


# Questions that are manners, not requests: "hey, how's it going", "is this the right number?".
_SMALL_TALK = re.compile(
    r"\b(how'?s it going|how are (you|ya|y'?all)( doing)?( today)?|how (are|r) u|how do you do|"
    r"hope you'?re (well|keeping well|doing well)|"
    r"is this the (right|correct) (number|place|line|department)|am i (through to|speaking to|talking to) "
    r"(the )?(right|correct) (place|person|people|number)|can you hear me( ok(ay)?| alright)?|"
    r"are you (there|a (real )?(person|human|robot|bot))|is (this|that) a (robot|bot|machine|recording)|"
    r"(i )?((don'?t|do not) know|(am|'m) not sure|hope|wonder) (if|whether) (i'?ve|i have) "
    r"(rung|called|dialed|dialled|phoned|got|reached) the right (number|people|place|department)|"
    r"(i )?((don'?t|do not) know|(am|'m) not sure|hope|wonder) (if|whether) (i'?m|i am) "
    r"(ringing|calling|phoning) the right (number|people|place|department)( but)?|"
    r"(i )?((don'?t|do not) know|(am|'m) not sure|wonder) (if|whether) (you'?re|you are|this is) the right "
    r"(people|person|place|number|department|team)( to (ask|call|ring|talk to))?)\??",
    re.IGNORECASE,
)


# Asking for help in general ("I wonder if you could help", "any ideas?"): a plea, not a question
# of its own, so a problem said with it is walked through.
_PLEA_PHRASE = re.compile(
    r"\b(i )?((was|am|'m) )?(wonder(ing)?|hoping|hope) (if|whether) (you|someone|somebody|anyone) "
    r"(could|can|might|would|will|may)( (possibly|please|be able to))* help( me)?( out)?"
    r"( with (it|this|that))?"
    r"|\b(could|can|would|will) (you|someone|somebody|anyone) (please |possibly )?help( me)?( out)?"
    r"( with (it|this|that))?|\bi (need|want|would like|'d like) (some )?help( with (it|this|that))?"
    # "Is there something I should be pressing?" after a fault asks what to do about it.
    r"|\bis there (something|anything) (that )?(i|we|i'?m|i am|we'?re|we are) "
    r"(should|can|could|need to|ought to|have to|meant to|supposed to) (be )?"
    r"(do|doing|press|pressing|try|trying|check|checking|change|changing|reset|resetting)\b"
    r"( (it|this|that))?( or (whatever|something|anything))?",
    re.IGNORECASE,
)


def _no_small_talk(said: str) -> str:
    return _PLEA_PHRASE.sub(" ", _SMALL_TALK.sub(" ", said))


def general_question(said: str) -> bool:
    """A question about the business, not about the caller's own account or a request to act.

    "What's your return policy?" and "do you ship to Canada?" are answered from
    the help center; "where is my order?", "can I return my headphones?", "could
    the visit be on another day?" and "can you move it?" need the caller's account.
    """
    said = _no_small_talk(said)
    if not _QUESTION.search(said):
        return False
    part = asked_part(said)
    if _RULE_QUESTION.search(part):
        return True  # "how late can I move the visit without paying?" asks for the rule, first
    return not (_OWN.search(part) or _THE_OWN.search(part) or _ACTION.search(part))


# A question about the rule for doing something, even of the caller's own thing: how late, how
# long before, without paying. The help center answers it; the caller can then ask to do it.
_RULE_QUESTION = re.compile(
    r"\bhow (late|early|soon|far (ahead|in advance)|long before|much notice|"
    r"many (days|hours) (before|ahead))\b"
    r"|\bwithout (paying|being charged|a (fee|charge|penalty)|any (fee|charge|penalty)|penalty)\b"
    r"|\bis there (a|any) (fee|charge|penalty|cost)\b",
    re.IGNORECASE,
)


def asked_part(said: str) -> str:
    """A question without its rambling preamble: the question's clauses, and earlier ones that ask.

    "I'm standing in my kitchen, anyway, is there a fee if I cancel?" asks about a fee, not about
    the caller's kitchen; "my order 1042, when will it come?" keeps the clause naming the order.
    A turn with no question is returned whole (a problem is described all through it), and so
    is one whose question clause has no content of its own ("…, then what?").

    Args:
        said: What the caller said.

    Returns:
        The words that carry the question.
    """
    said = _no_small_talk(said)
    asked = _QUESTION.search(said)
    if asked is None:
        return said
    start = _question_start(said, asked)
    before = [c for c in re.split(r"[,.;:!?]+", said[:start]) if any(intents.scores(c).values())]
    part = " ".join([*before, said[start:].lstrip(" ,.;:!")]).strip()
    # "And if the repair won't last, then what?" and "…, can you help?": the question asks about
    # what came before.
    return part if terms(part) - _PLEA else said


def wants_steps(said: str, found: Match) -> bool:
    """Walk the caller through the article's steps (a problem or a how-to), or just answer it.

    "My speaker won't turn on" and "how do I reset it?" get one step at a time with "did that
    help?"; "what are your hours?" gets the answer.
    """
    if len(found.steps) < 2:
        return False
    said = _no_small_talk(said)
    asked = _QUESTION.search(said)
    if asked is None or _HOW_TO.search(said):
        return True
    # "…it's only blowing warm air, what do I do?", "is there anything I can do", "could you
    # help me": a problem, then a plea for help that asks about nothing of its own.
    return not (terms(said[_question_start(said, asked) :]) - _PLEA)


def _question_start(said: str, asked: re.Match[str]) -> int:
    """Where the question `_QUESTION` found begins: its question word, or the clause ending in its "?"."""
    if asked.group() != "?":
        return asked.start()
    return max((i + 1 for i, ch in enumerate(said[: asked.start()]) if ch in ",.;:!"), default=0)
