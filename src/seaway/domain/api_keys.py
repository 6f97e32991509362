"""API keys: a user's credentials for scripts and CI, each with a purpose and an optional expiry.

A key is shown to its owner once; Seaway keeps its hash and its first characters (the prefix, enough to
tell keys apart in a list, never enough to use). A key stops working when it is revoked, when it expires,
or when its user is disabled. When it was last used is kept to the minute, so that a key in use costs a
write at most once a minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from seaway.errors import InvalidInput

PREFIX_LENGTH = 8
PURPOSE_LENGTH = 200
MAX_LIFETIME_DAYS = 3650
LAST_USE_PRECISION = timedelta(minutes=1)
ADMIN_COMMAND_PURPOSE = "created by admin command"  # `seaway admin create-api-key` without --purpose


@dataclass(frozen=True)
class ApiKey:
    user_id: int
    purpose: str
    prefix: str  # the key's first characters; "" for keys made before prefixes were kept
    created_at: datetime
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    id: int | None = None

    def refusal(self, now: datetime) -> str | None:
        """Why the key no longer works at `now`, or None while it does."""
        if self.revoked_at is not None:
            return f"the API key was revoked on {_when(self.revoked_at)}"
        if self.expires_at is not None and self.expires_at <= now:
            return f"the API key expired on {_when(self.expires_at)}"
        return None

    def use_is_stale(self, now: datetime) -> bool:
        """True when this use should be recorded: the last one recorded is a minute old or more."""
        return self.last_used_at is None or now - self.last_used_at >= LAST_USE_PRECISION

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def prefix_of(key: str) -> str:
    return key[:PREFIX_LENGTH]


def validate_purpose(purpose: str, *, field: str = "purpose") -> str:
    text = purpose.strip() if isinstance(purpose, str) else ""
    if not text:
        raise InvalidInput("an API key needs a purpose (what it is for, e.g. the CI job that uses it)", field=field)
    if len(text) > PURPOSE_LENGTH or any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        raise InvalidInput(
            f"a purpose is one line of at most {PURPOSE_LENGTH} characters, without control characters", field=field
        )
    return text


def expiry(
    now: datetime, *, in_days: int | None = None, at: datetime | None = None, field: str = "expires_at"
) -> datetime | None:
    """When a new key expires: `in_days` from now, or `at`; neither: never. Both, or a time not in the
    future, or further than MAX_LIFETIME_DAYS away, is refused."""
    if in_days is not None and at is not None:
        raise InvalidInput("give expires_in_days or expires_at, not both", field=field)
    if in_days is not None:
        if not 1 <= in_days <= MAX_LIFETIME_DAYS:
            raise InvalidInput(f"expires_in_days must be from 1 to {MAX_LIFETIME_DAYS}", field="expires_in_days")
        return now + timedelta(days=in_days)
    if at is None:
        return None
    if at.tzinfo is None:
        raise InvalidInput("expires_at needs a time zone (e.g. 2027-01-31T00:00:00Z)", field=field)
    if at <= now:
        raise InvalidInput("expires_at must be in the future", field=field)
    if at - now > timedelta(days=MAX_LIFETIME_DAYS):
        raise InvalidInput(f"expires_at must be within {MAX_LIFETIME_DAYS} days", field=field)
    return at
