"""Tags on projects and environments, and the rule by which a policy's `scope.tags` matches them.

A tag is a short word (`regulated`, `pci`) that groups projects or environments across names, so one policy
can gate every regulated thing without listing each one. Tags compare case-insensitively, like names; the
spelling first given is the one kept.

A policy scoped on tags matches a deployment when the project or the environment carries at least one of
them. The scope's other dimensions still apply: projects, environments and tags must each match (an empty
one matches everything).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from seaway.errors import InvalidInput

MAX_TAGS = 50
_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")


def validate_tags(tags: object, *, field: str = "tags") -> tuple[str, ...]:
    """The tags as given, each once (case-insensitively), in the order first given."""
    if not isinstance(tags, list | tuple):
        raise InvalidInput("tags must be a list of words", field=field)
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"at most {MAX_TAGS} tags", field=field)
    kept: dict[str, str] = {}
    for index, tag in enumerate(tags):
        if not isinstance(tag, str) or not _TAG.match(tag):
            raise InvalidInput(
                f'{tag!r} is not a tag (letters, digits, ".", "-", "_"; 64 characters at most, no spaces)',
                field=f"{field}[{index}]",
            )
        kept.setdefault(tag.lower(), tag)
    return tuple(kept.values())


def carries_any(scope_tags: Sequence[str], *carried: Iterable[str]) -> bool:
    """Whether a scope of `scope_tags` matches what carries `carried` (the project's and the environment's
    tags): an empty scope matches everything, otherwise one shared tag, in any case, is enough."""
    if not scope_tags:
        return True
    wanted = {t.lower() for t in scope_tags}
    return any(t.lower() in wanted for tags in carried for t in tags)
