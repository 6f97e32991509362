"""`seaway server`, `seaway worker`, `seaway migrate`: processes that talk to the database directly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from seaway.cli.context import load_settings
from seaway.cli.logs import configure_logging, uvicorn_log_config
from seaway.cli.output import out
from seaway.errors import InvalidInput

if TYPE_CHECKING:
    from seaway.bootstrap import Services
    from seaway.security.signing import SigningKey

log = logging.getLogger("seaway.server")

DEMO_FILE = Path(__file__).resolve().parents[4] / "examples" / "random-quotes" / "seaway.yaml"


# The tutorial's deployers: the demo prints an API key for each the document defines, to try their rights.
DEMO_DEPLOYERS = ("internaldeployer", "productiondeployer")


@dataclass(frozen=True)
class DemoCredentials:
    admin_key: str
    admin_password: str
    deployer_keys: dict[str, str]  # username → API key


async def prepare_demo(services: Services, demo_file: Path) -> DemoCredentials:
    """Apply the demo document and give the admin a fresh API key and password, and each of the tutorial's
    deployers an API key (all stored hashed: shown once, so new ones are made at every start)."""
    import secrets

    from seaway.config.documents import load_text, parse_document
    from seaway.config.key_files import inline_key_files
    from seaway.domain.users import User
    from seaway.engine.api_keys import issue_key
    from seaway.engine.configuration import apply_document
    from seaway.engine.users import create_user_or_set_password
    from seaway.security.passwords import hash_password

    data, _ = inline_key_files(load_text(demo_file.read_text(encoding="utf-8")), demo_file.parent)
    document = parse_document(data)
    now = services.clock.now()
    password = secrets.token_urlsafe(12)
    admin = User("admin", "Administrator", "admin@example.org", is_admin=True)
    defined = {user.username.lower() for user, _ in document.users}
    holders = [name for name in ("admin", *DEMO_DEPLOYERS) if name == "admin" or name in defined]
    keys: dict[str, str] = {}
    async with services.store.transaction() as uow:
        await apply_document(uow, document, actor=None, now=now)
        await create_user_or_set_password(uow, admin, hash_password(password), now=now)
        for username in holders:
            owner = await uow.users.get_by_username(username)
            purpose = f"demo key {now:%Y-%m-%d %H:%M}"
            issued = await issue_key(uow, owner, purpose=purpose, expires_at=None, actor=None, now=now)
            keys[username] = issued.key
    await push_demo_package(services, demo_file.parent / "app")
    admin_key = keys.pop("admin")
    return DemoCredentials(admin_key, password, keys)


DEMO_PACKAGE, DEMO_PACKAGE_VERSION = "RandomQuotes", "1.0.0"


async def push_demo_package(services: Services, app_dir: Path) -> None:
    """Pack the demo's app as RandomQuotes 1.0.0 and push it, unless the feed already has a version of it."""
    import asyncio

    from seaway.domain.actors import Actor, AuthMethod
    from seaway.domain.interruptions import Channel
    from seaway.domain.packages import OverwriteMode, PackageFormat
    from seaway.engine.packages import push_package
    from seaway.packages.pack import pack_directory

    if not app_dir.is_dir():
        return
    async with services.store.reading() as uow:
        if await uow.packages.versions_of(DEMO_PACKAGE):
            return
        admin = await uow.users.get_by_username("admin")
    package = await asyncio.to_thread(
        pack_directory, app_dir, DEMO_PACKAGE, DEMO_PACKAGE_VERSION, PackageFormat.ZIP, services.package_files.incoming
    )
    staged, digest = await asyncio.to_thread(services.package_files.adopt, package)
    actor = Actor(admin, Channel.CLI, AuthMethod.LOCAL)
    await push_package(
        services.store,
        services.package_files,
        staged,
        digest,
        package.name,
        mode=OverwriteMode.IGNORE,
        actor=actor,
        now=services.clock.now(),
    )


class StopRequests:
    """SIGTERM or SIGINT: the first one drains (no more claims; running work may finish), a second one
    stops at once (what still runs is handed back and runs again elsewhere or after a restart)."""

    def __init__(self) -> None:
        self.drain = asyncio.Event()
        self.now = asyncio.Event()
        self.on_now: list[Callable[[], None]] = []

    def __call__(self) -> None:
        if not self.drain.is_set():
            self.drain.set()
            return
        self.now.set()
        for callback in self.on_now:
            callback()

    def install(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self)


def say(services: Services, message: str) -> None:
    """A line for whoever runs the process: printed as before for text logs, a log record for json ones."""
    if services.settings.log_format == "json":
        log.info(message)
    else:
        out.print(message, markup=False)


async def run_engine(services: Services, stop_requests: StopRequests) -> None:
    """Run the worker until a stop is requested, then drain it for up to SEAWAY_DRAIN_SECONDS and stop it."""
    from seaway.engine.drain import Drain

    worker = services.worker
    drain = Drain(worker, services.settings.drain_seconds)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run_forever(stop))
    try:
        if not await _first(stop_requests.drain, running):
            return  # the worker ended on its own (it failed): awaiting it below raises its error
        drain.begin()
        say(
            services,
            f"Draining: claiming no more work; waiting up to {drain.timeout:g} s for {worker.busy} running item(s)",
        )
        finished = asyncio.create_task(drain.wait())
        if await _first(stop_requests.now, finished) or not finished.result():
            say(services, f"Stopping now: handing back {worker.busy} running item(s) to run again")
        else:
            say(services, "Drained: no work is running")
        finished.cancel()
    finally:
        stop.set()
        await running


async def _first(event: asyncio.Event, task: asyncio.Task[Any]) -> bool:
    """Wait for whichever comes first; True when it was the event."""
    waiter = asyncio.create_task(event.wait())
    try:
        await asyncio.wait([waiter, task], return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    return event.is_set()


def fast_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop when it is installed (None: asyncio's own). The server runs uvicorn inside a loop
    of its own making, so uvicorn's `loop="auto"` never applies; its `http="auto"` takes httptools by itself."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


@contextlib.asynccontextmanager
async def background_duties(services: Services, key: SigningKey) -> AsyncIterator[None]:
    """While the server runs: sign a checkpoint of the audit chain whenever one is due (at least hourly),
    keep the built-in feed (retention, unheld bytes swept) once an hour, and schedule the targets' health
    checks by their machine policies."""
    from seaway.engine.audit_checkpoints import CheckpointSchedule
    from seaway.engine.packages import Housekeeping
    from seaway.engine.scheduled_checks import ScheduledChecks

    stop = asyncio.Event()
    housekeeping = Housekeeping(
        services.store, services.package_files, services.clock, services.settings.package_retention_days
    )
    running = [
        asyncio.create_task(CheckpointSchedule(services.store, services.clock, key).run(stop)),
        asyncio.create_task(housekeeping.run(stop)),
        asyncio.create_task(ScheduledChecks(services.store, services.target_probe, services.clock).run(stop)),
    ]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*running)


async def serve(host: str, port: int, demo: bool, demo_file: Path = DEMO_FILE) -> None:
    import uvicorn

    from seaway.bootstrap import build_services
    from seaway.cli.agent_listener import agent_listener
    from seaway.cli.demo_agent import demo_agent
    from seaway.security.signing import SigningKey
    from seaway.web.app import create_app

    class SeawaySignals(uvicorn.Server):
        """Uvicorn without its own signal handlers: a stop request drains the worker first, and the HTTP
        server (which answers /ready with 503 meanwhile) stops after it."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    services = build_services(load_settings())
    settings = services.settings
    configure_logging(settings.log_format)
    try:
        signing_key = SigningKey.load_or_create(Path(settings.data_dir).resolve(), settings.audit_signing_key)
        await services.database.migrate()
        if demo:
            demo_keys = await prepare_demo(services, demo_file)
            public = settings.public_url.rstrip("/")
            out.print(f"Demo applied from {demo_file}", markup=False)
            out.print(f"Admin API key: {demo_keys.admin_key}", markup=False)
            out.print(f"  export SEAWAY_API_KEY={demo_keys.admin_key}", markup=False)
            for username, key in demo_keys.deployer_keys.items():
                out.print(f"API key of {username}: {key}", markup=False)
            out.print(f"Sign in: {public}/signin  (user admin, password {demo_keys.admin_password})", markup=False)
            out.print(f"Outbox (emails kept while no SMTP server is set): {public}/outbox", markup=False)
        config = uvicorn.Config(
            create_app(services),
            host=host,
            port=port,
            log_level="info",
            log_config=uvicorn_log_config(settings.log_format),
            timeout_graceful_shutdown=max(int(settings.drain_seconds), 1),
        )
        server = SeawaySignals(config)

        def say_line(message: str) -> None:
            say(services, message)

        stop_requests = StopRequests()
        stop_requests.on_now.append(lambda: setattr(server, "force_exit", True))
        stop_requests.install()
        engine = asyncio.create_task(run_engine(services, stop_requests))
        # The worker is done (drained after a stop request, or failed): the HTTP server stops too.
        engine.add_done_callback(lambda _: setattr(server, "should_exit", True))
        try:
            async with (
                background_duties(services, signing_key),
                agent_listener(services, say_line),
                demo_agent(services, say_line) if demo else contextlib.nullcontext(),
            ):
                await server.serve()
        finally:
            stop_requests.drain.set()  # the HTTP server ended first (it could not start): stop the worker too
            await engine
    finally:
        await services.close()


async def work() -> None:
    from seaway.bootstrap import build_services

    services = build_services(load_settings())
    configure_logging(services.settings.log_format)
    stop_requests = StopRequests()
    stop_requests.install()
    try:
        await services.database.migrate()
        say(services, f"Worker {services.worker.node_id} running (capacity {services.worker.capacity})")
        await run_engine(services, stop_requests)
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
        with contextlib.suppress(KeyboardInterrupt), asyncio.Runner(loop_factory=fast_loop_factory()) as runner:
            runner.run(serve(host, port, demo, demo_file))

    @app.command("worker")
    def worker_command() -> None:
        """A worker only: runs deployments from the shared database (scale-out on PostgreSQL)."""
        asyncio.run(work())

    @app.command("migrate")
    def migrate_command() -> None:
        """Bring the database schema up to date."""
        asyncio.run(migrate())
        out.print("The database schema is up to date.")
