"""The rows of the approvals list, whatever kind of approval each is, and the list's tabs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from seaway.store.interruptions import StateFilter

Tab = Literal["needs-approval", "completed", "all"]
TABS: tuple[tuple[Tab, str], ...] = (("needs-approval", "Needs approval"), ("completed", "Completed"), ("all", "All"))
STATE_OF_TAB: dict[Tab, StateFilter] = {"needs-approval": "pending", "completed": "completed", "all": "all"}
APPROVALS_LISTED = 200


@dataclass(frozen=True)
class ApprovalRow:
    """One approval of any kind, as the list shows it."""

    kind: str  # what sort of approval, in words
    id: str
    title: str
    project: str
    release: str
    environment: str
    state: str  # "Needs approval", or the outcome
    pending: bool
    can_decide: bool
    mine: bool
    requested_at: datetime
    decided_by: str | None
    review_url: str
    requested_by: str | None = None  # shown when the kind records it
    progress: str | None = None  # how far a quorum is: "1 of 2 approvals"
