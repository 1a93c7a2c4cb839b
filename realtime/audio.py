"""Phone audio: G.711 μ-law, 20 ms framing, resampling and levels.

Twilio carries 8 kHz μ-law in 20 ms frames of 160 bytes each way. The speech
models want other formats (Whisper 16 kHz float, Piper makes 22.05 kHz
float), so this module is the one place where audio changes shape. It is
pure numpy (plus soxr for resampling), vectorized and table-driven, because
it runs on every frame of every call.

The codec is bit-exact with the ITU-T G.191 reference implementation of
G.711 (`ulaw_compress` / `ulaw_expand`): `decode(0xFF) == 0`,
`decode(0x00) == -32124`, `encode(0) == 0xFF`. (Sun's widely copied
`linear2ulaw` differs from it on 127 negative samples at segment edges, and
Python's old `audioop` on a few hundred: both truncate negatives differently.)
"""

from __future__ import annotations

import math
from typing import Final, TypeVar

import numpy as np
import numpy.typing as npt
import soxr

__all__ = [
    "FRAME_BYTES",
    "FRAME_MS",
    "SAMPLE_RATE",
    "ULAW_SILENCE",
    "Resampler",
    "float_to_pcm16",
    "frames",
    "pcm16_to_ulaw",
    "resample",
    "rms_dbfs",
    "silence",
    "ulaw_to_float32",
    "ulaw_to_pcm16",
]

SAMPLE_RATE: Final = 8000  # Twilio media streams: 8 kHz mono
FRAME_MS: Final = 20
FRAME_BYTES: Final = SAMPLE_RATE * FRAME_MS // 1000  # 160: one byte per μ-law sample
ULAW_SILENCE: Final = 0xFF  # encodes 0 (0x7F encodes -0, equally silent; 0xFF is the convention)

# soxr "HQ" is libsoxr's default (20-bit, ~-100 dB stopband). It is far above
# what 8 kHz speech needs yet still costs well under a millisecond per second
# of audio, so there is no reason to trade quality for speed here.
RESAMPLE_QUALITY: Final = "HQ"

# Silence has no level; report this instead of -inf so that floors and
# averages built from levels stay finite.
MIN_DBFS: Final = -120.0

_BIAS: Final = 0x84  # 132 = 4 * 33: the 14-bit bias of G.711, on the 16-bit scale

_T = TypeVar("_T", bound=np.generic)
Int16Array = npt.NDArray[np.int16]
Float32Array = npt.NDArray[np.float32]


def _build_decode_table() -> Int16Array:
    """The linear value of each of the 256 μ-law codes: the middle of its step (G.191 `ulaw_expand`)."""
    u = ~np.arange(256, dtype=np.int32) & 0xFF  # codes are stored inverted on the wire
    magnitude = (((u & 0x0F) << 3) + _BIAS) << ((u & 0x70) >> 4)
    linear = np.where(u & 0x80, _BIAS - magnitude, magnitude - _BIAS)
    return linear.astype(np.int16)


def _build_encode_table() -> npt.NDArray[np.uint8]:
    """μ-law code of every int16, indexed by the sample's bits read as uint16.

    This is ITU-T G.191's reference `ulaw_compress`: the 16-bit sample is cut
    to G.711's 14 bits, negatives through the one's complement (so -1 and 0
    both land on the smallest step), then biased by 33 so that each of the
    eight segments starts at a power of two.
    """
    pcm = np.arange(65536, dtype=np.int32).astype(np.uint16).view(np.int16).astype(np.int32)
    biased = np.minimum(np.where(pcm < 0, (~pcm >> 2) + 33, (pcm >> 2) + 33), 0x1FFF)
    # segment = 1 + bit_length(biased >> 6); frexp's exponent is the bit length of an int.
    segment = 1 + np.frexp((biased >> 6).astype(np.float64))[1]
    high = 8 - segment
    low = 0x0F - ((biased >> segment) & 0x0F)
    code = (high << 4) | low | np.where(pcm >= 0, 0x80, 0x00)
    table: npt.NDArray[np.uint8] = code.astype(np.uint8)
    return table


_DECODE: Final = _build_decode_table()
_ENCODE: Final = _build_encode_table()
_DECODE_FLOAT: Final = (_DECODE.astype(np.float32) / 32768.0).astype(np.float32)


def ulaw_to_pcm16(ulaw: bytes) -> Int16Array:
    """Decode μ-law bytes to 16-bit linear PCM.

    Args:
        ulaw: Headerless μ-law, one byte per sample.

    Returns:
        A new int16 array with one sample per input byte.
    """
    return _DECODE[np.frombuffer(ulaw, dtype=np.uint8)]


def ulaw_to_float32(ulaw: bytes) -> Float32Array:
    """Decode μ-law bytes straight to float32 in [-1, 1), the format speech models read.

    Args:
        ulaw: Headerless μ-law, one byte per sample.

    Returns:
        A new float32 array with one sample per input byte.
    """
    return _DECODE_FLOAT[np.frombuffer(ulaw, dtype=np.uint8)]


def pcm16_to_ulaw(pcm: npt.NDArray[np.int16]) -> bytes:
    """Encode 16-bit linear PCM to μ-law bytes.

    Args:
        pcm: int16 samples (any shape; read in C order). Other dtypes are
            rejected rather than silently wrapped.

    Returns:
        One μ-law byte per sample.

    Raises:
        TypeError: If `pcm` is not int16.
    """
    if pcm.dtype != np.int16:
        raise TypeError(f"pcm16_to_ulaw wants int16 samples, got {pcm.dtype}")
    return _ENCODE[np.ascontiguousarray(pcm).view(np.uint16)].tobytes()


def float_to_pcm16(samples: npt.NDArray[np.floating]) -> Int16Array:
    """Float audio in [-1, 1] to int16, clipping overshoot (resampling can ring past full scale).

    Args:
        samples: Float samples, nominally in [-1, 1].

    Returns:
        int16 samples.
    """
    # 32768 is the scale `ulaw_to_float32` divides by, so int16 → float → int16 is exact.
    pcm: Int16Array = np.clip(np.rint(samples * 32768.0), -32768, 32767).astype(np.int16)
    return pcm


def resample(pcm: npt.NDArray[_T], src_hz: int, dst_hz: int) -> npt.NDArray[_T]:
    """Resample a whole mono signal with soxr.

    Args:
        pcm: Mono samples, int16, int32, float32 or float64; the output has the same dtype.
        src_hz: Rate of `pcm`.
        dst_hz: Wanted rate.

    Returns:
        About `len(pcm) * dst_hz / src_hz` samples (rounded), the input itself
        when the rates are equal.
    """
    if src_hz == dst_hz:
        return pcm
    if pcm.size == 0:
        return pcm.copy()
    out: npt.NDArray[_T] = soxr.resample(pcm, src_hz, dst_hz, quality=RESAMPLE_QUALITY)
    return out


class Resampler:
    """A streaming resampler for audio that arrives in chunks (one 20 ms frame, one TTS sentence).

    soxr keeps filter state between chunks, so the output is the same as
    resampling the concatenated input in one go, without clicks at chunk
    edges. The filter delays output by a few milliseconds; pass `last=True`
    with the final chunk to flush it.
    """

    def __init__(
        self, src_hz: int, dst_hz: int, dtype: type[np.int16] | type[np.float32] = np.float32
    ) -> None:
        """Create the resampler.

        Args:
            src_hz: Input rate.
            dst_hz: Output rate.
            dtype: Sample type of every chunk in and out (int16 or float32).
        """
        self.src_hz = src_hz
        self.dst_hz = dst_hz
        self._dtype = np.dtype(dtype)
        self._stream = soxr.ResampleStream(
            src_hz, dst_hz, 1, dtype=self._dtype.name, quality=RESAMPLE_QUALITY
        )

    def process(self, chunk: npt.NDArray[_T], last: bool = False) -> npt.NDArray[_T]:
        """Resample the next chunk.

        Args:
            chunk: Mono samples of the dtype given at construction.
            last: True for the final chunk of the stream: flushes the filter.
                Afterwards the resampler starts a fresh stream.

        Returns:
            The output that is ready (may be shorter than the rate ratio
            suggests until `last`).
        """
        data = np.ascontiguousarray(chunk, dtype=self._dtype)
        out: npt.NDArray[_T] = self._stream.resample_chunk(data, last=last)
        if last:
            self._stream.clear()
        return out

    def reset(self) -> None:
        """Drop buffered input and start a fresh stream (e.g. after a barge-in)."""
        self._stream.clear()


def frames(ulaw: bytes, size: int = FRAME_BYTES) -> list[bytes]:
    """Split μ-law audio into Twilio-sized frames.

    Args:
        ulaw: μ-law bytes.
        size: Bytes per frame (160 = 20 ms at 8 kHz).

    Returns:
        Frames of exactly `size` bytes; the last one is padded with μ-law
        silence (0xFF) so a player never sees a short frame. Empty input gives
        no frames.
    """
    if size <= 0:
        raise ValueError("frame size must be positive")
    out = [ulaw[i : i + size] for i in range(0, len(ulaw), size)]
    if out and len(out[-1]) < size:
        out[-1] = out[-1] + bytes([ULAW_SILENCE]) * (size - len(out[-1]))
    return out


def rms_dbfs(pcm: npt.NDArray[np.integer] | npt.NDArray[np.floating]) -> float:
    """Root-mean-square level relative to full scale.

    Args:
        pcm: int16 samples (full scale 32768) or float samples (full scale 1.0).

    Returns:
        The level in dBFS (a full-scale square wave is 0 dB, a full-scale sine
        -3 dB); `MIN_DBFS` for empty or all-zero input.
    """
    if pcm.size == 0:
        return MIN_DBFS
    full_scale = 32768.0 if np.issubdtype(pcm.dtype, np.integer) else 1.0
    x = pcm.astype(np.float64).ravel() / full_scale
    mean_square = float(np.dot(x, x)) / x.size
    if mean_square <= 0.0:
        return MIN_DBFS
    return max(MIN_DBFS, 10.0 * math.log10(mean_square))


def silence(ms: int) -> bytes:
    """μ-law silence of the given length.

    Args:
        ms: Milliseconds (rounded down to whole samples at 8 kHz).

    Returns:
        `ms * 8` bytes of 0xFF.
    """
    return bytes([ULAW_SILENCE]) * (SAMPLE_RATE * ms // 1000)
