//! Durations into HDR histograms (microseconds, three significant figures) and out again as the
//! percentiles the reports print.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Longer durations are recorded as this (an hour, in µs): nothing the probe waits for lasts that
/// long. Fixed bounds, because `saturating_record` clamps to an auto-resizing histogram's current
/// (tiny) range instead of growing it.
const HIGHEST_US: u64 = 3_600_000_000;

/// A histogram of durations in µs.
pub struct Durations(Histogram<u64>);

impl Default for Durations {
    fn default() -> Self {
        Durations(Histogram::new_with_bounds(1, HIGHEST_US, 3).expect("valid bounds and precision"))
    }
}

impl Durations {
    pub fn record(&mut self, duration: Duration) {
        let micros = u64::try_from(duration.as_micros()).unwrap_or(u64::MAX);
        self.0.saturating_record(micros);
    }

    pub fn summary(&self) -> Summary {
        let h = &self.0;
        if h.is_empty() {
            return Summary::default();
        }
        Summary {
            count: h.len(),
            min: h.min(),
            p50: h.value_at_quantile(0.50),
            p90: h.value_at_quantile(0.90),
            p99: h.value_at_quantile(0.99),
            max: h.max(),
            mean: h.mean().round() as u64,
        }
    }
}

/// Percentiles in µs; all zero when nothing was recorded.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub count: u64,
    pub min: u64,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub max: u64,
    pub mean: u64,
}

/// `812 µs`, `4.21 ms`, `1.50 s`.
pub fn micros(us: u64) -> String {
    match us {
        0..1_000 => format!("{us} µs"),
        1_000..1_000_000 => format!("{:.2} ms", us as f64 / 1e3),
        _ => format!("{:.2} s", us as f64 / 1e6),
    }
}

/// Left-aligned first column, right-aligned the rest, two spaces between.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (c, cell) in cells.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 0 {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str("  ");
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
        }
        out.trim_end().to_owned() + "\n"
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// Writes `value` as pretty JSON to `path`, creating its directory.
pub fn write_json(path: &std::path::Path, value: &impl Serialize) -> anyhow::Result<()> {
    use anyhow::Context;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(value)? + "\n";
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_out_ordered_within_the_precision() {
        let mut durations = Durations::default();
        for us in 1..=1000 {
            durations.record(Duration::from_micros(us));
        }

        let s = durations.summary();

        assert_eq!(s.count, 1000);
        assert_eq!(s.min, 1);
        assert_eq!(s.p50, 500);
        assert_eq!(s.p90, 900);
        assert_eq!(s.p99, 990);
        assert_eq!(s.max, 1000);
    }

    #[test]
    fn long_durations_are_kept_not_clamped_to_a_small_range() {
        let mut durations = Durations::default();

        durations.record(Duration::from_millis(4));
        durations.record(Duration::from_secs(7200));

        let s = durations.summary();
        assert_eq!(s.min, 4000);
        assert!(s.max >= HIGHEST_US, "{s:?}");
    }

    #[test]
    fn an_empty_histogram_summarises_to_zeros() {
        assert_eq!(Durations::default().summary(), Summary::default());
    }

    #[test]
    fn durations_print_in_a_readable_unit() {
        assert_eq!(micros(812), "812 µs");
        assert_eq!(micros(4_210), "4.21 ms");
        assert_eq!(micros(1_500_000), "1.50 s");
    }

    #[test]
    fn tables_align_their_columns() {
        let text = table(
            &["name", "p50"],
            &[
                vec!["a".into(), "1 µs".into()],
                vec!["long".into(), "10 µs".into()],
            ],
        );

        assert_eq!(text, "name    p50\na      1 µs\nlong  10 µs\n");
    }
}
