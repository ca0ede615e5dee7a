//! Capacity units consumed per request: every call asks DynamoDB for its consumed capacity
//! (`ReturnConsumedCapacity::Total`), and [`measure`] adds up what the calls inside a future used.
//!
//! The meter is a task-local, so concurrent requests on one runtime never mix their counts. Calls
//! made outside any [`measure`] are simply not counted, and work spawned onto other tasks is not
//! seen. Only successful calls report capacity; a refused condition or a cancelled transaction
//! costs capacity that DynamoDB does not report back.

use std::cell::Cell;
use std::future::Future;
use std::ops::Add;

use aws_sdk_dynamodb::types::ConsumedCapacity as Reported;

tokio::task_local! {
    static METER: Cell<ConsumedCapacity>;
}

/// Read and write capacity units (fractions: an eventually consistent read of 4 KB is 0.5).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ConsumedCapacity {
    pub read: f64,
    pub write: f64,
}

impl Add for ConsumedCapacity {
    type Output = ConsumedCapacity;

    fn add(self, other: ConsumedCapacity) -> ConsumedCapacity {
        ConsumedCapacity {
            read: self.read + other.read,
            write: self.write + other.write,
        }
    }
}

/// Runs `fut` and returns its output with the capacity its DynamoDB calls consumed. Nested
/// measurements also count towards the enclosing one.
pub async fn measure<F: Future>(fut: F) -> (F::Output, ConsumedCapacity) {
    let (output, used) = METER
        .scope(Cell::new(ConsumedCapacity::default()), async move {
            let output = fut.await;
            (output, METER.with(Cell::get))
        })
        .await;
    add(used);
    (output, used)
}

/// Whether a call reads or writes: DynamoDB may report only a total, which then goes to the
/// call's own kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Read,
    Write,
}

/// Counts what one call reported (`Option` for single-item calls, a slice for batches and
/// transactions), if a [`measure`] is running on this task.
pub(crate) fn record<'a>(kind: Kind, reported: impl IntoIterator<Item = &'a Reported>) {
    let used = reported
        .into_iter()
        .map(|r| units(kind, r))
        .fold(ConsumedCapacity::default(), Add::add);
    add(used);
}

fn add(used: ConsumedCapacity) {
    // Outside a `measure` there is nothing to add to, which is fine.
    let _ = METER.try_with(|meter| meter.set(meter.get() + used));
}

fn units(kind: Kind, reported: &Reported) -> ConsumedCapacity {
    match (
        reported.read_capacity_units(),
        reported.write_capacity_units(),
    ) {
        (None, None) => {
            let total = reported.capacity_units().unwrap_or_default();
            match kind {
                Kind::Read => ConsumedCapacity {
                    read: total,
                    write: 0.0,
                },
                Kind::Write => ConsumedCapacity {
                    read: 0.0,
                    write: total,
                },
            }
        }
        (read, write) => ConsumedCapacity {
            read: read.unwrap_or_default(),
            write: write.unwrap_or_default(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(units: f64) -> Reported {
        Reported::builder().capacity_units(units).build()
    }

    #[tokio::test]
    async fn a_measure_adds_up_reads_and_writes_of_its_own_task_only() {
        let (output, used) = measure(async {
            record(Kind::Read, Some(&total(0.5)));
            record(Kind::Write, &[total(2.0), total(1.0)]);
            record(
                Kind::Write,
                Some(
                    &Reported::builder()
                        .capacity_units(3.0)
                        .read_capacity_units(1.0)
                        .write_capacity_units(2.0)
                        .build(),
                ),
            );
            "done"
        })
        .await;

        assert_eq!(output, "done");
        assert_eq!(
            used,
            ConsumedCapacity {
                read: 1.5,
                write: 5.0
            }
        );
    }

    #[tokio::test]
    async fn a_nested_measure_counts_towards_the_outer_one_and_unmeasured_calls_are_ignored() {
        record(Kind::Read, Some(&total(100.0)));

        let ((_, inner), outer) = measure(async {
            record(Kind::Read, Some(&total(1.0)));
            measure(async { record(Kind::Write, Some(&total(1.0))) }).await
        })
        .await;

        assert_eq!(
            inner,
            ConsumedCapacity {
                read: 0.0,
                write: 1.0
            }
        );
        assert_eq!(
            outer,
            ConsumedCapacity {
                read: 1.0,
                write: 1.0
            }
        );
    }
}
