r"""`callengine analyze`: classify exported call transcripts into the seed's intents.

The seed article's first lesson is to read the call logs before building:
export the last calls, classify them, and check that a handful of intents
carry most of the traffic (its mix: order status 35%, account 20%,
appointment reschedule 15%, basic troubleshooting 10%, refunds 8%, all others
12%). This module does that with the same classifier the agent runs on every
turn (`realtime.brain.intents`), so the numbers describe what the agent will
actually recognise, not what a separate offline model thinks.

Input is JSONL, one call per line, in either of two shapes::

    {"call_id": "CA…", "started_at": "2026-11-20T09:14:03-08:00", "duration_s": 184,
     "turns": [{"speaker": "agent", "text": "…"}, {"speaker": "caller", "text": "…"}]}
    {"call_id": "CA…", "transcript": "Agent: …\nCaller: …"}

`started_at` and `duration_s` are optional. An optional `label` (one of
`ALL_INTENTS`) is a human- or generator-assigned ground truth: when present,
the analysis also reports how often the classifier agrees with it.

Bad lines (not JSON, missing or mistyped fields, repeated call ids) are
reported with their line numbers and skipped; only a file with no valid call
at all is an error.
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from realtime.brain.intents import ALL_INTENTS, HUMAN, OTHER, TOP_FIVE, classify

__all__ = [
    "LOW_CONFIDENCE",
    "SEED_SHARES",
    "SEED_TOP_FIVE",
    "Analysis",
    "AnalyzeError",
    "CallResult",
    "Malformed",
    "analyze",
    "classify_call",
    "format_table",
    "plot",
    "run",
    "to_json",
]

# Below this the agent escalates (DESIGN.md), so such calls are the ones the
# classifier would hand to a human: worth counting separately.
LOW_CONFIDENCE = 0.7

# How many opening caller turns decide a call's intent. Callers state their
# reason early; later turns are identifiers, read-backs and goodbyes, which
# carry misleading cues ("my order number is …" in a refund call).
DECISIVE_TURNS = 3

# The seed article's call mix (percent). `other` is its "all others" bucket,
# which also holds callers who only ask for a human: the seed has no separate
# figure for them, so `human` has no seed share.
SEED_SHARES: dict[str, float] = {
    "order_status": 35.0,
    "account": 20.0,
    "reschedule": 15.0,
    "troubleshooting": 10.0,
    "refund": 8.0,
    OTHER: 12.0,
}
SEED_TOP_FIVE: float = sum(SEED_SHARES[i] for i in TOP_FIVE)  # 35+20+15+10+8 = 88

# Flat transcripts label turns with these prefixes (case-insensitive).
_CALLER_PREFIXES = ("caller:", "customer:")
_AGENT_PREFIXES = ("agent:",)

# A runaway export should not flood the terminal; the JSON output keeps all.
_MAX_MALFORMED_SHOWN = 20


class AnalyzeError(Exception):
    """The input cannot be analysed at all (missing, unreadable, or no valid call)."""


@dataclass(frozen=True)
class Malformed:
    """One input line that was skipped, and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class CallResult:
    """The intent of one call and the evidence for it.

    Attributes:
        call_id: The call's id as exported.
        line: 1-based line number in the input file.
        intent: One of `ALL_INTENTS`.
        confidence: The classifier's confidence for the deciding turn.
        deciding_turn: 0-based index among the caller turns of the turn that
            decided the intent, or None if no caller turn had any cue.
        label: The ground-truth label from the input, if it had one.
    """

    call_id: str
    line: int
    intent: str
    confidence: float
    deciding_turn: int | None
    label: str | None = None


@dataclass(frozen=True)
class Analysis:
    """The intent mix of a transcript export.

    Attributes:
        source: The file analysed.
        calls: Every valid call, in file order.
        malformed: Every skipped line, in file order.
    """

    source: Path
    calls: tuple[CallResult, ...]
    malformed: tuple[Malformed, ...] = field(default=())

    @property
    def total(self) -> int:
        """Number of valid calls."""
        return len(self.calls)

    @property
    def counts(self) -> dict[str, int]:
        """Calls per intent, every intent present (zero if none), in `ALL_INTENTS` order."""
        c = Counter(call.intent for call in self.calls)
        return {intent: c[intent] for intent in ALL_INTENTS}

    @property
    def shares(self) -> dict[str, float]:
        """Fraction of calls per intent (0–1), in `ALL_INTENTS` order."""
        n = self.total
        return {intent: (k / n if n else 0.0) for intent, k in self.counts.items()}

    @property
    def top_five_coverage(self) -> float:
        """Fraction of calls (0–1) whose intent is one of the seed's top five."""
        shares = self.shares
        return sum(shares[i] for i in TOP_FIVE)

    @property
    def low_confidence(self) -> int:
        """Calls classified with confidence below `LOW_CONFIDENCE`."""
        return sum(1 for call in self.calls if call.confidence < LOW_CONFIDENCE)

    @property
    def labelled(self) -> int:
        """Calls that carry a ground-truth label."""
        return sum(1 for call in self.calls if call.label is not None)

    @property
    def accuracy(self) -> float | None:
        """Fraction of labelled calls whose intent matches the label, or None without labels."""
        labelled = [call for call in self.calls if call.label is not None]
        if not labelled:
            return None
        return sum(1 for call in labelled if call.intent == call.label) / len(labelled)

    @property
    def confusion(self) -> dict[str, dict[str, int]]:
        """Label → predicted intent → calls, over labelled calls (only non-zero cells)."""
        out: dict[str, dict[str, int]] = {}
        for call in self.calls:
            if call.label is not None:
                row = out.setdefault(call.label, {})
                row[call.intent] = row.get(call.intent, 0) + 1
        return out


@dataclass(frozen=True)
class _Call:
    call_id: str
    caller_turns: list[str]
    label: str | None


def classify_call(caller_turns: Sequence[str]) -> tuple[str, float, int | None]:
    """Decide a call's intent from what the caller said.

    The rule: classify each of the first three caller turns on its own and
    take the most confident one whose intent is in the seed's top five
    (ties go to the earlier turn). Only if none of them reads as a top-five
    intent does the most confident `human` or `other` reading win; a call in
    which no turn matches any cue is `other`.

    Top-five intents win over `human` because asking for a person is how a
    call is handled, not what it is about: a caller who opens with "get me a
    human" and then says "my order never came" is an order-status call, and
    the agent should be built to answer it. Turns are classified separately,
    not concatenated, so the cues of one sentence cannot add up with another's
    into a reading that neither supports.

    Args:
        caller_turns: The caller's turns in order (agent turns excluded).

    Returns:
        (intent, confidence, index of the deciding caller turn or None).
    """
    best_top: tuple[str, float, int] | None = None
    best_rest: tuple[str, float, int] | None = None
    for index, text in enumerate(caller_turns[:DECISIVE_TURNS]):
        c = classify(text)
        if not any(c.scores.values()):
            continue
        if c.intent in TOP_FIVE:
            if best_top is None or c.confidence > best_top[1]:
                best_top = (c.intent, c.confidence, index)
        elif best_rest is None or c.confidence > best_rest[1]:
            best_rest = (c.intent, c.confidence, index)
    if best_top is not None:
        return best_top
    if best_rest is not None:
        return best_rest
    # Nothing scored: `classify` calls that `other` at its own floor confidence.
    return OTHER, classify("").confidence, None


def analyze(path: Path) -> Analysis:
    """Read a JSONL transcript export and classify every call in it.

    Args:
        path: The JSONL file.

    Returns:
        The analysis; malformed lines are listed in it, not raised.

    Raises:
        AnalyzeError: The file is missing or unreadable, or holds no valid call.
    """
    calls: list[CallResult] = []
    malformed: list[Malformed] = []
    first_seen: dict[str, int] = {}
    try:
        for lineno, raw in _lines(path):
            if not raw.strip():
                continue  # blank lines (e.g. a trailing newline pair) are not data
            try:
                call = _parse(raw)
            except ValueError as e:
                malformed.append(Malformed(lineno, str(e)))
                continue
            if call.call_id in first_seen:
                # Counting a call twice would skew the mix; exports repeat rows on retry.
                malformed.append(
                    Malformed(
                        lineno,
                        f"duplicate call_id {call.call_id!r} (first on line {first_seen[call.call_id]})",
                    )
                )
                continue
            first_seen[call.call_id] = lineno
            intent, confidence, turn = classify_call(call.caller_turns)
            calls.append(CallResult(call.call_id, lineno, intent, confidence, turn, call.label))
    except OSError as e:
        raise AnalyzeError(f"cannot read {path}: {e.strerror or e}") from e
    if not calls:
        if malformed:
            first = malformed[0]
            raise AnalyzeError(
                f"no valid calls in {path}: {len(malformed)} malformed line(s); "
                f"line {first.line}: {first.reason}"
            )
        raise AnalyzeError(f"no calls in {path}: the file is empty")
    return Analysis(source=path, calls=tuple(calls), malformed=tuple(malformed))


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, text); a line that is not UTF-8 yields a marker to reject."""
    with path.open("rb") as f:
        for lineno, raw in enumerate(f, start=1):
            try:
                yield lineno, raw.decode("utf-8")
            except UnicodeDecodeError:
                # One corrupt row should cost that row, not the whole export.
                yield lineno, "\x00not-utf8"


def _parse(raw: str) -> _Call:
    """Validate one JSONL line; raise ValueError with a short reason if it is not a call."""
    if raw.startswith("\x00not-utf8"):
        raise ValueError("not valid UTF-8")
    try:
        obj: Any = json.loads(raw)
    except json.JSONDecodeError as e:
        raise ValueError(f"invalid JSON: {e.msg} (column {e.colno})") from None
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {_kind(obj)}")
    call_id = obj.get("call_id")
    if not isinstance(call_id, str) or not call_id.strip():
        raise ValueError("call_id must be a non-empty string" if "call_id" in obj else "missing call_id")
    started_at = obj.get("started_at")
    if started_at is not None:
        if not isinstance(started_at, str):
            raise ValueError(f"started_at must be an ISO 8601 string, got {_kind(started_at)}")
        try:
            datetime.fromisoformat(started_at)
        except ValueError:
            raise ValueError(f"started_at is not an ISO 8601 time: {started_at!r}") from None
    duration = obj.get("duration_s")
    if duration is not None and (
        isinstance(duration, bool)
        or not isinstance(duration, int | float)
        or not math.isfinite(duration)
        or duration < 0
    ):
        raise ValueError(f"duration_s must be a non-negative number, got {duration!r}")
    label = obj.get("label")
    if label is not None and label not in ALL_INTENTS:
        raise ValueError(f"label must be one of {', '.join(ALL_INTENTS)}, got {label!r}")

    if "turns" in obj:
        caller_turns = _caller_turns(obj["turns"])
    elif "transcript" in obj:
        transcript = obj["transcript"]
        if not isinstance(transcript, str):
            raise ValueError(f"transcript must be a string, got {_kind(transcript)}")
        caller_turns = flat_caller_turns(transcript)
    else:
        raise ValueError("missing turns (or transcript)")
    return _Call(call_id, caller_turns, label)


def _caller_turns(turns: Any) -> list[str]:
    if not isinstance(turns, list):
        raise ValueError(f"turns must be a list, got {_kind(turns)}")
    out: list[str] = []
    for i, turn in enumerate(turns):
        if not isinstance(turn, dict):
            raise ValueError(f"turns[{i}] must be an object, got {_kind(turn)}")
        speaker, text = turn.get("speaker"), turn.get("text")
        if speaker not in ("caller", "agent"):
            raise ValueError(f"turns[{i}].speaker must be 'caller' or 'agent', got {speaker!r}")
        if not isinstance(text, str):
            raise ValueError(f"turns[{i}].text must be a string, got {_kind(text)}")
        if speaker == "caller" and text.strip():
            out.append(text)
    return out


def flat_caller_turns(transcript: str) -> list[str]:
    """Split a flat transcript into the caller's turns.

    Lines starting with "Caller:" or "Customer:" open a caller turn and lines
    starting with "Agent:" an agent turn (case-insensitive); an unlabelled
    line continues the turn above it, since exports wrap long turns. A
    transcript with no labelled line at all is taken as caller speech.

    Args:
        transcript: The flat transcript text.

    Returns:
        The caller's turns, in order, without their prefixes.
    """
    lines = [ln.strip() for ln in transcript.splitlines() if ln.strip()]
    if not any(ln.lower().startswith(_CALLER_PREFIXES + _AGENT_PREFIXES) for ln in lines):
        return [transcript.strip()] if transcript.strip() else []
    turns: list[tuple[str, str]] = []
    for ln in lines:
        low = ln.lower()
        prefix = next((p for p in _CALLER_PREFIXES + _AGENT_PREFIXES if low.startswith(p)), None)
        if prefix is not None:
            speaker = "caller" if prefix in _CALLER_PREFIXES else "agent"
            turns.append((speaker, ln[len(prefix) :].strip()))
        elif turns:
            speaker, text = turns[-1]
            turns[-1] = (speaker, f"{text} {ln}")
        else:
            # Text before the first label (a header, a note): most likely the caller.
            turns.append(("caller", ln))
    return [text for speaker, text in turns if speaker == "caller" and text]


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def format_table(analysis: Analysis) -> str:
    """Render the intent mix as an aligned text table next to the seed's.

    Args:
        analysis: The analysis to show.

    Returns:
        The table; its last line is the top-five coverage against the seed's.
    """
    counts, shares = analysis.counts, analysis.shares
    headers = ("Intent", "Calls", "Share", "Seed")
    rows = [
        (
            intent,
            str(counts[intent]),
            f"{shares[intent] * 100:.1f}%",
            f"{SEED_SHARES[intent]:.1f}%" if intent in SEED_SHARES else "-",
        )
        for intent in ALL_INTENTS
    ]
    total = ("total", str(analysis.total), "100.0%", f"{sum(SEED_SHARES.values()):.1f}%")
    widths = [max(len(r[col]) for r in (headers, *rows, total)) for col in range(4)]

    def line(cells: tuple[str, str, str, str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = "  ".join(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return f"{first}  {rest}".rstrip()

    rule = "-" * len(line(headers))
    out = [line(headers), rule, *(line(r) for r in rows), rule, line(total), ""]
    out.append(f"Seed 'other' is its 'all others' bucket, which includes callers asking only for a {HUMAN}.")
    out.append(f"Low confidence (< {LOW_CONFIDENCE}): {analysis.low_confidence} call(s)")
    if analysis.malformed:
        out.append(f"Malformed lines skipped: {len(analysis.malformed)}")
    accuracy = analysis.accuracy
    if accuracy is not None:
        out.append(f"Agreement with labels: {accuracy * 100:.1f}% of {analysis.labelled} labelled call(s)")
    out.append(
        f"Top five intents cover {analysis.top_five_coverage * 100:.1f}% of calls (seed: {SEED_TOP_FIVE:g}%)"
    )
    return "\n".join(out)


def to_json(analysis: Analysis) -> dict[str, Any]:
    """The analysis as a JSON-ready dict; shares are fractions (0–1).

    Args:
        analysis: The analysis to export.

    Returns:
        A dict with `source`, `total`, `intents` (per intent: `calls`, `share`,
        `seed_share` or null), `top_five_coverage`, `seed_top_five_coverage`,
        `low_confidence` (`threshold`, `calls`), `malformed` (list of `line`,
        `reason`), `labelled`, `accuracy` (null without labels) and
        `confusion` (label → predicted → calls).
    """
    counts, shares = analysis.counts, analysis.shares
    accuracy = analysis.accuracy
    return {
        "source": str(analysis.source),
        "total": analysis.total,
        "intents": {
            intent: {
                "calls": counts[intent],
                "share": round(shares[intent], 4),
                "seed_share": SEED_SHARES[intent] / 100 if intent in SEED_SHARES else None,
            }
            for intent in ALL_INTENTS
        },
        "top_five_coverage": round(analysis.top_five_coverage, 4),
        "seed_top_five_coverage": SEED_TOP_FIVE / 100,
        "low_confidence": {"threshold": LOW_CONFIDENCE, "calls": analysis.low_confidence},
        "malformed": [{"line": m.line, "reason": m.reason} for m in analysis.malformed],
        "labelled": analysis.labelled,
        "accuracy": None if accuracy is None else round(accuracy, 4),
        "confusion": analysis.confusion,
    }


def plot(analysis: Analysis, out: Path) -> None:
    """Write a PNG bar chart of the intent shares, with the seed's shares as markers.

    Args:
        analysis: The analysis to draw.
        out: Where to write the PNG (parent directories must exist).

    Raises:
        OSError: The file cannot be written.
    """
    # Imported here: matplotlib costs most of a second to import, and the
    # table and JSON outputs do not need it.
    import matplotlib

    matplotlib.use("Agg")  # no display on servers or CI; we only ever write files
    from matplotlib.figure import Figure

    intents = list(reversed(ALL_INTENTS))  # barh draws bottom-up; keep the top intent on top
    shares = analysis.shares
    values = [shares[i] * 100 for i in intents]
    colours = ["#2b6cb0" if i in TOP_FIVE else "#a0aec0" for i in intents]

    # A Figure, not pyplot: no global state, nothing to close, safe in a server.
    fig = Figure(figsize=(8, 4.5), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    bars = ax.barh(intents, values, color=colours)
    ax.bar_label(bars, labels=[f"{v:.1f}%" for v in values], padding=3, fontsize=8)
    seed = [(intent, SEED_SHARES[intent]) for intent in intents if intent in SEED_SHARES]
    markers = ax.scatter([s for _, s in seed], [i for i, _ in seed], marker="D", color="#c53030", zorder=3)
    ax.set_xlabel("share of calls (%)")
    ax.set_ylabel("intent")
    ax.set_xlim(0, max([*values, *SEED_SHARES.values()]) * 1.2)
    ax.set_title(
        f"Call intents, {analysis.total} calls: top five cover "
        f"{analysis.top_five_coverage * 100:.1f}% (seed {SEED_TOP_FIVE:g}%)"
    )
    # Outside the axes: inside, it would cover whichever bar happens to be long.
    fig.legend(
        [bars[-1], bars[0], markers],
        ["top-five intent", "human / other", "seed article (other = all others)"],
        loc="outside lower center",
        ncols=3,
        fontsize=8,
    )
    fig.savefig(out, format="png")


def run(path: Path, plot_path: Path | None = None, as_json: bool = False) -> int:
    """Analyse a transcript export and print the result: the body of `callengine analyze`.

    Prints the table (or JSON) to stdout and any malformed lines to stderr.

    Args:
        path: The JSONL export.
        plot_path: If given, also write the PNG chart there.
        as_json: Print JSON instead of the table.

    Returns:
        The exit code: 0 on success; 2 if the file is missing or unreadable
        or holds no valid call; 1 if the chart cannot be written.
    """
    try:
        analysis = analyze(path)
    except AnalyzeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(to_json(analysis), indent=2))
    else:
        for m in analysis.malformed[:_MAX_MALFORMED_SHOWN]:
            print(f"warning: {path}:{m.line}: {m.reason}", file=sys.stderr)
        if len(analysis.malformed) > _MAX_MALFORMED_SHOWN:
            more = len(analysis.malformed) - _MAX_MALFORMED_SHOWN
            print(f"warning: … and {more} more malformed line(s) (see --json)", file=sys.stderr)
        print(format_table(analysis))
    if plot_path is not None:
        try:
            plot(analysis, plot_path)
        except OSError as e:
            print(f"error: cannot write {plot_path}: {e.strerror or e}", file=sys.stderr)
            return 1
    return 0
