//! `crates/cost/pricing/realtime.json`: the prices the real-time model needs beyond the region's
//! pricing file, each with its unit and source.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::RealtimeCostError;
use crate::pricing::Source;

const REALTIME_PRICES: &str = include_str!("../../pricing/realtime.json");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    pub unit: String,
    pub price: f64,
    pub source: Source,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RealtimePrices {
    pub websocket_messages: Figure,
    pub websocket_connection_minutes: Figure,
    pub dynamodb_stream_reads_by_lambda: Figure,
    /// Not a price: the active connections one ALB capacity unit holds.
    pub alb_active_connections_per_lcu: Figure,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PricesFile {
    #[serde(rename = "note")]
    _note: String,
    regions: BTreeMap<String, RealtimePrices>,
}

impl RealtimePrices {
    /// The shipped figures for `region`, each unit checked so a figure per million is never read
    /// as per unit.
    pub fn builtin(region: &str) -> Result<RealtimePrices, RealtimeCostError> {
        let file: PricesFile = serde_json::from_str(REALTIME_PRICES)
            .map_err(|e| RealtimeCostError::Prices(e.to_string()))?;
        let known = file.regions.keys().cloned().collect::<Vec<_>>().join(", ");
        let prices = file
            .regions
            .get(region)
            .cloned()
            .ok_or_else(|| RealtimeCostError::UnknownRegion(region.to_owned(), known))?;
        for (name, figure, unit) in prices.named() {
            if figure.unit != unit || !figure.price.is_finite() || figure.price < 0.0 {
                return Err(RealtimeCostError::Prices(format!(
                    "{region}.{name}: expected a non-negative figure in {unit}, got {} {}",
                    figure.price, figure.unit
                )));
            }
        }
        if prices.alb_active_connections_per_lcu.price <= 0.0 {
            return Err(RealtimeCostError::Prices(format!(
                "{region}.alb_active_connections_per_lcu must be positive"
            )));
        }
        Ok(prices)
    }

    /// `(name, figure, expected unit)` for each figure.
    pub fn named(&self) -> [(&'static str, &Figure, &'static str); 4] {
        [
            (
                "websocket_messages",
                &self.websocket_messages,
                "USD/million messages",
            ),
            (
                "websocket_connection_minutes",
                &self.websocket_connection_minutes,
                "USD/million connection-minutes",
            ),
            (
                "dynamodb_stream_reads_by_lambda",
                &self.dynamodb_stream_reads_by_lambda,
                "USD/million stream read request units",
            ),
            (
                "alb_active_connections_per_lcu",
                &self.alb_active_connections_per_lcu,
                "connections/LCU",
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_regions_have_every_figure_with_its_source_and_stand_ins_say_so() {
        let us = RealtimePrices::builtin("us-east-1").unwrap();
        let mumbai = RealtimePrices::builtin("ap-south-1").unwrap();

        assert_eq!(us.websocket_messages.price, 1.0);
        assert_eq!(us.websocket_connection_minutes.price, 0.25);
        assert_eq!(us.dynamodb_stream_reads_by_lambda.price, 0.0);
        assert!(
            mumbai.websocket_messages.source.name.contains("stands in"),
            "a borrowed figure says it is one"
        );
    }

    #[test]
    fn an_unknown_region_is_refused_with_the_known_ones() {
        let error = RealtimePrices::builtin("eu-west-9").unwrap_err();

        assert!(error.to_string().contains("eu-west-9"));
        assert!(error.to_string().contains("ap-south-1, us-east-1"));
    }
}
