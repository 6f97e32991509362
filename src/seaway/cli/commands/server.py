"""`seaway server`, `seaway worker`, `seaway migrate`: processes that talk to the database directly."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from seaway.cli.context import load_settings
from seaway.cli.output import out
from seaway.errors import InvalidInput

if TYPE_CHECKING:
    from seaway.bootstrap import Services

DEMO_FILE = Path(__file__).resolve().parents[4] / "examples" / "random-quotes" / "seaway.yaml"


async def prepare_demo(services: Services, demo_file: Path) -> tuple[str, str]:
    """Apply the demo document and give the admin a fresh API key and password (both stored hashed: shown
    once, so a new pair is made at every start)."""
    import secrets

    from seaway.config.documents import load_text, parse_document
    from seaway.domain.users import User
    from seaway.engine.configuration import apply_document
    from seaway.security.passwords import hash_password
    from seaway.security.tokens import hash_token, new_api_key

    document = parse_document(load_text(demo_file.read_text(encoding="utf-8")))
    now = services.clock.now()
    key = new_api_key()
    async with services.store.transaction() as uow:
        await apply_document(uow, document, now=now)
        admin = await uow.users.find_by_username("admin")
        if admin is None:
            admin = await uow.users.add(User("admin", "Administrator", "admin@example.org", is_admin=True), now)
        assert admin.id is not None
        await uow.users.add_api_key(admin.id, f"demo key {now:%Y-%m-%d %H:%M}", hash_token(key), now)
        password = secrets.token_urlsafe(12)
        await uow.users.set_password_hash(admin.id, hash_password(password))
    return key, password


async def serve(host: str, port: int, demo: bool, demo_file: Path = DEMO_FILE) -> None:
    import uvicorn

    from seaway.bootstrap import build_services
    from seaway.web.app import create_app

    services = build_services(load_settings())
    try:
        await services.database.migrate()
        if demo:
            key, password = await prepare_demo(services, demo_file)
            public = services.settings.public_url.rstrip("/")
            out.print(f"Demo applied from {demo_file}", markup=False)
            out.print(f"Admin API key: {key}", markup=False)
            out.print(f"  export SEAWAY_API_KEY={key}", markup=False)
            out.print(f"Sign in: {public}/signin  (user admin, password {password})", markup=False)
            out.print(f"Outbox (emails kept while no SMTP server is set): {public}/api/v1/outbox", markup=False)
        server = uvicorn.Server(uvicorn.Config(create_app(services), host=host, port=port, log_level="info"))
        stop = asyncio.Event()
        worker = asyncio.create_task(services.worker.run_forever(stop))
        try:
            await server.serve()
        finally:
            stop.set()
            await worker
    finally:
        await services.close()


async def work() -> None:
    from seaway.bootstrap import build_services

    services = build_services(load_settings())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await services.database.migrate()
        out.print(f"Worker {services.worker.node_id} running (capacity {services.worker.capacity})")
        await services.worker.run_forever(stop)
    finally:
        await services.close()


async def migrate() -> None:
    from seaway.bootstrap import build_services

    services = build_services(load_settings())
    try:
        await services.database.migrate()
    finally:
        await services.close()


def register(app: typer.Typer) -> None:
    @app.command("server")
    def server_command(
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(8080, help="Port to listen on."),
        demo: bool = typer.Option(False, "--demo", help="Apply the Random Quotes demo and print an admin API key."),
        demo_file: Path = typer.Option(DEMO_FILE, "--demo-file", help="The document --demo applies."),
    ) -> None:
        """API + worker in one process (SQLite in ./.seaway unless SEAWAY_DATABASE_URL is set)."""
        if demo and not demo_file.is_file():
            raise InvalidInput(f"{demo_file} does not exist", field="--demo-file")
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(host, port, demo, demo_file))

    @app.command("worker")
    def worker_command() -> None:
        """A worker only: runs deployments from the shared database (scale-out on PostgreSQL)."""
        asyncio.run(work())

    @app.command("migrate")
    def migrate_command() -> None:
        """Bring the database schema up to date."""
        asyncio.run(migrate())
        out.print("The database schema is up to date.")
