"""The audit repository on both databases: events recorded, filtered and read back oldest first."""

from __future__ import annotations

from seaway.store.audit import AuditEvent


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
