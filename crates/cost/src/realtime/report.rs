//! The `--realtime` report: both stacks at each scale point, the crossover, the line items at one
//! connection count, every input with where it came from, and the prices' sources.

use super::RealtimeCostError;
use super::inputs::RealtimeInputs;
use super::model::{Month, StackMonth, crossover, month};
use super::prices::RealtimePrices;
use crate::pricing::Pricing;
use crate::report::{money, number};
use crate::traffic::short;

/// Concurrent connections the table prices.
pub const SCALE_POINTS: [f64; 6] = [10.0, 100.0, 1_000.0, 10_000.0, 100_000.0, 1_000_000.0];

fn lines(title: &str, stack: &StackMonth) -> String {
    let mut out = format!("\n{title}\n\n| item | quantity | cost |\n|---|---:|---:|\n");
    for line in &stack.lines {
        out += &format!(
            "| {} | {} {} | {} |\n",
            line.item,
            number(line.quantity.round()),
            line.unit,
            money(line.usd)
        );
    }
    out + &format!("| **total** | | **{}** |\n", money(stack.usd()))
}

pub fn render(
    inputs: &RealtimeInputs,
    pricing: &Pricing,
    prices: &RealtimePrices,
    itemised: f64,
) -> Result<String, RealtimeCostError> {
    let region = &pricing.region;
    let mut out =
        format!("## The real-time feed a month, by concurrent connections ({region})\n\n");
    out += "Each stack runs the feed on its own: API Gateway's WebSocket API and the realtime Lambda, \
            or a deployment of twinstack-server's `/api/ws` on the Kubernetes twin's nodes behind a load \
            balancer of its own. The order writes that raise the events are the API's, priced by \
            `twinstack cost`.\n\n";
    out += "| concurrent connections | Serverless | Kubernetes | pods (decided by) |\n|---|---:|---:|---|\n";
    for connections in SCALE_POINTS {
        let month = month(connections, inputs, pricing, prices)?;
        out += &format!(
            "| {} | {} | {} | {} ({}) |\n",
            short(connections),
            money(month.serverless.usd()),
            money(month.kubernetes.usd()),
            month.pods,
            month.pods_by
        );
    }
    out += &match crossover(inputs, pricing, prices)? {
        Some(at) => format!(
            "\nKubernetes costs no more than serverless from **{} concurrent connections** up: below it the \
             pods' floor ({} replicas and the load balancer) costs more than the connections' minutes and messages.\n",
            number(at),
            super::model::MIN_REPLICAS
        ),
        None => "\nKubernetes never costs less than serverless between 1 and 100M concurrent connections.\n".into(),
    };
    let at: Month = month(itemised, inputs, pricing, prices)?;
    out += &format!(
        "\n### Line items at {} concurrent connections\n",
        short(itemised)
    );
    out += &lines("API Gateway WebSocket + Lambda + DynamoDB", &at.serverless);
    out += &lines("twinstack-server pods on Kubernetes", &at.kubernetes);
    out += "\n### Inputs\n\n";
    for (name, figure) in inputs.named() {
        out += &format!("- {name}: {figure}\n");
    }
    out += "\n### Sources\n\n";
    for (name, figure, _) in prices.named() {
        out += &format!(
            "- {name}: {} {} — {} ({}, read {}{})\n",
            figure.price,
            figure.unit,
            figure.source.name,
            figure.source.kind,
            figure.source.read,
            figure
                .source
                .url
                .as_deref()
                .map(|u| format!(", {u}"))
                .unwrap_or_default()
        );
    }
    out += "- Lambda, DynamoDB, EC2 and the load balancer: the region's pricing file (`twinstack cost --explain` lists their sources).\n";
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_prices_every_scale_point_names_every_input_and_cites_the_prices() {
        let pricing = Pricing::builtin("ap-south-1").unwrap();
        let prices = RealtimePrices::builtin("ap-south-1").unwrap();
        let inputs = RealtimeInputs::assumed();

        let text = render(&inputs, &pricing, &prices, 10_000.0).unwrap();

        for point in ["| 10 |", "| 1K |", "| 1M |"] {
            assert!(text.contains(point), "{point} missing:\n{text}");
        }
        assert!(text.contains("concurrent connections** up"), "{text}");
        assert_eq!(text.matches("(assumed: ").count(), inputs.named().len());
        assert!(text.contains("not-found"), "the stand-ins are marked");
        assert!(text.contains("https://amnic.com/blogs/aws-api-gateway-pricing"));
    }
}
