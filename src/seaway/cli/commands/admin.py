"""`seaway admin …`: local administration that talks to the database directly."""

from __future__ import annotations

import asyncio
import sys

import typer

from seaway.cli.context import load_settings
from seaway.cli.output import ReportingGroup, out

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


async def _create_api_key(name: str, key_name: str) -> str:
    from seaway.bootstrap import build_services
    from seaway.engine.users import add_api_key
    from seaway.security.tokens import hash_token, new_api_key

    services = build_services(load_settings())
    try:
        await services.database.migrate()
        key = new_api_key()
        async with services.store.transaction() as uow:
            await add_api_key(uow, name, key_name, hash_token(key), now=services.clock.now())
        return key
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
    key_name: str = typer.Option("cli", "--name", help="A label for the key."),
) -> None:
    """Print a new API key for that user. It is shown once; only its hash is stored."""
    out.print(asyncio.run(_create_api_key(name, key_name)))
