//! The orchestration settings every runner reads: `deploy/pipeline/settings.json`, embedded as
//! the default, also read by the CDK stack (Distributed Map) and the Helm chart (Argo).

use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// `deploy/pipeline/settings.json`, built in.
pub const DEFAULT_SETTINGS_JSON: &str = include_str!("../../../deploy/pipeline/settings.json");

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    /// Step Functions Distributed Map's `MaxConcurrency`: chunks in flight on AWS.
    pub max_concurrency: u32,
    /// Argo's `parallelism`: chunk pods at once; also `--via worker`'s process limit.
    pub parallelism: u32,
    pub retry: RetryPolicy,
    /// The share of chunks that may fail (after retries) with the run still succeeding.
    pub tolerated_failure_percentage: u32,
}

/// Step Functions' `Retry` fields, with its meaning: `maxAttempts` retries after the first
/// attempt, the n-th retry after `intervalSeconds × backoffRate^(n-1)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub interval_seconds: u32,
    pub backoff_rate: f64,
}

impl RetryPolicy {
    /// The wait before retry `n` (1-based).
    pub fn delay(&self, retry: u32) -> Duration {
        let factor = self.backoff_rate.powi(retry.saturating_sub(1) as i32);
        Duration::from_secs_f64(f64::from(self.interval_seconds) * factor)
    }

    /// Runs `attempt` (given the attempt's number, from 1) until it succeeds or `max_attempts`
    /// retries have failed too, waiting [`delay`](Self::delay) between; a final failure comes
    /// with the number of attempts made.
    pub async fn retry<T, E, F, Fut>(&self, mut attempt: F) -> Result<T, (E, u32)>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut number = 1;
        loop {
            match attempt(number).await {
                Ok(value) => return Ok(value),
                Err(err) if number > self.max_attempts => return Err((err, number)),
                Err(_) => {
                    tokio::time::sleep(self.delay(number)).await;
                    number += 1;
                }
            }
        }
    }
}

impl Settings {
    /// Parses a settings file's text, checking the values make sense.
    pub fn parse(text: &str) -> Result<Settings, String> {
        let settings: Settings = serde_json::from_str(text).map_err(|err| err.to_string())?;
        if settings.max_concurrency == 0 || settings.parallelism == 0 {
            return Err("maxConcurrency and parallelism must be at least 1".into());
        }
        if settings.tolerated_failure_percentage > 100 {
            return Err("toleratedFailurePercentage is a percentage (0-100)".into());
        }
        if !(settings.retry.backoff_rate >= 1.0 && settings.retry.backoff_rate <= 100.0) {
            return Err("retry.backoffRate must be between 1 and 100".into());
        }
        Ok(settings)
    }

    /// Whether a run with `failed` of `total` chunks failed still succeeds.
    pub fn tolerates(&self, failed: usize, total: usize) -> bool {
        failed * 100 <= self.tolerated_failure_percentage as usize * total
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings::parse(DEFAULT_SETTINGS_JSON).expect("deploy/pipeline/settings.json is valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_settings_file_parses_with_the_seeds_concurrency() {
        let settings = Settings::parse(DEFAULT_SETTINGS_JSON).unwrap();

        assert_eq!(settings.max_concurrency, 1000);
        assert!(settings.retry.max_attempts >= 1);
    }

    #[test]
    fn retries_back_off_by_the_rate() {
        let retry = RetryPolicy {
            max_attempts: 3,
            interval_seconds: 2,
            backoff_rate: 1.5,
        };

        assert_eq!(retry.delay(1), Duration::from_secs(2));
        assert_eq!(retry.delay(2), Duration::from_secs(3));
        assert_eq!(retry.delay(3), Duration::from_millis(4500));
    }

    #[test]
    fn failures_are_tolerated_up_to_the_percentage_and_not_above() {
        let settings = Settings {
            tolerated_failure_percentage: 10,
            ..Settings::default()
        };

        assert!(settings.tolerates(0, 20));
        assert!(settings.tolerates(2, 20));
        assert!(!settings.tolerates(3, 20));
    }

    #[test]
    fn nonsense_settings_are_refused_with_the_reason() {
        let text = DEFAULT_SETTINGS_JSON.replace("\"parallelism\": 20", "\"parallelism\": 0");
        let unknown = DEFAULT_SETTINGS_JSON.replace("\"parallelism\"", "\"parallelizm\"");

        assert!(Settings::parse(&text).unwrap_err().contains("parallelism"));
        assert!(
            Settings::parse(&unknown)
                .unwrap_err()
                .contains("parallelizm")
        );
    }
}
