"""Who asked for something, and how: the one value every person's command carries to its audit event."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from seaway.domain.interruptions import Channel
from seaway.domain.users import User


class AuthMethod(StrEnum):
    """The evidence of who the actor is, as the audit log records it."""

    API_KEY = "api-key"
    SESSION = "session"  # a signed-in browser session
    LINK = "link"  # holding an emailed approval link, nothing more
    LINK_AND_SESSION = "link+session"  # the link, in a browser signed in as the link's own user
    PASSWORD = "password"  # noqa: S105 - a user name and password, at sign-in
    LOCAL = "local"  # `seaway admin`, run on the server with access to its database


@dataclass(frozen=True)
class Actor:
    user: User
    channel: Channel  # where the request came from: an emailed link, the pages, the API or the CLI
    auth: AuthMethod
    ip: str | None = None
    user_agent: str | None = None
