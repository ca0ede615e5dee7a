//! An axis: where a value falls between the plot's edges, and where its ticks go.

/// How values are spaced along an axis.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Scale {
    Linear,
    /// Whole decades: `low` and `high` are powers of ten's exponents.
    Log,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    scale: Scale,
    low: f64,
    high: f64,
}

/// The most ticks a linear axis labels.
const LINEAR_TICKS: f64 = 8.0;

impl Axis {
    /// A logarithmic axis over the whole decades that cover every finite positive value (at least
    /// one decade). With none, 1 to 10.
    pub fn log(values: impl IntoIterator<Item = f64>) -> Axis {
        let (low, high) = values
            .into_iter()
            .filter(|value| value.is_finite() && *value > 0.0)
            .map(f64::log10)
            .fold(
                (f64::INFINITY, f64::NEG_INFINITY),
                |(low, high), exponent| (low.min(exponent), high.max(exponent)),
            );
        if low > high {
            return Axis {
                scale: Scale::Log,
                low: 0.0,
                high: 1.0,
            };
        }
        let low = low.floor();
        Axis {
            scale: Scale::Log,
            low,
            high: high.ceil().max(low + 1.0),
        }
    }

    /// A linear axis from `low` to `high`; a range that is empty or not finite becomes one unit wide.
    pub fn linear(low: f64, high: f64) -> Axis {
        let low = if low.is_finite() { low } else { 0.0 };
        let high = if high.is_finite() && high > low {
            high
        } else {
            low + 1.0
        };
        Axis {
            scale: Scale::Linear,
            low,
            high,
        }
    }

    /// Where `value` falls, from 0 (low end) to 1 (high end); values outside the axis are clamped
    /// to its ends and one that is not a number sits at the low end.
    pub fn fraction(&self, value: f64) -> f64 {
        let at = match self.scale {
            Scale::Linear => value,
            Scale::Log => value.log10(),
        };
        let fraction = (at - self.low) / (self.high - self.low);
        if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        }
    }

    /// The values to label: every decade of a log axis; steps of 1, 2 or 5 × 10ⁿ on a linear one.
    pub fn ticks(&self) -> Vec<f64> {
        match self.scale {
            Scale::Log => ((self.low as i32)..=(self.high as i32))
                .map(|exponent| 10f64.powi(exponent))
                .collect(),
            Scale::Linear => {
                let step = nice_step((self.high - self.low) / LINEAR_TICKS);
                let first = (self.low / step).ceil() as i64;
                let last = (self.high / step + 1e-9).floor() as i64;
                (first..=last).map(|index| index as f64 * step).collect()
            }
        }
    }
}

/// The smallest 1, 2 or 5 × 10ⁿ at least `rough`.
fn nice_step(rough: f64) -> f64 {
    let magnitude = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|multiple| multiple * magnitude)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_axis_spans_whole_decades_and_puts_larger_values_further() {
        let axis = Axis::log([0.3, 45.0]);

        assert_eq!(axis.ticks(), vec![0.1, 1.0, 10.0, 100.0]);
        assert!(axis.fraction(10.0) > axis.fraction(1.0));
        assert_eq!(axis.fraction(0.1), 0.0);
        assert_eq!(axis.fraction(100.0), 1.0);
    }

    #[test]
    fn a_log_axis_of_nothing_or_of_no_finite_positive_value_is_one_decade() {
        let nothing = Axis::log([]);
        let unusable = Axis::log([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -3.0]);

        assert_eq!(nothing.ticks(), vec![1.0, 10.0]);
        assert_eq!(unusable, nothing);
    }

    #[test]
    fn values_that_are_not_finite_or_not_positive_ignore_the_axis_bounds_without_panicking() {
        let axis = Axis::log([1.0, 1000.0, f64::NAN]);

        assert_eq!(axis.ticks(), vec![1.0, 10.0, 100.0, 1000.0]);
        assert_eq!(axis.fraction(f64::NAN), 0.0);
        assert_eq!(axis.fraction(0.0), 0.0);
        assert_eq!(axis.fraction(-5.0), 0.0);
        assert_eq!(axis.fraction(f64::INFINITY), 1.0);
        assert_eq!(axis.fraction(1e9), 1.0);
    }

    #[test]
    fn a_linear_axis_ticks_in_round_steps_inside_its_range() {
        let axis = Axis::linear(0.0, 98.0);

        assert_eq!(
            axis.ticks(),
            vec![0.0, 20.0, 40.0, 60.0, 80.0],
            "98 / 8 rounds up to steps of 20"
        );
        assert_eq!(axis.fraction(49.0), 0.5);
        assert_eq!(axis.fraction(-1.0), 0.0);
    }

    #[test]
    fn a_linear_axis_of_an_empty_or_non_finite_range_is_one_unit_wide() {
        assert_eq!(Axis::linear(0.0, 0.0), Axis::linear(0.0, 1.0));
        assert_eq!(Axis::linear(5.0, f64::NAN), Axis::linear(5.0, 6.0));
        assert_eq!(Axis::linear(f64::NAN, f64::NAN), Axis::linear(0.0, 1.0));
        let ticks = Axis::linear(0.0, 0.0).ticks();
        assert_eq!((ticks.first(), ticks.last()), (Some(&0.0), Some(&1.0)));
        assert_eq!(Axis::linear(3.0, 3.0).fraction(f64::NAN), 0.0);
    }
}
