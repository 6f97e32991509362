"""Passwords: argon2id hashes for user sign-in.

Hashing uses argon2-cffi's defaults (argon2id, RFC 9106's low-memory profile). When those defaults
change in a later release, `needs_rehash` tells the sign-in path to store a fresh hash while it still
holds the plaintext.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from seaway.errors import InvalidInput

MIN_LENGTH = 8

# One hasher holds the cost parameters; it keeps no other state and is safe to share between threads.
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """Hash a new password, after checking it is long enough."""
    if not password:
        raise InvalidInput("a password is required", field="password")
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"a password must be at least {MIN_LENGTH} characters long", field="password")
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when `password` matches `stored_hash`; False for a wrong password or an unreadable hash.

    Length rules are not applied here: they are for choosing new passwords, not for signing in.
    """
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when `stored_hash` was made with other parameters than new hashes are made with."""
    return _HASHER.check_needs_rehash(stored_hash)
