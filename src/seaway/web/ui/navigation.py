"""The navigation of every signed-in page: each section shown only to someone who may use something in it.

A section is shown when the person holds one of its permissions anywhere (`holds_anywhere`): what they may
see inside it is then filtered by the page itself, as the API filters its lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from seaway.domain.permissions import Permission
from seaway.domain.users import User
from seaway.web.access import holds_anywhere


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    count: int | None = None  # shown beside the label (what waits for the person), when known


@dataclass(frozen=True)
class Nav:
    items: tuple[NavItem, ...]
    current: str  # the url of the section the page belongs to


# (label, url, any of these permissions shows it; none: every signed-in person)
_SECTIONS: tuple[tuple[str, str, tuple[Permission, ...]], ...] = (
    ("Dashboard", "/", ()),
    ("Projects", "/projects", (Permission.PROJECT_VIEW,)),
    ("Approvals", "/approvals", (Permission.INTERRUPTION_VIEW,)),
    ("Tasks", "/tasks", (Permission.TASK_VIEW,)),
    ("Library", "/library", (Permission.VARIABLE_VIEW, Permission.PACKAGE_VIEW)),
    (
        "Infrastructure",
        "/infrastructure",
        (Permission.ENVIRONMENT_VIEW, Permission.LIFECYCLE_VIEW, Permission.TARGET_VIEW),
    ),
    # Everyone keeps their own API keys there; users, teams, the audit log and the outbox are filtered inside.
    ("Configuration", "/configuration", ()),
)


def nav_for(user: User, *, current: str = "", waiting: int | None = None) -> Nav:
    """The sections `user` may use; `waiting` is the Approvals count (`waiting.waiting_count`) when read."""
    items = tuple(
        NavItem(label, url, waiting if url == "/approvals" else None)
        for label, url, permissions in _SECTIONS
        if not permissions or any(holds_anywhere(user, p) for p in permissions)
    )
    return Nav(items, current)


def section_of(path: str) -> str:
    """The section a page's path belongs to, to mark it current in the navigation."""
    first = "/" + path.strip("/").split("/", 1)[0] if path.strip("/") else "/"
    aliases = {"/releases": "/projects", "/deployments": "/tasks", "/outbox": "/configuration"}
    return aliases.get(first, first)
