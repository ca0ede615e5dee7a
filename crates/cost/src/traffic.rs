//! Turning requests/day into the monthly quantities AWS bills.

/// AWS's own convention for a month in its monthly estimates (365 × 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;
pub const SECONDS_PER_MONTH: f64 = HOURS_PER_MONTH * 3600.0;
/// AWS bills data volumes in binary gigabytes.
pub const BYTES_PER_GB: f64 = 1_073_741_824.0;

pub fn requests_per_month(per_day: f64) -> f64 {
    per_day * HOURS_PER_MONTH / 24.0
}

pub fn average_per_second(per_day: f64) -> f64 {
    per_day / 86_400.0
}

pub fn gigabytes(bytes: f64) -> f64 {
    bytes / BYTES_PER_GB
}

/// "10K", "2.5M", "1.2B": requests/day the way the article writes them.
pub fn short(per_day: f64) -> String {
    let (value, suffix) = if per_day >= 1e9 {
        (per_day / 1e9, "B")
    } else if per_day >= 1e6 {
        (per_day / 1e6, "M")
    } else if per_day >= 1e3 {
        (per_day / 1e3, "K")
    } else {
        (per_day, "")
    };
    let digits = if value >= 10.0 || value.fract() < 0.05 {
        0
    } else {
        1
    };
    format!("{value:.digits$}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_of_one_request_a_day_is_730_over_24_requests() {
        assert!((requests_per_month(24.0) - 730.0).abs() < 1e-9);
    }

    #[test]
    fn one_million_requests_a_day_is_about_11_6_a_second() {
        assert!((average_per_second(1e6) - 11.574).abs() < 1e-3);
    }

    #[test]
    fn request_counts_print_like_the_article_table() {
        assert_eq!(short(10_000.0), "10K");
        assert_eq!(short(2_500_000.0), "2.5M");
        assert_eq!(short(50_000_000.0), "50M");
        assert_eq!(short(1_200_000_000.0), "1.2B");
    }
}
