//! Line items both twins have: CloudWatch logs (the Kubernetes twin's only when they go there) and
//! data transfer out (both answer with the same bytes); and how a discount changes a line item.

use super::{Bill, LineItem, Model, Stack};
use crate::pricing::{Price, Pricing, SourceKind};
use crate::report::number;
use crate::traffic::{gigabytes, requests_per_month};
use crate::workload::Workload;

/// A line item whose cost is `price` applied to `quantity` (in the price's unit).
pub fn priced(
    name: impl Into<String>,
    quantity: f64,
    price: &Price,
    how: impl Into<String>,
) -> LineItem {
    LineItem {
        name: name.into(),
        quantity,
        unit: price.unit.quantity().to_owned(),
        cost: price.cost(quantity),
        free_allowance: price.tiers.free_value(quantity),
        basis: format!("{}; {}", how.into(), describe(price, quantity)),
    }
}

/// "$0.20 per million requests (first 1 free), secondary source".
fn describe(price: &Price, quantity: f64) -> String {
    let tiers: Vec<_> = price.tiers.iter().collect();
    let marginal = price.tiers.marginal_price(quantity);
    let free = tiers
        .first()
        .filter(|tier| tier.price == 0.0)
        .and_then(|tier| tier.up_to)
        .map(|bound| format!(", first {} free", number(bound)))
        .unwrap_or_default();
    let tiered = if tiers.iter().filter(|tier| tier.price > 0.0).count() > 1 {
        " at the marginal tier"
    } else {
        ""
    };
    // Only tiers the quantity reaches into matter: a stand-in above it did not price anything.
    let mut lower = 0.0;
    let mut reached = Vec::new();
    for tier in &tiers {
        if lower < quantity || reached.is_empty() {
            reached.push(*tier);
        }
        lower = tier.up_to.unwrap_or(f64::INFINITY);
    }
    let stand_in = if reached
        .iter()
        .any(|tier| tier.source.as_ref().unwrap_or(&price.source).kind == SourceKind::NotFound)
    {
        " (includes a stand-in figure)"
    } else {
        ""
    };
    format!(
        "${} per {}{tiered}{free} [{}]{stand_in}",
        number(marginal),
        price.unit.quantity(),
        price.source.kind
    )
}

/// `item` with `fraction` off its cost, saying why in its basis.
pub fn discounted(mut item: LineItem, fraction: f64, why: &str) -> LineItem {
    if fraction > 0.0 {
        item.cost *= 1.0 - fraction;
        item.basis += &format!("; {:.0}% off: {why}", fraction * 100.0);
    }
    item
}

/// `stack`'s bill: its own `items`, then its CloudWatch logs (`log_bytes` per request, when its logs
/// go there) and data transfer out.
pub fn bill(
    stack: Stack,
    mut items: Vec<LineItem>,
    log_bytes: Option<f64>,
    workload: &Workload,
    pricing: &Pricing,
    requests_per_day: f64,
) -> Bill {
    if let Some(bytes) = log_bytes {
        items.extend(logs(bytes, workload, pricing, requests_per_day));
    }
    items.push(data_transfer_out(workload, pricing, requests_per_day));
    Bill {
        stack,
        requests_per_day,
        items,
    }
}

pub fn log_gb_per_month(bytes_per_request: f64, requests_per_day: f64) -> f64 {
    gigabytes(requests_per_month(requests_per_day) * bytes_per_request)
}

fn logs(
    bytes_per_request: f64,
    workload: &Workload,
    pricing: &Pricing,
    requests_per_day: f64,
) -> Vec<LineItem> {
    let ingested = log_gb_per_month(bytes_per_request, requests_per_day);
    let stored = ingested * workload.log_retention_months;
    vec![
        priced(
            "CloudWatch Logs ingestion",
            ingested,
            &pricing.logs_ingestion,
            format!("{} bytes per request", number(bytes_per_request)),
        ),
        // Stored size is taken as ingested size; CloudWatch stores compressed, so this is an upper bound.
        priced(
            "CloudWatch Logs storage",
            stored,
            &pricing.logs_storage,
            format!(
                "{} month(s) of retention, uncompressed size (an upper bound)",
                workload.log_retention_months
            ),
        ),
    ]
}

fn data_transfer_out(workload: &Workload, pricing: &Pricing, requests_per_day: f64) -> LineItem {
    priced(
        "Data transfer out",
        gigabytes(requests_per_month(requests_per_day) * workload.response_bytes),
        &pricing.data_transfer_out,
        format!(
            "{} response bytes per request",
            number(workload.response_bytes)
        ),
    )
}

/// Orders kept, in GB: `bytes_per_order` × orders a day × the retention, on top of `base_gb`.
pub fn stored_gb(model: &Model, requests_per_day: f64, base_gb: f64, bytes_per_order: f64) -> f64 {
    let workload = &model.workload;
    base_gb
        + gigabytes(
            requests_per_day
                * workload.orders_per_request()
                * workload.order_retention_days
                * bytes_per_order,
        )
}
