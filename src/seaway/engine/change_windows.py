"""Whether an approved change request's windows let its deployment start now, and what it waits for.

A deployment is let in when every policy's windows are open. The close of the window it was first let in
is kept (`StartHold.window_closes_at`): a deployment the project/environment slot still holds back when
that passes is refused, naming the window, rather than started in the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from seaway.domain.change_windows import (
    PolicyWindows,
    common_close,
    describe_all,
    first_closed,
    local_text,
    next_common_opening,
    zone_of,
)


@dataclass(frozen=True)
class WindowState:
    open: bool
    closed: PolicyWindows | None  # the first policy whose windows are closed now
    opens_at: datetime | None  # when every policy's windows are next open; None: never again
    closes_at: datetime | None  # while open: when the first of them closes


def window_state(windows: Sequence[PolicyWindows], now: datetime) -> WindowState:
    closed = first_closed(windows, now)
    if closed is None:
        return WindowState(True, None, now, common_close(windows, now))
    return WindowState(False, closed, next_common_opening(windows, now), None)


def label(windows: PolicyWindows) -> str:
    """`Prod hours (Mon–Fri 09:00–17:00 Europe/London)`: a policy's windows as messages name them."""
    return f"{windows.policy} ({describe_all(windows.windows)})"


def when(windows: PolicyWindows, instant: datetime) -> str:
    return local_text(instant, zone_of(windows.windows))


def waiting_message(state: WindowState) -> str:
    assert state.closed is not None and state.opens_at is not None
    return f"waiting for the change window of {label(state.closed)}, opens {when(state.closed, state.opens_at)}"


def closed_reason(windows: PolicyWindows, closed_at: datetime) -> str:
    return (
        f"The change window of {label(windows)} closed at {when(windows, closed_at)} before the deployment could start"
    )


def never_reason(windows: PolicyWindows) -> str:
    return f"The change window of {label(windows)} has no future opening"


def preview_json(windows: Sequence[PolicyWindows], now: datetime) -> dict[str, object] | None:
    """The window state a preview shows; None when no policy has windows."""
    if not windows:
        return None
    state = window_state(windows, now)
    return {
        "open": state.open,
        "windows": [label(w) for w in windows],
        "opens_at": None if state.open or state.opens_at is None else state.opens_at.isoformat(),
        "closes_at": state.closes_at.isoformat() if state.closes_at else None,
        "waiting_for": None if state.open or state.closed is None else label(state.closed),
    }
