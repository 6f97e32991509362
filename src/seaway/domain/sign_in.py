"""Sign-in rules: why an attempt failed, and the lockout that follows repeated failures.

Failed attempts of one account are counted from the first failure of a window; the failure that reaches
the limit within the window locks the account for the length of the window. While it is locked no password
is checked at all, so the answer never tells whether the password was right. A successful sign-in, a
password change and an administrator's reset clear the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class FailureReason(StrEnum):
    """Why a sign-in failed, as its audit event records it. Only `locked` and `service account` are told to
    the person signing in; the others all get the same answer."""

    BAD_PASSWORD = "bad password"  # noqa: S105 - a reason, not a password
    UNKNOWN_USER = "unknown user"
    LOCKED = "locked"
    DISABLED = "disabled"
    SERVICE_ACCOUNT = "service account"


@dataclass(frozen=True)
class LockoutPolicy:
    failures: int = 5
    window: timedelta = timedelta(minutes=15)

    def window_start(self, now: datetime) -> datetime:
        """Failures counted from a first failure at or before this time are forgotten."""
        return now - self.window

    def locked_until(self, now: datetime) -> datetime:
        return now + self.window


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now
