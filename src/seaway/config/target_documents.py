"""The `accounts:` and `targets:` sections of the config document (and the API bodies of the same shape).

    accounts:
      - {name: deploy-key, type: ssh-key, username: deploy, private_key: "-----BEGIN OPENSSH PRIVATE KEY-----..."}
      - {name: deploy-password, type: username-password, username: deploy, password: "..."}
    targets:
      - name: web-01
        environments: [Test]
        roles: [web-server]
        endpoint: {type: ssh, host: 10.0.0.5, port: 22, account: deploy-key, fingerprint: "SHA256:..."}
      - name: branch-01
        environments: [Test]
        roles: [web-server]
        endpoint: {type: agent}     # the machine runs `seaway agent register` and `seaway agent run`

`private_key_file` is read beside the document by whoever holds the file (`key_files.inline_key_files`);
the server reads no files, so here it is refused. Names that must exist (environments, the account) are
checked when the document is applied.
"""

from __future__ import annotations

from typing import TypeVar

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_ssh_private_key

from seaway.config.reader import Node
from seaway.config.secret_references import STORED, secret_text
from seaway.domain.environments import validate_name
from seaway.domain.targets import (
    DEFAULT_POLICY,
    Account,
    AccountType,
    AgentEndpoint,
    DeploymentTarget,
    Endpoint,
    SshEndpoint,
    invalid,
    validate_fingerprint,
    validate_role,
    validate_target,
)

ACCOUNT_KEYS = {"name", "type", "username", "private_key", "private_key_file", "password"}
TARGET_KEYS = {"name", "environments", "roles", "endpoint", "enabled", "policy"}
SSH_ENDPOINT_KEYS = {"type", "host", "port", "account", "fingerprint"}
AGENT_ENDPOINT_KEYS = {"type"}
_OPENSSH = "-----BEGIN OPENSSH PRIVATE KEY-----"
_SECRET_KEYS = {AccountType.SSH_KEY: "private_key", AccountType.PASSWORD: "password"}


def check_private_key(text: str, *, field: str) -> str:
    """The key as it is stored: OpenSSH or PEM text that parses, without a passphrase."""
    key = text.strip()
    if key.startswith(("ssh-", "ecdsa-")) or "PUBLIC KEY" in key.partition("\n")[0]:
        raise invalid(field, "this is a public key; an account needs the private key (id_ed25519, not id_ed25519.pub)")
    if not key.startswith("-----BEGIN ") or "PRIVATE KEY-----" not in key.partition("\n")[0]:
        raise invalid(field, f"this is not a private key in OpenSSH or PEM form (one starts {_OPENSSH})")
    data = (key + "\n").encode()
    try:
        if key.startswith(_OPENSSH):
            load_ssh_private_key(data, password=None)
        else:
            load_pem_private_key(data, password=None)
    except TypeError:  # what cryptography raises for a key that needs a passphrase
        raise invalid(
            field,
            "the private key is protected by a passphrase; give Seaway a key without one "
            "(`ssh-keygen -p -N '' -f KEY` removes it from a copy)",
        ) from None
    except (ValueError, UnsupportedAlgorithm):  # their messages name byte strings, not what to do
        raise invalid(field, "the private key does not parse; copy the whole file, -----BEGIN to -----END") from None
    return key + "\n"


def parse_accounts(node: Node) -> tuple[tuple[Account, str], ...]:
    return _unique(tuple((parse_account(n), n.path) for n in node.items()), "account")


def parse_targets(node: Node) -> tuple[tuple[DeploymentTarget, str], ...]:
    return _unique(tuple((parse_target(n), n.path) for n in node.items()), "target")


_Listed = TypeVar("_Listed", Account, DeploymentTarget)


def _unique(items: tuple[tuple[_Listed, str], ...], what: str) -> tuple[tuple[_Listed, str], ...]:
    seen: set[str] = set()
    for item, path in items:
        if item.name.lower() in seen:
            raise invalid(f"{path}.name", f'the {what} "{item.name}" is listed twice')
        seen.add(item.name.lower())
    return items


def parse_account(node: Node, *, secret_required: bool = True) -> Account:
    """An account; without `secret_required` (an update through the API) the secret may be left out, and the
    account then has an empty one, meaning the stored one is kept."""
    m = node.mapping(ACCOUNT_KEYS, {"name", "type", "username"})
    type_text = m["type"].string()
    if type_text not in {t.value for t in AccountType}:
        raise m["type"].fail(f'unknown account type "{type_text}" (one of: {", ".join(t.value for t in AccountType)})')
    account_type = AccountType(type_text)
    if "private_key_file" in m:
        raise m["private_key_file"].fail(
            "key files are read by `seaway apply` from beside the document; the server reads no files, "
            "so send the key's text as private_key"
        )
    wanted = _SECRET_KEYS[account_type]
    for key in _SECRET_KEYS.values():
        if key != wanted and key in m:
            raise m[key].fail(f"a {account_type} account takes {wanted}, not {key}")
    secret = ""
    if wanted in m:
        secret = secret_text(m[wanted])
        if account_type is AccountType.SSH_KEY and secret != STORED:
            secret = check_private_key(secret, field=m[wanted].path)
    elif secret_required:
        also = " (or private_key_file)" if account_type is AccountType.SSH_KEY else ""
        raise Node(None, node.child_path(wanted)).fail(f"is required for a {account_type} account{also}")
    username = m["username"].string()
    if len(username) > 200 or any(ch.isspace() for ch in username):
        raise m["username"].fail(f'"{username}" is not a user name (no spaces, at most 200 characters)')
    return Account(validate_name(m["name"].string(), field=m["name"].path), account_type, username, secret)


def parse_target(node: Node) -> DeploymentTarget:
    m = node.mapping(TARGET_KEYS, {"name", "environments", "roles", "endpoint"})
    environments = tuple(validate_name(e.string(), field=e.path) for e in _list(m["environments"]))
    roles = tuple(validate_role(r.string(), field=r.path) for r in _list(m["roles"]))
    target = DeploymentTarget(
        name=validate_name(m["name"].string(), field=m["name"].path),
        environments=environments,
        roles=roles,
        endpoint=_endpoint(m["endpoint"]),
        enabled=m["enabled"].boolean() if "enabled" in m else True,
        policy=validate_name(m["policy"].string(), field=m["policy"].path) if "policy" in m else DEFAULT_POLICY,
    )
    validate_target(target, path=node.path)
    return target


def _list(node: Node) -> list[Node]:
    """A list of names; one name alone is a list of one."""
    return [node] if isinstance(node.value, str) else list(node.items())


def _endpoint(node: Node) -> Endpoint:
    kind = node.mapping(SSH_ENDPOINT_KEYS | AGENT_ENDPOINT_KEYS, {"type"})["type"]
    if kind.string() == "agent":
        node.mapping(AGENT_ENDPOINT_KEYS, {"type"})  # an agent's address is its own to dial from
        return AgentEndpoint()
    if kind.string() != "ssh":
        raise kind.fail(f'unknown endpoint type "{kind.value}" (expected ssh or agent)')
    m = node.mapping(SSH_ENDPOINT_KEYS, {"type", "host", "account"})
    host = m["host"].string().strip()
    if len(host) > 255 or any(ch.isspace() or ch in "/@" for ch in host):
        raise m["host"].fail(f'"{host}" is not a host name or address')
    return SshEndpoint(
        host=host,
        port=m["port"].integer() if "port" in m else 22,
        account=validate_name(m["account"].string(), field=m["account"].path),
        fingerprint=validate_fingerprint(m["fingerprint"].string(), field=m["fingerprint"].path)
        if "fingerprint" in m
        else "",
    )
