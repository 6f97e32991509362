"""Sending email as durable work: `queue_email` in the caller's transaction, `MailDelivery` in the worker.

Queuing writes the email row and its `send-email` work item in the same transaction as the change that
caused it, so a rollback sends nothing and a commit loses nothing. Delivery is at least once: a node that
dies after the SMTP server accepted a message but before recording it sends that message again.

When SMTP is down, the handler raises and the worker retries with its backoff (2 s, 4 s, 8 s, … capped
at 5 minutes) until the email is `GIVE_UP_AFTER` old. No failure here ever fails a deployment.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from seaway.domain.ids import format_id
from seaway.engine.clock import Clock
from seaway.engine.orchestrator import FinishItem
from seaway.engine.worker import ItemLease
from seaway.errors import DeliveryFailed, InvalidInput
from seaway.notify.base import Email, Notifier
from seaway.store.emails import EmailState, StoredEmail
from seaway.store.queue import WorkItem
from seaway.store.unit_of_work import Store, UnitOfWork

log = logging.getLogger("seaway.mail")

SEND_EMAIL = "send-email"
GIVE_UP_AFTER = timedelta(hours=24)


def send_email_key(email_id: int) -> str:
    return f"{SEND_EMAIL}:{email_id}"


async def queue_email(uow: UnitOfWork, email: Email, key: str, *, now: datetime) -> int | None:
    """Store the email and enqueue its delivery, in `uow`'s transaction.

    `key` makes it exactly-once: queuing the same key again (a step re-run after a crash) does nothing
    and returns None; otherwise returns the new email's id.
    """
    email_id = await uow.emails.add(
        key=key, to=email.to, subject=email.subject, text=email.text, html=email.html, now=now
    )
    if email_id is not None:
        await uow.queue.enqueue(SEND_EMAIL, send_email_key(email_id), {"email_id": email_id}, now)
    return email_id


class MailDelivery:
    """The `send-email` work item handler. Without a notifier (no SMTP configured) emails are kept in
    the outbox instead of sent."""

    def __init__(self, store: Store, clock: Clock, notifier: Notifier | None) -> None:
        self.store = store
        self.clock = clock
        self.notifier = notifier

    async def __call__(self, item: WorkItem, lease: ItemLease, finish: FinishItem) -> bool:
        email_id = int(item.payload["email_id"])
        async with self.store.transaction() as uow:
            stored = await uow.emails.find(email_id)
            if stored is None or stored.state is not EmailState.QUEUED:
                await finish(uow)
                return True
            if self.notifier is None:
                await uow.emails.mark_kept(email_id)
                await finish(uow)
                return True
        try:
            message = _as_email(stored)
        except InvalidInput as exc:  # cannot happen for rows written by queue_email; never retry it
            return await self._give_up(stored, f"not a valid email: {exc}", finish)
        try:
            await self.notifier.send(message)
        except DeliveryFailed as exc:
            if not exc.retryable or self.clock.now() - stored.created_at >= GIVE_UP_AFTER:
                return await self._give_up(stored, exc.message, finish)
            async with self.store.transaction() as uow:
                await uow.emails.record_attempt(email_id, exc.message)
            raise  # the worker retries the item later, with backoff
        async with self.store.transaction() as uow:
            await uow.emails.mark_sent(email_id, self.clock.now())
            await finish(uow)
        return True

    async def _give_up(self, stored: StoredEmail, error: str, finish: FinishItem) -> bool:
        log.warning("giving up on %s to %s: %s", format_id("email", stored.id), ", ".join(stored.to), error)
        async with self.store.transaction() as uow:
            await uow.emails.mark_failed(stored.id, error)
            await finish(uow)
        return True


def _as_email(stored: StoredEmail) -> Email:
    return Email(to=stored.to, subject=stored.subject, text=stored.text, html=stored.html)
