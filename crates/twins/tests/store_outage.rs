//! Each twin's store stopped under load: the requests after the first failure answer 503
//! `unavailable` with Retry-After (promptly: see the bound below), the same process serves again
//! once the store is back, and every user it answered 201 for reads back as created.
//!
//! How fast the 503s come and how soon the store is used again is measured, not asserted:
//! `cargo bench -p twinstack-twins --bench store_outage`.

use std::time::Duration;

use twinstack_twins::outage::{self, Outage, Plan};

/// The store stays down until 100 requests sent after it stopped have answered 503: a twin that
/// held them until the store was back would keep it down until the bound below.
const PLAN: Plan = Plan {
    writers: 4,
    down: Duration::from_secs(1),
    unavailable: 100,
    recovery_limit: Duration::from_secs(30),
};

/// The Postgres outage, start to end: under the one-minute acquire timeout the server is given,
/// so the run cannot end in time if the 503s waited it out (or waited for the database).
const POSTGRES_BOUND: Duration = Duration::from_secs(45);
/// The DynamoDB outage, with DynamoDB Local's JVM restart (seconds, more on a loaded machine).
const DYNAMODB_BOUND: Duration = Duration::from_secs(120);

async fn assert_failed_fast_recovered_and_lost_nothing(
    outage: &Outage,
    api: &twinstack_conformance::Api,
) {
    let unexpected = outage.unexpected();
    assert!(
        unexpected.is_empty(),
        "only successes and 503 `unavailable` with Retry-After: {unexpected:?}"
    );
    assert!(
        !outage.unavailable_after_first_failure().is_empty(),
        "the outage was seen: {} answers",
        outage.answers.len()
    );
    assert!(
        outage.recovery().is_some(),
        "a write succeeded once the store was back"
    );
    assert!(!outage.accepted.is_empty());
    assert_eq!(
        outage.lost(api).await,
        Vec::<String>::new(),
        "every 201 reads back"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_under_load_fails_fast_recovers_and_loses_nothing() {
    // Arrange
    let (api, mut cluster) = outage::postgres_twin().await;

    // Act
    let outage = tokio::time::timeout(POSTGRES_BOUND, outage::under_load(&api, &mut cluster, PLAN))
        .await
        .expect("the outage ran its course in time: no 503 waited out the acquire timeout");

    // Assert
    assert_failed_fast_recovered_and_lost_nothing(&outage, &api).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_stopped_under_load_fails_fast_recovers_and_loses_nothing() {
    // Arrange
    let (api, mut dynamodb, _emulator) = outage::lambda_twin().await;

    // Act
    let outage = tokio::time::timeout(
        DYNAMODB_BOUND,
        outage::under_load(&api, &mut dynamodb, PLAN),
    )
    .await
    .expect("the outage ran its course in time");

    // Assert
    assert_failed_fast_recovered_and_lost_nothing(&outage, &api).await;
}
