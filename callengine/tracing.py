"""Optional OpenTelemetry tracing: one trace per call, from the media stream to the activities.

Off by default; the environment switches it on:

- `CALLENGINE_TRACING`: `off`, `console` (spans printed to stderr, for a look on one
  machine) or `otlp`.
- `OTEL_EXPORTER_OTLP_ENDPOINT`: the collector (`http://host:4318`); when set, and
  `CALLENGINE_TRACING` is not, it switches `otlp` on. The other standard
  `OTEL_EXPORTER_OTLP_*` variables (headers, `_TRACES_ENDPOINT`, timeouts) apply as usual.
- `OTEL_SERVICE_NAME`: the service name; by default the process's own (`callengine-api`,
  `callengine-worker`).
- `OTEL_SDK_DISABLED=true`: off, whatever else is set.

`otlp` needs the `tracing` extra (`pip install 'callengine[tracing]'`, the OTLP/HTTP exporter);
asking for it without the extra is a start-up error, not a silent no-op.

How the spans connect: `callengine.temporal.connect()` puts Temporal's `TracingInterceptor` on
every client, and a worker built from that client inherits it, so the span context travels in
Temporal headers. The realtime side opens one `call` span per media stream (`call_span`); every
Temporal request of the call (start, tool updates, turn signals) is its child, the workflow's
spans hang off the start, and each activity's off the workflow step that scheduled it.

Spans name workflows, updates, signals and activity types and carry workflow ids
(`call-<CallSid>`), never payloads. The exporter is wrapped so that error descriptions and
exception messages (which can quote a caller's input) are masked like log lines.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Final, Literal

from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import SpanKind, Status, Tracer, get_current_span
from opentelemetry.util.types import AnyValue

from callengine.logs import redact

if TYPE_CHECKING:  # imported when tracing is switched on: Temporal's contrib pulls in more
    from temporalio.contrib.opentelemetry import TracingInterceptor

__all__ = [
    "MODES",
    "TracingConfigError",
    "call_span",
    "client_interceptors",
    "enabled",
    "resolve_mode",
    "setup",
    "shutdown",
    "tag_call",
    "use_provider",
]

log = logging.getLogger(__name__)

Mode = Literal["off", "console", "otlp"]
MODES: Final = ("off", "console", "otlp")
_SCOPE: Final = "callengine"


class TracingConfigError(RuntimeError):
    """Tracing was asked for in a way this installation cannot do (bad mode, missing exporter)."""


class _State:
    """This process's tracing: set up once (or by a test), read by every client and session."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Back to "not set up"."""
        self.ready = False  # `setup` ran (even if tracing turned out off)
        self.provider: TracerProvider | None = None
        self.owned = False  # we built the provider: ours to flush and shut down
        self.tracer: Tracer | None = None
        self.interceptor: TracingInterceptor | None = None


_state = _State()


def resolve_mode(env: Mapping[str, str] | None = None) -> Mode:
    """Which tracing the environment asks for.

    Args:
        env: The environment (`os.environ` by default).

    Returns:
        `off`, `console` or `otlp`.

    Raises:
        TracingConfigError: `CALLENGINE_TRACING` is not one of them.
    """
    env = os.environ if env is None else env
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return "off"
    choice = env.get("CALLENGINE_TRACING", "").strip().lower()
    if not choice:
        endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        return "otlp" if endpoint else "off"
    if choice == "off":
        return "off"
    if choice == "console":
        return "console"
    if choice == "otlp":
        return "otlp"
    raise TracingConfigError(f"CALLENGINE_TRACING must be one of {', '.join(MODES)}, not {choice!r}")


def _exporter(mode: Mode) -> SpanExporter:
    if mode == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        # stderr: stdout belongs to the command's own output (`report --json`, `chat`).
        return ConsoleSpanExporter(out=sys.stderr)
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError as e:
        raise TracingConfigError(
            "tracing to OTLP needs the OTLP exporter: pip install 'callengine[tracing]' "
            "(or set CALLENGINE_TRACING=console or off)"
        ) from e
    return OTLPSpanExporter()  # endpoint, headers and timeouts from the OTEL_EXPORTER_OTLP_* variables


def setup(service_name: str = "callengine", env: Mapping[str, str] | None = None) -> bool:
    """Configure tracing for this process from the environment (once; later calls do nothing).

    Call it early in a process's life with the process's service name; a client connected
    before it (or in a process that never calls it) sets it up with the default name.

    Args:
        service_name: `service.name` of the spans, unless `OTEL_SERVICE_NAME` says otherwise.
        env: The environment (`os.environ` by default).

    Returns:
        Whether tracing is on.

    Raises:
        TracingConfigError: A bad `CALLENGINE_TRACING`, or `otlp` without the exporter installed.
    """
    with _state.lock:
        if _state.ready:
            return _state.tracer is not None
        env = os.environ if env is None else env
        mode = resolve_mode(env)
        if mode == "off":
            _state.ready = True
            return False
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        exporter = _exporter(mode)
        # Resource.create also reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; ours only fills in.
        attributes = {} if env.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: service_name}
        provider = TracerProvider(resource=Resource.create(attributes))
        # Batched, off the event loop: a slow collector must never slow a call.
        provider.add_span_processor(BatchSpanProcessor(_RedactingExporter(exporter)))
        _install(provider, owned=True)
        log.info("tracing on (%s) as %s", mode, attributes.get(SERVICE_NAME, env.get("OTEL_SERVICE_NAME")))
        return True


def use_provider(provider: TracerProvider | None) -> None:
    """Trace into `provider` (a test's in-memory exporter), or reset to "not set up" with None.

    Nothing global in OpenTelemetry is touched: spans go to this provider through the clients
    connected afterwards and through `call_span`.

    Args:
        provider: The tracer provider to use; None forgets any configuration.
    """
    with _state.lock:
        if provider is None:
            _state.reset()
            return
        _install(provider, owned=False)


def _install(provider: TracerProvider, *, owned: bool) -> None:
    from temporalio.contrib.opentelemetry import TracingInterceptor

    _state.provider, _state.owned, _state.ready = provider, owned, True
    _state.tracer = provider.get_tracer(_SCOPE)
    # Its own tracer, not the global one: the process's OpenTelemetry globals stay untouched
    # (a library or a test may own them).
    _state.interceptor = TracingInterceptor(provider.get_tracer("temporalio"))


def enabled() -> bool:
    """Whether this process traces (sets tracing up from the environment on first use)."""
    setup()
    return _state.tracer is not None


def client_interceptors() -> list[TracingInterceptor]:
    """The interceptors every Temporal client of this process gets: the tracing one, or none."""
    setup()
    return [_state.interceptor] if _state.interceptor is not None else []


@contextlib.contextmanager
def call_span() -> Iterator[None]:
    """The root span of one call on the realtime side; a no-op when tracing is off.

    Everything the call does to Temporal inside the block (in this task and the tasks it
    starts) becomes part of the call's one trace.
    """
    tracer = _state.tracer if enabled() else None
    if tracer is None:
        yield
        return
    with tracer.start_as_current_span("call", kind=SpanKind.SERVER):
        yield


def tag_call(call_sid: str) -> None:
    """Name the call on the current call span, once its SID is known (an id, not personal data)."""
    if _state.tracer is None:
        return
    span = get_current_span()
    if span.is_recording():
        span.set_attribute("callengine.call_sid", call_sid)


def shutdown() -> None:
    """Flush and stop the exporter this module built (before the process exits)."""
    with _state.lock:
        provider, owned = _state.provider, _state.owned
    if provider is not None and owned:
        try:
            provider.shutdown()
        except Exception as e:  # exiting anyway: a collector that is gone must not hang or fail exit
            log.warning("tracing: flushing spans failed (%s)", type(e).__name__)


def _redacted_span(span: ReadableSpan) -> ReadableSpan:
    """The span with its status description and event attributes masked like log lines."""

    def mask(value: AnyValue) -> AnyValue:
        return redact(value) if isinstance(value, str) else value

    status = span.status
    if status.description:
        status = Status(status.status_code, redact(status.description))
    events = [
        Event(e.name, {k: mask(v) for k, v in (e.attributes or {}).items()}, e.timestamp) for e in span.events
    ]
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=span.attributes,
        events=events,
        links=span.links,
        kind=span.kind,
        status=status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class _RedactingExporter(SpanExporter):
    """Wraps an exporter: every span leaves with error texts masked (they may quote input)."""

    def __init__(self, inner: SpanExporter) -> None:
        self._inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Mask, then export."""
        return self._inner.export([_redacted_span(s) for s in spans])

    def shutdown(self) -> None:
        """Shut the wrapped exporter down."""
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush the wrapped exporter."""
        return self._inner.force_flush(timeout_millis)
