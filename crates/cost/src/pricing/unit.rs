//! The units a price can be quoted in.
//!
//! Every pricing item accepts exactly one unit, so a figure copied in the wrong unit (per request instead
//! of per million, per GB-hour instead of per GB-month) is refused instead of silently converted.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    PerMillionRequests,
    PerGbSecond,
    PerGbMonth,
    PerGb,
    PerMetricMonth,
    PerMillionTraces,
    PerHour,
    PerLcuHour,
    PerMillionReadUnits,
    PerMillionWriteUnits,
    PerCapacityUnitHour,
    PerVcpuHour,
    PerMonth,
}

impl Unit {
    const ALL: [Unit; 13] = [
        Unit::PerMillionRequests,
        Unit::PerGbSecond,
        Unit::PerGbMonth,
        Unit::PerGb,
        Unit::PerMetricMonth,
        Unit::PerMillionTraces,
        Unit::PerHour,
        Unit::PerLcuHour,
        Unit::PerMillionReadUnits,
        Unit::PerMillionWriteUnits,
        Unit::PerCapacityUnitHour,
        Unit::PerVcpuHour,
        Unit::PerMonth,
    ];

    /// The spelling used in pricing files.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::PerMillionRequests => "USD/million requests",
            Unit::PerGbSecond => "USD/GB-second",
            Unit::PerGbMonth => "USD/GB-month",
            Unit::PerGb => "USD/GB",
            Unit::PerMetricMonth => "USD/metric-month",
            Unit::PerMillionTraces => "USD/million traces",
            Unit::PerHour => "USD/hour",
            Unit::PerLcuHour => "USD/LCU-hour",
            Unit::PerMillionReadUnits => "USD/million read request units",
            Unit::PerMillionWriteUnits => "USD/million write request units",
            Unit::PerCapacityUnitHour => "USD/capacity-unit-hour",
            Unit::PerVcpuHour => "USD/vCPU-hour",
            Unit::PerMonth => "USD/month",
        }
    }

    /// What the price is per, for line items ("GB-second", "million requests").
    pub fn quantity(self) -> &'static str {
        self.as_str().trim_start_matches("USD/")
    }

    pub fn parse(text: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|unit| unit.as_str() == text)
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_reads_back_from_its_own_spelling() {
        for unit in Unit::ALL {
            assert_eq!(Unit::parse(unit.as_str()), Some(unit));
        }
    }

    #[test]
    fn a_unit_spelled_differently_is_not_recognised() {
        assert_eq!(Unit::parse("USD per GB-month"), None);
        assert_eq!(Unit::parse(""), None);
    }
}
