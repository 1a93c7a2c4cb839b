"""`WhisperHeard`: the durable record that a transfer's whisper was read out, once.

The whisper (`/twilio/whisper`) reads the call's handoff note to the human who answers a
transfer. Its request is signed by Twilio, but a signed request replays: whoever captured one
could fetch the note again. Each human leg may hear it once, on whichever API replica: the API
starts this workflow with id `whisper-<leg CallSid>` and a reuse policy that never admits the id
again, so Temporal itself refuses the second request. It has nothing to do; its history (when,
for which call) is the audit record ops see.
"""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import workflow


class WhisperHeardInput(BaseModel):
    """Which call's note was read, to which leg (SIDs only: no numbers or names)."""

    call_sid: str
    leg_sid: str


@workflow.defn(name="WhisperHeard")
class WhisperHeardWorkflow:
    """Completes at once: the workflow id is the single-use claim."""

    @workflow.run
    async def run(self, inp: WhisperHeardInput) -> None:
        """Nothing to do but exist."""
        return None
