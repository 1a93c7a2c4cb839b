"""Rewrite a generated seed into the default seed's id shapes and eight statuses.

Only for measuring code that still rejects foreign shapes (issue 13, item 1):
with `--shapes legacy` the acceptance run loads, so the *other* failures
(repair, "anything else?", answers) can be counted before opaque ids land. The
native seed is the one that counts; this is a diagnostic, never the default.
"""

from __future__ import annotations

import copy
from typing import Any

Record = dict[str, Any]

# Each foreign status to the nearest of the default eight, by what a caller should hear.
NEAREST = {
    "unfulfilled": "pending",
    "awaiting_payment": "pending",
    "on_hold": "processing",
    "backordered": "processing",
    "in_transit": "shipped",
    "dispatched": "shipped",
    "delayed": "shipped",
    "installed": "delivered",
    "returned": "delivered",
    "partially_refunded": "delivered",
}


def legacy_shapes(seed: Record) -> Record:
    """A copy of `seed` with `C…` customers, numeric orders, `A…` visits, `KB…` articles.

    Args:
        seed: A seed as `sandbox.business` writes it.

    Returns:
        The same business with the default seed's id shapes and statuses.
    """
    out = copy.deepcopy(seed)
    customers = {c["id"]: f"C{3001 + i}" for i, c in enumerate(out["customers"])}
    for c in out["customers"]:
        c["id"] = customers[c["id"]]
    for i, o in enumerate(out["orders"]):
        o["id"] = str(20001 + i)
        o["customer_id"] = customers[o["customer_id"]]
        o["status"] = NEAREST.get(o["status"], o["status"])
    for i, a in enumerate(out["appointments"]):
        a["id"] = f"A{801 + i}"
        a["customer_id"] = customers[a["customer_id"]]
    for i, art in enumerate(out["articles"]):
        art["id"] = f"KB{i + 1}"
    return out
