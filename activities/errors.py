"""The error types activities raise, and which of them are worth a retry.

Temporal retries an activity unless its error type is listed as
non-retryable. Bad input, a record that is not there and a backend that
refuses the request will not change on a second try, so they fail at once
with a message safe to show (it never echoes another customer's data);
timeouts, connection errors, 429 and 5xx are retried with backoff.
"""

from __future__ import annotations

from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

# Expected answers in a conversation (a mistyped ZIP, an unknown order): logged
# at debug level and kept out of failure metrics, unlike real faults.
BENIGN = ApplicationErrorCategory.BENIGN

INVALID_INPUT = "InvalidInput"
NOT_FOUND = "NotFound"
REJECTED = "Rejected"
AUTH = "BackendAuth"
UNAVAILABLE = "BackendUnavailable"

NON_RETRYABLE = [INVALID_INPUT, NOT_FOUND, REJECTED, AUTH]


def invalid_input(message: str) -> ApplicationError:
    """The caller-supplied value is malformed (an email without '@', a 3-digit ZIP)."""
    return ApplicationError(message, type=INVALID_INPUT, non_retryable=True, category=BENIGN)


def not_found(message: str) -> ApplicationError:
    """No such record *for this customer* — deliberately the same as "not yours"."""
    return ApplicationError(message, type=NOT_FOUND, non_retryable=True, category=BENIGN)


def rejected(message: str) -> ApplicationError:
    """The backend understood and refused (slot taken, refund not allowed)."""
    return ApplicationError(message, type=REJECTED, non_retryable=True, category=BENIGN)


def auth_failed(system: str) -> ApplicationError:
    """Our credentials were refused: a configuration problem, retrying cannot help."""
    return ApplicationError(f"{system} refused our credentials", type=AUTH, non_retryable=True)


def unavailable(message: str) -> ApplicationError:
    """A timeout, connection error, 429 or 5xx: retried by Temporal with backoff."""
    return ApplicationError(message, type=UNAVAILABLE)


def out_of_time(system: str) -> ApplicationError:
    """Still unavailable, and the activity's time is up: no further attempt could finish.

    The same type as `unavailable` (the brain hears "not responding"), but final, so the
    activity ends as a failure inside its budget rather than by a Temporal timeout.
    """
    return ApplicationError(f"{system} did not answer in time", type=UNAVAILABLE, non_retryable=True)
