r"""Everything the offline agent says, in one place, so every line can be checked for grammar.

Fixed lines are constants; lines with values are small functions whose
arguments are already speakable (digits read out by `speak.say_digits`,
amounts by `speak.say_money`, …). `tests/test_repair.py` renders every one.
The voice scenario suite matches these lines with regexes (`right\b`,
`zip|ip code|billing`, `order number`, `anything else`, `couldn't find`,
`which works best`, `to confirm`, `shall i go ahead`, `tell me briefly`,
`did that fix`): a reworded line must keep its cue.
"""

from __future__ import annotations

from realtime.brain import speak

GREETING = "Thanks for calling. How can I help you today?"
GOODBYE = "Thanks for calling. Goodbye."
ANYTHING_ELSE = "Anything else I can help with?"
WHAT_ELSE = "Sure, what else can I help with?"
WHAT_INSTEAD = "Sorry about that. What can I help you with?"
MENU = "I can help with orders, your account, appointments, technical problems and refunds."
NOT_UNDERSTOOD = f"Sorry, I didn't quite get that. {MENU} What do you need?"
MENU_QUESTION = f"{MENU} What do you need?"
GO_ON = "Of course. How can I help?"
EMPTY_TURN = "Sorry, I didn't catch that. How can I help?"
UNCLEAR = "Sorry, the line isn't clear. Could you tell me again, in a few words, what you're calling about?"
EMPTY_AT_STEP = "Sorry, I didn't catch that."
LEAVING = "Okay. I'll note where we left off so someone can follow up."
THIRD_PARTY = "I can only help with the account verified on this call."
NEED_YES_NO = "Sorry, I need a yes or a no."
OKAY = "Okay."
ONCE_MORE = "Sorry, the line may be bad. Once more, slowly."
# Said once, when the line has proven too poor for spoken numbers and answers: keys from then on.
BAD_LINE = "The line is breaking up, so let's use your phone's keypad."

# Identity
IDENTIFIER_QUESTION = (
    "What's the phone number, e-mail or an order number on the account? You can also key in the order number."
)
IDENTIFIER_AGAIN = "Let's start again. What's the phone number, e-mail or order number on the account?"
# After an e-mail (never read back: spelled out it is too long to follow) led nowhere: a number is
# read back and confirmed, and on a bad line its digits come through where a name does not.
PHONE_INSTEAD = "Let's try the phone number on the account instead. Please say it, or key it in."
IDENTIFIER_RETRY = (
    "Sorry, I didn't get that. "
    "Please say the phone number or e-mail on the account, or key in an order number."
)
IDENTIFIER_OTHER_WAY = (
    "Let's try another way. Please key in the phone number on the account, "
    "or spell the e-mail address letter by letter."
)
IDENTIFIER_KEYPAD = "Please key in the phone number on the account, or an order number."
IDENTIFIER_UNKNOWN = "That's fine. What's the phone number or e-mail address on the account?"
IDENTIFIER_NOT_FOUND = "I couldn't find an account with that."
IDENTIFIER_NOT_FOUND_RETRY = "Please try the phone number or e-mail on the account, or another order number."
ZIP_QUESTION = "For security, what's the billing ZIP code on the account?"
FOUND_BY_CALLER_ID = "I found an account for the number you're calling from."
FOUND = "Thanks, I found the account."
ZIP_AFTER_FOUND = "For security, what's the billing ZIP code?"
ZIP_RETRY = "Please say or key in the five-digit billing ZIP code."
ZIP_OTHER_WAY = "Let's try the keypad: please key in the five-digit billing ZIP code on your phone."
ZIP_KEYPAD = "Please key in the five-digit billing ZIP code on your phone's keypad."
ZIP_MISMATCH = "That ZIP code doesn't match the account."
ZIP_UNKNOWN = "That's okay. A person can verify your account another way."
# After a said identifier the answer never tells whether it named an account ("I found it" would):
# the same thanks and the same two questions either way, then one verdict on both answers.
IDENTIFIER_TAKEN = "Thanks."
LAST4_QUESTION = "And what are the last four digits of the phone number on the account?"
LAST4_RETRY = "Please say or key in the last four digits of the phone number on the account."
LAST4_OTHER_WAY = (
    "Let's try the keypad: please key in the last four digits of the phone number on the account."
)
LAST4_KEYPAD = "Please key in the last four digits of the phone number on the account."
NAME_QUESTION = "That's okay. What's the first and last name on the account?"
NAME_RETRY = "Please say the first and last name on the account."
NAME_OTHER_WAY = "Please say just the first and last name on the account, slowly."
NAME_UNKNOWN = ZIP_UNKNOWN
CHECK_MISMATCH = "Those details don't match the account."

# Orders and refunds
ORDER_QUESTION = "What's the order number? Or I can check your most recent order."
REFUND_ORDER_QUESTION = "Which order is the refund for? Please say or key in the order number."
ORDER_RETRY = "Please say or key in the order number."
ORDER_NOT_FOUND_RETRY = "Please check the number and say it again, or key it in."
ORDER_OTHER_WAY = (
    "Please key in the order number on your phone's keypad, or I can check your most recent order instead."
)
NO_ORDERS = "I don't see any orders on your account."
REFUND_QUESTION_SHORT = "Shall I go ahead with the refund?"
REFUND_DECLINED = "Okay, I won't refund it."
REFUND_NEEDS_REVIEW = "I couldn't issue that refund: it needs a review."

# Scheduling
NO_APPOINTMENT = "I don't see a booked appointment on your account."
SLOT_TAKEN = "That time was just taken."
RESCHEDULE_NO_TICKET = "I couldn't open a ticket just now."

# Support
TRY_THIS = "Let's try this."
NEXT_STEP = "Okay, next step."
FIXED_QUESTION = "Did that fix it?"
HELPED_QUESTION = "Did that help?"
FIXED = "Great, glad that fixed it."
DETAILS_QUESTION = "I can open a ticket for that. Tell me briefly what's going on."
DETAILS_RETRY = "Please tell me in a few words what the ticket should say."
DETAILS_OTHER_WAY = "In a sentence, what would you like the team to look into?"

# Handoffs: the reason's lead, then the handoff itself.
HANDOFF_LEADS = {
    "caller_request": "Sure.",
    "identity_failure": "I'm sorry, I can't verify the account.",
    "negative_sentiment": "I'm sorry about this.",
    "low_confidence": "I'm having trouble understanding.",
    "repeated_failure": "I'm sorry, this isn't working.",
    "other": "I can't finish that on this call.",
}
HANDOFF = "I'm connecting you with a person now."
HANDOFF_PASSED_ON = "I've passed on what we covered."


def read_back(value: str) -> str:
    """Digits as a caller said them: a US number without its +1 country code."""
    return speak.say_digits(value[2:] if value.startswith("+1") and len(value) == 12 else value.lstrip("+"))


def handoff(reason: str, lead: str | None, passed_on: bool) -> str:
    """The handoff line: why, that a person is coming, and that they know what was said."""
    parts = [lead or HANDOFF_LEADS.get(reason, ""), HANDOFF, HANDOFF_PASSED_ON if passed_on else ""]
    return " ".join(p for p in parts if p)


def backend_down(system: str) -> str:
    """A backend that stays down, said plainly."""
    return f"Sorry, our {system} system isn't responding right now."


def ticket_opened(ticket: str, purpose: str) -> str:
    """A ticket read back by its id (opaque: letters and digits read one by one)."""
    return f"I've opened ticket {speak.say_digits(ticket)} {purpose}."


def ticket_already_open(ticket: str) -> str:
    """A further ticket asked for before verification: the workflow answers with the call's one."""
    return (
        f"There's already a ticket open from this call, ticket {speak.say_digits(ticket)}, and the team "
        "will follow up with you on it. I can open another once your account is verified."
    )


def complaint_ticket(ticket: str, billing: bool) -> str:
    """A complaint, taken seriously: the caller hears the ticket and who looks into it."""
    who = (
        "about the charge; our billing team will look into it and follow up"
        if billing
        else "about that; the team will follow up"
    )
    return f"I'm sorry about that. {ticket_opened(ticket, who)}"


def identifier_read_back(value: str) -> str:
    """A phone number or order number the caller said, to be confirmed."""
    what = "phone number" if value.startswith("+") else "order number"
    return f"That's the {what} {read_back(value)}, right?"


def identifier_heard(value: str) -> str:
    """An identifier given with the request, confirmed before it is used."""
    what = "phone number" if value.startswith("+") else "order number"
    return f"To find your account: the {what} is {read_back(value)}, right?"


def zip_read_back(zip_code: str) -> str:
    """A spoken ZIP code, to be confirmed (no "ZIP" in it: the suite answers ZIP questions with digits)."""
    return f"That's {speak.say_digits(zip_code)}, right?"


def zip_heard(zip_code: str) -> str:
    """A ZIP code given with the request, confirmed before it is used."""
    return f"I'll verify you with the code you gave: {speak.say_digits(zip_code)}. Is that right?"


def last4_read_back(last4: str) -> str:
    """The last four digits of a phone number, to be confirmed."""
    return f"That's {speak.say_digits(last4)}, right?"


def name_read_back(name: str) -> str:
    """A name the caller said, to be confirmed (as their words: nothing here is from the record)."""
    return f"You said the name on the account is {name}, right?"


def verified(first_name: str | None) -> str:
    """The caller passed the second factor."""
    return f"Thanks{', ' + first_name if first_name else ''}, you're verified."


def order_read_back(order_id: str) -> str:
    """A spoken order number, to be confirmed."""
    return f"That's order {speak.say_digits(order_id)}, right?"


def order_not_found(order_id: str) -> str:
    """A lookup that found no such order on this account (another customer's looks the same)."""
    return f"I couldn't find order {speak.say_digits(order_id)} on your account."


def most_recent(order_id: str, placed: str) -> str:
    """The newest order, named before its status is given."""
    return f"Your most recent order is {speak.say_digits(order_id)}, placed {placed}."


def refund_offer(order_id: str, money: str) -> str:
    """A refund the policy approves, offered before it is made."""
    return f"Order {speak.say_digits(order_id)} qualifies for a refund of {money}. Shall I go ahead?"


def refund_done(money: str, order_id: str, refund_id: str) -> str:
    """A refund made."""
    return (
        f"Done. I've refunded {money} on order {speak.say_digits(order_id)}; "
        f"the refund reference is {speak.say_digits(refund_id)}."
    )


def already_refunded(order_id: str) -> str:
    """Nothing left to refund."""
    return f"Order {speak.say_digits(order_id)} has already been refunded."


def not_refundable(order_id: str) -> str:
    """A refund the policy refuses outright."""
    return f"Order {speak.say_digits(order_id)} can't be refunded on this call."


def refund_review(order_id: str, why: str, ticket: str) -> str:
    """A refund sent to the team, with the ticket that tracks it."""
    return (
        f"Order {speak.say_digits(order_id)} {why}, so I can't refund it on this call. "
        f"I've opened ticket {speak.say_digits(ticket)} so the team can review it."
    )


def account(plan: str, status: str, balance: str) -> str:
    """The account summary."""
    return f"You're on the {plan} plan, your account is {status}, and your balance is {balance}."


def appointment_now(service: str, when: str) -> str:
    """The appointment as booked."""
    return f"Your {service} is on {when}."


def slot_offer(options: str) -> str:
    """The open times."""
    return f"I can move it to {options}. Which works best?"


def slot_retry(options: str) -> str:
    """The open times again, after an answer that named none of them."""
    return f"Sorry, which one: {options}?"


def slot_keypad(options: list[str]) -> str:
    """The open times as keypad choices."""
    keys = [f"{i} for {o}" for i, o in enumerate(options, 1)]
    listed = keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + f", or {keys[-1]}"
    return f"You can also use the keypad: press {listed}. Which one works?"


def slot_reoffer(options: str) -> str:
    """The open times after the caller declined the one they picked."""
    return f"Okay. The open times are {options}. Which works best?"


def slot_confirm(service: str, when: str) -> str:
    """The chosen time, confirmed before the move."""
    return f"To confirm: move your {service} to {when}?"


def rescheduled(service: str, when: str) -> str:
    """The move made."""
    return f"Done. Your {service} is now on {when}."


def no_slots(service: str, ticket: str | None) -> str:
    """No open times: the ticket that gets scheduling to call back."""
    follow = f" I've opened ticket {speak.say_digits(ticket)} so scheduling can call you." if ticket else ""
    return f"I don't have open times for your {service} right now.{follow}"


def no_slot_suits(ticket: str | None) -> str:
    """None of the offered times suits."""
    if ticket is None:
        return RESCHEDULE_NO_TICKET
    return f"I've opened ticket {speak.say_digits(ticket)} so scheduling can find you another time."


def keypad_yes_no(question: str) -> str:
    """A yes/no question on a bad line: the keypad first."""
    return f"{question} Press 1 for yes or 2 for no."


def yes_no_keypad(question: str) -> str:
    """A yes/no question, with the keypad as another way to answer."""
    return f"{question} You can also press 1 for yes or 2 for no."


# The keypad menu (`menu`): a request the line would not carry, chosen with a key.
MENU_PROBLEM = "Okay, a technical problem. In a few words, what isn't working?"


def keypad_menu(options: list[tuple[str, str]], again: bool = False) -> str:
    """The choices, each with its key (`(key, what)` pairs), and 0 for a person."""
    keys = ", ".join(f"{key} for {what}" for key, what in options)
    if again:
        return f"Please press a key: {keys}, or 0 for a person."
    return f"Sorry, I'm having trouble hearing you. Please press {keys}, or 0 for a person."
