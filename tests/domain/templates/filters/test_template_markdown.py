"""The `Markdown` filter's converter: CommonMark, plus what Octopus's renderer (Markdig) adds."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from seaway.domain.templates.filters.markdown import render_markdig

COMMONMARK = MarkdownIt("commonmark")

# Inputs on which Seaway's converter must agree with a CommonMark implementation.
COMMONMARK_SAMPLES = [
    "_yeah!_",
    "# Title\n\nSome *emphasis*, **strong** and `code`.",
    "Setext\n===\n\nSub\n---",
    "- a\n- b\n- c",
    "- a\n\n- b",
    "- a\n  - nested\n- c",
    "3. three\n4. four",
    "1) x\n2) y",
    "- a\n\n  second paragraph\n- b",
    "> quoted\n> text\nlazy",
    "> - in\n> - quote",
    "```python\nprint('hi') < 1\n```",
    "    indented\n    code",
    "a\n\n***\n\nb",
    "hard  \nbreak and\\\nanother",
    "***both***, *a **b** c*, foo*bar*, snake_case_word, *foo`*`",
    "**foo*, *foo**, __foo, __bar__, baz__",
    'a < b & c > d "q" &copy; &nope;',
    '[link](/uri "title") ![alt *x*](/img.png) <http://a.example>',
    '[ref] and [text][ref]\n\n[ref]: https://example.org "Title"',
    "<div>\n*not emphasis*\n</div>\n\nafter",
    "\\*escaped\\* \\[not a link\\]",
]


@pytest.mark.parametrize("source", COMMONMARK_SAMPLES)
def test_commonmark_input_renders_as_commonmark_does(source: str) -> None:
    assert render_markdig(source) == COMMONMARK.render(source)


def test_pipe_tables_render_with_head_and_body() -> None:
    assert render_markdig("| Name | Size |\n|:-----|-----:|\n| a | 1 |\n| b |").strip() == (
        "<table>\n<thead>\n<tr>\n"
        '<th style="text-align: left;">Name</th>\n<th style="text-align: right;">Size</th>\n'
        "</tr>\n</thead>\n<tbody>\n<tr>\n"
        '<td style="text-align: left;">a</td>\n<td style="text-align: right;">1</td>\n'
        "</tr>\n<tr>\n"
        '<td style="text-align: left;">b</td>\n<td style="text-align: right;"></td>\n'
        "</tr>\n</tbody>\n</table>"
    )


def test_bare_links_are_linked() -> None:
    assert render_markdig("See https://octopus.com/docs. Or www.example.org!") == (
        '<p>See <a href="https://octopus.com/docs">https://octopus.com/docs</a>. '
        'Or <a href="http://www.example.org">www.example.org</a>!</p>\n'
    )


def test_emphasis_extras_render() -> None:
    assert render_markdig("~~gone~~ H~2~O x^2^ ++new++ ==hot==") == (
        "<p><del>gone</del> H<sub>2</sub>O x<sup>2</sup> <ins>new</ins> <mark>hot</mark></p>\n"
    )


def test_bare_email_addresses_stay_text() -> None:
    assert render_markdig("Write to someone@example.org") == "<p>Write to someone@example.org</p>\n"
