"""Secrets: sensitive variable values encrypted at rest with the master key.

The master key is 32 random bytes, written as unpadded base64url. It comes from `SEAWAY_MASTER_KEY`
when that is set, otherwise from `<data dir>/master.key`, which is created on first start. Losing
the key loses every sensitive value, so a key file is never overwritten.

A stored value is `enc:v1:` + base64url(nonce ‖ AES-256-GCM ciphertext and tag). The nonce is 96
random bits, fresh for every encryption: at well under 2³² encryptions per key the chance of a
repeat is negligible. GCM authenticates the ciphertext, so a wrong key and a tampered value are both
detected, and told apart from neither to the caller (both are `SecretUnreadable`).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import re
import secrets
import uuid
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from seaway.errors import InvalidInput, SecretUnreadable

KEY_BYTES = 32
NONCE_BYTES = 12
KEY_FILE_NAME = "master.key"
ENV_VAR = "SEAWAY_MASTER_KEY"
PREFIX = "enc:v1:"
# Binds ciphertexts to this format, so a future format cannot be fed one by mistake.
_ASSOCIATED_DATA = b"seaway:" + PREFIX.encode()
_KEY_TEXT = re.compile(r"[A-Za-z0-9_-]{43}=?")
_ANY_VERSION = re.compile(r"enc:v[0-9]+:")


def generate_master_key() -> str:
    """A new master key as it is written to `master.key` or set in `SEAWAY_MASTER_KEY`."""
    return _encode_key(secrets.token_bytes(KEY_BYTES))


class MasterKey:
    __slots__ = ("_aead", "_fingerprint", "_installation_id")

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise InvalidInput(f"a master key is {KEY_BYTES} bytes, not {len(key)}", field="key")
        self._aead = AESGCM(key)
        self._fingerprint = hashlib.sha256(key).hexdigest()[:8]
        # Every node of one installation shares the key, so an id derived from it is the installation's own.
        derived = hmac.new(key, b"seaway installation id", hashlib.sha256).digest()[:16]
        self._installation_id = str(uuid.UUID(bytes=derived, version=4))

    @classmethod
    def load_or_create(cls, data_dir: Path, configured: str | None = None) -> MasterKey:
        """The configured key if there is one, else the key file in `data_dir`, created when missing."""
        if configured is not None:
            return cls(_decode_key(configured, field=ENV_VAR))
        path = data_dir / KEY_FILE_NAME
        if not path.exists():
            _create_key_file(path)
        return cls(_decode_key(path.read_text(encoding="ascii"), field=str(path)))

    @property
    def installation_id(self) -> str:
        """A UUID that is stable for the installation and reveals nothing of the key."""
        return self._installation_id

    @property
    def fingerprint(self) -> str:
        """Eight hex characters that identify the key without revealing it, for diagnostics."""
        return self._fingerprint

    def __repr__(self) -> str:
        return f"MasterKey(fingerprint={self._fingerprint!r})"

    def encrypt(self, plaintext: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), _ASSOCIATED_DATA)
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, stored: str) -> str:
        # Messages never include `stored`: even a ciphertext does not belong in logs or API errors.
        if not stored.startswith(PREFIX):
            if _ANY_VERSION.match(stored):
                raise SecretUnreadable("a sensitive value was stored in a format this version of Seaway cannot read")
            raise SecretUnreadable("a sensitive value is not in the encrypted format Seaway stores")
        try:
            raw = base64.urlsafe_b64decode(stored[len(PREFIX) :].encode("ascii"))
        except (binascii.Error, ValueError):
            raise SecretUnreadable("a stored sensitive value is corrupt: it is not valid base64url") from None
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        try:
            plaintext = self._aead.decrypt(nonce, sealed, _ASSOCIATED_DATA)
        except (InvalidTag, ValueError):
            raise SecretUnreadable(
                "a stored sensitive value cannot be decrypted: the master key may have changed since it was "
                f"saved (current key fingerprint {self._fingerprint}), or the value was altered"
            ) from None
        return plaintext.decode("utf-8")

    @staticmethod
    def is_encrypted(stored: str) -> bool:
        """True for any `enc:vN:` value, so that a newer format is never mistaken for plaintext."""
        return _ANY_VERSION.match(stored) is not None


def _encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii").rstrip("=")


def _decode_key(text: str, *, field: str) -> bytes:
    candidate = text.strip()
    if not _KEY_TEXT.fullmatch(candidate):
        raise InvalidInput(
            f"a master key is {KEY_BYTES} random bytes written as base64url: 43 characters of A-Z a-z 0-9 - _, "
            "optionally followed by '='. Generate one with: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'",
            field=field,
        )
    return base64.urlsafe_b64decode(candidate.rstrip("=") + "=")


def _create_key_file(path: Path) -> None:
    """Write a new key file atomically, owner-only, and never over a key that already exists.

    The key is written to a temporary file that is then hard-linked into place: unlike a rename, a
    link fails if another process created the key file first, and then that process's key is used.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(generate_master_key() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # Makes the new directory entry durable; platforms that cannot open a directory skip this.
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
