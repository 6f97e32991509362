"""The emails repository on both databases: queued once per key, newest first, bodies encrypted at rest."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from seaway.errors import NotFound
from seaway.store.emails import EmailState
from seaway.store.tables import emails


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


async def test_an_email_is_found_by_id_and_key_and_an_unknown_one_is_not(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        email_id = await uow.emails.add(key="k", to=["x@example.org"], subject="S", text="t", html=None, now=now)
        assert email_id is not None
        with pytest.raises(NotFound):
            await uow.emails.get(email_id + 1)
        assert await uow.emails.find(email_id + 1) is None
        assert await uow.emails.find_by_key("other") is None
        found = await uow.emails.find_by_key("k")
        assert found == await uow.emails.get(email_id) == await uow.emails.find(email_id)
    assert found is not None and (found.to, found.state, found.html) == (("x@example.org",), EmailState.QUEUED, None)


async def test_a_kept_email_lists_under_its_state_only(services):
    now = services.clock.now()
    async with services.store.transaction() as uow:
        kept = await uow.emails.add(key="a", to=["x@example.org"], subject="A", text="a", html=None, now=now)
        await uow.emails.add(key="b", to=["x@example.org"], subject="B", text="b", html=None, now=now)
        assert kept is not None
        await uow.emails.mark_kept(kept)
        assert [e.subject for e in await uow.emails.list(state=EmailState.KEPT)] == ["A"]
        assert [e.subject for e in await uow.emails.list(state=EmailState.QUEUED)] == ["B"]
        assert [e.subject for e in await uow.emails.list(limit=1)] == ["B"]
