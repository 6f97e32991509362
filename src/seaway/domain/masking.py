"""Masking: hide sensitive values in task logs before they are stored or shown.

What is masked, for each secret:

- the literal value, wherever it occurs;
- when the value contains line breaks, also each of its non-blank lines on its own (stripped of
  surrounding whitespace), because logs arrive line by line and a script printing the value prints
  it as several log lines. When the value has several non-blank lines, those shorter than
  `MIN_LINE_PIECE` characters are not masked on their own: they are mostly the punctuation of
  structured secrets (`{`, `}`, `---`), masking them would garble every log line, and they reveal
  next to nothing. A value with a single non-blank line (a password pasted with a trailing line
  break) has that line masked whatever its length.

Secrets that contain nothing but whitespace and `*` are ignored: masking them would garble logs, and
they cannot be told apart from the mask itself anyway. Every other secret is guaranteed absent from
the masked text, including secrets that contain `*` and could otherwise be re-formed next to a mask
(`mask` repeats until nothing matches; each round removes characters that are not `*`, so it ends).

Longer secrets are matched first, so a secret that contains another is masked whole. One compiled
alternation serves all secrets, because a task log has many lines and few secrets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

MASK = "********"
MIN_LINE_PIECE = 4


class Masker:
    __slots__ = ("_pattern", "_repeat")

    def __init__(self, secrets: Iterable[str]) -> None:
        pieces = {piece for secret in secrets for piece in _pieces(secret) if _worth_masking(piece)}
        # Longest first so that the alternation prefers a whole secret over a secret inside it.
        ordered = sorted(pieces, key=lambda piece: (-len(piece), piece))
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        # Only a secret containing `*` can be re-formed by a mask next to it; otherwise one round is enough.
        self._repeat = any("*" in piece for piece in ordered)

    def __repr__(self) -> str:
        # Never show the secrets themselves, for instance in a traceback.
        return f"Masker(masking={self._pattern is not None})"

    def mask(self, text: str) -> str:
        if self._pattern is None:
            return text
        masked = self._pattern.sub(MASK, text)
        while self._repeat:
            again = self._pattern.sub(MASK, masked)
            if again == masked:
                break
            masked = again
        return masked


def _pieces(secret: str) -> Iterator[str]:
    yield secret
    lines = secret.splitlines()
    if lines == [secret]:
        return
    non_blank = [line.strip() for line in lines if line.strip()]
    if len(non_blank) == 1:
        # A value with a stray line break ("hunter2\n") is still one line once logged.
        yield non_blank[0]
        return
    yield from (line for line in non_blank if len(line) >= MIN_LINE_PIECE)


def _worth_masking(piece: str) -> bool:
    return bool(piece.replace("*", "").strip())
