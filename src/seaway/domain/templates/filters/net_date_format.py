"""`DateTime.ToString(format)` and `DateTimeOffset.ToString(format)` under the invariant culture.

Standard formats are one letter (`d`, `D`, `f`, `F`, `g`, `G`, `M`, `O`, `R`, `s`, `t`, `T`, `u`,
`U`, `Y`); anything longer is a custom format (`yyyy-MM-dd HH:mm:ss`, `HH dd-MMM-yyy`, `zz`). A
format .NET rejects raises `FormatError`.
"""

from __future__ import annotations

from datetime import timedelta, tzinfo

from seaway.domain.templates.filters.net_dates import DAYS, MONTHS, NetDate, local_offset


class FormatError(ValueError):
    pass


_STANDARD = {
    "d": "MM/dd/yyyy",
    "D": "dddd, dd MMMM yyyy",
    "f": "dddd, dd MMMM yyyy HH:mm",
    "F": "dddd, dd MMMM yyyy HH:mm:ss",
    "g": "MM/dd/yyyy HH:mm",
    "G": "MM/dd/yyyy HH:mm:ss",
    "m": "MMMM dd",
    "M": "MMMM dd",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
    "t": "HH:mm",
    "T": "HH:mm:ss",
    "y": "yyyy MMMM",
    "Y": "yyyy MMMM",
}


def _to_utc(value: NetDate, local: tzinfo) -> NetDate:
    if value.offset is not None:
        return NetDate(value.wall - value.offset, "utc", timedelta(0), value.tick)
    if value.kind == "utc":
        return value
    instant = value.wall - local_offset(value.wall, local)
    return NetDate(instant, "utc", None, value.tick)


def format_date(value: NetDate, fmt: str, local: tzinfo) -> str:
    if fmt == "":
        fmt = "G"
    if len(fmt) == 1:
        if fmt in "oO":
            fmt = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff" + ("zzz" if value.offset is not None else "K")
        elif fmt in "rRu":
            # A DateTimeOffset is converted to UTC first; a DateTime is printed as it is.
            if value.offset is not None:
                value = _to_utc(value, local)
            fmt = "yyyy'-'MM'-'dd HH':'mm':'ss'Z'" if fmt == "u" else "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'"
        elif fmt == "U":
            if value.offset is not None:
                raise FormatError(fmt)
            value, fmt = _to_utc(value, local), "dddd, dd MMMM yyyy HH:mm:ss"
        elif fmt in _STANDARD:
            fmt = _STANDARD[fmt]
        else:
            raise FormatError(fmt)
    return _custom(value, fmt, local)


def _offset(value: NetDate, local: tzinfo) -> timedelta:
    if value.offset is not None:
        return value.offset
    if value.kind == "utc":
        return timedelta(0)
    return local_offset(value.wall, local)


def _offset_text(offset: timedelta, width: int) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    if width == 1:
        return f"{sign}{hours}"
    if width == 2:
        return f"{sign}{hours:02d}"
    return f"{sign}{hours:02d}:{minutes:02d}"


def _repeat(fmt: str, i: int) -> int:
    j = i
    while j < len(fmt) and fmt[j] == fmt[i]:
        j += 1
    return j - i


def _quoted(fmt: str, i: int) -> tuple[str, int]:
    quote, j, text = fmt[i], i + 1, []
    while j < len(fmt) and fmt[j] != quote:
        if fmt[j] == "\\" and j + 1 < len(fmt):
            j += 1
        text.append(fmt[j])
        j += 1
    if j >= len(fmt):
        raise FormatError("unterminated quote")
    return "".join(text), j + 1


def _fraction(value: NetDate, digits: int, trim: bool, out: list[str]) -> None:
    if digits > 7:
        raise FormatError("too many fraction digits")
    text = f"{value.wall.microsecond:06d}{value.tick}"[:digits]
    if trim:
        text = text.rstrip("0")
        if not text and out and out[-1].endswith("."):
            out[-1] = out[-1][:-1]
    out.append(text)


def _custom(value: NetDate, fmt: str, local: tzinfo) -> str:  # noqa: C901 - one branch per specifier, as .NET has
    wall = value.wall
    out: list[str] = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        count = _repeat(fmt, i) if c.isalpha() else 1
        if c == "d":
            out.append(f"{wall.day:0{count}d}" if count <= 2 else DAYS[wall.weekday()][: 3 if count == 3 else None])
        elif c == "M":
            out.append(f"{wall.month:0{count}d}" if count <= 2 else MONTHS[wall.month - 1][: 3 if count == 3 else None])
        elif c == "y":
            out.append(f"{wall.year % 100:0{count}d}" if count <= 2 else f"{wall.year:0{count}d}")
        elif c in "hHms":
            number = {"h": wall.hour % 12 or 12, "H": wall.hour, "m": wall.minute, "s": wall.second}[c]
            out.append(f"{number:0{min(count, 2)}d}")
        elif c in "fF":
            _fraction(value, count, c == "F", out)
        elif c == "t":
            designator = "AM" if wall.hour < 12 else "PM"
            out.append(designator[:1] if count == 1 else designator)
        elif c == "g":
            out.append("A.D.")
        elif c == "z":
            out.append(_offset_text(_offset(value, local), min(count, 3)))
        elif c == "K":
            count = 1
            if value.offset is not None or value.kind == "local":
                out.append(_offset_text(_offset(value, local), 3))
            elif value.kind == "utc":
                out.append("Z")
        elif c in "'\"":
            text, i = _quoted(fmt, i)
            out.append(text)
            continue
        elif c == "%":
            if i + 1 >= len(fmt) or fmt[i + 1] == "%":
                raise FormatError("bad %")
            out.append(_custom(value, fmt[i + 1], local) if fmt[i + 1].isalpha() else fmt[i + 1])
            i += 2
            continue
        elif c == "\\":
            if i + 1 >= len(fmt):
                raise FormatError("trailing backslash")
            out.append(fmt[i + 1])
            i += 2
            continue
        else:
            out.append(c)
        i += count
    return "".join(out)
