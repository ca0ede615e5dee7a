//! Reads a pricing file (JSON) into [`Pricing`]. The file's layout is the serde structs below (an
//! unknown field is refused, so a misspelt one cannot be silently ignored); the checks serde cannot
//! make — the expected unit, a price or tiers, tier order, signs — follow. Every refusal names the
//! field as a path into the file (`lambda.requests.tiers[1].price`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_path_to_error::Segment;

use super::error::PricingError;
use super::source::Source;
use super::tiers::{Tier, Tiers};
use super::unit::Unit;
use super::{Burstable, Discounts, Factor, Instance, LcuDefinition, Price, Pricing};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    region: String,
    /// Every price is in US dollars; the units say so.
    #[serde(rename = "currency")]
    _currency: Currency,
    /// For the file's readers.
    #[serde(rename = "note", default)]
    _note: Option<String>,
    lambda: LambdaPrices,
    api_gateway: ApiGatewayPrices,
    dynamodb: DynamoDbPrices,
    cloudwatch: CloudWatchPrices,
    xray: XrayPrices,
    eks: EksPrices,
    ec2: Ec2Prices,
    rds: RdsPrices,
    load_balancer: LoadBalancerPrices,
    nat_gateway: NatGatewayPrices,
    public_ipv4: PriceEntry,
    data_transfer_out: PriceEntry,
    data_transfer: DataTransferPrices,
    s3: S3Prices,
    vpc_endpoints: VpcEndpointPrices,
    route53: Route53Prices,
    discounts: DiscountEntries,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataTransferPrices {
    cross_az: PriceEntry,
    inter_region: PriceEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct S3Prices {
    standard_storage: PriceEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VpcEndpointPrices {
    hours: PriceEntry,
    data_processed: PriceEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Route53Prices {
    health_check: PriceEntry,
    health_check_optional_feature: PriceEntry,
    hosted_zone: PriceEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiscountEntries {
    savings_plan_1y_ec2: FactorEntry,
    savings_plan_3y_ec2: FactorEntry,
    savings_plan_1y_lambda: FactorEntry,
    savings_plan_3y_lambda: FactorEntry,
    rds_reserved_1y: FactorEntry,
    spot: FactorEntry,
}

/// A multiplier or a fraction off, with its source.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FactorEntry {
    value: f64,
    source: Source,
    note: Option<String>,
}

#[derive(Deserialize)]
enum Currency {
    #[serde(rename = "USD")]
    Usd,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LambdaPrices {
    requests: PriceEntry,
    duration_x86_64: PriceEntry,
    duration_arm64: PriceEntry,
    provisioned_concurrency_x86_64: PriceEntry,
    provisioned_concurrency_arm64: PriceEntry,
    provisioned_duration_x86_64: PriceEntry,
    provisioned_duration_arm64: PriceEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiGatewayPrices {
    rest: PriceEntry,
    http: PriceEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DynamoDbPrices {
    read_request_units: PriceEntry,
    write_request_units: PriceEntry,
    storage: PriceEntry,
    provisioned_read_units: PriceEntry,
    provisioned_write_units: PriceEntry,
    continuous_backups: PriceEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CloudWatchPrices {
    logs_ingestion: PriceEntry,
    logs_storage: PriceEntry,
    custom_metrics: PriceEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct XrayPrices {
    traces_recorded: PriceEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EksPrices {
    control_plane: PriceEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ec2Prices {
    instances: BTreeMap<String, InstanceEntry>,
    ebs_gp3: PriceEntry,
    ebs_snapshots: PriceEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RdsPrices {
    instances: BTreeMap<String, InstanceEntry>,
    storage: PriceEntry,
    backup_storage: PriceEntry,
    multi_az_multiplier: FactorEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoadBalancerPrices {
    hours: PriceEntry,
    capacity_units: PriceEntry,
    capacity_unit_definition: LcuEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NatGatewayPrices {
    hours: PriceEntry,
    data_processed: PriceEntry,
}

/// One priced item as written: a unit, then a flat `price` or a list of `tiers`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PriceEntry {
    unit: Option<String>,
    price: Option<f64>,
    tiers: Option<Vec<TierEntry>>,
    source: Source,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TierEntry {
    up_to: Option<f64>,
    price: f64,
    source: Option<Source>,
    note: Option<String>,
}

/// An instance class: its size and its hourly price, side by side in one object.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceEntry {
    vcpu: f64,
    memory_gib: f64,
    unit: Option<String>,
    price: Option<f64>,
    tiers: Option<Vec<TierEntry>>,
    source: Source,
    note: Option<String>,
    burstable: Option<BurstableEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BurstableEntry {
    baseline_per_vcpu: f64,
    surplus_credits: PriceEntry,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LcuEntry {
    new_connections_per_second: f64,
    processed_gb_per_hour: f64,
    source: Source,
}

pub fn parse(text: &str) -> Result<Pricing, PricingError> {
    let file: File =
        serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text))
            .map_err(refusal)?;
    let load_balancer = file.load_balancer;
    Ok(Pricing {
        region: file.region,
        lambda_requests: price(
            file.lambda.requests,
            "lambda.requests",
            Unit::PerMillionRequests,
        )?,
        lambda_x86_64: price(
            file.lambda.duration_x86_64,
            "lambda.duration_x86_64",
            Unit::PerGbSecond,
        )?,
        lambda_arm64: price(
            file.lambda.duration_arm64,
            "lambda.duration_arm64",
            Unit::PerGbSecond,
        )?,
        api_rest: price(
            file.api_gateway.rest,
            "api_gateway.rest",
            Unit::PerMillionRequests,
        )?,
        api_http: price(
            file.api_gateway.http,
            "api_gateway.http",
            Unit::PerMillionRequests,
        )?,
        dynamodb_reads: price(
            file.dynamodb.read_request_units,
            "dynamodb.read_request_units",
            Unit::PerMillionReadUnits,
        )?,
        dynamodb_writes: price(
            file.dynamodb.write_request_units,
            "dynamodb.write_request_units",
            Unit::PerMillionWriteUnits,
        )?,
        dynamodb_storage: price(file.dynamodb.storage, "dynamodb.storage", Unit::PerGbMonth)?,
        logs_ingestion: price(
            file.cloudwatch.logs_ingestion,
            "cloudwatch.logs_ingestion",
            Unit::PerGb,
        )?,
        logs_storage: price(
            file.cloudwatch.logs_storage,
            "cloudwatch.logs_storage",
            Unit::PerGbMonth,
        )?,
        custom_metrics: price(
            file.cloudwatch.custom_metrics,
            "cloudwatch.custom_metrics",
            Unit::PerMetricMonth,
        )?,
        xray_traces: price(
            file.xray.traces_recorded,
            "xray.traces_recorded",
            Unit::PerMillionTraces,
        )?,
        eks_control_plane: price(file.eks.control_plane, "eks.control_plane", Unit::PerHour)?,
        ec2_instances: instances(file.ec2.instances, "ec2.instances")?,
        ebs_gp3: price(file.ec2.ebs_gp3, "ec2.ebs_gp3", Unit::PerGbMonth)?,
        rds_instances: instances(file.rds.instances, "rds.instances")?,
        rds_storage: price(file.rds.storage, "rds.storage", Unit::PerGbMonth)?,
        load_balancer_hours: price(load_balancer.hours, "load_balancer.hours", Unit::PerHour)?,
        load_balancer_lcu: price(
            load_balancer.capacity_units,
            "load_balancer.capacity_units",
            Unit::PerLcuHour,
        )?,
        lcu: lcu_definition(
            load_balancer.capacity_unit_definition,
            "load_balancer.capacity_unit_definition",
        )?,
        nat_hours: price(file.nat_gateway.hours, "nat_gateway.hours", Unit::PerHour)?,
        nat_data: price(
            file.nat_gateway.data_processed,
            "nat_gateway.data_processed",
            Unit::PerGb,
        )?,
        public_ipv4: price(file.public_ipv4, "public_ipv4", Unit::PerHour)?,
        data_transfer_out: price(file.data_transfer_out, "data_transfer_out", Unit::PerGb)?,
        lambda_provisioned_x86_64: price(
            file.lambda.provisioned_concurrency_x86_64,
            "lambda.provisioned_concurrency_x86_64",
            Unit::PerGbSecond,
        )?,
        lambda_provisioned_arm64: price(
            file.lambda.provisioned_concurrency_arm64,
            "lambda.provisioned_concurrency_arm64",
            Unit::PerGbSecond,
        )?,
        lambda_provisioned_duration_x86_64: price(
            file.lambda.provisioned_duration_x86_64,
            "lambda.provisioned_duration_x86_64",
            Unit::PerGbSecond,
        )?,
        lambda_provisioned_duration_arm64: price(
            file.lambda.provisioned_duration_arm64,
            "lambda.provisioned_duration_arm64",
            Unit::PerGbSecond,
        )?,
        dynamodb_provisioned_reads: price(
            file.dynamodb.provisioned_read_units,
            "dynamodb.provisioned_read_units",
            Unit::PerCapacityUnitHour,
        )?,
        dynamodb_provisioned_writes: price(
            file.dynamodb.provisioned_write_units,
            "dynamodb.provisioned_write_units",
            Unit::PerCapacityUnitHour,
        )?,
        dynamodb_backup: price(
            file.dynamodb.continuous_backups,
            "dynamodb.continuous_backups",
            Unit::PerGbMonth,
        )?,
        ebs_snapshots: price(
            file.ec2.ebs_snapshots,
            "ec2.ebs_snapshots",
            Unit::PerGbMonth,
        )?,
        rds_backup_storage: price(
            file.rds.backup_storage,
            "rds.backup_storage",
            Unit::PerGbMonth,
        )?,
        rds_multi_az: factor(
            file.rds.multi_az_multiplier,
            "rds.multi_az_multiplier",
            1.0..=4.0,
        )?,
        s3_storage: price(
            file.s3.standard_storage,
            "s3.standard_storage",
            Unit::PerGbMonth,
        )?,
        vpc_endpoint_hours: price(
            file.vpc_endpoints.hours,
            "vpc_endpoints.hours",
            Unit::PerHour,
        )?,
        vpc_endpoint_data: price(
            file.vpc_endpoints.data_processed,
            "vpc_endpoints.data_processed",
            Unit::PerGb,
        )?,
        cross_az: price(
            file.data_transfer.cross_az,
            "data_transfer.cross_az",
            Unit::PerGb,
        )?,
        inter_region: price(
            file.data_transfer.inter_region,
            "data_transfer.inter_region",
            Unit::PerGb,
        )?,
        route53_health_check: price(
            file.route53.health_check,
            "route53.health_check",
            Unit::PerMonth,
        )?,
        route53_health_check_feature: price(
            file.route53.health_check_optional_feature,
            "route53.health_check_optional_feature",
            Unit::PerMonth,
        )?,
        route53_hosted_zone: price(
            file.route53.hosted_zone,
            "route53.hosted_zone",
            Unit::PerMonth,
        )?,
        discounts: discounts(file.discounts)?,
    })
}

fn discounts(entries: DiscountEntries) -> Result<Discounts, PricingError> {
    let off = |entry, name: &str| factor(entry, &format!("discounts.{name}"), 0.0..=0.95);
    Ok(Discounts {
        savings_plan_1y_ec2: off(entries.savings_plan_1y_ec2, "savings_plan_1y_ec2")?,
        savings_plan_3y_ec2: off(entries.savings_plan_3y_ec2, "savings_plan_3y_ec2")?,
        savings_plan_1y_lambda: off(entries.savings_plan_1y_lambda, "savings_plan_1y_lambda")?,
        savings_plan_3y_lambda: off(entries.savings_plan_3y_lambda, "savings_plan_3y_lambda")?,
        rds_reserved_1y: off(entries.rds_reserved_1y, "rds_reserved_1y")?,
        spot: off(entries.spot, "spot")?,
    })
}

fn factor(
    entry: FactorEntry,
    path: &str,
    range: std::ops::RangeInclusive<f64>,
) -> Result<Factor, PricingError> {
    if !range.contains(&entry.value) {
        return Err(PricingError::OutOfRange {
            path: format!("{path}.value"),
            value: entry.value,
            range: format!("{} to {}", range.start(), range.end()),
        });
    }
    Ok(Factor {
        value: entry.value,
        source: entry.source,
        note: entry.note,
    })
}

/// serde's refusal, with the field's path written the way the other refusals write it.
fn refusal(error: serde_path_to_error::Error<serde_json::Error>) -> PricingError {
    if error.inner().is_syntax() || error.inner().is_eof() {
        return PricingError::Json(error.inner().to_string());
    }
    let mut path = String::new();
    for segment in error.path().iter() {
        match segment {
            Segment::Seq { index } => path += &format!("[{index}]"),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                push_key(&mut path, key);
            }
            Segment::Unknown => push_key(&mut path, "?"),
        }
    }
    let message = error.inner().to_string();
    // serde_json appends the position; the path already says where.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(message, _)| message);
    // A missing field is named by its own path, like every other refusal.
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        push_key(&mut path, field);
        return PricingError::Missing { path };
    }
    PricingError::Invalid {
        path,
        message: message.to_owned(),
    }
}

/// Appends a field or map key; a key with a dot in it (an instance class) is quoted.
fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    if key.contains('.') {
        *path += &format!("\"{key}\"");
    } else {
        path.push_str(key);
    }
}

fn price(entry: PriceEntry, path: &str, expected: Unit) -> Result<Price, PricingError> {
    let Some(unit) = entry.unit else {
        return Err(PricingError::NoUnit {
            path: path.to_owned(),
            expected: expected.as_str(),
        });
    };
    if Unit::parse(&unit) != Some(expected) {
        return Err(PricingError::WrongUnit {
            path: format!("{path}.unit"),
            found: unit,
            expected: expected.as_str(),
        });
    }
    let tiers = match (entry.price, entry.tiers) {
        (Some(flat), None) => Tiers::flat(non_negative(flat, &format!("{path}.price"))?),
        (None, Some(tiers)) => tier_list(tiers, &format!("{path}.tiers"))?,
        (Some(_), Some(_)) => {
            return Err(PricingError::BadTiers {
                path: path.to_owned(),
                reason: "has both price and tiers; give one",
            });
        }
        (None, None) => {
            return Err(PricingError::Missing {
                path: format!("{path}.price"),
            });
        }
    };
    Ok(Price {
        unit: expected,
        tiers,
        source: entry.source,
        note: entry.note,
    })
}

fn non_negative(value: f64, path: &str) -> Result<f64, PricingError> {
    if value < 0.0 {
        return Err(PricingError::Negative {
            path: path.to_owned(),
            value,
        });
    }
    Ok(value)
}

fn positive(value: f64, path: &str) -> Result<f64, PricingError> {
    if value > 0.0 {
        Ok(value)
    } else {
        Err(PricingError::NotPositive {
            path: path.to_owned(),
        })
    }
}

fn tier_list(entries: Vec<TierEntry>, path: &str) -> Result<Tiers, PricingError> {
    if entries.is_empty() {
        return Err(PricingError::BadTiers {
            path: path.to_owned(),
            reason: "needs at least one tier",
        });
    }
    let count = entries.len();
    let mut tiers = Vec::with_capacity(count);
    let mut previous = 0.0;
    for (index, entry) in entries.into_iter().enumerate() {
        let tier_path = format!("{path}[{index}]");
        let last = index + 1 == count;
        match (entry.up_to, last) {
            (None, false) => {
                return Err(PricingError::BadTiers {
                    path: tier_path,
                    reason: "only the last tier may be open-ended (no up_to)",
                });
            }
            (Some(_), true) => {
                return Err(PricingError::BadTiers {
                    path: tier_path,
                    reason: "the last tier must be open-ended (no up_to)",
                });
            }
            (Some(bound), false) if bound <= previous => {
                return Err(PricingError::BadTiers {
                    path: format!("{tier_path}.up_to"),
                    reason: "tier bounds must increase",
                });
            }
            _ => {}
        }
        previous = entry.up_to.unwrap_or(previous);
        tiers.push(Tier {
            up_to: entry.up_to,
            price: non_negative(entry.price, &format!("{tier_path}.price"))?,
            source: entry.source,
            note: entry.note,
        });
    }
    Ok(Tiers::new(tiers))
}

fn instances(
    entries: BTreeMap<String, InstanceEntry>,
    path: &str,
) -> Result<BTreeMap<String, Instance>, PricingError> {
    let mut instances = BTreeMap::new();
    for (name, entry) in entries {
        let path = format!("{path}.\"{name}\"");
        let instance = Instance {
            name: name.clone(),
            vcpu: positive(entry.vcpu, &format!("{path}.vcpu"))?,
            memory_gib: positive(entry.memory_gib, &format!("{path}.memory_gib"))?,
            price: price(
                PriceEntry {
                    unit: entry.unit,
                    price: entry.price,
                    tiers: entry.tiers,
                    source: entry.source,
                    note: entry.note,
                },
                &path,
                Unit::PerHour,
            )?,
            burstable: entry
                .burstable
                .map(|burstable| {
                    let baseline_path = format!("{path}.burstable.baseline_per_vcpu");
                    if !(burstable.baseline_per_vcpu > 0.0 && burstable.baseline_per_vcpu <= 1.0) {
                        return Err(PricingError::OutOfRange {
                            path: baseline_path,
                            value: burstable.baseline_per_vcpu,
                            range: "above 0 to 1".to_owned(),
                        });
                    }
                    Ok(Burstable {
                        baseline: burstable.baseline_per_vcpu,
                        surplus_credits: price(
                            burstable.surplus_credits,
                            &format!("{path}.burstable.surplus_credits"),
                            Unit::PerVcpuHour,
                        )?,
                    })
                })
                .transpose()?,
        };
        instances.insert(name, instance);
    }
    Ok(instances)
}

fn lcu_definition(entry: LcuEntry, path: &str) -> Result<LcuDefinition, PricingError> {
    Ok(LcuDefinition {
        new_connections_per_second: positive(
            entry.new_connections_per_second,
            &format!("{path}.new_connections_per_second"),
        )?,
        processed_gb_per_hour: positive(
            entry.processed_gb_per_hour,
            &format!("{path}.processed_gb_per_hour"),
        )?,
        source: entry.source,
    })
}
