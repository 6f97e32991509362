"""The audit signing key: kept next to the master key, owner only, or supplied; its public key in any form."""

from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from seaway.errors import InvalidInput
from seaway.security.secrets import generate_master_key
from seaway.security.signing import PublicKey, SigningKey


def test_the_key_file_is_created_owner_only_next_to_the_master_key_and_read_again(tmp_path: Path) -> None:
    assert SigningKey.load(tmp_path) is None
    created = SigningKey.load_or_create(tmp_path)
    key_file = tmp_path / "audit-signing.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert SigningKey.load_or_create(tmp_path).key_id == created.key_id
    assert [p.name for p in tmp_path.iterdir()] == ["audit-signing.key"]


def test_a_configured_key_wins_over_the_file_and_a_bad_one_is_named(tmp_path: Path) -> None:
    seed = generate_master_key()
    configured = SigningKey.load_or_create(tmp_path, seed)
    assert configured.key_id == SigningKey(base64.urlsafe_b64decode(seed + "=")).key_id
    assert not (tmp_path / "audit-signing.key").exists()
    with pytest.raises(InvalidInput, match="audit signing key") as caught:
        SigningKey.load(tmp_path, "too short")
    assert caught.value.field == "SEAWAY_AUDIT_SIGNING_KEY"


def test_the_key_id_is_the_sha256_of_the_raw_public_key_and_signatures_verify() -> None:
    key = SigningKey(bytes(32))
    assert key.key_id == hashlib.sha256(key.public_key.raw).hexdigest()
    signature = key.sign(b"message")
    assert key.public_key.verify(b"message", signature)
    assert not key.public_key.verify(b"other", signature)
    assert not key.public_key.verify(b"message", "not hex")
    assert "key_id" in repr(key) and key.public_key.hex not in repr(key)


def test_a_public_key_is_read_from_hex_base64_pem_or_a_file(tmp_path: Path) -> None:
    public = SigningKey(bytes(range(32))).public_key
    pem = public._key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (tmp_path / "audit.pub").write_text(public.hex + "\n")
    forms = [
        public.hex,
        base64.b64encode(public.raw).decode(),
        base64.urlsafe_b64encode(public.raw).decode().rstrip("="),
        pem.decode(),
        str(tmp_path / "audit.pub"),
    ]
    assert {PublicKey.parse(form, field="--public-key").key_id for form in forms} == {public.key_id}


@pytest.mark.parametrize("text", ["", "abc", "00" * 31, "/no/such/file"])
def test_anything_else_is_not_a_public_key(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        PublicKey.parse(text, field="--public-key")
    assert caught.value.field == "--public-key"
