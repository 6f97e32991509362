from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from seaway.errors import InvalidInput, SeawayError, SecretUnreadable
from seaway.security import secrets as secrets_module
from seaway.security.secrets import MasterKey, generate_master_key


def make_key() -> MasterKey:
    return MasterKey.load_or_create(Path("/nonexistent"), configured=generate_master_key())


# --- generate_master_key -----------------------------------------------------------------------


def test_a_generated_key_is_32_random_bytes_as_unpadded_base64url() -> None:
    key = generate_master_key()
    assert len(key) == 43
    assert len(base64.urlsafe_b64decode(key + "=")) == 32
    assert generate_master_key() != key


# --- load_or_create ----------------------------------------------------------------------------


def test_a_key_file_is_created_owner_only_on_first_start(tmp_path: Path) -> None:
    MasterKey.load_or_create(tmp_path)
    key_file = tmp_path / "master.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text().strip()) == 43


def test_the_data_directory_is_created_when_missing(tmp_path: Path) -> None:
    MasterKey.load_or_create(tmp_path / "nested" / ".seaway")
    assert (tmp_path / "nested" / ".seaway" / "master.key").is_file()


def test_no_temporary_file_is_left_behind(tmp_path: Path) -> None:
    MasterKey.load_or_create(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["master.key"]


def test_the_key_file_is_read_on_later_starts(tmp_path: Path) -> None:
    stored = MasterKey.load_or_create(tmp_path).encrypt("s3cret")
    assert MasterKey.load_or_create(tmp_path).decrypt(stored) == "s3cret"


def test_an_existing_key_file_is_never_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Another process creates the key between the existence check and the write.
    existing = generate_master_key()
    (tmp_path / "master.key").write_text(existing + "\n")
    monkeypatch.setattr(Path, "exists", lambda self: False)
    loaded = MasterKey.load_or_create(tmp_path)
    assert (tmp_path / "master.key").read_text() == existing + "\n"
    assert loaded.decrypt(MasterKey.load_or_create(tmp_path, configured=existing).encrypt("x")) == "x"
    assert [p.name for p in tmp_path.iterdir()] == ["master.key"]


def test_a_configured_key_wins_over_the_key_file(tmp_path: Path) -> None:
    from_file = MasterKey.load_or_create(tmp_path)
    configured = generate_master_key()
    from_env = MasterKey.load_or_create(tmp_path, configured=configured)
    with pytest.raises(SecretUnreadable):
        from_env.decrypt(from_file.encrypt("x"))


def test_a_configured_key_creates_no_key_file(tmp_path: Path) -> None:
    MasterKey.load_or_create(tmp_path, configured=generate_master_key())
    assert list(tmp_path.iterdir()) == []


def test_a_configured_key_may_be_padded_and_surrounded_by_whitespace(tmp_path: Path) -> None:
    key = generate_master_key()
    stored = MasterKey.load_or_create(tmp_path, configured=key).encrypt("x")
    assert MasterKey.load_or_create(tmp_path, configured=f"  {key}=\n").decrypt(stored) == "x"


@pytest.mark.parametrize(
    "configured",
    ["", "short", "a" * 44, "a" * 42 + "+/", base64.b64encode(bytes(range(16))).decode()],
)
def test_a_malformed_configured_key_explains_the_expected_format(tmp_path: Path, configured: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        MasterKey.load_or_create(tmp_path, configured=configured)
    assert raised.value.field == "SEAWAY_MASTER_KEY"
    assert "base64url" in raised.value.message
    assert "32" in raised.value.message


def test_a_malformed_key_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "master.key").write_text("not a key\n")
    with pytest.raises(InvalidInput) as raised:
        MasterKey.load_or_create(tmp_path)
    assert raised.value.field == str(tmp_path / "master.key")


def test_a_key_of_the_wrong_length_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        MasterKey(b"too short")


def test_the_key_is_not_shown_in_its_representation(tmp_path: Path) -> None:
    configured = generate_master_key()
    key = MasterKey.load_or_create(tmp_path, configured=configured)
    assert configured not in repr(key)
    assert key.fingerprint in repr(key)
    assert len(key.fingerprint) == 8


def test_directory_sync_is_skipped_where_a_directory_cannot_be_opened(tmp_path: Path) -> None:
    secrets_module._fsync_directory(tmp_path / "missing")


# --- encrypt / decrypt -------------------------------------------------------------------------


@pytest.mark.parametrize("plaintext", ["s3cret", "", "pässwörd ✓", "line one\nline two"])
def test_a_value_round_trips(plaintext: str) -> None:
    key = make_key()
    assert key.decrypt(key.encrypt(plaintext)) == plaintext


def test_an_encrypted_value_is_versioned_and_hides_the_plaintext() -> None:
    stored = make_key().encrypt("s3cret")
    assert stored.startswith("enc:v1:")
    assert "s3cret" not in stored


def test_every_encryption_uses_a_fresh_nonce() -> None:
    key = make_key()
    first, second = key.encrypt("same"), key.encrypt("same")
    assert first != second
    nonce = lambda stored: base64.urlsafe_b64decode(stored.removeprefix("enc:v1:"))[:12]  # noqa: E731
    assert nonce(first) != nonce(second)


def test_a_value_encrypted_with_another_key_is_unreadable_and_says_the_key_may_have_changed() -> None:
    stored = make_key().encrypt("s3cret")
    with pytest.raises(SecretUnreadable) as raised:
        make_key().decrypt(stored)
    assert isinstance(raised.value, SeawayError)
    assert "master key may have changed" in raised.value.message
    assert "s3cret" not in str(raised.value)
    assert stored not in str(raised.value)
    assert raised.value.__cause__ is None


def test_a_tampered_value_is_unreadable() -> None:
    key = make_key()
    raw = bytearray(base64.urlsafe_b64decode(key.encrypt("s3cret").removeprefix("enc:v1:")))
    raw[-1] ^= 1
    with pytest.raises(SecretUnreadable):
        key.decrypt("enc:v1:" + base64.urlsafe_b64encode(bytes(raw)).decode())


@pytest.mark.parametrize("stored", ["enc:v1:", "enc:v1:AAAA", "enc:v1:A"])
def test_a_truncated_or_corrupt_value_is_unreadable(stored: str) -> None:
    with pytest.raises(SecretUnreadable) as raised:
        make_key().decrypt(stored)
    assert stored not in raised.value.message


def test_a_value_in_an_unknown_format_version_is_unreadable() -> None:
    with pytest.raises(SecretUnreadable) as raised:
        make_key().decrypt("enc:v2:AAAA")
    assert "format" in raised.value.message


def test_a_plaintext_value_is_unreadable_and_not_echoed() -> None:
    with pytest.raises(SecretUnreadable) as raised:
        make_key().decrypt("s3cret")
    assert "s3cret" not in str(raised.value)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [("enc:v1:AAAA", True), ("enc:v2:AAAA", True), ("s3cret", False), ("enc:", False), ("ENC:v1:AAAA", False)],
)
def test_is_encrypted_recognises_every_format_version(stored: str, expected: bool) -> None:
    assert MasterKey.is_encrypted(stored) is expected


def test_is_encrypted_recognises_what_encrypt_produces() -> None:
    assert MasterKey.is_encrypted(make_key().encrypt("x"))
