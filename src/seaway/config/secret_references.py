"""Secrets in a document by reference: `{stored: true}` instead of a sensitive variable's value, an account's
private key or password, or a feed's password, as `seaway export` writes them (it never writes one in clear).

On apply the reference is the secret the server already holds for the same object: a project's or variable
set's sensitive variable of the same name and scope, the account or feed of the same name. Applied where no
such secret is held, the document is refused at the reference's path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from seaway.config.reader import Node
from seaway.domain.packages import Feed
from seaway.domain.targets import Account, AccountType
from seaway.domain.variables import Variable
from seaway.errors import InvalidInput

# What a reference reads as until apply resolves it: no YAML string a person writes carries a NUL.
STORED = "\x00stored"
REFERENCE: dict[str, Any] = {"stored": True}


def secret_text(node: Node, *, allow_empty: bool = False) -> str:
    """A secret as written, or `STORED` for `{stored: true}`."""
    if isinstance(node.value, dict):
        flag = node.mapping({"stored"}, {"stored"})["stored"]
        if flag.value is not True:
            raise flag.fail("a reference to a stored secret is written {stored: true}")
        return STORED
    return node.string(allow_empty=allow_empty)


def _unresolved(path: str, what: str) -> InvalidInput:
    return InvalidInput(f"{{stored: true}} names {what} this server does not hold; write the value instead", field=path)


def resolve_variables(variables: Sequence[Variable], stored: Sequence[Variable], *, path: str) -> tuple[Variable, ...]:
    """`variables` with each reference replaced by the stored sensitive value of the same name and scope."""
    resolved = []
    for index, variable in enumerate(variables):
        if variable.value == STORED:
            match = next(
                (
                    s
                    for s in stored
                    if s.sensitive and s.name.lower() == variable.name.lower() and s.scope == variable.scope
                ),
                None,
            )
            if match is None:
                raise _unresolved(f"{path}[{index}].value", f'a sensitive value of "{variable.name}"')
            variable = replace(variable, value=match.value)
        resolved.append(variable)
    return tuple(resolved)


def resolve_account(account: Account, stored: Account | None, *, path: str) -> Account:
    if account.secret != STORED:
        return account
    if stored is None or not stored.secret or stored.type != account.type:
        key = "private_key" if account.type is AccountType.SSH_KEY else "password"
        raise _unresolved(f"{path}.{key}", f'the secret of the account "{account.name}"')
    return replace(account, secret=stored.secret)


def resolve_feed(feed: Feed, stored: Feed | None, *, path: str) -> Feed:
    if feed.password != STORED:
        return feed
    if stored is None or stored.password is None:
        raise _unresolved(f"{path}.password", f'a password of the feed "{feed.name}"')
    return replace(feed, password=stored.password)
