"""Voice scenarios: a simulated caller with a goal, run against a live engine, and judged.

A scenario file (YAML) says who calls (a `role` the runner fills from the
business's data, `callengine.roles`), what they say first, how they answer
what the agent asks (`replies`, matched against a transcription of the
agent's actual audio), optional barge-in, silence or hang-up, backend faults
to inject, and what must come of the call. The runner dials like Twilio
(`callengine.phone`), speaks with a voice unlike the agent's, transcribes the
agent with Whisper to choose its replies, and checks the expectations against
the call's workflow and the backends: `said` and `not_said` against the agent's
words as the workflow recorded them, so a recognizer that hears "DHL" as
"DJ CHL" cannot fail a call the agent got right.

The picked records' facts are templated in as `{name.field}` (`callengine.fields`):
in what the caller says or keys they are the caller's words
(`{account.zip_words}`), in `when`, `said` and `not_said` they are patterns
that find the fact in what the agent was heard to say. `sandbox/scenarios/README.md`
lists the roles and fields. Literal persona values (`persona: {zip: "94103"}`
with `{zip}`, `{zip_words}`, `{order_words}`, `{phone_words}`, `{email_words}`)
still work for a one-off scenario written for one data set.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from temporalio.client import Client

from callengine import caller_voice
from callengine.calls import Call
from callengine.fields import DIGIT_WORDS, Fields
from callengine.network import PhoneNetwork
from callengine.phone import PhoneCall
from callengine.roles import RoleError, cast_for
from callengine.seedview import SeedData, read_seed
from callengine.settings import RefundPolicy, Settings
from realtime.audio import FRAME_BYTES, ulaw_to_pcm16
from realtime.stt.whisper import WhisperStt
from realtime.vad import EnergyVad

# How long a caller waits for more when what the agent said so far needs no answer of theirs.
PATIENCE_S = 3.0


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reply(_Model):
    """How the caller answers when the agent's words match `when` (a case-insensitive regex)."""

    when: str
    say: str | None = None
    keys: str | None = None  # keypad instead of speech
    once: bool = False  # used at most once (say, a wrong ZIP first, then the right one)


class BargeIn(_Model):
    """Talk over the agent's reply to caller turn `turn`, `after_s` into it."""

    turn: int
    after_s: float = 1.0
    say: str


class HangUp(_Model):
    """Hang up `after_s` after saying caller turn `turn` (mid-reply, mid-tool)."""

    turn: int
    after_s: float = 0.0


class Silence(_Model):
    """After the agent answers caller turn `turn`, say nothing more."""

    turn: int
    wait_s: float = 40.0


class Fault(_Model):
    """A sandbox fault for the call (see sandbox/README.md, /_admin/faults)."""

    method: str | None = None
    path_prefix: str
    status: int | None = 500
    delay_ms: int = 0
    count: int | None = 1
    after_commit: bool = False


class Expect(_Model):
    """What must come of the call (unset fields are not checked)."""

    outcome: str | None = None
    intent: str | None = None
    verified: bool | None = None
    escalated: bool | None = None
    escalation_reason: str | None = None
    tickets: int | None = None
    refunds: int | None = None  # refunds issued by this call
    rescheduled: bool | None = None
    ends_with: str | None = None  # hangup | enqueue (what the <Connect action> answered)
    said: list[str] = Field(default_factory=list)  # regexes the agent's words must match
    not_said: list[str] = Field(default_factory=list)


class Scenario(_Model):
    """One simulated call."""

    name: str
    description: str = ""
    role: str | None = None  # who calls, picked from the seed (None: a caller on no account)
    caller: str
    persona: dict[str, str] = Field(default_factory=dict)
    goal: str = ""
    opening: str | None = None
    opening_keys: str | None = None
    replies: list[Reply] = Field(default_factory=list)
    fallback: str = "Sorry, could you say that again?"
    barge_in: BargeIn | None = None
    hang_up: HangUp | None = None
    silence: Silence | None = None
    faults: list[Fault] = Field(default_factory=list)
    noise_snr_db: float | None = None
    max_turns: int = 14
    expect: Expect = Field(default_factory=Expect)


class ScenarioError(ValueError):
    """A scenario file that cannot be run."""


def load_scenario(path: Path) -> Scenario:
    """Parse and validate a scenario file, with the file name in every error."""
    try:
        return Scenario.model_validate(yaml.safe_load(path.read_text()))
    except (OSError, yaml.YAMLError) as e:
        raise ScenarioError(f"{path}: {e}") from e
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ScenarioError(f"{path}: {where}: {first['msg']}") from e


def spoken(value: str) -> str:
    """Digits as a caller says them, one by one ("9 4 1 0 3" → "nine four one zero three")."""
    return " ".join(DIGIT_WORDS[int(c)] for c in value if c.isdigit())


def fill(template: str, persona: dict[str, str]) -> str:
    """Persona values into a line, with spoken forms for numbers and e-mails."""
    values = dict(persona)
    for key in ("zip", "order", "phone"):
        if key in persona:
            values[f"{key}_words"] = spoken(persona[key].removeprefix("+1"))
    if "email" in persona:
        user, _, domain = persona["email"].partition("@")
        values["email_words"] = f"{user.replace('.', ' dot ')} at {domain.replace('.', ' dot ')}"
    try:
        return template.format(**values)
    except KeyError as e:
        raise ScenarioError(f"unknown persona field {e} in {template!r}") from None


_FIELD = re.compile(r"\{([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\}")


def render(template: str, fields: dict[str, Fields], how: str) -> str:
    """Fill `{name.field}` references with the picked records' facts.

    Args:
        template: A line or pattern of the scenario.
        fields: The cast's fields by record name (`Cast.fields`).
        how: `text` (what the caller says), `heard` (a pattern for `said`/`when`)
            or `exact` (a pattern for `not_said`).

    Returns:
        The template with every reference replaced; other braces are left alone.

    Raises:
        ScenarioError: A reference names a record the role does not pick, or a
            field records do not have.
    """

    def one(m: re.Match[str]) -> str:
        record, name = m.group(1), m.group(2)
        if record not in fields:
            raise ScenarioError(f"{m.group(0)}: the role picks no {record!r} (it picks {sorted(fields)})")
        if name not in fields[record]:
            raise ScenarioError(f"{m.group(0)}: no field {name!r} (fields: {sorted(fields[record])})")
        value: str = getattr(fields[record][name], how)
        return value

    return _FIELD.sub(one, template)


def cast_scenario(sc: Scenario, seed: SeedData, today: date) -> Scenario:
    """The scenario with its role filled from `seed`: every template replaced by the picked facts.

    Args:
        sc: The scenario as written.
        seed: The business data the engine runs with.
        today: The business date the engine applies the refund window on.

    Returns:
        A scenario with no `{name.field}` left (running it again changes nothing).

    Raises:
        RoleError: No record in the seed fits the scenario's role.
        ScenarioError: A template names something the role does not pick.
    """
    fields = cast_for(sc.role, seed, today).fields(seed)

    def text(t: str) -> str:
        return render(t, fields, "text")

    def heard(t: str) -> str:
        return render(t, fields, "heard")

    def opt(t: str | None) -> str | None:
        return None if t is None else text(t)

    e = sc.expect
    return sc.model_copy(
        update={
            "description": text(sc.description),
            "goal": text(sc.goal),
            "caller": text(sc.caller),
            "opening": opt(sc.opening),
            "opening_keys": opt(sc.opening_keys),
            "fallback": text(sc.fallback),
            "replies": [
                r.model_copy(update={"when": heard(r.when), "say": opt(r.say), "keys": opt(r.keys)})
                for r in sc.replies
            ],
            "barge_in": sc.barge_in and sc.barge_in.model_copy(update={"say": text(sc.barge_in.say)}),
            "faults": [f.model_copy(update={"path_prefix": text(f.path_prefix)}) for f in sc.faults],
            "expect": e.model_copy(
                update={
                    "said": [heard(p) for p in e.said],
                    "not_said": [render(p, fields, "exact") for p in e.not_said],
                }
            ),
        }
    )


def engine_seed(path: Path) -> SeedData:
    """The seed at `path` with the refund rules the engine applies (the environment overrides the seed's)."""
    seed = read_seed(path)
    policy = RefundPolicy.from_env(os.environ, path)
    return replace(seed, window_days=policy.window_days, auto_approve_max_cents=policy.auto_approve_max_cents)


def split_on_pauses(ulaw: bytes, pause_ms: int = 300) -> list[bytes]:
    """Agent audio cut at pauses: Whisper tiny loops on long digit-heavy stretches."""
    vad = EnergyVad()
    pieces: list[bytes] = []
    current = bytearray()
    quiet = 0
    for i in range(0, len(ulaw) - FRAME_BYTES + 1, FRAME_BYTES):
        frame = ulaw[i : i + FRAME_BYTES]
        quiet = 0 if vad.is_speech(ulaw_to_pcm16(frame)) else quiet + 20
        current += frame
        if quiet >= pause_ms and len(current) > 8 * pause_ms:
            pieces.append(bytes(current))
            current = bytearray()
    if len(current) > 1600:
        pieces.append(bytes(current))
    return pieces


def last_loud_frame(ulaw: bytes) -> int:
    """Index of the last frame loud in itself: where the caller stopped talking."""
    vad, last = EnergyVad(), 0
    for i in range(0, len(ulaw) - FRAME_BYTES + 1, FRAME_BYTES):
        vad.is_speech(ulaw_to_pcm16(ulaw[i : i + FRAME_BYTES]))
        if vad.last_dbfs >= vad.threshold_dbfs:
            last = i // FRAME_BYTES
    return last


@dataclass
class Turn:
    """One exchange as the caller experienced it."""

    caller: str
    agent: str
    latency_ms: float | None


@dataclass
class ScenarioReport:
    """How one scenario went."""

    name: str
    call_sid: str
    passed: bool = False
    failures: list[str] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    handle_time_s: float = 0.0
    outcome: str | None = None
    intent: str | None = None
    escalated: bool = False
    escalation_reason: str | None = None
    ticket_ids: list[str] = field(default_factory=list)  # opaque help-desk ids
    ends_with: str | None = None
    wav: str | None = None
    workflow_url: str = ""
    stages: list[dict[str, float]] = field(default_factory=list)  # the server's per-turn timings
    cost_usd: float | None = None

    @property
    def latencies(self) -> list[float]:
        """Voice-to-voice per turn, ms."""
        return [t.latency_ms for t in self.turns if t.latency_ms is not None]


class Runner:
    """Runs scenarios against one engine (API URL, Temporal, backends)."""

    def __init__(
        self,
        settings: Settings,
        client: Client,
        stt: WhisperStt,
        out: Any = print,
        seed: SeedData | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.stt = stt
        self.out = out
        self.admin = {"Authorization": "Bearer " + "dev-admin-token"}
        self._seed = seed

    @property
    def seed(self) -> SeedData:
        """The business data the engine runs with (`settings.seed_path` unless given)."""
        if self._seed is None:
            self._seed = engine_seed(self.settings.seed_path)
        return self._seed

    def cast(self, sc: Scenario) -> Scenario:
        """The scenario with its role filled from the engine's data (see `cast_scenario`)."""
        # The engine counts the refund window from its business date: the one its refund
        # policy pins for this seed (environment, or the seed's own date), else today.
        today = RefundPolicy.from_env(os.environ, self.seed.path).as_of or date.today()
        return cast_scenario(sc, self.seed, today)

    async def transcribe(self, ulaw: bytes) -> str:
        """What the agent said, as a caller's ear (Whisper) heard it.

        Off the event loop: the line keeps streaming while we listen.
        """

        def run() -> str:
            return " ".join(self.stt.transcribe_ulaw(p).text for p in split_on_pauses(ulaw)).strip()

        return await asyncio.to_thread(run)

    async def run(
        self, sc: Scenario, wav_dir: Path | None = None, reset_sandbox: bool = True
    ) -> ScenarioReport:
        """Play one scenario to its end and judge it.

        A role no record in the seed fills is a failed scenario (a gap in the
        data, not a pass), reported without placing the call; so is a template
        naming a field the role does not provide.
        """
        try:
            sc = self.cast(sc)
        except (RoleError, ScenarioError) as e:
            return ScenarioReport(sc.name, call_sid="", failures=[str(e)])
        async with httpx.AsyncClient(base_url=self.settings.backends.zendesk_base_url, timeout=10) as http:
            if reset_sandbox:
                await http.post("/_admin/reset", headers=self.admin)
            for fault in sc.faults:
                resp = await http.post("/_admin/faults", headers=self.admin, json=fault.model_dump())
                resp.raise_for_status()
            # The sandbox plays Twilio's REST side too: a transfer or hang-up the workflow makes
            # over REST stops this call's stream, as the real network would.
            network = PhoneNetwork(self.settings.backends.zendesk_base_url)
            phone = PhoneCall(
                self.settings.public_url,
                self.settings.twilio_auth_token,
                caller=sc.caller,
                account_sid=self.settings.twilio_account_sid,  # the engine refuses another account's
                network=network,
            )
            report = ScenarioReport(
                sc.name, phone.call_sid, workflow_url=self.settings.workflow_url(f"call-{phone.call_sid}")
            )
            await self._converse(sc, phone, report)
            await self._judge(sc, phone, report, http)
            if sc.faults:
                await http.delete("/_admin/faults", headers=self.admin)
        if wav_dir is not None:
            from callengine.wav import write_stereo

            await asyncio.to_thread(wav_dir.mkdir, parents=True, exist_ok=True)
            path = wav_dir / f"{sc.name}.wav"
            await asyncio.to_thread(write_stereo, path, phone.rec.caller, phone.rec.agent)
            report.wav = str(path)
        return report

    def _row(self, who: str, text: str, latency: float | None = None) -> None:
        lat = f"{latency:6.0f} ms" if latency is not None else " " * 9
        col = f"{'':<44}" if who == "agent" else ""
        wrapped = text if len(text) <= 80 else text[:77] + "..."
        self.out(f"{lat}  {col}{who:>6}: {wrapped}")

    async def _say(self, phone: PhoneCall, sc: Scenario, text: str, wait: bool = True) -> tuple[float, float]:
        audio = await asyncio.to_thread(caller_voice.say, text, tail_ms=80)  # never stall the line
        if sc.noise_snr_db is not None:
            audio = caller_voice.add_line_noise(audio, sc.noise_snr_db)
        start = await phone.say(audio, wait=wait)
        return start, start + (last_loud_frame(audio) + 1) * 0.02

    async def _converse(self, sc: Scenario, phone: PhoneCall, report: ScenarioReport) -> None:
        await phone.dial()
        end = await phone.wait_agent_done(since=0)
        greeting = await self.transcribe(phone.agent_audio_between(0, end + 0.1))
        self._row("agent", greeting)
        report.turns.append(Turn("", greeting, None))
        line, keys = sc.opening, sc.opening_keys
        used: set[int] = set()
        for turn in range(1, sc.max_turns + 1):
            caller_text = fill(line, sc.persona) if line else f"[keys {keys}]"
            if keys:
                spoke_at = phone._now()
                await phone.press(fill(keys, sc.persona))
                voice_end = phone._now()
            else:
                spoke_at, voice_end = await self._say(phone, sc, caller_text)
            self._row("caller", caller_text)
            if sc.hang_up and sc.hang_up.turn == turn:
                await asyncio.sleep(sc.hang_up.after_s)
                await phone.hang_up()
                report.ends_with = "caller hung up"
                break
            if sc.barge_in and sc.barge_in.turn == turn:
                while not phone.agent_speaking and not phone.closed.is_set():  # noqa: ASYNC110 — playout is a clock
                    await asyncio.sleep(0.01)
                await asyncio.sleep(sc.barge_in.after_s)
                self._row("caller", f"(cuts in) {sc.barge_in.say}")
                spoke_at, voice_end = await self._say(phone, sc, sc.barge_in.say, wait=False)
            end = await phone.wait_agent_done(since=spoke_at, quiet_s=0.8)
            replies = [t for t, _ in phone.rec.agent if t > voice_end]
            latency = (replies[0] - voice_end) * 1000 if replies else None
            agent = await self.transcribe(phone.agent_audio_between(spoke_at, end + 0.1))
            plain_turn = not (sc.barge_in and sc.barge_in.turn == turn) and not (
                sc.silence and sc.silence.turn == turn
            )
            # A person who heard "Thanks, you're verified." and a pause waits for the rest
            # before asking the agent to repeat itself: a busy engine pauses between sentences.
            while plain_turn and not phone.closed.is_set() and self._match(sc, agent, used) is None:
                more = await phone.wait_agent_done(since=end + 0.05, quiet_s=0.8, timeout_s=PATIENCE_S)
                if more <= end:
                    break
                end = more
                agent = await self.transcribe(phone.agent_audio_between(spoke_at, end + 0.1))
            self._row("agent", agent, latency)
            report.turns.append(Turn(caller_text, agent, latency))
            if phone.closed.is_set():
                break
            if sc.silence and sc.silence.turn == turn:
                self._row("caller", "(silence)")
                try:
                    await asyncio.wait_for(phone.closed.wait(), sc.silence.wait_s)
                except TimeoutError:
                    pass
                tail = await self.transcribe(phone.agent_audio_between(end + 0.1, phone._now()))
                if tail:
                    self._row("agent", tail)
                    report.turns.append(Turn("(silence)", tail, None))
                break
            line, keys = self._answer(sc, agent, used)
        if phone.closed.is_set() and report.ends_with is None:
            twiml = await phone.follow_action()
            self._show_rest(phone, twiml)
            report.ends_with = (
                "hangup"
                if "<Hangup" in twiml
                else "enqueue"
                if "<Enqueue" in twiml
                else "dial"
                if "<Dial" in twiml
                else twiml
            )
        elif report.ends_with is None:
            await phone.hang_up()
            report.ends_with = "caller hung up"
        report.handle_time_s = round(phone._now(), 1)

    def _show_rest(self, phone: PhoneCall, twiml: str) -> None:
        """What the workflow did to the live call over Twilio REST (the sandbox plays Twilio)."""
        if phone.rest_completed:
            self.out("   → Twilio REST: the workflow completed the call (hang-up)")
        elif phone.redirect_twiml is not None:
            shown = re.sub(r"^<\?xml[^>]*\?>", "", twiml.strip())
            self.out(f"   → Twilio REST: the workflow redirected the call to {shown}")
            if phone.whisper_twiml:
                said = re.sub(r"<[^>]+>", " ", phone.whisper_twiml).split()
                self.out(f"   → the person who answers hears first: {' '.join(said)}")

    @staticmethod
    def _match(sc: Scenario, agent: str, used: set[int]) -> int | None:
        """The first reply whose `when` matches what the agent said (None: the fallback)."""
        for i, reply in enumerate(sc.replies):
            if reply.once and i in used:
                continue
            if re.search(reply.when, agent, re.IGNORECASE):
                return i
        return None

    def _answer(self, sc: Scenario, agent: str, used: set[int]) -> tuple[str | None, str | None]:
        i = self._match(sc, agent, used)
        if i is None:
            return sc.fallback, None
        used.add(i)
        return sc.replies[i].say, sc.replies[i].keys

    async def _judge(
        self, sc: Scenario, phone: PhoneCall, report: ScenarioReport, http: httpx.AsyncClient
    ) -> None:
        call = Call.attach(self.client, phone.call_sid)
        try:
            result = await asyncio.wait_for(call.result(), 60)
            state = await call.state()
        except Exception as err:  # the call's workflow never finished: that is the failure
            report.failures.append(f"workflow did not complete: {type(err).__name__}: {err}")
            return
        report.outcome, report.intent = result.outcome, result.intent
        report.stages = [
            t.latency.model_dump(exclude_none=True)
            for t in state.turns
            if t.speaker == "agent" and t.latency is not None
        ]
        report.escalated, report.escalation_reason = result.escalated, result.escalation_reason
        report.ticket_ids = result.ticket_ids
        report.cost_usd = result.usage.cost_usd if result.usage else None
        e, f = sc.expect, report.failures
        for name in ("outcome", "intent", "verified", "escalated", "escalation_reason"):
            want = getattr(e, name)
            got = getattr(result, name)
            if want is not None and got != want:
                f.append(f"{name}: expected {want!r}, got {got!r}")
        if e.tickets is not None and len(result.ticket_ids) != e.tickets:
            f.append(f"tickets: expected {e.tickets}, got {len(result.ticket_ids)}")
        refunds = [c for c in state.tool_calls if c.name == "issue_refund" and c.ok]
        if e.refunds is not None and len(refunds) != e.refunds:
            f.append(f"refunds: expected {e.refunds}, got {len(refunds)}")
        moved = any(c.name == "reschedule_appointment" and c.ok for c in state.tool_calls)
        if e.rescheduled is not None and moved != e.rescheduled:
            f.append(f"rescheduled: expected {e.rescheduled}, got {moved}")
        if e.ends_with is not None and report.ends_with != e.ends_with:
            f.append(f"ends_with: expected {e.ends_with}, got {report.ends_with}")
        # What the agent said is the workflow's record of its turns (cut at what the caller heard,
        # by the marks), not the runner's Whisper transcript, which only chooses the caller's replies.
        said = " ".join(t.text for t in state.turns if t.speaker == "agent")
        f += [f"agent never said /{p}/" for p in e.said if not re.search(p, said, re.IGNORECASE)]
        # Something said that must not be is a failure whichever record shows it.
        heard = " ".join(t.agent for t in report.turns)
        f += [
            f"agent said /{p}/"
            for p in e.not_said
            if re.search(p, said, re.IGNORECASE) or re.search(p, heard, re.IGNORECASE)
        ]
        for ticket_id in result.ticket_ids:  # every ticket the call claims exists in the helpdesk
            resp = await http.get(f"/api/v2/tickets/{ticket_id}.json", headers=self._zendesk())
            if resp.status_code != 200:
                f.append(f"ticket {ticket_id} not found in the helpdesk")
        report.passed = not f

    def _zendesk(self) -> dict[str, str]:
        import base64

        b = self.settings.backends
        token = base64.b64encode(f"{b.zendesk_email}/token:{b.zendesk_token}".encode()).decode()
        return {"Authorization": f"Basic {token}"}
