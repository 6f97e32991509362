"""What waits for the signed-in person: the pending interruptions and change requests they may decide and
may see.

The navigation's Approvals count and the lists of approvals read the same rule from here, so the badge
never promises an approval the list would not show.
"""

from __future__ import annotations

from seaway.domain.interruptions import Interruption
from seaway.domain.permissions import Permission
from seaway.domain.users import User
from seaway.engine.decisions import list_interruptions
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Scopes, holds_anywhere, visible
from seaway.web.ui.change_request_rows import change_request_rows


async def waiting_for_decision(uow: UnitOfWork, user: User) -> list[Interruption]:
    """The pending interruptions `user` may decide now, among those they may see, oldest first."""
    if not holds_anywhere(user, Permission.INTERRUPTION_VIEW):
        return []
    decidable = [i for i, can in await list_interruptions(uow, user, state="pending", mine=True) if can]
    places = await Scopes(uow.conn).of_deployments(i.deployment_id for i in decidable)
    return visible(user, Permission.INTERRUPTION_VIEW, decidable, lambda i: places[i.deployment_id])


async def waiting_count(uow: UnitOfWork, user: User) -> int:
    if not holds_anywhere(user, Permission.INTERRUPTION_VIEW):
        return 0
    requests = [row for row in await change_request_rows(uow, user, "pending") if row.can_decide]
    return len(await waiting_for_decision(uow, user)) + len(requests)
