"""Just enough ISO 8601 to compare dates: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`
(no offset means UTC) and a bare time of day `HH:MM[:SS[.fff]]`: the Rust example's grammar.
A moment is ("instant", ms since the epoch) or ("time_of_day", ms since midnight)."""

DAY_MS = 86_400_000


def parse(text: str):
    text = text.strip()
    if len(text) >= 5 and text[2] == ":":
        t = _time(text)
        return t and ("time_of_day", t[0])
    days = _date(text[:10])
    if days is None:
        return None
    ms, rest = days * DAY_MS, text[10:]
    if rest[:1] in ("T", " ") and rest:
        t = _time(rest[1:])
        if t is None:
            return None
        ms += t[0] - t[1]
    elif rest:
        return None
    return ("instant", ms)


def _time_of_day(m):
    return m[1] % DAY_MS if m[0] == "instant" else m[1]


def compare(m, bound) -> int:
    """Orders `m` against `bound` (-1, 0, 1); a time-of-day bound compares times of day."""
    a, b = (m[1], bound[1]) if m[0] == bound[0] == "instant" else (_time_of_day(m), _time_of_day(bound))
    return (a > b) - (a < b)


def _num(s):
    return int(s) if s and s.isascii() and s.isdigit() else None


def _date(date):
    if len(date) != 10 or date[4] != "-" or date[7] != "-":
        return None
    y, m, d = _num(date[0:4]), _num(date[5:7]), _num(date[8:10])
    if y is None or m is None or d is None or not 1 <= m <= 12 or not 1 <= d <= _days_in_month(y, m):
        return None
    return _days_from_civil(y, m, d)


def _time(time):
    split = next((i for i, c in enumerate(time) if c in "Zz+-"), len(time))
    clock, zone = time[:split], time[split:]
    offset = 0
    if zone not in ("", "Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        h, _, m = zone[1:].partition(":")
        h, m = _num(h), _num(m) if m else 0
        if h is None or m is None:
            return None
        offset = sign * (h * 3_600_000 + m * 60_000)
    hms, _, fraction = clock.partition(".")
    parts = hms.split(":")
    if not 2 <= len(parts) <= 3:
        return None
    h, m = _num(parts[0]), _num(parts[1])
    s = _num(parts[2]) if len(parts) == 3 else 0
    if h is None or m is None or s is None or h > 23 or m > 59 or s > 60:
        return None
    millis = 0
    if fraction:
        millis = _num((fraction + "000")[:3])
        if millis is None:
            return None
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
