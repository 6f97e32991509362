"""Inline Markdown: emphasis, code spans, links, images, autolinks, line breaks, escapes.

Emphasis follows CommonMark's delimiter algorithm, extended as Octopus's renderer (Markdig with
"emphasis extras") is: `~~del~~`, `~sub~`, `^sup^`, `++ins++`, `==mark==`. Bare `http://`,
`https://`, `ftp://`, `mailto:` and `www.` links are linked too.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import quote

_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>")
_EMAIL_AUTOLINK = re.compile(
    r"<([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)>"
)
_ATTRIBUTE = r"\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?"
_HTML_TAG = re.compile(
    rf"<[A-Za-z][A-Za-z0-9-]*(?:{_ATTRIBUTE})*\s*/?>|</[A-Za-z][A-Za-z0-9-]*\s*>|<!--.*?-->", re.DOTALL
)
_BARE_LINK = re.compile(r"(?:https?://|ftp://|mailto:|www\.)[^\s<]*[^\s<?!.,:*_~'\")]|(?:https?://|ftp://)[^\s<]+")
_LINK_PREFIXES = ("http://", "https://", "ftp://", "mailto:", "www.")
_SPECIAL = re.compile(r"[\\`<&!\[\]*_~^+=\nhfmw]")
_URL_SAFE = "%/:=&?~#+!$,;'@()*[]-._"
# Delimiter characters: (tag for a match of one, tag for a match of two); "" where there is none.
_DELIMITERS = {
    "*": ("em", "strong"),
    "_": ("em", "strong"),
    "~": ("sub", "del"),
    "^": ("sup", ""),
    "+": ("", "ins"),
    "=": ("", "mark"),
}


def escape(text: str) -> str:
    return html.escape(text, quote=True).replace("&#x27;", "'")


def escape_url(url: str) -> str:
    return escape(quote(url, safe=_URL_SAFE))


@dataclass
class _Delimiter:
    char: str
    count: int
    can_open: bool
    can_close: bool
    original: int
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    active: bool = True

    def render(self) -> str:
        return "".join(self.before) + self.char * self.count + "".join(self.after)


@dataclass
class _Bracket:
    index: int  # where in the node list the `[` (or `![`) text sits
    image: bool
    delimiter_mark: int  # delimiters before this position are outside the link
    source: int  # where the link text starts in the source
    active: bool = True


def _is_punctuation(c: str) -> bool:
    return c in _ASCII_PUNCTUATION or unicodedata.category(c)[0] in "PS"


class _Inline:
    def __init__(self, text: str, references: dict[str, tuple[str, str | None]]) -> None:
        self.text = text
        self.references = references
        self.nodes: list[str | _Delimiter] = []
        self.delimiters: list[_Delimiter] = []
        self.brackets: list[_Bracket] = []

    def parse(self) -> str:
        text, i, n = self.text, 0, len(self.text)
        while i < n:
            c = text[i]
            if c == "\\":
                i = self._backslash(i)
            elif c == "`":
                i = self._code(i)
            elif c == "<":
                i = self._angle(i)
            elif c == "&":
                i = self._entity(i)
            elif c == "!" and text.startswith("[", i + 1):
                self.brackets.append(_Bracket(len(self.nodes), True, len(self.delimiters), i + 2))
                self.nodes.append("![")
                i += 2
            elif c == "[":
                self.brackets.append(_Bracket(len(self.nodes), False, len(self.delimiters), i + 1))
                self.nodes.append("[")
                i += 1
            elif c == "]":
                i = self._close_bracket(i)
            elif c in _DELIMITERS:
                i = self._delimiter_run(i)
            elif c == "\n":
                self._line_break()
                i += 1
            else:
                i = self._plain(i)
        _process_emphasis(self.delimiters, 0)
        return "".join(node if isinstance(node, str) else node.render() for node in self.nodes)

    def _entity(self, i: int) -> int:
        entity = _ENTITY.match(self.text, i)
        if entity and (decoded := html.unescape(entity.group())) != entity.group():
            self.nodes.append(escape(decoded))
            return entity.end()
        self.nodes.append("&amp;")
        return i + 1

    def _backslash(self, i: int) -> int:
        following = self.text[i + 1 : i + 2]
        if following == "\n":
            self.nodes.append("<br />\n")
            return i + 2
        if following and following in _ASCII_PUNCTUATION:
            self.nodes.append(escape(following))
            return i + 2
        self.nodes.append("\\")
        return i + 1

    def _code(self, i: int) -> int:
        text = self.text
        run = i
        while run < len(text) and text[run] == "`":
            run += 1
        ticks = text[i:run]
        search = run
        while True:
            end = text.find(ticks, search)
            if end < 0:
                self.nodes.append(ticks)
                return run
            after = end + len(ticks)
            if after < len(text) and text[after] == "`":
                search = after
                while search < len(text) and text[search] == "`":
                    search += 1
                continue
            content = text[run:end].replace("\n", " ")
            if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
                content = content[1:-1]
            self.nodes.append(f"<code>{escape(content)}</code>")
            return after

    def _angle(self, i: int) -> int:
        for pattern, is_email in ((_AUTOLINK, False), (_EMAIL_AUTOLINK, True)):
            match = pattern.match(self.text, i)
            if match:
                target = match.group(1)
                href = ("mailto:" + target) if is_email else target
                self.nodes.append(f'<a href="{escape_url(href)}">{escape(target)}</a>')
                return match.end()
        tag = _HTML_TAG.match(self.text, i)
        if tag:
            self.nodes.append(tag.group())
            return tag.end()
        self.nodes.append("&lt;")
        return i + 1

    def _line_break(self) -> None:
        last = self.nodes[-1] if self.nodes else ""
        if isinstance(last, str):
            stripped = last.rstrip(" ")
            hard = len(last) - len(stripped) >= 2
            self.nodes[-1:] = [stripped] if self.nodes else []
            self.nodes.append("<br />\n" if hard else "\n")
        else:
            self.nodes.append("\n")

    def _plain(self, i: int) -> int:
        text = self.text
        at_word_start = i == 0 or text[i - 1].isspace() or text[i - 1] in "*_~(\"'"
        if at_word_start and text.startswith(_LINK_PREFIXES, i):
            link = _BARE_LINK.match(text, i)
            if link and ("." in link.group() or not link.group().startswith("www.")):
                target = _trim_parenthesis(link.group())
                href = "http://" + target if target.startswith("www.") else target
                self.nodes.append(f'<a href="{escape_url(href)}">{escape(target)}</a>')
                return i + len(target)
        special = _SPECIAL.search(text, i + 1)
        end = special.start() if special else len(text)
        self.nodes.append(escape(text[i:end]))
        return end

    def _delimiter_run(self, i: int) -> int:
        text, char = self.text, self.text[i]
        end = i
        while end < len(text) and text[end] == char:
            end += 1
        before = text[i - 1] if i > 0 else " "
        after = text[end] if end < len(text) else " "
        left = not after.isspace() and (not _is_punctuation(after) or before.isspace() or _is_punctuation(before))
        right = not before.isspace() and (not _is_punctuation(before) or after.isspace() or _is_punctuation(after))
        if char == "_":
            can_open = left and (not right or _is_punctuation(before))
            can_close = right and (not left or _is_punctuation(after))
        else:
            can_open, can_close = left, right
        delimiter = _Delimiter(char, end - i, can_open, can_close, end - i)
        self.nodes.append(delimiter)
        if can_open or can_close:
            self.delimiters.append(delimiter)
        return end

    def _close_bracket(self, i: int) -> int:
        if not self.brackets:
            self.nodes.append("]")
            return i + 1
        opener = self.brackets.pop()
        if not opener.active:
            self.nodes.append("]")
            return i + 1
        label_text = self.text[opener.source : i]
        target, end = _link_target(self.text, i + 1, label_text, self.references)
        if target is None:
            self.nodes.append("]")
            return i + 1
        url, title = target
        _process_emphasis(self.delimiters, opener.delimiter_mark)
        del self.delimiters[opener.delimiter_mark :]
        inner = "".join(node if isinstance(node, str) else node.render() for node in self.nodes[opener.index + 1 :])
        del self.nodes[opener.index :]
        title_attribute = f' title="{escape(title)}"' if title is not None else ""
        if opener.image:
            alt = re.sub(r"<[^>]*>", "", inner)
            self.nodes.append(f'<img src="{escape_url(url)}" alt="{alt}"{title_attribute} />')
        else:
            self.nodes.append(f'<a href="{escape_url(url)}"{title_attribute}>{inner}</a>')
            for earlier in self.brackets:
                if not earlier.image:
                    earlier.active = False
        return end


def _trim_parenthesis(link: str) -> str:
    while link.endswith(")") and link.count(")") > link.count("("):
        link = link[:-1]
    return link


def _link_target(
    text: str, i: int, label: str, references: dict[str, tuple[str, str | None]]
) -> tuple[tuple[str, str | None] | None, int]:
    """`(dest "title")`, `[ref]`, `[]` or nothing (a shortcut reference) after a `]` at `i - 1`."""
    if text.startswith("(", i):
        inline = _inline_target(text, i + 1)
        if inline is not None:
            return inline
    if text.startswith("[", i):
        close = text.find("]", i + 1)
        if close > 0:
            key = normalize_label(text[i + 1 : close] or label)
            if key in references:
                return references[key], close + 1
    key = normalize_label(label)
    if key in references:
        return references[key], i
    return None, i


def _inline_target(text: str, i: int) -> tuple[tuple[str, str | None], int] | None:
    match = re.compile(
        r"\s*(<[^<>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
        r"(?:\s+(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\)))?\s*\)"
    ).match(text, i)
    if match is None:
        return None
    url = match.group(1)
    if url.startswith("<"):
        url = url[1:-1]
    title = match.group(2)[1:-1] if match.group(2) else None
    return (html.unescape(_unescape(url)), None if title is None else html.unescape(_unescape(title))), match.end()


def _unescape(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def normalize_label(label: str) -> str:
    return " ".join(label.split()).casefold()


def _process_emphasis(delimiters: list[_Delimiter], bottom: int) -> None:
    stack = [d for d in delimiters[bottom:] if d.active]
    closer_index = 0
    while closer_index < len(stack):
        closer = stack[closer_index]
        if not closer.can_close:
            closer_index += 1
            continue
        opener_index = closer_index - 1
        use = 0
        while opener_index >= 0:
            opener = stack[opener_index]
            if opener.char == closer.char and opener.can_open:
                use = _usable(opener, closer)
                if use:
                    break
            opener_index -= 1
        if not use:
            if not closer.can_open:
                closer.active = False
                stack.pop(closer_index)
            else:
                closer_index += 1
            continue
        opener = stack[opener_index]
        tag = _DELIMITERS[closer.char][use - 1]
        opener.count -= use
        closer.count -= use
        opener.after.insert(0, f"<{tag}>")
        closer.before.append(f"</{tag}>")
        for between in stack[opener_index + 1 : closer_index]:
            between.active = False
        del stack[opener_index + 1 : closer_index]
        closer_index = opener_index + 1
        if opener.count == 0:
            opener.active = False
            stack.pop(opener_index)
            closer_index -= 1
        if closer.count == 0:
            closer.active = False
            stack.pop(closer_index)


def _usable(opener: _Delimiter, closer: _Delimiter) -> int:
    """How many characters a match between these two delimiters uses; 0 when they cannot match."""
    if closer.char in "*_" and (opener.can_close or closer.can_open):
        total = opener.original + closer.original
        if total % 3 == 0 and not (opener.original % 3 == 0 and closer.original % 3 == 0):
            return 0
    one, two = _DELIMITERS[closer.char]
    if two and opener.count >= 2 and closer.count >= 2:
        return 2
    return 1 if one else 0


def render_inline(text: str, references: dict[str, tuple[str, str | None]]) -> str:
    return _Inline(text, references).parse()
