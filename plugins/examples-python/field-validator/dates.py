"""Just enough ISO 8601 to compare dates: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`
(no offset means UTC) and a bare time of day `HH:MM[:SS[.fff]]`: the Rust example's grammar.
A moment is ("instant", ms since the epoch) or ("time_of_day", ms since midnight)."""

import re

DAY_MS = 86_400_000


# One regular expression per shape: under fuel, CPython's (C) regex engine costs far less than
# slicing and splitting in Python bytecode. The Rust grammar: `HH`, `MM`, `SS` and the offset's
# parts are runs of ASCII digits; the fraction's first three characters (padded with zeros)
# must be digits, the rest is ignored.
_CLOCK = r"([0-9]+):([0-9]+)(?::([0-9]+))?(?:\.(?:([0-9]{3})[^Zz+-]*|([0-9]{0,2})))?(?:[Zz]|([+-])([0-9]+)(?::([0-9]+))?)?"
_TIME = re.compile(_CLOCK)
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]" + _CLOCK + ")?", re.DOTALL)


def parse(text: str):
    text = text.strip()
    if len(text) >= 5 and text[2] == ":":
        t = _TIME.fullmatch(text)
        ms = t and _clock(t.groups(), 0)
        return None if ms is None else ("time_of_day", ms[0])
    d = _DATE.fullmatch(text)
    if d is None:
        return None
    g = d.groups()
    y, m, day = int(g[0]), int(g[1]), int(g[2])
    if not 1 <= m <= 12 or not 1 <= day <= _days_in_month(y, m):
        return None
    ms = _days_from_civil(y, m, day) * DAY_MS
    if g[3] is not None:
        t = _clock(g, 3)
        if t is None:
            return None
        ms += t[0] - t[1]
    return ("instant", ms)


def _time_of_day(m):
    return m[1] % DAY_MS if m[0] == "instant" else m[1]


def compare(m, bound) -> int:
    """Orders `m` against `bound` (-1, 0, 1); a time-of-day bound compares times of day."""
    a, b = (m[1], bound[1]) if m[0] == bound[0] == "instant" else (_time_of_day(m), _time_of_day(bound))
    return (a > b) - (a < b)


def _clock(g, i):
    """The _CLOCK groups from index `i`, as (ms since midnight, offset in ms)."""
    h, m, s = int(g[i]), int(g[i + 1]), 0 if g[i + 2] is None else int(g[i + 2])
    if h > 23 or m > 59 or s > 60:
        return None
    millis = int(g[i + 3]) if g[i + 3] is not None else int((g[i + 4] + "00")[:3]) if g[i + 4] else 0
    offset = 0
    if g[i + 5] is not None:
        offset = (-1 if g[i + 5] == "-" else 1) * (int(g[i + 6]) * 3_600_000 + int(g[i + 7] or 0) * 60_000)
    return ((h * 3600 + m * 60 + s) * 1000 + millis, offset)


def _days_in_month(y, m):
    if m == 2:
        return 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28
    return 30 if m in (4, 6, 9, 11) else 31


def _days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    y = y - 1 if m <= 2 else y
    era = y // 400
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468
