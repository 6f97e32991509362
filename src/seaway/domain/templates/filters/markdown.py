"""`Markdown` / `MarkdownToHtml`: Markdown to HTML, as Octopus renders it (trimmed input, `\\n` after).

Octopus renders with Markdig: CommonMark plus pipe tables, emphasis extras and autolinks. markdown-it-py
reads the same input (its table rule, and the GFM autolinks from mdit-py-plugins); the rest of this module
adapts it where Markdig writes something else: the emphasis extras (`~~del~~`, `~sub~`, `^sup^`, `++ins++`,
`==mark==`), column alignment written as `style="text-align: left;"`, and bare e-mail addresses left as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter
from markdown_it.token import Token
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from seaway.domain.templates.filters.context import FilterContext

# Markdig's emphasis extras by delimiter: (tag for one character, tag for two); "" where there is none.
_EXTRAS: dict[str, tuple[str, str]] = {"~": ("sub", "del"), "^": ("sup", ""), "+": ("", "ins"), "=": ("", "mark")}


def _scan_extra(state: StateInline, silent: bool) -> bool:
    """A run of an extras character becomes text, and a delimiter when a tag is written with that many."""
    marker = state.src[state.pos]
    if silent or marker not in _EXTRAS:
        return False
    scanned = state.scanDelims(state.pos, True)
    token = state.push("text", "", 0)
    token.content = marker * scanned.length
    if scanned.length <= 2 and _EXTRAS[marker][scanned.length - 1]:
        # A length of 0 keeps CommonMark's "rule of 3" for `*` and `_` out of the pairing.
        delimiter = Delimiter(ord(marker), 0, len(state.tokens) - 1, -1, scanned.can_open, scanned.can_close)
        state.delimiters.append(delimiter)
    state.pos += scanned.length
    return True


def _tag_extras(state: StateInline) -> None:
    """Turns each paired run (same character, same width) into the tag Markdig writes for it."""
    nested = [meta["delimiters"] for meta in state.tokens_meta if meta and "delimiters" in meta]
    for delimiters in (state.delimiters, *nested):
        for opener in delimiters:
            tags = _EXTRAS.get(chr(opener.marker))
            if tags is None or opener.end == -1:
                continue
            start, end = state.tokens[opener.token], state.tokens[delimiters[opener.end].token]
            if start.content != end.content:
                continue
            tag = tags[len(start.content) - 1]
            _become_tag(start, tag, "_open", 1)
            _become_tag(end, tag, "_close", -1)


def _become_tag(token: Token, tag: str, suffix: str, nesting: Literal[1, -1]) -> None:
    token.type, token.tag, token.nesting, token.markup, token.content = tag + suffix, tag, nesting, token.content, ""


def _markdig_alignment(state: StateCore) -> None:
    for token in state.tokens:
        style = token.attrGet("style") if token.type in ("th_open", "td_open") else None
        if isinstance(style, str):
            token.attrSet("style", style.replace(":", ": ") + ";")


def _markdig() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("table").use(gfm_autolink_plugin)
    md.inline.ruler.disable("gfm_autolink_email")
    md.inline.ruler.before("emphasis", "emphasis_extras", _scan_extra)
    md.inline.ruler2.before("emphasis", "emphasis_extras", _tag_extras)
    md.core.ruler.push("markdig_alignment", _markdig_alignment)
    return md


_MARKDIG = _markdig()


def render_markdig(text: str) -> str:
    """`text` as HTML, the way Markdig renders it."""
    return str(_MARKDIG.render(text))


def markdown_to_html(argument: str | None, options: Sequence[str], _: FilterContext) -> str | None:
    if argument is None or options:
        return None
    return render_markdig(argument.strip()) + "\n"
