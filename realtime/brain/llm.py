"""The LLM brain: OpenAI chat completions, streamed, with the workflow's tools.

One reply is a loop of model rounds. Each round streams the model's answer:
text is cut into sentences and yielded as it arrives (speech starts before
the reply is complete); tool calls are collected from their fragments and,
once the round is finished, run one at a time through the workflow's `tool`
update (the identity gate) and sent back as `tool` messages. The loop stops
when the model answers with text only, ends the call, or hands it over.

What the model cannot decide: escalation on the caller's words (the shared
`EscalationPolicy` runs before the model is asked), and which account a tool
reads (the workflow supplies the customer id, never the arguments). Nor the
repair rules that keep a call out of loops (`llm_repair`): a repeat request is
answered with the last reply without a model round trip, a question is never
asked a third time in a row, and an `end_call` right after a new request is
questioned once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

import httpx2
import openai
from openai import AsyncOpenAI
from openai.types.chat import (
    ChatCompletionAssistantMessageParam,
    ChatCompletionMessageParam,
    ChatCompletionToolUnionParam,
)
from openai.types.completion_usage import CompletionUsage

from realtime.brain import prompt
from realtime.brain.base import Brain, BrainEvent, CallContext, CallerInput, Say, ToolUsed, TurnDone
from realtime.brain.escalation import CONFIDENCE_FLOOR, EscalationPolicy
from realtime.brain.fallback import FAILURES, BrainFailure
from realtime.brain.intents import TOP_FIVE, classify
from realtime.brain.llm_repair import (
    QuestionStreak,
    names_something_else,
    sounds_like_a_request,
    spoken_again,
    with_missed,
)
from realtime.brain.repair import repeat_request
from realtime.metrics import PROVIDER_ERRORS, observe_provider
from workflows.tools import TOOLS, json_schemas
from workflows.types import ToolResult

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
WARM_TIMEOUT_S = 2.0
# Pooled connections stay open between a call's turns (and across calls): a caller's answer
# can take longer than httpx's default 5 s keep-alive, and a fresh TLS handshake costs a turn
# 50–150 ms. Vendors close idle keep-alive connections themselves after about a minute.
KEEPALIVE_S = 60.0

END_CALL = "end_call"
END_CALL_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": END_CALL,
        "description": "End the call, after the caller said they need nothing else and you said goodbye.",
        "parameters": {
            "type": "object",
            "properties": {
                "resolved": {"type": "boolean", "description": "Whether the caller's issue was resolved."}
            },
            "required": ["resolved"],
            "additionalProperties": False,
        },
    },
}


NEW_REQUEST_MESSAGE = (
    "The caller's last words are a new request, not a goodbye. Answer it; end the call only after a clear no."
)


class LlmStreamError(BrainFailure):
    """The model's stream ended without saying how it finished (cut or truncated)."""


@dataclass(frozen=True)
class LlmSettings:
    """How to reach the model. `from_env` reads the DESIGN.md variables."""

    api_key: str = ""
    base_url: str = DEFAULT_BASE_URL
    model: str = DEFAULT_MODEL
    connect_timeout_s: float = 3.0
    # Longest silence between two chunks of a stream; the fallback catches a hang sooner.
    read_timeout_s: float = 6.0
    max_rounds: int = 6
    # Conversation history kept for the model, in characters of JSON (~4 per token).
    history_chars: int = 24_000

    @property
    def configured(self) -> bool:
        """Whether there is a key to use the model with."""
        return bool(self.api_key)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LlmSettings:
        """`OPENAI_API_KEY`, `OPENAI_BASE_URL` (with its `/v1`) and `OPENAI_MODEL`."""
        env = os.environ if env is None else env
        return cls(
            api_key=env.get("OPENAI_API_KEY", "").strip(),
            base_url=(env.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).strip().rstrip("/"),
            model=(env.get("OPENAI_MODEL") or DEFAULT_MODEL).strip(),
        )

    def client(self) -> AsyncOpenAI:
        """A client for these settings; retries are ours to decide (see `LlmBrain`)."""
        if not self.configured:
            raise ValueError("OPENAI_API_KEY is not set")
        return AsyncOpenAI(
            api_key=self.api_key,
            base_url=self.base_url,
            max_retries=0,
            timeout=httpx2.Timeout(self.read_timeout_s, connect=self.connect_timeout_s),
            http_client=openai.DefaultAsyncHttpxClient(
                limits=httpx2.Limits(
                    max_connections=200, max_keepalive_connections=50, keepalive_expiry=KEEPALIVE_S
                )
            ),
        )


@dataclass
class LlmUsage:
    """Tokens used by one call, from the streams' usage chunks."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    requests: int = 0

    def add(self, usage: CompletionUsage) -> None:
        """Count one request's usage."""
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens
        self.total_tokens += usage.total_tokens


# ---------------------------------------------------------------- sentences

_BOUNDARY = re.compile(r"[.!?]+[\"')\]]*(?=\s)")
# A full stop after these does not end a sentence.
_ABBREVIATIONS = {
    "mr.",
    "mrs.",
    "ms.",
    "dr.",
    "st.",
    "a.m.",
    "p.m.",
    "e.g.",
    "i.e.",
    "vs.",
    "u.s.",
    "approx.",
}
_MARKDOWN = re.compile(r"[*_#`]+|^\s*(?:[-•]|\d+[.)])\s+", re.MULTILINE)


def speakable(text: str) -> str:
    """Text as it should be spoken: no markdown marks or list bullets, single spaces."""
    return re.sub(r"\s+", " ", _MARKDOWN.sub("", text)).strip()


class SentenceSplitter:
    """Cuts streamed text into sentences as soon as each one is complete."""

    def __init__(self, max_chars: int = 220) -> None:
        """Cut a sentence longer than `max_chars` at a comma or space, so speech is not held up."""
        self._buf = ""
        self._max = max_chars

    def feed(self, text: str) -> list[str]:
        """Add streamed text; returns the sentences it completed."""
        self._buf += text
        out: list[str] = []
        start = 0
        # A boundary needs the whitespace after it, so "62.98" or "1.5" never splits.
        for m in _BOUNDARY.finditer(self._buf):
            words = self._buf[start : m.end()].split()
            if words and words[-1].lower() in _ABBREVIATIONS:
                continue
            out.append(self._buf[start : m.end()])
            start = m.end()
        self._buf = self._buf[start:]
        while len(self._buf) > self._max:
            cut = max(self._buf.rfind(", ", 0, self._max), self._buf.rfind(" ", 0, self._max))
            cut = cut + 1 if cut > 0 else self._max
            out.append(self._buf[:cut])
            self._buf = self._buf[cut:]
        return [s for s in (speakable(x) for x in out) if s]

    def flush(self) -> str:
        """What is left at the end of the stream."""
        rest, self._buf = speakable(self._buf), ""
        return rest


# ---------------------------------------------------------------- one model round


@dataclass
class _Call:
    """One tool call, assembled from its stream fragments."""

    index: int
    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclass
class _Round:
    """What one model request produced."""

    text: str = ""
    spoken: list[str] = field(default_factory=list)
    calls: dict[int, _Call] = field(default_factory=dict)
    finish_reason: str | None = None
    chunks: int = 0
    complete: bool = False


@dataclass
class _Outcome:
    """How the tool calls of a round ended the turn, if they did."""

    end_call: bool = False
    resolved: bool = False
    escalation: str | None = None


def tool_content(result: ToolResult) -> str:
    """A tool result as the model sees it: compact JSON of ok, data, error_code, message."""
    body = {"ok": result.ok, "data": result.data, "error_code": result.error_code, "message": result.message}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str)


def _error_content(code: str, message: str) -> str:
    return json.dumps(
        {"ok": False, "data": {}, "error_code": code, "message": message}, separators=(",", ":")
    )


def _parse_arguments(raw: str) -> dict[str, Any] | None:
    try:
        args = json.loads(raw or "{}")
    except ValueError:
        return None
    return args if isinstance(args, dict) else None


class LlmBrain(Brain):
    """The cloud brain: an OpenAI-compatible model with the workflow's tools.

    Every failed model request counts in `PROVIDER_ERRORS{provider="openai", role="brain"}`
    (a retried one too), and each request's wait for its first streamed chunk in
    `PROVIDER_SECONDS{op="first_chunk"}`.
    """

    name = "llm"
    provider = "openai"  # the metrics' label: the API spoken, whichever compatible server serves it

    def __init__(
        self,
        ctx: CallContext,
        settings: LlmSettings,
        client: AsyncOpenAI | None = None,
        policy: EscalationPolicy | None = None,
    ) -> None:
        """One brain per call.

        Args:
            ctx: The call's tools, state and business date.
            settings: Model, endpoint and limits.
            client: A shared client (one connection pool for many calls); built from
                `settings` when not given, and then closed by `aclose`.
            policy: The call's escalation policy (a fresh one by default).
        """
        self._ctx = ctx
        self.settings = settings
        self._owns_client = client is None
        self._client = client if client is not None else settings.client()
        self._policy = policy if policy is not None else EscalationPolicy()
        self._tools = cast(list[ChatCompletionToolUnionParam], [*json_schemas(), END_CALL_TOOL])
        self._history: list[ChatCompletionMessageParam] = [{"role": "assistant", "content": self.greeting()}]
        self._trimmed = False
        # Tool calls of the latest assistant message → their tool message content (None: not back yet).
        self._open: dict[str, str | None] = {}
        # The last confident top-five intent, and the last top-five reading of any confidence.
        self._intent: tuple[str, float] | None = None
        self._topic: tuple[str, float] | None = None
        self._identified = False
        self._second_factor = False  # identified by what the caller said: ZIP + one more factor
        self._verified = False
        self._pending_escalation: str | None = None
        # Repair (see llm_repair): what a repeat request repeats, the lines of the reply in
        # progress, and how many replies in a row asked each question.
        self._last_reply: list[str] = [self.greeting()]
        self._reply_lines: list[str] = []
        self._reply_repeated = False
        self._questions = QuestionStreak()
        self._caller_text = ""
        self._end_questioned = False
        self.usage = LlmUsage()
        self.tool_running = False

    def greeting(self) -> str:
        """The fixed first line."""
        return prompt.GREETING

    async def warm(self) -> None:
        """Open (or refresh) the pooled HTTPS connection while the greeting plays.

        The first turn then skips the TCP and TLS handshakes to the vendor. A cheap, free
        request (list models); any failure is left to the first real request to report.
        """
        try:
            async with asyncio.timeout(WARM_TIMEOUT_S):
                await self._client.models.list()
        except Exception as e:  # never fail a call over a warm-up
            log.debug("llm warm-up failed: %s", type(e).__name__)

    async def aclose(self) -> None:
        """Close the client if this brain built it."""
        if self._owns_client:
            await self._client.close()

    async def take_over(self) -> None:
        """Rebuild the conversation from the workflow's record (when taking over a call)."""
        state = await self._ctx.state()
        self._identified = state.customer_id is not None
        self._verified = state.verified
        turns = state.turns[-20:]
        # The caller turn being answered is recorded before the brain is asked; respond() adds it.
        while turns and turns[-1].speaker == "caller":
            turns = turns[:-1]
        history: list[ChatCompletionMessageParam] = []
        for turn in turns:
            if turn.speaker == "caller":
                history.append({"role": "user", "content": turn.text})
            else:
                history.append({"role": "assistant", "content": turn.text})
        self._history = history or self._history
        agent = [t.text for t in turns if t.speaker == "agent" and t.text.strip()]
        if agent:
            self._last_reply = [agent[-1]]
        self._reply_lines, self._reply_repeated = [], False
        self._open = {}
        self._trimmed = True  # restate the identity facts: the tool results are not in the history

    # ------------------------------------------------------------- one turn

    async def respond(self, said: CallerInput) -> AsyncGenerator[BrainEvent, None]:
        """Stream the reply to one caller turn (see the module docstring).

        A repeat request ("sorry, say that again?") is answered here with the last
        reply, slower, without asking the model: instant, no tokens, and never
        counted as a failed or low-confidence turn. It still enters the history.
        """
        # A reply cut short by barge-in may have left a tool running: its result
        # belongs in the history before the model is asked anything else.
        await self._ctx.settle()
        self._close_open_round()
        self._pending_escalation = None
        self._close_reply()
        text = said.text.strip()
        again = said.source != "dtmf" and repeat_request(text)
        if again and self._last_reply and not names_something_else(text, self._last_reply):
            replies = self._repeat(said)
        else:
            replies = self._reply(said, again)
        async with aclosing(replies) as events:
            async for event in events:
                if isinstance(event, Say):
                    self._reply_lines.append(event.text)
                yield event

    def _close_reply(self) -> None:
        """Take in the previous reply: it is now what a repeat request repeats, and its questions count."""
        lines, repeated = self._reply_lines, self._reply_repeated
        self._reply_lines, self._reply_repeated = [], False
        # A repeat asks nothing new, and "could you say that again?" is not worth repeating.
        if repeated or not lines or lines == [prompt.REPEAT_LINE]:
            return
        self._last_reply = lines
        self._questions.replied(lines)

    async def _repeat(self, said: CallerInput) -> AsyncGenerator[BrainEvent, None]:
        """The last reply again, slower; recorded so the model knows the caller heard it twice."""
        # "Can you repeat the order number?" is about the call's topic; it does not change it.
        current = self._intent or self._topic
        if current is None:
            reading = classify(said.text, said.stt_confidence)
            current = (reading.intent, reading.confidence)
        intent, confidence = current
        self._reply_repeated = True
        lines = self._last_reply
        self._history.append({"role": "user", "content": with_missed(said.text.strip(), said.missed)})
        self._history.append({"role": "assistant", "content": " ".join(lines)})
        for say in spoken_again(lines):
            yield say
        yield TurnDone(intent, confidence)

    async def _reply(self, said: CallerInput, again: bool) -> AsyncGenerator[BrainEvent, None]:
        """The model's reply to one caller turn."""
        text = said.text.strip()
        self._caller_text = text
        self._end_questioned = False
        intent, confidence, policy_confidence = self._read_intent(said)
        if not text:
            yield Say(prompt.REPEAT_LINE)
            yield TurnDone(intent, confidence)
            return
        # A request to hear something again is not a misunderstanding, whatever its words score.
        reason = self._policy.on_caller_turn(text, None if again else policy_confidence)
        # Keypad digits are exact; the model need not read them back (see the prompt).
        content = f"{prompt.KEYPAD_PREFIX}{text}" if said.source == "dtmf" else text
        self._history.append({"role": "user", "content": with_missed(content, said.missed)})
        if reason is not None:
            # The seed's rule: a caller who asks for a person gets one, without a model round-trip.
            async with aclosing(self._handoff(reason, intent, confidence, say=True)) as events:
                async for event in events:
                    yield event
            return
        self._trim()
        spoke = False
        for _ in range(self.settings.max_rounds):
            rnd = _Round()
            looped = False
            async with aclosing(self._stream_round(rnd)) as says:
                async for say in says:
                    if self._questions.would_loop(say.text, self._reply_lines):
                        rnd.spoken.pop()  # never said, so not in the history either
                        looped = True
                        break
                    spoke = True
                    yield say
            if looped:
                # The third ask in a row would start a loop: a person takes over instead.
                log.warning("llm brain: the model asked the same question a third time; handing off")
                yield Say(prompt.GIVE_UP_LINE)
                async with aclosing(
                    self._handoff("repeated_failure", intent, confidence, say=False)
                ) as events:
                    async for event in events:
                        yield event
                return
            calls = [rnd.calls[i] for i in sorted(rnd.calls)]
            if not calls:
                self._history.append({"role": "assistant", "content": rnd.text})
                if not spoke:
                    # An empty answer: never leave the caller in silence.
                    yield Say(prompt.REPEAT_LINE)
                yield TurnDone(intent, confidence)
                return
            self._open_round(rnd.text, calls)
            outcome = _Outcome()
            async with aclosing(self._run_calls(calls, outcome)) as used:
                async for event in used:
                    yield event
            self._close_open_round()
            if outcome.end_call:
                if not rnd.spoken:
                    yield Say(prompt.GOODBYE_LINE)
                yield TurnDone(intent, confidence, end_call=True, resolved=outcome.resolved)
                return
            if outcome.escalation is not None:
                if not rnd.spoken:
                    yield Say(prompt.HANDOFF_LINE)
                yield TurnDone(intent, confidence, end_call=True, escalation=outcome.escalation)
                return
            if self._pending_escalation is not None:
                async with aclosing(self._handoff(self._pending_escalation, intent, confidence)) as events:
                    async for event in events:
                        yield event
                return
        # The model keeps calling tools without an answer: stop, and let a person take it.
        log.warning("llm brain: no answer after %d model rounds", self.settings.max_rounds)
        yield Say(prompt.GIVE_UP_LINE)
        async with aclosing(self._handoff("repeated_failure", intent, confidence, say=False)) as events:
            async for event in events:
                yield event

    def _read_intent(self, said: CallerInput) -> tuple[str | None, float, float | None]:
        """This turn's intent and confidence, and the confidence the escalation policy should see."""
        c = classify(said.text, said.stt_confidence)
        if c.intent in TOP_FIVE:
            self._topic = (c.intent, c.confidence)
            if c.confidence >= CONFIDENCE_FLOOR:
                self._intent = (c.intent, c.confidence)
        # "yes", a ZIP code or keypad digits answer our question: they carry no intent,
        # so once the call has a topic they must not count as low confidence.
        no_cue = not any(c.scores.values())
        answer = said.source == "dtmf" or (no_cue and self._topic is not None)
        intent, confidence = self._intent or self._topic or (c.intent, c.confidence)
        return intent, confidence, None if answer else c.confidence

    async def _handoff(
        self, reason: str, intent: str | None, confidence: float, say: bool = True
    ) -> AsyncGenerator[BrainEvent, None]:
        args = {"reason": reason}
        result = await self._run_tool("escalate", args)
        yield ToolUsed("escalate", args, result)
        if say:
            yield Say(prompt.HANDOFF_LINE)
        self._history.append({"role": "assistant", "content": prompt.HANDOFF_LINE})
        yield TurnDone(intent, confidence, end_call=True, escalation=reason)

    # ------------------------------------------------------------- the model

    def _messages(self) -> list[ChatCompletionMessageParam]:
        facts = self._facts() if self._trimmed else None
        system = prompt.system_prompt(self._ctx.today, facts)
        return [{"role": "system", "content": system}, *self._history]

    def _facts(self) -> str:
        if self._verified:
            return "the caller's identity is verified."
        if self._identified and self._second_factor:
            # Not "found": whether what they said names an account is not known, nor to be said.
            return "the caller gave an identifier; the ZIP and one more factor are not verified yet."
        if self._identified:
            return "the caller's account was found; the billing ZIP is not verified yet."
        return "no account has been identified yet."

    async def _stream_round(self, rnd: _Round) -> AsyncGenerator[Say, None]:
        """One model request, streamed; fills `rnd`, yields sentences as they complete."""
        splitter = SentenceSplitter()
        try:
            for attempt in (1, 2):
                try:
                    # aclosing: a barge-in must close the HTTP stream now, not at garbage collection.
                    async with aclosing(self._stream_once(rnd, splitter)) as says:
                        async for say in says:
                            yield say
                    break
                except openai.APIConnectionError as e:
                    self._count_error()
                    # Safe to repeat only when nothing came back: no text said, no tool run.
                    if attempt == 2 or rnd.chunks or isinstance(e, openai.APITimeoutError):
                        raise
                    log.info("llm brain: connection failed before the first chunk; retrying once")
                except FAILURES:
                    self._count_error()  # status errors, broken streams; never a barge-in
                    raise
            if rnd.finish_reason is None:
                self._count_error()
                raise LlmStreamError("the model's stream ended without a finish_reason")
            rest = splitter.flush()
            if rest:
                rnd.spoken.append(rest)
                yield Say(rest)
            rnd.complete = True
        finally:
            if not rnd.complete and rnd.spoken:
                # Cut short (barge-in or failure): the model should know what the caller heard.
                self._history.append({"role": "assistant", "content": " ".join(rnd.spoken)})

    def _count_error(self) -> None:
        PROVIDER_ERRORS.labels(provider=self.provider, role="brain").inc()

    async def _stream_once(self, rnd: _Round, splitter: SentenceSplitter) -> AsyncGenerator[Say, None]:
        self.usage.requests += 1
        started = time.monotonic()
        stream = await self._client.chat.completions.create(
            model=self.settings.model,
            messages=self._messages(),
            tools=self._tools,
            stream=True,
            stream_options={"include_usage": True},
            temperature=0,
        )
        async with stream:
            async for chunk in stream:
                rnd.chunks += 1
                if rnd.chunks == 1:
                    observe_provider(self.provider, "brain", "first_chunk", time.monotonic() - started)
                if chunk.usage is not None:
                    self.usage.add(chunk.usage)
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                delta = choice.delta
                piece = delta.content or delta.refusal
                if piece:
                    rnd.text += piece
                    for sentence in splitter.feed(piece):
                        rnd.spoken.append(sentence)
                        yield Say(sentence)
                for fragment in delta.tool_calls or []:
                    call = rnd.calls.setdefault(fragment.index, _Call(fragment.index))
                    call.id = fragment.id or call.id
                    if fragment.function is not None:
                        call.name = fragment.function.name or call.name
                        call.arguments += fragment.function.arguments or ""
                if choice.finish_reason is not None:
                    rnd.finish_reason = choice.finish_reason

    # ------------------------------------------------------------- tools

    def _open_round(self, text: str, calls: list[_Call]) -> None:
        for call in calls:
            # Some compatible servers leave out ids; the history needs them to pair results.
            call.id = call.id or f"call_{secrets.token_hex(8)}"
        message: ChatCompletionAssistantMessageParam = {
            "role": "assistant",
            "content": text or None,
            "tool_calls": [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {
                        "name": c.name,
                        "arguments": c.arguments if _parse_arguments(c.arguments) is not None else "{}",
                    },
                }
                for c in calls
            ],
        }
        self._history.append(message)
        self._open = {c.id: None for c in calls}

    def _answer(self, call_id: str, content: str) -> None:
        if call_id in self._open and self._open[call_id] is None:
            self._open[call_id] = content

    def _close_open_round(self) -> None:
        """One tool message per call of the last assistant message, in order (the API requires it)."""
        for call_id, content in self._open.items():
            self._history.append(
                {
                    "role": "tool",
                    "tool_call_id": call_id,
                    "content": content
                    or _error_content("interrupted", "The caller interrupted before this ran."),
                }
            )
        self._open = {}

    async def _run_calls(self, calls: list[_Call], outcome: _Outcome) -> AsyncGenerator[BrainEvent, None]:
        for call in calls:
            if outcome.escalation is not None:
                self._answer(call.id, _error_content("not_run", "The call was handed to a person first."))
                continue
            args = _parse_arguments(call.arguments)
            if call.name == END_CALL:
                if len(calls) > 1:
                    msg = "Call end_call on its own, after reading the other results."
                    self._answer(call.id, _error_content("invalid_input", msg))
                elif not self._end_questioned and sounds_like_a_request(self._caller_text):
                    # Asked once per turn: a model that still ends the call after this has
                    # read the caller's words twice, and a goodbye must not loop either.
                    self._end_questioned = True
                    self._answer(call.id, _error_content("new_request", NEW_REQUEST_MESSAGE))
                else:
                    outcome.end_call = True
                    outcome.resolved = bool((args or {}).get("resolved", False))
                    self._answer(call.id, json.dumps({"ok": True, "data": {"ending": True}}))
                continue
            if call.name not in TOOLS:
                self._answer(
                    call.id, _error_content("unknown_tool", f"There is no tool named {call.name!r}.")
                )
                continue
            if args is None:
                msg = "The arguments were not a valid JSON object; call the tool again with valid JSON."
                self._answer(call.id, _error_content("invalid_arguments", msg))
                continue
            result = await self._run_tool(call.name, args, partial(self._record, call.id, call.name))
            self._record(call.id, call.name, result)
            yield ToolUsed(call.name, args, result)
            if call.name == "escalate" and result.ok:
                outcome.escalation = str(args.get("reason", "other"))

    async def _run_tool(
        self, name: str, args: dict[str, Any], on_result: Callable[[ToolResult], None] | None = None
    ) -> ToolResult:
        # Shielded by the context; `tool_running` tells FallbackBrain the time is the backend's.
        self.tool_running = True
        try:
            return await self._ctx.run_tool(name, args, on_result)
        finally:
            self.tool_running = False

    def _record(self, call_id: str, name: str, result: ToolResult) -> None:
        """Take in one tool result, once (it may arrive after the reply was cancelled)."""
        if call_id not in self._open or self._open[call_id] is not None:
            return
        self._answer(call_id, tool_content(result))
        if name == "identify_customer" and result.ok and result.data.get("found"):
            self._identified = True
            self._second_factor = bool(result.data.get("second_factor"))
        if name == "verify_customer" and result.ok and result.data.get("verified"):
            self._verified = True
        self._learn_failure(name, result)

    def _learn_failure(self, name: str, result: ToolResult) -> None:
        failed_check = name == "verify_customer" and result.ok and result.data.get("verified") is False
        not_found = name == "identify_customer" and result.ok and result.data.get("found") is False
        if result.error_code == "identity_locked" or (failed_check and result.data.get("attempts_left") == 0):
            self._pending_escalation = "identity_failure"
        elif not result.ok or failed_check or not_found:
            reason = self._policy.on_failure(name)
            if reason is not None and self._pending_escalation is None:
                outage = result.error_code == "backend_unavailable"
                self._pending_escalation = "backend_outage" if outage else reason
        else:
            self._policy.on_success(name)

    # ------------------------------------------------------------- history

    def _trim(self) -> None:
        """Drop the oldest whole turns until the history fits (a turn starts at a caller message)."""
        while sum(len(json.dumps(m, default=str)) for m in self._history) > self.settings.history_chars:
            starts = [i for i, m in enumerate(self._history) if m["role"] == "user"]
            if len(starts) < 2:
                return
            del self._history[: starts[1]]
            self._trimmed = True
