"""What the tool arguments refused before backend ids became opaque, for calls recorded then.

Until then an order number had to be 3 to 12 digits and an appointment id look like `A501`;
"SO-7781" or a UUID was answered `invalid_input` without running an activity. A call
recorded under those rules must replay the same answer (a new activity in its history would
be nondeterminism), so the workflow asks `refusal` only when `workflow.patched` says the
call started before the change.
"""

from __future__ import annotations

import re
from typing import Any

PATCH = "opaque-ids"

_SEPARATORS = re.compile(r"[\s\-().#]")
_APPOINTMENT_ID = re.compile(r"^A\d{1,10}$")


def refusal(arguments: dict[str, Any]) -> str | None:
    """The message the old argument checks gave for these arguments, or None if they passed.

    Args:
        arguments: A tool's arguments, already valid under today's rules.
    """
    order = arguments.get("order_id")
    if isinstance(order, str):
        digits = _SEPARATORS.sub("", order)
        if not digits.isdigit() or not 3 <= len(digits) <= 12:
            return "order_id: an order number is 3 to 12 digits"
    appointment = arguments.get("appointment_id")
    if isinstance(appointment, str) and not _APPOINTMENT_ID.match(appointment.strip().upper()):
        return "appointment_id: an appointment id looks like A501"
    return None
