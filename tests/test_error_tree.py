"""The tree drawn in `seaway.errors` is the real one: every error class is drawn, under its real base."""

from __future__ import annotations

import importlib
import pkgutil
import re

import seaway
from seaway import errors
from seaway.errors import SeawayError

# A drawn node: the branch glyphs give the depth, the first word is the class name.
_NODE = re.compile(r"^(?P<indent>(?:│   |    )*)(?:├── |└── )(?P<name>\w+)")


def _drawn_parents() -> dict[str, str]:
    """Each drawn class and the class drawn as its parent, read from the docstring's tree."""
    lines = (errors.__doc__ or "").splitlines()
    root_line = next(i for i, line in enumerate(lines) if line.strip() == "SeawayError")
    margin = lines[root_line].index("SeawayError")
    parents: dict[str, str] = {}
    path = ["SeawayError"]
    for line in lines[root_line + 1 :]:
        match = _NODE.match(line[margin:])
        if match is None:
            break
        depth = len(match["indent"]) // 4 + 1
        del path[depth:]
        parents[match["name"]] = path[-1]
        path.append(match["name"])
    return parents


def _all_error_classes() -> list[type[SeawayError]]:
    for module in pkgutil.walk_packages(seaway.__path__, "seaway."):
        importlib.import_module(module.name)
    found: list[type[SeawayError]] = []
    pending = [SeawayError]
    while pending:
        kind = pending.pop()
        subclasses = kind.__subclasses__()
        found.extend(subclasses)
        pending.extend(subclasses)
    return [kind for kind in found if kind.__module__.startswith("seaway.")]


def test_every_error_class_is_drawn_under_its_base():
    drawn = _drawn_parents()
    actual = {kind.__name__: kind.__bases__[0].__name__ for kind in _all_error_classes()}

    assert "NotFound" in actual and "SelfApprovalRefused" in actual  # the walk found the package's errors
    missing = sorted(set(actual) - set(drawn))
    assert not missing, f"draw these in the tree in seaway/errors.py: {missing}"
    assert {name: drawn[name] for name in actual} == actual


def test_the_tree_draws_no_class_that_does_not_exist():
    actual = {kind.__name__ for kind in _all_error_classes()}

    assert sorted(set(_drawn_parents()) - actual) == []


def test_each_error_has_its_own_code():
    kinds = _all_error_classes()

    assert len({kind.code for kind in kinds}) == len(kinds)
