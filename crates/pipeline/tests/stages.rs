//! The stages on generated input: deterministic, every record accounted for, every defect rejected
//! with its reason, and the default input's checksum pinned.

use twinstack_pipeline::{
    Aggregates, Catalogue, DEFAULT_CHECKSUM, DEFECT_ONE_IN, InputSpec, RejectReason, Totals,
    generate_chunk, process_chunk,
};

/// The first 5 chunks of the default input (10,000 records a chunk, as in 1,000,000 / 100): a
/// chunk's content depends only on its index and size, so these are the default input's own.
const FIRST_FIVE_DEFAULT_CHUNKS_CHECKSUM: &str =
    "9d66a30c288db14f32f89c0bf8a6d7f07ab33bedba68c139784a5dde06fe649b";

fn totals(spec: InputSpec) -> Totals {
    let catalogue = Catalogue::seed();
    let mut totals = Totals::default();
    for (index, entry) in spec.manifest().iter().enumerate() {
        let bytes = generate_chunk(&catalogue, index as u32, entry.records);
        totals.add(&process_chunk(&entry.chunk, &bytes, &catalogue).report);
    }
    totals
}

#[test]
fn generating_a_chunk_twice_gives_the_same_bytes_and_chunks_differ() {
    let catalogue = Catalogue::seed();

    let first = generate_chunk(&catalogue, 3, 500);
    let again = generate_chunk(&catalogue, 3, 500);
    let other = generate_chunk(&catalogue, 4, 500);

    assert_eq!(first, again);
    assert_ne!(first, other);
    assert_eq!(first.iter().filter(|b| **b == b'\n').count(), 500);
}

#[test]
fn the_default_inputs_first_chunks_have_the_pinned_checksum() {
    let spec = InputSpec {
        records: 50_000,
        chunks: 5,
    };

    let totals = totals(spec);

    assert_eq!(
        totals.aggregates.checksum(),
        FIRST_FIVE_DEFAULT_CHUNKS_CHECKSUM
    );
    assert_eq!(totals.records_in, 50_000);
    assert_eq!(
        totals.records_in,
        totals.aggregates.records() + totals.rejected
    );
}

/// A minute or more in a debug build: run by hand (`-- --ignored`) after changing the generator
/// or the stages; `make bench-pipeline` checks the same figure on every run.
#[test]
#[ignore = "slow in a debug build; make bench-pipeline checks it too"]
fn the_default_input_has_the_pinned_checksum() {
    let totals = totals(InputSpec::default());

    assert_eq!(totals.aggregates.checksum(), DEFAULT_CHECKSUM);
    assert_eq!(totals.records_in, 1_000_000);
}

#[test]
fn about_one_record_in_fifty_is_defective_and_each_kind_is_rejected_for_its_reason() {
    let catalogue = Catalogue::seed();
    let bytes = generate_chunk(&catalogue, 0, 20_000);

    let output = process_chunk("chunk-00000.ndjson", &bytes, &catalogue);

    let expected = 20_000 / u64::from(DEFECT_ONE_IN);
    let rejected = output.report.rejected;
    assert!(
        rejected > expected * 8 / 10 && rejected < expected * 12 / 10,
        "{rejected} rejected, expected about {expected}"
    );
    assert_eq!(rejected, output.rejects.len() as u64);
    let has = |f: fn(&RejectReason) -> bool| output.rejects.iter().any(|r| f(&r.reason));
    assert!(has(|r| matches!(r, RejectReason::BadJson(_))));
    assert!(has(
        |r| matches!(r, RejectReason::UnknownSku(s) if s == "PROD-999")
    ));
    assert!(has(
        |r| matches!(r, RejectReason::NonPositiveQty(q) if *q < 0)
    ));
    assert!(has(|r| matches!(r, RejectReason::BadTimestamp(_))));
    assert!(has(
        |r| matches!(r, RejectReason::UnsupportedCurrency(c) if c == "EUR")
    ));
    let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    for reject in &output.rejects {
        assert_eq!(
            reject.record.as_bytes(),
            lines[reject.line as usize - 1],
            "a reject keeps its line"
        );
        assert_eq!(reject.chunk, "chunk-00000.ndjson");
    }
}

#[test]
fn a_malformed_file_is_rejected_line_by_line_with_numbers_and_reasons() {
    let catalogue = Catalogue::seed();
    let good = generate_chunk(&catalogue, 0, 40)
        .split(|b| *b == b'\n')
        .find(|line| line.ends_with(b"}"))
        .unwrap()
        .to_vec();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"this is not json\n");
    bytes.extend_from_slice(&good);
    bytes.extend_from_slice(b"\n\xff\xfe binary\n\n");
    bytes.extend_from_slice(br#"{"orderId":"x","userId":0,"sku":"PROD-001","qty":1,"unitPriceCents":100,"currency":"USD","status":"paid","timestamp":"2026-01-01T00:00:00Z"}"#);

    let output = process_chunk("broken.ndjson", &bytes, &catalogue);

    assert_eq!(output.report.records_in, 5);
    assert_eq!(output.report.rejected, 4);
    assert_eq!(output.report.aggregates.records(), 1);
    let found: Vec<(u64, String)> = output
        .rejects
        .iter()
        .map(|r| (r.line, r.to_string()))
        .collect();
    assert_eq!(found[0].0, 1);
    assert!(
        found[0]
            .1
            .starts_with("chunk broken.ndjson line 1: not an order event")
    );
    assert_eq!(
        (found[1].0, found[1].1.as_str()),
        (3, "chunk broken.ndjson line 3: the line is not UTF-8")
    );
    assert_eq!(found[2].0, 4, "an empty line is a record, rejected");
    assert_eq!(
        (found[3].0, found[3].1.as_str()),
        (5, "chunk broken.ndjson line 5: userId 0 is not positive")
    );
}

#[test]
fn the_aggregates_hold_every_dimension_of_a_valid_record() {
    let catalogue = Catalogue::seed();
    let line = br#"{"orderId":"x","userId":7,"sku":"PROD-002","qty":3,"unitPriceCents":250,"currency":"USD","status":"shipped","timestamp":"2026-03-01T23:59:59.999+00:00"}"#;

    let output = process_chunk("one.ndjson", line, &catalogue);

    let aggregates: &Aggregates = &output.report.aggregates;
    let stats = aggregates.by_user[&7];
    assert_eq!(
        (
            stats.count,
            stats.sum_cents,
            stats.min_cents,
            stats.max_cents
        ),
        (1, 750, 750, 750)
    );
    assert_eq!(aggregates.by_sku["PROD-002"], stats);
    assert_eq!(aggregates.by_day["2026-03-01"], stats);
    assert_eq!(aggregates.rows().count(), 3);
}
