"""`int`, `double` and `decimal` `.ToString(format)` under the invariant culture.

Standard formats are a letter and an optional precision (`C`, `D5`, `E`, `F2`, `G`, `N0`, `P`,
`R`, `X8`); anything else is a custom format (`#,##0.00`, `0.###E+0`, `0.00;(0.00);zero`). The
invariant culture's currency symbol is `¤`. A format .NET rejects raises `FormatError`.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from typing import Literal

from seaway.domain.templates.filters.net_date_format import FormatError
from seaway.domain.templates.net_double import format_double

NumberKind = Literal["int", "double", "decimal"]
Number = int | float | Decimal

_STANDARD = re.compile(r"([A-Za-z])([0-9]{0,9})")
_MAX_PRECISION = 1000  # .NET allows up to 999,999,999 digits; beyond this it is only a way to exhaust memory


def format_number(value: Number, kind: NumberKind, fmt: str) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return format_double(value)
    standard = _STANDARD.fullmatch(fmt or "G")
    if standard:
        letter, digits = standard.groups()
        precision = int(digits) if digits else None
        if precision is not None and precision > _MAX_PRECISION:
            raise FormatError(fmt)
        return _standard(value, kind, letter, precision)
    return _custom(value, kind, fmt)


def _exact(value: Number) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def _round(value: Decimal, places: int) -> Decimal:
    with localcontext() as context:
        context.prec = max(60, len(value.as_tuple().digits) + places + 5)
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _significant(value: Decimal, digits: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    if value == 0:
        return Decimal(0)
    exponent = value.adjusted() - digits + 1
    with localcontext() as context:
        context.prec = max(60, digits + 5)
        return value.quantize(Decimal(1).scaleb(exponent), rounding=rounding)


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    return ",".join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


def _fixed(value: Decimal, places: int, grouping: bool = False) -> str:
    rounded = abs(_round(value, places))
    whole, _, fraction = f"{rounded:f}".partition(".")
    if grouping:
        whole = _group(whole)
    return whole + ("." + fraction.ljust(places, "0") if places else "")


def _scientific(value: Decimal, mantissa_digits: int, letter: str, exponent_digits: int) -> str:
    rounded = _significant(abs(value), mantissa_digits)
    exponent = rounded.adjusted() if rounded else 0
    digits = "".join(map(str, rounded.as_tuple().digits)).ljust(mantissa_digits, "0")[:mantissa_digits]
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    sign = "-" if exponent < 0 else "+"
    return f"{mantissa}{letter}{sign}{abs(exponent):0{exponent_digits}d}"


def _general(value: Number, kind: NumberKind, precision: int | None, letter: str) -> str:
    exact = _exact(value)
    if precision is None or precision == 0:
        if kind == "double":
            assert isinstance(value, float)
            return format_double(value)
        return f"{exact:f}"
    rounded = _significant(exact, precision)
    exponent = rounded.adjusted() if rounded else 0
    if exponent >= precision or exponent < -4:
        text = _scientific(exact, precision, "E" if letter == "G" else "e", 2)
        mantissa, _, tail = text.partition("E" if letter == "G" else "e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        return ("-" if exact < 0 else "") + mantissa + ("E" if letter == "G" else "e") + tail
    text = f"{abs(rounded):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return ("-" if exact < 0 and rounded != 0 else "") + text


def _standard(value: Number, kind: NumberKind, letter: str, precision: int | None) -> str:
    upper = letter.upper()
    exact = _exact(value)
    negative = exact < 0
    if upper == "R":
        if kind != "double":
            raise FormatError("R")
        assert isinstance(value, float)
        return format_double(value)
    if upper in "DX":
        if kind != "int":
            raise FormatError(letter)
        assert isinstance(value, int)
        if upper == "X":
            text = f"{value & 0xFFFFFFFF:x}" if value < 0 else f"{value:x}"
            return (text.upper() if letter == "X" else text).rjust(precision or 0, "0")
        return ("-" if value < 0 else "") + str(abs(value)).rjust(precision or 0, "0")
    if upper == "G":
        return _general(value, kind, precision, letter)
    if upper == "E":
        return ("-" if negative else "") + _scientific(exact, (6 if precision is None else precision) + 1, letter, 3)
    places = 2 if precision is None else precision
    if upper == "F":
        return ("-" if negative else "") + _fixed(exact, places)
    if upper == "N":
        return ("-" if negative else "") + _fixed(exact, places, grouping=True)
    if upper == "C":
        body = "¤" + _fixed(exact, places, grouping=True)
        return f"({body})" if negative else body
    if upper == "P":
        body = _fixed(exact * 100, places, grouping=True) + " %"
        return "-" + body if negative else body
    raise FormatError(letter)


# -- custom formats -------------------------------------------------------------------------------


def _sections(fmt: str) -> list[str]:
    sections, current, i = [], [], 0
    while i < len(fmt):
        c = fmt[i]
        if c in "'\"":
            end = fmt.find(c, i + 1)
            end = len(fmt) - 1 if end < 0 else end
            current.append(fmt[i : end + 1])
            i = end + 1
            continue
        if c == "\\" and i + 1 < len(fmt):
            current.append(fmt[i : i + 2])
            i += 2
            continue
        if c == ";":
            sections.append("".join(current))
            current = []
        else:
            current.append(c)
        i += 1
    sections.append("".join(current))
    return sections[:3]


def _custom(value: Number, kind: NumberKind, fmt: str) -> str:
    exact = _exact(value)
    if kind == "double":
        # .NET formats a double with a custom format from its first 15 significant digits.
        exact = _significant(exact, 15, ROUND_HALF_EVEN)
    sections = _sections(fmt)
    section = sections[0]
    negative = exact < 0
    if len(sections) > 1:
        if negative and sections[1]:
            section = sections[1]
        elif len(sections) == 3 and sections[2] and _layout(sections[0]).rounded(exact) == 0:
            section = sections[2]
    layout = _layout(section)
    text = layout.render(abs(exact))
    if negative and section is sections[0] and layout.rounded(exact) != 0:
        text = "-" + text
    return text


class _Layout:
    """A custom format section, read once: where its digits go and how the number is scaled."""

    def __init__(self, section: str) -> None:
        self.parts: list[tuple[str, str]] = []  # (kind, text): literal, int, frac, point, exp
        self.int_places = self.int_zeros_from = self.frac_places = self.frac_zeros = 0
        self.grouping = False
        self.scale = Decimal(1)
        self.exponent: tuple[str, int] | None = None  # (sign mode, minimum digits)
        self._read(section)

    def _read(self, section: str) -> None:  # noqa: C901 - a small state machine over the format
        seen_point = False
        pending_commas = 0
        first_zero = None
        i = 0
        while i < len(section):
            c = section[i]
            if c in "0#":
                if pending_commas and not seen_point and self.int_places:
                    self.grouping = True
                pending_commas = 0
                if seen_point:
                    self.frac_places += 1
                    if c == "0":
                        self.frac_zeros = self.frac_places
                    self.parts.append(("frac", c))
                else:
                    if c == "0" and first_zero is None:
                        first_zero = self.int_places
                    self.int_places += 1
                    self.parts.append(("int", c))
            elif c == "." and not seen_point and self.exponent is None:
                self.scale /= Decimal(1000) ** pending_commas
                pending_commas = 0
                seen_point = True
                self.parts.append(("point", "."))
            elif c == "," and not seen_point:
                pending_commas += 1
            elif c in "eE" and (self.int_places or self.frac_places) and self._exponent_at(section, i):
                sign_mode = section[i + 1] if section[i + 1] in "+-" else ""
                start = i + 1 + len(sign_mode)
                end = start
                while end < len(section) and section[end] == "0":
                    end += 1
                self.exponent = (sign_mode, end - start)
                self.parts.append(("exp", c))
                i = end
                continue
            elif c in "'\"":
                end = section.find(c, i + 1)
                end = len(section) if end < 0 else end
                self.parts.append(("literal", section[i + 1 : end]))
                i = end + 1
                continue
            elif c == "\\":
                self.parts.append(("literal", section[i + 1 : i + 2]))
                i += 2
                continue
            else:
                if c == "%":
                    self.scale *= 100
                elif c == "‰":
                    self.scale *= 1000
                self.parts.append(("literal", c))
            i += 1
        if not seen_point:
            self.scale /= Decimal(1000) ** pending_commas
        self.int_zeros_from = self.int_places - first_zero if first_zero is not None else 0

    @staticmethod
    def _exponent_at(section: str, i: int) -> bool:
        j = i + 1
        if j < len(section) and section[j] in "+-":
            j += 1
        return j < len(section) and section[j] == "0"

    def rounded(self, value: Decimal) -> Decimal:
        if self.exponent is not None:
            return value
        return _round(value * self.scale, self.frac_places)

    def render(self, value: Decimal) -> str:
        exponent_text = ""
        scaled = value * self.scale
        if self.exponent is not None:
            sign_mode, min_digits = self.exponent
            whole_digits = max(self.int_places, 1)
            shift = (scaled.adjusted() - whole_digits + 1) if scaled else 0
            mantissa = _round(scaled.scaleb(-shift), self.frac_places)
            if mantissa and mantissa.adjusted() >= whole_digits:
                shift += 1
                mantissa = _round(scaled.scaleb(-shift), self.frac_places)
            sign = "-" if shift < 0 else ("+" if sign_mode == "+" else "")
            exponent_text = f"{sign}{abs(shift):0{min_digits}d}"
            scaled = mantissa
        rounded = _round(scaled, self.frac_places)
        whole, _, fraction = f"{rounded:f}".partition(".")
        whole = whole.lstrip("0")
        fraction = fraction.rstrip("0").ljust(self.frac_zeros, "0")
        whole = whole.rjust(self.int_zeros_from, "0")
        return self._emit(whole, fraction, exponent_text)

    def _integer_digit(self, whole: str, seen: int) -> str:
        """What the integer placeholder after `seen` others writes."""
        if self.grouping:
            # Grouped digits are written together, at the first placeholder.
            return _group(whole) if whole and seen == 0 else ""
        remaining = self.int_places - seen
        if seen == 0 and len(whole) > remaining:
            return whole[: len(whole) - remaining + 1]
        return whole[len(whole) - remaining] if len(whole) >= remaining else ""

    def _emit(self, whole: str, fraction: str, exponent_text: str) -> str:
        out: list[str] = []
        int_seen = frac_seen = 0
        for kind, text in self.parts:
            if kind == "int":
                out.append(self._integer_digit(whole, int_seen))
                int_seen += 1
            elif kind == "frac":
                if frac_seen < len(fraction):
                    out.append(fraction[frac_seen])
                frac_seen += 1
            elif kind == "point":
                if fraction:
                    out.append(".")
            elif kind == "exp":
                out.append(text + exponent_text)
            else:
                out.append(text)
        return "".join(out)


def _layout(section: str) -> _Layout:
    return _Layout(section)
