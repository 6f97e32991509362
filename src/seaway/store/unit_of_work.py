"""A unit of work: one transaction, with every repository on its connection.

    async with store.transaction() as uow:
        env = await uow.environments.get_by_name("Prod")
        await uow.queue.enqueue(...)

Commits when the block ends, rolls back on any error; callbacks registered with `after_commit` run only
once the commit succeeded (in-process wake-ups). Library integrity errors become `Conflict` here.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from functools import cached_property

import sqlalchemy as sa

from seaway.errors import Conflict
from seaway.store.access import refresh_grants
from seaway.store.accounts import AccountRepository
from seaway.store.agent_work import AgentWorkRepository
from seaway.store.agents import AgentRepository
from seaway.store.api_keys import ApiKeyRepository
from seaway.store.approval_links import ApprovalLinkRepository
from seaway.store.audit import AuditRepository
from seaway.store.change_request_links import ChangeRequestLinkRepository
from seaway.store.change_requests import ChangeRequestRepository
from seaway.store.codecs import Cipher
from seaway.store.database import Database, StoreConnection
from seaway.store.deployments import DeploymentRepository
from seaway.store.emails import EmailRepository
from seaway.store.environments import EnvironmentRepository
from seaway.store.feeds import FeedRepository
from seaway.store.freezes import FreezeRepository
from seaway.store.interruptions import InterruptionRepository
from seaway.store.lifecycles import LifecycleRepository
from seaway.store.machine_policies import MachinePolicyRepository
from seaway.store.packages import PackageRepository
from seaway.store.policies import PolicyRepository
from seaway.store.projects import LibraryVariableSetRepository, ProjectRepository
from seaway.store.queue import WorkQueue
from seaway.store.releases import ReleaseRepository
from seaway.store.roles import RoleRepository
from seaway.store.sessions import SessionRepository
from seaway.store.target_locks import TargetLockRepository
from seaway.store.targets import TargetRepository
from seaway.store.tasks import TaskRepository
from seaway.store.teams import TeamRepository
from seaway.store.users import UserRepository


class UnitOfWork:
    def __init__(self, conn: StoreConnection, cipher: Cipher, wakers: list[Callable[[], None]] | None = None) -> None:
        self.conn = conn
        self.cipher = cipher
        self._after_commit: list[Callable[[], None]] = []
        self._wakers = wakers or []
        self._woken = False
        self.access_changed = False  # a team, role or user was written: grants are recomputed before commit

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    @cached_property
    def environments(self) -> EnvironmentRepository:
        return EnvironmentRepository(self.conn, self.cipher)

    @cached_property
    def lifecycles(self) -> LifecycleRepository:
        return LifecycleRepository(self.conn, self.cipher)

    @cached_property
    def packages(self) -> PackageRepository:
        return PackageRepository(self.conn, self.cipher)

    @cached_property
    def feeds(self) -> FeedRepository:
        return FeedRepository(self.conn, self.cipher)

    @cached_property
    def accounts(self) -> AccountRepository:
        return AccountRepository(self.conn, self.cipher)

    @cached_property
    def targets(self) -> TargetRepository:
        return TargetRepository(self.conn, self.cipher)

    @cached_property
    def agents(self) -> AgentRepository:
        return AgentRepository(self.conn, self.cipher)

    @cached_property
    def agent_work(self) -> AgentWorkRepository:
        return AgentWorkRepository(self.conn, self.cipher)

    @cached_property
    def policies(self) -> PolicyRepository:
        return PolicyRepository(self.conn, self.cipher)

    @cached_property
    def change_requests(self) -> ChangeRequestRepository:
        return ChangeRequestRepository(self.conn, self.cipher)

    @cached_property
    def change_request_links(self) -> ChangeRequestLinkRepository:
        return ChangeRequestLinkRepository(self.conn, self.cipher)

    @cached_property
    def freezes(self) -> FreezeRepository:
        return FreezeRepository(self.conn, self.cipher)

    @cached_property
    def machine_policies(self) -> MachinePolicyRepository:
        return MachinePolicyRepository(self.conn, self.cipher)

    @cached_property
    def target_locks(self) -> TargetLockRepository:
        return TargetLockRepository(self.conn, self.cipher)

    @cached_property
    def users(self) -> UserRepository:
        return UserRepository(self.conn, self.cipher, self._access_change)

    @cached_property
    def api_keys(self) -> ApiKeyRepository:
        return ApiKeyRepository(self.conn, self.cipher)

    @cached_property
    def teams(self) -> TeamRepository:
        return TeamRepository(self.conn, self.cipher, self._access_change)

    @cached_property
    def roles(self) -> RoleRepository:
        return RoleRepository(self.conn, self.cipher, self._access_change)

    def _access_change(self) -> None:
        self.access_changed = True

    @cached_property
    def projects(self) -> ProjectRepository:
        return ProjectRepository(self.conn, self.cipher)

    @cached_property
    def library_variable_sets(self) -> LibraryVariableSetRepository:
        return LibraryVariableSetRepository(self.conn, self.cipher)

    @cached_property
    def releases(self) -> ReleaseRepository:
        return ReleaseRepository(self.conn, self.cipher)

    @cached_property
    def deployments(self) -> DeploymentRepository:
        return DeploymentRepository(self.conn, self.cipher)

    @cached_property
    def tasks(self) -> TaskRepository:
        return TaskRepository(self.conn, self.cipher)

    @cached_property
    def queue(self) -> WorkQueue:
        return WorkQueue(self.conn, self.cipher, on_enqueue=self._work_enqueued)

    @cached_property
    def sessions(self) -> SessionRepository:
        return SessionRepository(self.conn, self.cipher)

    def _work_enqueued(self) -> None:
        if not self._woken:
            self._woken = True
            self._after_commit.extend(self._wakers)

    @cached_property
    def interruptions(self) -> InterruptionRepository:
        return InterruptionRepository(self.conn, self.cipher)

    @cached_property
    def approval_links(self) -> ApprovalLinkRepository:
        return ApprovalLinkRepository(self.conn, self.cipher)

    @cached_property
    def emails(self) -> EmailRepository:
        return EmailRepository(self.conn, self.cipher)

    @cached_property
    def audit(self) -> AuditRepository:
        return AuditRepository(self.conn, self.cipher)


class Store:
    def __init__(self, database: Database, cipher: Cipher) -> None:
        self.database = database
        self.cipher = cipher
        # Called after a commit that enqueued work: wakes this process's idle workers at once.
        self.wakers: list[Callable[[], None]] = []

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        try:
            async with self.database.connect() as conn:
                uow = UnitOfWork(conn, self.cipher, self.wakers)
                yield uow
                if uow.access_changed:
                    await refresh_grants(conn)
        except sa.exc.IntegrityError as exc:
            raise Conflict(f"the change conflicts with existing data ({exc.orig})") from exc
        for callback in uow._after_commit:
            callback()

    @contextlib.asynccontextmanager
    async def reading(self) -> AsyncIterator[UnitOfWork]:
        """A read-only unit of work for pages, lists and polls: a snapshot that never waits for a writer
        nor holds one up (on SQLite, `transaction()` takes the one write lock even to read)."""
        async with self.database.read() as conn:
            yield UnitOfWork(conn, self.cipher, self.wakers)
