"""`accounts:` and `targets:` in a document: each mistake names its path, and nothing is applied; key files are
read beside the document by whoever holds it, never by the server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from tests.fixtures.engine import SIMPLE_SPACE, apply_yaml
from tests.fixtures.targets import fingerprint_of, private_key_text

from seaway.config.documents import load_text, parse_document
from seaway.config.key_files import inline_key_files
from seaway.domain.targets import AccountType
from seaway.errors import InvalidInput

KEY = private_key_text()
PINNED = fingerprint_of("web-01")


def account_yaml(fields: str) -> str:
    return f"accounts:\n  - {{{fields}}}\n"


def key_yaml(key: str) -> str:
    return "accounts:\n  - name: deploy\n    type: ssh-key\n    username: deploy\n    private_key: |\n" + "".join(
        f"      {line}\n" for line in key.splitlines()
    )


def target_yaml(fields: str = "", endpoint: str = "type: ssh, host: 10.0.0.5, account: deploy") -> str:
    return (
        SIMPLE_SPACE
        + account_yaml("name: deploy, type: username-password, username: deploy, password: s3cret")
        + "targets:\n"
        + f"  - {{name: web-01, environments: [Test], roles: [web-server], endpoint: {{{endpoint}}}{fields}}}\n"
    )


def passphrase_key() -> str:
    key = ed25519.Ed25519PrivateKey.generate()
    encryption = serialization.BestAvailableEncryption(b"passphrase")
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption).decode()


def public_key() -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def test_an_ssh_key_account_and_a_password_account_parse_with_their_secrets():
    document = parse_document(
        load_text(key_yaml(KEY) + "  - {name: ops, type: username-password, username: ops, password: pw}\n")
    )
    (key_account, key_path), (password_account, _) = document.accounts
    assert key_path == "accounts[0]"
    assert key_account.type is AccountType.SSH_KEY and key_account.secret == KEY
    assert password_account.type is AccountType.PASSWORD and password_account.secret == "pw"
    assert "pw" not in repr(password_account)


def test_a_target_parses_with_the_default_port_policy_and_no_pinned_key():
    document = parse_document(load_text(target_yaml()))
    ((target, path),) = document.targets
    assert path == "targets[0]"
    assert (target.name, target.environments, target.roles) == ("web-01", ("Test",), ("web-server",))
    assert (target.endpoint.host, target.endpoint.port, target.endpoint.account) == ("10.0.0.5", 22, "deploy")
    assert target.endpoint.fingerprint == "" and target.enabled and target.policy == "Default Machine Policy"


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        (target_yaml().replace("environments: [Test], roles", "environments: [], roles"), "targets[0].environments",
         "at least one environment"),
        (target_yaml().replace("[web-server]", "[web-server, app server]"), "targets[0].roles[1]", "contains a space"),
        (target_yaml().replace("roles: [web-server]", "roles: []"), "targets[0].roles", "at least one role"),
        (target_yaml(endpoint="type: ssh, host: h, port: 70000, account: deploy"), "targets[0].endpoint.port",
         "out of range"),
        (target_yaml(endpoint="type: ssh, host: h, account: deploy, fingerprint: 'MD5:ab'"),
         "targets[0].endpoint.fingerprint", "not a SHA-256 host key fingerprint"),
        (target_yaml(endpoint="type: agent, host: h"), "targets[0].endpoint.host", "unknown key"),
        (target_yaml(endpoint="type: winrm, host: h"), "targets[0].endpoint.type", 'unknown endpoint type "winrm"'),
        (target_yaml(endpoint="type: ssh, account: deploy"), "targets[0].endpoint.host", "is required"),
        (target_yaml(endpoint="type: ssh, host: 'user@h', account: deploy"), "targets[0].endpoint.host",
         "not a host name"),
        (target_yaml(", policy: ''"), "targets[0].policy", "must not be empty"),
        (target_yaml(", tags: [web]"), "targets[0].tags", 'unknown key "tags"'),
        (target_yaml() + "  - {name: WEB-01, environments: [Test], roles: [w], endpoint: {type: agent}}\n",
         "targets[1].name", "listed twice"),
        (key_yaml("-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----"),
         "accounts[0].private_key", "does not parse"),
        (key_yaml("just some text"), "accounts[0].private_key", "not a private key in OpenSSH or PEM form"),
        (key_yaml(public_key()), "accounts[0].private_key", "this is a public key"),
        (key_yaml(passphrase_key()), "accounts[0].private_key", "protected by a passphrase"),
        (account_yaml("name: d, type: ssh-key, username: deploy"), "accounts[0].private_key", "is required"),
        (account_yaml("name: d, type: ssh-key, username: deploy, password: pw"), "accounts[0].password",
         "takes private_key, not password"),
        (account_yaml("name: d, type: password, username: u, password: pw"), "accounts[0].type",
         'unknown account type "password"'),
        (account_yaml("name: d, type: username-password, username: 'two words', password: pw"),
         "accounts[0].username", "not a user name"),
        (account_yaml("name: d, type: ssh-key, username: deploy, private_key_file: ./id_ed25519"),
         "accounts[0].private_key_file", "the server reads no files"),
        (account_yaml("name: d, type: username-password, username: u, password: a")
         + "  - {name: D, type: username-password, username: u, password: b}\n", "accounts[1].name", "listed twice"),
    ],
)  # fmt: skip
def test_a_mistake_in_the_shape_names_its_path(document, field, message):
    with pytest.raises(InvalidInput) as refused:
        parse_document(load_text(document))

    assert refused.value.field == field, refused.value
    assert message in refused.value.message


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        (target_yaml().replace("environments: [Test], roles", "environments: [Test, Qa], roles"),
         "targets[0].environments[1]", 'unknown environment "Qa"'),
        (target_yaml(endpoint="type: ssh, host: h, account: nobody"), "targets[0].endpoint.account",
         'unknown account "nobody"'),
    ],
)  # fmt: skip
async def test_a_name_that_does_not_exist_names_its_path_and_nothing_is_applied(services, document, field, message):
    with pytest.raises(InvalidInput) as refused:
        await apply_yaml(services, document)

    assert refused.value.field == field, refused.value
    assert message in refused.value.message
    async with services.store.reading() as uow:
        assert await uow.targets.list() == [] and await uow.accounts.list() == []
        assert await uow.environments.list() == []


def test_a_key_file_is_read_relative_to_the_documents_directory(tmp_path: Path):
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "id_ed25519").write_text(KEY)
    data = load_text(account_yaml("name: deploy, type: ssh-key, username: deploy, private_key_file: ./keys/id_ed25519"))

    inlined, changed = inline_key_files(data, tmp_path)

    assert changed
    assert inlined["accounts"][0] == {"name": "deploy", "type": "ssh-key", "username": "deploy", "private_key": KEY}
    assert parse_document(json.loads(json.dumps(inlined))).accounts[0][0].secret == KEY


def test_a_document_without_key_files_is_left_as_it_is(tmp_path: Path):
    data = load_text(target_yaml())
    assert inline_key_files(data, tmp_path) == (data, False)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("private_key_file: ./missing", "cannot read"),
        ("private_key_file: ./not-a-key", "not a private key"),
        ("private_key_file: ./not-a-key, private_key: x", "not both"),
    ],
)
def test_a_key_file_that_cannot_be_used_is_refused_naming_the_path(tmp_path: Path, fields: str, message: str):
    (tmp_path / "not-a-key").write_text("hello")
    data = load_text(account_yaml(f"name: deploy, type: ssh-key, username: deploy, {fields}"))

    with pytest.raises(InvalidInput) as refused:
        inline_key_files(data, tmp_path)

    assert refused.value.field == "accounts[0].private_key_file"
    assert message in str(refused.value)
