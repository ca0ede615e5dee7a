//! Phase arithmetic: when each virtual user arrives, following Artillery's phaser
//! (`lib/core/phases.ts` and the `arrivals` package it uses), after `--time-scale` and `--rate-scale`.
//!
//! - A constant phase (`arrivalRate` without `rampTo`) is the `arrivals` uniform process: a tick of
//!   `floor(1000 / rate * 1000)` µs, `floor(duration_µs / tick)` arrivals, the k-th at `k × tick` (the first one
//!   tick after the phase starts). `arrivalRate: 0` is a pause.
//! - A ramp (`rampTo`) runs in one-second periods: period `i` of `n` gets
//!   `floor((rampTo − arrivalRate) / (n − 1) × i + arrivalRate)` arrivals (a one-period ramp gets
//!   `floor((arrivalRate + rampTo) / 2)`), so 10→500 over 600 s starts at 10/s and ends at 500/s. Artillery fires
//!   a period's `c` arrivals every `floor(1000 / c)` ms; we use `floor(10⁶ / c)` µs, the same count and spacing
//!   without millisecond truncation.
//! - Phases run back to back.
//!
//! Scaling: `--time-scale` multiplies durations, `--rate-scale` multiplies rates. A scaled ramp keeps whole
//! one-second periods (its duration is rounded, at least one period), as Artillery's ramps move in seconds.

use crate::script::PhaseSpec;

const MICROS_PER_SEC: u64 = 1_000_000;

/// How to shrink (or stretch) a profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub time: f64,
    pub rate: f64,
}

impl Default for Scale {
    fn default() -> Self {
        Self {
            time: 1.0,
            rate: 1.0,
        }
    }
}

/// A phase after scaling, placed on the run's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub index: usize,
    pub name: String,
    /// Offset of the phase from the start of the run.
    pub start_us: u64,
    pub duration_us: u64,
    /// Scaled `arrivalRate` and `rampTo`, for reports.
    pub arrival_rate: f64,
    pub ramp_to: Option<f64>,
    shape: Shape,
}

#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Uniform { tick_us: u64, arrivals: u64 },
    Ramp { periods: u64 },
}

/// Why a profile cannot be scheduled.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("--time-scale and --rate-scale must be positive (got {0:?})")]
    Scale(Scale),
    #[error("phase {index} ({name}): {rate} arrivals/s is more than one per microsecond")]
    RateTooHigh {
        index: usize,
        name: String,
        rate: f64,
    },
    #[error("phase {index} ({name}): the scaled duration rounds to zero")]
    Empty { index: usize, name: String },
}

/// Places the scaled phases back to back.
pub fn plan(specs: &[PhaseSpec], scale: Scale) -> Result<Vec<Phase>, PlanError> {
    let valid = |f: f64| f.is_finite() && f > 0.0;
    if !valid(scale.time) || !valid(scale.rate) {
        return Err(PlanError::Scale(scale));
    }
    let mut start_us = 0;
    let mut phases = Vec::with_capacity(specs.len());
    for (index, spec) in specs.iter().enumerate() {
        let name = spec
            .name
            .clone()
            .unwrap_or_else(|| format!("phase {index}"));
        let arrival_rate = spec.arrival_rate * scale.rate;
        let ramp_to = spec.ramp_to.map(|to| to * scale.rate);
        let scaled_secs = spec.duration_secs * scale.time;
        let (duration_us, shape) = match ramp_to {
            Some(_) => {
                let periods = (scaled_secs.round() as u64).max(1);
                (periods * MICROS_PER_SEC, Shape::Ramp { periods })
            }
            None => {
                let duration_us = (scaled_secs * MICROS_PER_SEC as f64).round() as u64;
                if duration_us == 0 {
                    return Err(PlanError::Empty { index, name });
                }
                let shape = if arrival_rate == 0.0 {
                    Shape::Uniform {
                        tick_us: duration_us,
                        arrivals: 0,
                    }
                } else {
                    let tick_us = (1000.0 / arrival_rate * 1000.0).floor() as u64;
                    if tick_us == 0 {
                        return Err(PlanError::RateTooHigh {
                            index,
                            name,
                            rate: arrival_rate,
                        });
                    }
                    Shape::Uniform {
                        tick_us,
                        arrivals: duration_us / tick_us,
                    }
                };
                (duration_us, shape)
            }
        };
        if let Some(to) = ramp_to
            && arrival_rate.max(to) >= MICROS_PER_SEC as f64
        {
            return Err(PlanError::RateTooHigh {
                index,
                name,
                rate: arrival_rate.max(to),
            });
        }
        phases.push(Phase {
            index,
            name,
            start_us,
            duration_us,
            arrival_rate,
            ramp_to,
            shape,
        });
        start_us += duration_us;
    }
    Ok(phases)
}

impl Phase {
    /// How many virtual users arrive in this phase.
    pub fn arrival_count(&self) -> u64 {
        match self.shape {
            Shape::Uniform { arrivals, .. } => arrivals,
            Shape::Ramp { periods } => (0..periods)
                .map(|period| self.ramp_period_arrivals(period))
                .sum(),
        }
    }

    /// Arrival offsets from the start of the phase, in µs, ascending.
    pub fn arrivals(&self) -> Box<dyn Iterator<Item = u64> + Send + '_> {
        match self.shape {
            Shape::Uniform { tick_us, arrivals } => {
                Box::new((1..=arrivals).map(move |k| k * tick_us))
            }
            Shape::Ramp { periods } => Box::new((0..periods).flat_map(move |period| {
                let count = self.ramp_period_arrivals(period);
                let spacing = MICROS_PER_SEC / count.max(1);
                (1..=count).map(move |k| period * MICROS_PER_SEC + k * spacing)
            })),
        }
    }

    /// Arrivals in one-second period `period` of a ramp (Artillery's `createRamp`, single worker).
    fn ramp_period_arrivals(&self, period: u64) -> u64 {
        let Shape::Ramp { periods } = self.shape else {
            return 0;
        };
        let from = self.arrival_rate;
        let to = self.ramp_to.unwrap_or(from);
        let raw = if periods == 1 {
            (to + from) / 2.0
        } else {
            // The same expression, in the same order, as Artillery's, so the floors agree.
            ((to - from) / (periods - 1) as f64) * period as f64 + from
        };
        raw.floor().max(0.0) as u64
    }
}

/// Every arrival of the run in time order: `(phase index, offset from the start of the run in µs)`.
pub fn schedule(phases: &[Phase]) -> impl Iterator<Item = (usize, u64)> + Send + '_ {
    phases.iter().flat_map(|phase| {
        phase
            .arrivals()
            .map(move |offset| (phase.index, phase.start_us + offset))
    })
}

/// The length of the scheduled profile.
pub fn total_duration_us(phases: &[Phase]) -> u64 {
    phases.last().map_or(0, |p| p.start_us + p.duration_us)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn spec(duration_secs: f64, arrival_rate: f64, ramp_to: Option<f64>) -> PhaseSpec {
        PhaseSpec {
            name: None,
            duration_secs,
            arrival_rate,
            ramp_to,
        }
    }

    fn one(spec: PhaseSpec, scale: Scale) -> Phase {
        plan(&[spec], scale).unwrap().remove(0)
    }

    #[test]
    fn a_constant_phase_has_rate_times_duration_arrivals_one_tick_apart() {
        let phase = one(spec(300.0, 10.0, None), Scale::default());
        assert_eq!(phase.arrival_count(), 3000);
        let first: Vec<u64> = phase.arrivals().take(3).collect();
        assert_eq!(first, [100_000, 200_000, 300_000]);
        assert_eq!(phase.arrivals().last(), Some(300_000_000));
    }

    #[test]
    fn a_fractional_tick_is_floored_like_the_arrivals_package() {
        // 1000/3 ms = 333333 µs; 10 s / 333333 µs = 30.00003 → 30.
        assert_eq!(
            one(spec(10.0, 3.0, None), Scale::default()).arrival_count(),
            30
        );
        // 0.5/s: one arrival every 2 s.
        assert_eq!(
            one(spec(9.0, 0.5, None), Scale::default()).arrival_count(),
            4
        );
    }

    #[test]
    fn a_zero_rate_is_a_pause() {
        let phase = one(spec(5.0, 0.0, None), Scale::default());
        assert_eq!(phase.arrival_count(), 0);
        assert_eq!(phase.duration_us, 5_000_000);
    }

    #[test]
    fn the_articles_ramp_matches_artillerys_arithmetic_to_the_arrival() {
        let phase = one(spec(600.0, 10.0, Some(500.0)), Scale::default());
        assert_eq!(phase.ramp_period_arrivals(0), 10);
        assert_eq!(phase.ramp_period_arrivals(300), 255);
        // (490 / 599) · 599 + 10 is 499.99999999999994 in IEEE doubles, in Node as here: Artillery's last
        // second of this ramp has 499 arrivals, not 500. Both figures below were computed with Node.
        assert_eq!(phase.ramp_period_arrivals(599), 499);
        assert_eq!(phase.arrival_count(), 152_700);
        assert_eq!(phase.arrivals().count(), 152_700);
    }

    #[test]
    fn a_one_second_ramp_gets_the_mean() {
        assert_eq!(
            one(spec(1.0, 10.0, Some(20.0)), Scale::default()).arrival_count(),
            15
        );
    }

    #[test]
    fn phases_run_back_to_back_and_the_schedule_is_ordered() {
        let phases = plan(
            &[
                spec(2.0, 5.0, None),
                spec(3.0, 1.0, Some(4.0)),
                spec(1.0, 2.0, None),
            ],
            Scale::default(),
        )
        .unwrap();
        assert_eq!(
            phases.iter().map(|p| p.start_us).collect::<Vec<_>>(),
            [0, 2_000_000, 5_000_000]
        );
        assert_eq!(total_duration_us(&phases), 6_000_000);
        let arrivals: Vec<(usize, u64)> = schedule(&phases).collect();
        assert_eq!(arrivals.len(), 10 + (1 + 2 + 4) + 2);
        assert!(arrivals.windows(2).all(|w| w[0].1 <= w[1].1));
        assert!(arrivals.iter().all(|&(phase, at)| {
            let p = &phases[phase];
            at > p.start_us && at <= p.start_us + p.duration_us
        }));
    }

    #[test]
    fn scaling_shortens_durations_and_scales_rates() {
        let scale = Scale {
            time: 0.01,
            rate: 0.1,
        };
        let constant = one(spec(300.0, 10.0, None), scale);
        assert_eq!(
            (constant.duration_us, constant.arrival_count()),
            (3_000_000, 3)
        );
        let ramp = one(spec(600.0, 10.0, Some(500.0)), scale);
        assert_eq!(ramp.duration_us, 6_000_000);
        assert_eq!((ramp.arrival_rate, ramp.ramp_to), (1.0, Some(50.0)));
        // A 0.2 s ramp still gets one whole period.
        assert_eq!(
            one(spec(20.0, 1.0, Some(3.0)), scale).duration_us,
            1_000_000
        );
    }

    #[test]
    fn impossible_plans_are_refused() {
        assert!(matches!(
            plan(
                &[spec(1.0, 1.0, None)],
                Scale {
                    time: 0.0,
                    rate: 1.0
                }
            ),
            Err(PlanError::Scale(_))
        ));
        assert!(matches!(
            plan(&[spec(1.0, 2e6, None)], Scale::default()),
            Err(PlanError::RateTooHigh { .. })
        ));
        assert!(matches!(
            plan(
                &[spec(1.0, 1.0, None)],
                Scale {
                    time: 1e-9,
                    rate: 1.0
                }
            ),
            Err(PlanError::Empty { .. })
        ));
    }

    proptest! {
        #[test]
        fn constant_phases_get_rate_times_duration_arrivals(rate in 1u64..5000, secs in 1u64..120) {
            let phase = one(spec(secs as f64, rate as f64, None), Scale::default());
            let tick = 1_000_000 / rate;
            prop_assert_eq!(phase.arrival_count(), secs * 1_000_000 / tick);
            prop_assert!(phase.arrival_count() >= rate * secs);
            prop_assert_eq!(phase.arrivals().count() as u64, phase.arrival_count());
        }

        #[test]
        fn ramps_start_and_end_at_their_rates_and_count_what_they_schedule(
            from in 0u64..300, to in 0u64..300, secs in 2u64..60,
        ) {
            let phase = one(spec(secs as f64, from as f64, Some(to as f64)), Scale::default());
            prop_assert_eq!(phase.ramp_period_arrivals(0), from);
            // The last period can fall one short of `rampTo` when the float product rounds down (see above).
            let last = phase.ramp_period_arrivals(secs - 1);
            prop_assert!(last == to || last + 1 == to, "last period {} for rampTo {}", last, to);
            let count = phase.arrival_count();
            prop_assert!(count + secs >= from.min(to) * secs && count <= from.max(to) * secs);
            let offsets: Vec<u64> = phase.arrivals().collect();
            prop_assert_eq!(offsets.len() as u64, count);
            prop_assert!(offsets.iter().all(|&at| at > 0 && at <= secs * 1_000_000));
        }
    }
}
