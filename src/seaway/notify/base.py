"""What every outgoing-email adapter shares: the `Email` value, the `Notifier` port and its one error.

Builders in `messages.py` produce `Email`s; adapters such as `SmtpNotifier` turn them into MIME with
`to_mime()` and deliver them. The engine retries a `DeliveryFailed` only when it says `retryable`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formatdate, make_msgid
from typing import Protocol

from seaway.errors import InvalidInput

# Deliberately simple: one "@", no whitespace, and none of the characters that would let an address
# smuggle a second recipient, a display name or a header line into the message.
_ADDRESS = re.compile(r"[^@\s<>()\[\]\\,;:\"]+@[^@\s<>()\[\]\\,;:\"]+")
_MAX_ADDRESS_LENGTH = 254  # RFC 5321 path limit minus the angle brackets


def is_address(value: str) -> bool:
    """True for a plain `local@domain` address that is safe to put in a header."""
    return len(value) <= _MAX_ADDRESS_LENGTH and _ADDRESS.fullmatch(value) is not None


def unique_addresses(addresses: Iterable[str]) -> tuple[str, ...]:
    """Strip and de-duplicate addresses case-insensitively, keeping the first spelling and the order.

    One person in two teams must get one email, not two, and never two different personal links.
    """
    seen: set[str] = set()
    unique: list[str] = []
    for raw in addresses:
        address = raw.strip()
        key = address.casefold()
        if key not in seen:
            seen.add(key)
            unique.append(address)
    return tuple(unique)


@dataclass(frozen=True)
class Email:
    """One message to send, independent of the transport. `to` is normalised by `unique_addresses`."""

    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    reply_to: str | None = None

    def __post_init__(self) -> None:
        # Frozen, so normalise through object.__setattr__; accepts any iterable so callers may pass lists.
        recipients = unique_addresses(self.to)
        if not recipients:
            raise InvalidInput("an email needs at least one recipient", field="to")
        for address in recipients:
            if not is_address(address):
                raise InvalidInput(f"not an email address: {address!r}", field="to")
        object.__setattr__(self, "to", recipients)
        if self.reply_to is not None and not is_address(self.reply_to):
            raise InvalidInput(f"not an email address: {self.reply_to!r}", field="reply_to")
        if "\r" in self.subject or "\n" in self.subject:
            raise InvalidInput("the subject must be one line", field="subject")


class Notifier(Protocol):
    """Delivers emails. Implementations raise `DeliveryFailed` and nothing else."""

    async def send(self, email: Email) -> None: ...


def to_mime(email: Email, sender: str, *, message_id_domain: str, date: datetime | None = None) -> EmailMessage:
    """Build the MIME message: text/plain alone, or multipart/alternative with text/plain then text/html.

    `date` defaults to the moment of building, which is the moment of sending for every adapter;
    pass it to get a reproducible message.
    """
    message = EmailMessage(policy=policy.SMTP)
    # The policy encodes non-ASCII headers (RFC 2047) and folds long ones when the message is serialised.
    message["From"] = sender
    message["To"] = ", ".join(email.to)
    message["Subject"] = email.subject
    message["Date"] = format_datetime(date) if date is not None else formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=message_id_domain)
    if email.reply_to is not None:
        message["Reply-To"] = email.reply_to
    message.set_content(email.text, subtype="plain", charset="utf-8")
    if email.html is not None:
        # Clients show the last alternative they understand, so HTML goes after the text part.
        message.add_alternative(email.html, subtype="html", charset="utf-8")
    return message
