"""Voice activity detection on the caller's 20 ms frames, by energy against a tracked noise floor.

A phone line is quiet between words but rarely silent: there is hiss,
hum and codec noise at some level that differs per call and drifts. So the
detector does not use a fixed threshold; it tracks that floor and calls a
frame speech when it is clearly louder than the floor *and* loud enough to
be a voice at all. The floor falls quickly (a quieter frame proves the floor
is lower) and rises slowly (so that speech, which is loud for seconds, does
not drag the floor up to itself), which is the classic minimum-tracking
noise estimate in its cheapest form.

Speech has dips between syllables and short gaps between words; a short
hangover keeps those inside one stretch of speech, so the turn-taking logic
above sees speech end only when the caller actually stops. A single loud
frame (a click, a bump of the handset) does not start speech: onset needs
two frames in a row. And a level that holds steady for 400 ms is noise, not
a voice, so a line that is loud from the start (or gets loud) is learned
within half a second instead of being heard as endless speech.

Everything is arithmetic on the frame: deterministic, no clock, ~10 µs a
frame.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from realtime.audio import MIN_DBFS, rms_dbfs

__all__ = ["EnergyVad", "VadConfig"]


@dataclass(frozen=True)
class VadConfig:
    """Tuning of `EnergyVad`; the defaults are tuned on Piper speech over 8 kHz μ-law with line noise.

    Attributes:
        margin_db: How far above the noise floor a frame must be to count as speech.
        min_speech_dbfs: Frames quieter than this are never speech, however quiet
            the line: this is what keeps a near-silent line's hiss from being
            "6 dB above a -90 dB floor".
        initial_floor_dbfs: The floor assumed for the very first frame; that
            frame's own level then becomes the floor.
        floor_fall: Fraction of the gap closed per frame when a frame is below
            the floor (fast: 0.3 → settled within ~100 ms).
        floor_rise_db: How many dB per frame the floor may rise while frames
            are above it and not speech (steady noise got louder).
        floor_rise_speech_db: The same while frames are speech: much slower,
            so a long sentence barely moves the floor, yet a stuck-on noise
            that looks like speech is absorbed within seconds.
        onset_frames: Consecutive loud frames needed to start speech.
        hangover_frames: Frames that still count as speech after the last loud one.
        stationary_frames: Window (frames) over which a steady level marks noise.
        stationary_range_db: A level that stays within this range for the whole
            window is noise: it is not speech, and the floor moves to it
            quickly (a line whose hiss got louder, or starts loud).
    """

    margin_db: float = 6.0
    min_speech_dbfs: float = -45.0
    initial_floor_dbfs: float = -65.0
    floor_fall: float = 0.3
    floor_rise_db: float = 0.2
    floor_rise_speech_db: float = 0.05
    onset_frames: int = 2
    hangover_frames: int = 8
    stationary_frames: int = 20
    stationary_range_db: float = 3.0


class EnergyVad:
    """Per-frame speech / non-speech decisions for one audio stream (one call's inbound track).

    Attributes:
        floor_dbfs: The current noise-floor estimate.
        last_dbfs: The level of the most recent frame.
        in_speech: Whether the stream is inside a stretch of speech (including hangover).
    """

    def __init__(self, config: VadConfig | None = None) -> None:
        """Create a detector.

        Args:
            config: Tuning; the defaults suit 8 kHz phone speech.
        """
        self.config = config or VadConfig()
        self.reset()

    def reset(self) -> None:
        """Forget everything heard: a new stream, or the line changed (hold music ended)."""
        self.floor_dbfs = self.config.initial_floor_dbfs
        self._heard = False  # the first frame sets the floor outright
        self.last_dbfs = MIN_DBFS
        self.in_speech = False
        self._loud_run = 0  # consecutive loud frames, for onset
        self._hang = 0  # hangover frames left
        self._recent: deque[float] = deque(maxlen=self.config.stationary_frames)

    @property
    def threshold_dbfs(self) -> float:
        """The level a frame must exceed to be loud right now."""
        return max(self.floor_dbfs + self.config.margin_db, self.config.min_speech_dbfs)

    def is_speech(self, frame_pcm: npt.NDArray[np.int16]) -> bool:
        """Classify one frame and update the floor.

        Args:
            frame_pcm: One frame of 8 kHz int16 samples (160 for 20 ms; other
                lengths work, but the time constants assume 20 ms).

        Returns:
            True for speech, including the hangover after it.
        """
        cfg = self.config
        samples = frame_pcm.astype(np.float64) / 32768.0
        if samples.size:
            samples -= samples.mean()  # a DC offset (some lines carry one) is not sound
        level = rms_dbfs(samples)
        self.last_dbfs = level
        self._recent.append(level)
        stationary = (
            len(self._recent) == self._recent.maxlen
            and max(self._recent) - min(self._recent) < cfg.stationary_range_db
        )

        # A level that holds steady for a long stretch is a noise (hiss, hum, a fan), never a voice:
        # speech rises and falls by 10 dB or more several times a second.
        loud = level > self.threshold_dbfs and not stationary
        self._loud_run = self._loud_run + 1 if loud else 0
        if self._loud_run >= cfg.onset_frames or (loud and self.in_speech):
            self.in_speech = True
            self._hang = cfg.hangover_frames
        elif self._hang > 0:
            self._hang -= 1
        else:
            self.in_speech = False

        self._track_floor(level, loud, stationary)
        return self.in_speech

    def _track_floor(self, level: float, loud: bool, stationary: bool) -> None:
        cfg = self.config
        if not self._heard:
            # The first frame of a stream is almost always the line before anyone speaks (the agent
            # greets first). If it was speech after all, the floor falls back at the first pause.
            self._heard = True
            self.floor_dbfs = level
            return
        if level < self.floor_dbfs or stationary:
            # Quieter than the floor: the floor is lower. Steady: it *is* the floor, however loud.
            self.floor_dbfs += cfg.floor_fall * (level - self.floor_dbfs)
        else:
            rise = cfg.floor_rise_speech_db if loud else cfg.floor_rise_db
            self.floor_dbfs = min(level, self.floor_dbfs + rise)
