"""Block-level Markdown: paragraphs, headings, code, quotes, lists, rules, pipe tables, raw HTML.

A small CommonMark reader producing the HTML Markdig (Octopus's renderer) produces for the same
input: `<p>`, `<h1>`..`<h6>`, `<pre><code class="language-x">`, `<blockquote>`, tight and loose
`<ul>`/`<ol start="n">`, `<hr />` and pipe tables with `<thead>`/`<tbody>`.
"""

from __future__ import annotations

import re

from seaway.domain.templates.filters.markdown_inline import escape, normalize_label, render_inline

_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"( {0,3})(`{3,}|~{3,})[ \t]*([^`]*?)[ \t]*$")
_QUOTE = re.compile(r" {0,3}> ?")
_ITEM = re.compile(r"( {0,3})([-+*]|([0-9]{1,9})([.)]))(?:([ \t]+)(.*)|$)")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
_BLOCK_TAGS = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt|"
    "fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|"
    "menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|"
    "track|ul|pre|script|style|textarea"
)
_HTML_START = re.compile(rf" {{0,3}}(?:<!--|</?(?:{_BLOCK_TAGS})(?:[\s/>]|$))", re.IGNORECASE)
# A line holding only one complete tag also starts an HTML block (it cannot interrupt a paragraph).
_HTML_TAG_LINE = re.compile(
    r" {0,3}(?:<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*"
    r"\s*/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)\s*$"
)
_TABLE_DELIMITER = re.compile(r"\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")
_REFERENCE = re.compile(
    r" {0,3}\[((?:[^\]\\]|\\.){1,999})\]:\s*(<[^<>\n]*>|\S+)"
    r"(?:\s+(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|\((?:[^()\\]|\\.)*\)))?[ \t]*(?:\n|$)"
)

References = dict[str, tuple[str, str | None]]


def _blank(line: str) -> bool:
    return not line.strip()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _interrupts_paragraph(line: str) -> bool:
    if _ATX.match(line) or _RULE.match(line) or _FENCE.match(line) or _QUOTE.match(line) or _HTML_START.match(line):
        return True
    item = _ITEM.match(line)
    return bool(item and item.group(6) and (item.group(3) is None or item.group(3) == "1"))


class _Blocks:
    def __init__(self, references: References) -> None:
        self.references = references
        self.out: list[str] = []

    def render(self, lines: list[str], tight: bool = False) -> str:
        i = 0
        while i < len(lines):
            line = lines[i]
            if _blank(line):
                i += 1
            elif _indent(line) >= 4:
                i = self._indented_code(lines, i)
            elif fence := _FENCE.match(line):
                i = self._fenced_code(lines, i, fence)
            elif heading := _ATX.match(line):
                self.out.append(
                    f"<h{len(heading.group(1))}>{self._inline(heading.group(2) or '')}</h{len(heading.group(1))}>\n"
                )
                i += 1
            elif _RULE.match(line):
                self.out.append("<hr />\n")
                i += 1
            elif _QUOTE.match(line):
                i = self._quote(lines, i)
            elif item := _ITEM.match(line):
                i = self._list(lines, i, item)
            elif _HTML_START.match(line) or _HTML_TAG_LINE.match(line):
                end = i
                while end < len(lines) and not _blank(lines[end]):
                    end += 1
                self.out.append("\n".join(lines[i:end]) + "\n")
                i = end
            elif "|" in line and i + 1 < len(lines) and _TABLE_DELIMITER.fullmatch(lines[i + 1]):
                i = self._table(lines, i)
            else:
                i = self._paragraph(lines, i, tight)
        return "".join(self.out)

    def _inline(self, text: str) -> str:
        return render_inline(text.strip(), self.references)

    def _indented_code(self, lines: list[str], i: int) -> int:
        end = i
        while end < len(lines) and (_blank(lines[end]) or _indent(lines[end]) >= 4):
            end += 1
        while _blank(lines[end - 1]):
            end -= 1
        body = "".join(line[4:] + "\n" for line in lines[i:end])
        self.out.append(f"<pre><code>{escape(body)}</code></pre>\n")
        return end

    def _fenced_code(self, lines: list[str], i: int, fence: re.Match[str]) -> int:
        indent, marker, info = len(fence.group(1)), fence.group(2), fence.group(3)
        closing = re.compile(rf" {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
        end = i + 1
        body: list[str] = []
        while end < len(lines) and not closing.match(lines[end]):
            content = lines[end]
            body.append(content[min(indent, _indent(content)) :])
            end += 1
        language = info.split()[0] if info else ""
        attribute = f' class="language-{escape(language)}"' if language else ""
        text = "".join(line + "\n" for line in body)
        self.out.append(f"<pre><code{attribute}>{escape(text)}</code></pre>\n")
        return end + 1

    def _quote(self, lines: list[str], i: int) -> int:
        inner: list[str] = []
        while i < len(lines):
            marker = _QUOTE.match(lines[i])
            if marker:
                inner.append(lines[i][marker.end() :])
            elif inner and not _blank(inner[-1]) and not _blank(lines[i]) and not _interrupts_paragraph(lines[i]):
                inner.append(lines[i])
            else:
                break
            i += 1
        self.out.append("<blockquote>\n" + _Blocks(self.references).render(inner) + "</blockquote>\n")
        return i

    def _list(self, lines: list[str], i: int, first: re.Match[str]) -> int:
        ordered = first.group(3) is not None
        kind = first.group(4) if ordered else first.group(2)
        items: list[list[str]] = []
        loose = False
        while i < len(lines):
            item = _ITEM.match(lines[i])
            if not item or (item.group(4) if item.group(3) is not None else item.group(2)) != kind:
                break
            if _RULE.match(lines[i]):
                break
            body, i, blank_inside = self._item(lines, i, item)
            items.append(body)
            loose = loose or blank_inside
            if i < len(lines) and _blank(lines[i]):
                following = i
                while following < len(lines) and _blank(lines[following]):
                    following += 1
                next_item = _ITEM.match(lines[following]) if following < len(lines) else None
                if next_item and (next_item.group(4) if next_item.group(3) is not None else next_item.group(2)) == kind:
                    loose = True
                    i = following
        tag = "ol" if ordered else "ul"
        start = int(first.group(3)) if ordered else 1
        self.out.append(f'<{tag} start="{start}">\n' if start != 1 else f"<{tag}>\n")
        for body in items:
            rendered = _Blocks(self.references).render(body, tight=not loose)
            if not loose and rendered and not rendered.startswith("<"):
                rendered = rendered.rstrip("\n")
                self.out.append(f"<li>{rendered}</li>\n" if "\n" not in rendered else f"<li>{rendered}\n</li>\n")
            else:
                self.out.append(f"<li>{chr(10) if rendered else ''}{rendered}</li>\n")
        self.out.append(f"</{tag}>\n")
        return i

    def _item(self, lines: list[str], i: int, item: re.Match[str]) -> tuple[list[str], int, bool]:
        marker_end = item.end(2)
        spacing = len((item.group(5) or "").expandtabs(4))
        content = item.group(6) or ""
        width = marker_end + (spacing if 1 <= spacing <= 4 and content else 1)
        body = [content if spacing <= 4 else " " * (spacing - 1) + content]
        i += 1
        while i < len(lines):
            line = lines[i]
            if _blank(line):
                body.append("")
            elif _indent(line) >= width:
                body.append(line[width:])
            elif body[-1] and not _interrupts_paragraph(line) and not _ITEM.match(line):
                body.append(line)
            else:
                break
            i += 1
        while body and not body[-1]:
            # Trailing blank lines belong between items, where they make the list loose.
            body.pop()
            i -= 1
        inside = any(not line for line in body)
        return body, i, inside

    def _table(self, lines: list[str], i: int) -> int:
        header = _cells(lines[i])
        aligns = [_alignment(cell) for cell in _cells(lines[i + 1])]
        width = len(header)
        aligns = (aligns + [""] * width)[:width]
        end = i + 2
        rows: list[list[str]] = []
        while end < len(lines) and not _blank(lines[end]) and "|" in lines[end]:
            rows.append((_cells(lines[end]) + [""] * width)[:width])
            end += 1
        out = ["<table>\n<thead>\n<tr>\n"]
        out.extend(f"<th{_style(a)}>{self._inline(cell)}</th>\n" for cell, a in zip(header, aligns, strict=True))
        out.append("</tr>\n</thead>\n")
        if rows:
            out.append("<tbody>\n")
            for row in rows:
                out.append("<tr>\n")
                out.extend(f"<td{_style(a)}>{self._inline(cell)}</td>\n" for cell, a in zip(row, aligns, strict=True))
                out.append("</tr>\n")
            out.append("</tbody>\n")
        out.append("</table>\n")
        self.out.append("".join(out))
        return end

    def _paragraph(self, lines: list[str], i: int, tight: bool) -> int:
        end = i + 1
        while end < len(lines) and not _blank(lines[end]):
            if _SETEXT.match(lines[end]):
                level = 1 if "=" in lines[end] else 2
                text = self._strip_references("\n".join(lines[i:end]))
                if text.strip():
                    self.out.append(f"<h{level}>{self._inline(text)}</h{level}>\n")
                    return end + 1
            if _interrupts_paragraph(lines[end]):
                break
            end += 1
        text = self._strip_references("\n".join(line.lstrip() for line in lines[i:end]))
        if text.strip():
            inline = self._inline(text)
            self.out.append(f"{inline}\n" if tight else f"<p>{inline}</p>\n")
        return end

    def _strip_references(self, text: str) -> str:
        while match := _REFERENCE.match(text):
            self.references.setdefault(normalize_label(match.group(1)), _definition(match))
            text = text[match.end() :]
        return text


def _definition(match: re.Match[str]) -> tuple[str, str | None]:
    url = match.group(2)[1:-1] if match.group(2).startswith("<") else match.group(2)
    return url, match.group(3)[1:-1] if match.group(3) else None


def _cells(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", text)]


def _alignment(cell: str) -> str:
    left, right = cell.startswith(":"), cell.endswith(":")
    return "center" if left and right else "right" if right else "left" if left else ""


def _style(align: str) -> str:
    return f' style="text-align: {align};"' if align else ""


def _collect_references(lines: list[str]) -> References:
    """Link reference definitions, so that a link may come before its definition."""
    references: References = {}
    for i, line in enumerate(lines):
        if (i == 0 or _blank(lines[i - 1])) and (match := _REFERENCE.match(line + "\n")):
            references.setdefault(normalize_label(match.group(1)), _definition(match))
    return references


def render_blocks(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4).split("\n")
    return _Blocks(_collect_references(lines)).render(lines)
