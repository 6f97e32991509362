"""Applying a config-as-code document: match by name, create or update, never duplicate.

Secrets written by reference (`{stored: true}`, as `seaway export` writes them) are the ones already stored
for the same object (`config/secret_references.py`). The whole document is applied in the caller's
transaction, so an error anywhere changes nothing. Applying needs `config.apply`, and each object the
document creates or changes needs the permission that change needs (`config_changes`); an object already as
written needs nothing. Each change is audited with the fields it changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, ClassVar, Protocol, TypeVar

from seaway.config.documents import SpaceDocument
from seaway.config.secret_references import resolve_account, resolve_feed, resolve_variables
from seaway.domain.actors import Actor
from seaway.domain.diffs import field_changes
from seaway.domain.environments import Environment
from seaway.domain.freezes import Freeze
from seaway.domain.ids import format_id
from seaway.domain.permissions import Permission, authorize
from seaway.domain.policies import ApprovalPolicy
from seaway.domain.targets import DeploymentTarget, SshEndpoint
from seaway.domain.users import User
from seaway.engine import config_changes as kinds
from seaway.engine.change_requests import rebind_pending
from seaway.engine.freezes import FREEZE, check_freeze
from seaway.engine.lifecycles import check_lifecycle
from seaway.engine.policies import POLICY, check_policy
from seaway.engine.projects import check_project, check_variable_scopes
from seaway.engine.roles import check_role
from seaway.engine.targets import check_target, keep_state
from seaway.engine.teams import check_team
from seaway.engine.users import access_changed
from seaway.errors import PermissionDenied
from seaway.store.audit import AuditEvent, EventFacts
from seaway.store.unit_of_work import UnitOfWork


class _HasName(Protocol):
    """A config-document object (a dataclass) that is matched to a stored one by name."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def name(self) -> str: ...
    @property
    def id(self) -> int | None: ...


_Named = TypeVar("_Named", bound=_HasName)


class _NamedRepository(Protocol[_Named]):
    async def find_by_name(self, name: str, /) -> _Named | None: ...
    async def add(self, item: _Named, /) -> _Named: ...
    async def save(self, item: _Named, /) -> _Named: ...


@dataclass
class ApplyResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def record(self, kind: str, name: str, outcome: str) -> None:
        getattr(self, outcome).append(f"{kind} {name}")


async def apply_document(uow: UnitOfWork, doc: SpaceDocument, *, actor: Actor | None, now: datetime) -> ApplyResult:
    """Apply `doc` as `actor`; None is Seaway itself (the demo it applies at start), which needs no permission."""
    if actor is not None:
        authorize(actor.user, Permission.CONFIG_APPLY)
    applying = _Applying(uow, actor, now, ApplyResult(warnings=list(doc.warnings)))
    await applying.environments(doc.environments, dict(doc.environment_tags))
    environment_names = [e.name for e in await uow.environments.list()]
    for lifecycle, path in doc.lifecycles:
        await check_lifecycle(uow, lifecycle, path=path)
        await applying.upsert(uow.lifecycles, kinds.LIFECYCLE, lifecycle, path)
    for variable_set, path in doc.library_variable_sets:
        stored_set = await uow.library_variable_sets.find_by_name(variable_set.name)
        variable_set = replace(
            variable_set,
            variables=resolve_variables(
                variable_set.variables, stored_set.variables if stored_set else (), path=f"{path}.variables"
            ),
        )
        check_variable_scopes(variable_set.variables, environment_names, None, path=f"{path}.variables")
        await applying.upsert(uow.library_variable_sets, kinds.VARIABLE_SET, variable_set, path)
    for role, path in doc.roles:
        existing = await uow.roles.find_by_name(role.name)
        await check_role(uow, role, existing.id if existing else None, field=f"{path}.name")
        await applying.upsert(uow.roles, kinds.ROLE, role, path)
    for user, path in doc.users:
        await applying.user(user, path)
    for feed, path in doc.feeds:
        feed = resolve_feed(feed, await uow.feeds.find_by_name(feed.name), path=path)
        await applying.upsert(uow.feeds, kinds.FEED, feed, path)
    for account, path in doc.accounts:
        account = resolve_account(account, await uow.accounts.find_by_name(account.name), path=path)
        await applying.upsert(uow.accounts, kinds.ACCOUNT, account, path)
    for policy, path in doc.machine_policies:
        await applying.upsert(uow.machine_policies, kinds.MACHINE_POLICY, policy, path)
    for target, path in doc.targets:
        await applying.target(target, path)
    # Projects before teams: a team role may be scoped to a project the same document creates.
    for project, path in doc.projects:
        stored_project = await uow.projects.find_by_name(project.name)
        stored_variables = stored_project.variables if stored_project else ()
        project = replace(
            project, variables=resolve_variables(project.variables, stored_variables, path=f"{path}.variables")
        )
        await check_project(uow, project, path=path)
        await applying.upsert(uow.projects, kinds.PROJECT, project, path)
    for team, path in doc.teams:
        await check_team(uow, team, path=path)
        await applying.upsert(uow.teams, kinds.TEAM, team, path)
    await applying.policies(doc.policies)  # last: they name the teams, users, projects and environments above
    await applying.freezes(doc.freezes)
    return applying.result


@dataclass
class _Applying:
    uow: UnitOfWork
    actor: Actor | None
    now: datetime
    result: ApplyResult

    async def environments(self, names: tuple[str, ...], tags: dict[str, tuple[str, ...]]) -> None:
        for order, name in enumerate(names):
            existing = await self.uow.environments.find_by_name(name)
            path = f"environments[{order}]"
            if existing is None:
                wanted = Environment(name=name, sort_order=order, tags=tags.get(name, ()))
                self._authorize(kinds.ENVIRONMENT, None, wanted, name, path)
                saved = await self.uow.environments.add(wanted)
                await self._changed(kinds.ENVIRONMENT, None, saved, name)
            elif (order, name, tags.get(name, existing.tags)) != (existing.sort_order, existing.name, existing.tags):
                wanted = Environment(name, order, existing.description, existing.id, tags.get(name, existing.tags))
                self._authorize(kinds.ENVIRONMENT, existing, wanted, name, path)
                await self._changed(kinds.ENVIRONMENT, existing, await self.uow.environments.save(wanted), name)
            else:
                self.result.record(kinds.ENVIRONMENT.label, name, "unchanged")

    async def user(self, user: User, path: str) -> None:
        existing = await self.uow.users.find_by_username(user.username)
        if existing is None:
            self._authorize(kinds.USER, None, user, user.username, path)
            await self._changed(kinds.USER, None, await self.uow.users.add(user, self.now), user.username)
            return
        # An administrator stays one: a document that leaves out `admin` must not lock the space's admins out.
        wanted = replace(user, is_admin=user.is_admin or existing.is_admin, id=existing.id)
        if wanted == existing:
            self.result.record(kinds.USER.label, user.username, "unchanged")
            return
        self._authorize(kinds.USER, existing, wanted, user.username, path)
        saved = await self.uow.users.save(wanted)
        await access_changed(self.uow, existing, saved, actor=self.actor, now=self.now)  # disabled: sessions end
        await self._changed(kinds.USER, existing, saved, user.username)

    async def target(self, target: DeploymentTarget, path: str) -> None:
        """A target as written, keeping its health and (unless written or moved) its pinned host key."""
        wanted = keep_state(
            await self.uow.targets.find_by_name(target.name), await check_target(self.uow, target, path=path)
        )
        if isinstance(wanted.endpoint, SshEndpoint) and not wanted.endpoint.fingerprint:
            # Reaching the machine is not done inside the transaction that applies the document.
            self.result.warnings.append(
                f"{path}: no host key is pinned for {wanted.name}; run `seaway target check {wanted.name} --trust`"
            )
        await self.upsert(self.uow.targets, kinds.TARGET, wanted, path)

    async def policies(self, policies: tuple[tuple[ApprovalPolicy, str], ...]) -> None:
        for policy, path in policies:
            await self.upsert(self.uow.policies, POLICY, await check_policy(self.uow, policy, path=path), path)
        # Pending change requests see the policies, and the tags they match, as they now are.
        await rebind_pending(self.uow, self.now)

    async def freezes(self, freezes: tuple[tuple[Freeze, str], ...]) -> None:
        for freeze, path in freezes:
            await self.upsert(self.uow.freezes, FREEZE, await check_freeze(self.uow, freeze, path=path), path)

    async def upsert(self, repository: _NamedRepository[_Named], kind: kinds.Kind, item: _Named, path: str) -> None:
        """Add `item`, or save it over the stored one of the same name (keeping that one's id)."""
        existing = await repository.find_by_name(item.name)
        if existing is None:
            self._authorize(kind, None, item, item.name, path)
            await self._changed(kind, None, await repository.add(item), item.name)
            return
        wanted = replace(item, id=existing.id)
        if wanted == existing:
            self.result.record(kind.label, item.name, "unchanged")
            return
        self._authorize(kind, existing, wanted, item.name, path)
        await self._changed(kind, existing, await repository.save(wanted), item.name)

    def _authorize(self, kind: kinds.Kind, before: object, after: object, name: str, path: str) -> None:
        if self.actor is None:
            return
        for need in kind.needs(before, after):
            try:
                authorize(self.actor.user, need.permission, need.project, need.environment)
            except PermissionDenied as refused:
                raise PermissionDenied(
                    f'cannot apply {path} ({kind.label} "{name}"): {refused.message}',
                    field=path,
                    entity=kind.entity,
                    id=str(need.permission),
                ) from None

    async def _changed(self, kind: kinds.Kind, before: object, after: Any, name: str) -> None:
        outcome = "created" if before is None else "updated"
        self.result.record(kind.label, name, outcome)
        details = field_changes(
            kind.view(before) if before is not None else None,
            kind.view(after),
            sensitive={kinds.SENSITIVE_VALUES},
        )
        values: EventFacts = {
            "at": self.now,
            "action": f"{kind.entity}.{outcome}",
            "entity": kind.entity,
            "entity_id": format_id(kind.entity, after.id),
            "details": details,
            "project": name if kind.in_project else None,
            "environment": name if kind.in_environment else None,
        }
        await self.uow.audit.record(AuditEvent.by_whom(self.actor, **values))
