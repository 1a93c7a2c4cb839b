"""The fake OpenAI server speaks the wire format the real SDK expects (PROTOCOLS.md §6)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest
from openai import AsyncOpenAI

from tests.fakes.openai_server import API_KEY, FakeOpenAI, fake_openai, fake_openai_server

__all__ = ["fake_openai", "fake_openai_server"]  # fixtures, imported for pytest

TOOLS: list[Any] = [
    {
        "type": "function",
        "function": {
            "name": "lookup_order",
            "description": "Look up an order.",
            "parameters": {
                "type": "object",
                "properties": {"order_id": {"type": "string"}},
                "required": ["order_id"],
            },
        },
    }
]


def client(fake: FakeOpenAI, key: str = API_KEY) -> AsyncOpenAI:
    return AsyncOpenAI(api_key=key, base_url=fake.base_url, max_retries=0)


async def stream(llm: AsyncOpenAI, messages: list[Any]) -> list[Any]:
    chunks = await llm.chat.completions.create(
        model="gpt-4o-mini",
        messages=messages,
        tools=TOOLS,
        stream=True,
        stream_options={"include_usage": True},
        temperature=0,
    )
    return [c async for c in chunks]


async def test_text_streams_in_several_deltas_then_usage(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply_text("Your order shipped with UPS. It arrives Friday.")
    chunks = await stream(client(fake_openai), [{"role": "user", "content": "where is my order"}])

    with_choices = [c for c in chunks if c.choices]
    assert {c.id for c in chunks} == {chunks[0].id} and chunks[0].id.startswith("chatcmpl-")
    assert {c.model for c in chunks} == {"gpt-4o-mini"} and len({c.created for c in chunks}) == 1
    assert with_choices[0].choices[0].delta.role == "assistant"
    deltas = [c.choices[0].delta.content for c in with_choices if c.choices[0].delta.content]
    assert len(deltas) > 3
    assert "".join(deltas) == "Your order shipped with UPS. It arrives Friday."
    assert [c.choices[0].finish_reason for c in with_choices][-1] == "stop"
    # The usage chunk comes last, with no choices; every other chunk has usage None.
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert (
        chunks[-1].usage.total_tokens == chunks[-1].usage.prompt_tokens + chunks[-1].usage.completion_tokens
    )
    assert all(c.usage is None for c in with_choices)

    req = fake_openai.requests[0]
    assert req.path == "/v1/chat/completions" and req.headers["authorization"] == f"Bearer {API_KEY}"
    assert req.body is not None
    assert req.body["stream"] is True and req.body["temperature"] == 0
    assert req.body["stream_options"] == {"include_usage": True}
    assert req.tool_names() == ["lookup_order"]


async def test_tool_call_fragments_reassemble_per_index(fake_openai: FakeOpenAI) -> None:
    scripted = fake_openai.reply_tools(
        [("lookup_order", {"order_id": "10482"}), ("lookup_order", {"order_id": "10561"})],
        text_before="Let me check both.",
    )
    chunks = await stream(client(fake_openai), [{"role": "user", "content": "two orders please"}])

    text = ""
    calls: dict[int, dict[str, str]] = {}
    fragments: dict[int, int] = {}
    for c in chunks:
        if not c.choices:
            continue
        d = c.choices[0].delta
        text += d.content or ""
        for tc in d.tool_calls or []:
            slot = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
            fragments[tc.index] = fragments.get(tc.index, 0) + 1
            if tc.id:
                # Only the first fragment of a call names it.
                assert slot["id"] == "" and tc.function is not None and tc.function.arguments == ""
                slot["id"], slot["name"] = tc.id, tc.function.name or ""
            elif tc.function is not None:
                assert tc.function.name is None
                slot["arguments"] += tc.function.arguments or ""
    assert text == "Let me check both."
    assert [calls[i]["id"] for i in (0, 1)] == scripted.call_ids
    assert [json.loads(calls[i]["arguments"]) for i in (0, 1)] == [
        {"order_id": "10482"},
        {"order_id": "10561"},
    ]
    assert all(n > 2 for n in fragments.values())  # header + several argument fragments
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["tool_calls"]
    assert chunks[-1].usage is not None


async def test_results_must_answer_every_tool_call_id(fake_openai: FakeOpenAI) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "lookup_order", "arguments": "{}"}}
    messages: list[Any] = [
        {"role": "user", "content": "where is my order"},
        {"role": "assistant", "content": None, "tool_calls": [call, {**call, "id": "call_2"}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "{}"},
        {"role": "user", "content": "hello?"},
    ]
    with pytest.raises(openai.BadRequestError) as err:
        await stream(client(fake_openai), messages)
    assert err.value.status_code == 400
    assert "must be followed by tool messages responding to each 'tool_call_id'" in err.value.message
    assert "call_2" in err.value.message
    body = err.value.body
    assert isinstance(body, dict) and body["type"] == "invalid_request_error"

    # Answered properly, the same history is accepted.
    fake_openai.reply_text("Done.")
    messages.insert(3, {"role": "tool", "tool_call_id": "call_2", "content": "{}"})
    chunks = await stream(client(fake_openai), messages)
    assert chunks[-1].usage is not None


async def test_error_statuses_map_to_sdk_exceptions(fake_openai: FakeOpenAI) -> None:
    with pytest.raises(openai.AuthenticationError) as auth:
        await stream(client(fake_openai, key="wrong-key"), [{"role": "user", "content": "hi"}])
    assert auth.value.status_code == 401 and auth.value.code == "invalid_api_key"

    fake_openai.fail(500, "The server had an error while processing your request.")
    with pytest.raises(openai.InternalServerError) as server:
        await stream(client(fake_openai), [{"role": "user", "content": "hi"}])
    assert server.value.status_code == 500 and "server had an error" in server.value.message

    fake_openai.fail(429, "Rate limit reached.")
    with pytest.raises(openai.RateLimitError):
        await stream(client(fake_openai), [{"role": "user", "content": "hi"}])

    # An empty script answers at once with a clear error rather than hanging.
    with pytest.raises(openai.InternalServerError, match="no scripted reply"):
        await stream(client(fake_openai), [{"role": "user", "content": "hi"}])
    assert [r.status for r in fake_openai.requests] == [401, 500, 429, 500]


async def test_cut_stream_is_a_connection_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply_text("This reply will not arrive in full.")
    fake_openai.cut_after(3)
    received: list[Any] = []
    with pytest.raises(openai.APIConnectionError):
        chunks = await client(fake_openai).chat.completions.create(
            model="m",
            messages=[{"role": "user", "content": "hi"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        async for c in chunks:
            received.append(c)
    assert len(received) == 3 and all(c.usage is None for c in received)


async def test_hang_times_out_on_the_client(fake_openai: FakeOpenAI) -> None:
    fake_openai.hang(30)
    llm = AsyncOpenAI(api_key=API_KEY, base_url=fake_openai.base_url, max_retries=0, timeout=0.3)
    with pytest.raises(openai.APITimeoutError):
        await stream(llm, [{"role": "user", "content": "hi"}])


async def test_plain_http_sees_sse_framing(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply_text("Hi there.")
    async with httpx.AsyncClient() as http:
        resp = await http.post(
            fake_openai.base_url + "/chat/completions",
            headers={"Authorization": f"Bearer {API_KEY}"},
            json={"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]},
        )
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/event-stream")
    events = resp.text.split("\n\n")
    assert events[-2:] == ["data: [DONE]", ""]
    first = json.loads(events[0].removeprefix("data: "))
    assert first["object"] == "chat.completion.chunk" and "usage" not in first  # no include_usage asked
