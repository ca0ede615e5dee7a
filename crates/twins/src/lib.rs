//! Starting the twins for tests, each on the same small seeded data set, so the same checks (and the
//! same request sequences) can run against either.

pub mod lambda;
pub mod otlp;
pub mod outage;
pub mod postgres;
pub mod realtime_lambda;

/// The data set every test twin is seeded with: ids 1..=20, two orders each, the full catalogue.
pub const SEED_USERS: u32 = 20;
pub const SEED_ORDERS_PER_USER: u32 = 2;

pub fn seed_data() -> twinstack_core::seed::DataSet {
    twinstack_core::seed::DataSet::generate(SEED_USERS, SEED_ORDERS_PER_USER)
}
