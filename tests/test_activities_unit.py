"""Activities alone: validation, policy and summaries, without a workflow."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities import errors, validation
from activities._http import segment
from activities.crm import CrmActivities, FindCustomerInput
from activities.knowledge import steps_of
from activities.orders import cents, summarize_order
from activities.refunds import decide
from activities.summary import SummaryInput, SummaryToolCall, SummaryTurn, summarize
from callengine.settings import BackendSettings, RefundPolicy


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("#10482", "10482"),
        ("1 0 4 8 2", "10482"),
        ("104-82", "10482"),
        (" 10482 ", "10482"),
        # Shops name orders with letters: as a caller says them, upper-cased, no separators.
        ("#1001", "1001"),
        ("SO-7781", "SO7781"),
        ("so 7781", "SO7781"),
        ("a1b2c3", "A1B2C3"),
        ("1" * 20, "1" * 20),
    ],
)
def test_order_numbers_normalise(raw: str, expected: str) -> None:
    assert validation.order_id(raw) == expected


@pytest.mark.parametrize("raw", ["12", "", "1" * 21, "ten thousand", "refund", "10482!", "१२३४"])
def test_bad_order_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="order number"):
        validation.order_id(raw)


@pytest.mark.parametrize(
    ("raw", "ok"), [("Maria@Example.com", "maria@example.com"), ("a.b+c@mail.co.uk", "a.b+c@mail.co.uk")]
)
def test_emails(raw: str, ok: str) -> None:
    assert validation.email(raw) == ok


@pytest.mark.parametrize(
    "raw",
    [
        "maria at example dot com",
        "maria@",
        "@example.com",
        "maria@example",
        "a b@example.com",
        "x" * 250 + "@example.com",
    ],
)
def test_bad_emails(raw: str) -> None:
    with pytest.raises(ValueError, match="e-mail"):
        validation.email(raw)


@pytest.mark.parametrize(
    "raw", ["C1001", "0035e00000AbC12QAE", "51", "3f2b8c1e-9d4a-4e2b-8f7a-1c2d3e4f5a6b", "H2001 ", "a/b?c#d"]
)
def test_backend_ids_are_opaque_and_unchanged(raw: str) -> None:
    assert validation.opaque_id(raw) == raw


@pytest.mark.parametrize("raw", ["", "x" * 129, "C1\n001", "C1\x00", "A\t1"])
def test_ids_that_cannot_be_ids_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="an id"):
        validation.opaque_id(raw)


def test_backend_ids_may_be_integers_and_a_missing_one_is_the_backends_fault() -> None:
    assert validation.backend_id(4711, "Zendesk") == "4711"
    with pytest.raises(ApplicationError) as e:
        validation.backend_id(None, "Zendesk")
    assert e.value.type == errors.UNAVAILABLE


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [("C1001", "C1001"), ("C1/notes", "C1%2Fnotes"), ("a?b#c", "a%3Fb%23c"), ("..", "%2E%2E"), (".", "%2E")],
)
def test_path_segments_are_percent_encoded(raw: str, encoded: str) -> None:
    assert segment(raw) == encoded


def test_zip_and_phone() -> None:
    assert validation.zip_code("94103-1234") == "94103"
    assert validation.zip_code("9 4 1 0 3") == "94103"
    assert validation.phone("(415) 555-0101") == "+14155550101"
    assert validation.phone("+44 20 7946 0958") == "+442079460958"
    for bad in ("941", "9410a"):
        with pytest.raises(ValueError):
            validation.zip_code(bad)
    with pytest.raises(ValueError):
        validation.phone("555-CALL-NOW")


def test_checked_turns_bad_input_into_a_non_retryable_error() -> None:
    with pytest.raises(ApplicationError) as e:
        validation.checked(validation.email, "nope")
    assert e.value.type == errors.INVALID_INPUT and e.value.non_retryable


def test_money_strings_to_cents_without_float_error() -> None:
    assert [cents(x) for x in ("89.99", "0.1", "12", "62.98", "0.07")] == [8999, 10, 1200, 6298, 7]


ORDER = {"id": 1, "created_at": "2026-11-06T00:00:00Z", "total_price": "62.98", "financial_status": "paid"}
POLICY = RefundPolicy(window_days=30, auto_approve_max_cents=10000)


def test_refund_policy() -> None:
    today = date(2026, 11, 25)
    assert decide(ORDER, 0, POLICY, today).reason == "within_policy"
    assert decide(ORDER, 0, POLICY, today).auto_approve
    assert decide(ORDER, 0, POLICY, date(2026, 12, 7)).reason == "outside_window"
    assert decide(ORDER, 6298, POLICY, today).reason == "already_refunded"
    partial = decide(ORDER, 1000, POLICY, today)
    assert partial.amount_cents == 5298 and partial.auto_approve
    big = decide({**ORDER, "total_price": "159.99"}, 0, POLICY, today)
    assert big.eligible and not big.auto_approve and big.reason == "over_auto_approve_limit"
    cancelled = decide({**ORDER, "cancelled_at": "2026-11-07"}, 0, POLICY, today)
    assert not cancelled.eligible and cancelled.reason == "not_refundable"


def test_refund_policy_ignores_the_shops_status_words() -> None:
    today = date(2026, 11, 25)
    # Any shop's status word rides along; only money, dates and cancellation decide.
    for word in ("on_hold", "partially_refunded", "returned", "delayed", "Wartend"):
        decision = decide({**ORDER, "callengine_status": word}, 0, POLICY, today)
        assert decision.reason == "within_policy", word
    unpaid = decide({**ORDER, "financial_status": "authorized"}, 0, POLICY, today)
    assert unpaid.reason == "not_refundable"  # nothing captured: nothing to give back
    undated = decide({**ORDER, "created_at": None}, 0, POLICY, today)
    assert not undated.eligible and undated.reason == "outside_window"  # a person decides


def test_order_summary_names_the_order_as_the_shop_does() -> None:
    named = {**ORDER, "name": "#SO-7781", "callengine_status": "on_hold"}
    summary = summarize_order(named)
    assert (summary.order_id, summary.status) == ("SO-7781", "on_hold")
    assert summarize_order({**ORDER, "name": "#1001"}).order_id == "1001"
    assert summarize_order(ORDER).order_id == "1"  # no name: the id


def test_order_summary_works_from_plain_shopify_fields() -> None:
    order = {
        "id": 7,
        "created_at": "2026-11-20T00:00:00Z",
        "total_price": "10.00",
        "financial_status": "paid",
        "fulfillment_status": "fulfilled",
        "line_items": [{"name": "Router", "quantity": 2}],
        "fulfillments": [
            {
                "tracking_company": "UPS",
                "tracking_number": "1Z",
                "shipment_status": "delivered",
                "estimated_delivery_at": "2026-11-24",
            }
        ],
    }
    s = summarize_order(order)
    assert (s.status, s.carrier, s.eta, s.items, s.total_cents) == (
        "delivered",
        "UPS",
        "2026-11-24",
        ["2 x Router"],
        1000,
    )
    assert summarize_order({**order, "fulfillments": [], "fulfillment_status": None}).status == "processing"


def test_article_steps() -> None:
    body = "1. Unplug the router for 30 seconds.\n2. Plug it back in. Wait for the light.\n- Test again"
    assert steps_of(body) == [
        "Unplug the router for 30 seconds.",
        "Plug it back in.",
        "Wait for the light.",
        "Test again",
    ]


async def test_summary_only_states_what_the_call_contained() -> None:
    out = await ActivityEnvironment().run(
        summarize,
        SummaryInput(
            call_id="call-CA1",
            customer_id="C1001",
            verified=True,
            intent="order_status",
            duration_s=95,
            turns=[
                SummaryTurn(speaker="caller", text="where is my order"),
                SummaryTurn(speaker="agent", text="It shipped."),
                SummaryTurn(speaker="caller", text="thanks"),
            ],
            tool_calls=[
                SummaryToolCall(name="lookup_order", ok=True, note="order 10482: shipped"),
                SummaryToolCall(name="create_ticket", ok=False),
            ],
            ended_reason="caller_hangup",
        ),
    )
    assert out.text.splitlines() == [
        "Call call-CA1: C1001 (verified), 95s, intent order status.",
        'Caller said first: "where is my order"',
        'Caller said last: "thanks"',
        "Actions: lookup_order (order 10482: shipped); create_ticket FAILED.",
        "Call ended: caller hangup.",
    ]


async def test_find_customer_against_a_mock_crm() -> None:
    seen: list[httpx.Request] = []

    def crm(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("Authorization") != "Bearer dev-crm-token":
            return httpx.Response(401, json={"error": {"code": "unauthorized", "message": "bad token"}})
        phone = request.url.params.get("phone")
        matches = [{"id": "C1"}] if phone == "+14155550101" else [{"id": "C2"}, {"id": "C3"}]
        return httpx.Response(200, json={"customers": matches})

    async with httpx.AsyncClient(transport=httpx.MockTransport(crm)) as http:
        acts = CrmActivities(http, BackendSettings())
        env = ActivityEnvironment()
        one = await env.run(acts.find_customer, FindCustomerInput(phone="(415) 555-0101"))
        assert one.found and one.customer_id == "C1"
        # Two records share the number: no guess, ask for something more specific.
        shared = await env.run(acts.find_customer, FindCustomerInput(phone="+14155550199"))
        assert not shared.found and shared.customer_id is None
        with pytest.raises(ApplicationError) as e:
            await env.run(acts.find_customer, FindCustomerInput(phone="+1", email="a@b.co"))
        assert e.value.type == errors.INVALID_INPUT
        bad = CrmActivities(http, BackendSettings(crm_token="wrong"))
        with pytest.raises(ApplicationError) as e:
            await env.run(bad.find_customer, FindCustomerInput(email="maria@example.com"))
        assert e.value.type == errors.AUTH and e.value.non_retryable
    assert seen[0].url.params["phone"] == "+14155550101"


async def test_server_errors_and_timeouts_are_retryable() -> None:
    def flaky(request: httpx.Request) -> httpx.Response:
        if "timeout" in str(request.url):
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(503, text="<html>maintenance</html>")

    async with httpx.AsyncClient(transport=httpx.MockTransport(flaky)) as http:
        env = ActivityEnvironment()
        acts = CrmActivities(http, BackendSettings())
        with pytest.raises(ApplicationError) as e:
            await env.run(acts.find_customer, FindCustomerInput(email="maria@example.com"))
        assert e.value.type == errors.UNAVAILABLE and not e.value.non_retryable
        slow = CrmActivities(http, BackendSettings(crm_base_url="http://timeout.invalid"))
        with pytest.raises(ApplicationError) as e:
            await env.run(slow.find_customer, FindCustomerInput(email="maria@example.com"))
        assert e.value.type == errors.UNAVAILABLE and "timed out" in e.value.message


def test_cost_per_call_from_the_price_table() -> None:
    from callengine.settings import PriceTable

    prices = PriceTable()
    # A 4-minute cloud call: 4 min of line and stream, 2 min of speech recognized,
    # 6k/600 LLM tokens, 1200 characters spoken.
    cost = prices.cost(
        phone_s=240,
        stt_s=120,
        stt="deepgram",
        tokens_in=6000,
        tokens_out=600,
        tts_chars=1200,
        tts="elevenlabs",
    )
    assert cost == pytest.approx(
        4 * (0.0085 + 0.004) + 2 * 0.0077 + 0.006 * 0.15 + 0.0006 * 0.60 + 1.2 * 0.05
    )
    assert cost < 0.50  # the seed's headline: about $0.50 per AI-handled call
    local = prices.cost(
        phone_s=240, stt_s=120, stt="whisper", tokens_in=0, tokens_out=0, tts_chars=1200, tts="piper"
    )
    assert local == pytest.approx(4 * (0.0085 + 0.004))
    custom = PriceTable.from_env({"CALLENGINE_PRICES": '{"phone_per_min": 0.02}'})
    assert custom.phone_per_min == 0.02 and custom.deepgram_per_min == prices.deepgram_per_min
    with pytest.raises(ValueError, match="CALLENGINE_PRICES"):
        PriceTable.from_env({"CALLENGINE_PRICES": '{"nope": 1}'})
