//! Picking each virtual user's scenario by weight, as Artillery's `lib/core/weighted-pick.ts` does: a
//! scenario with weight `w` is picked with probability `w / Σw` (absent weights are 1, weight 0 never runs).

use rand::Rng;

use crate::script::Scenario;

pub struct ScenarioPicker {
    /// Running sums of the weights.
    cumulative: Vec<u64>,
}

impl ScenarioPicker {
    /// `scenarios` has a positive total weight (the config loader refuses all-zero weights).
    pub fn new(scenarios: &[Scenario]) -> Self {
        let cumulative = scenarios
            .iter()
            .scan(0u64, |sum, scenario| {
                *sum += u64::from(scenario.weight);
                Some(*sum)
            })
            .collect();
        Self { cumulative }
    }

    /// A scenario index.
    pub fn pick(&self) -> usize {
        let total = *self.cumulative.last().expect("at least one scenario");
        let ticket = rand::rng().random_range(0..total);
        self.cumulative.partition_point(|&sum| sum <= ticket)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(weight: u32) -> Scenario {
        Scenario {
            name: format!("w{weight}"),
            weight,
            flow: crate::script::Flow::Http(Vec::new()),
        }
    }

    #[test]
    fn picks_follow_the_weights_and_weight_zero_never_runs() {
        let picker = ScenarioPicker::new(&[scenario(1), scenario(0), scenario(3)]);
        let mut counts = [0u32; 3];
        for _ in 0..40_000 {
            counts[picker.pick()] += 1;
        }
        assert_eq!(counts[1], 0);
        let share = f64::from(counts[2]) / 40_000.0;
        assert!((0.72..0.78).contains(&share), "{counts:?}");
    }
}
