//! ISO 8601 parsing for date values, time intervals and date bounds.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};

/// An ISO 8601 instant as a UTC date-time: RFC 3339 (`2024-05-07T21:02:00.000Z`, any offset), a
/// date-time without offset (taken as UTC) or a date (midnight).
pub fn parse_instant(s: &str) -> Option<NaiveDateTime> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.naive_utc());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, format) {
            return Some(dt);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.and_time(NaiveTime::MIN))
}

/// A time of day `HH:MM` or `HH:MM:SS[.fff]`.
pub fn parse_time_of_day(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
        .ok()
}

/// The time of day of a `time` field's `fullDate`: an instant's UTC time, or a bare time of day.
pub fn time_of_day(s: &str) -> Option<NaiveTime> {
    parse_instant(s)
        .map(|dt| dt.time())
        .or_else(|| parse_time_of_day(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_seed_shapes_and_refuses_others() {
        assert!(parse_instant("2024-05-07T21:02:00.000Z").is_some());
        assert!(parse_instant("2024-05-07T21:02:00+03:00").is_some());
        assert!(parse_instant("2024-05-07").is_some());
        assert!(parse_instant("08-05-2024 00:02").is_none());
        assert!(parse_instant("2024-02-30").is_none());
        assert_eq!(
            time_of_day("2024-05-07T10:30:00Z"),
            NaiveTime::from_hms_opt(10, 30, 0)
        );
        assert_eq!(time_of_day("09:15"), NaiveTime::from_hms_opt(9, 15, 0));
        assert!(time_of_day("25:00").is_none());
    }
}
