"""A call as a stereo WAV: caller on the left, agent on the right, on one clock."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from realtime.audio import ulaw_to_pcm16

RATE = 8000


def _track(frames: list[tuple[float, bytes]], length: int) -> np.ndarray:
    out = np.zeros(length, dtype=np.int16)
    for t, frame in frames:
        start = round(t * RATE)
        pcm = ulaw_to_pcm16(frame)
        end = min(length, start + pcm.size)
        if start < end:
            out[start:end] = pcm[: end - start]
    return out


def write_stereo(path: Path, caller: list[tuple[float, bytes]], agent: list[tuple[float, bytes]]) -> None:
    """Write 16-bit 8 kHz stereo: what the caller said (L) and what they heard (R)."""
    ends = [t + len(f) / RATE for t, f in (*caller, *agent)]
    length = int(max(ends, default=0) * RATE) + 1
    stereo = np.stack([_track(caller, length), _track(agent, length)], axis=1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(stereo.astype("<i2").tobytes())
