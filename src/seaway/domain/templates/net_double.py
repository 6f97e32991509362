"""Reading and writing doubles the way .NET does under the invariant culture.

Calc results, JSON numbers and `AddHours` amounts are doubles in Octostache, and their text has to
match what .NET prints: the shortest round-trip digits, with scientific notation from 1E+15 upwards
and from 1E-05 downwards (`1E+16`, `1E-05`), and `Infinity`/`NaN` for the special values.
"""

from __future__ import annotations

import math
import re

from seaway.domain.templates.names import WHITESPACE_CHARS

# NumberStyles.Float | AllowThousands: sign, digits with group separators, fraction, exponent.
_FLOAT = re.compile(r"[+-]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# NumberStyles.Float (no thousands separators), as used for invariant amounts.
_PLAIN_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SPECIAL = {
    "nan": math.nan,
    "infinity": math.inf,
    "+infinity": math.inf,
    "-infinity": -math.inf,
    "∞": math.inf,
    "+∞": math.inf,
    "-∞": -math.inf,
}


def parse_double(text: str, *, thousands: bool = True) -> float | None:
    """`double.TryParse` with the invariant culture; None when the text is not a number."""
    body = text.strip(WHITESPACE_CHARS)
    special = _SPECIAL.get(body.lower())
    if special is not None:
        return special
    pattern = _FLOAT if thousands else _PLAIN_FLOAT
    if not pattern.fullmatch(body):
        return None
    return float(body.replace(",", ""))


def format_double(value: float) -> str:
    """`double.ToString()` under the invariant culture (.NET Core 3.0 and later)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    digits, exponent = shortest_digits(value)
    sign = "-" if value < 0 else ""
    # `exponent` is the power of ten of the first digit.
    if exponent >= 15 or exponent < -4:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}E{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
    whole = digits[: exponent + 1].ljust(exponent + 1, "0")
    fraction = digits[exponent + 1 :]
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"


def shortest_digits(value: float) -> tuple[str, int]:
    """The shortest digits that round-trip `value`, and the decimal exponent of the first digit."""
    text = repr(abs(value))
    mantissa, _, exp_text = text.partition("e")
    exponent = int(exp_text) if exp_text else 0
    whole, _, fraction = mantissa.partition(".")
    if fraction == "0":
        fraction = ""
    digits = (whole + fraction).lstrip("0")
    leading_zeros = len(whole + fraction) - len(digits)
    exponent += len(whole) - 1 - leading_zeros
    digits = digits.rstrip("0") or "0"
    return digits, exponent


_INT = re.compile(r"[+-]?[0-9]+")


def parse_int32(text: str) -> int | None:
    """`int.TryParse` with the invariant culture: surrounding whitespace and a sign are allowed."""
    body = text.strip(WHITESPACE_CHARS)
    if not _INT.fullmatch(body):
        return None
    value = int(body)
    return value if -(2**31) <= value < 2**31 else None
