//! The seed article's Kubernetes figures, itemised against our line items.
//!
//! Its $145 floor is 3 × t3.medium and one db.t3.medium running all month at us-east-1 prices
//! (3 × 0.0416 × 730 + 0.072 × 730 = $143.66): the worker nodes and the database instance are in it.
//! Our other Kubernetes line items (the EKS fee, NAT, the load balancer, volumes, public addresses,
//! storage, logs, egress) are what it omits; the Mumbai premium is the difference between our
//! ap-south-1 prices for what it contains and its us-east-1 ones. Its larger figures are multiples of
//! that floor.

use std::fmt::Write;

use crate::bill::{Bill, LineItem};
use crate::pricing::Pricing;
use crate::report::money;
use crate::traffic::HOURS_PER_MONTH;

/// The seed's nodes and database: the part of its figure our line items can be matched to.
const CONTAINED: [&str; 2] = ["EC2 worker nodes", "RDS PostgreSQL"];
const SEED_NODES: f64 = 3.0;
const SEED_NODE: &str = "t3.medium";
const SEED_DATABASE: &str = "db.t3.medium";

/// The seed's floor, part by part, at `us_east_1` prices: (what, dollars a month).
pub fn floor(us_east_1: &Pricing) -> Vec<(String, f64)> {
    let hourly = |table: &std::collections::BTreeMap<String, crate::pricing::Instance>,
                  name: &str| {
        table
            .get(name)
            .map_or(0.0, |instance| instance.price.cost(HOURS_PER_MONTH))
    };
    vec![
        (
            format!("{SEED_NODES} × {SEED_NODE} nodes"),
            SEED_NODES * hourly(&us_east_1.ec2_instances, SEED_NODE),
        ),
        (
            format!("one {SEED_DATABASE}"),
            hourly(&us_east_1.rds_instances, SEED_DATABASE),
        ),
    ]
}

fn contained(item: &LineItem) -> bool {
    CONTAINED.iter().any(|prefix| item.name.starts_with(prefix))
}

/// What `item` would cost at `us_east_1`'s price for the same instance, when it is an instance line.
fn at_us_east_1(item: &LineItem, us_east_1: &Pricing) -> Option<f64> {
    let class = item
        .name
        .split(['×', '(', ')', ','])
        .map(str::trim)
        .find(|part| {
            us_east_1.ec2_instances.contains_key(*part)
                || us_east_1.rds_instances.contains_key(*part)
        })?;
    let instance = us_east_1
        .ec2_instances
        .get(class)
        .or_else(|| us_east_1.rds_instances.get(class))?;
    Some(instance.price.cost(item.quantity))
}

/// The paragraph above the itemisations.
pub fn itemise_intro() -> &'static str {
    "The seed publishes no breakdown. Its $145 equals 3 × t3.medium and one db.t3.medium all month at us-east-1 prices, so at every row below, our worker nodes and database instance are the items its figure contains; every other line item is one it omits. Our nodes and database are priced in ap-south-1; the difference is the Mumbai premium.\n"
}

/// One sentence for the comparison table's notes: what the seed's figure holds and leaves out.
pub fn sentence(bill: &Bill, published: f64, us_east_1: &Pricing) -> String {
    let floor: f64 = floor(us_east_1).iter().map(|(_, usd)| usd).sum();
    let (inside, outside): (Vec<&LineItem>, Vec<&LineItem>) = bill
        .items
        .iter()
        .filter(|item| item.cost >= 0.005)
        .partition(|item| contained(item));
    let mut omitted = outside.clone();
    omitted.sort_by(|a, b| b.cost.total_cmp(&a.cost));
    let named: Vec<String> = omitted
        .iter()
        .take(4)
        .map(|item| format!("{} ({})", item.name, money(item.cost)))
        .collect();
    format!(
        "The seed's {} is {:.1}× its floor of ${floor:.2} (3 × t3.medium + db.t3.medium at us-east-1 prices); ours holds {} of nodes and database, and {} of line items the seed omits, largest {}.",
        money(published),
        published / floor,
        money(inside.iter().map(|item| item.cost).sum()),
        money(outside.iter().map(|item| item.cost).sum()),
        named.join(", ")
    )
}

/// The itemisation: each of our line items, contained in or omitted from the seed's figure, with
/// its dollars (and, for what it contains, the Mumbai premium over us-east-1).
pub fn itemise(bill: &Bill, published: f64, us_east_1: &Pricing) -> String {
    let parts = floor(us_east_1);
    let floor_total: f64 = parts.iter().map(|(_, usd)| usd).sum();
    let mut text = format!(
        "The seed's floor: ${floor_total:.2} = {} at us-east-1 prices; its {} is {:.2}× that floor.\n\n| Our line item | Ours | In the seed's figure |\n|---|---:|---|\n",
        parts
            .iter()
            .map(|(what, usd)| format!("{what} {}", money(*usd)))
            .collect::<Vec<_>>()
            .join(" + "),
        money(published),
        published / floor_total
    );
    let (mut inside, mut outside, mut premium) = (0.0, 0.0, 0.0);
    for item in bill.items.iter().filter(|item| item.cost >= 0.005) {
        let how = if contained(item) {
            inside += item.cost;
            match at_us_east_1(item, us_east_1) {
                Some(east) => {
                    premium += item.cost - east;
                    format!(
                        "contained: {} at us-east-1 prices, {} Mumbai premium",
                        money(east),
                        money(item.cost - east)
                    )
                }
                None => "contained".to_owned(),
            }
        } else {
            outside += item.cost;
            "omitted".to_owned()
        };
        let _ = writeln!(text, "| {} | {} | {how} |", item.name, money(item.cost));
    }
    let _ = writeln!(
        text,
        "\nContained {} (of which {} Mumbai premium), omitted {}: ours is {} against the seed's {}.\n",
        money(inside),
        money(premium),
        money(outside),
        money(bill.total()),
        money(published)
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assumptions;
    use crate::bill::{Model, Stack};

    fn us_east_1() -> Pricing {
        Pricing::builtin("us-east-1").unwrap()
    }

    #[test]
    fn the_seed_floor_is_three_t3_medium_and_a_db_t3_medium_at_us_east_1_prices() {
        let parts = floor(&us_east_1());

        let total: f64 = parts.iter().map(|(_, usd)| usd).sum();
        assert!((total - 143.66).abs() <= 1.0, "{total}");
        assert!((parts[0].1 - 3.0 * 0.0416 * 730.0).abs() < 1e-9);
        assert!((parts[1].1 - 0.072 * 730.0).abs() < 1e-9);
    }

    #[test]
    fn the_itemisation_says_what_the_seed_contains_and_what_it_omits() {
        let model = Model::new(
            assumptions::article(1024.0),
            Pricing::builtin("ap-south-1").unwrap(),
        )
        .unwrap();
        let bill = model.bill(Stack::Kubernetes, 1e4);

        let text = itemise(&bill, 145.0, &us_east_1());

        assert!(text.contains("| EC2 worker nodes (3 × t3.medium) | $98.11 | contained: $91.10 at us-east-1 prices, $7.01 Mumbai premium |"), "{text}");
        assert!(text.contains("| RDS PostgreSQL (db.t3.medium) | $52.56 | contained: $52.56 at us-east-1 prices, $0.00 Mumbai premium |"), "{text}");
        for omitted in [
            "EKS control plane",
            "NAT gateway hours",
            "Load balancer hours",
            "EBS gp3 volumes",
            "Public IPv4 addresses",
            "RDS storage",
        ] {
            assert!(text.contains(&format!("| {omitted} ")), "{omitted}: {text}");
            let row = text
                .lines()
                .find(|line| line.starts_with(&format!("| {omitted}")))
                .unwrap();
            assert!(row.ends_with("| omitted |"), "{row}");
        }
        assert!(
            text.contains(
                "The seed's floor: $143.66 = 3 × t3.medium nodes $91.10 + one db.t3.medium $52.56"
            ),
            "{text}"
        );
    }
}
