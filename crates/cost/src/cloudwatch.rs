//! `--from-cloudwatch FILE`: Lambda `REPORT` lines exported from CloudWatch Logs.
//!
//! A line looks like `REPORT RequestId: …\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128
//! MB\tMax Memory Used: 18 MB\tInit Duration: 25.47 ms`; `Init Duration` appears on cold starts only.
//! Lines may carry an export timestamp before `REPORT` and extra fields after (`XRAY TraceId`,
//! `SegmentId`, `Sampled`); both are ignored, as are all other lines (START, END, application logs).
//! The warm billed duration, the cold-start rate and the init duration feed the model as figures
//! measured on Lambda, at the memory size the lines report.

use crate::lambda::billed_ms;
use crate::stats::{mean, percentile};
use crate::workload::{LambdaTiming, Workload};

#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub duration_ms: f64,
    pub billed_ms: f64,
    pub memory_mb: f64,
    pub max_memory_used_mb: f64,
    pub init_ms: Option<f64>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CloudWatchError {
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
    #[error("no REPORT lines found")]
    Empty,
    #[error(
        "the REPORT lines come from functions of different memory sizes ({0} MB and {1} MB); export one function"
    )]
    MixedMemory(f64, f64),
}

/// Every REPORT line of `text`.
pub fn parse(text: &str) -> Result<Vec<Report>, CloudWatchError> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            parse_line(line).map(|report| {
                report.map_err(|message| CloudWatchError::Line {
                    line: index + 1,
                    message,
                })
            })
        })
        .collect()
}

/// `None` for a line that is not a REPORT line.
fn parse_line(line: &str) -> Option<Result<Report, String>> {
    let start = line.find("REPORT RequestId:")?;
    let mut fields = std::collections::HashMap::new();
    for field in line[start..].split('\t') {
        if let Some((key, value)) = field.split_once(':') {
            fields.insert(key.trim(), value.trim());
        }
    }
    let number = |key: &str, unit: &str| -> Result<f64, String> {
        let value = fields.get(key).ok_or_else(|| format!("no {key} field"))?;
        let digits = value
            .strip_suffix(unit)
            .ok_or_else(|| format!("{key} \"{value}\" is not in {unit}"))?;
        digits
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("{key} \"{value}\" is not a number"))
    };
    let report = (|| {
        Ok(Report {
            duration_ms: number("Duration", "ms")?,
            billed_ms: number("Billed Duration", "ms")?,
            memory_mb: number("Memory Size", "MB")?,
            max_memory_used_mb: number("Max Memory Used", "MB")?,
            init_ms: fields
                .contains_key("Init Duration")
                .then(|| number("Init Duration", "ms"))
                .transpose()?,
        })
    })();
    Some(report)
}

/// What the REPORT lines say about the function.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub invocations: usize,
    pub cold_starts: usize,
    pub memory_mb: f64,
    pub max_memory_used_mb: f64,
    /// Mean billed duration of warm invocations.
    pub warm_billed_mean_ms: f64,
    pub warm_duration_p50_ms: f64,
    pub warm_duration_p99_ms: f64,
    pub init_p50_ms: Option<f64>,
    pub init_p99_ms: Option<f64>,
    /// Mean of the init durations rounded up to the millisecond, as billed.
    pub init_billed_mean_ms: f64,
}

impl Summary {
    pub fn of(reports: &[Report]) -> Result<Summary, CloudWatchError> {
        let first = reports.first().ok_or(CloudWatchError::Empty)?;
        if let Some(other) = reports.iter().find(|r| r.memory_mb != first.memory_mb) {
            return Err(CloudWatchError::MixedMemory(
                first.memory_mb,
                other.memory_mb,
            ));
        }
        let inits: Vec<f64> = reports.iter().filter_map(|r| r.init_ms).collect();
        let warm: Vec<&Report> = reports.iter().filter(|r| r.init_ms.is_none()).collect();
        // With only cold lines there is no warm figure to take; their own billed durations stand in.
        let sample: Vec<&Report> = if warm.is_empty() {
            reports.iter().collect()
        } else {
            warm
        };
        let billed: Vec<f64> = sample.iter().map(|r| r.billed_ms).collect();
        let durations: Vec<f64> = sample.iter().map(|r| r.duration_ms).collect();
        let billed_inits: Vec<f64> = inits.iter().map(|&init| billed_ms(init)).collect();
        Ok(Summary {
            invocations: reports.len(),
            cold_starts: inits.len(),
            memory_mb: first.memory_mb,
            max_memory_used_mb: reports
                .iter()
                .map(|r| r.max_memory_used_mb)
                .fold(0.0, f64::max),
            warm_billed_mean_ms: mean(&billed).unwrap_or(0.0),
            warm_duration_p50_ms: percentile(&durations, 50.0).unwrap_or(0.0),
            warm_duration_p99_ms: percentile(&durations, 99.0).unwrap_or(0.0),
            init_p50_ms: percentile(&inits, 50.0),
            init_p99_ms: percentile(&inits, 99.0),
            init_billed_mean_ms: mean(&billed_inits).unwrap_or(0.0),
        })
    }

    pub fn cold_start_rate(&self) -> f64 {
        self.cold_starts as f64 / self.invocations as f64
    }

    /// Puts the measured figures into the serverless twin of `workload`.
    pub fn apply(&self, workload: &mut Workload) {
        let lambda = &mut workload.serverless.lambda;
        lambda.memory_mb = self.memory_mb;
        lambda.timing = LambdaTiming::OnLambda {
            warm_billed_ms: self.warm_billed_mean_ms,
            init_billed_ms: self.init_billed_mean_ms,
        };
    }

    /// The lines printed with the report.
    pub fn describe(&self) -> Vec<String> {
        let cold = match (self.init_p50_ms, self.init_p99_ms) {
            (Some(p50), Some(p99)) => {
                format!("cold start (Init Duration) p50 {p50:.1} ms, p99 {p99:.1} ms")
            }
            _ => "no cold starts in the lines".to_owned(),
        };
        vec![
            format!(
                "CloudWatch REPORT lines: {} invocations, {} cold ({:.2}%), memory {:.0} MB, max used {:.0} MB",
                self.invocations,
                self.cold_starts,
                self.cold_start_rate() * 100.0,
                self.memory_mb,
                self.max_memory_used_mb
            ),
            cold,
            format!(
                "warm duration p50 {:.2} ms, p99 {:.2} ms; warm billed mean {:.2} ms; init billed mean {:.1} ms",
                self.warm_duration_p50_ms,
                self.warm_duration_p99_ms,
                self.warm_billed_mean_ms,
                self.init_billed_mean_ms
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLD: &str = "REPORT RequestId: 3604209a-e9a3-11e6-939a-754dd98c7be3\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 18 MB\tInit Duration: 25.47 ms";

    #[test]
    fn a_cold_start_line_reads_every_field() {
        let reports = parse(COLD).unwrap();

        assert_eq!(
            reports,
            vec![Report {
                duration_ms: 12.34,
                billed_ms: 13.0,
                memory_mb: 128.0,
                max_memory_used_mb: 18.0,
                init_ms: Some(25.47),
            }]
        );
    }

    #[test]
    fn a_timestamp_before_and_xray_fields_after_are_tolerated() {
        let line = "2026-11-27T10:00:00.000Z REPORT RequestId: abc\tDuration: 4.10 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\tXRAY TraceId: 1-5e1b4151-5ac6c58f5b5dbd6a4b3c2e1f\tSegmentId: 6a0e4c1d2b3f4a5e\tSampled: true";

        let reports = parse(line).unwrap();

        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].init_ms, None);
        assert_eq!(reports[0].billed_ms, 5.0);
    }

    #[test]
    fn other_lines_are_skipped() {
        let text = format!("START RequestId: abc Version: $LATEST\n{COLD}\nEND RequestId: abc\n");

        assert_eq!(parse(&text).unwrap().len(), 1);
    }

    #[test]
    fn a_malformed_report_line_is_refused_with_its_line_number() {
        let text = "START\nREPORT RequestId: x\tDuration: fast\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB";

        assert_eq!(
            parse(text),
            Err(CloudWatchError::Line {
                line: 2,
                message: "Duration \"fast\" is not in ms".into()
            })
        );
    }

    #[test]
    fn the_summary_separates_warm_invocations_from_cold_starts() {
        let warm = |billed: f64| Report {
            duration_ms: billed - 0.5,
            billed_ms: billed,
            memory_mb: 128.0,
            max_memory_used_mb: 20.0,
            init_ms: None,
        };
        let mut reports = vec![warm(4.0), warm(6.0), warm(8.0)];
        reports.push(Report {
            init_ms: Some(30.2),
            ..warm(13.0)
        });

        let summary = Summary::of(&reports).unwrap();

        assert_eq!(summary.warm_billed_mean_ms, 6.0);
        assert_eq!(summary.cold_start_rate(), 0.25);
        assert_eq!(summary.init_p50_ms, Some(30.2));
        assert_eq!(summary.init_billed_mean_ms, 31.0);
    }

    #[test]
    fn the_shipped_export_gives_cold_start_percentiles() {
        // Arrange: 40 invocations of a 128 MB function, three of them cold (35.11, 36.09, 42.19 ms).
        let reports = parse(include_str!("../testdata/cloudwatch-report.log")).unwrap();

        // Act
        let summary = Summary::of(&reports).unwrap();

        // Assert
        assert_eq!((summary.invocations, summary.cold_starts), (40, 3));
        assert_eq!(summary.init_p50_ms, Some(36.09));
        assert_eq!(summary.init_p99_ms, Some(42.19));
        assert_eq!(summary.init_billed_mean_ms, (36.0 + 37.0 + 43.0) / 3.0);
        assert_eq!(summary.memory_mb, 128.0);
    }

    #[test]
    fn lines_from_two_memory_sizes_are_refused() {
        let mut reports = parse(COLD).unwrap();
        reports.push(Report {
            memory_mb: 256.0,
            ..reports[0].clone()
        });

        assert_eq!(
            Summary::of(&reports),
            Err(CloudWatchError::MixedMemory(128.0, 256.0))
        );
    }
}
