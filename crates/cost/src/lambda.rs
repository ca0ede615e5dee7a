//! What one Lambda invocation is billed for.
//!
//! Lambda bills duration rounded up to the millisecond, and bills the INIT phase too: its pricing page
//! says duration charges apply to initialization code declared outside the handler (custom runtimes
//! such as `provided.al2023` always were billed for it). A function gets a share of a
//! vCPU proportional to its memory — one full vCPU at 1,769 MB — so a duration measured on a full core
//! must have its CPU-bound part stretched, while time spent waiting on DynamoDB does not change.

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

/// Billed milliseconds of one representative invocation.
#[derive(Clone, Debug, PartialEq)]
pub struct Billed {
    pub warm_ms: f64,
    pub init_ms: f64,
    pub cold_start_rate: f64,
}

impl Billed {
    pub fn of(lambda: &Lambda) -> Billed {
        match lambda.timing {
            LambdaTiming::Local {
                cpu_ms,
                io_ms,
                init_ms,
                cold_start_rate,
            } => Billed {
                warm_ms: billed_ms(cpu_ms / cpu_share(lambda.memory_mb) + io_ms),
                init_ms: billed_ms(init_ms),
                cold_start_rate,
            },
            // Already billed figures (means of rounded-up durations): rounding again would double count.
            LambdaTiming::OnLambda {
                warm_billed_ms,
                init_billed_ms,
                cold_start_rate,
            } => Billed {
                warm_ms: warm_billed_ms,
                init_ms: init_billed_ms,
                cold_start_rate,
            },
        }
    }

    /// Mean billed milliseconds per invocation, cold starts included.
    pub fn mean_ms(&self) -> f64 {
        self.warm_ms + self.cold_start_rate * self.init_ms
    }
}

/// GB-seconds one invocation costs on average (Lambda counts memory in GB of 1,024 MB).
pub fn gb_seconds_per_invocation(lambda: &Lambda) -> f64 {
    lambda.memory_mb / 1024.0 * Billed::of(lambda).mean_ms() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::Architecture;

    fn lambda(memory_mb: f64, timing: LambdaTiming) -> Lambda {
        Lambda {
            runtime: "test".into(),
            architecture: Architecture::Arm64,
            memory_mb,
            timing,
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
    fn only_the_cpu_bound_part_of_a_local_duration_is_stretched() {
        // 0.5 ms of CPU at 128/1769 of a core is 6.91 ms; plus 6 ms waiting is 12.91, billed 13.
        let timing = LambdaTiming::Local {
            cpu_ms: 0.5,
            io_ms: 6.0,
            init_ms: 39.2,
            cold_start_rate: 0.01,
        };

        let billed = Billed::of(&lambda(128.0, timing));

        assert_eq!(billed.warm_ms, 13.0);
        assert_eq!(billed.init_ms, 40.0);
        assert!((billed.mean_ms() - 13.4).abs() < 1e-9);
    }

    #[test]
    fn figures_measured_on_lambda_are_used_as_billed() {
        let timing = LambdaTiming::OnLambda {
            warm_billed_ms: 5.5,
            init_billed_ms: 180.0,
            cold_start_rate: 0.02,
        };

        let billed = Billed::of(&lambda(1024.0, timing));

        assert_eq!(billed.mean_ms(), 5.5 + 3.6);
    }

    #[test]
    fn gb_seconds_are_memory_in_gb_times_billed_seconds() {
        // 1024 MB = 1 GB; 9.1 ms = 0.0091 s.
        let timing = LambdaTiming::OnLambda {
            warm_billed_ms: 5.5,
            init_billed_ms: 180.0,
            cold_start_rate: 0.02,
        };

        assert!((gb_seconds_per_invocation(&lambda(1024.0, timing)) - 0.0091).abs() < 1e-12);
    }
}
