//! Where the two cost curves cross, found numerically: a log-spaced scan brackets every change of sign
//! of (serverless − Kubernetes), then bisection in log space narrows each bracket. Kubernetes costs are
//! step functions (whole nodes), so a crossing may sit on a step; bisection finds the step.

use crate::bill::{Model, Stack};

/// Scan density: enough to bracket crossings closer together than a factor of 1.05.
const POINTS_PER_DECADE: f64 = 50.0;
/// Bisection stops when the bracket is narrower than one part in a billion.
const RELATIVE_TOLERANCE: f64 = 1e-9;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Below the crossing serverless is cheaper; above it, Kubernetes is.
    KubernetesCheaperAbove,
    /// Below the crossing Kubernetes is cheaper; above it, serverless is.
    ServerlessCheaperAbove,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Crossing {
    pub requests_per_day: f64,
    pub direction: Direction,
}

/// Every sign change of `difference` between `from` and `to` (both positive).
pub fn crossings(difference: impl Fn(f64) -> f64, from: f64, to: f64) -> Vec<Crossing> {
    let (low, high) = (from.ln(), to.ln());
    let steps = ((high - low) / std::f64::consts::LN_10 * POINTS_PER_DECADE).ceil() as usize;
    let mut found = Vec::new();
    let mut previous = (low, difference(from));
    for step in 1..=steps {
        let x = low + (high - low) * step as f64 / steps as f64;
        let current = (x, difference(x.exp()));
        if (previous.1 < 0.0) != (current.1 < 0.0) {
            found.push(Crossing {
                requests_per_day: bisect(&difference, previous, current),
                direction: if previous.1 < 0.0 {
                    Direction::KubernetesCheaperAbove
                } else {
                    Direction::ServerlessCheaperAbove
                },
            });
        }
        previous = current;
    }
    found
}

/// Narrows a bracket (log requests/day, difference) whose ends differ in sign.
fn bisect(difference: &impl Fn(f64) -> f64, mut low: (f64, f64), mut high: (f64, f64)) -> f64 {
    while high.0 - low.0 > RELATIVE_TOLERANCE {
        let middle = (low.0 + high.0) / 2.0;
        let value = difference(middle.exp());
        if (value < 0.0) == (low.1 < 0.0) {
            low = (middle, value);
        } else {
            high = (middle, value);
        }
    }
    ((low.0 + high.0) / 2.0).exp()
}

/// The crossings of a model's two stacks between 1,000 and 10 billion requests/day.
pub fn of_model(model: &Model) -> Vec<Crossing> {
    crossings(
        |per_day| model.total(Stack::Serverless, per_day) - model.total(Stack::Kubernetes, per_day),
        1e3,
        1e10,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_straight_line_crossing_a_constant_is_found_where_they_meet() {
        // serverless = 0.0001 × r, Kubernetes = 300: they meet at 3,000,000.
        let found = crossings(|r| 0.0001 * r - 300.0, 1e3, 1e10);

        assert_eq!(found.len(), 1);
        assert!((found[0].requests_per_day / 3e6 - 1.0).abs() < 1e-8);
        assert_eq!(found[0].direction, Direction::KubernetesCheaperAbove);
    }

    #[test]
    fn a_step_is_found_where_it_steps() {
        let found = crossings(|r| if r < 2.5e6 { 1.0 } else { -1.0 }, 1e3, 1e10);

        assert_eq!(found.len(), 1);
        assert!((found[0].requests_per_day / 2.5e6 - 1.0).abs() < 1e-8);
        assert_eq!(found[0].direction, Direction::ServerlessCheaperAbove);
    }

    #[test]
    fn curves_that_never_meet_have_no_crossing() {
        assert!(crossings(|r| -r, 1e3, 1e10).is_empty());
    }
}
