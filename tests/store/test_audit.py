"""The audit repository on both databases: events recorded, filtered and read back; the hash chain they form,
which concurrent writers never fork; and tampering with the rows in SQL, caught at the first bad event."""

from __future__ import annotations

import asyncio
import itertools
import secrets
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from seaway.domain.audit_chain import GENESIS_HASH, checkpoint_message, event_hash
from seaway.engine.audit_checkpoints import keys_by_id, sign_checkpoint, verify_log
from seaway.security.signing import SigningKey
from seaway.store.audit import AuditEvent
from seaway.store.database import alembic_config
from seaway.store.tables import UtcDateTime, audit_chain_head, audit_checkpoints, audit_events

KEY = SigningKey(bytes(range(32)))


def an_event(services, n: int = 0, **fields) -> AuditEvent:
    values = {"action": "task.canceled", "entity": "task", "entity_id": f"ServerTasks-{n}", **fields}
    return AuditEvent(at=services.clock.now(), **values)


async def record(services, count: int, **fields) -> None:
    async with services.store.transaction() as uow:
        for n in range(count):
            await uow.audit.record(an_event(services, n, **fields))


async def checkpoint(services) -> None:
    async with services.store.transaction() as uow:
        outcome = await sign_checkpoint(uow, KEY, services.clock.now())
    assert outcome.created, outcome.refused


async def verified(services, key: SigningKey = KEY):
    async with services.store.reading() as uow:
        return await verify_log(uow, keys_by_id(key.public_key))


async def sql(services, *statements: str | sa.Executable) -> None:
    async with services.database.connect() as conn:
        for statement in statements:
            await conn.execute(sa.text(statement) if isinstance(statement, str) else statement)


async def rows(services) -> list[dict]:
    async with services.store.reading() as uow:
        return [row async for row in uow.audit.chain()]


async def test_audit_events_are_recorded_and_read_back_in_order(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        await uow.audit.record(
            AuditEvent(
                at=now,
                action="interruption.taken",
                entity="interruption",
                entity_id="Interruptions-1",
                actor_user_id=3,
                actor="alice",
                channel="api",
                ip="192.0.2.1",
                user_agent="x" * 900,
            )
        )
        await uow.audit.record(
            AuditEvent(
                at=now,
                action="interruption.submitted",
                entity="interruption",
                entity_id="Interruptions-1",
                details={"result": "proceed", "link_token_fingerprint": "abcd1234"},
            )
        )
        events = await uow.audit.list(entity="interruption", entity_id="Interruptions-1")
        submitted = await uow.audit.list(action="interruption.submitted")
    assert [e.action for e in events] == ["interruption.taken", "interruption.submitted"]
    assert len(events[0].user_agent or "") == 500 and events[0].ip == "192.0.2.1"
    assert submitted[0].details == {"result": "proceed", "link_token_fingerprint": "abcd1234"}


async def test_filters_combine_and_the_limit_keeps_the_oldest(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        for n, action in enumerate(["a.one", "a.two", "a.one"]):
            await uow.audit.record(AuditEvent(at=now, action=action, entity="task", entity_id=f"ServerTasks-{n % 2}"))
        assert [e.entity_id for e in await uow.audit.list(action="a.one", entity_id="ServerTasks-0")] == [
            "ServerTasks-0",
            "ServerTasks-0",
        ]
        assert await uow.audit.list(entity="interruption") == []
        assert [e.action for e in await uow.audit.list(limit=2)] == ["a.one", "a.two"]


async def test_each_event_is_chained_to_the_one_before_and_the_head_follows(services):
    await record(services, 3, details={"before": {"name": "a"}, "after": {"name": "b"}}, project="Quotes")
    chained = await rows(services)
    assert [r["id"] for r in chained] == [1, 2, 3]
    assert chained[0]["prev_hash"] == GENESIS_HASH
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in itertools.pairwise(chained))
    assert all(r["hash"] == event_hash(r["prev_hash"], r) for r in chained)
    async with services.store.reading() as uow:
        assert await uow.audit.head() == (3, chained[2]["hash"])
    assert (await verified(services)).intact


async def test_a_rolled_back_event_leaves_no_gap_in_the_chain(services):
    await record(services, 1)
    with pytest.raises(RuntimeError):
        async with services.store.transaction() as uow:
            await uow.audit.record(an_event(services))
            raise RuntimeError("the writer's change failed")
    await record(services, 1)
    assert [r["id"] for r in await rows(services)] == [1, 2]
    assert (await verified(services)).intact


async def _twenty_writers(services) -> None:
    async def writer(n: int) -> None:
        async with services.store.transaction() as uow:
            await uow.audit.record(an_event(services, n, actor=f"writer-{n}"))
            await uow.audit.list(limit=1)  # something else in the same transaction, between the two events
            await uow.audit.record(an_event(services, n, actor=f"writer-{n}", action="task.retried"))

    await asyncio.gather(*(writer(n) for n in range(20)))


async def test_twenty_concurrent_writers_make_one_linear_chain(services):
    await _twenty_writers(services)
    chained = await rows(services)
    assert [r["id"] for r in chained] == list(range(1, 41))
    assert len({r["prev_hash"] for r in chained}) == 40  # no two events follow the same one: no fork
    # Each writer's two events are adjacent: the head stays taken until the writer commits.
    assert all(chained[i]["actor"] == chained[i + 1]["actor"] for i in range(0, 40, 2))
    result = await verified(services)
    assert result.intact and result.events == 40


async def test_writers_racing_to_create_a_missing_head_still_make_one_chain(services):
    await record(services, 2)
    await sql(services, sa.delete(audit_chain_head))
    await _twenty_writers(services)
    assert [r["id"] for r in await rows(services)] == list(range(1, 43))
    assert (await verified(services)).intact


# -- tampering, directly in SQL ------------------------------------------------------------------------


@pytest.fixture
async def signed_log(services):
    """Ten events with checkpoints at 5 and at 10, as the hourly anchoring would leave them."""
    await record(services, 5, actor="alice", project="Quotes")
    await checkpoint(services)
    await record(services, 5, actor="bob", environment="Prod")
    await checkpoint(services)
    assert (await verified(services)).summary() == (
        "intact: 10 event(s) (AuditEvents-1 … AuditEvents-10), 2 checkpoint(s), signed through AuditEvents-10"
    )
    return services


async def first_bad(services) -> tuple[int | None, str]:
    result = await verified(services)
    assert not result.intact
    return result.bad_event_id, result.summary()


async def test_an_edited_row_is_named(signed_log):
    await sql(signed_log, "UPDATE audit_events SET actor = 'mallory' WHERE id = 7")
    bad, line = await first_bad(signed_log)
    assert bad == 7 and line == "NOT intact: AuditEvents-7: its content does not match its hash: edited"


async def test_a_deleted_row_is_named(signed_log):
    await sql(signed_log, "DELETE FROM audit_events WHERE id = 4")
    bad, line = await first_bad(signed_log)
    assert bad == 4 and "missing between AuditEvents-3 and AuditEvents-5: deleted" in line


async def test_deleted_rows_at_the_end_are_named(signed_log):
    await sql(signed_log, "DELETE FROM audit_events WHERE id >= 9")
    bad, line = await first_bad(signed_log)
    assert bad == 9 and "checkpoint 2 (AuditEvents-10) signed an event that is not in the chain" in line
    await sql(signed_log, "DELETE FROM audit_checkpoints WHERE id = 2")
    bad, line = await first_bad(signed_log)
    assert bad == 9 and "the chain head is AuditEvents-10" in line


def _bare_row(chained: list[dict]) -> dict:
    """A row written by hand, with no hash at all."""
    return {"id": 6, "at": datetime(2026, 3, 2, tzinfo=UTC), "action": "x", "entity": "task", "entity_id": "t"}


def _well_made_row(chained: list[dict]) -> dict:
    """A row hashed and linked to the event before it, as the code would have."""
    forged = {**chained[5], "id": 6, "actor": "mallory"}
    return {**forged, "hash": event_hash(chained[4]["hash"], forged)}


@pytest.mark.parametrize(
    ("forge", "bad_id", "message"),
    [
        (_bare_row, 6, "an event was inserted, replaced or reordered"),
        # The forged row holds; the event it displaced no longer links to what comes before it.
        (_well_made_row, 7, "its prev_hash is not the hash of AuditEvents-6: an event was inserted"),
    ],
)
async def test_a_row_inserted_in_the_middle_is_named(signed_log, forge, bad_id, message):
    forged = forge(await rows(signed_log))
    await sql(
        signed_log,
        "UPDATE audit_events SET id = id + 1000 WHERE id >= 6",
        "UPDATE audit_events SET id = id - 999 WHERE id >= 1000",
        sa.insert(audit_events).values({"details": {}, **forged}),
    )
    bad, line = await first_bad(signed_log)
    assert bad == bad_id and message in line


async def test_a_row_appended_behind_the_writers_back_is_named(signed_log):
    last = (await rows(signed_log))[-1]
    forged = {**last, "id": 11, "prev_hash": last["hash"]}
    forged["hash"] = event_hash(last["hash"], forged)
    await sql(signed_log, sa.insert(audit_events).values(**forged))
    bad, line = await first_bad(signed_log)
    assert bad == 11 and "beyond the chain head (AuditEvents-10): inserted" in line


async def test_reordered_rows_are_named(signed_log):
    await sql(
        signed_log,
        "UPDATE audit_events SET id = 1000 WHERE id = 3",
        "UPDATE audit_events SET id = 3 WHERE id = 4",
        "UPDATE audit_events SET id = 4 WHERE id = 1000",
    )
    bad, line = await first_bad(signed_log)
    assert bad == 3 and "its prev_hash is not the hash of AuditEvents-2" in line


async def _recompute_from(services, event_id: int, **change) -> None:
    """What someone with write access but without the key can do: change an event and hash the rest again."""
    chained = await rows(services)
    prev = chained[event_id - 2]["hash"]
    statements: list[sa.Executable] = []
    for row in chained[event_id - 1 :]:
        row = {**row, **(change if row["id"] == event_id else {}), "prev_hash": prev}
        row["hash"] = prev = event_hash(prev, row)
        statements.append(sa.update(audit_events).where(audit_events.c.id == row["id"]).values(**row))
    statements.append(sa.update(audit_chain_head).values(last_hash=prev))
    await sql(services, *statements)


async def test_a_recomputed_chain_is_caught_by_the_checkpoint_and_the_first_bad_event_named(signed_log):
    await _recompute_from(signed_log, 6, actor="mallory")
    bad, line = await first_bad(signed_log)
    assert bad == 6 and "the chain from here to AuditEvents-10 is not the one checkpoint 2 (AuditEvents-10)" in line


async def test_re_signing_a_recomputed_chain_without_the_key_is_caught(signed_log):
    await _recompute_from(signed_log, 6, actor="mallory")
    head = (await rows(signed_log))[-1]["hash"]
    own_key = SigningKey(secrets.token_bytes(32))
    forged = {"head_hash": head, "key_id": KEY.key_id, "signature": own_key.sign(checkpoint_message(10, head))}
    await sql(signed_log, sa.update(audit_checkpoints).where(audit_checkpoints.c.id == 2).values(**forged))
    bad, line = await first_bad(signed_log)
    assert bad == 6 and "checkpoint 2 (AuditEvents-10) is not signed by the audit key" in line
    # Under the forger's own key id instead: still not a key the verifier trusts.
    await sql(signed_log, sa.update(audit_checkpoints).values(key_id=own_key.key_id).where(audit_checkpoints.c.id == 2))
    assert (await first_bad(signed_log))[0] == 6


async def test_the_signer_refuses_to_sign_over_a_changed_chain(signed_log):
    await record(signed_log, 2)
    await _recompute_from(signed_log, 8, actor="mallory")
    async with signed_log.store.transaction() as uow:
        outcome = await sign_checkpoint(uow, KEY, signed_log.clock.now())
    assert outcome.refused is not None and not outcome.created
    assert outcome.refused.bad_event_id == 6
    async with signed_log.store.reading() as uow:
        assert len(await uow.audit.checkpoints()) == 2


async def test_a_checkpoint_is_not_signed_twice_for_the_same_head(signed_log):
    async with signed_log.store.transaction() as uow:
        again = await sign_checkpoint(uow, KEY, signed_log.clock.now())
    assert not again.created and again.checkpoint is not None and again.checkpoint.last_event_id == 10


async def test_search_filters_newest_first_and_keeps_to_the_scopes(services):
    await record(services, 2, actor="Alice", project="Quotes", environment="Prod")
    await record(services, 1, actor="bob", project="Other", environment="Dev")
    await record(services, 1, actor="bob")
    async with services.store.reading() as uow:
        assert [e.id for e in await uow.audit.search()] == [4, 3, 2, 1]
        assert [e.id for e in await uow.audit.search(actor="alice", before_id=2)] == [1]
        assert [e.id for e in await uow.audit.search(project="quotes", environment="PROD")] == [2, 1]
        quotes = (frozenset({"quotes"}), frozenset[str]())
        dev = (frozenset[str](), frozenset({"dev"}))
        assert [e.id for e in await uow.audit.search(scopes=[quotes])] == [2, 1]
        assert [e.id for e in await uow.audit.search(scopes=[quotes, dev])] == [3, 2, 1]
        assert await uow.audit.search(scopes=[]) == []
        later = services.clock.now() + timedelta(seconds=1)
        assert await uow.audit.search(since=later) == []
        assert len(await uow.audit.search(until=later, limit=3)) == 3


async def test_the_migration_chains_the_events_recorded_before_the_chain(services):
    database = services.database
    await database.run_sync(lambda c: command.downgrade(alembic_config(c), "0005"))
    legacy = sa.table(
        "audit_events",
        sa.column("at", UtcDateTime()),
        sa.column("details", sa.JSON()),
        *(sa.column(n) for n in ("id", "actor_user_id", "actor", "action", "entity", "entity_id")),
    )
    async with database.connect() as conn:
        for n in (1, 2, 4):  # a gap, as a rolled-back insert could leave one
            await conn.execute(
                sa.insert(legacy).values(
                    id=n, at=services.clock.now(), actor_user_id=3 if n == 2 else None, actor="alice" if n == 2 else "",
                    action="interruption.taken", entity="interruption", entity_id="Interruptions-1", details={"n": n},
                )
            )  # fmt: skip
    await database.migrate()
    async with services.store.reading() as uow:
        result = await verify_log(uow, {})
        kinds = [e.actor_kind for e in await uow.audit.list()]
        head = await uow.audit.head()
    assert result.intact and result.events == 3 and head is not None and head[0] == 4
    assert kinds == ["system", "user", "system"]
    await record(services, 1)
    assert [r["id"] for r in await rows(services)] == [1, 2, 4, 5]
    assert (await verified(services)).intact
