//! The monthly bill of each twin at a given traffic, as line items: quantity, unit, cost and how the
//! quantity was reached, so every dollar can be traced to a workload figure and a price.

mod dr;
pub mod kubernetes;
mod serverless;
mod shared;

use std::fmt;

use crate::options::Options;
use crate::pricing::{Instance, Pricing};
use crate::workload::Workload;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stack {
    Serverless,
    Kubernetes,
}

impl fmt::Display for Stack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stack::Serverless => "Serverless",
            Stack::Kubernetes => "Kubernetes",
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LineItem {
    pub name: String,
    /// In the unit the price is per ("million requests", "GB-second", "hour").
    pub quantity: f64,
    pub unit: String,
    pub cost: f64,
    /// What the always-free allowance took off this item, at the first paid price.
    pub free_allowance: f64,
    /// How the quantity was reached and which price applied.
    pub basis: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bill {
    pub stack: Stack,
    pub requests_per_day: f64,
    pub items: Vec<LineItem>,
}

impl Bill {
    pub fn total(&self) -> f64 {
        self.items.iter().map(|item| item.cost).sum()
    }

    /// The cost of the line item whose name starts with `name`, for tests.
    #[cfg(test)]
    fn cost_of(&self, name: &str) -> f64 {
        self.items
            .iter()
            .find(|item| item.name.starts_with(name))
            .unwrap_or_else(|| panic!("no line item {name}"))
            .cost
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ModelError {
    #[error("{what} \"{name}\" has no price in the {region} pricing")]
    Unpriced {
        what: &'static str,
        name: String,
        region: String,
    },
    #[error("the workload names no database class")]
    NoDatabaseClass,
    #[error("workload figure {name} = {value} is out of range ({range})")]
    OutOfRange {
        name: &'static str,
        value: f64,
        range: &'static str,
    },
}

/// twinstack's default workload at ap-south-1 prices with `options`, for tests.
#[cfg(test)]
fn twinstack_in_mumbai(options: Options) -> Model {
    Model::new(
        crate::assumptions::twinstack(),
        Pricing::builtin("ap-south-1").unwrap(),
    )
    .unwrap()
    .with_options(options)
}

/// A workload checked against a pricing: every class it names is priced and every figure is in range.
#[derive(Clone, Debug)]
pub struct Model {
    pub workload: Workload,
    pub pricing: Pricing,
    pub options: Options,
    /// The workload's node type first, then its non-burstable alternatives.
    node_types: Vec<Instance>,
    /// Cheapest first.
    database_classes: Vec<Instance>,
}

impl Model {
    pub fn new(workload: Workload, pricing: Pricing) -> Result<Model, ModelError> {
        check_ranges(&workload)?;
        let k8s = &workload.kubernetes;
        let node_types = std::iter::once(&k8s.node_type)
            .chain(&k8s.node_alternatives)
            .map(|name| {
                priced_instance(&pricing, &pricing.ec2_instances, "EC2 instance type", name)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut database_classes = k8s
            .database
            .classes
            .iter()
            .map(|class| priced_instance(&pricing, &pricing.rds_instances, "RDS class", class))
            .collect::<Result<Vec<_>, _>>()?;
        if database_classes.is_empty() {
            return Err(ModelError::NoDatabaseClass);
        }
        database_classes.sort_by(|a, b| {
            a.price
                .tiers
                .headline_price()
                .total_cmp(&b.price.tiers.headline_price())
        });
        Ok(Model {
            workload,
            pricing,
            options: Options::default(),
            node_types,
            database_classes,
        })
    }

    /// The same workload and prices with `options`.
    pub fn with_options(&self, options: Options) -> Model {
        Model {
            options,
            ..self.clone()
        }
    }

    pub fn bill(&self, stack: Stack, requests_per_day: f64) -> Bill {
        match stack {
            Stack::Serverless => serverless::bill(self, requests_per_day),
            Stack::Kubernetes => kubernetes::bill(self, requests_per_day),
        }
    }

    pub fn total(&self, stack: Stack, requests_per_day: f64) -> f64 {
        self.bill(stack, requests_per_day).total()
    }
}

fn priced_instance(
    pricing: &Pricing,
    table: &std::collections::BTreeMap<String, Instance>,
    what: &'static str,
    name: &str,
) -> Result<Instance, ModelError> {
    table
        .get(name)
        .cloned()
        .ok_or_else(|| ModelError::Unpriced {
            what,
            name: name.to_owned(),
            region: pricing.region.clone(),
        })
}

/// A workload figure's name, value, test and the range the test accepts.
type RangeCheck = (&'static str, f64, fn(f64) -> bool, &'static str);

fn check_ranges(workload: &Workload) -> Result<(), ModelError> {
    let lambda = &workload.serverless.lambda;
    let k8s = &workload.kubernetes;
    let checks: [RangeCheck; 8] = [
        (
            "lambda.memory_mb",
            lambda.memory_mb,
            |v| (128.0..=10_240.0).contains(&v),
            "128 to 10240",
        ),
        (
            "peak_to_average",
            workload.peak_to_average,
            |v| v >= 1.0,
            "at least 1",
        ),
        (
            "kubernetes.hpa_target",
            k8s.hpa_target,
            |v| v > 0.0 && v <= 1.0,
            "above 0, at most 1",
        ),
        (
            "kubernetes.requests_per_vcpu",
            k8s.requests_per_vcpu,
            |v| v > 0.0,
            "above 0",
        ),
        (
            "database.requests_per_vcpu",
            k8s.database.requests_per_vcpu,
            |v| v > 0.0,
            "above 0",
        ),
        (
            "database.target_utilisation",
            k8s.database.target_utilisation,
            |v| v > 0.0 && v <= 1.0,
            "above 0, at most 1",
        ),
        ("kubernetes.pod_vcpu", k8s.pod_vcpu, |v| v > 0.0, "above 0"),
        (
            "kubernetes.min_nodes",
            f64::from(k8s.min_nodes),
            |v| v >= 1.0,
            "at least 1",
        ),
    ];
    for (name, value, ok, range) in checks {
        if !ok(value) {
            return Err(ModelError::OutOfRange { name, value, range });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assumptions;

    fn pricing() -> Pricing {
        Pricing::builtin("ap-south-1").unwrap()
    }

    #[test]
    fn a_node_type_without_a_price_is_refused() {
        let mut workload = assumptions::twinstack();
        workload.kubernetes.node_type = "m7g.large".into();

        let error = Model::new(workload, pricing()).unwrap_err();

        assert_eq!(
            error.to_string(),
            "EC2 instance type \"m7g.large\" has no price in the ap-south-1 pricing"
        );
    }

    #[test]
    fn a_memory_size_lambda_does_not_offer_is_refused() {
        let mut workload = assumptions::twinstack();
        workload.serverless.lambda.memory_mb = 64.0;

        let error = Model::new(workload, pricing()).unwrap_err();

        assert_eq!(
            error.to_string(),
            "workload figure lambda.memory_mb = 64 is out of range (128 to 10240)"
        );
    }

    #[test]
    fn a_bill_totals_its_line_items() {
        let model = Model::new(assumptions::twinstack(), pricing()).unwrap();

        let bill = model.bill(Stack::Kubernetes, 1e6);

        let sum: f64 = bill.items.iter().map(|item| item.cost).sum();
        assert_eq!(bill.total(), sum);
        assert_eq!(model.total(Stack::Kubernetes, 1e6), sum);
    }
}
