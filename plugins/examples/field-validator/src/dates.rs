//! Just enough ISO 8601 to compare dates: `YYYY-MM-DD`,
//! `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]` (no offset means UTC) and a bare
//! time of day `HH:MM[:SS[.fff]]`.

/// A parsed moment: an instant or, for bare times, a time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// Milliseconds since the Unix epoch, UTC.
    Instant(i64),
    /// Milliseconds since midnight.
    TimeOfDay(i64),
}

const DAY_MS: i64 = 86_400_000;

impl Moment {
    /// The time of day (UTC) of this moment, in milliseconds since midnight.
    pub fn time_of_day(self) -> i64 {
        match self {
            Moment::Instant(ms) => ms.rem_euclid(DAY_MS),
            Moment::TimeOfDay(ms) => ms,
        }
    }

    /// Orders `self` against `bound`; a time-of-day bound compares times of day.
    pub fn cmp_to(self, bound: Moment) -> std::cmp::Ordering {
        match (self, bound) {
            (Moment::Instant(a), Moment::Instant(b)) => a.cmp(&b),
            (a, b) => a.time_of_day().cmp(&b.time_of_day()),
        }
    }
}

/// Parses a date, a date-time or a bare time of day.
pub fn parse(text: &str) -> Option<Moment> {
    let text = text.trim();
    if text.len() >= 5 && text.as_bytes()[2] == b':' {
        return parse_time(text).map(|(ms, _)| Moment::TimeOfDay(ms));
    }
    let (date, rest) = text.split_at(text.len().min(10));
    let days = parse_date(date)?;
    let mut ms = days * DAY_MS;
    if let Some(time) = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' ')) {
        let (time_ms, offset_ms) = parse_time(time)?;
        ms += time_ms - offset_ms;
    } else if !rest.is_empty() {
        return None;
    }
    Some(Moment::Instant(ms))
}

/// `YYYY-MM-DD` as days since 1970-01-01.
fn parse_date(date: &str) -> Option<i64> {
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (num(&date[0..4])?, num(&date[5..7])?, num(&date[8..10])?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// `HH:MM[:SS[.fff]][Z|±HH:MM]` as (milliseconds since midnight, offset in ms).
fn parse_time(time: &str) -> Option<(i64, i64)> {
    let split = time.find(['Z', 'z', '+', '-']).unwrap_or(time.len());
    let (clock, zone) = time.split_at(split);
    let offset = match zone {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (h, m) = zone[1..].split_once(':').unwrap_or((&zone[1..], "00"));
            sign * (num(h)? * 3_600_000 + num(m)? * 60_000)
        }
    };
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let mut parts = hms.split(':');
    let h = num(parts.next()?)?;
    let m = num(parts.next()?)?;
    let s = parts.next().map_or(Some(0), num)?;
    if parts.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let millis = if fraction.is_empty() {
        0
    } else {
        let digits: String = fraction.chars().chain("000".chars()).take(3).collect();
        num(&digits)?
    };
    Some(((h * 3600 + m * 60 + s) * 1000 + millis, offset))
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_seed_shapes() {
        assert_eq!(parse("1970-01-02"), Some(Moment::Instant(DAY_MS)));
        assert_eq!(
            parse("2024-05-07T21:02:00.000Z"),
            Some(Moment::Instant(1_715_115_720_000))
        );
        assert_eq!(
            parse("2024-05-08T00:02:00+03:00"),
            parse("2024-05-07T21:02:00Z")
        );
        assert_eq!(parse("09:30"), Some(Moment::TimeOfDay(34_200_000)));
    }

    #[test]
    fn refuses_nonsense() {
        for bad in [
            "",
            "2024-13-01",
            "2023-02-29",
            "2024-05-07T25:00",
            "yesterday",
            "2024-05-07X",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
