"""`seaway admin …`: local administration that talks to the database directly."""

from __future__ import annotations

import asyncio
import sys

import typer

from seaway.cli.context import load_settings
from seaway.cli.output import ReportingGroup, out
from seaway.domain.api_keys import ADMIN_COMMAND_PURPOSE
from seaway.errors import InvalidInput

app = typer.Typer(
    help="Local administration (talks to the database directly).", no_args_is_help=True, cls=ReportingGroup
)


async def _create_user(name: str, email: str | None, display_name: str, admin: bool, password: str | None) -> None:
    # Imported here: client commands should not pay for loading the server's parts.
    from seaway.bootstrap import build_services
    from seaway.domain.users import User, validate_email, validate_username
    from seaway.engine.users import create_user_or_set_password
    from seaway.security.passwords import hash_password

    validate_username(name, field="NAME")
    validate_email(email, field="--email")
    password_hash = hash_password(password) if password is not None else None
    services = build_services(load_settings())
    try:
        await services.database.migrate()
        user = User(name, display_name or name, email, is_admin=admin)
        async with services.store.transaction() as uow:
            created = await create_user_or_set_password(
                uow, user, password_hash, now=services.clock.now(), field="NAME"
            )
        out.print(f"Created user {name}" if created else f"Set the password of {name}")
    finally:
        await services.close()


async def _create_api_key(name: str, purpose: str) -> str:
    from seaway.bootstrap import build_services
    from seaway.engine.api_keys import issue_key

    services = build_services(load_settings())
    try:
        await services.database.migrate()
        async with services.store.transaction() as uow:
            user = await uow.users.get_by_username(name)
            issued = await issue_key(uow, user, purpose=purpose, expires_at=None, actor=None, now=services.clock.now())
        return issued.key
    finally:
        await services.close()


async def _create_service_account(name: str, display_name: str) -> None:
    from seaway.bootstrap import build_services
    from seaway.domain.ids import format_id
    from seaway.domain.users import validate_username
    from seaway.engine.users import create_service_account

    validate_username(name, field="NAME")
    services = build_services(load_settings())
    try:
        await services.database.migrate()
        async with services.store.transaction() as uow:
            account, issued = await create_service_account(
                uow, name, display_name or name, actor=None, now=services.clock.now()
            )
        out.print(f"Created service account {name} ({format_id('user', account.id)}); its API key:", markup=False)
        out.print(issued.key, markup=False)
    finally:
        await services.close()


async def _set_password(name: str, password: str) -> None:
    from seaway.bootstrap import build_services
    from seaway.engine.passwords import hash_new_password
    from seaway.engine.users import reset_password

    new_hash = await hash_new_password(password, field="--password-stdin")
    services = build_services(load_settings())
    try:
        await services.database.migrate()
        async with services.store.transaction() as uow:
            user = await uow.users.get_by_username(name)
            assert user.id is not None
            await reset_password(uow, user.id, new_hash, actor=None, now=services.clock.now())
        out.print(f"Set the password of {name}; their sessions have ended", markup=False)
    finally:
        await services.close()


@app.command("create-user")
def create_user(
    name: str = typer.Argument(..., help="User name."),
    email: str | None = typer.Option(None, "--email", help="Email address (approval emails go here)."),
    display_name: str = typer.Option("", "--display-name", help="Name shown to others."),
    admin: bool = typer.Option(False, "--admin", help="Make the user an administrator."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read a sign-in password from stdin."),
) -> None:
    """Create a user (or, with --password-stdin, set an existing user's password)."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    asyncio.run(_create_user(name, email, display_name, admin, password))


@app.command("create-api-key")
def create_api_key(
    name: str = typer.Argument(..., help="The user the key belongs to."),
    purpose: str = typer.Option(ADMIN_COMMAND_PURPOSE, "--purpose", "--name", help="What the key is for."),
) -> None:
    """Print a new API key for that user. It is shown once; only its hash is stored."""
    out.print(asyncio.run(_create_api_key(name, purpose)))


@app.command("create-service-account")
def create_service_account(
    name: str = typer.Argument(..., help="User name of the account (e.g. ci)."),
    display_name: str = typer.Option("", "--display-name", help="Name shown to others."),
) -> None:
    """Create a service account (API keys only, no interactive sign-in) and print its first API key once."""
    asyncio.run(_create_service_account(name, display_name))


@app.command("set-password")
def set_password(
    name: str = typer.Argument(..., help="User name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the new password from stdin."),
) -> None:
    """Set a user's password (read from stdin); their sessions end and any lockout is lifted."""
    if not password_stdin:
        raise InvalidInput("the new password is read from stdin: pass --password-stdin", field="--password-stdin")
    asyncio.run(_set_password(name, sys.stdin.readline().rstrip("\r\n")))
