"""Every side effect and lookup of a call, one module per backend system.

Each module holds a small class that receives its httpx client and settings
(dependency injection: tests pass a sandbox, production passes real
endpoints) and exposes `@activity.defn` methods that validate their input and
return a small pydantic model — never raw backend JSON.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from activities.appointments import AppointmentsActivities
from activities.crm import CrmActivities
from activities.handoff import HandoffActivities
from activities.knowledge import KnowledgeActivities
from activities.lockout import LockoutActivities
from activities.orders import OrdersActivities
from activities.refunds import RefundsActivities
from activities.summary import summarize
from activities.telephony import TelephonyActivities
from activities.tickets import TicketsActivities
from callengine.settings import BackendSettings

ACTIVITY_CLASSES = (
    CrmActivities,
    OrdersActivities,
    RefundsActivities,
    AppointmentsActivities,
    KnowledgeActivities,
    TicketsActivities,
    HandoffActivities,
    TelephonyActivities,
    LockoutActivities,
)


def build_activities(http: httpx.AsyncClient, settings: BackendSettings) -> list[Callable[..., Any]]:
    """Instantiate every activity class and list its activities, for a worker to register."""
    found: list[Callable[..., Any]] = [summarize]
    for cls in ACTIVITY_CLASSES:
        instance = cls(http, settings)
        for name in dir(instance):
            member = getattr(instance, name)
            if callable(member) and hasattr(member, "__temporal_activity_definition"):
                found.append(member)
    return found


def warmups(found: list[Callable[..., Any]]) -> list[Callable[[], Awaitable[None]]]:
    """The `warm()` of every activity instance that has one (the help-center index, say).

    Work a worker does at start, so the first caller does not wait for it.
    """
    owners = {id(o): o for m in found if (o := getattr(m, "__self__", None)) is not None}
    return [o.warm for o in owners.values() if callable(getattr(o, "warm", None))]


__all__ = [
    "ACTIVITY_CLASSES",
    "AppointmentsActivities",
    "CrmActivities",
    "HandoffActivities",
    "KnowledgeActivities",
    "LockoutActivities",
    "OrdersActivities",
    "RefundsActivities",
    "TelephonyActivities",
    "TicketsActivities",
    "build_activities",
    "summarize",
    "warmups",
]
