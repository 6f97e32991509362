"""The audit log: one row per event that someone may have to account for later, each chained to the one
before it by its hash (`domain/audit_chain.py`), and the signed checkpoints of that chain.

Appending takes the chain head, one row, in the writer's own transaction: on PostgreSQL the `UPDATE … RETURNING`
that allocates the next id holds the row lock until the commit, so concurrent writers queue behind it and
never fork the chain; on SQLite the store's one writer (`BEGIN IMMEDIATE`) serialises them already. Then the
event is inserted and the head moved to its hash (one statement on PostgreSQL, two on SQLite). Ids are
allocated by the head, not by the sequence, so the chain has no gaps that a rolled-back insert left.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NotRequired, TypedDict, Unpack

import sqlalchemy as sa

from seaway.domain.actors import Actor
from seaway.domain.audit_chain import GENESIS_HASH, Checkpoint, event_hash
from seaway.store.base import Repository, row_as
from seaway.store.dialects import insert_ignoring_conflict, is_postgresql
from seaway.store.tables import audit_chain_head as head
from seaway.store.tables import audit_checkpoints as cp
from seaway.store.tables import audit_events as t


class EventFacts(TypedDict):
    """What an event is about, whoever caused it."""

    at: datetime
    action: str
    entity: str
    entity_id: str
    details: Mapping[str, object]
    project: NotRequired[str | None]
    environment: NotRequired[str | None]


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    action: str  # e.g. `interruption.submitted`
    entity: str  # e.g. `interruption`
    entity_id: str  # the public id, e.g. `Interruptions-3`
    actor_user_id: int | None = None
    actor: str = ""  # the username at the time: the record outlives the user
    channel: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)  # JSON
    id: int | None = None
    actor_kind: str = "system"  # user, service-account or system (the engine itself)
    auth: str | None = None  # how the actor was authenticated: an AuthMethod value
    project: str | None = None  # names at the time, for filtering and for readers of an export
    environment: str | None = None
    prev_hash: str = ""
    hash: str = ""

    @classmethod
    def by(cls, actor: Actor, /, **what: Unpack[EventFacts]) -> AuditEvent:
        """An event a person caused: who, through which channel, from where."""
        return cls(
            **what,
            actor_user_id=actor.user.id,
            actor=actor.user.username,
            channel=actor.channel.value,
            ip=actor.ip,
            user_agent=actor.user_agent,
            actor_kind="service-account" if actor.user.service_account else "user",
            auth=actor.auth.value,
        )

    @classmethod
    def by_seaway(cls, **what: Unpack[EventFacts]) -> AuditEvent:
        """An event Seaway itself caused (a gate it opened, a link it sent, a timer that fired): no person
        stands behind it, and its actor reads `seaway`."""
        return cls(**what, actor="seaway")

    @classmethod
    def by_whom(cls, actor: Actor | None, /, **what: Unpack[EventFacts]) -> AuditEvent:
        """By `actor`, or by Seaway itself where no person acted."""
        return cls.by(actor, **what) if actor is not None else cls.by_seaway(**what)


# Allocates the next id and returns it with the previous event's hash; the row stays locked until commit.
_TAKE_HEAD = (
    sa.update(head)
    .where(head.c.id == 1)
    .values(last_event_id=head.c.last_event_id + 1)
    .returning(head.c.last_event_id, head.c.last_hash)
)
_MOVE_HEAD = sa.update(head).where(head.c.id == 1).values(last_hash=sa.bindparam("e_hash"))
_INSERT = sa.insert(t)
# PostgreSQL: the insert and the head's move in one round trip (a data-modifying CTE always runs). SQLite
# has no such CTE, and needs none: its statements run in process, microseconds each.
_INSERT_AND_MOVE_HEAD = _MOVE_HEAD.add_cte(
    sa.insert(t).values({c.name: sa.bindparam(f"e_{c.name}", type_=c.type) for c in t.columns}).cte("appended")
)
_LAST_EVENT = sa.select(t.c.id, t.c.hash).order_by(t.c.id.desc()).limit(1)
_READ_HEAD = sa.select(head.c.last_event_id, head.c.last_hash).where(head.c.id == 1)
# A scope of audit visibility: (projects, environments), lower-cased; an empty set covers everything.
Scope = tuple[frozenset[str], frozenset[str]]


_CHAIN_COLUMNS = frozenset({"id", "prev_hash", "hash"})


def event_values(event: AuditEvent) -> dict[str, Any]:
    """The row of an event, without its place in the chain (id, prev_hash, hash)."""
    values = {c.name: getattr(event, c.name) for c in t.columns if c.name not in _CHAIN_COLUMNS}
    values["ip"] = event.ip[:64] if event.ip else None
    values["user_agent"] = event.user_agent[:500] if event.user_agent else None
    values["details"] = dict(event.details)
    return values


def _event(r: sa.Row[Any]) -> AuditEvent:
    return row_as(AuditEvent, r, details=dict(r.details))


def _checkpoint(r: sa.Row[Any]) -> Checkpoint:
    return Checkpoint(r.last_event_id, r.head_hash, r.key_id, r.signature, at=r.at, id=r.id)


def _in_scope(scope: Scope) -> sa.ColumnElement[bool]:
    projects, environments = scope
    clauses: list[sa.ColumnElement[bool]] = []
    if projects:
        clauses.append(sa.func.lower(t.c.project).in_(sorted(projects)))
    if environments:
        clauses.append(sa.func.lower(t.c.environment).in_(sorted(environments)))
    return sa.and_(sa.true(), *clauses)


class AuditRepository(Repository):
    async def record(self, event: AuditEvent) -> int:
        """Append the event to the chain in the caller's transaction; its id."""
        event_id, prev_hash = await self._take_head()
        values = {**event_values(event), "id": event_id, "prev_hash": prev_hash}
        values["hash"] = event_hash(prev_hash, values)
        if is_postgresql(self.conn):
            await self.conn.execute(_INSERT_AND_MOVE_HEAD, {f"e_{name}": value for name, value in values.items()})
        else:
            await self.conn.execute(_INSERT, values)
            await self.conn.execute(_MOVE_HEAD, {"e_hash": values["hash"]})
        return event_id

    async def _take_head(self) -> tuple[int, str]:
        row = (await self.conn.execute(_TAKE_HEAD)).first()
        if row is None:
            # No head yet (a store emptied by hand): start it at the last event. Two writers racing here insert
            # once; the second waits for the first's commit on PostgreSQL, then takes the row it made.
            last = (await self.conn.execute(_LAST_EVENT)).first()
            start = {"id": 1, "last_event_id": last.id if last else 0, "last_hash": last.hash if last else GENESIS_HASH}
            await self.conn.execute(insert_ignoring_conflict(self.conn, head, ["id"]).values(**start))
            row = (await self.conn.execute(_TAKE_HEAD)).one()
        return int(row.last_event_id), str(row.last_hash)

    async def head(self) -> tuple[int, str] | None:
        """The chain head: the last event's id and hash, as the writers left it."""
        row = (await self.conn.execute(_READ_HEAD)).first()
        return (int(row.last_event_id), str(row.last_hash)) if row else None

    async def list(
        self, *, entity: str | None = None, entity_id: str | None = None, action: str | None = None, limit: int = 500
    ) -> list[AuditEvent]:
        """Oldest first, as a log is read."""
        stmt = sa.select(t).order_by(t.c.id).limit(limit)
        if entity is not None:
            stmt = stmt.where(t.c.entity == entity)
        if entity_id is not None:
            stmt = stmt.where(t.c.entity_id == entity_id)
        if action is not None:
            stmt = stmt.where(t.c.action == action)
        return [_event(r) for r in await self.conn.execute(stmt)]

    async def search(
        self,
        *,
        actor: str | None = None,
        project: str | None = None,
        environment: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before_id: int | None = None,
        scopes: Sequence[Scope] | None = None,
        limit: int = 100,
    ) -> builtins.list[AuditEvent]:
        """Newest first, for people looking through the log. `scopes` (None: every event) keeps the events of
        the projects and environments one of them covers; names match case-insensitively."""
        stmt = sa.select(t).order_by(t.c.id.desc()).limit(limit)
        for column, wanted in ((t.c.actor, actor), (t.c.project, project), (t.c.environment, environment)):
            if wanted is not None:
                stmt = stmt.where(sa.func.lower(column) == wanted.lower())
        if action is not None:
            stmt = stmt.where(t.c.action == action)
        if since is not None:
            stmt = stmt.where(t.c.at >= since)
        if until is not None:
            stmt = stmt.where(t.c.at < until)
        if before_id is not None:
            stmt = stmt.where(t.c.id < before_id)
        if scopes is not None:
            stmt = stmt.where(sa.or_(sa.false(), *(_in_scope(scope) for scope in scopes)))
        return [_event(r) for r in await self.conn.execute(stmt)]

    async def chain(
        self, *, after_id: int = 0, through_id: int | None = None, batch: int = 2000
    ) -> AsyncIterator[dict[str, Any]]:
        """The rows of the chain in id order, each with its hash, read in batches (the log can be long)."""
        while True:
            stmt = sa.select(t).where(t.c.id > after_id).order_by(t.c.id).limit(batch)
            if through_id is not None:
                stmt = stmt.where(t.c.id <= through_id)
            rows = (await self.conn.execute(stmt)).mappings().all()
            for row in rows:
                yield dict(row)
            if len(rows) < batch:
                return
            after_id = int(rows[-1]["id"])

    async def id_range(self, since: datetime | None, until: datetime | None) -> tuple[int, int] | None:
        """The first event at or after `since` and the last before `until`; None when none falls between.
        Every event between the two belongs to the range, whatever its time, so a range is a piece of chain."""
        first = sa.select(sa.func.min(t.c.id))
        last = sa.select(sa.func.max(t.c.id))
        if since is not None:
            first = first.where(t.c.at >= since)
        if until is not None:
            last = last.where(t.c.at < until)
        low = (await self.conn.execute(first)).scalar()
        high = (await self.conn.execute(last)).scalar()
        if low is None or high is None or low > high:
            return None
        return int(low), int(high)

    # -- checkpoints ---------------------------------------------------------------------------------

    async def add_checkpoint(self, checkpoint: Checkpoint) -> Checkpoint:
        assert checkpoint.at is not None
        number = await self._insert(
            cp,
            {
                "at": checkpoint.at,
                "last_event_id": checkpoint.last_event_id,
                "head_hash": checkpoint.head_hash,
                "key_id": checkpoint.key_id,
                "signature": checkpoint.signature,
            },
        )
        return Checkpoint(
            checkpoint.last_event_id,
            checkpoint.head_hash,
            checkpoint.key_id,
            checkpoint.signature,
            checkpoint.at,
            number,
        )

    async def checkpoints(self, *, from_event: int = 0, through_event: int | None = None) -> builtins.list[Checkpoint]:
        """The checkpoints that fall on events in that range, in chain order."""
        stmt = sa.select(cp).where(cp.c.last_event_id >= from_event).order_by(cp.c.last_event_id, cp.c.id)
        if through_event is not None:
            stmt = stmt.where(cp.c.last_event_id <= through_event)
        return [_checkpoint(r) for r in await self.conn.execute(stmt)]

    async def checkpoints_newest_first(self, *, key_id: str, limit: int = 50) -> builtins.list[Checkpoint]:
        """The last checkpoints made with one key, the newest first."""
        stmt = sa.select(cp).where(cp.c.key_id == key_id).order_by(cp.c.last_event_id.desc(), cp.c.id.desc())
        return [_checkpoint(r) for r in await self.conn.execute(stmt.limit(limit))]

    async def of_entities(
        self, entity: str, entity_ids: Sequence[str], actions: Sequence[str]
    ) -> builtins.list[AuditEvent]:
        """The events with `actions` on any of `entity_ids` (public ids of one `entity`), oldest first."""
        found: builtins.list[AuditEvent] = []
        listed = sorted(set(entity_ids))
        for start in range(0, len(listed), 500):
            stmt = (
                sa.select(t)
                .where(t.c.entity == entity, t.c.entity_id.in_(listed[start : start + 500]), t.c.action.in_(actions))
                .order_by(t.c.id)
            )
            found.extend(_event(r) for r in await self.conn.execute(stmt))
        return sorted(found, key=lambda event: event.id or 0)
