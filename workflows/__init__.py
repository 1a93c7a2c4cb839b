"""The CallWorkflow and its types, and the per-account guard that counts failed verifications."""

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
from workflows.verify_guard import VerifyGuardWorkflow

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
    "VerifyGuardWorkflow",
    "json_schemas",
]
