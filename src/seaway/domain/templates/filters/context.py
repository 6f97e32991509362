"""What a filter may know besides its input and options: the evaluation's notion of now."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo


@dataclass(frozen=True, slots=True)
class FilterContext:
    """`now` is timezone-aware; its zone is the "local" zone of `NowDate` and of dates read without one."""

    now: datetime

    @property
    def local_zone(self) -> tzinfo:
        zone = self.now.tzinfo
        assert zone is not None
        return zone


# A filter receives its input (None when there is none) and its evaluated options, and returns its
# output or None, which makes the whole substitution echo.
Filter = Callable[[str | None, Sequence[str], FilterContext], str | None]
