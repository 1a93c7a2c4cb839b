"""Intent classification for the seed's call mix, robust to phone speech-to-text.

Weighted cue phrases per intent; the score of the best intent against the
runner-up gives a confidence in [0, 1]. Deliberately simple and
deterministic: it runs in microseconds on every turn, gives the same answer
on replay, and is what `callengine analyze` uses on exported transcripts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ORDER_STATUS = "order_status"
ACCOUNT = "account"
RESCHEDULE = "reschedule"
TROUBLESHOOTING = "troubleshooting"
REFUND = "refund"
HUMAN = "human"
OTHER = "other"

# The seed's top five, in its order of frequency.
TOP_FIVE = (ORDER_STATUS, ACCOUNT, RESCHEDULE, TROUBLESHOOTING, REFUND)
ALL_INTENTS = (*TOP_FIVE, HUMAN, OTHER)

# A complaint about how the caller was served (see `service_complaint`). Strong evidence: "the
# technician was rude" is about the technician's manners, not the appointment.
_COMPLAINT_WORDS = (
    r"\b(complain\w*|rude|unprofessional|disrespectful|impolite|"
    r"(not|wasn'?t|was not|am not|i'?m not) (happy|pleased|satisfied)|unhappy|dissatisfied|disappointed|"
    r"upset|furious|unacceptable|(terrible|awful|poor|bad|horrible|lousy) (service|job|work|experience)|"
    r"(left|made) (a|the|such a|an awful|a huge|a big) mess|(never|nobody|no one) (showed|turned) up|"
    # "Tracked mud all through my house", "left without finishing".
    r"(tracked|trailed|walked) (mud|dirt|muck|grease)|"
    r"(left|walked off|went|gone) without (finishing|fixing|completing|cleaning up|doing the job))\b"
)

_CUES: dict[str, list[tuple[str, float]]] = {
    ORDER_STATUS: [
        (r"\bwhere('?s| is) (my|the) (order|package|stuff|delivery|shipment)", 3),
        # "I've lost track of what I've paid" is not tracking anything.
        (
            r"\b(?<!lost )(?<!lose )(?<!losing )(?<!keep )(?<!keeping )(?<!kept )track\b"
            r"|\b(tracking|shipment|shipped|shipping|package|parcel|delivery|delivered|courier)\b",
            2,
        ),
        (r"\border status\b|\bstatus of (my|the) order\b", 3),
        # "the order number is 13641" is a detail of any order-related call, not a topic.
        (r"\border number\b", 1),
        (
            r"\bnever (came|arrived|showed up|got here)\b|\b(never|didn'?t|did not|haven'?t|have not) "
            r"(received|receive|get|got|gotten)\b"
            r"|\b(hasn'?t|has not) (arrived|come|shipped|landed)\b"
            r"|\b(haven'?t|have not) (arrived|come|landed)\b"
            # "I got a few bits from yous and nothing's landed at the door yet"
            r"|\bnothing('?s| has)( \w+)? (arrived|landed|come|turned up|shown up)\b",
            3,
        ),
        (r"\b(went out|get here|gonna get here|on (its|the) way|waiting (on|for) (my|a|the))\b", 2),
        # "The box I was supposed to get still isn't here, I want to know where it is." ("Hasn't
        # come" is counted above; "the technician isn't here" is a visit's business.)
        (
            r"\b(it|they|the \w+|my \w+) (still )?(isn'?t|is not|aren'?t|are not) here( yet)?\b"
            r"|\b(know|wondering|tell me|find out) where (it|they|my \w+|the \w+) (is|are|has got to)\b",
            2,
        ),
        (
            r"\bbeen (\w+ ){0,3}(days|weeks?) (\w+ )?and (still )?no\b"
            r"|\bno idea where\b|\bwhere .{0,30}\bis at\b|\bwhere('?s it| are they) at\b",
            3,
        ),
        (r"\b(ups|fedex|usps)\b", 2),
        (r"\bwhen (will|does|is) (it|my order|the order|my package)\b.*\b(arrive|come|get here|ship)", 3),
        (r"\b(order|orders|ordered)\b", 1.5),
        # What shops and callers call an order besides "order".
        (r"\b(purchase|purchased|package|parcel|shipment)\b", 1.5),
        (r"\bstatus of (my|the|a|an) \w+\b", 1.5),
        # "An update on my order", "could you tell me where it is".
        (
            r"\b(update|news|word) on (my|the|an?|our) (order|delivery|parcel|package|shipment)\b"
            # "Where my parcel has got to", not "where my dog is on the app": what is bought and sent.
            r"|\bwhere (it|they|(my|the|our) (order|orders|package|packages|parcel|parcels|delivery|"
            r"shipment|stuff|things|items?|purchases?|box|boxes|goods|bits|gear|kit)) "
            r"(is|are|has got to|have got to|went)\b",
            3,
        ),
        (r"\b(arrive|arriving|eta)\b", 1),
        (
            r"\b(was|were|is|are) (supposed|meant|due|scheduled) to "
            r"(come|arrive|be delivered|get here|ship)\b"
            r"|\b(on the truck|in transit|out for delivery)\b",
            2,
        ),
        # "Did my thermostat ship yet?", "has it gone out?": whether something left.
        (
            r"\b(did|has|have|is|was) (my|the|it|they|this|that)\b.{0,30}\b(ship|shipped|go out|gone out|"
            r"left the warehouse|dispatched|been sent)\b|\bdispatch(ed)?\b",
            3,
        ),
    ],
    ACCOUNT: [
        (r"\b(balance|amount due|how much (do )?i owe|what do i owe)\b", 3),
        # "What amount is pending against my name", "the amount outstanding".
        (r"\bamount\b.{0,15}\b(pending|owing|owed|due|outstanding|left to pay)\b", 3),
        # "Settle up", "settle my bill": pay what is owed.
        (r"\bsettle (up|my (bill|account|balance)|what i owe)\b", 3),
        (r"\b(my|the) (account|plan|subscription)\b", 2),
        (r"\b(bill|billing|invoice|statement|payment due|past due)\b", 2),
        (r"\baccount (status|balance)\b|\b(suspended|active) account\b|\bis my account\b", 3),
        (r"\b(which|what) plan\b|\bplan (am i|i'm) on\b|\b(pro|basic|business) plan\b", 3),
        (r"\b(paying|pay) (every|each|per|a) month\b|\bmonthly (charge|fee|payment)\b", 3),
        (r"\b(payments?|autopay|auto-pay|card (on file|you have)|log ?in|sign ?in|online account)\b", 2),
        (r"\bbehind on (my |the )?(payments?|bills?)\b|\b(late|missed) (payment|bill)s?\b", 3),
        (r"\b(owe|owing)\b", 2.5),
        (
            r"\b(left|remaining|outstanding|still due) to pay\b"
            r"|\bhow much (is )?(left|outstanding|remaining)\b",
            3,
        ),
        (
            r"\bhow much (do |will |would |should |did |have |am |are )?(i|we) (still )?"
            r"(have to |need to |got to |gotta |supposed to |meant to |ought to )?(pay|owe)\b"
            r"|\b(what'?s|what is|what'?s the amount|amount) (due|owing|owed)\b",
            3,
        ),
        (
            r"\bpaid .{0,25}\b(yesterday|today|last week)\b"
            r"|\b(is|was) that showing\b|\bswitch .{0,25}\bplan\b"
            r"|\b(cheaper|bigger|smaller|different) plan\b",
            3,
        ),
    ],
    RESCHEDULE: [
        (r"\breschedul\w*\b", 4),
        (
            r"\b(appointment|appt|installation|install|technician|tech visit|service visit|service call|"
            r"booking|inspection)\b",
            2.5,
        ),
        (r"\b(visit|tech(?! support)|plumber|electrician|crew|repairman|installer)\b", 1.5),
        (
            r"\b(move|change|push|postpone|switch|bump|shift|rebook|delay)\b.*"
            r"\b(appointment|visit|installation|inspection|booking|service call|time|date|day|week)\b",
            3,
        ),
        # "Can we pick another time?", "on Thursday instead": another time for something booked.
        (
            r"\b(pick|find|choose|get|book|set up|arrange) (another|a different|a new|a later|an earlier|"
            r"some other) (time|day|date|slot)\b"
            r"|\b((mon|tues|wednes|thurs|fri|satur|sun)day|morning|afternoon|evening|next week|tomorrow|"
            r"later|earlier) instead\b",
            3,
        ),
        # Someone due to come (a package due to arrive is an order's business).
        (
            r"\b(tech|technician|plumber|electrician|installer|crew|someone|somebody|they|he|she|you|"
            r"your \w+) "
            r"(is|was|are|were) (supposed|scheduled|booked|due|set) to (come|arrive|show up|be here|be out)\b"
            r"|\b(won'?t|will not|can'?t|cannot) (be (around|home|there|in|available)|make it)\b",
            2.5,
        ),
        (r"\b(postpone\w*|rebook\w*)\b", 3),
        # "I have a visit booked and it doesn't work for me anymore, can I move it?"
        (
            r"\b(have|got|had) (a|an|my|the) (\w+ )?(visit|appointment|appt|booking|installation|"
            r"service call|inspection)( \w+)? (booked|scheduled|set up|coming up|lined up)\b"
            r"|\b(doesn'?t|does not|won'?t|will not) work for (me|us)( anymore| any more)?\b",
            3,
        ),
        (r"\b(different|another|later|earlier) (time|day|date|slot)\b", 2),
        # "The day you gave me is no good for me anymore": the time a visit was given doesn't suit.
        (
            r"\b(day|date|time|slot) (you|yous|ye|they) (gave|booked|set|picked|put) (me|us)\b"
            r"|\b(day|date|time|slot)\b.{0,25}\b(is|'s) no (good|use)\b",
            3,
        ),
        (
            r"\b(anything|something) (earlier|later|sooner)\b"
            r"|\bcome (a day |an hour )?(later|earlier|sooner)\b",
            3,
        ),
        (r"\btech(nician)? (is |was )?(supposed|scheduled|coming|booked)\b", 3),
        (
            r"\bnot (gonna|going to) be (around|home|there)\b|\b(can|could) (we|you) (do|make it|move it to) "
            r"(next week|another day|(mon|tues|wednes|thurs|fri|satur|sun)day)\b",
            3,
        ),
    ],
    TROUBLESHOOTING: [
        (r"\b(internet|wi-?fi|wifi|network|connection|signal)\b", 2),
        # Devices are named in order and refund calls too: weak evidence alone.
        (r"\b(router|modem|mesh|extender|ethernet)\b", 1),
        (
            r"\b(keeps?|kept) (dropping|disconnecting|cutting out|rebooting|restarting|crashing|freezing)\b"
            r"|\bdisconnect\w*\b",
            3,
        ),
        (
            r"\b(isn'?t|is not|not|won'?t|doesn'?t) (ringing|charging|loading|printing|pairing|responding)\b",
            3,
        ),
        # (A thing that is down, not "what I'm down for this month".)
        (
            r"\b(slow|lagging|buffering|no internet|offline|outage|not connecting|can'?t connect)\b"
            r"|\b(is|are|was|were|went|goes|been|keeps going|it'?s|internet|wifi|service|network) down\b",
            2,
        ),
        (
            r"\b(blinking|flashing|red|orange) (light|lights)\b"
            r"|\blights? (is|are) (blinking|flashing|red|orange)\b",
            3,
        ),
        (r"\b(troubleshoot|fix|broken|reset|restart|reboot|password|firmware|pair|pairing)\b", 1.5),
        # Home-network how-tos are basic troubleshooting calls too.
        (r"\b(port forward\w*|parental controls?|dns( servers?)?|guest (network|wi-?fi)|modem lights?)\b", 3),
        (
            r"\b(doesn'?t|does not|won'?t|will not|isn'?t|is not|not) (work|working|turn on|connect)\b"
            r"(?! for (me|us|you)\b)",
            1.5,
        ),
        (
            r"\b(stopped|quit) working\b|\bcan'?t get online\b"
            r"|\b(won'?t|will not|doesn'?t|does not) (print|load|turn on|boot|charge|pair|sync|drain|start|"
            r"spin|heat|cool|flush|open|close)\b",
            3,
        ),
        (r"\bscreen\b.{0,15}\b(blank|black|frozen)\b|\b(just )?spins\b|\berror (code|message)\b", 3),
        (r"\b(light|led)s?\b.{0,40}\b(orange|red|amber|blinking|flashing)\b", 3),
    ],
    REFUND: [
        # Speech-to-text splits or mishears the word: "re fund", "we fund".
        (r"\b(re ?fund\w*|we fund)\b", 5),
        (
            r"\b(money|cash|payment) back\b|\breimburse\w*\b|\bcharged (twice|double|wrong)\b"
            # "Waiting on the money to come back", "the money put back on my card".
            r"|\b(money|cash|payment|funds)( to)? (come|coming|came|go|going|be|been|get|put|paid|sent) "
            r"back\b"
            r"|\bcredit(ed)? (it )?back\b|\bcredit (me|my (account|card))\b"
            # "Reverse the payment": undo what the caller paid (a charge they dispute is a dispute).
            r"|\b(reverse|undo|cancel) (the|my|that) (payment|purchase|transaction)\b",
            4,
        ),
        (r"\bovercharg\w*\b|\b(still|was) (got )?charged\b|\b(want|get) (it|my money) back\b", 4),
        (r"\b(haven'?t|have not|never) (seen|got|gotten|received) (the|my) money\b|\breturned\b", 4),
        (r"\b(return|send back|send (\w+ ){1,3}back)\b", 3),
        (
            r"\b(sent|shipped|mailed|posted|brought|took|gave|dropped) (\w+ ){0,3}back\b"
            r"|\bwhere'?s my money\b|\bwhere is my money\b"
            r"|\bget (refunded|reimbursed|credited|compensated|paid back)\b",
            4,
        ),
    ],
    HUMAN: [
        # "Person" or "agent" alone is not a request for one ("your person's meant to come Tuesday").
        (r"\b(human|representative|operator|manager|supervisor|someone real)\b", 2.5),
        (
            r"\b(speak|talk|chat)(ing)? (to|with) (a |an |the |some |your )?(\w+ )?"
            r"(person|agent|someone|somebody)\b"
            # "Agent!" at a phone menu.
            r"|^\W*(an? )?(agent|person|live agent)( please)?\W*$"
            r"|\b(put me through|transfer me|connect me|get me|give me|want|need|'?d like) (to |with )?"
            r"(a |an |the |some )?(real |live |actual )?(person|agent)\b|\b(real|live|actual) person\b",
            2.5,
        ),
    ],
    OTHER: [
        (r"\b(address|mailing|email address|phone number on file|update my (details|info|information))\b", 2),
        (r"\b(feedback|compliment)\b", 2.5),
        (_COMPLAINT_WORDS, 4),
        (r"\b(cancel (my )?(service|account|subscription|membership|plan|contract)|close my account)\b", 3),
        (r"\b(hours|open|warranty|privacy|job|careers|partnership)\b", 1.5),
        # General questions about the business, answered from the knowledge base when it can.
        (
            r"\b(do|does|can|will) (you|y'?all|your (company|store|shop))( guys)? "
            r"(ship|deliver|sell|offer|have|take|accept|carry|work|open|price match)\b"
            r"|\b(what|when) (are|is) (your|the) \w+ ?hours\b|\bopening hours\b|\bhow late\b",
            3,
        ),
    ],
}
_COMPILED = {intent: [(re.compile(p), w) for p, w in cues] for intent, cues in _CUES.items()}


@dataclass(frozen=True)
class Classification:
    """The best intent, how sure we are, and the raw scores (for tuning and `analyze`)."""

    intent: str
    confidence: float
    scores: dict[str, float]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("\u2019", "'")).strip()


def scores(text: str) -> dict[str, float]:
    """Cue score per intent (0 where nothing matched)."""
    t = _normalise(text)
    return {intent: sum(w for rx, w in cues if rx.search(t)) for intent, cues in _COMPILED.items()}


def classify(
    text: str, stt_confidence: float | None = None, exclude: frozenset[str] = frozenset()
) -> Classification:
    """Classify one utterance.

    Confidence grows with the evidence for the winner and shrinks with the
    runner-up's; an utterance with no cue at all is `other` at 0.4. Intents in
    `exclude` (the caller said "it's not about an order") score nothing.
    """
    s = {k: 0.0 if k in exclude else v for k, v in scores(text).items()}
    ranked = sorted(s.items(), key=lambda kv: kv[1], reverse=True)
    (best, s1), (_, s2) = ranked[0], ranked[1]
    if s1 == 0:
        return Classification(OTHER, 0.4, s)
    confidence = min(0.98, 0.5 + 0.15 * s1) * (s1 / (s1 + s2))
    if stt_confidence is not None and stt_confidence < 0.6:
        # A shaky transcript makes any reading of it shaky.
        confidence *= max(0.5, stt_confidence / 0.6)
    return Classification(best, round(confidence, 3), s)


# A charge the caller says is wrong: charged twice, billed for something never done or ordered, a
# charge they don't recognise. Not a balance question and not a refund of an order: someone has
# to look into it, so it becomes a ticket with the caller's words.
_CHARGE = r"(charg\w*|bill|billed|billing|invoice\w*|debit\w*|fee|payment|transaction)"
_DISPUTE = re.compile(
    rf"\b{_CHARGE}( me| us| my (card|account|bank))? (twice|two times|double|more than once)\b"
    r"|\bdouble[- ]?(charg\w*|bill\w*|payment)\b"
    r"|\b(duplicate|second|extra|repeat|doubled|hidden|surprise) "
    r"(charge|payment|bill|invoice|transaction|debit|fee)s?\b"
    # "Charged me the wrong amount", "charged even though I cancelled".
    r"|\bcharged( me| us)? (the )?(wrong|incorrect|too much|more than)\b"
    r"|\b(charged|billed)( me| us)? (\w+ ){0,3}(even though|although|after) (i|we) "
    r"(cancel\w*|returned|never)\b"
    rf"|\b{_CHARGE}( me| us)? for (\w+ ){{0,5}}(that |which )?"
    r"(nobody|no one|never|(i|we|you|they) (never|didn'?t|did not|haven'?t|have not)|"
    r"(was|were|wasn'?t|weren'?t) (never|not)?\s?(done|ordered|received|requested|finished|delivered))\b"
    r"|\b(wrong|incorrect|bogus|mystery|unauthori[sz]ed|fraudulent|unexpected|strange|weird|unknown|"
    rf"mistaken|erroneous|random) {_CHARGE}s?\b"
    rf"|\b{_CHARGE}s? (\w+ ){{0,6}}?(that )?(i|we) (don'?t|do not|didn'?t|did not|never) "
    r"(recogni[sz]e|understand|agree|authori[sz]e|approved?|ordered|asked for)"
    # "Charged me for two visits but only one happened."
    rf"|\b{_CHARGE}( me| us)? for (two|both|three|2|3) .{{0,40}}\bonly (one|once|1)\b"
    rf"|\b(dispute|contest|challenge) (\w+ ){{0,2}}{_CHARGE}"
    # "A charge on my card that I didn't make, I want to dispute it."
    rf"|\b{_CHARGE}s?\b.{{0,60}}\b(dispute|contest|challenge|reverse|chargeback|charge back)\b"
    rf"|\b{_CHARGE}s? (\w+ ){{0,6}}?(that )?(i|we) (didn'?t|did not|never) "
    r"(make|made|do|did|buy|bought|purchase|purchased|want|wanted|sign up for|signed up for|agree to|"
    r"agreed to|authori[sz]e|authori[sz]ed)\b"
    # "A statement that doesn't add up", "a charge on my card and I haven't bought anything".
    r"|\b(statement|bill|invoice|charges?)\b.{0,30}\b(doesn'?t|does not|don'?t|do not) add up\b"
    rf"|\b{_CHARGE}s?\b.{{0,40}}\b(i|we) (haven'?t|have not|hadn'?t|had not) (bought|ordered|purchased) "
    r"(anything|a thing|nothing)\b"
    r"|\bovercharg\w*\b"
    # "I cancelled months ago and you're still taking money."
    r"|\bcancel\w*\b.{0,60}\b(still|keep|kept|continue|continued|carry on|carried on) "
    r"(taking|charging|billing|debiting|deducting|to take|to charge|to bill)\b"
    # "Keep getting billed for something I cancelled", "money gone off my card I never agreed to".
    # (Billed for what was cancelled; "the charge for the blender I sent back" asks for a refund.)
    r"|\b(charged|charging|billed|billing|invoiced|debited)( me| us)? for (\w+ ){0,3}(that |which )?"
    r"(i|we) cancel\w*\b"
    r"|\b(money|payments?|amounts?|charges?|sums?) (\w+ ){0,2}(gone|taken|come|went|deducted|debited) "
    r"(off|out of|from) (my|our) (card|account|bank)\b.{0,40}\b(never|didn'?t|did not|not) "
    r"(agree|agreed|authori[sz]e|authori[sz]ed|approve|approved|recogni[sz]e)\b"
    # "A billing error", "a mistake on my statement", "not what I agreed to".
    r"|\b(billing|invoicing|payment) (error|mistake|problem|issue)s?\b"
    rf"|\b(error|mistake)s? (on|in|with) (my|the|our|this|that|last) (\w+ )?({_CHARGE}|statement|account)\b"
    r"|\bnot what (i|we) (agreed|signed up|were quoted|was quoted|was told|were told)\b"
    r"|\b(took|taken|take|taking) (more|too much|extra) (money )?(from|out of) my\b"
    r"|\b(charge|bill|invoice|fee|amount|total|price|statement)s? (on (it|my \w+|the \w+) )?"
    r"(is|was|are|were|looks|seems|that'?s|that is|which is) "
    r"(wrong|incorrect|off|too high|way too high|a mistake|not right)\b"
)


def billing_dispute(text: str) -> bool:
    """Whether the caller says a charge or a bill is wrong.

    "Billed me twice", "an invoice for a repair that never happened", "a charge
    I don't recognise" are disputes; "what do I owe" and "refund my order" are not.

    Args:
        text: One caller utterance.

    Returns:
        True for a complaint about a charge.
    """
    return bool(_DISPUTE.search(_normalise(text)))


# A complaint about how the caller was served: nothing to look up or fix on the call, so it
# becomes a ticket with the caller's words. A broken product is not this (troubleshooting is).
_COMPLAINT = re.compile(_COMPLAINT_WORDS)


def service_complaint(text: str) -> bool:
    """Whether the caller complains about how they were served ("the crew was rude").

    Args:
        text: One caller utterance.

    Returns:
        True for a complaint about people or service (not a product fault).
    """
    return bool(_COMPLAINT.search(_normalise(text)))


# A complaint that asks for someone to answer for it ("… I want someone to deal with it"): a person's
# job even when it names an appointment or an order ("the technician tracked mud all through my house").
_DEMAND = re.compile(
    r"\b(want|need|would like|'d like|expect) (someone|somebody|a person|you|a manager|a supervisor|"
    r"your manager|your boss)( to)? (deal with|look into|look at|sort|handle|answer for|take care of|"
    r"do something about|call me)\b|\b(looked into|dealt with|sorted out)( properly)?\b"
    r"|\b(make|file|lodge|register) a complaint\b"
)


def complaint_demand(text: str) -> bool:
    """A complaint about how the caller was served that asks for someone to deal with it."""
    t = _normalise(text)
    return bool(_COMPLAINT.search(t) and _DEMAND.search(t))


# Something that arrived broken, reported as such ("the box came crushed and the lamp is cracked, I
# want to report it"): a claim a person handles, with the caller's words. Asking for the money back
# for it is a refund (`classify` finds that request; see `damage_report`).
_DAMAGED = re.compile(
    r"\b(arrived|came|showed up|turned up|got here|was delivered|were delivered|delivered)\b.{0,40}"
    r"\b(damaged|broken|smashed|crushed|cracked|dented|shattered|wet|soaked|ruined|torn|in pieces|"
    r"to pieces|busted|destroyed)\b"
    # "The delivery man left my stuff out in the rain and it's destroyed."
    r"|\b(left|dumped|threw|thrown|dropped|put)\b.{0,40}\b(rain|puddle|mud|snow|sprinkler)\b.{0,40}"
    r"\b(damaged|ruined|soaked|wet|destroyed|soggy)\b"
    r"|\b(damaged|broken|smashed|crushed|cracked|dented|shattered) (in (transit|the post|the mail)|"
    r"on arrival|box|package|parcel|delivery)\b"
    r"|\b(file|make|lodge|open|start|submit) (a |an )?(damage |insurance )?claim\b"
)


def damage_report(text: str) -> bool:
    """Whether the caller reports something that arrived damaged, without asking for a refund.

    Args:
        text: One caller utterance.

    Returns:
        True for "my order came damaged, I want to report that"; False for "it arrived broken, I
        want my money back" (a refund) and for a fault in something that worked before.
    """
    t = _normalise(text)
    return bool(_DAMAGED.search(t)) and scores(t)[REFUND] == 0
