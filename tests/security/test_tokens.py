from __future__ import annotations

import hashlib
import re

import pytest

from seaway.errors import InvalidInput
from seaway.security.tokens import hash_token, new_api_key, new_token, token_fingerprint, tokens_equal


def test_a_token_is_url_safe_and_carries_256_bits() -> None:
    token = new_token()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)


def test_tokens_are_unique() -> None:
    assert len({new_token() for _ in range(100)}) == 100


def test_an_api_key_is_api_dash_and_32_upper_case_letters_or_digits() -> None:
    assert re.fullmatch(r"API-[A-Z0-9]{32}", new_api_key())


def test_api_keys_are_unique_and_use_the_whole_alphabet() -> None:
    keys = {new_api_key() for _ in range(200)}
    assert len(keys) == 200
    # 200 × 32 draws from 36 symbols: every symbol shows up.
    assert set("".join(key.removeprefix("API-") for key in keys)) == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def test_a_token_hash_is_sha256_as_lowercase_hex() -> None:
    assert hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    token = new_token()
    assert hash_token(token) == hashlib.sha256(token.encode()).hexdigest()


def test_a_token_hash_is_stable_and_differs_between_tokens() -> None:
    token = new_api_key()
    assert hash_token(token) == hash_token(token)
    assert hash_token(token) != hash_token(new_api_key())


def test_tokens_equal_compares_exactly() -> None:
    token = new_token()
    assert tokens_equal(token, token)
    assert not tokens_equal(token, token[:-1])
    assert not tokens_equal(token, token.upper())


def test_tokens_equal_accepts_any_text() -> None:
    assert not tokens_equal("ключ", "key")
    assert tokens_equal("ключ", "ключ")


def test_a_fingerprint_is_the_first_eight_characters_of_the_hash() -> None:
    digest = hash_token("abc")
    assert token_fingerprint(digest) == "ba7816bf"


@pytest.mark.parametrize("not_a_hash", ["", "abc", "API-" + "A" * 32, "BA7816BF" + "0" * 56])
def test_a_fingerprint_is_only_taken_from_a_hash_so_a_token_is_never_partly_logged(not_a_hash: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        token_fingerprint(not_a_hash)
    assert raised.value.field == "token_hash"
    if not_a_hash:
        assert not_a_hash not in str(raised.value)
