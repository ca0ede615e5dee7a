//! Partials merge as a commutative monoid: fan-in order and grouping never change the result,
//! and merging per-chunk partials equals aggregating all the records at once.

use proptest::prelude::*;
use twinstack_pipeline::{Aggregates, Catalogue, ChunkAggregator, Enriched};

fn enriched() -> impl Strategy<Value = Enriched> {
    (1i64..50, 0usize..100, 0u64..10_000_000, 20_400i64..20_500).prop_map(
        |(user_id, product, line_total_cents, day)| Enriched {
            user_id,
            product,
            line_total_cents,
            day,
        },
    )
}

fn aggregate(events: &[Enriched]) -> Aggregates {
    let catalogue = Catalogue::seed();
    let mut aggregator = ChunkAggregator::new(&catalogue);
    for event in events {
        aggregator.add(event);
    }
    aggregator.finish()
}

fn merged(a: &Aggregates, b: &Aggregates) -> Aggregates {
    let mut out = a.clone();
    out.merge(b);
    out
}

proptest! {
    #[test]
    fn merge_is_associative_and_commutative(
        a in prop::collection::vec(enriched(), 0..40),
        b in prop::collection::vec(enriched(), 0..40),
        c in prop::collection::vec(enriched(), 0..40),
    ) {
        let (a, b, c) = (aggregate(&a), aggregate(&b), aggregate(&c));

        prop_assert_eq!(merged(&merged(&a, &b), &c), merged(&a, &merged(&b, &c)));
        prop_assert_eq!(merged(&a, &b), merged(&b, &a));
        prop_assert_eq!(merged(&a, &Aggregates::default()), a.clone());
    }

    #[test]
    fn merging_chunk_partials_equals_aggregating_everything(
        events in prop::collection::vec(enriched(), 0..200),
        cuts in prop::collection::vec(0usize..200, 0..6),
    ) {
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(events.len())).collect();
        cuts.sort();
        let mut partials = Vec::new();
        let mut start = 0;
        for cut in cuts.into_iter().chain([events.len()]) {
            partials.push(aggregate(&events[start..cut]));
            start = cut;
        }

        let mut reduced = Aggregates::default();
        for partial in partials.iter().rev() {
            reduced.merge(partial);
        }

        let whole = aggregate(&events);
        prop_assert_eq!(reduced.checksum(), whole.checksum());
        prop_assert_eq!(reduced, whole);
    }
}
