//! Stage 3, transform and enrich: the line total and the UTC day of a valid event.

use crate::validate::ValidEvent;

const DAY_MILLIS: i64 = 86_400_000;

/// A valid event reduced to what the aggregates need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Enriched {
    pub user_id: i64,
    /// Index into the [`Catalogue`](crate::Catalogue) the event was validated against.
    pub product: usize,
    /// qty × unit price, in cents.
    pub line_total_cents: u64,
    /// Days since 1970-01-01, UTC.
    pub day: i64,
}

/// The line total saturates rather than wrapping: no real order comes near `u64::MAX` cents, and
/// unsigned saturating addition is still associative and commutative, so merges stay exact.
pub fn enrich(event: &ValidEvent) -> Enriched {
    Enriched {
        user_id: event.user_id,
        product: event.product,
        line_total_cents: event.qty.saturating_mul(event.unit_price_cents),
        day: event.at_millis.div_euclid(DAY_MILLIS),
    }
}
