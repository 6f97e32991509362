"""Tokens: API keys and approval-link tokens, handed out once and stored only as hashes.

A token is shown to its owner once (an API key on creation, an approval token inside an email link)
and Seaway keeps only `hash_token(token)`. Audit events and logs carry `token_fingerprint(...)` of
the hash, never a token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string

from seaway.errors import InvalidInput

API_KEY_PREFIX = "API-"
API_KEY_LENGTH = 32  # 32 symbols of 36 ≈ 165 bits
_API_KEY_ALPHABET = string.ascii_uppercase + string.digits
_TOKEN_HASH = re.compile(r"[0-9a-f]{64}")


def new_token() -> str:
    """A URL-safe token of 256 random bits, for approval links."""
    return secrets.token_urlsafe(32)


def new_api_key() -> str:
    """An API key: `API-` and 32 random upper-case letters and digits (about 165 bits)."""
    return API_KEY_PREFIX + "".join(secrets.choice(_API_KEY_ALPHABET) for _ in range(API_KEY_LENGTH))


def hash_token(token: str) -> str:
    """SHA-256 of the token, as lowercase hex: what the store keeps and looks tokens up by.

    A fast hash is adequate here, unlike for passwords: these tokens are long and random (165 bits
    or more), so nobody can guess one from its hash by trying candidates, however fast each try is.
    A fast, unsalted hash also lets the store find a token by an indexed equality lookup.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_equal(a: str, b: str) -> bool:
    """Compare tokens or token hashes in constant time, so timing reveals nothing about either."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def token_fingerprint(token_hash: str) -> str:
    """The first 8 hex characters of a token hash: enough to tell tokens apart in audit events and logs.

    Only a hash is accepted, so that a token passed by mistake is rejected rather than partly logged.
    """
    if not _TOKEN_HASH.fullmatch(token_hash):
        raise InvalidInput("a token fingerprint is taken from a token hash (64 lowercase hex)", field="token_hash")
    return token_hash[:8]
