//! Reads a pricing file (JSON) into [`Pricing`], checking every figure on the way in: a missing,
//! negative or unit-less price, a tier list out of order, or a figure without a source is refused with
//! the path of the offending field.

use std::collections::BTreeMap;

use serde_json::Value;

use super::error::PricingError;
use super::source::{Source, SourceKind};
use super::tiers::{Tier, Tiers};
use super::unit::Unit;
use super::{Instance, LcuDefinition, Price, Pricing};

/// A value in the file together with its path, so every error can say where it is.
struct Node<'a> {
    value: &'a Value,
    path: String,
}

impl<'a> Node<'a> {
    fn child_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn optional(&self, key: &str) -> Option<Node<'a>> {
        self.value.get(key).map(|value| Node {
            value,
            path: self.child_path(key),
        })
    }

    fn field(&self, key: &str) -> Result<Node<'a>, PricingError> {
        self.optional(key).ok_or_else(|| PricingError::Missing {
            path: self.child_path(key),
        })
    }

    fn number(&self) -> Result<f64, PricingError> {
        self.value.as_f64().ok_or_else(|| self.wrong("a number"))
    }

    fn text(&self) -> Result<&'a str, PricingError> {
        self.value.as_str().ok_or_else(|| self.wrong("a string"))
    }

    fn items(&self) -> Result<Vec<Node<'a>>, PricingError> {
        let array = self.value.as_array().ok_or_else(|| self.wrong("a list"))?;
        Ok(array
            .iter()
            .enumerate()
            .map(|(index, value)| Node {
                value,
                path: format!("{}[{index}]", self.path),
            })
            .collect())
    }

    fn entries(&self) -> Result<Vec<(&'a str, Node<'a>)>, PricingError> {
        let object = self
            .value
            .as_object()
            .ok_or_else(|| self.wrong("an object"))?;
        Ok(object
            .iter()
            .map(|(key, value)| {
                (
                    key.as_str(),
                    Node {
                        value,
                        path: self.child_path(&format!("\"{key}\"")),
                    },
                )
            })
            .collect())
    }

    fn wrong(&self, expected: &'static str) -> PricingError {
        PricingError::WrongType {
            path: self.path.clone(),
            expected,
        }
    }

    fn positive(&self) -> Result<f64, PricingError> {
        let value = self.number()?;
        if value > 0.0 {
            Ok(value)
        } else {
            Err(PricingError::NotPositive {
                path: self.path.clone(),
            })
        }
    }
}

pub fn parse(text: &str) -> Result<Pricing, PricingError> {
    let value: Value =
        serde_json::from_str(text).map_err(|error| PricingError::Json(error.to_string()))?;
    let root = Node {
        value: &value,
        path: String::new(),
    };
    let item = |path: &[&str], unit: Unit| -> Result<Price, PricingError> {
        let mut node = root.field(path[0])?;
        for key in &path[1..] {
            node = node.field(key)?;
        }
        price(&node, unit)
    };
    let load_balancer = root.field("load_balancer")?;
    Ok(Pricing {
        region: root.field("region")?.text()?.to_owned(),
        lambda_requests: item(&["lambda", "requests"], Unit::PerMillionRequests)?,
        lambda_x86_64: item(&["lambda", "duration_x86_64"], Unit::PerGbSecond)?,
        lambda_arm64: item(&["lambda", "duration_arm64"], Unit::PerGbSecond)?,
        api_rest: item(&["api_gateway", "rest"], Unit::PerMillionRequests)?,
        api_http: item(&["api_gateway", "http"], Unit::PerMillionRequests)?,
        dynamodb_reads: item(
            &["dynamodb", "read_request_units"],
            Unit::PerMillionReadUnits,
        )?,
        dynamodb_writes: item(
            &["dynamodb", "write_request_units"],
            Unit::PerMillionWriteUnits,
        )?,
        dynamodb_storage: item(&["dynamodb", "storage"], Unit::PerGbMonth)?,
        logs_ingestion: item(&["cloudwatch", "logs_ingestion"], Unit::PerGb)?,
        logs_storage: item(&["cloudwatch", "logs_storage"], Unit::PerGbMonth)?,
        custom_metrics: item(&["cloudwatch", "custom_metrics"], Unit::PerMetricMonth)?,
        xray_traces: item(&["xray", "traces_recorded"], Unit::PerMillionTraces)?,
        eks_control_plane: item(&["eks", "control_plane"], Unit::PerHour)?,
        ec2_instances: instances(&root.field("ec2")?.field("instances")?)?,
        ebs_gp3: item(&["ec2", "ebs_gp3"], Unit::PerGbMonth)?,
        rds_instances: instances(&root.field("rds")?.field("instances")?)?,
        rds_storage: item(&["rds", "storage"], Unit::PerGbMonth)?,
        load_balancer_hours: item(&["load_balancer", "hours"], Unit::PerHour)?,
        load_balancer_lcu: item(&["load_balancer", "capacity_units"], Unit::PerLcuHour)?,
        lcu: lcu_definition(&load_balancer.field("capacity_unit_definition")?)?,
        nat_hours: item(&["nat_gateway", "hours"], Unit::PerHour)?,
        nat_data: item(&["nat_gateway", "data_processed"], Unit::PerGb)?,
        public_ipv4: item(&["public_ipv4"], Unit::PerHour)?,
        data_transfer_out: item(&["data_transfer_out"], Unit::PerGb)?,
    })
}

fn price(node: &Node, expected: Unit) -> Result<Price, PricingError> {
    let unit = match node.optional("unit") {
        None => {
            return Err(PricingError::NoUnit {
                path: node.path.clone(),
                expected: expected.as_str(),
            });
        }
        Some(unit) => unit.text()?,
    };
    if Unit::parse(unit) != Some(expected) {
        return Err(PricingError::WrongUnit {
            path: format!("{}.unit", node.path),
            found: unit.to_owned(),
            expected: expected.as_str(),
        });
    }
    let tiers = match (node.optional("price"), node.optional("tiers")) {
        (Some(flat), None) => Tiers::flat(non_negative(&flat)?),
        (None, Some(tiers)) => tier_list(&tiers)?,
        (Some(_), Some(_)) => {
            return Err(PricingError::BadTiers {
                path: node.path.clone(),
                reason: "has both price and tiers; give one",
            });
        }
        (None, None) => {
            return Err(PricingError::Missing {
                path: format!("{}.price", node.path),
            });
        }
    };
    Ok(Price {
        unit: expected,
        tiers,
        source: source(&node.field("source")?)?,
        note: node
            .optional("note")
            .map(|note| note.text())
            .transpose()?
            .map(str::to_owned),
    })
}

fn non_negative(node: &Node) -> Result<f64, PricingError> {
    let value = node.number()?;
    if value < 0.0 {
        return Err(PricingError::Negative {
            path: node.path.clone(),
            value,
        });
    }
    Ok(value)
}

fn tier_list(node: &Node) -> Result<Tiers, PricingError> {
    let items = node.items()?;
    if items.is_empty() {
        return Err(PricingError::BadTiers {
            path: node.path.clone(),
            reason: "needs at least one tier",
        });
    }
    let mut tiers = Vec::with_capacity(items.len());
    let mut previous = 0.0;
    for (index, item) in items.iter().enumerate() {
        let last = index + 1 == items.len();
        let up_to = item
            .optional("up_to")
            .map(|bound| bound.number())
            .transpose()?;
        match (up_to, last) {
            (None, false) => {
                return Err(PricingError::BadTiers {
                    path: item.path.clone(),
                    reason: "only the last tier may be open-ended (no up_to)",
                });
            }
            (Some(_), true) => {
                return Err(PricingError::BadTiers {
                    path: item.path.clone(),
                    reason: "the last tier must be open-ended (no up_to)",
                });
            }
            (Some(bound), false) if bound <= previous => {
                return Err(PricingError::BadTiers {
                    path: format!("{}.up_to", item.path),
                    reason: "tier bounds must increase",
                });
            }
            _ => {}
        }
        previous = up_to.unwrap_or(previous);
        tiers.push(Tier {
            up_to,
            price: non_negative(&item.field("price")?)?,
            source: item.optional("source").map(|s| source(&s)).transpose()?,
            note: item
                .optional("note")
                .map(|note| note.text())
                .transpose()?
                .map(str::to_owned),
        });
    }
    Ok(Tiers::new(tiers))
}

fn source(node: &Node) -> Result<Source, PricingError> {
    let kind_node = node.field("kind")?;
    let kind_text = kind_node.text()?;
    let kind = SourceKind::parse(kind_text).ok_or_else(|| PricingError::UnknownSourceKind {
        path: kind_node.path.clone(),
        found: kind_text.to_owned(),
    })?;
    Ok(Source {
        kind,
        name: node.field("name")?.text()?.to_owned(),
        url: node
            .optional("url")
            .map(|url| url.text())
            .transpose()?
            .map(str::to_owned),
        read: node.field("read")?.text()?.to_owned(),
    })
}

fn instances(node: &Node) -> Result<BTreeMap<String, Instance>, PricingError> {
    let mut instances = BTreeMap::new();
    for (name, entry) in node.entries()? {
        instances.insert(
            name.to_owned(),
            Instance {
                name: name.to_owned(),
                vcpu: entry.field("vcpu")?.positive()?,
                memory_gib: entry.field("memory_gib")?.positive()?,
                price: price(&entry, Unit::PerHour)?,
            },
        );
    }
    Ok(instances)
}

fn lcu_definition(node: &Node) -> Result<LcuDefinition, PricingError> {
    Ok(LcuDefinition {
        new_connections_per_second: node.field("new_connections_per_second")?.positive()?,
        processed_gb_per_hour: node.field("processed_gb_per_hour")?.positive()?,
        source: source(&node.field("source")?)?,
    })
}
