//! The one clock: instants truncated to milliseconds, written as RFC 3339 UTC with three fractional digits.

use std::fmt;

use chrono::{DateTime, Datelike, SecondsFormat, TimeZone, Utc};

/// An instant with millisecond precision; the only time type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// Milliseconds since the Unix epoch. Values outside chrono's range are clamped.
    pub fn from_millis(millis: i64) -> Self {
        let clamped = millis.clamp(
            DateTime::<Utc>::MIN_UTC.timestamp_millis(),
            DateTime::<Utc>::MAX_UTC.timestamp_millis(),
        );
        Timestamp(clamped)
    }

    pub fn as_millis(self) -> i64 {
        self.0
    }

    pub fn to_datetime(self) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(self.0)
            .single()
            .expect("from_millis keeps the value in range")
    }

    pub fn from_datetime(dt: DateTime<Utc>) -> Self {
        Timestamp(dt.timestamp_millis())
    }

    pub fn parse(text: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|dt| Timestamp(dt.with_timezone(&Utc).timestamp_millis()))
    }

    /// `(year, month)` in UTC, month 1–12.
    pub fn year_month(self) -> (i32, u32) {
        let dt = self.to_datetime();
        (dt.year(), dt.month())
    }

    pub fn plus_millis(self, millis: i64) -> Self {
        Timestamp::from_millis(self.0.saturating_add(millis))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            &self
                .to_datetime()
                .to_rfc3339_opts(SecondsFormat::Millis, true),
        )
    }
}

/// Where "now" comes from; tests substitute a fixed clock.
pub trait Clock: Clone + Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp::from_millis(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_exactly_three_fractional_digits() {
        assert_eq!(
            Timestamp::from_millis(0).to_string(),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            Timestamp::from_millis(1_795_756_381_123).to_string(),
            "2026-11-27T05:13:01.123Z"
        );
    }

    #[test]
    fn parse_round_trips_display() {
        let t = Timestamp::from_millis(1_795_756_381_007);
        assert_eq!(Timestamp::parse(&t.to_string()), Some(t));
    }
}
