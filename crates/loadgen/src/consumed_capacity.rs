//! Reading `x-dynamodb-consumed-capacity: read=R, write=W`, which the serverless twin sends on every
//! response: the DynamoDB read and write capacity units the request consumed, as DynamoDB reported them.
//! Summed over a run, they let the cost model price measured units instead of estimates.
//!
//! Both `read` and `write` must be present as non-negative numbers; other keys are ignored, and a value
//! that does not parse is treated as no header at all, so it never skews the totals.

use reqwest::header::HeaderMap;

/// Not among the `http` crate's named headers.
const HEADER: &str = "x-dynamodb-consumed-capacity";

/// Capacity units one response reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Capacity {
    pub read: f64,
    pub write: f64,
}

/// The response's consumed capacity, or `None` without a well-formed header.
pub fn parse(headers: &HeaderMap) -> Option<Capacity> {
    let value = headers.get(HEADER)?.to_str().ok()?;
    let (mut read, mut write) = (None, None);
    for pair in value.split(',') {
        let (key, number) = pair.split_once('=')?;
        let slot = match key.trim() {
            "read" => &mut read,
            "write" => &mut write,
            _ => continue,
        };
        *slot = Some(
            number
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0)?,
        );
    }
    Some(Capacity {
        read: read?,
        write: write?,
    })
}

/// The sums over one slice of the run (a request name, a phase, or everything).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Totals {
    /// Responses that carried the header.
    pub responses: u64,
    pub read: f64,
    pub write: f64,
}

impl Totals {
    pub fn add(&mut self, capacity: Capacity) {
        self.responses += 1;
        self.read += capacity.read;
        self.write += capacity.write;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn parsed(value: &str) -> Option<Capacity> {
        let mut headers = HeaderMap::new();
        headers.insert(HEADER, HeaderValue::from_str(value).unwrap());
        parse(&headers)
    }

    #[test]
    fn read_and_write_units_are_read_in_any_order() {
        assert_eq!(
            parsed("read=1, write=2"),
            Some(Capacity {
                read: 1.0,
                write: 2.0
            })
        );
        assert_eq!(
            parsed("write=0,read=0.5"),
            Some(Capacity {
                read: 0.5,
                write: 0.0
            })
        );
        assert_eq!(
            parsed("read=1, write=2, table=twinstack").map(|c| c.write),
            Some(2.0)
        );
    }

    #[test]
    fn a_missing_or_malformed_value_counts_as_no_header() {
        for value in [
            "",
            "read=1",
            "write=1",
            "read=x, write=1",
            "read=-1, write=1",
            "read, write=1",
        ] {
            assert_eq!(parsed(value), None, "{value:?}");
        }
        assert_eq!(parse(&HeaderMap::new()), None);
    }
}
