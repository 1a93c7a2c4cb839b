"""The CallWorkflow and its types: the durable, deterministic truth of a call."""

from workflows.call import CallWorkflow
from workflows.tools import REGISTRY, TOOLS, json_schemas
from workflows.types import (
    CallInput,
    CallResult,
    CallState,
    CallUsage,
    DtmfSignal,
    EndedSignal,
    ToolRequest,
    ToolResult,
    TurnBatch,
    TurnLatency,
    TurnSignal,
)

__all__ = [
    "REGISTRY",
    "TOOLS",
    "CallInput",
    "CallResult",
    "CallState",
    "CallUsage",
    "CallWorkflow",
    "DtmfSignal",
    "EndedSignal",
    "ToolRequest",
    "ToolResult",
    "TurnBatch",
    "TurnLatency",
    "TurnSignal",
    "json_schemas",
]
