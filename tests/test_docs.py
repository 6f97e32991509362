"""Docs that are generated from code stay in sync with it."""

from __future__ import annotations

from pathlib import Path

from seaway.domain.states import mermaid_diagram
from seaway.settings import configuration_reference

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_configuration_reference_is_generated_from_the_settings():
    assert (DOCS / "configuration.md").read_text() == configuration_reference(), (
        "run: python -m seaway.settings > docs/configuration.md"
    )


def test_the_architecture_diagram_is_the_state_table():
    assert mermaid_diagram() in (DOCS / "architecture.md").read_text()
