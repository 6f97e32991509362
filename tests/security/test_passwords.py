from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from seaway.errors import InvalidInput
from seaway.security.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password


def test_the_right_password_verifies() -> None:
    assert verify_password(hash_password("correct horse"), "correct horse")


def test_a_wrong_password_does_not_verify_and_does_not_raise() -> None:
    assert not verify_password(hash_password("correct horse"), "battery staple")


def test_a_malformed_stored_hash_does_not_verify_and_does_not_raise() -> None:
    assert not verify_password("not a hash", "correct horse")


def test_hashes_are_argon2id_and_salted() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("$argon2id$")
    assert first != second
    assert "correct horse" not in first


def test_an_empty_password_is_rejected() -> None:
    with pytest.raises(InvalidInput) as raised:
        hash_password("")
    assert raised.value.field == "password"
    assert "required" in raised.value.message


def test_a_password_shorter_than_the_minimum_is_rejected() -> None:
    with pytest.raises(InvalidInput) as raised:
        hash_password("x" * (MIN_LENGTH - 1))
    assert raised.value.field == "password"
    assert str(MIN_LENGTH) in raised.value.message


def test_a_password_of_exactly_the_minimum_length_is_accepted() -> None:
    assert MIN_LENGTH == 8
    assert verify_password(hash_password("x" * MIN_LENGTH), "x" * MIN_LENGTH)


def test_existing_short_passwords_still_verify() -> None:
    # A minimum length is for choosing passwords; raising it must not lock anyone out.
    legacy = PasswordHasher().hash("short")
    assert verify_password(legacy, "short")


def test_a_fresh_hash_needs_no_rehash() -> None:
    assert not needs_rehash(hash_password("correct horse"))


def test_a_hash_made_with_other_parameters_needs_a_rehash() -> None:
    cheaper = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("correct horse")
    assert needs_rehash(cheaper)
    assert verify_password(cheaper, "correct horse")
