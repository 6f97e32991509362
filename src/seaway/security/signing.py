"""The audit signing key: an Ed25519 key, kept outside the database, that signs the audit chain's head.

The private key is its 32-byte seed written as unpadded base64url, like the master key. It comes from
`SEAWAY_AUDIT_SIGNING_KEY` when that is set, otherwise from `<data dir>/audit-signing.key`, created (owner
only, never overwritten) the first time a checkpoint is signed. Whoever holds the public key, printed by
`seaway audit public-key`, can verify the checkpoints without the server or the database.

A key's id is the SHA-256 (hex) of its raw 32-byte public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from seaway.errors import InvalidInput
from seaway.security.secrets import _create_key_file, _decode_key

KEY_FILE_NAME = "audit-signing.key"
ENV_VAR = "SEAWAY_AUDIT_SIGNING_KEY"
KEY_BYTES = 32
_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


class PublicKey:
    """What verifies checkpoints: the raw 32-byte Ed25519 public key."""

    __slots__ = ("_key", "key_id", "raw")

    def __init__(self, raw: bytes) -> None:
        if len(raw) != KEY_BYTES:
            raise InvalidInput(f"an Ed25519 public key is {KEY_BYTES} bytes, not {len(raw)}", field="public key")
        self.raw = raw
        self._key = Ed25519PublicKey.from_public_bytes(raw)
        self.key_id = hashlib.sha256(raw).hexdigest()

    @property
    def hex(self) -> str:
        return self.raw.hex()

    def verify(self, message: bytes, signature_hex: str) -> bool:
        try:
            self._key.verify(bytes.fromhex(signature_hex), message)
        except (InvalidSignature, ValueError):
            return False
        return True

    @classmethod
    def parse(cls, text: str, *, field: str) -> PublicKey:
        """A public key given as a file holding it, or as its text: 64 hex digits, base64 or base64url of the
        32 bytes, or a PEM `PUBLIC KEY` block."""
        candidate = text.strip()
        path = Path(candidate)
        if len(candidate) < 4096 and "\n" not in candidate and path.is_file():
            candidate = path.read_text(encoding="utf-8", errors="replace").strip()
        if candidate.startswith("-----BEGIN PUBLIC KEY-----"):
            try:
                loaded = serialization.load_pem_public_key(candidate.encode("ascii"))
            except (ValueError, UnicodeEncodeError):
                raise InvalidInput("not a PEM public key", field=field) from None
            if not isinstance(loaded, Ed25519PublicKey):
                raise InvalidInput("not an Ed25519 public key", field=field)
            return cls(loaded.public_bytes(*_RAW))
        if _HEX_KEY.fullmatch(candidate):
            return cls(bytes.fromhex(candidate))
        try:
            raw = base64.b64decode(
                candidate.replace("-", "+").replace("_", "/") + "=" * (-len(candidate) % 4), validate=True
            )
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != KEY_BYTES:
            raise InvalidInput(
                "an audit public key is 64 hex digits (as `seaway audit public-key` prints it), the base64 of its "
                "32 bytes, a PEM block, or a file holding one of these",
                field=field,
            )
        return cls(raw)


class SigningKey:
    __slots__ = ("_key", "public_key")

    def __init__(self, seed: bytes) -> None:
        if len(seed) != KEY_BYTES:
            raise InvalidInput(f"an audit signing key is {KEY_BYTES} bytes, not {len(seed)}", field=ENV_VAR)
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = PublicKey(self._key.public_key().public_bytes(*_RAW))

    @classmethod
    def load(cls, data_dir: Path, configured: str | None = None) -> SigningKey | None:
        """The configured key, else the key file in `data_dir`; None when there is neither."""
        if configured is not None:
            return cls(_decode_seed(configured, field=ENV_VAR))
        path = data_dir / KEY_FILE_NAME
        if not path.exists():
            return None
        return cls(_decode_seed(path.read_text(encoding="ascii", errors="replace"), field=str(path)))

    @classmethod
    def load_or_create(cls, data_dir: Path, configured: str | None = None) -> SigningKey:
        """As `load`, creating the key file when there is no key yet."""
        found = cls.load(data_dir, configured)
        if found is not None:
            return found
        _create_key_file(data_dir / KEY_FILE_NAME)
        created = cls.load(data_dir)
        assert created is not None
        return created

    @property
    def key_id(self) -> str:
        return self.public_key.key_id

    def __repr__(self) -> str:
        return f"SigningKey(key_id={self.key_id[:16]!r})"

    def sign(self, message: bytes) -> str:
        return self._key.sign(message).hex()


def _decode_seed(text: str, *, field: str) -> bytes:
    """The seed is written as a master key is; only the message names what it is for."""
    try:
        return _decode_key(text, field=field)
    except InvalidInput:
        raise InvalidInput(
            f"an audit signing key is {KEY_BYTES} random bytes written as base64url: 43 characters of A-Z a-z 0-9 "
            "- _, optionally followed by '='. Generate one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'",
            field=field,
        ) from None
