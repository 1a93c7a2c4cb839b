"""Connecting to Temporal the same way everywhere (worker, API, CLI, tests).

Every client and worker must share one data converter, or payloads written by
one cannot be read by another; pydantic models are our payloads.
"""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from callengine.settings import Settings

DATA_CONVERTER = pydantic_data_converter


async def connect(settings: Settings) -> Client:
    """A client for the configured Temporal frontend and namespace."""
    return await Client.connect(
        settings.temporal_address, namespace=settings.temporal_namespace, data_converter=DATA_CONVERTER
    )
