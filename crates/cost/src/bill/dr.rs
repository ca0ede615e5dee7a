//! `--dr`: what the standby of deploy/DR.md costs. Serverless: every write replicated into the
//! global table's replica (billed again there, at its write price) and carried across regions, the
//! replica's storage, continuous backups (point-in-time recovery, enabled in
//! crates/store-dynamodb/table.json), the Route 53 health checks and hosted zone; the standby
//! function and API cost nothing until they serve. Kubernetes: the standby cluster (control plane,
//! minimum nodes, NAT gateway, load balancer, volumes, addresses) idle, the automated backups RDS
//! replicates to the standby region and their transfer, Velero's S3 bucket and EBS snapshots, the
//! health checks and hosted zone.
//!
//! The standby region is DR.md's `--dr-region` (us-west-2 by default); the built-in pricing for it is
//! the other shipped region (us-east-1 for ap-south-1 and the other way round), said in each line.

use super::shared::priced;
use super::{LineItem, Model};
use crate::pricing::Pricing;
use crate::traffic::{HOURS_PER_MONTH, gigabytes, requests_per_month};

/// One health check per region's endpoint (infra/lib/failover.ts).
const HEALTH_CHECKS: f64 = 2.0;
/// Velero's Schedule keeps 30 daily backups of the namespaces' manifests (infra/lib/velero.ts).
const VELERO_BACKUPS: f64 = 30.0;
/// One backup's manifests (Deployments, Secrets, HPAs…) as written to S3: a few megabytes, assumed.
const VELERO_BACKUP_GB: f64 = 0.005;

fn standby(pricing: &Pricing) -> Pricing {
    let other = if pricing.region == "us-east-1" {
        "ap-south-1"
    } else {
        "us-east-1"
    };
    Pricing::builtin(other).expect("both regions are built in")
}

fn route53(pricing: &Pricing, features: f64, what: &str) -> Vec<LineItem> {
    vec![
        priced(
            "DR: Route 53 health checks",
            HEALTH_CHECKS,
            &pricing.route53_health_check,
            format!("one per region ({what}); infra/lib/failover.ts"),
        ),
        priced(
            "DR: Route 53 health check features",
            HEALTH_CHECKS * features,
            &pricing.route53_health_check_feature,
            format!("{features} optional features on each: {what}"),
        ),
        priced(
            "DR: Route 53 hosted zone",
            1.0,
            &pricing.route53_hosted_zone,
            "the zone holding the failover records",
        ),
    ]
}

pub fn serverless(model: &Model, requests_per_day: f64, table_gb: f64) -> Vec<LineItem> {
    let workload = &model.workload;
    let pricing = &model.pricing;
    let standby = standby(pricing);
    let writes = requests_per_month(requests_per_day) * workload.write_units_per_request();
    let written_gb = gigabytes(
        requests_per_month(requests_per_day)
            * workload.orders_per_request()
            * workload.serverless.dynamodb_bytes_per_order,
    );
    let mut items = vec![
        priced(
            "DR: replicated writes (standby region)",
            writes / 1e6,
            &standby.dynamodb_writes,
            format!(
                "every write unit billed again in the replica, at {}'s write price (DR.md); the global table's replicated write units",
                standby.region
            ),
        ),
        priced(
            "DR: cross-region replication transfer",
            written_gb,
            &pricing.inter_region,
            format!(
                "the orders written, {} bytes each, carried from {} to the replica",
                workload.serverless.dynamodb_bytes_per_order, pricing.region
            ),
        ),
        priced(
            "DR: replica storage (standby region)",
            table_gb,
            &standby.dynamodb_storage,
            format!(
                "the table's {table_gb:.1} GB again, at {}'s price",
                standby.region
            ),
        ),
        priced(
            "DR: continuous backups (PITR)",
            table_gb,
            &pricing.dynamodb_backup,
            "point-in-time recovery (35 days) on the table's size",
        ),
    ];
    items.extend(route53(
        pricing,
        3.0,
        "HTTPS, string matching, 10 s interval",
    ));
    items
}

pub fn kubernetes(
    model: &Model,
    database_gb: f64,
    written_gb_per_day: f64,
    loki_gb: f64,
) -> Vec<LineItem> {
    let workload = &model.workload;
    let k8s = &workload.kubernetes;
    let pricing = &model.pricing;
    let standby = standby(pricing);
    let node_price = standby
        .ec2_instances
        .get(&k8s.node_type)
        .map_or(0.0, |node| node.price.cost(HOURS_PER_MONTH));
    let idle_cluster = standby.eks_control_plane.cost(HOURS_PER_MONTH)
        + f64::from(k8s.min_nodes) * node_price
        + standby.nat_hours.cost(HOURS_PER_MONTH)
        + standby.load_balancer_hours.cost(HOURS_PER_MONTH)
        + standby.public_ipv4.cost(3.0 * HOURS_PER_MONTH)
        + standby.ebs_gp3.cost(
            f64::from(k8s.min_nodes) * k8s.node_disk_gb + k8s.cluster_disk_gb + k8s.loki_disk_gb,
        );
    let monitoring_gb = k8s.cluster_disk_gb + loki_gb;
    let backups_gb = database_gb + written_gb_per_day * 7.0;
    let mut items = vec![
        LineItem {
            name: "DR: standby EKS cluster (standby region)".to_owned(),
            quantity: HOURS_PER_MONTH,
            unit: "hour".to_owned(),
            cost: idle_cluster,
            free_allowance: 0.0,
            basis: format!(
                "KubernetesStandbyStack idle at {} prices: control plane, {} × {} with their disks and the monitoring volumes, a NAT gateway, a load balancer, 3 addresses; pods not ready until the database is restored (DR.md)",
                standby.region, k8s.min_nodes, k8s.node_type
            ),
        },
        priced(
            "DR: replicated RDS backups (standby region)",
            backups_gb,
            &standby.rds_backup_storage,
            format!(
                "automated backups replicated to {} (7 days): the {database_gb:.1} GB database and 7 days of changes; no free allowance there",
                standby.region
            ),
        ),
        priced(
            "DR: RDS backup replication transfer",
            written_gb_per_day * requests_per_month(1.0) + database_gb / 12.0,
            &pricing.inter_region,
            "a month of daily changes, and the full snapshot's size once a year (assumed), carried across regions",
        ),
        priced(
            "DR: Velero backups in S3",
            VELERO_BACKUPS * VELERO_BACKUP_GB,
            &pricing.s3_storage,
            format!(
                "{VELERO_BACKUPS} daily backups of the namespaces' manifests, {VELERO_BACKUP_GB} GB each (assumed); infra/lib/velero.ts"
            ),
        ),
        priced(
            "DR: Velero EBS snapshots",
            monitoring_gb,
            &pricing.ebs_snapshots,
            format!(
                "the {monitoring_gb:.0} GB of monitoring volumes Velero snapshots (snapshotVolumes: true), incremental: counted once at full size, an upper bound"
            ),
        ),
    ];
    items.extend(route53(pricing, 2.0, "HTTP string matching, 10 s interval"));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bill::{Stack, twinstack_in_mumbai};
    use crate::options::Options;

    fn model() -> Model {
        twinstack_in_mumbai(Options {
            dr: true,
            ..Options::default()
        })
    }

    #[test]
    fn every_write_is_billed_again_at_the_standby_regions_write_price() {
        // 1M/day: 30.4M requests × 2 WRU a request (a third of them a 3-item transaction at 2 WRU
        // each) at us-east-1's $0.625 per million.
        let bill = model().bill(Stack::Serverless, 1e6);

        let item = bill
            .items
            .iter()
            .find(|item| item.name.starts_with("DR: replicated writes"))
            .unwrap();
        let writes = 1e6 * 730.0 / 24.0 * 2.0;
        assert!(
            (item.cost - writes / 1e6 * 0.625).abs() < 1e-6,
            "{}",
            item.cost
        );
    }

    #[test]
    fn the_standby_cluster_costs_its_idle_fixed_part_at_the_standby_regions_prices() {
        // us-east-1: EKS $0.10, 3 × t4g.medium $0.0336, NAT $0.045, ALB $0.0225, 3 × IPv4 $0.005,
        // (3 × 20 + 60 + 50) GB of gp3 at $0.08.
        let bill = model().bill(Stack::Kubernetes, 1e6);

        let item = bill
            .items
            .iter()
            .find(|item| item.name.starts_with("DR: standby EKS cluster"))
            .unwrap();
        let expected = 730.0 * (0.1 + 3.0 * 0.0336 + 0.045 + 0.0225 + 3.0 * 0.005) + 170.0 * 0.08;
        assert!(
            (item.cost - expected).abs() < 1e-6,
            "{} against {expected}",
            item.cost
        );
    }

    #[test]
    fn without_dr_there_is_no_dr_line() {
        let model = model().with_options(Options::default());

        for stack in [Stack::Serverless, Stack::Kubernetes] {
            assert!(
                !model
                    .bill(stack, 1e6)
                    .items
                    .iter()
                    .any(|item| item.name.starts_with("DR:"))
            );
        }
    }
}
