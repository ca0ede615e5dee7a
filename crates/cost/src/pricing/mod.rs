//! Prices as data: one JSON file per region under `crates/cost/pricing/`, read and checked at start-up.
//!
//! Each figure carries its unit, its source (an AWS page, a secondary source, or — for a figure not found
//! for the region — the stand-in used and where it came from) and the date it was read. The two shipped
//! regions are built in; `--pricing FILE` takes a user's own file in the same format.

mod error;
mod parse;
mod source;
mod tiers;
mod unit;

use std::collections::BTreeMap;
use std::path::Path;

pub use error::PricingError;
pub use source::{Source, SourceKind};
pub use tiers::{Tier, Tiers};
pub use unit::Unit;

const AP_SOUTH_1: &str = include_str!("../../pricing/ap-south-1.json");
const US_EAST_1: &str = include_str!("../../pricing/us-east-1.json");

/// One priced item: a flat price or volume tiers, in one unit, from one source.
#[derive(Clone, Debug, PartialEq)]
pub struct Price {
    pub unit: Unit,
    pub tiers: Tiers,
    pub source: Source,
    pub note: Option<String>,
}

impl Price {
    pub fn cost(&self, quantity: f64) -> f64 {
        self.tiers.cost(quantity)
    }
}

/// An EC2 or RDS instance class and its hourly price.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    pub name: String,
    pub vcpu: f64,
    pub memory_gib: f64,
    pub price: Price,
    /// T-class instances: the CPU they may use without charge, and the price of using more.
    pub burstable: Option<Burstable>,
}

/// A T-class instance in unlimited mode: each vCPU earns `baseline` of itself; CPU used above that,
/// averaged over the day, is billed as surplus credits per vCPU-hour.
#[derive(Clone, Debug, PartialEq)]
pub struct Burstable {
    pub baseline: f64,
    pub surplus_credits: Price,
}

/// A multiplier or a discount (a fraction off a price), with its source like any price.
#[derive(Clone, Debug, PartialEq)]
pub struct Factor {
    pub value: f64,
    pub source: Source,
    pub note: Option<String>,
}

/// Fractions off on-demand prices, each with its source.
#[derive(Clone, Debug, PartialEq)]
pub struct Discounts {
    pub savings_plan_1y_ec2: Factor,
    pub savings_plan_3y_ec2: Factor,
    pub savings_plan_1y_lambda: Factor,
    pub savings_plan_3y_lambda: Factor,
    pub rds_reserved_1y: Factor,
    pub spot: Factor,
}

/// What one load balancer capacity unit (LCU) buys, per hour, on the two dimensions the model uses.
#[derive(Clone, Debug, PartialEq)]
pub struct LcuDefinition {
    pub new_connections_per_second: f64,
    pub processed_gb_per_hour: f64,
    pub source: Source,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pricing {
    pub region: String,
    pub lambda_requests: Price,
    pub lambda_x86_64: Price,
    pub lambda_arm64: Price,
    pub api_rest: Price,
    pub api_http: Price,
    pub dynamodb_reads: Price,
    pub dynamodb_writes: Price,
    pub dynamodb_storage: Price,
    pub logs_ingestion: Price,
    pub logs_storage: Price,
    pub custom_metrics: Price,
    pub xray_traces: Price,
    pub eks_control_plane: Price,
    pub ec2_instances: BTreeMap<String, Instance>,
    pub ebs_gp3: Price,
    pub rds_instances: BTreeMap<String, Instance>,
    pub rds_storage: Price,
    pub load_balancer_hours: Price,
    pub load_balancer_lcu: Price,
    pub lcu: LcuDefinition,
    pub nat_hours: Price,
    pub nat_data: Price,
    pub public_ipv4: Price,
    pub data_transfer_out: Price,
    pub lambda_provisioned_x86_64: Price,
    pub lambda_provisioned_arm64: Price,
    pub lambda_provisioned_duration_x86_64: Price,
    pub lambda_provisioned_duration_arm64: Price,
    pub dynamodb_provisioned_reads: Price,
    pub dynamodb_provisioned_writes: Price,
    pub dynamodb_backup: Price,
    pub ebs_snapshots: Price,
    pub rds_backup_storage: Price,
    /// Multi-AZ RDS against single-AZ, for the instance and its storage.
    pub rds_multi_az: Factor,
    pub s3_storage: Price,
    pub vpc_endpoint_hours: Price,
    pub vpc_endpoint_data: Price,
    pub cross_az: Price,
    pub inter_region: Price,
    pub route53_health_check: Price,
    pub route53_health_check_feature: Price,
    pub route53_hosted_zone: Price,
    pub discounts: Discounts,
}

/// A figure that is a stand-in for one not found for the region.
#[derive(Clone, Debug, PartialEq)]
pub struct StandIn {
    pub item: String,
    pub price: f64,
    pub unit: String,
    pub source: Source,
}

impl Pricing {
    pub fn from_json(text: &str) -> Result<Pricing, PricingError> {
        parse::parse(text)
    }

    /// The pricing shipped for `region`.
    pub fn builtin(region: &str) -> Result<Pricing, PricingError> {
        match region {
            "ap-south-1" => Pricing::from_json(AP_SOUTH_1),
            "us-east-1" => Pricing::from_json(US_EAST_1),
            other => Err(PricingError::UnknownRegion(other.to_owned())),
        }
    }

    pub fn from_file(path: &Path) -> Result<Pricing, PricingError> {
        let text = std::fs::read_to_string(path).map_err(|error| PricingError::Read {
            path: path.display().to_string(),
            message: error.to_string(),
        })?;
        Pricing::from_json(&text)
    }

    /// Every priced item with its name, for listings.
    pub fn items(&self) -> Vec<(String, &Price)> {
        let mut items: Vec<(String, &Price)> = vec![
            ("Lambda requests".into(), &self.lambda_requests),
            ("Lambda duration, x86_64".into(), &self.lambda_x86_64),
            ("Lambda duration, arm64".into(), &self.lambda_arm64),
            ("API Gateway REST API".into(), &self.api_rest),
            ("API Gateway HTTP API".into(), &self.api_http),
            ("DynamoDB read request units".into(), &self.dynamodb_reads),
            ("DynamoDB write request units".into(), &self.dynamodb_writes),
            ("DynamoDB storage".into(), &self.dynamodb_storage),
            ("CloudWatch Logs ingestion".into(), &self.logs_ingestion),
            ("CloudWatch Logs storage".into(), &self.logs_storage),
            ("CloudWatch custom metrics".into(), &self.custom_metrics),
            ("X-Ray traces recorded".into(), &self.xray_traces),
            ("EKS control plane".into(), &self.eks_control_plane),
            ("EBS gp3".into(), &self.ebs_gp3),
            ("RDS storage".into(), &self.rds_storage),
            ("Load balancer hours".into(), &self.load_balancer_hours),
            (
                "Load balancer capacity units".into(),
                &self.load_balancer_lcu,
            ),
            ("NAT gateway hours".into(), &self.nat_hours),
            ("NAT gateway data processed".into(), &self.nat_data),
            ("Public IPv4 address".into(), &self.public_ipv4),
            ("Data transfer out".into(), &self.data_transfer_out),
            (
                "Lambda provisioned concurrency, x86_64".into(),
                &self.lambda_provisioned_x86_64,
            ),
            (
                "Lambda provisioned concurrency, arm64".into(),
                &self.lambda_provisioned_arm64,
            ),
            (
                "Lambda duration on provisioned concurrency, x86_64".into(),
                &self.lambda_provisioned_duration_x86_64,
            ),
            (
                "Lambda duration on provisioned concurrency, arm64".into(),
                &self.lambda_provisioned_duration_arm64,
            ),
            (
                "DynamoDB provisioned read capacity".into(),
                &self.dynamodb_provisioned_reads,
            ),
            (
                "DynamoDB provisioned write capacity".into(),
                &self.dynamodb_provisioned_writes,
            ),
            (
                "DynamoDB continuous backups (PITR)".into(),
                &self.dynamodb_backup,
            ),
            ("EBS snapshots".into(), &self.ebs_snapshots),
            ("RDS backup storage".into(), &self.rds_backup_storage),
            ("S3 Standard storage".into(), &self.s3_storage),
            (
                "VPC interface endpoint hours".into(),
                &self.vpc_endpoint_hours,
            ),
            (
                "VPC interface endpoint data processed".into(),
                &self.vpc_endpoint_data,
            ),
            ("Cross-AZ data transfer".into(), &self.cross_az),
            ("Inter-region data transfer".into(), &self.inter_region),
            ("Route 53 health check".into(), &self.route53_health_check),
            (
                "Route 53 health check optional feature".into(),
                &self.route53_health_check_feature,
            ),
            ("Route 53 hosted zone".into(), &self.route53_hosted_zone),
        ];
        for instance in self.ec2_instances.values() {
            items.push((format!("EC2 {}", instance.name), &instance.price));
        }
        for instance in self.rds_instances.values() {
            items.push((format!("RDS {}", instance.name), &instance.price));
        }
        for (kind, instances) in [("EC2", &self.ec2_instances), ("RDS", &self.rds_instances)] {
            for instance in instances.values() {
                if let Some(burstable) = &instance.burstable {
                    items.push((
                        format!("{kind} {} surplus CPU credits", instance.name),
                        &burstable.surplus_credits,
                    ));
                }
            }
        }
        items
    }

    /// Every multiplier and discount with its name, for listings.
    pub fn factors(&self) -> Vec<(&'static str, &Factor)> {
        let discounts = &self.discounts;
        vec![
            ("RDS Multi-AZ multiplier", &self.rds_multi_az),
            (
                "Compute Savings Plan 1 year, EC2 (fraction off)",
                &discounts.savings_plan_1y_ec2,
            ),
            (
                "Compute Savings Plan 3 years, EC2 (fraction off)",
                &discounts.savings_plan_3y_ec2,
            ),
            (
                "Compute Savings Plan 1 year, Lambda (fraction off)",
                &discounts.savings_plan_1y_lambda,
            ),
            (
                "Compute Savings Plan 3 years, Lambda (fraction off)",
                &discounts.savings_plan_3y_lambda,
            ),
            (
                "RDS reserved instance 1 year (fraction off)",
                &discounts.rds_reserved_1y,
            ),
            ("Spot (fraction off on-demand)", &discounts.spot),
        ]
    }

    /// Every figure (item or tier) whose source says it was not found for this region.
    pub fn stand_ins(&self) -> Vec<StandIn> {
        let mut stand_ins = Vec::new();
        for (item, price) in self.items() {
            for (index, tier) in price.tiers.iter().enumerate() {
                let source = tier.source.as_ref().unwrap_or(&price.source);
                if source.kind == SourceKind::NotFound {
                    let item = if price.tiers.iter().count() > 1 {
                        format!("{item}, tier {}", index + 1)
                    } else {
                        item.clone()
                    };
                    stand_ins.push(StandIn {
                        item,
                        price: tier.price,
                        unit: price.unit.to_string(),
                        source: source.clone(),
                    });
                }
            }
        }
        for (item, factor) in self.factors() {
            if factor.source.kind == SourceKind::NotFound {
                stand_ins.push(StandIn {
                    item: item.to_owned(),
                    price: factor.value,
                    unit: "(factor)".to_owned(),
                    source: factor.source.clone(),
                });
            }
        }
        stand_ins
    }
}
