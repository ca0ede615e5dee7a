//! `REQUEST_TIMEOUT_MS`, one rule for both twins: whole milliseconds, at least 100, 10000 when
//! unset. The server's clap parses it with [`FromStr`](std::str::FromStr); the Lambda, which has no
//! command line, with [`RequestTimeout::from_env`]. Either way a bad value is refused with
//! [`InvalidRequestTimeout`]'s message.

use std::env::VarError;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A request still running after this answers 503 `unavailable`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestTimeout(Duration);

impl RequestTimeout {
    pub const ENV: &str = "REQUEST_TIMEOUT_MS";
    const MIN_MS: u64 = 100;
    const DEFAULT_MS: u64 = 10_000;

    pub fn from_millis(ms: u64) -> Result<Self, InvalidRequestTimeout> {
        if ms < Self::MIN_MS {
            return Err(InvalidRequestTimeout);
        }
        Ok(Self(Duration::from_millis(ms)))
    }

    /// `REQUEST_TIMEOUT_MS` from the environment, the default when it is unset; set, even empty, it
    /// must keep the rule (as clap reads it for the server).
    pub fn from_env() -> Result<Self, InvalidRequestTimeout> {
        match std::env::var(Self::ENV) {
            Ok(text) => text.parse(),
            Err(VarError::NotPresent) => Ok(Self::default()),
            Err(VarError::NotUnicode(_)) => Err(InvalidRequestTimeout),
        }
    }

    pub fn duration(self) -> Duration {
        self.0
    }
}

impl Default for RequestTimeout {
    fn default() -> Self {
        Self(Duration::from_millis(Self::DEFAULT_MS))
    }
}

impl FromStr for RequestTimeout {
    type Err = InvalidRequestTimeout;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let ms = text.trim().parse().map_err(|_| InvalidRequestTimeout)?;
        Self::from_millis(ms)
    }
}

/// Milliseconds, as it is written: clap shows it as the default.
impl fmt::Display for RequestTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.as_millis())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub struct InvalidRequestTimeout;

/// The rule itself, which is what a `main` returning this error prints.
impl fmt::Debug for InvalidRequestTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for InvalidRequestTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} must be a whole number of milliseconds, at least {}",
            RequestTimeout::ENV,
            RequestTimeout::MIN_MS
        )
    }
}

impl std::error::Error for InvalidRequestTimeout {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_ten_seconds_and_reads_back_as_written() {
        assert_eq!(
            RequestTimeout::default().duration(),
            Duration::from_secs(10)
        );
        assert_eq!(RequestTimeout::default().to_string(), "10000");
        assert_eq!("10000".parse(), Ok(RequestTimeout::default()));
    }

    #[test]
    fn whole_milliseconds_from_100_up_are_taken() {
        assert_eq!(
            "100".parse::<RequestTimeout>().unwrap().duration(),
            Duration::from_millis(100)
        );
        assert_eq!(
            " 2500 ".parse::<RequestTimeout>().unwrap().duration(),
            Duration::from_millis(2500)
        );
    }

    #[test]
    fn anything_else_is_refused() {
        for text in ["99", "0", "-1", "1.5", "10s", "", "ten"] {
            assert_eq!(
                text.parse::<RequestTimeout>(),
                Err(InvalidRequestTimeout),
                "{text:?}"
            );
        }
        assert_eq!(
            InvalidRequestTimeout.to_string(),
            "REQUEST_TIMEOUT_MS must be a whole number of milliseconds, at least 100"
        );
    }
}
