"""Encrypted Temporal payloads: an AES-GCM payload codec with rotating keys.

A call's history holds what the caller said, their phone number, e-mail, ZIP and
what the backends answered. Temporal stores it as written, so every payload is
encrypted before it leaves a worker or client, and only processes holding a key
(the worker, the API, the CLI, the codec server for the Web UI) can read it.

Wire format, the one Temporal's samples use in every SDK, so other tools can
read it: metadata `encoding: binary/encrypted` and `encryption-key-id: <kid>`,
data = 12-byte nonce + AES-256-GCM ciphertext (with tag) of the serialized
original `Payload` proto.

Keys come from `CALLENGINE_CODEC_KEYS` ("kid2:<base64 32 bytes>,kid1:<base64>"):
the first encrypts, all of them decrypt, so a key rotates by putting a new one
first and keeping the old ones until no history written with them is needed.
Outside local development (`CALLENGINE_ENV` unset, or other than `development`) a
missing key is a start-up error; in local development a key is made once under
`.callengine/keys/` and reused, so the local stack encrypts exactly as
production does. The codec server's token (`CALLENGINE_CODEC_TOKEN`) follows the
same rule.

    python -m callengine.codec new-key     # prints a fresh "kid:base64" entry
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import secrets
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from callengine import environment
from callengine.settings import STATE_DIR

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
NONCE_SIZE = 12
KEY_SIZE = 32  # AES-256

ENV_MODE = "CALLENGINE_ENV"
ENV_KEYS = "CALLENGINE_CODEC_KEYS"
ENV_TOKEN = "CALLENGINE_CODEC_TOKEN"
DEVELOPMENT = "development"

_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_MIN_TOKEN_LEN = 16


class CodecConfigError(RuntimeError):
    """The encryption keys or the codec token are missing or malformed."""


class CodecError(ValueError):
    """A payload cannot be decrypted (unknown key id, wrong key, or tampered with)."""


@dataclass(frozen=True)
class KeyRing:
    """The configured keys: `active` encrypts, every key in `keys` decrypts."""

    active: str
    keys: Mapping[str, bytes]

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise CodecConfigError(f"the active key id {self.active!r} has no key")

    @classmethod
    def parse(cls, spec: str, source: str = ENV_KEYS) -> KeyRing:
        """Parse "kid:<base64 key>,kid:<base64 key>"; the first entry is the active key.

        Error messages name the source and the key id, never key material.
        """
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for n, entry in enumerate((e.strip() for e in spec.split(",")), start=1):
            if not entry:
                continue
            kid, sep, b64 = entry.partition(":")
            kid = kid.strip()
            if not sep or not _KEY_ID.match(kid):
                raise CodecConfigError(
                    f"{source}: entry {n} must be 'KEY_ID:BASE64_KEY' with a key id of letters, "
                    "digits, '.', '_' or '-'"
                )
            try:
                key = base64.b64decode(b64.strip(), validate=True)
            except (binascii.Error, ValueError):
                raise CodecConfigError(f"{source}: the key of {kid!r} is not valid base64") from None
            if len(key) != KEY_SIZE:
                raise CodecConfigError(
                    f"{source}: the key of {kid!r} is {len(key)} bytes; AES-256 needs {KEY_SIZE}"
                )
            if kid in keys:
                raise CodecConfigError(f"{source}: key id {kid!r} appears twice")
            keys[kid] = key
            order.append(kid)
        if not order:
            raise CodecConfigError(f"{source} holds no key")
        return cls(active=order[0], keys=keys)


def new_key_entry(key_id: str | None = None) -> str:
    """A fresh "kid:base64" entry for `CALLENGINE_CODEC_KEYS` (the id defaults to today's date)."""
    kid = key_id or "k" + datetime.now(UTC).strftime("%Y%m%d")
    return f"{kid}:{base64.b64encode(secrets.token_bytes(KEY_SIZE)).decode()}"


class EncryptionCodec(PayloadCodec):
    """AES-256-GCM over whole payloads; decrypts with whichever configured key wrote them."""

    def __init__(self, keyring: KeyRing) -> None:
        """Use `keyring.active` for new payloads and every key of the ring to read."""
        super().__init__()
        self.keyring = keyring
        self._active_id = keyring.active.encode()
        self._ciphers = {kid: AESGCM(key) for kid, key in keyring.keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Encrypt every payload with the active key."""
        cipher = self._ciphers[self.keyring.active]
        out: list[Payload] = []
        for p in payloads:
            # A fresh random nonce per payload: with 96-bit nonces the chance of a repeat
            # stays negligible far beyond the number of payloads one key will ever see.
            nonce = os.urandom(NONCE_SIZE)
            out.append(
                Payload(
                    metadata={"encoding": ENCODING, KEY_ID_METADATA: self._active_id},
                    data=nonce + cipher.encrypt(nonce, p.SerializeToString(), None),
                )
            )
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Decrypt encrypted payloads; anything else (older, unencrypted histories) passes through."""
        out: list[Payload] = []
        for p in payloads:
            if p.metadata.get("encoding") != ENCODING:
                out.append(p)
                continue
            kid = p.metadata.get(KEY_ID_METADATA, b"").decode(errors="replace")
            cipher = self._ciphers.get(kid)
            if cipher is None:
                raise CodecError(
                    f"payload encrypted with key id {kid!r}, which is not configured "
                    f"(configured: {', '.join(self.keyring.keys)}); keep old keys in {ENV_KEYS}"
                )
            try:
                plain = cipher.decrypt(p.data[:NONCE_SIZE], p.data[NONCE_SIZE:], None)
            except InvalidTag:
                raise CodecError(
                    f"payload encrypted with key id {kid!r} failed authentication: "
                    "a different key under that id, or the data was altered"
                ) from None
            out.append(Payload.FromString(plain))
        return out


def is_development(env: Mapping[str, str]) -> bool:
    """Only explicit local development (`CALLENGINE_ENV=development`) may create its own keys."""
    return environment.is_development(env)


def _dev_secret(path: Path, make: str) -> str:
    """Read a development secret, creating it once (atomically, owner-only) if it is missing.

    Processes of one local stack start at nearly the same time: the secret is written to a
    temporary file and hard-linked into place, so every process ends up with the same value.
    """
    with contextlib.suppress(FileNotFoundError):
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(make + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass  # another process won the race: use its value
    finally:
        tmp.unlink()
    return path.read_text().strip()


def _refuse(what: str, var: str, env: Mapping[str, str], hint: str) -> CodecConfigError:
    mode = env.get(ENV_MODE, "").strip() or "unset"
    return CodecConfigError(
        f"{var} is not set. Outside local development ({ENV_MODE}={mode}) callengine refuses to "
        f"start without {what}. {hint} (Local development, chosen with {ENV_MODE}={DEVELOPMENT}, "
        f"makes one under {STATE_DIR.name}/keys/.)"
    )


def secret_or_dev(env: Mapping[str, str], var: str, what: str, dev_path: Path) -> str:
    """A random secret from `var`, or in local development one made once at `dev_path`.

    Raises:
        CodecConfigError: `var` unset outside local development.
    """
    value = env.get(var, "").strip()
    if value:
        return value
    if not is_development(env):
        raise _refuse(what, var, env, "Set it to a long random string (e.g. `openssl rand -hex 32`).")
    return _dev_secret(dev_path, secrets.token_urlsafe(32))


def load_keyring(env: Mapping[str, str] | None = None, state_dir: Path = STATE_DIR) -> KeyRing:
    """The keys from `CALLENGINE_CODEC_KEYS`, or in local development the local dev key.

    Raises:
        CodecConfigError: no keys outside local development, or a malformed key list.
    """
    e = os.environ if env is None else env
    spec = e.get(ENV_KEYS, "").strip()
    if spec:
        return KeyRing.parse(spec)
    path = state_dir / "keys" / "codec-keys"
    if not is_development(e):
        if not e.get(ENV_MODE, "").strip() and path.exists():
            # A client (`callengine call`, `chat`, `report`) in another shell, next to a stack a
            # developer started with CALLENGINE_ENV=development: it reads the key that stack made
            # (so it can read the calls) and never makes one. Servers refuse an unset mode anyway.
            return KeyRing.parse(path.read_text().strip(), source=str(path))
        raise _refuse(
            "a key to encrypt Temporal payloads",
            ENV_KEYS,
            e,
            "Set it to 'KEY_ID:BASE64_32_BYTES' (`python -m callengine.codec new-key` makes one).",
        )
    return KeyRing.parse(_dev_secret(path, new_key_entry(f"dev-{secrets.token_hex(4)}")), source=str(path))


def load_codec_token(env: Mapping[str, str] | None = None, state_dir: Path = STATE_DIR) -> str:
    """The token the codec server requires: `CALLENGINE_CODEC_TOKEN`, or a local dev token.

    Raises:
        CodecConfigError: no token outside local development, or one too short to be a secret.
    """
    token = secret_or_dev(
        os.environ if env is None else env,
        ENV_TOKEN,
        "a token for the codec server",
        state_dir / "keys" / "codec-token",
    )
    # The token may travel in a URL path (the Web UI cannot send a header): URL-safe only.
    if len(token) < _MIN_TOKEN_LEN or not re.fullmatch(r"[A-Za-z0-9._~-]+", token):
        raise CodecConfigError(
            f"{ENV_TOKEN} must be at least {_MIN_TOKEN_LEN} URL-safe characters (letters, digits, '._~-')"
        )
    return token


def main(argv: Sequence[str]) -> int:
    """`python -m callengine.codec new-key [KEY_ID]`: print a fresh key entry."""
    if not argv or argv[0] != "new-key" or len(argv) > 2:
        print("usage: python -m callengine.codec new-key [KEY_ID]", file=sys.stderr)
        return 2
    kid = argv[1] if len(argv) == 2 else None
    if kid is not None and not _KEY_ID.match(kid):
        print("a key id is letters, digits, '.', '_' or '-'", file=sys.stderr)
        return 2
    print(new_key_entry(kid))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
