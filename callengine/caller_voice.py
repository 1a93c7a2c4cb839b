"""The simulated caller's voice: real synthesized speech, as it would arrive over a Twilio call.

Speech tests need audio of a person saying known words. This makes it with
Piper, but set to sound unlike the agent (slower, flatter), scales it to a
phone caller's level, and can add line noise, so that recognition tests are
not just the agent's voice fed back to itself. Used by `callengine call`, tests and bench/.
"""

from __future__ import annotations

import functools

import numpy as np

from realtime import audio
from realtime.tts.piper import PiperTts

# Piper normalizes every sentence to full scale; a caller on a phone line is
# far quieter. -6 dB peak puts voiced speech around -20 dBFS RMS, a normal level.
CALLER_GAIN_DB = -6.0


@functools.cache
def caller_voice() -> PiperTts:
    """The process-wide test caller: the bundled voice, slower and without Piper's random variation."""
    # No noise at all (the agent uses Piper's 0.667 / 0.8): the caller sounds flatter and steadier,
    # and, more to the point, Piper becomes deterministic, so every test run hears the same audio.
    return PiperTts(length_scale=1.15, noise_scale=0.0, noise_w=0.0, volume=10 ** (CALLER_GAIN_DB / 20))


def say(text: str, *, lead_ms: int = 0, tail_ms: int = 0) -> bytes:
    """What the caller saying `text` sounds like on the inbound track: 8 kHz μ-law.

    Args:
        text: The words.
        lead_ms: Silence before the speech.
        tail_ms: Silence after it.

    Returns:
        μ-law bytes.
    """
    return audio.silence(lead_ms) + caller_voice().synthesize_ulaw(text) + audio.silence(tail_ms)


def add_line_noise(ulaw: bytes, snr_db: float, *, seed: int = 0) -> bytes:
    """Add white noise, like hiss on a phone line, at a given signal-to-noise ratio.

    The signal level is measured on the loud part of the audio (frames within
    20 dB of the loudest), so leading and trailing silence do not lower it.
    The noise is seeded: the same call always gives the same audio.

    Args:
        ulaw: 8 kHz μ-law audio.
        snr_db: Speech level minus noise level, in dB.
        seed: Random seed of the noise.

    Returns:
        The noisy audio, μ-law.
    """
    pcm = audio.ulaw_to_pcm16(ulaw).astype(np.float64)
    levels = [audio.rms_dbfs(audio.ulaw_to_pcm16(f)) for f in audio.frames(ulaw)]
    loudest = max(levels, default=audio.MIN_DBFS)
    active = [10 ** (lv / 10) for lv in levels if lv > loudest - 20]
    signal_dbfs = 10 * np.log10(np.mean(active)) if active else audio.MIN_DBFS
    noise_rms = 32768.0 * 10 ** ((signal_dbfs - snr_db) / 20)
    noise = np.random.default_rng(seed).normal(0.0, noise_rms, pcm.size)
    return audio.pcm16_to_ulaw(np.clip(np.rint(pcm + noise), -32768, 32767).astype(np.int16))


def noise(ms: int, dbfs: float, *, seed: int = 0) -> bytes:
    """White noise alone (a line with nobody speaking) at an RMS level, μ-law.

    Args:
        ms: Length.
        dbfs: RMS level.
        seed: Random seed.

    Returns:
        μ-law bytes.
    """
    n = audio.SAMPLE_RATE * ms // 1000
    samples = np.random.default_rng(seed).normal(0.0, 32768.0 * 10 ** (dbfs / 20), n)
    return audio.pcm16_to_ulaw(np.clip(np.rint(samples), -32768, 32767).astype(np.int16))
