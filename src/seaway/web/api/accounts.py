"""Accounts under /api/v1: the shared CRUD endpoints. A secret is write-only: sent on create (and on an
update that changes it), never returned, and recorded in the audit log only as changed."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from seaway.config.target_documents import parse_account
from seaway.domain.ids import format_id
from seaway.domain.targets import Account
from seaway.engine.targets import create_account, delete_account, find_account, update_account
from seaway.web.api import crud
from seaway.web.api.bodies import DocumentBody
from seaway.web.api.changes import Fields

WRITE_ONLY = "write-only: never returned; left out of an update, the stored one is kept"


class AccountBody(DocumentBody):
    name: str
    type: str = Field(description="ssh-key or username-password")
    username: str = Field(description="the user Seaway signs in to the target as")
    private_key: str | None = Field(None, description=f"ssh-key: the private key (OpenSSH or PEM text); {WRITE_ONLY}")
    password: str | None = Field(None, description=f"username-password: the password; {WRITE_ONLY}")


def account_json(account: Account) -> dict[str, Any]:
    return {
        "id": format_id("account", account.id),
        "name": account.name,
        "type": str(account.type),
        "username": account.username,
    }


async def _update(edit: crud.Edit, ref: str, body: AccountBody) -> Account:
    """An update that leaves the secret out keeps the stored one."""
    return await update_account(edit.uow, ref, parse_account(body.node(), secret_required=False))


def account_fields(account: Account) -> Fields:
    """Compared with its secret, which is recorded only as changed."""
    return Fields({**account_json(account), "secret": account.secret}, frozenset({"secret"}))


router = crud.router_of(
    crud.Resource(
        kind="account",
        body=AccountBody,
        represent=account_json,
        repository=lambda uow: uow.accounts,
        find=find_account,
        engine=crud.Engine(create_account, delete=delete_account, ref=crud.as_sent, reader=parse_account),
        update=_update,
        audited=account_fields,
    )
)
