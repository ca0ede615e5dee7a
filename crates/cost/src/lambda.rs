//! What one Lambda invocation is billed for.
//!
//! Lambda bills duration rounded up to the millisecond, and bills the INIT phase too: its pricing page
//! says duration charges apply to initialization code declared outside the handler (custom runtimes
//! such as `provided.al2023` always were billed for it). A function gets a share of a
//! vCPU proportional to its memory — one full vCPU at 1,769 MB — so a duration measured on a full core
//! must have its CPU-bound part stretched, while time spent waiting on DynamoDB does not change.

use crate::cold_start;
use crate::workload::{Lambda, LambdaTiming};

/// Memory at which a function has the equivalent of one vCPU.
pub const MB_PER_VCPU: f64 = 1769.0;

/// The share of one core a function gets. A single-threaded handler gains nothing above one vCPU.
pub fn cpu_share(memory_mb: f64) -> f64 {
    (memory_mb / MB_PER_VCPU).min(1.0)
}

/// Duration as billed: rounded up to the next millisecond.
pub fn billed_ms(duration_ms: f64) -> f64 {
    duration_ms.ceil().max(1.0)
}

/// What rounding each invocation up to the millisecond adds to a mean duration that was not
/// rounded per invocation: durations spread over more than a millisecond leave fractions spread
/// evenly over (0, 1), so half a millisecond on average (an assumption, stated with the figure).
pub const ROUNDING_MS: f64 = 0.5;

/// Billed milliseconds of the mean invocation at a traffic.
#[derive(Clone, Debug, PartialEq)]
pub struct Billed {
    pub warm_ms: f64,
    pub init_ms: f64,
    pub cold_start_rate: f64,
    /// Whether `warm_ms` is a mean of per-invocation billed durations (measured on Lambda), or a
    /// mean duration with [`ROUNDING_MS`] added.
    pub measured: bool,
}

impl Billed {
    pub fn of(lambda: &Lambda, requests_per_day: f64, peak_to_average: f64) -> Billed {
        let (warm_ms, init_ms, measured) = match lambda.timing {
            LambdaTiming::Local {
                cpu_ms,
                io_ms,
                init_ms,
            } => (
                cpu_ms / cpu_share(lambda.memory_mb) + io_ms + ROUNDING_MS,
                billed_ms(init_ms),
                false,
            ),
            // Already billed figures (means of rounded-up durations): rounding again would double count.
            LambdaTiming::OnLambda {
                warm_billed_ms,
                init_billed_ms,
            } => (warm_billed_ms, init_billed_ms, true),
        };
        Billed {
            warm_ms,
            init_ms,
            cold_start_rate: cold_start::rate(
                &lambda.cold_starts,
                requests_per_day,
                peak_to_average,
                warm_ms / 1000.0,
            ),
            measured,
        }
    }

    /// Mean billed milliseconds per invocation, cold starts included.
    pub fn mean_ms(&self) -> f64 {
        self.warm_ms + self.cold_start_rate * self.init_ms
    }
}

/// Lambda counts memory in GB of 1,024 MB.
pub fn memory_gb(lambda: &Lambda) -> f64 {
    lambda.memory_mb / 1024.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::{Architecture, ColdStarts};

    fn lambda(memory_mb: f64, timing: LambdaTiming) -> Lambda {
        Lambda {
            runtime: "test".into(),
            architecture: Architecture::Arm64,
            memory_mb,
            timing,
            cold_starts: ColdStarts {
                idle_timeout_s: 420.0,
                lifetime_s: 7200.0,
            },
        }
    }

    #[test]
    fn a_function_gets_one_vcpu_at_1769_mb_and_no_more_for_one_thread() {
        assert_eq!(cpu_share(1769.0), 1.0);
        assert_eq!(cpu_share(3538.0), 1.0);
        assert!((cpu_share(128.0) - 0.072_357).abs() < 1e-6);
    }

    #[test]
    fn durations_are_billed_rounded_up_to_the_millisecond() {
        assert_eq!(billed_ms(12.34), 13.0);
        assert_eq!(billed_ms(13.0), 13.0);
        assert_eq!(billed_ms(0.2), 1.0);
    }

    #[test]
    fn a_local_mean_is_stretched_and_carries_half_a_millisecond_of_rounding() {
        // 0.5 ms of CPU at 128/1769 of a core is 6.91 ms; plus 6 ms waiting is 12.91 ms; billed per
        // invocation, each rounded up: 13.41 ms on average, not the 13 a single rounded mean gives.
        let timing = LambdaTiming::Local {
            cpu_ms: 0.5,
            io_ms: 6.0,
            init_ms: 39.2,
        };

        let billed = Billed::of(&lambda(128.0, timing), 1e6, 3.0);

        assert!((billed.warm_ms - (0.5 * 1769.0 / 128.0 + 6.0 + 0.5)).abs() < 1e-9);
        assert_eq!(billed.init_ms, 40.0);
        assert!(!billed.measured);
    }

    #[test]
    fn a_mean_of_billed_durations_measured_on_lambda_is_used_as_it_is() {
        let timing = LambdaTiming::OnLambda {
            warm_billed_ms: 5.5,
            init_billed_ms: 180.0,
        };

        let billed = Billed::of(&lambda(1024.0, timing), 1e6, 3.0);

        assert_eq!(billed.warm_ms, 5.5);
        assert!(billed.measured);
        assert!((billed.mean_ms() - (5.5 + billed.cold_start_rate * 180.0)).abs() < 1e-12);
    }

    #[test]
    fn cold_starts_are_a_smaller_share_of_more_traffic() {
        let timing = LambdaTiming::OnLambda {
            warm_billed_ms: 5.5,
            init_billed_ms: 180.0,
        };
        let function = lambda(1024.0, timing);

        let low = Billed::of(&function, 1e4, 3.0).cold_start_rate;
        let high = Billed::of(&function, 5e7, 3.0).cold_start_rate;

        assert!(high < low / 100.0, "{low} then {high}");
    }
}
