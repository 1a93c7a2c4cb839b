"""Connecting to Temporal the same way everywhere (worker, API, CLI, tests).

Every client and worker must share one data converter, or payloads written by
one cannot be read by another; pydantic models are our payloads. The converter
is also where encryption happens (callengine/codec.py): every payload, and the
message and stack trace of every failure, is encrypted before it reaches the
server. It is built on first use from the environment, so a test suite can pin
its key before anything connects.

Observability rides on the client too: the tracing interceptor (callengine/tracing.py, when
tracing is on) goes on every client, and workers inherit it from theirs; the long-running
processes (worker, API) serve the Temporal SDK's own metrics — workflow and activity task
latencies, poller and slot usage, request failures — in Prometheus format on
`CALLENGINE_TEMPORAL_METRICS_ADDR` (e.g. `127.0.0.1:9464`) when it is set.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from callengine import tracing
from callengine.codec import EncryptionCodec, load_keyring
from callengine.settings import Settings

log = logging.getLogger(__name__)
METRICS_ADDR_ENV = "CALLENGINE_TEMPORAL_METRICS_ADDR"


def build_data_converter(codec: EncryptionCodec) -> DataConverter:
    """The pydantic converter with `codec` on every payload and failure messages encoded."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=codec,
        # Error messages can quote what a caller said: move them (and stack traces) into an
        # encoded attribute, which the codec encrypts like any payload.
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


@functools.cache
def data_converter() -> DataConverter:
    """The process's data converter, with the keys from the environment (see callengine/codec.py).

    Raises:
        callengine.codec.CodecConfigError: no key outside local development, or a malformed one.
    """
    return build_data_converter(EncryptionCodec(load_keyring()))


def __getattr__(name: str) -> DataConverter:
    # `DATA_CONVERTER` stays importable for the tests and benchmarks that name it, built lazily:
    # at import time the environment (a test key, production keys) may not be final yet.
    if name == "DATA_CONVERTER":
        return data_converter()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def metrics_runtime(bind_address: str | None = None) -> Runtime | None:
    """The process's Temporal runtime serving SDK metrics, or None when none is configured.

    One per process (cached): a runtime owns its Prometheus listener, and a second one on the
    same address could not bind.

    Args:
        bind_address: `host:port` to serve `/metrics` on; `CALLENGINE_TEMPORAL_METRICS_ADDR` by default.

    Returns:
        The runtime, or None (no address, or the address is taken: logged, and the process goes
        on without SDK metrics rather than not at all).

    Raises:
        ValueError: The address is not `host:port`.
    """
    address = (bind_address or os.environ.get(METRICS_ADDR_ENV, "")).strip()
    if not address:
        return None
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"{METRICS_ADDR_ENV} must be host:port (e.g. 127.0.0.1:9464), not {address!r}")
    try:
        runtime = Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))
    except ValueError as e:
        # Typically `callengine up`: worker and API inherit one address and only the first binds.
        log.warning("Temporal SDK metrics not served on %s: %s", address, e)
        return None
    log.info("Temporal SDK metrics on http://%s/metrics", address)
    return runtime


async def connect(settings: Settings, *, serve_metrics: bool = False) -> Client:
    """A client for the configured Temporal frontend and namespace, encrypting every payload.

    Args:
        settings: Address and namespace.
        serve_metrics: Serve the SDK's metrics (`CALLENGINE_TEMPORAL_METRICS_ADDR`) from this
            client's runtime: for the long-running worker and API processes, not for one-shot
            commands, which would only contend for the port.

    Returns:
        The connected client, with the tracing interceptor when tracing is on.
    """
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(),
        interceptors=tracing.client_interceptors(),
        runtime=metrics_runtime() if serve_metrics else None,
    )
