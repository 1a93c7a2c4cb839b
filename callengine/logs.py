"""Logging for every callengine process: one line per record, JSON or text, personal data masked.

`configure()` sets up the root logger once per process (`callengine serve`, `worker`, `up`
and its children, the other commands). Every record goes through two filters on the way out:

- `CallSidFilter` names the call the record belongs to (`call_sid`): the one bound to the
  current task with `bind_call_sid` (the realtime session binds its call), else the call of
  the Temporal activity or workflow being run (its workflow id is `call-<CallSid>`).
- `RedactFilter` masks phone numbers (E.164, or 10 or more digits in a row, separators
  allowed; no digit is kept, not even the last four, which can be a second factor), e-mail
  addresses and the values of URL query strings (an HTTP client's request line carries a
  lookup's phone or e-mail, percent-encoded) in the message. Code should not log them in the
  first place; this is the safety net for what slips through (an exception quoting its input,
  a vendor's error text). Tracebacks are masked the same way by the formatters.
- Loggers whose debug lines are the call's words (Piper logs each sentence it speaks, read-backs
  of ZIPs and phone numbers included) are held at INFO whatever the root level.

`CALLENGINE_LOG_FORMAT` picks the format: `json` (one object per line: `time`, `level`,
`logger`, `message`, and `call_sid`, `exc_info` when there are) for log collectors, `text`
for people. Unset: text on a terminal, JSON otherwise (log files, containers, systemd).
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import IO, Any, Final, Literal

from temporalio import activity

__all__ = [
    "FORMATS",
    "CallSidFilter",
    "JsonFormatter",
    "RedactFilter",
    "TextFormatter",
    "bind_call_sid",
    "configure",
    "current_call_sid",
    "redact",
    "resolve_format",
]

LogFormat = Literal["json", "text"]
FORMATS: Final = ("json", "text")
TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_CALL_SID: contextvars.ContextVar[str | None] = contextvars.ContextVar("callengine_call_sid", default=None)
_WORKFLOW_ID = re.compile(r"^call-(CA[0-9a-fA-F]{32})$")

# An e-mail address: what a caller may spell out, or a CRM record may hold.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# Phone numbers as people and systems write them: E.164 or international with separators
# ("+14155550101", "+1 415 555 0101"), North American written out ("(415) 555-0101",
# "415.555.0101"), or a bare run of 10 to 15 digits. Never inside a word, so SIDs, hex ids and
# tracking numbers (letters next to the digits) stay whole; dates and times do not match.
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"\+\d[\d ().-]{6,}\d"
    r"|\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}"
    r"|\d{10,15}"
    r")(?!\w)"
)
# A query-string value in a URL ("…/customers?phone=%2B14155550101&x=1"): whatever a lookup sent.
_QUERY_VALUE = re.compile(r"(?<=[?&])([\w.\-\[\]]+=)[^&#\s\"'<>]+")
# Libraries whose debug lines are what a call says: Piper logs every sentence it speaks, and the
# agent reads back ZIPs, phone numbers and e-mail addresses to confirm them. Never below INFO.
_SPOKEN_TEXT_LOGGERS: Final = ("piper",)
_MIN_DIGITS_E164: Final = 8  # a "+" and a country code: shorter numbers are still numbers
_MAX_DIGITS: Final = 15  # E.164's longest


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text)
    if not _MIN_DIGITS_E164 <= len(digits) <= _MAX_DIGITS:
        return text
    # No digit at all: the last four of the phone on file can be a second factor (issue 14).
    return "•••"


def redact(text: str) -> str:
    """`text` with e-mail addresses and phone numbers masked.

    Args:
        text: A log message, a traceback, an error description.

    Returns:
        The text with each e-mail address replaced by `[email]`, each phone number and each
        URL query-string value by `•••`.
    """
    return _PHONE.sub(_mask_phone, _EMAIL.sub("[email]", _QUERY_VALUE.sub(r"\1•••", text)))


def bind_call_sid(call_sid: str | None) -> contextvars.Token[str | None]:
    """Name the call that log records of this task (and the tasks it starts) belong to.

    Args:
        call_sid: The Twilio Call SID, or None to unbind.

    Returns:
        The token to `reset` the binding with (unneeded when the task ends with the call).
    """
    return _CALL_SID.set(call_sid)


def current_call_sid() -> str | None:
    """The call the current code works for: the bound one, else the running activity's call."""
    bound = _CALL_SID.get()
    if bound is not None:
        return bound
    if activity.in_activity():
        return _sid_of(activity.info().workflow_id)
    return None


def _sid_of(workflow_id: object) -> str | None:
    match = _WORKFLOW_ID.match(workflow_id) if isinstance(workflow_id, str) else None
    return match.group(1) if match else None


class CallSidFilter(logging.Filter):
    """Sets `record.call_sid` (None when the record belongs to no call)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate the record; never drops one.

        Args:
            record: The record on its way to the handler.

        Returns:
            True.
        """
        if getattr(record, "call_sid", None):
            return True
        sid = current_call_sid()
        if sid is None:
            # Temporal's workflow and activity loggers put their info on the record: the only way
            # to know the call from workflow code, which runs outside the task's contextvars.
            for key in ("temporal_workflow", "temporal_activity"):
                info = record.__dict__.get(key)
                if isinstance(info, Mapping):
                    sid = _sid_of(info.get("workflow_id"))
                    if sid is not None:
                        break
        record.call_sid = sid
        return True


class RedactFilter(logging.Filter):
    """Masks phone numbers and e-mail addresses in the record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the message by its masked rendering; never drops a record.

        Args:
            record: The record on its way to the handler.

        Returns:
            True.
        """
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: logging reports it when formatting
            return True
        masked = redact(message)
        if masked != message:
            # Rendered once, here: the arguments (which held the data) are gone for every handler.
            record.msg, record.args = masked, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, call_sid and exc_info when set."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record.

        Args:
            record: The record (already through the filters).

        Returns:
            One line of JSON.
        """
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        call_sid = getattr(record, "call_sid", None)
        if call_sid:
            entry["call_sid"] = call_sid
        if record.exc_info:
            entry["exc_info"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack_info"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The classic one-line text format, with tracebacks masked like messages."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatException(self, ei: Any) -> str:
        """A traceback, masked."""
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        """A stack, masked."""
        return redact(super().formatStack(stack_info))


def resolve_format(
    requested: str | None = None, stream: IO[str] | None = None, env: Mapping[str, str] | None = None
) -> LogFormat:
    """The log format to use.

    Args:
        requested: An explicit choice (`json` or `text`), e.g. from a flag.
        stream: Where logs go; a terminal gets text when nothing was chosen.
        env: The environment (`os.environ` by default): `CALLENGINE_LOG_FORMAT`.

    Returns:
        `json` or `text`.

    Raises:
        ValueError: An unknown format was asked for.
    """
    env = os.environ if env is None else env
    choice = (requested or env.get("CALLENGINE_LOG_FORMAT", "")).strip().lower()
    if not choice:
        isatty = getattr(stream or sys.stderr, "isatty", None)
        return "text" if isatty is not None and isatty() else "json"
    if choice not in FORMATS:
        raise ValueError(f"CALLENGINE_LOG_FORMAT must be json or text, not {choice!r}")
    return "json" if choice == "json" else "text"


def configure(level: str | int = "info", fmt: str | None = None, stream: IO[str] | None = None) -> LogFormat:
    """Set up the root logger for this process (replacing any handlers it had).

    Args:
        level: The root level (`debug`, `info`, `warning`, `error`, or a number).
        fmt: `json` or `text`; None: `CALLENGINE_LOG_FORMAT`, else by whether `stream` is a terminal.
        stream: Where to write; stderr by default (stdout stays for a command's own output).

    Returns:
        The format chosen.

    Raises:
        ValueError: An unknown format or level.
    """
    out = stream or sys.stderr
    chosen = resolve_format(fmt, out)
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter() if chosen == "json" else TextFormatter())
    # On the handler, not a logger: records of every logger (uvicorn's, Temporal's, libraries')
    # pass here, including those that propagate from loggers nobody configured.
    handler.addFilter(CallSidFilter())
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for name in _SPOKEN_TEXT_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), logging.INFO))
    logging.captureWarnings(True)  # warnings become records: same format, same masking
    return chosen
