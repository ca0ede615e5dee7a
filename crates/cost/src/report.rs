//! The text of a report: the article's scale table for one workload, the line items behind each figure
//! (`--explain`), the crossover sentence, and the stand-in prices. All of it Markdown, so the same
//! text reads in a terminal and renders in a repository.

use std::fmt::Write;

use crate::bill::{Bill, Model, Stack};
use crate::crossover::{Crossing, Direction};
use crate::options::Options;
use crate::pricing::{Pricing, SourceKind};
use crate::traffic::short;

/// The article's scale points, requests/day.
pub const SCALE_POINTS: [f64; 5] = [1e4, 1e5, 1e6, 1e7, 5e7];

/// "$3.50", "$145", "$1,450".
pub fn money(usd: f64) -> String {
    if usd.abs() < 100.0 {
        return format!("${usd:.2}");
    }
    format!(
        "{}${}",
        if usd < 0.0 { "-" } else { "" },
        grouped(usd.abs())
    )
}

/// A whole number with thousands separators: "30,416,667".
fn grouped(value: f64) -> String {
    let whole = format!("{value:.0}");
    let mut text = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

/// A figure for prose: grouped from 1,000 up, otherwise without trailing zeros ("0.0448", "2.5").
pub fn number(value: f64) -> String {
    if value.abs() >= 1000.0 {
        return format!(
            "{}{}",
            if value < 0.0 { "-" } else { "" },
            grouped(value.abs())
        );
    }
    let text = format!("{value:.10}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A number of requests/day for prose: "2.4M requests/day".
pub fn per_day(requests: f64) -> String {
    format!("{} requests/day", short(requests))
}

pub fn crossover_sentence(crossings: &[Crossing]) -> String {
    if crossings.is_empty() {
        return "The curves do not cross between 1K and 10B requests/day.".to_owned();
    }
    crossings
        .iter()
        .map(|crossing| match crossing.direction {
            Direction::KubernetesCheaperAbove => format!(
                "Kubernetes becomes cheaper than serverless at {}.",
                per_day(crossing.requests_per_day)
            ),
            Direction::ServerlessCheaperAbove => format!(
                "Serverless becomes cheaper again at {}.",
                per_day(crossing.requests_per_day)
            ),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `model` without its pricing options (the log sink is a layout, kept).
pub fn on_demand(model: &Model) -> Model {
    model.with_options(Options {
        kubernetes_logs: model.options.kubernetes_logs,
        ..Options::default()
    })
}

/// The article's table for one model; with options, each stack on demand next to with them.
pub fn table(model: &Model) -> String {
    if !model.options.any() {
        return scale_table(&[
            ("Serverless", &|per_day| {
                model.total(Stack::Serverless, per_day)
            }),
            ("Kubernetes", &|per_day| {
                model.total(Stack::Kubernetes, per_day)
            }),
        ]);
    }
    let base = on_demand(model);
    scale_table(&[
        ("Serverless, on demand", &|per_day| {
            base.total(Stack::Serverless, per_day)
        }),
        ("Serverless, with options", &|per_day| {
            model.total(Stack::Serverless, per_day)
        }),
        ("Kubernetes, on demand", &|per_day| {
            base.total(Stack::Kubernetes, per_day)
        }),
        ("Kubernetes, with options", &|per_day| {
            model.total(Stack::Kubernetes, per_day)
        }),
    ])
}

/// Each option alone, next to on demand: the stack it changes, its cost and the difference at every
/// scale point.
pub fn options_table(model: &Model) -> String {
    let base = on_demand(model);
    let mut text = format!(
        "| Option | Stack | {} |\n|---|---|{}\n",
        SCALE_POINTS.map(short).join(" | "),
        "---:|".repeat(SCALE_POINTS.len())
    );
    for (flag, options) in model.options.each() {
        let alone = model.with_options(options);
        for stack in [Stack::Serverless, Stack::Kubernetes] {
            let cells: Vec<(f64, f64)> = SCALE_POINTS
                .iter()
                .map(|&per_day| (alone.total(stack, per_day), base.total(stack, per_day)))
                .collect();
            if cells
                .iter()
                .all(|(with, without)| (with - without).abs() < 0.005)
            {
                continue;
            }
            let cells: Vec<String> = cells
                .iter()
                .map(|&(with, without)| {
                    let sign = if with >= without { "+" } else { "-" };
                    format!("{} ({sign}{})", money(with), money((with - without).abs()))
                })
                .collect();
            let _ = writeln!(text, "| `{flag}` | {stack} | {} |", cells.join(" | "));
        }
    }
    text
}

/// Monthly cost at each of the article's scale points, one column per (heading, cost at a rate).
pub fn scale_table(columns: &[(&str, &dyn Fn(f64) -> f64)]) -> String {
    let headings: Vec<&str> = columns.iter().map(|(heading, _)| *heading).collect();
    let mut text = format!(
        "| Requests/day | {} |\n|---|{}\n",
        headings.join(" | "),
        "---:|".repeat(columns.len())
    );
    for per_day in SCALE_POINTS {
        let cells: Vec<String> = columns
            .iter()
            .map(|(_, cost)| money(cost(per_day)))
            .collect();
        let _ = writeln!(text, "| {} | {} |", short(per_day), cells.join(" | "));
    }
    text
}

/// Every line item of one bill.
pub fn line_items(bill: &Bill) -> String {
    let mut text = format!(
        "**{} at {}: {}**\n\n| Line item | Quantity | Cost | Basis |\n|---|---:|---:|---|\n",
        bill.stack,
        per_day(bill.requests_per_day),
        money(bill.total())
    );
    for item in &bill.items {
        let _ = writeln!(
            text,
            "| {} | {} {} | {} | {} |",
            item.name,
            quantity(item.quantity),
            item.unit,
            money(item.cost),
            item.basis
        );
    }
    text
}

/// Quantities span from fractions (GB) to billions (GB-seconds).
fn quantity(value: f64) -> String {
    if value >= 1000.0 {
        grouped(value)
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.4}")
    }
}

/// Both stacks' line items at every scale point.
pub fn explain(model: &Model) -> String {
    let mut text = String::new();
    for per_day in SCALE_POINTS {
        for stack in [Stack::Serverless, Stack::Kubernetes] {
            text.push_str(&line_items(&model.bill(stack, per_day)));
            text.push('\n');
        }
    }
    text
}

/// The figures that stand in for prices not found for the region.
pub fn stand_ins(pricing: &Pricing) -> String {
    let stand_ins = pricing.stand_ins();
    if stand_ins.is_empty() {
        return format!(
            "Every {} price has a source for the region.\n",
            pricing.region
        );
    }
    let mut text = format!(
        "{} figures in the {} pricing are stand-ins, not found for the region:\n\n",
        stand_ins.len(),
        pricing.region
    );
    for stand_in in stand_ins {
        let _ = writeln!(
            text,
            "- {}: {} {} ({})",
            stand_in.item, stand_in.price, stand_in.unit, stand_in.source.name
        );
    }
    text
}

/// Every figure of the pricing with its unit, source, kind and the date it was read; one row per tier.
pub fn sources(pricing: &Pricing) -> String {
    let mut text = format!(
        "## Prices and their sources ({})\n\n| Item | Tier | Price | Unit | Kind | Source | Read |\n|---|---|---:|---|---|---|---|\n",
        pricing.region
    );
    let mut items = pricing.items();
    for instance in pricing
        .ec2_instances
        .values()
        .chain(pricing.rds_instances.values())
    {
        if let Some(item) = items
            .iter_mut()
            .find(|(name, _)| name.ends_with(&instance.name))
        {
            item.0 = format!(
                "{} ({} vCPU, {} GiB)",
                item.0, instance.vcpu, instance.memory_gib
            );
        }
    }
    for (name, price) in items {
        let mut lower = 0.0;
        for tier in price.tiers.iter() {
            let source = tier.source.as_ref().unwrap_or(&price.source);
            let range = match tier.up_to {
                Some(upper) => format!("{} to {}", number(lower), number(upper)),
                None if lower > 0.0 => format!("above {}", number(lower)),
                None => "all".to_owned(),
            };
            let notes: Vec<&str> = [tier.note.as_deref(), price.note.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            let _ = writeln!(
                text,
                "| {name} | {range} | {} | {} | {} | {}{}{} | {} |",
                number(tier.price),
                price.unit,
                source.kind,
                source.name,
                source
                    .url
                    .as_deref()
                    .map(|url| format!(" <{url}>"))
                    .unwrap_or_default(),
                if notes.is_empty() {
                    String::new()
                } else {
                    format!(". {}", notes.join(" "))
                },
                source.read
            );
            lower = tier.up_to.unwrap_or(lower);
        }
    }
    for (name, factor) in pricing.factors() {
        let _ = writeln!(
            text,
            "| {name} | all | {} | factor | {} | {}{}{} | {} |",
            number(factor.value),
            factor.source.kind,
            factor.source.name,
            factor
                .source
                .url
                .as_deref()
                .map(|url| format!(" <{url}>"))
                .unwrap_or_default(),
            factor
                .note
                .as_deref()
                .map(|note| format!(". {note}"))
                .unwrap_or_default(),
            factor.source.read
        );
    }
    let lcu = &pricing.lcu;
    let _ = writeln!(
        text,
        "\nOne load balancer capacity unit: {} new connections/s or {} GB processed an hour ({}: {}, read {}).",
        number(lcu.new_connections_per_second),
        number(lcu.processed_gb_per_hour),
        lcu.source.kind,
        lcu.source.name,
        lcu.source.read
    );
    text
}

/// How many figures come from AWS pages, secondary sources, or are stand-ins.
pub fn source_summary(pricing: &Pricing) -> String {
    let mut counts = [0usize; 3];
    for (_, price) in pricing.items() {
        for tier in price.tiers.iter().filter(|tier| tier.price > 0.0) {
            let kind = tier.source.as_ref().unwrap_or(&price.source).kind;
            counts[match kind {
                SourceKind::AwsPage => 0,
                SourceKind::Secondary => 1,
                SourceKind::NotFound => 2,
            }] += 1;
        }
    }
    format!(
        "Pricing: {} — {} figures from AWS pages, {} from secondary sources, {} stand-ins.",
        pricing.region, counts[0], counts[1], counts[2]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_prints_cents_below_a_hundred_dollars_and_groups_thousands() {
        assert_eq!(money(3.5), "$3.50");
        assert_eq!(money(145.0), "$145");
        assert_eq!(money(1450.4), "$1,450");
        assert_eq!(money(1_234_567.0), "$1,234,567");
        assert_eq!(money(-1450.0), "-$1,450");
    }

    #[test]
    fn numbers_are_grouped_from_a_thousand_and_trimmed_below() {
        assert_eq!(number(30_416_666.7), "30,416,667");
        assert_eq!(number(0.0448), "0.0448");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(400_000.0), "400,000");
    }
}
