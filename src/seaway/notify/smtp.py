"""Deliver emails through an SMTP server with aiosmtplib.

aiosmtplib's exceptions stop here: every failure leaves as `DeliveryFailed`, with `retryable` telling the
engine whether a later attempt may succeed (the server was unreachable or answered 4xx) or not (the
server refused every recipient with 5xx, rejected the credentials, or lacks a feature the settings need).
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Literal

import aiosmtplib

from seaway.errors import DeliveryFailed, InvalidInput
from seaway.notify.base import Email, to_mime

logger = logging.getLogger(__name__)

TlsMode = Literal["none", "starttls", "tls"]
_TLS_MODES: frozenset[str] = frozenset({"none", "starttls", "tls"})


@dataclass(frozen=True)
class SmtpSettings:
    """Outgoing mail settings (`SEAWAY_SMTP_*`). The password is left out of `repr()` so it never reaches a log."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: TlsMode = "none"
    timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        if not self.host:
            raise InvalidInput("the SMTP host is required", field="host")
        if not 0 < self.port < 65536:
            raise InvalidInput(f"not a TCP port: {self.port}", field="port")
        if self.tls not in _TLS_MODES:
            raise InvalidInput(f"tls must be one of none, starttls, tls; got {self.tls!r}", field="tls")
        if self.timeout_seconds <= 0:
            raise InvalidInput("the timeout must be positive", field="timeout_seconds")
        if "@" not in parseaddr(self.sender)[1]:
            raise InvalidInput(f"not an email address: {self.sender!r}", field="sender")


class SmtpNotifier:
    """A `Notifier` that opens one SMTP connection per email.

    `ssl_context` replaces the system trust store, for servers with a private certificate authority.
    """

    def __init__(self, settings: SmtpSettings, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self._settings = settings
        self._ssl_context = ssl_context
        # Message-IDs name the sending domain, as mail servers expect; the sender was validated above.
        self._envelope_sender = parseaddr(settings.sender)[1]
        self._message_id_domain = self._envelope_sender.rpartition("@")[2]

    @property
    def where(self) -> str:
        return f"{self._settings.host}:{self._settings.port}"

    async def send(self, email: Email) -> None:
        settings = self._settings
        message = to_mime(email, settings.sender, message_id_domain=self._message_id_domain)
        try:
            refused, _ = await aiosmtplib.send(
                message,
                # Explicit envelope rather than re-parsing the headers we just wrote.
                sender=self._envelope_sender,
                recipients=list(email.to),
                hostname=settings.host,
                port=settings.port,
                username=settings.username,
                password=settings.password if settings.username is not None else None,
                use_tls=settings.tls == "tls",
                # False rather than aiosmtplib's default None: "none" must not upgrade opportunistically,
                # and "starttls" must fail when the server does not offer it instead of sending in clear.
                start_tls=settings.tls == "starttls",
                tls_context=self._ssl_context,
                timeout=settings.timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise self._failure(exc) from exc
        if refused:
            # Some recipients were accepted, so the email went out; retrying would send it twice to them.
            logger.warning(
                "SMTP server %s refused some recipients: %s",
                self.where,
                "; ".join(f"{address} ({reply.code} {reply.message})" for address, reply in refused.items()),
            )

    def _failure(self, exc: BaseException) -> DeliveryFailed:
        message, retryable = _describe_failure(exc)
        text = f"sending email through {self.where} failed: {message}"
        password = self._settings.password
        if password:
            # Server replies are echoed into the message; make sure none of them can leak the secret.
            text = text.replace(password, "***")
        return DeliveryFailed(text, retryable=retryable)


def _describe_failure(exc: BaseException) -> tuple[str, bool]:
    """A short reason for an SMTP failure and whether retrying later may help."""
    tls_error = _ssl_error(exc)
    if tls_error is not None:
        # A certificate or protocol mismatch is configuration; it will fail the same way next time.
        return f"TLS handshake failed: {tls_error}", False
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        refusals = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        # Permanent only when every refusal is permanent: a 4xx (mailbox busy, greylisting) may pass later.
        return f"every recipient was refused: {refusals}", any(_is_transient(r.code) for r in exc.recipients)
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        return f"authentication failed: {exc.code} {exc.message}", _is_transient(exc.code)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"server replied {exc.code} {exc.message}", _is_transient(exc.code)
    if isinstance(exc, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return f"timed out: {exc}", True
    if isinstance(exc, aiosmtplib.SMTPConnectError | aiosmtplib.SMTPServerDisconnected | ConnectionError):
        return f"could not connect: {exc}", True
    if isinstance(exc, aiosmtplib.SMTPException):
        # What is left is the server lacking something the settings require (STARTTLS, AUTH, SMTPUTF8).
        return exc.message, False
    return f"network error: {exc}", True


def _is_transient(code: int) -> bool:
    return 400 <= code < 500


def _ssl_error(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error behind `exc`, also when aiosmtplib wrapped it in a connect error."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__
    return None
