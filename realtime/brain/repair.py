"""Conversation repair shared by every brain: what a caller says to hear something again.

Callers on a phone line miss words all the time (a bus, a bad line, talking
over the agent). "Sorry, say that again?" is not a failed answer and not a
new request: it asks for the agent's last reply, and the answer is that reply
again, slower. Both brains (the offline agent and the LLM agent) use this one
detector so they agree on what counts as a repeat request.

Also here, for the same reason (one policy for every brain): what exactly to
say again (`replay`: the sentence asked about, or what a barge-in cut), the
slower reading with its digits grouped (`say_again`, through the one grouping
function, `realtime.tts.pacing.group_digit_runs`), "I don't know" as an answer
(`dont_know`), and a clear no at "anything else?" (`closing`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from realtime.brain import intents, slots
from realtime.brain.base import Say
from realtime.tts.pacing import group_digit_runs

# Things the agent says that a caller can miss hearing.
_SAID = (
    r"the (last|first) (part|bit|word|few words)|the (end|beginning|start)|"
    r"the (order |ticket |reference |confirmation |phone |account )?(number|numbers|id)|"
    r"the (amount|balance|total|price|date|time|times|code|zip|address|name|status|steps?|options?)"
)

# A repeat request anywhere in the turn ("sorry, can you say that again please").
_ASK_AGAIN = re.compile(
    r"\b("
    r"(say|read|tell me|give me) (that|it|this|them|those|the \w+( \w+)?) (again|one more time)|"
    r"say again|repeat( (that|it|this|yourself|the \w+( \w+)?|what you said))?|"
    r"come again|one more time|once more|"
    r"(i )?(didn'?t|did not|couldn'?t|could not|can'?t|cannot) (quite )?(catch|hear|understand) "
    r"(that|it|this|you|what you said|the \w+)|"
    # "get" and "missed" take only things said on the call: "I didn't get the package" and
    # "I missed the delivery" are problems to solve, not repeat requests.
    rf"(i )?(didn'?t|did not|couldn'?t|could not) (quite )?get (that|it|this|you|what you said|{_SAID})|"
    rf"(i )?missed (that|it|what you said|{_SAID})|"
    r"what (was|were|did you say) (that|it|the \w+( \w+)?)( again)?|"
    r"what did you (just )?say|you (were|are) breaking up|(it|that) cut out|"
    # "Sorry, you cut out there", "I lost you", "what'd you say", "go back, what did you say".
    r"you (cut|broke|dropped) (out|up)|(you'?re|you are|you were) cutting out|(i )?lost you|"
    r"the line (cut|broke|dropped) (out|up)|what'?d you (just )?say|what did you say|"
    # "Would you mind repeating that a little more slowly", "could you speak up".
    r"repeating (that|it|this|yourself|the \w+)|(mind|try) repeating|"
    r"(speak|talk|say it|say that) (up|louder|slower|more slowly|a (little|bit) (louder|slower|more slowly))|"
    r"(a (little|bit) )?(more slowly|slower|louder),? please|slow down"
    r")\b"
)
# A turn that is nothing but a short "huh?" — only then do these words ask for a repeat
# ("sorry, it's 94103" is an answer, not a repeat request).
_ONLY = re.compile(
    r"^((sorry|i'?m sorry|what|huh|pardon( me)?|excuse me|beg your pardon|i beg your pardon|"
    r"eh|hmm|come again|again|repeat|say again)( please)?( what)? ?){1,3}$"
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
    return bool(_ONLY.match(t) or _ASK_AGAIN.search(t) or _excuse_then_what(text))


def _excuse_then_what(text: str) -> bool:
    """A short excuse, then a bare "what?" ("sorry, it's loud here, what?"): asking to hear it again.

    Only when what comes before is a few words with no value and no request in it ("sorry, it's
    94103, what?" gives a value; "my bill is wrong, what?" is a new matter).
    """
    parts = [_words(p) for p in re.split(r"[,.;:!?\u2026]+", text)]
    parts = [p for p in parts if p]
    if len(parts) < 2 or not _ONLY.match(parts[-1]):
        return False
    before = " ".join(parts[:-1])
    return (
        len(before.split()) <= _EXCUSE_WORDS
        and not re.search(r"\d", before)
        and slots.yes_no(before) is None  # "yes, what?" answers first
        and not any(intents.scores(before).values())
    )


_EXCUSE_WORDS = 8


def say_again(lines: Iterable[str]) -> list[Say]:
    """The agent's last reply, once more, marked to be spoken slower, its digits in small groups.

    The only place a slow line is worded: the voices speak it slower as it is (they do not group
    it again), so what the call's record holds is what the caller heard.
    """
    return [Say(group_digit_runs(line), slow=True) for line in lines if line.strip()]


# --------------------------------------------------------------------------
# What to say again
# --------------------------------------------------------------------------

# "what was the balance", "repeat the order number", "I missed the time": the thing asked about.
_TOPIC = re.compile(
    r"\b(?:what (?:was|were|is|did you say) the|repeat the|say the|missed the|catch the|hear the|"
    r"get the|read me the|give me the|tell me the)\s+(\w+(?: \w+)?)"
)
# Words a topic is matched by in what the agent said ("the number" is any digits read out).
_TOPIC_WORDS = {
    "number": ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "oh", "zero"),
    "amount": ("dollar", "cent"),
    "price": ("dollar", "cent"),
    "total": ("dollar", "cent"),
    "refund": ("refund",),
    "date": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "day": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "time": (" am", " pm", "noon"),
    "times": (" am", " pm", "noon"),
}
_FILLER_TOPIC = frozenset({"last", "first", "whole", "entire", "rest", "end", "part", "bit", "thing"})


def _topic(request: str) -> list[str]:
    """The words a "what was the balance?" asks about, most specific first."""
    m = _TOPIC.search(_words(request))
    if m is None:
        return []
    words = [w for w in m.group(1).split() if w not in _FILLER_TOPIC and w not in {"again", "please"}]
    if not words:
        return []
    # "the order number" is about the number first; "the balance" about the balance.
    return [words[-1], *words[:-1]]


def _mentions(sentence: str, topic: str) -> bool:
    s = " " + sentence.lower() + " "
    cues = _TOPIC_WORDS.get(topic, ())
    return bool(re.search(rf"\b{re.escape(topic)}", s)) or any(c in s for c in cues)


def _sentences(lines: Sequence[str]) -> list[str]:
    # Imported here: speak is a leaf module, but keep this module's import surface small.
    from realtime.brain.speak import sentences

    return [s for line in lines for s in sentences(line)]


def replay(request: str, missed: str, replies: Sequence[Sequence[str]]) -> list[str]:
    """The lines to say again for a repeat request.

    The sentence the caller asks about ("sorry, what was the balance?") from the
    agent's recent replies, newest first; else what a barge-in cut off (from the
    sentence it began in); else the whole last reply. A reply that ended with a
    question ends with it again, so the caller knows what to answer.

    Args:
        request: The caller's repeat request.
        missed: What the caller did not hear of the last reply (`CallerInput.missed`).
        replies: The agent's recent replies, oldest first, each as its spoken lines.

    Returns:
        The lines to repeat (possibly empty when nothing was said yet).
    """
    last = _sentences(replies[-1]) if replies else []
    chosen: list[str] = []
    for topic in _topic(request):
        for reply in reversed(replies):
            hits = [s for s in _sentences(reply) if _mentions(s, topic)]
            if hits:
                chosen = hits
                break
        if chosen:
            break
    if not chosen and missed.strip():
        cut = missed.strip().lower()
        start = next((i for i, s in enumerate(last) if cut[:24] in s.lower() or s.lower() in cut), None)
        chosen = last[start:] if start is not None else _sentences([missed])
    if not chosen:
        return list(replies[-1]) if replies else []
    if last and last[-1].endswith("?") and chosen[-1] != last[-1]:
        chosen.append(last[-1])
    return chosen


# --------------------------------------------------------------------------
# Answers that are not values
# --------------------------------------------------------------------------

# Talk about the call itself, before the request: "I'll try and keep this short", "bear with me",
# "I've been on hold a good while", "my cousin told me to ring this number", "sorry to be a pain",
# "I'm not great with these things". Said alone before a pause, the request is still to come.
_PREAMBLE = re.compile(
    r"\b(keep (this|it) (short|brief|quick)|bear with me|(been|was|kept|left) on hold|"
    r"told me to (ring|call|phone|try)|(ring|call|phone|try)(ing)? (this|your) (number|line)|"
    r"sorry to (be a pain|bother you|trouble you)|hope you can help|long story|quick question|"
    r"(not|never) (great|good|any good) (with|at) (these|this|phones?|computers?|technology)|"
    r"let me explain|where (do|to|should) i (start|begin)|first time (calling|ringing|phoning))\b"
)


# "One more thing", "I've another question", "there's something else": more is coming, not said yet.
_MORE_TO_ASK = re.compile(
    r"^\W*(?:(?:yes|yeah|yep|actually|oh|um|uh|well|and|so|sorry|please)\W+)*"
    r"(?:(?:there'?s|there is|i'?ve got|i have|i'?ve|i got) )?"
    r"(?:just )?(?:(?:one|a|another|one other|a couple of) ?(?:more|other|further)? "
    r"?(?:thing|question|quick question|query|request)s?|something else)"
    r"(?: (?:actually|too|as well|please|if (?:that'?s|it'?s) ok(?:ay)?))*\W*$"
)


def more_to_ask(text: str) -> bool:
    """Whether the caller says only that they have another request ("one more thing, please").

    Args:
        text: The caller's answer to "anything else?".

    Returns:
        True when the request itself is still to come.
    """
    return bool(_MORE_TO_ASK.search(_words(text)))


def preamble(text: str) -> bool:
    """Whether a turn talks about the call itself ("bear with me", "I've been on hold a while").

    Args:
        text: The caller's turn.

    Returns:
        True when it has such talk (whether it says a request too is for the classifier).
    """
    return bool(_PREAMBLE.search(_words(text)))


_DONT_KNOW = re.compile(
    # "I don't know if I'm ringing the right number, …" wonders aloud: it is not a missing value.
    r"\b((i )?(don'?t|do not|didn'?t) (know|have|remember|recall)(?! (if|whether)\b)"
    r"( it| that| the \w+| my \w+)?|"
    r"no idea|not sure|dunno|can'?t (remember|find|recall)|forgot|i have no)\b"
)


def dont_know(text: str) -> bool:
    """Whether the caller says they do not know the value asked for ("I don't know my ZIP").

    Args:
        text: The caller's answer.

    Returns:
        True when the answer is "I don't know" rather than a value or a refusal.
    """
    return bool(_DONT_KNOW.search(_words(text)))


_CLOSING = re.compile(
    # Longer phrases first: "no more questions" must not stop at "no".
    r"\b(no more( questions)?|no thanks?|no thank you|nope|nah|no|"
    r"that'?s (about |pretty much )?(all|it|everything)|"
    r"that(?: i?s| was| will be|'?ll be|'?d be| should be| would be) "
    r"(about |pretty much )?(all|it|everything)|"
    r"that (covers|does) it|that'?s all i (needed|wanted)|"
    r"nothing( else| more)?( today| for now)?|i'?m (all )?(good|done|fine|set)|all set|"
    r"we'?re (all )?(good|done|set)|bye|goodbye|bye bye)\b"
)
# Politeness around a closing that carries no request.
_COURTESY = re.compile(
    r"\b(thanks?( you)?( so much| very much| again)?|thank you|ok(ay)?|great|perfect|cool|alright|"
    r"all right|so|that'?s|it|have a (good|great|nice) (day|one|evening|night|weekend)|"
    r"you too|take care|cheers|appreciate it|i think|actually|really|then|for now|that was|"
    r"for (your|the) help|the help|your help|very|much|please|and|well|um|uh)\b"
)


def closing(text: str) -> bool:
    """Whether the caller answers "anything else?" with a clear no and nothing more.

    "No thanks", "that's all", "nope, bye", "no, I'm good, have a nice day" end
    the call; "my earbuds will not pair" or "no, but my bill is wrong" are new
    requests and must not.

    Args:
        text: The caller's answer.

    Returns:
        True only for a closing that carries no request.
    """
    t = _words(text)
    if not _CLOSING.search(t):
        return False
    if _only_closing(t) or _declines(text, t):
        return True
    # A preamble before a clear goodbye ("right, so, bear with me, the kids are yelling, no thanks,
    # bye"): the trailing clauses close the call when the rest asks for nothing.
    clauses = _clauses(text)
    tail = 0
    while tail < len(clauses) and _goodbye_clause(clauses[len(clauses) - 1 - tail]):
        tail += 1
    if not tail or tail == len(clauses) or "?" in text:
        return False
    closing_words = " ".join(clauses[len(clauses) - tail :])
    if not _CLOSING.search(closing_words):
        return False  # the tail is thanks only: the no is in the preamble, with whatever else is there
    # "…, but no, that's it": a "but" opening the goodbye is not more to come.
    if _GOES_ON.search(re.sub(r"^but\b", "", closing_words)):
        return False
    # A story before the goodbye ("I wasn't expecting someone to pick up so fast, okay, no, that's
    # it") closes the call too; a new matter in it ("the app also keeps crashing, but no, that's it")
    # does not.
    preamble = " ".join(clauses[: len(clauses) - tail])
    return not (_NEW_MATTER.search(preamble) or any(intents.scores(preamble).values()))


def _clauses(text: str) -> list[str]:
    """The turn's clauses, as words, split where the transcript punctuates and at "but"."""
    return [w for w in (_words(c) for c in re.split(r"[,.;:!?]+|\s(?=but\b)", text)) if w]


def _goodbye_clause(words: str) -> bool:
    """A clause of thanks, goodbyes or a no ("no", "I think that's it", "thank you ever so much")."""
    if _only_closing(words):
        return True
    rest = _DECLINE_CORE.sub(" ", _CLOSING.sub(" ", words)).split()
    return all(w in _GOODBYE_WORDS for w in rest)


# What turns a "no" into the start of something else: "no, but…", "nothing, actually wait…".
_NEW_MATTER = re.compile(
    r"\b(also|actually|except|one (more|other|last)|another|question|problem|issue|what about|how about|"
    r"broken|stopped|wrong|keeps? (on )?\w+ing|"
    r"(won'?t|doesn'?t|isn'?t|can'?t|will not|does not|is not|cannot) "
    r"(work|working|turn|start|open|load|connect|charge|pair))\b"
)
_GOES_ON = re.compile(
    r"\b(but|actually|also|although|though|however|wait|hold on|hang on|except|only|just one|"
    r"one (more|other|last)|another|question|problem|issue|what about|how about|still|"
    r"(is|was|are|were|does|did|do|can|could|will|would)(n'?t| not)|won'?t|can'?t|keeps?|"
    r"broken|stopped|wrong)\b"
)
# The words of a no to "anything else?" ("nope", "I'm all set", "that'll be all").
_NO_MORE = (
    r"(no|nope|nah|naw|nothing( else| more)?|not today|not (right )?now|"
    r"i'?m (all )?(good|set|fine|done|sorted)|"
    r"(we'?re|all) (good|set|sorted|done)|that'?s (all|it|everything)|"
    r"that(?: will|'ll| would|'d) (be|do)( all| it)?)"
)
# A clear no at the start of a clause, after any thanks or filler before it.
_DECLINE = re.compile(
    r"^((ok(ay)?|oh|ah|um+|uh+|well|right|alright|yes|yeah|thanks?( you)?|thank you( (so|very) much)?|"
    r"cheers|lovely|great|perfect|brilliant|cool|that'?s (great|lovely|perfect|brilliant|wonderful))\s)*"
    rf"{_NO_MORE}\b"
)


def _declines(text: str, words: str) -> bool:
    """A clear no to "anything else?" with thanks and goodbyes around it and nothing else.

    "No, you've been most helpful, I'll let you go", "that's very kind, no, I'm all sorted now,
    ta-ra" and "nah im good thx" decline; "no, but my bill is wrong" and "nope, the picture is
    fuzzy" go on to something new. Every word besides the no must be the language of thanks and
    goodbyes (at most one other word: a name, a mishearing); no "?", no request, no fault.
    """
    if "?" in text or _GOES_ON.search(words) or any(intents.scores(words).values()):
        return False
    if not any(_DECLINE.match(c) for c in _clauses(text)):
        return False
    rest = _DECLINE_CORE.sub(" ", words).split()
    return sum(w not in _GOODBYE_WORDS for w in rest) <= 1


# The no itself, wherever it is in the turn.
_DECLINE_CORE = re.compile(rf"\b{_NO_MORE}\b")
# The language of thanks and goodbyes around a no, in many registers. A word outside it (a
# noun, a fault) means the caller may be saying something new.
_GOODBYE_WORDS = frozenset(
    """
    a all alright am an and appreciate appreciated are as at awesome be been best bless blessed bro
    brilliant buddy busy but bye byebye care cheerio cheers cool covered cya day dear do done dude
    ever evening everything excellent fab fabulous fantastic fine for gal go god going good goodbye grand
    million
    got gotta great guys had have help helped helpful helping hey hon honey hun i i'd i'll i'm i've
    indeed is it it's its just kind kindly kk later laters let lol love lovely lot lots luv ma'am
    madam man mate me more most much my myself need needed nice night now oh ok okay one our out
    peace perfect please pleasure pretty really right run see set sir so sorted soon super superb
    sure sweet sweetheart ta tara ta-ra take talk terrific thank thankful thanks thanx that that's
    the then there this thx time to today too truly ttyl u very wanted was we we're weekend well
    were what whole wonderful would yeah yep yes you you've you're your yours yup
    """.split()
)


def _only_closing(words: str) -> bool:
    """A clause that is a closing (or courtesy around one) and nothing else."""
    if not _CLOSING.search(words) and not _COURTESY.fullmatch(words):
        return False
    return len(_COURTESY.sub(" ", _CLOSING.sub(" ", words)).split()) <= 1
