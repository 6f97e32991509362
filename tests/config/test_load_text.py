"""Reading a config document's YAML: errors say where, and nothing is dropped quietly."""

from __future__ import annotations

import pytest

from seaway.config.documents import load_text
from seaway.errors import InvalidInput


def test_a_key_named_twice_is_refused_with_its_line():
    with pytest.raises(InvalidInput) as error:
        load_text("teams: []\nusers: []\nteams: [{name: Ops}]\n")

    assert error.value.field == "document"
    assert 'at line 3, column 1: found the key "teams" twice in one mapping' in error.value.message


def test_a_key_named_twice_deep_inside_is_refused_too():
    with pytest.raises(InvalidInput, match='line 2, column 17: found the key "name" twice'):
        load_text("projects:\n  - {name: Web, name: Api}\n")


def test_the_same_key_in_different_mappings_and_merge_keys_are_fine():
    document = "base: &b {timeout: 5}\nsteps:\n  - {name: A, <<: *b}\n  - {name: B, <<: *b, timeout: 9}\n"

    loaded = load_text(document)

    assert loaded["steps"] == [{"name": "A", "timeout": 5}, {"name": "B", "timeout": 9}]
