"""Mail transport: queued in the caller's transaction, retried while SMTP is down, kept when none is set."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.fixtures.approvals import run_all, services_with, space
from tests.fixtures.clock import FakeClock
from tests.fixtures.engine import apply_yaml, deploy, release_of, task_of
from tests.fixtures.smtp_server import SmtpCapture

from seaway.domain.states import TaskState
from seaway.engine.mail import SEND_EMAIL, queue_email
from seaway.notify.base import Email
from seaway.store.emails import EmailState
from seaway.store.tables import emails as emails_table

HELLO = Email(to=("ops@example.org",), subject="Hello", text="Hello from Seaway", html="<p>Hello from Seaway</p>")


def capture_on(port: int) -> SmtpCapture:
    """A new SMTP server on a port picked earlier: the one the notifier points at (aiosmtpd cannot restart)."""
    capture = SmtpCapture()
    capture._controller.port = port  # bind this port instead of asking the kernel for a free one
    return capture.start()


def unused_port() -> int:
    """A port where no SMTP server listens (yet)."""
    capture = SmtpCapture().start()
    capture.stop()
    return capture._controller.port


async def _queue(services, email: Email = HELLO, key: str = "test:1") -> int | None:
    async with services.store.transaction() as uow:
        return await queue_email(uow, email, key, now=services.clock.now())


async def _stored(services, email_id: int):
    async with services.store.transaction() as uow:
        return await uow.emails.get(email_id), await uow.queue.pending(SEND_EMAIL)


async def test_without_smtp_an_email_is_kept_in_the_outbox(services):
    email_id = await _queue(services)
    assert email_id is not None

    await run_all(services)

    stored, items = await _stored(services, email_id)
    assert stored.state is EmailState.KEPT
    assert (stored.text, stored.html, stored.to) == (HELLO.text, HELLO.html, HELLO.to)
    assert items == []


async def test_queuing_is_part_of_the_callers_transaction_and_happens_once_per_key(services):
    with pytest.raises(RuntimeError):
        async with services.store.transaction() as uow:
            await queue_email(uow, HELLO, "rolled-back", now=services.clock.now())
            raise RuntimeError("the change that caused the email failed")

    first = await _queue(services, key="once")
    again = await _queue(services, key="once")

    async with services.store.transaction() as uow:
        assert [e.dedupe_key for e in await uow.emails.list()] == ["once"]
        assert len(await uow.queue.pending(SEND_EMAIL)) == 1
    assert first is not None and again is None


async def test_email_bodies_are_encrypted_at_rest(services):
    email_id = await _queue(services)
    async with services.store.transaction() as uow:
        row = (await uow.conn.execute(sa.select(emails_table).where(emails_table.c.id == email_id))).one()
    assert "Hello from Seaway" not in row.text and "Hello from Seaway" not in (row.html or "")


async def test_smtp_down_then_back_retries_with_backoff_and_loses_nothing(db_url, tmp_path):
    port = unused_port()
    clock = FakeClock()
    capture: SmtpCapture | None = None
    try:
        async with services_with(
            db_url, tmp_path / "data", clock=clock, smtp_host="127.0.0.1", smtp_port=port
        ) as services:
            email_id = await _queue(services)
            assert email_id is not None

            await run_all(services)

            stored, items = await _stored(services, email_id)
            assert stored.state is EmailState.QUEUED
            assert stored.attempts == 1 and "could not connect" in (stored.last_error or "")
            assert len(items) == 1
            async with services.store.transaction() as uow:
                retry_at = await uow.queue.next_run_after()
            assert retry_at is not None and 0 < (retry_at - clock.now()).total_seconds() <= 2

            capture = capture_on(port)
            clock.advance(seconds=2)
            await run_all(services)

            [message] = await capture.wait_for(1)
            assert message["Subject"] == "Hello"
            stored, items = await _stored(services, email_id)
            assert stored.state is EmailState.SENT and stored.sent_at == clock.now()
            assert stored.attempts == 2
            assert items == []
    finally:
        if capture is not None:
            capture.stop()


async def test_a_deployment_succeeds_while_smtp_is_down(db_url, tmp_path):
    port = unused_port()
    steps = "      - {name: Tell, type: send-email, to: [ops@example.org], subject: Deployed}\n"
    async with services_with(db_url, tmp_path / "data", smtp_host="127.0.0.1", smtp_port=port) as services:
        await apply_yaml(services, space(steps))
        deployment = await deploy(services, await release_of(services, "Quotes"), "Test")

        await run_all(services)

        assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
        async with services.store.transaction() as uow:
            [email] = await uow.emails.list()
        assert email.state is EmailState.QUEUED and email.attempts >= 1


async def test_a_permanent_refusal_marks_the_email_failed_without_retrying(db_url, tmp_path):
    capture = SmtpCapture(refuse={"ops@example.org": "550 5.1.1 No such user"}).start()
    try:
        async with services_with(db_url, tmp_path / "data", smtp_host=capture.host, smtp_port=capture.port) as services:
            email_id = await _queue(services)
            assert email_id is not None

            await run_all(services)

            stored, items = await _stored(services, email_id)
            assert stored.state is EmailState.FAILED
            assert "550" in (stored.last_error or "")
            assert items == []
    finally:
        capture.stop()


async def test_an_email_is_given_up_after_a_day_of_failed_attempts(db_url, tmp_path):
    port = unused_port()
    clock = FakeClock()
    async with services_with(db_url, tmp_path / "data", clock=clock, smtp_host="127.0.0.1", smtp_port=port) as services:
        email_id = await _queue(services)
        assert email_id is not None
        await run_all(services)

        clock.advance(hours=24)
        await run_all(services)

        stored, items = await _stored(services, email_id)
        assert stored.state is EmailState.FAILED
        assert "could not connect" in (stored.last_error or "")
        assert items == []
