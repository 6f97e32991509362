"""Users and teams."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from seaway.domain.grants import Grant
from seaway.errors import InvalidInput

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class User:
    username: str
    display_name: str = ""
    email: str | None = None
    is_admin: bool = False
    active: bool = True
    id: int | None = None
    service_account: bool = False  # signs in with API keys only, never with a password
    # What the user's teams let them do, resolved when the user is read for a request (not part of equality:
    # two reads of the same user compare equal whatever their teams were at the time).
    grants: tuple[Grant, ...] = field(default=(), compare=False, repr=False)

    @property
    def label(self) -> str:
        return self.display_name or self.username


@dataclass(frozen=True)
class TeamRole:
    role: str
    environments: tuple[str, ...] = ()  # empty: all
    projects: tuple[str, ...] = ()  # empty: all


@dataclass(frozen=True)
class Team:
    name: str
    members: tuple[str, ...] = ()  # usernames
    roles: tuple[TeamRole, ...] = ()
    id: int | None = None


def validate_username(username: str, *, field: str = "username") -> str:
    if not isinstance(username, str) or not _USERNAME.match(username):
        raise InvalidInput(
            f'"{username}" is not a valid username (letters, digits, ".", "_", "@", "-"; 64 characters at most)',
            field=field,
        )
    return username


def validate_email(email: str | None, *, field: str = "email") -> str | None:
    if email is None or email == "":
        return None
    if not isinstance(email, str) or not _EMAIL.match(email):
        raise InvalidInput(f'"{email}" is not an email address', field=field)
    return email
