"""The sentence model run in NumPy gives the vectors sentence-transformers gives, and means what it should."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from callengine import embed

REFERENCE = json.loads((Path(__file__).parent / "data" / "minilm_reference.json").read_text())


def test_vectors_match_the_reference_implementation() -> None:
    # Computed once with sentence-transformers on PyTorch (see the file's "model"): a NumPy port
    # that drifted (a wrong GELU, a missed LayerNorm, a pooling mistake) is far off these.
    encoder = embed.encoder()
    for sentence, expected in zip(REFERENCE["sentences"], REFERENCE["vectors"], strict=True):
        got = encoder.encode(sentence)
        assert got.shape == (384,)
        assert np.abs(got - np.asarray(expected, dtype=np.float32)).max() < 1e-4, sentence
        assert abs(float(np.linalg.norm(got)) - 1.0) < 1e-5


def test_a_paraphrase_is_closer_than_an_unrelated_topic() -> None:
    said = "the map hasn't updated my pup's position all day"
    assert embed.similarity(said, "GPS tracker shows no location") > 0.35
    assert (
        embed.similarity(said, "GPS tracker shows no location")
        > embed.similarity(said, "Water fountain is noisy or stopped flowing") + 0.2
    )


def test_long_text_is_cut_not_refused() -> None:
    long = "the pump rattles and stops " * 200
    assert embed.encoder().encode(long).shape == (384,)


def test_empty_text_still_has_a_vector() -> None:
    # The tokenizer's [CLS] [SEP] alone: a defined vector, never a crash mid-call.
    v = embed.encoder().encode("")
    assert np.isfinite(v).all()
