"""Markdown that one person writes and another reads (instructions, release notes), as HTML safe to show.

Raw HTML is escaped rather than passed through, and images are off so that an email or a page never loads
a remote asset (a tracking pixel in the instructions would tell an outsider when the approver read them).
The renderer also refuses `javascript:` links, so its output may be marked safe.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": False}).disable("image")


def safe_html(markdown: str) -> str:
    return str(_renderer.render(markdown))
