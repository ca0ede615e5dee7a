//! Why a pricing file was refused. Every variant names the field, as a path into the file
//! (`lambda.requests.tiers[1].price`), so the fix is obvious.

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PricingError {
    #[error("the pricing file is not valid JSON: {0}")]
    Json(String),
    #[error("{path}: missing")]
    Missing { path: String },
    /// What serde refused: a wrong type, an unknown field or source kind, a currency other than USD.
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("{path}: the price has no unit (expected \"{expected}\")")]
    NoUnit {
        path: String,
        expected: &'static str,
    },
    #[error("{path}: unit \"{found}\" where \"{expected}\" is expected")]
    WrongUnit {
        path: String,
        found: String,
        expected: &'static str,
    },
    #[error("{path}: negative price {value}; a price is never negative")]
    Negative { path: String, value: f64 },
    #[error("{path}: {value} is out of range ({range})")]
    OutOfRange {
        path: String,
        value: f64,
        range: String,
    },
    #[error("{path}: must be greater than zero")]
    NotPositive { path: String },
    #[error("{path}: {reason}")]
    BadTiers { path: String, reason: &'static str },
    #[error(
        "no built-in pricing for region \"{0}\" (built in: ap-south-1, us-east-1; use --pricing FILE)"
    )]
    UnknownRegion(String),
    #[error("reading {path}: {message}")]
    Read { path: String, message: String },
}
