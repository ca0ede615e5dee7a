//! The article's published cost table ("AWS Serverless vs. Kubernetes: A Cost & Performance
//! Benchmark (2026)", ap-south-1) and the sentence that explains a row where ours differs by more
//! than [`DISAGREEMENT`].

use crate::bill::{Bill, LineItem};
use crate::report::money;
use crate::traffic::HOURS_PER_MONTH;

pub struct ArticleRow {
    pub requests_per_day: f64,
    pub serverless: f64,
    pub kubernetes: f64,
}

/// "Monthly Cost at Different Scale Points", as published.
pub const TABLE: [ArticleRow; 5] = [
    ArticleRow {
        requests_per_day: 1e4,
        serverless: 3.50,
        kubernetes: 145.0,
    },
    ArticleRow {
        requests_per_day: 1e5,
        serverless: 28.0,
        kubernetes: 145.0,
    },
    ArticleRow {
        requests_per_day: 1e6,
        serverless: 185.0,
        kubernetes: 290.0,
    },
    ArticleRow {
        requests_per_day: 1e7,
        serverless: 1450.0,
        kubernetes: 580.0,
    },
    ArticleRow {
        requests_per_day: 5e7,
        serverless: 7200.0,
        kubernetes: 1740.0,
    },
];

/// "At approximately 2-3 million requests per day, Kubernetes becomes more cost-effective."
pub const CROSSOVER: &str = "~2–3M requests/day";

/// Rows that differ by more than this fraction get an explanation.
pub const DISAGREEMENT: f64 = 0.25;

/// (ours − published) / published.
pub fn difference(ours: f64, published: f64) -> f64 {
    (ours - published) / published
}

/// "+60%", "-12%".
pub fn percent(fraction: f64) -> String {
    format!("{:+.0}%", fraction * 100.0)
}

/// Why `bill` differs from the article's `published_usd`, naming line items; `None` within [`DISAGREEMENT`].
pub fn explanation(bill: &Bill, published_usd: f64) -> Option<String> {
    let ours = bill.total();
    let gap = ours - published_usd;
    if difference(ours, published_usd).abs() <= DISAGREEMENT {
        return None;
    }
    let mut items: Vec<&LineItem> = bill.items.iter().collect();
    items.sort_by(|a, b| b.cost.total_cmp(&a.cost));
    let head = format!(
        "ours is {} ({}) {} the article's {}.",
        money(gap.abs()),
        percent(difference(ours, published_usd)),
        if gap > 0.0 { "above" } else { "below" },
        money(published_usd)
    );
    if gap > 0.0 {
        // The article publishes no breakdown: name our largest items until they account for the gap.
        let mut covered = 0.0;
        let mut named = Vec::new();
        for item in items.iter().filter(|item| item.cost > 0.0) {
            named.push(format!("{} ({})", item.name, money(item.cost)));
            covered += item.cost;
            if covered >= gap {
                break;
            }
        }
        Some(format!(
            "{head} Our largest line items account for the gap: {}. The article gives no breakdown, so these are the items its figure leaves out or prices lower.",
            named.join(", ")
        ))
    } else {
        Some(format!("{head}{}", below(&items, gap.abs())))
    }
}

/// Why ours is `gap` below: first the always-free allowances we take off (when they matter), then what
/// the rest of the gap would buy of our largest hourly (capacity) line, or of our largest line.
/// `items` are sorted by cost, largest first.
fn below(items: &[&LineItem], gap: f64) -> String {
    let mut text = String::new();
    let mut free: Vec<&&LineItem> = items
        .iter()
        .filter(|item| item.free_allowance > 0.005)
        .collect();
    free.sort_by(|a, b| b.free_allowance.total_cmp(&a.free_allowance));
    let free_total: f64 = free.iter().map(|item| item.free_allowance).sum();
    // Allowances worth less than a tenth of the gap explain nothing; they stay in the line items.
    let free_total = if free_total >= 0.1 * gap {
        free_total
    } else {
        0.0
    };
    if free_total > 0.0 {
        let named: Vec<String> = free
            .iter()
            .take(3)
            .map(|item| format!("{} ({})", item.name, money(item.free_allowance)))
            .collect();
        text += &format!(
            " Our always-free allowances take {} off, most of it on {}; the article's figure may not take them off.",
            money(free_total),
            named.join(", ")
        );
    }
    let rest = gap - free_total;
    if rest <= 0.0 {
        return text;
    }
    let lead = if free_total > 0.0 {
        "The remaining"
    } else {
        "The gap of"
    };
    let capacity = items
        .iter()
        .filter(|item| item.unit == "hour")
        .max_by(|a, b| a.cost.total_cmp(&b.cost));
    match capacity.or(items.first()) {
        Some(item) if item.unit == "hour" => {
            let month = item.cost / item.quantity * HOURS_PER_MONTH;
            text += &format!(
                " {} {} would pay for {:.0} more of our largest hourly line, {} ({} each a month): its basis shows how we size it.",
                lead,
                money(rest),
                rest / month,
                item.name,
                money(month)
            );
        }
        Some(item) => {
            text += &format!(
                " {} {} is {:.1}× our largest line item, {} ({}).",
                lead,
                money(rest),
                rest / item.cost,
                item.name,
                money(item.cost)
            );
        }
        None => {}
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bill::Stack;

    fn bill(items: &[(&str, f64, f64, &str)]) -> Bill {
        Bill {
            stack: Stack::Kubernetes,
            requests_per_day: 1e4,
            items: items
                .iter()
                .map(|&(name, quantity, cost, unit)| LineItem {
                    name: name.into(),
                    quantity,
                    unit: unit.into(),
                    cost,
                    free_allowance: 0.0,
                    basis: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_row_within_a_quarter_of_the_article_needs_no_explanation() {
        assert_eq!(
            explanation(&bill(&[("a", 1.0, 120.0, "hour")]), 100.0),
            None
        );
    }

    #[test]
    fn when_ours_is_higher_the_largest_items_covering_the_gap_are_named() {
        // 150 against 100: a gap of 50, covered by the two largest, 45 and 40.
        let bill = bill(&[
            ("third", 1.0, 35.0, "GB"),
            ("first", 1.0, 45.0, "hour"),
            ("fourth", 1.0, 30.0, "GB"),
            ("second", 1.0, 40.0, "GB"),
            ("free", 1.0, 0.0, "GB"),
        ]);

        let sentence = explanation(&bill, 100.0).unwrap();

        assert!(
            sentence.starts_with("ours is $50.00 (+50%) above the article's $100."),
            "{sentence}"
        );
        assert!(
            sentence.contains("gap: first ($45.00), second ($40.00)."),
            "{sentence}"
        );
        assert!(!sentence.contains("third"), "{sentence}");
    }

    #[test]
    fn when_ours_is_lower_the_rest_of_the_gap_is_priced_in_our_largest_hourly_line() {
        // 3 nodes for 2,190 hours cost $98.11 ($32.70 each a month); $1,641.89 short of $1,740 = 50 nodes.
        let bill = bill(&[
            ("Logs", 100.0, 20.0, "GB"),
            ("EC2 worker nodes (3 × t3.medium)", 2190.0, 98.112, "hour"),
        ]);

        let sentence = explanation(&bill, 1740.0 + 20.0).unwrap();

        assert!(
            sentence.starts_with("ours is $1,642 (-93%) below the article's $1,760."),
            "{sentence}"
        );
        assert!(
            sentence.contains("would pay for 50 more of our largest hourly line, EC2 worker nodes (3 × t3.medium) ($32.70 each a month)"),
            "{sentence}"
        );
    }

    #[test]
    fn when_ours_is_lower_our_free_allowances_are_named_first() {
        let mut bill = bill(&[("X-Ray traces recorded", 0.3, 1.0, "million traces")]);
        bill.items[0].free_allowance = 0.5;

        let sentence = explanation(&bill, 1.6).unwrap();

        assert!(sentence.contains("Our always-free allowances take $0.50 off, most of it on X-Ray traces recorded ($0.50)"), "{sentence}");
        assert!(
            sentence.contains("The remaining $0.10 is 0.1× our largest line item"),
            "{sentence}"
        );
    }
}
