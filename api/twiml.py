"""The TwiML documents the API answers with, built with twilio-python's classes.

Built with the SDK rather than by string formatting so attribute names and escaping are
Twilio's own (PROTOCOLS.md §1: twilio-python builds exactly the `<Connect><Stream>` shape).
"""

from __future__ import annotations

from twilio.twiml.voice_response import Connect, Stream, VoiceResponse

TWIML_MEDIA_TYPE = "text/xml"

TRANSFER_LINE = "Connecting you to a specialist."
APOLOGY_LINE = "Sorry, we lost the line for a moment. Connecting you to a specialist."


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
        stream.parameter(name=name, value=value)
    connect.append(stream)
    response = VoiceResponse()
    response.append(connect)
    return str(response)


def hang_up() -> str:
    """`<Response><Hangup/></Response>`: the agent finished the call."""
    response = VoiceResponse()
    response.hangup()
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


def empty() -> str:
    """`<Response/>`: nothing to do (the caller already hung up)."""
    return str(VoiceResponse())
