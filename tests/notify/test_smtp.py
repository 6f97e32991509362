import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from seaway.errors import DeliveryFailed, InvalidInput
from seaway.notify.base import Email, to_mime
from seaway.notify.smtp import SmtpNotifier, SmtpSettings

# Plain `pytest` puts each test's own directory on sys.path, not the repository root, so `tests.fixtures`
# needs the root added until the pytest settings do it (pythonpath = ["."]).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.fixtures.smtp_server import SmtpCapture, self_signed_tls, smtp_server

__all__ = ["smtp_server"]  # a fixture: pytest finds it by name in this module

SENDER = "Seaway <seaway@seaway.test>"


def settings_for(server: SmtpCapture, **overrides: object) -> SmtpSettings:
    values: dict[str, object] = {"host": server.host, "port": server.port, "sender": SENDER, "timeout_seconds": 5.0}
    values.update(overrides)
    return SmtpSettings(**values)  # type: ignore[arg-type]


def make_email(**overrides: object) -> Email:
    values: dict[str, object] = {
        "to": ("alice@example.com",),
        "subject": "Approval needed: Zitate über Äpfel 1.0.3 to Prod ✓",
        "text": "Approve: http://127.0.0.1:8080/links/a\nReject: http://127.0.0.1:8080/links/r\n",
        "html": "<p>Bitte prüfen: <a href='http://127.0.0.1:8080/links/a'>Approve</a></p>",
    }
    values.update(overrides)
    return Email(**values)  # type: ignore[arg-type]


@pytest.fixture
def capture_factory() -> Iterator[list[SmtpCapture]]:
    """Servers a test starts itself, with options; all of them are stopped afterwards."""
    started: list[SmtpCapture] = []
    yield started
    for server in started:
        server.stop()


def start(started: list[SmtpCapture], **options: object) -> SmtpCapture:
    server = SmtpCapture(**options)  # type: ignore[arg-type]
    started.append(server)
    return server.start()


async def test_a_sent_email_arrives_with_both_parts_the_headers_and_a_unicode_subject(smtp_server):
    email = make_email(to=("alice@example.com", "bob@example.com"), reply_to="jane@example.com")

    await SmtpNotifier(settings_for(smtp_server)).send(email)

    [message] = await smtp_server.wait_for(1)
    assert message["Subject"] == "Approval needed: Zitate über Äpfel 1.0.3 to Prod ✓"
    assert message["From"] == SENDER
    assert message["To"] == "alice@example.com, bob@example.com"
    assert message["Reply-To"] == "jane@example.com"
    assert message["Date"] is not None
    assert message["Message-ID"].endswith("@seaway.test>")
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert "Reject: http://127.0.0.1:8080/links/r" in text.get_content()
    assert html.get_content_type() == "text/html"
    assert "Bitte prüfen" in html.get_content()
    assert smtp_server.envelopes[0].mail_from == "seaway@seaway.test"
    assert smtp_server.envelopes[0].rcpt_tos == ("alice@example.com", "bob@example.com")


async def test_an_email_without_html_is_sent_as_plain_text_only(smtp_server):
    await SmtpNotifier(settings_for(smtp_server)).send(make_email(html=None))

    [message] = await smtp_server.wait_for(1)
    assert message.get_content_type() == "text/plain"
    assert message.get_content().startswith("Approve: http://127.0.0.1:8080/links/a")


async def test_duplicate_recipients_get_one_copy(smtp_server):
    await SmtpNotifier(settings_for(smtp_server)).send(make_email(to=["alice@example.com", "ALICE@example.com"]))

    await smtp_server.wait_for(1)
    assert smtp_server.envelopes[0].rcpt_tos == ("alice@example.com",)


async def test_wait_for_wakes_when_a_message_arrives_while_waiting(smtp_server):
    waiting = asyncio.create_task(smtp_server.wait_for(2))
    notifier = SmtpNotifier(settings_for(smtp_server))

    await notifier.send(make_email(subject="first"))
    await notifier.send(make_email(subject="second"))

    messages = await waiting
    assert [message["Subject"] for message in messages] == ["first", "second"]


async def test_wait_for_fails_the_test_when_too_few_messages_arrive(smtp_server):
    with pytest.raises(AssertionError, match="expected 1 message"):
        await smtp_server.wait_for(1, timeout=0.05)


async def test_tls_none_sends_in_clear_even_when_the_server_offers_starttls(capture_factory):
    server = start(capture_factory, starttls_context=self_signed_tls().server)

    # The client trusts nothing here: an opportunistic upgrade would fail on the certificate.
    await SmtpNotifier(settings_for(server, tls="none")).send(make_email())

    assert len(await server.wait_for(1)) == 1


async def test_starttls_against_a_server_without_starttls_fails_instead_of_sending_in_clear(smtp_server):
    notifier = SmtpNotifier(settings_for(smtp_server, tls="starttls"))

    with pytest.raises(DeliveryFailed, match="STARTTLS") as failure:
        await notifier.send(make_email())

    assert failure.value.retryable is False
    assert f"127.0.0.1:{smtp_server.port}" in str(failure.value)
    assert smtp_server.messages == []


async def test_starttls_delivers_when_the_server_offers_it_and_the_certificate_is_trusted(capture_factory):
    tls = self_signed_tls()
    server = start(capture_factory, starttls_context=tls.server)

    await SmtpNotifier(settings_for(server, tls="starttls"), ssl_context=tls.client).send(make_email())

    assert len(await server.wait_for(1)) == 1


async def test_implicit_tls_delivers_when_the_certificate_is_trusted(capture_factory):
    tls = self_signed_tls()
    server = start(capture_factory, tls_context=tls.server)

    await SmtpNotifier(settings_for(server, tls="tls"), ssl_context=tls.client).send(make_email())

    assert len(await server.wait_for(1)) == 1


async def test_an_untrusted_certificate_is_not_retryable(capture_factory):
    server = start(capture_factory, tls_context=self_signed_tls().server)

    with pytest.raises(DeliveryFailed, match="TLS handshake failed") as failure:
        await SmtpNotifier(settings_for(server, tls="tls")).send(make_email())

    assert failure.value.retryable is False


async def test_a_refused_connection_is_retryable_and_names_the_server():
    server = SmtpCapture().start()
    port = server.port
    server.stop()
    notifier = SmtpNotifier(SmtpSettings(host="127.0.0.1", port=port, sender=SENDER))

    with pytest.raises(DeliveryFailed, match=f"127.0.0.1:{port}") as failure:
        await notifier.send(make_email())

    assert failure.value.retryable is True


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """Accepts connections and never says a word, like a server behind a black-holing firewall."""
    connections: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in connections:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_a_server_that_never_answers_times_out_and_is_retryable(silent_server):
    settings = SmtpSettings(host="127.0.0.1", port=silent_server, sender=SENDER, timeout_seconds=0.2)

    with pytest.raises(DeliveryFailed, match="timed out") as failure:
        await SmtpNotifier(settings).send(make_email())

    assert failure.value.retryable is True


async def test_the_right_credentials_log_in_and_deliver(capture_factory):
    server = start(capture_factory, credentials=("seaway", "s3cret-pw"))

    await SmtpNotifier(settings_for(server, username="seaway", password="s3cret-pw")).send(make_email())

    assert len(await server.wait_for(1)) == 1


async def test_an_authentication_failure_is_not_retryable_and_never_shows_the_password(capture_factory):
    server = start(capture_factory, credentials=("seaway", "right-pw"))
    notifier = SmtpNotifier(settings_for(server, username="seaway", password="wrong-pw"))

    with pytest.raises(DeliveryFailed, match="authentication failed") as failure:
        await notifier.send(make_email())

    assert failure.value.retryable is False
    assert "wrong-pw" not in str(failure.value)
    assert "wrong-pw" not in repr(notifier._settings)
    assert server.messages == []


async def test_a_550_for_every_recipient_is_not_retryable(capture_factory):
    server = start(capture_factory, refuse={"alice@example.com": "550 5.1.1 No such user"})

    with pytest.raises(DeliveryFailed, match=r"550 5\.1\.1 No such user") as failure:
        await SmtpNotifier(settings_for(server)).send(make_email())

    assert failure.value.retryable is False


async def test_a_450_for_a_recipient_is_retryable(capture_factory):
    server = start(
        capture_factory,
        refuse={"alice@example.com": "550 5.1.1 No such user", "bob@example.com": "450 4.2.1 Mailbox busy"},
    )

    with pytest.raises(DeliveryFailed) as failure:
        await SmtpNotifier(settings_for(server)).send(make_email(to=("alice@example.com", "bob@example.com")))

    assert failure.value.retryable is True


async def test_a_partial_refusal_delivers_to_the_others_and_logs_the_refused(capture_factory, caplog):
    server = start(capture_factory, refuse={"bob@example.com": "550 5.1.1 No such user"})
    caplog.set_level(logging.WARNING, logger="seaway.notify.smtp")

    await SmtpNotifier(settings_for(server)).send(make_email(to=("alice@example.com", "bob@example.com")))

    await server.wait_for(1)
    assert server.envelopes[0].rcpt_tos == ("alice@example.com",)
    assert "bob@example.com (550 5.1.1 No such user)" in caplog.text


def test_smtp_settings_reject_an_unknown_tls_mode():
    with pytest.raises(InvalidInput) as error:
        SmtpSettings(host="mail.example.com", port=587, sender=SENDER, tls="ssl")  # type: ignore[arg-type]
    assert error.value.field == "tls"


def test_smtp_settings_never_show_the_password():
    settings = SmtpSettings(host="mail.example.com", port=587, sender=SENDER, username="u", password="hunter2")
    assert "hunter2" not in repr(settings)


def test_to_mime_builds_text_then_html_alternatives_with_the_given_date():
    message = to_mime(
        make_email(), SENDER, message_id_domain="seaway.test", date=datetime(2024, 5, 4, 12, 0, tzinfo=UTC)
    )

    assert message["Date"] == "Sat, 04 May 2024 12:00:00 +0000"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    # Serialised headers stay ASCII (RFC 2047), so any server accepts the non-ASCII subject.
    headers, _, _ = message.as_bytes().partition(b"\r\n\r\n")
    assert headers.isascii()
    assert b"=?utf-8?" in headers
