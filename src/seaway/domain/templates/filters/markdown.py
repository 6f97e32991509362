"""`Markdown` / `MarkdownToHtml`: Markdown to HTML, as Octopus renders it (trimmed input, `\\n` after)."""

from __future__ import annotations

from collections.abc import Sequence

from seaway.domain.templates.filters.context import FilterContext
from seaway.domain.templates.filters.markdown_blocks import render_blocks


def markdown_to_html(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None or options:
        return None
    return render_blocks(argument.strip()) + "\n"
