"""A scripted OpenAI Chat Completions server on 127.0.0.1 (wire format of PROTOCOLS.md §6).

The real `openai` SDK is pointed at it (`base_url` includes `/v1`). A test
scripts what the "model" answers, one step per request, and reads back every
request it received:

    fake_openai.reply_tools([("identify_customer", {"use_caller_id": True})])
    fake_openai.reply_text("I found your account. What is your billing ZIP code?")
    ...
    assert fake_openai.requests[1].tool_messages()[0]["tool_call_id"] == ...

What it does like the real service: Bearer auth (401 with OpenAI's error
JSON), `text/event-stream` of `chat.completion.chunk` events with the same
id/created/model on every chunk, text split over several content deltas,
tool calls split into a header fragment and argument string fragments, a
finish_reason chunk, a usage chunk with `choices: []` when
`stream_options.include_usage` is set, `data: [DONE]`; and the request
validation a client bug would trip (an assistant `tool_calls` message not
answered by a `tool` message for each id is a 400). A request that finds the
script empty gets a clear 500 at once, so a test never hangs on a missing step.
Requests refused by auth or validation do not consume a scripted step: the
real model would not have produced anything for them either.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import socket
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

API_KEY = "test-key"
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_ROLES = ("system", "developer", "user", "assistant", "tool", "function")


# ---------------------------------------------------------------- script steps


@dataclass
class Reply:
    """One model answer: optional text, then optional tool calls (`args` may be a raw string)."""

    text: str | None = None
    tool_calls: list[tuple[str, dict[str, Any] | str]] = field(default_factory=list)
    chunk_delay_s: float = 0.0
    cut_after_chunks: int | None = None
    finish_reason: str | None = None
    # Generated when scripted, so a test can match tool messages to calls.
    call_ids: list[str] = field(default_factory=list)

    def cut_after(self, n_chunks: int) -> Reply:
        """Drop the connection after `n_chunks` data events (no [DONE], no usage)."""
        self.cut_after_chunks = n_chunks
        return self


@dataclass(frozen=True)
class Failure:
    """An error answer with OpenAI's error JSON."""

    status: int
    message: str
    type: str
    code: str | None


@dataclass(frozen=True)
class Hang:
    """No answer at all for a while (not even headers), then a 500."""

    seconds: float


Step = Reply | Failure | Hang
_S = TypeVar("_S", Reply, Failure, Hang)


@dataclass
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    status: int = 0
    # Whether the whole stream, through [DONE], was written; whether it stopped because the client left.
    completed: bool = False
    abandoned: bool = False

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The request's `messages` (empty if there were none)."""
        return list((self.body or {}).get("messages") or [])

    def tool_messages(self) -> list[dict[str, Any]]:
        """The `role: tool` messages, in order."""
        return [m for m in self.messages if m.get("role") == "tool"]

    def tool_names(self) -> list[str]:
        """The function names offered in `tools`."""
        return [t["function"]["name"] for t in (self.body or {}).get("tools") or []]


class _Cut(Exception):
    """Raised inside the response body to drop the connection mid-stream."""


class _QuietCuts(logging.Filter):
    # The scripted cut makes uvicorn log "Exception in ASGI application"; that is the test working.
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not _contains_cut(exc)


def _contains_cut(exc: BaseException | None) -> bool:
    if exc is None:
        return False
    if isinstance(exc, _Cut):
        return True
    if isinstance(exc, BaseExceptionGroup):
        return any(_contains_cut(e) for e in exc.exceptions)
    return _contains_cut(exc.__cause__ or exc.__context__)


# ---------------------------------------------------------------- wire format


def _error_body(
    message: str, type_: str, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def _error_type(status: int) -> str:
    if status == 429:
        return "requests"
    if status >= 500:
        return "server_error"
    return "invalid_request_error"


def _text_pieces(text: str) -> list[str]:
    """Token-like pieces: words with their leading whitespace, as the real stream sends them."""
    return re.findall(r"\s*\S+|\s+", text) or [text]


def _arg_fragments(arguments: str, size: int = 7) -> list[str]:
    return [arguments[i : i + size] for i in range(0, len(arguments), size)] or [""]


def _estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def validate(body: Any) -> tuple[str, str | None] | None:
    """The 400 OpenAI would give this body, as (message, param); None if it is acceptable."""
    if not isinstance(body, dict):
        return "Invalid type for request body: expected an object.", None
    if not body.get("model"):
        return "you must provide a model parameter", None
    if "stream_options" in body and body.get("stream_options") is not None and not body.get("stream"):
        return "The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options"
    for i, tool in enumerate(body.get("tools") or []):
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(tool, dict) or tool.get("type") != "function" or not isinstance(fn, dict):
            return f"Missing required parameter: 'tools[{i}].function'.", f"tools[{i}].function"
        if not _TOOL_NAME.match(str(fn.get("name", ""))):
            return (
                f"Invalid 'tools[{i}].function.name': string does not match pattern. "
                "Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                f"tools[{i}].function.name",
            )
    messages = body.get("messages")
    if messages is None:
        return "Missing required parameter: 'messages'.", "messages"
    if not isinstance(messages, list) or not messages:
        return (
            "Invalid 'messages': empty array. Expected an array with minimum length 1, "
            "but got an empty array instead.",
            "messages",
        )
    return _validate_messages(messages)


def _validate_messages(messages: list[Any]) -> tuple[str, str | None] | None:
    open_ids: list[str] = []
    opened_at = 0
    for i, m in enumerate(messages):
        role = m.get("role") if isinstance(m, dict) else None
        if role not in _ROLES:
            return (
                f"Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', "
                "'function', 'tool', and 'developer'.",
                f"messages[{i}].role",
            )
        if role == "tool":
            if m.get("tool_call_id") not in open_ids:
                return (
                    "Invalid parameter: messages with role 'tool' must be a response to a "
                    "preceeding message with 'tool_calls'.",
                    f"messages.[{i}].role",
                )
            if not isinstance(m.get("content"), str | list):
                return f"Invalid type for 'messages[{i}].content'.", f"messages[{i}].content"
            open_ids.remove(m["tool_call_id"])
            continue
        if open_ids:
            break
        if role == "assistant" and m.get("tool_calls"):
            for j, call in enumerate(m["tool_calls"]):
                fn = call.get("function") or {}
                if not call.get("id") or not fn.get("name") or not isinstance(fn.get("arguments"), str):
                    return (
                        f"Missing required parameter: 'messages[{i}].tool_calls[{j}]'.",
                        f"messages[{i}].tool_calls[{j}]",
                    )
            open_ids = [c["id"] for c in m["tool_calls"]]
            opened_at = i
        elif role in ("user", "system", "developer") and m.get("content") is None:
            return f"Missing required parameter: 'messages[{i}].content'.", f"messages[{i}].content"
    if open_ids:
        return (
            "An assistant message with 'tool_calls' must be followed by tool messages responding to "
            "each 'tool_call_id'. The following tool_call_ids did not have response messages: "
            + ", ".join(open_ids),
            f"messages.[{opened_at}].role",
        )
    return None


class _Stream:
    """The chunks of one streamed reply (all share id, created and model)."""

    def __init__(self, reply: Reply, model: str, include_usage: bool, prompt_tokens: int) -> None:
        self.reply = reply
        self.base: dict[str, Any] = {
            "id": "chatcmpl-" + secrets.token_hex(12),
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "fp_fake",
        }
        if include_usage:
            self.base["usage"] = None
        self.include_usage = include_usage
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = 0

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            **self.base,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }

    def chunks(self) -> Iterator[dict[str, Any]]:
        reply = self.reply
        role_sent = False
        if reply.text:
            yield self._chunk({"role": "assistant", "content": "", "refusal": None})
            role_sent = True
            for piece in _text_pieces(reply.text):
                self.completion_tokens += 1
                yield self._chunk({"content": piece})
        for index, ((name, args), call_id) in enumerate(zip(reply.tool_calls, reply.call_ids, strict=True)):
            head = {
                "index": index,
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": ""},
            }
            delta: dict[str, Any] = {"tool_calls": [head]}
            if not role_sent:
                delta = {"role": "assistant", "content": None, "tool_calls": [head], "refusal": None}
                role_sent = True
            self.completion_tokens += 1
            yield self._chunk(delta)
            arguments = args if isinstance(args, str) else json.dumps(args)
            for fragment in _arg_fragments(arguments):
                self.completion_tokens += 1
                yield self._chunk({"tool_calls": [{"index": index, "function": {"arguments": fragment}}]})
        if not role_sent:
            yield self._chunk({"role": "assistant", "content": "", "refusal": None})
        finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
        yield self._chunk({}, finish)
        if self.include_usage:
            yield {**self.base, "choices": [], "usage": self.usage()}

    def usage(self) -> dict[str, int]:
        completion = max(1, self.completion_tokens)
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": self.prompt_tokens + completion,
        }

    def completion(self) -> dict[str, Any]:
        """The same reply as one non-streamed `chat.completion` object."""
        reply = self.reply
        for _ in self.chunks():  # counts the tokens
            pass
        message: dict[str, Any] = {
            "role": "assistant",
            "content": reply.text,
            "refusal": None,
            "annotations": [],
        }
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": cid,
                    "type": "function",
                    "function": {
                        "name": name,
                        "arguments": args if isinstance(args, str) else json.dumps(args),
                    },
                }
                for (name, args), cid in zip(reply.tool_calls, reply.call_ids, strict=True)
            ]
        return {
            **{k: v for k, v in self.base.items() if k != "usage"},
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop"),
                }
            ],
            "usage": self.usage(),
        }


# ---------------------------------------------------------------- the server


class FakeOpenAI:
    """The fake service: a script of answers, a log of requests, a uvicorn thread."""

    def __init__(self, api_key: str = API_KEY) -> None:
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self.model_lists = 0  # `GET /v1/models` (warm-ups), kept apart from the scripted requests
        self._script: deque[Step] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        config = uvicorn.Config(self._app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    # -- script API

    def reply_text(self, text: str, *, chunk_delay_s: float = 0.0, finish_reason: str | None = None) -> Reply:
        """The next request gets a streamed text answer."""
        return self._push(Reply(text=text, chunk_delay_s=chunk_delay_s, finish_reason=finish_reason))

    def reply_tools(
        self,
        calls: list[tuple[str, dict[str, Any] | str]],
        text_before: str | None = None,
        *,
        chunk_delay_s: float = 0.0,
    ) -> Reply:
        """The next request gets tool calls (optionally after some text); string args are sent raw."""
        reply = Reply(
            text=text_before,
            tool_calls=list(calls),
            chunk_delay_s=chunk_delay_s,
            call_ids=["call_" + secrets.token_hex(12) for _ in calls],
        )
        return self._push(reply)

    def fail(self, status: int, message: str, *, type: str | None = None, code: str | None = None) -> None:
        """The next request gets an HTTP error with OpenAI's error JSON."""
        self._push(Failure(status, message, type or _error_type(status), code))

    def hang(self, seconds: float) -> None:
        """The next request gets no answer for `seconds` (or until the client gives up)."""
        self._push(Hang(seconds))

    def cut_after(self, n_chunks: int) -> None:
        """The most recently scripted reply drops its connection after `n_chunks` data events."""
        with self._lock:
            last = self._script[-1] if self._script else None
        if not isinstance(last, Reply):
            raise ValueError("cut_after applies to a scripted reply: script one first")
        last.cut_after(n_chunks)

    @property
    def remaining(self) -> int:
        """Scripted steps not used yet."""
        with self._lock:
            return len(self._script)

    def reset(self) -> None:
        """Forget the script and the recorded requests."""
        with self._lock:
            self._script.clear()
        self.requests.clear()
        self.model_lists = 0

    def _push(self, step: _S) -> _S:
        with self._lock:
            self._script.append(step)
        return step

    def _pop(self) -> Step | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    # -- lifecycle

    def start(self) -> None:
        """Serve in a background thread; returns when the port answers."""
        logging.getLogger("uvicorn.error").addFilter(_QuietCuts())
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake OpenAI server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving (hanging requests are let go)."""
        self._closing.set()
        self._server.should_exit = True
        self._thread.join(timeout=5)

    # -- HTTP

    def _app(self) -> FastAPI:
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

        @app.post("/v1/chat/completions")
        async def chat_completions(request: Request) -> Response:
            return await self._handle(request)

        @app.get("/v1/models")
        async def models(request: Request) -> Response:
            # What a client's warm-up asks for: authenticated, cheap, never a scripted step.
            self.model_lists += 1
            if request.headers.get("authorization") != f"Bearer {self.api_key}":
                return _json(
                    401,
                    _error_body(
                        "Incorrect API key provided.", "invalid_request_error", code="invalid_api_key"
                    ),
                )
            model = {"id": "gpt-4o-mini", "object": "model", "created": 1721172741, "owned_by": "system"}
            return _json(200, {"object": "list", "data": [model]})

        @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
        async def unknown(request: Request, path: str) -> Response:
            msg = f"Invalid URL ({request.method} /{path})"
            return _json(404, _error_body(msg, "invalid_request_error"))

        return app

    async def _handle(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = None
        rec = RecordedRequest(
            method=request.method,
            path=request.url.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body if isinstance(body, dict) else None,
        )
        self.requests.append(rec)
        response = await self._answer(request, rec, raw, body)
        rec.status = response.status_code
        return response

    async def _answer(self, request: Request, rec: RecordedRequest, raw: bytes, body: Any) -> Response:
        auth = rec.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not auth.removeprefix("Bearer ").strip():
            return _json(
                401,
                _error_body(
                    "You didn't provide an API key. You need to provide your API key in an Authorization "
                    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                    "invalid_request_error",
                ),
            )
        key = auth.removeprefix("Bearer ").strip()
        if key != self.api_key:
            masked = key[:3] + "*" * max(0, len(key) - 7) + key[-4:]
            return _json(
                401,
                _error_body(
                    f"Incorrect API key provided: {masked}. You can find your API key at "
                    "https://platform.openai.com/account/api-keys.",
                    "invalid_request_error",
                    code="invalid_api_key",
                ),
            )
        if body is None:
            return _json(
                400,
                _error_body(
                    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
                    "using your HTTP library correctly.)",
                    "invalid_request_error",
                ),
            )
        problem = validate(body)
        if problem is not None:
            return _json(400, _error_body(problem[0], "invalid_request_error", param=problem[1]))
        step = self._pop()
        if step is None:
            return _json(
                500,
                _error_body(
                    "fake_openai: no scripted reply left for this request",
                    "server_error",
                    code="script_empty",
                ),
            )
        if isinstance(step, Failure):
            return _json(step.status, _error_body(step.message, step.type, code=step.code))
        if isinstance(step, Hang):
            await self._hang(request, step.seconds)
            return _json(500, _error_body(f"fake_openai: hung for {step.seconds} s", "server_error"))
        stream = _Stream(
            step,
            str(body["model"]),
            bool((body.get("stream_options") or {}).get("include_usage")),
            _estimate_tokens(raw.decode("utf-8", "replace")),
        )
        if not body.get("stream"):
            return _json(200, stream.completion())
        return StreamingResponse(
            self._events(stream, rec),
            media_type="text/event-stream",
            headers={"x-request-id": "req_" + secrets.token_hex(8), "cache-control": "no-cache"},
        )

    async def _events(self, stream: _Stream, rec: RecordedRequest) -> AsyncIterator[bytes]:
        reply = stream.reply
        sent = 0
        try:
            for chunk in stream.chunks():
                if reply.cut_after_chunks is not None and sent >= reply.cut_after_chunks:
                    raise _Cut
                yield f"data: {json.dumps(chunk, separators=(',', ':'))}\n\n".encode()
                sent += 1
                if reply.chunk_delay_s:
                    await asyncio.sleep(reply.chunk_delay_s)
            yield b"data: [DONE]\n\n"
            rec.completed = True
        except (GeneratorExit, asyncio.CancelledError):
            rec.abandoned = True
            raise

    async def _hang(self, request: Request, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self._closing.is_set():
            if await request.is_disconnected():
                return
            await asyncio.sleep(0.05)


def _json(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"x-request-id": "req_" + secrets.token_hex(8)})


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def fake_openai_server() -> Iterator[FakeOpenAI]:
    """One fake server per session (per importing module)."""
    server = FakeOpenAI()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_openai(fake_openai_server: FakeOpenAI) -> Iterator[FakeOpenAI]:
    """The fake server with an empty script and request log."""
    fake_openai_server.reset()
    yield fake_openai_server
    fake_openai_server.reset()
