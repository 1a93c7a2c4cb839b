"""The second-business generator and the held-out split (issue 13, "Held-out acceptance").

The acceptance number only means something if the held-out business and callers
are really different from what the agent is tuned on, so this checks the
generator is deterministic, that its seeds honour DESIGN.md's seed contract,
and that tune and held-out share no id, product, article or phrasing; and that the
simulated callers understand the agent by meaning and say their values so they can be heard back.
"""

from __future__ import annotations

import json
import random
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bench.callers import Population, spoken_value
from bench.hearing import hear, normalize, value_runs
from bench.phrases import HELDOUT as HELDOUT_BANK
from bench.phrases import TUNE as TUNE_BANK
from sandbox import business
from sandbox.business_profiles import HELDOUT, TUNE
from sandbox.seed import ORDER_STATUSES, load_seed

SEEDS = Path(business.__file__).resolve().parent / "seeds"
E164 = re.compile(r"^\+[1-9]\d{7,14}$")
REQUIRED = {
    "customers": {"id", "name", "phone", "email", "zip", "balance_cents", "plan", "status"},
    "orders": {
        "id",
        "customer_id",
        "status",
        "carrier",
        "tracking",
        "eta",
        "total_cents",
        "placed_at",
        "items",
    },
    "appointments": {"id", "customer_id", "service", "starts_at", "status"},
    "slots": {"service", "starts_at"},
    "articles": {"id", "title", "body", "tags"},
}


def committed(name: str) -> dict[str, Any]:
    return dict(json.loads((SEEDS / f"{name}.json").read_text()))


def ids(seed: dict[str, Any]) -> set[str]:
    return {r["id"] for kind in ("customers", "orders", "appointments", "articles") for r in seed[kind]}


def test_generator_is_deterministic_and_matches_the_committed_files() -> None:
    assert business.generate("audio", 1) == business.generate("audio", 1)
    assert business.generate("audio", 1) != business.generate("audio", 3)
    assert business.generate("audio", 1) == committed("tune")
    assert business.generate("home", 2) == committed("heldout")


def test_cli_writes_the_same_seed(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    business.main(["--business", "home", "--seed", "2", "--out", str(out)])
    assert json.loads(out.read_text()) == committed("heldout")


@pytest.mark.parametrize("name", ["tune", "heldout"])
def test_seed_honours_the_contract(name: str) -> None:
    seed = committed(name)
    for kind, fields in REQUIRED.items():
        assert seed[kind], kind
        for record in seed[kind]:
            assert fields <= set(record), (kind, record)
        if kind != "slots":
            assert len({r["id"] for r in seed[kind]}) == len(seed[kind]), f"duplicate {kind} id"
    customers = {c["id"] for c in seed["customers"]}
    assert len({c["phone"] for c in seed["customers"]}) == len(customers)
    assert len({c["email"].lower() for c in seed["customers"]}) == len(customers)
    for c in seed["customers"]:
        assert E164.match(c["phone"]) and "@" in c["email"] and re.fullmatch(r"\d{5}", c["zip"])
    for o in seed["orders"]:
        assert o["customer_id"] in customers
        assert o["total_cents"] == sum(i["qty"] * i["price_cents"] for i in o["items"])
        assert (o["carrier"] is None) == (o["tracking"] is None)
    for record in seed["appointments"] + seed["slots"]:
        assert datetime.fromisoformat(record["starts_at"]).tzinfo is not None
    assert all(a["customer_id"] in customers for a in seed["appointments"])
    assert {a["status"] for a in seed["appointments"]} <= {"booked", "completed", "cancelled"}
    assert any(a["status"] == "booked" for a in seed["appointments"])
    policy = seed["refund_policy"]
    assert policy["window_days"] >= 0 and policy["auto_approve_max_cents"] >= 0


@pytest.mark.parametrize("name", ["tune", "heldout"])
def test_seed_is_unlike_the_default_business(name: str) -> None:
    seed = committed(name)
    statuses = {o["status"] for o in seed["orders"]}
    assert {"delayed", "on_hold", "partially_refunded", "returned"} <= statuses
    assert statuses - set(ORDER_STATUSES), "needs statuses beyond the default eight"
    assert not any(re.fullmatch(r"C\d+", c["id"]) for c in seed["customers"])
    assert not any(o["id"].isdigit() for o in seed["orders"])
    assert not any(a["id"].startswith("KB") for a in seed["articles"])
    offsets = {datetime.fromisoformat(s["starts_at"]).utcoffset() for s in seed["slots"]}
    assert len(offsets) == 1 and offsets != {datetime.fromisoformat("2026-12-01T10:00:00-08:00").utcoffset()}
    # Troubleshooting with steps, and general answers callers ask for.
    bodies = [a["body"] for a in seed["articles"]]
    assert sum(bool(re.search(r"\b1\. .*\b2\. ", b)) for b in bodies) >= 4


def test_tune_and_heldout_share_no_ids_products_articles_or_zone() -> None:
    tune, heldout = committed("tune"), committed("heldout")
    assert not ids(tune) & ids(heldout)
    assert not {n for n, _ in TUNE.catalog} & {n for n, _ in HELDOUT.catalog}
    assert not {a.title for a in TUNE.articles} & {a.title for a in HELDOUT.articles}
    assert not {s for a in TUNE.articles for s in a.symptoms} & {
        s for a in HELDOUT.articles for s in a.symptoms
    }
    assert TUNE.utc_offset != HELDOUT.utc_offset
    assert tune["refund_policy"] != heldout["refund_policy"]


def test_phrasing_banks_cover_the_same_acts_with_no_shared_wording() -> None:
    assert set(TUNE_BANK) == set(HELDOUT_BANK)
    for act in TUNE_BANK:
        assert TUNE_BANK[act] and HELDOUT_BANK[act], act
    tune = {
        p.lower() for phrases in TUNE_BANK.values() for p in phrases if p not in ("{problem}", "{question}")
    }
    held = {p.lower() for phrases in HELDOUT_BANK.values() for p in phrases}
    assert not tune & held


@pytest.mark.parametrize("name", ["tune", "heldout"])
def test_sandbox_loads_the_seed(name: str) -> None:
    seed = load_seed(SEEDS / f"{name}.json")
    assert len(seed.customers) == len(committed(name)["customers"])


@pytest.mark.parametrize(
    ("agent", "act"),
    [
        ("What's the billing ZIP code on the account?", "zip"),
        ("And the postal code for that account, please?", "zip"),
        ("Please say or key in the 5-digit billing VIP code.", "zip"),
        ("I have eight oh two oh two. Is that right?", "confirm"),
        ("Did I get that right: S O seven two six three?", "confirm"),
        ("I can do Tuesday, February 23rd at 9 AM or Wednesday at 2 PM. Which works best?", "slots"),
        ("Your balance is 12 dollars. Is there something else I can do for you?", "anything_else"),
        ("Your balance is 12 dollars. Anything else I can help with?", "anything_else"),
        ("Try holding the reset button for ten seconds. Is it working now?", "fix_check"),
        ("To find your account, what's the phone number or e-mail on it?", "identify"),
        ("Which order is it about? You can say the order number.", "order"),
        ("It qualifies for a refund of 34 dollars. Would you like me to go ahead?", "offer"),
        ("Thanks for calling. Goodbye.", "ended"),
        ("Are you still there?", "still_there"),
    ],
)
def test_callers_understand_the_agent_by_meaning(agent: str, act: str) -> None:
    assert hear(agent).act == act


def test_a_read_back_is_compared_as_spoken_digits_and_letters() -> None:
    assert hear("That's S O seven two six three, right?").value == "SO7263"
    assert hear("I have four oh four, five five five, two nine five four. Correct?").value == "4045552954"
    assert value_runs("double seven thirty three") == ["7733"]


@pytest.mark.parametrize("bank", ["tune", "heldout"])
def test_spoken_values_are_heard_back_as_the_value(bank: str) -> None:
    rng = random.Random(5)
    for value in ("80202", "30308", "SO-7263", "#1042", "3035552867", "80907"):
        for _ in range(30):
            spoken = re.sub(r" as in \w+", "", spoken_value(value, rng, bank))
            assert "".join(value_runs(spoken)) == normalize(value), spoken


def test_population_is_deterministic_and_follows_the_call_mix() -> None:
    seed = committed("heldout")
    population = Population(seed, HELDOUT.articles, "heldout")
    cases = population.cases(600, random.Random(1))
    again = population.cases(600, random.Random(1))
    assert [(c.goal.intent, c.style, c.customer["id"]) for c in cases] == [
        (c.goal.intent, c.style, c.customer["id"]) for c in again
    ]
    share = sum(c.goal.intent == "order_status" for c in cases) / len(cases)
    assert 0.28 < share < 0.42
    assert {c.style for c in cases} == {"terse", "rambling", "repeater", "self_correcting", "up_front"}
    for c in cases:
        if c.goal.intent == "reschedule":
            assert c.goal.appointment is not None and c.goal.appointment["customer_id"] == c.customer["id"]
        if c.goal.order is not None:
            assert c.goal.order["customer_id"] == c.customer["id"]
