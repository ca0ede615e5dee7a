//! Reading the `Server-Timing` response header (`app;dur=1.2, db;dur=0.8`), which both twins send so a run
//! can split each request's time between the application and the database.
//!
//! Syntax from the W3C Server Timing spec: comma-separated metrics, each a name followed by `;param=value`
//! pairs; only `dur` (milliseconds) matters here. Metrics without a `dur` and malformed ones are skipped.

use reqwest::header::HeaderMap;

/// Not among the `http` crate's named headers.
const SERVER_TIMING: &str = "server-timing";

/// `(metric name, duration in ms)` for every metric with a duration, across all `Server-Timing` headers.
pub fn parse(headers: &HeaderMap) -> Vec<(String, f64)> {
    headers
        .get_all(SERVER_TIMING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(parse_metric)
        .collect()
}

fn parse_metric(metric: &str) -> Option<(String, f64)> {
    let mut parts = metric.split(';');
    let name = parts.next()?.trim();
    if name.is_empty() {
        return None;
    }
    let duration = parts.find_map(|param| {
        let (key, value) = param.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("dur") {
            return None;
        }
        value.trim().trim_matches('"').parse::<f64>().ok()
    })?;
    (duration.is_finite() && duration >= 0.0).then(|| (name.to_owned(), duration))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(SERVER_TIMING, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn app_and_db_durations_are_read() {
        assert_eq!(
            parse(&headers(&["app;dur=1.25, db;dur=0.5"])),
            [("app".to_owned(), 1.25), ("db".to_owned(), 0.5)]
        );
    }

    #[test]
    fn descriptions_quotes_and_several_headers_are_handled() {
        assert_eq!(
            parse(&headers(&["db;desc=\"query\";dur=\"3\"", "app;dur=7"])),
            [("db".to_owned(), 3.0), ("app".to_owned(), 7.0)]
        );
    }

    #[test]
    fn metrics_without_a_usable_duration_are_skipped() {
        assert!(
            parse(&headers(&[
                "cache, miss;desc=x, bad;dur=abc, neg;dur=-1, ;dur=1"
            ]))
            .is_empty()
        );
        assert!(parse(&HeaderMap::new()).is_empty());
    }
}
