"""realtime.audio and realtime.vad on exact tables, synthetic signals and real synthesized speech."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest

from callengine.caller_voice import add_line_noise, noise, say
from realtime import audio
from realtime.vad import EnergyVad, VadConfig

# --------------------------------------------------------------------------
# G.711 μ-law against the ITU-T G.191 reference, written out plainly
# --------------------------------------------------------------------------


def g191_ulaw_compress(x: int) -> int:
    """ITU-T G.191 STL `ulaw_compress` for one 16-bit sample, transcribed from its C."""
    absno = ((~x) >> 2) + 33 if x < 0 else (x >> 2) + 33
    absno = min(absno, 0x1FFF)
    i = absno >> 6
    segno = 1
    while i:
        segno += 1
        i >>= 1
    high = 8 - segno
    low = 0x0F - ((absno >> segno) & 0x0F)
    code = (high << 4) | low
    return code | 0x80 if x >= 0 else code


def g191_ulaw_expand(code: int) -> int:
    """ITU-T G.191 STL `ulaw_expand` for one code."""
    sign = -1 if code < 0x80 else 1
    mantissa = ~code
    exponent = (mantissa >> 4) & 0x07
    segment = exponent + 1
    mantissa &= 0x0F
    step = 4 << segment
    return sign * ((0x80 << exponent) + step * mantissa + step // 2 - 4 * 33)


ALL_PCM = np.arange(-32768, 32768, dtype=np.int16)


def test_ulaw_known_values() -> None:
    assert audio.ulaw_to_pcm16(bytes([0xFF, 0x00, 0x7F, 0x80])).tolist() == [0, -32124, 0, 32124]
    assert audio.pcm16_to_ulaw(np.array([0, -1, 32767, -32768], dtype=np.int16)) == bytes(
        [0xFF, 0x7F, 0x80, 0x00]
    )


def test_ulaw_tables_match_g191_exactly() -> None:
    expected_codes = bytes(g191_ulaw_compress(int(x)) for x in ALL_PCM)
    assert audio.pcm16_to_ulaw(ALL_PCM) == expected_codes
    assert audio.ulaw_to_pcm16(bytes(range(256))).tolist() == [g191_ulaw_expand(c) for c in range(256)]


def test_every_code_survives_decode_encode() -> None:
    codes = bytes(range(256))
    again = audio.pcm16_to_ulaw(audio.ulaw_to_pcm16(codes))
    # 0x7F is "-0": it decodes to 0, which encodes as the canonical 0xFF.
    assert [c for c, d in zip(codes, again, strict=True) if c != d] == [0x7F]
    assert again[0x7F] == 0xFF


def test_round_trip_error_is_within_half_a_step() -> None:
    x = ALL_PCM.astype(np.int64)
    err = np.abs(audio.ulaw_to_pcm16(audio.pcm16_to_ulaw(ALL_PCM)).astype(np.int64) - x)
    # Half a quantization step of the sample's segment is at most (|x| + 132) / 32.
    assert np.all(err <= (np.abs(x) + 132) / 32)
    assert err[np.abs(x) < 100].max() <= 4  # the first segment's steps are 8 wide
    assert err.max() <= 644  # the far ends clip at ±32124


def test_ulaw_snr_on_a_sine() -> None:
    t = np.arange(8000) / 8000
    sine = (0.3 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    decoded = audio.ulaw_to_pcm16(audio.pcm16_to_ulaw(sine)).astype(np.float64)
    error = decoded - sine
    snr = 10 * math.log10(float(np.sum(sine.astype(np.float64) ** 2)) / float(np.sum(error**2)))
    assert snr > 35  # G.711 gives ~38 dB over most of its range


def test_float_decode_matches_int_decode() -> None:
    codes = bytes(range(256))
    assert np.array_equal(
        audio.ulaw_to_float32(codes) * 32768.0, audio.ulaw_to_pcm16(codes).astype(np.float32)
    )
    assert np.array_equal(audio.float_to_pcm16(audio.ulaw_to_float32(codes)), audio.ulaw_to_pcm16(codes))


def test_encode_rejects_other_dtypes() -> None:
    with pytest.raises(TypeError):
        audio.pcm16_to_ulaw(np.zeros(10, dtype=np.int32))


# --------------------------------------------------------------------------
# Resampling
# --------------------------------------------------------------------------


def sine(freq: float, rate: int, seconds: float = 1.0, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize(("src", "dst"), [(8000, 16000), (22050, 8000), (16000, 8000)])
def test_resample_keeps_length_and_energy(src: int, dst: int) -> None:
    x = sine(440, src)
    y = audio.resample(x, src, dst)
    assert y.dtype == np.float32
    assert abs(len(y) - dst) <= 1
    # Ignore the filter's edges; in the middle a 440 Hz tone keeps its level.
    middle = y[len(y) // 10 : -len(y) // 10]
    assert abs(audio.rms_dbfs(middle) - audio.rms_dbfs(x)) < 0.1


def test_resample_removes_what_the_new_rate_cannot_hold() -> None:
    y = audio.resample(sine(6000, 22050), 22050, 8000)  # 6 kHz is above 8 kHz's Nyquist
    assert audio.rms_dbfs(y[800:-800]) < -90  # away from the edges, where the abrupt start rings


def test_resample_int16_and_same_rate() -> None:
    x = (sine(300, 8000) * 32767).astype(np.int16)
    assert audio.resample(x, 8000, 8000) is x
    y = audio.resample(x, 8000, 16000)
    assert y.dtype == np.int16 and len(y) == 16000
    assert len(audio.resample(np.zeros(0, dtype=np.float32), 8000, 16000)) == 0


def test_streaming_resampler_matches_one_shot() -> None:
    x = sine(500, 8000, seconds=0.5)
    r = audio.Resampler(8000, 16000)
    pieces = [r.process(x[i : i + 160]) for i in range(0, len(x), 160)]
    pieces.append(r.process(np.zeros(0, dtype=np.float32), last=True))
    streamed = np.concatenate(pieces)
    assert abs(len(streamed) - 8000) <= 1
    one_shot = audio.resample(x, 8000, 16000)
    n = min(len(streamed), len(one_shot))
    # Same filter, same state: the outputs agree to float rounding, without clicks at chunk edges.
    assert np.max(np.abs(streamed[:n] - one_shot[:n])) < 1e-3


# --------------------------------------------------------------------------
# Framing, levels, silence
# --------------------------------------------------------------------------


def test_frames_pad_the_last_frame_with_silence() -> None:
    data = bytes(range(200)) * 2  # 400 bytes: 2.5 frames
    out = audio.frames(data)
    assert [len(f) for f in out] == [160, 160, 160]
    assert b"".join(out)[:400] == data
    assert out[-1][80:] == b"\xff" * 80
    assert audio.frames(b"\x01" * 320) == [b"\x01" * 160] * 2
    assert audio.frames(b"") == []
    assert audio.FRAME_BYTES == 160 and audio.FRAME_MS == 20


def test_rms_dbfs() -> None:
    square = np.array([32767, -32768] * 80, dtype=np.int16)
    assert audio.rms_dbfs(square) == pytest.approx(0.0, abs=0.01)
    assert audio.rms_dbfs(sine(1000, 8000, amplitude=0.1)) == pytest.approx(-23.01, abs=0.05)
    assert audio.rms_dbfs(np.zeros(160, dtype=np.int16)) == audio.MIN_DBFS
    assert audio.rms_dbfs(np.zeros(0, dtype=np.int16)) == audio.MIN_DBFS


def test_silence() -> None:
    assert audio.silence(20) == b"\xff" * 160
    assert audio.ulaw_to_pcm16(audio.silence(1000)).any() == np.False_


# --------------------------------------------------------------------------
# VAD on real speech
# --------------------------------------------------------------------------

UTTERANCES = [
    "Where is my order?",
    "I need to reschedule my installation.",
    "One oh four eight two.",
    "My wifi keeps disconnecting.",
]
LEAD_MS, TAIL_MS = 600, 800


@pytest.fixture(scope="module")
def speech() -> Iterator[dict[str, bytes]]:
    yield {text: say(text, lead_ms=LEAD_MS, tail_ms=TAIL_MS) for text in UTTERANCES}


def vad_flags(ulaw: bytes, vad: EnergyVad | None = None) -> list[bool]:
    vad = vad or EnergyVad()
    return [vad.is_speech(audio.ulaw_to_pcm16(f)) for f in audio.frames(ulaw)]


def voiced(ulaw: bytes) -> list[bool]:
    """Ground truth from the clean audio: frames clearly carrying voice."""
    return [audio.rms_dbfs(audio.ulaw_to_pcm16(f)) > -40 for f in audio.frames(ulaw)]


def show(flags: list[bool]) -> str:
    return "".join("#" if f else "." for f in flags)


@pytest.mark.parametrize("snr_db", [None, 30, 20])
def test_vad_finds_speech_and_nothing_around_it(speech: dict[str, bytes], snr_db: float | None) -> None:
    hangover = VadConfig().hangover_frames
    for text, clean in speech.items():
        truth = voiced(clean)
        first = truth.index(True)
        ulaw = clean if snr_db is None else add_line_noise(clean, snr_db)
        flags = vad_flags(ulaw)
        hits = sum(f for f, t in zip(flags, truth, strict=True) if t) / sum(truth)
        print(f"VAD snr={snr_db} {text[:24]:24} hit={hits:.2f} {show(flags)}")
        assert not any(flags[: LEAD_MS // 20]), "speech in the silence before the utterance"
        # Only the hangover may reach into the silence padded after the utterance.
        assert not any(flags[-(TAIL_MS // 20) + hangover + 1 :]), "speech in the silence after the utterance"
        assert any(flags[first : first + 5]), "the start of speech was missed"
        assert hits >= (0.9 if snr_db is None or snr_db >= 30 else 0.8)


def test_vad_level_of_test_speech_is_a_normal_phone_level(speech: dict[str, bytes]) -> None:
    levels = [audio.rms_dbfs(audio.ulaw_to_pcm16(f)) for f in audio.frames(speech[UTTERANCES[0]])]
    loud = [lv for lv in levels if lv > -40]
    assert -26 < float(np.median(loud)) < -14  # the caller is around -20 dBFS


@pytest.mark.parametrize("dbfs", [-60.0, -50.0, -40.0, -30.0])
def test_vad_line_noise_alone_is_not_speech(dbfs: float) -> None:
    vad = EnergyVad()
    flags = vad_flags(noise(3000, dbfs, seed=7), vad)
    assert not any(flags)
    assert vad.floor_dbfs == pytest.approx(dbfs, abs=2.0)


def test_vad_tone_at_speech_level_is_speech_then_learned_as_noise() -> None:
    # A tone that never changes level is heard first (it is loud), then recognised as steady noise.
    ulaw = audio.pcm16_to_ulaw(audio.float_to_pcm16(sine(400, 8000, seconds=2.0, amplitude=0.14)))
    flags = vad_flags(audio.silence(400) + ulaw)
    assert any(flags[20:30])  # -20 dBFS after silence: speech at first
    assert not any(flags[60:])  # within ~0.6 s it is the floor


def test_vad_adapts_when_the_line_gets_louder() -> None:
    vad = EnergyVad()
    vad_flags(noise(1000, -55, seed=1), vad)
    assert vad.floor_dbfs == pytest.approx(-55, abs=2)
    flags = vad_flags(noise(2000, -32, seed=2), vad)
    assert not any(flags[40:])  # the louder hiss became the floor within well under a second
    assert vad.floor_dbfs == pytest.approx(-32, abs=2)


def test_vad_speech_on_a_noisy_line_after_the_floor_is_learned(speech: dict[str, bytes]) -> None:
    vad = EnergyVad()
    vad_flags(noise(1000, -45, seed=3), vad)
    flags = vad_flags(add_line_noise(speech["Where is my order?"], 25, seed=4), vad)
    assert sum(flags) > 30  # ~1.2 s of speech
    assert not any(flags[: LEAD_MS // 20])


def test_vad_is_deterministic_and_resets(speech: dict[str, bytes]) -> None:
    ulaw = add_line_noise(speech["One oh four eight two."], 20, seed=5)
    vad = EnergyVad()
    first = vad_flags(ulaw, vad)
    floor = vad.floor_dbfs
    vad.reset()
    assert vad.floor_dbfs == VadConfig().initial_floor_dbfs and not vad.in_speech
    assert vad_flags(ulaw, vad) == first and vad.floor_dbfs == floor
    assert vad_flags(ulaw) == first


def test_vad_single_click_does_not_start_speech() -> None:
    click = audio.pcm16_to_ulaw(audio.float_to_pcm16(sine(1000, 8000, seconds=0.02, amplitude=0.5)))
    flags = vad_flags(audio.silence(500) + click + audio.silence(500))
    assert not any(flags)
