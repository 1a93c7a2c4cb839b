"""The TwiML documents the API answers with, built with twilio-python's classes.

Built with the SDK rather than by string formatting so attribute names and escaping are
Twilio's own (PROTOCOLS.md §1: twilio-python builds exactly the `<Connect><Stream>` shape).
"""

from __future__ import annotations

import re

from twilio.twiml.voice_response import Connect, Stream, VoiceResponse

from workflows.types import CallState

TWIML_MEDIA_TYPE = "text/xml"

TRANSFER_LINE = "Connecting you to a specialist."
APOLOGY_LINE = "Sorry, we lost the line for a moment. Connecting you to a specialist."


# Characters XML 1.0 cannot carry at all, escaped or not. ElementTree writes them raw, which makes
# a document Twilio cannot parse (the call fails), so request values lose them on the way in.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters no XML document may contain (control characters and such)."""
    return _NOT_XML.sub("", text)


def connect_stream(
    *, action_url: str, stream_url: str, status_callback_url: str, parameters: dict[str, str]
) -> str:
    """`<Connect action><Stream url statusCallback><Parameter/>...</Stream></Connect>`.

    Args:
        action_url: Requested when the stream ends: decides what happens to the caller next.
        stream_url: The media WebSocket, `ws(s)://...`, without a query string (Twilio 31920);
            values travel as `<Parameter>`s instead and arrive in `start.customParameters`.
        status_callback_url: Receives stream-started/stopped/error events.
        parameters: Name → value for the `<Parameter>`s.

    Returns:
        The TwiML document.

    Raises:
        ValueError: The stream URL has a query string.
    """
    if "?" in stream_url:
        raise ValueError("a Media Streams URL must not carry a query string (Twilio error 31920)")
    connect = Connect(action=action_url, method="POST")
    stream = Stream(url=stream_url, status_callback=status_callback_url, status_callback_method="POST")
    for name, value in parameters.items():
        stream.parameter(name=xml_safe(name), value=xml_safe(value))
    connect.append(stream)
    response = VoiceResponse()
    response.append(connect)
    return str(response)


def hang_up() -> str:
    """`<Response><Hangup/></Response>`: the agent finished the call."""
    response = VoiceResponse()
    response.hangup()
    return str(response)


def reject_busy() -> str:
    """`<Response><Reject reason="busy"/></Response>`: the call is refused, unanswered (not billed)."""
    response = VoiceResponse()
    response.reject(reason="busy")
    return str(response)


def enqueue(queue: str, say: str) -> str:
    """`<Response><Say>…</Say><Enqueue>queue</Enqueue></Response>`: hand the caller to people.

    Args:
        queue: The human queue's name (`CALLENGINE_HUMAN_QUEUE`).
        say: A short line spoken first, so the caller knows what is happening.

    Returns:
        The TwiML document.
    """
    response = VoiceResponse()
    response.say(say)
    response.enqueue(queue)
    return str(response)


def whisper(state: CallState | None, ticket_id: str | None) -> str:
    """What the human hears after answering a transfer, before the caller is connected.

    Spoken from the workflow's record so the caller never has to repeat themselves: why the
    call came over, who it is (account id, whether verified), what it is about, what the agent
    already did. Names, numbers and e-mails are not read out: the account id finds them.

    Args:
        state: The call's state, or None if Temporal could not be asked.
        ticket_id: The handoff ticket, if the transfer named one.

    Returns:
        The TwiML document.
    """
    lines = ["Transfer from the A I agent."]
    if state is None:
        lines.append(
            "The call details are in the handoff ticket." if ticket_id else "No call details are available."
        )
    else:
        reason = (state.escalation_reason or "caller request").replace("_", " ")
        lines.append(f"Reason: {reason}.")
        if state.customer_id:
            lines.append(f"Customer {state.customer_id}, {'verified' if state.verified else 'not verified'}.")
        else:
            lines.append("The caller was not identified.")
        if state.intent:
            lines.append(f"About: {state.intent.replace('_', ' ')}.")
        done = [c.note or c.name.replace("_", " ") for c in state.tool_calls if c.name != "escalate"][-3:]
        if done:
            lines.append("So far: " + "; ".join(done) + ".")
    if ticket_id:
        lines.append(f"Ticket {ticket_id}.")
    response = VoiceResponse()
    response.say(" ".join(lines))
    return str(response)


def empty() -> str:
    """`<Response/>`: nothing to do (the caller already hung up)."""
    return str(VoiceResponse())
