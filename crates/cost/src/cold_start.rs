//! How often a Lambda invocation starts cold, as a function of traffic.
//!
//! The model, with λ the average requests per second and d the mean billed duration:
//!
//! - **Idle reclaim.** At low traffic one environment serves everything; it is reclaimed after
//!   `idle_timeout_s` without a request. With requests arriving at random (Poisson), the share of
//!   requests that find it gone is e^(−λ·idle_timeout).
//! - **Recycling.** Busy environments are replaced every `lifetime_s`; the λ·d environments in use
//!   (Little's law, at least one) each start cold once per lifetime: λ·d / lifetime cold starts a second.
//! - **The daily ramp.** The peak hour needs `peak_to_average` times the environments of the
//!   average; the extra ones start cold once a day.
//!
//! Lambda documents neither timeout; [`crate::assumptions`] says which figures stand in.

use crate::workload::ColdStarts;

const SECONDS_PER_DAY: f64 = 86_400.0;

/// Share of invocations that start cold at `requests_per_day`, with `duration_s` the mean warm duration.
pub fn rate(
    cold_starts: &ColdStarts,
    requests_per_day: f64,
    peak_to_average: f64,
    duration_s: f64,
) -> f64 {
    let per_second = requests_per_day / SECONDS_PER_DAY;
    if per_second <= 0.0 {
        return 1.0;
    }
    let reclaimed = (-per_second * cold_starts.idle_timeout_s).exp();
    let average = (per_second * duration_s).ceil().max(1.0);
    let peak = (per_second * peak_to_average * duration_s).ceil().max(1.0);
    let recycled = average / cold_starts.lifetime_s;
    let ramp = (peak - average) / SECONDS_PER_DAY;
    (reclaimed + (1.0 - reclaimed) * (recycled + ramp) / per_second).min(1.0)
}

/// Environments in use at the average rate (Little's law), for provisioned concurrency.
pub fn environments(requests_per_day: f64, duration_s: f64) -> f64 {
    requests_per_day / SECONDS_PER_DAY * duration_s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> ColdStarts {
        ColdStarts {
            idle_timeout_s: 420.0,
            lifetime_s: 7200.0,
        }
    }

    #[test]
    fn a_request_an_hour_mostly_finds_its_environment_reclaimed() {
        // P(the gap before a request exceeds 7 minutes) at one an hour: e^(−420/3600) = 0.890; of
        // the rest, an environment replaced every 2 hours is new for one request in two.
        let rate = rate(&model(), 24.0, 3.0, 0.01);

        let reclaimed = (-420.0f64 / 3600.0).exp();
        assert!(
            (rate - (reclaimed + (1.0 - reclaimed) * 0.5)).abs() < 1e-9,
            "{rate}"
        );
    }

    #[test]
    fn the_rate_falls_as_traffic_keeps_environments_warm() {
        let rates: Vec<f64> = [1e4, 1e5, 1e6, 1e7, 5e7]
            .iter()
            .map(|&per_day| rate(&model(), per_day, 3.0, 0.013))
            .collect();

        assert!(rates.windows(2).all(|pair| pair[1] < pair[0]), "{rates:?}");
        // 10K/day: one environment, warm between requests 8.6 s apart, recycled every 2 hours:
        // 1 / (7,200 × 0.1157) = 0.12%.
        assert!(
            (rates[0] - 1.0 / (7200.0 * 1e4 / 86_400.0)).abs() < 1e-4,
            "{}",
            rates[0]
        );
        assert!(rates[4] < 1e-4, "{}", rates[4]);
    }
}
