"""The approvals' repositories on both databases: interruptions, approval links, emails and audit events."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import sqlalchemy as sa
from tests.fixtures.approvals import PEOPLE, user_named
from tests.fixtures.engine import apply_yaml, deploy, release_of

from seaway.domain.interruptions import ApprovalLink, Interruption, InterruptionKind, InterruptionState, Result
from seaway.store.audit import AuditEvent
from seaway.store.emails import EmailState
from seaway.store.tables import approval_links, emails

NOOP = PEOPLE + "projects:\n  - name: Quotes\n    process:\n      - {name: Gate, type: noop}\n"


async def _task(services) -> tuple[int, int]:
    """A deployment's task and its release, to hang interruptions on."""
    await apply_yaml(services, NOOP)
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Dev")
    assert deployment.task_id is not None and release.id is not None
    return deployment.task_id, release.id


def _interruption(services, task_id: int, release_id: int, **overrides) -> Interruption:
    values = {
        "kind": InterruptionKind.MANUAL_INTERVENTION,
        "task_id": task_id,
        "step_index": 0,
        "step_name": "Gate",
        "deployment_id": 1,
        "project_id": 1,
        "release_id": release_id,
        "environment": "Dev",
        "created_at": services.clock.now(),
        "content_hash": "c" * 64,
        "project_name": "Quotes",
        "release_version": "0.0.1",
        "deployment_url": "http://seaway.test/deployments/Deployments-1",
        "responsible_teams": ("Project Stakeholders",),
        "instructions": "Check it",
        **overrides,
    }
    return Interruption(**values)


async def _add(services, **overrides) -> Interruption:
    task_id, release_id = await _task(services)
    async with services.store.transaction() as uow:
        return await uow.interruptions.add(_interruption(services, task_id, release_id, **overrides))


async def test_adding_an_interruption_twice_for_one_step_returns_the_first(services):
    task_id, release_id = await _task(services)
    async with services.store.transaction() as uow:
        first = await uow.interruptions.add(_interruption(services, task_id, release_id))
        again = await uow.interruptions.add(_interruption(services, task_id, release_id, instructions="other"))
        other_step = await uow.interruptions.add(_interruption(services, task_id, release_id, step_index=1))

    assert first.id == again.id and again.instructions == "Check it"
    assert other_step.id != first.id
    assert first.responsible_teams == ("Project Stakeholders",) and first.state is InterruptionState.PENDING


async def test_a_decision_is_one_conditional_update_so_only_the_first_wins(services):
    interruption = await _add(services)
    alice, bob = await user_named(services, "alice"), await user_named(services, "bob")
    assert interruption.id is not None and alice.id is not None and bob.id is not None
    now = services.clock.now()

    async def decide(user_id: int, result: Result) -> Interruption | None:
        async with services.store.transaction() as uow:
            return await uow.interruptions.decide(
                interruption.id or 0, user_id=user_id, result=result, notes="n", channel="api", now=now
            )

    outcomes = await asyncio.gather(decide(alice.id, Result.PROCEED), decide(bob.id, Result.ABORT))

    winners = [o for o in outcomes if o is not None]
    assert len(winners) == 1
    async with services.store.transaction() as uow:
        stored = await uow.interruptions.get(interruption.id)
    assert stored.state is InterruptionState.RESOLVED
    assert (stored.decided_by, stored.result) == (winners[0].decided_by, winners[0].result)
    assert stored.taken_by == stored.decided_by and stored.decided_at == now


async def test_taking_and_canceling_touch_only_pending_interruptions(services):
    interruption = await _add(services)
    alice = await user_named(services, "alice")
    assert interruption.id is not None and alice.id is not None
    now = services.clock.now()
    async with services.store.transaction() as uow:
        taken = await uow.interruptions.take(interruption.id, alice.id, now)
        assert await uow.interruptions.pending_ids(interruption.task_id) == [interruption.id]
        [canceled] = await uow.interruptions.cancel_pending(interruption.task_id, now, "the deployment was canceled")
        assert await uow.interruptions.cancel_pending(interruption.task_id, now, "again") == []
        assert await uow.interruptions.take(interruption.id, alice.id, now) is None
        assert (
            await uow.interruptions.decide(
                interruption.id, user_id=alice.id, result=Result.PROCEED, notes="", channel="api", now=now
            )
            is None
        )
        listed = {state: await uow.interruptions.list(state=state) for state in ("pending", "completed", "all")}
    assert taken is not None and taken.taken_by == alice.id
    assert canceled.state is InterruptionState.CANCELED and canceled.notes == "the deployment was canceled"
    assert [len(listed[s]) for s in ("pending", "completed", "all")] == [0, 1, 1]


async def test_a_link_is_consumed_once_and_never_when_expired_or_revoked(services):
    interruption = await _add(services)
    alice = await user_named(services, "alice")
    assert interruption.id is not None and alice.id is not None
    now = services.clock.now()

    def link(token_hash: str, **overrides) -> ApprovalLink:
        values = {
            "interruption_id": interruption.id,
            "user_id": alice.id,
            "decision": Result.PROCEED,
            "token_hash": token_hash,
            "content_hash": "c" * 64,
            "created_at": now,
            "expires_at": now + timedelta(hours=72),
            **overrides,
        }
        return ApprovalLink(**values)

    async with services.store.transaction() as uow:
        await uow.approval_links.add_many([link("1" * 64), link("2" * 64), link("3" * 64, expires_at=now)])
        found = await uow.approval_links.find_by_hash("1" * 64)
        assert found is not None and found.id is not None
        await uow.approval_links.mark_opened(found.id, now)
        await uow.approval_links.mark_opened(found.id, now + timedelta(minutes=5))
        used = await uow.approval_links.consume("1" * 64, now)
        assert await uow.approval_links.consume("1" * 64, now) is None
        assert await uow.approval_links.consume("3" * 64, now) is None  # expired
        assert await uow.approval_links.consume("f" * 64, now) is None  # unknown
        assert await uow.approval_links.revoke_for_interruption(interruption.id, now) == 2
        assert await uow.approval_links.consume("2" * 64, now) is None  # revoked
        assert await uow.approval_links.find_by_hash("nope") is None
    assert used is not None and used.used_at == now and used.opened_at == now


async def test_emails_dedupe_by_key_list_newest_first_and_keep_bodies_encrypted(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        first = await uow.emails.add(key="a", to=["x@example.org"], subject="A", text="secret-a", html=None, now=now)
        again = await uow.emails.add(key="a", to=["y@example.org"], subject="A2", text="other", html=None, now=now)
        second = await uow.emails.add(
            key="b", to=["x@example.org"], subject="B", text="b", html="<p>secret-b</p>", now=now
        )
        assert first is not None and second is not None
        await uow.emails.record_attempt(first, "could not connect")
        await uow.emails.mark_sent(first, now)
        await uow.emails.mark_failed(second, "refused")
        listed = await uow.emails.list()
        raw = (await uow.conn.execute(sa.select(emails.c.text, emails.c.html))).all()
    assert again is None
    assert [(e.subject, e.state, e.attempts) for e in listed] == [
        ("B", EmailState.FAILED, 1),
        ("A", EmailState.SENT, 2),
    ]
    assert listed[1].text == "secret-a" and listed[0].html == "<p>secret-b</p>"
    assert listed[1].last_error == "could not connect" and listed[0].last_error == "refused"
    assert not any("secret" in (text + (html or "")) for text, html in raw)


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


async def test_the_release_content_hash_is_stable_and_differs_between_releases(services):
    _, release_id = await _task(services)
    other = await release_of(services, "Quotes")
    async with services.store.transaction() as uow:
        first = await uow.interruptions.release_content_hash(release_id)
        again = await uow.interruptions.release_content_hash(release_id)
        second = await uow.interruptions.release_content_hash(other.id or 0)
    assert first == again and first != second and len(first) == 64


async def test_links_are_removed_with_their_interruption(services):
    interruption = await _add(services)
    alice = await user_named(services, "alice")
    now = services.clock.now()
    async with services.store.transaction() as uow:
        await uow.approval_links.add_many(
            [ApprovalLink(interruption.id or 0, alice.id or 0, Result.ABORT, "9" * 64, "c" * 64, now, now)]
        )
        await uow.conn.execute(sa.text("DELETE FROM interruptions"))
        remaining = (await uow.conn.execute(sa.select(sa.func.count()).select_from(approval_links))).scalar_one()
    assert remaining == 0
