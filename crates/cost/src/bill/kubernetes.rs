//! The Kubernetes twin's bill: EKS with worker nodes sized by measured CPU for the peak hour (T-class
//! nodes pay surplus credits for daily-average use above their baseline), RDS PostgreSQL sized by
//! measured database CPU and connections, storage growing with the orders kept, a load balancer, the
//! NAT layout, volumes, cross-zone traffic, logs in Loki or CloudWatch, and egress.

use super::shared::{self, discounted, log_gb_per_month, priced, stored_gb};
use super::{Bill, LineItem, Model, Stack, dr};
use crate::options::{LogSink, NatLayout, Term};
use crate::pricing::Instance;
use crate::report::number;
use crate::traffic::{HOURS_PER_MONTH, average_per_second, gigabytes, requests_per_month};

/// Loki keeps compressed chunks; an assumed 5:1 on JSON log lines.
const LOKI_COMPRESSION: f64 = 5.0;
/// Interface endpoints the nodes need without a NAT gateway: ECR API, ECR images, STS, CloudWatch
/// Logs (S3, for image layers, is a gateway endpoint at no charge).
const INTERFACE_ENDPOINTS: f64 = 4.0;
/// The load balancer's public addresses (two zones).
const LOAD_BALANCER_ADDRESSES: f64 = 2.0;
/// RDS PostgreSQL's `max_connections`: LEAST(DBInstanceClassMemory / 9,531,392, 5,000).
const BYTES_PER_CONNECTION: f64 = 9_531_392.0;
const DAYS_OF_BACKUPS: f64 = 7.0;

/// The worker nodes for a traffic: how many of which type, and their daily-average CPU use.
#[derive(Clone, Debug)]
pub struct Nodes<'a> {
    pub count: u32,
    pub instance: &'a Instance,
    pub used_vcpu: f64,
    /// Daily-average vCPU above the nodes' baseline (T classes), billed as surplus credits.
    pub surplus_vcpu: f64,
    pub pods: f64,
}

impl Nodes<'_> {
    /// On-demand cost a month, credits included.
    pub fn monthly(&self) -> f64 {
        self.instance
            .price
            .cost(f64::from(self.count) * HOURS_PER_MONTH)
            + credits(self.instance, self.surplus_vcpu)
    }
}

fn credits(instance: &Instance, surplus_vcpu: f64) -> f64 {
    instance.burstable.as_ref().map_or(0.0, |burstable| {
        burstable
            .surplus_credits
            .cost(surplus_vcpu * HOURS_PER_MONTH)
    })
}

fn surplus(instance: &Instance, count: f64, used_vcpu: f64) -> f64 {
    instance.burstable.as_ref().map_or(0.0, |burstable| {
        (used_vcpu - count * instance.vcpu * burstable.baseline).max(0.0)
    })
}

/// Worker nodes for the peak hour: application CPU at the HPA target plus the cluster's overhead,
/// over what each node has left after its own; never below the minimum. Of the workload's node
/// types, the one that costs least at this traffic, surplus credits included.
pub fn nodes(model: &Model, requests_per_day: f64) -> Nodes<'_> {
    model
        .node_types
        .iter()
        .map(|instance| nodes_of(model, instance, requests_per_day))
        .min_by(|a, b| a.monthly().total_cmp(&b.monthly()))
        .expect("Model::new prices the workload's node type")
}

fn nodes_of<'a>(model: &Model, instance: &'a Instance, requests_per_day: f64) -> Nodes<'a> {
    let workload = &model.workload;
    let k8s = &workload.kubernetes;
    let average = average_per_second(requests_per_day);
    let peak_vcpu = average * workload.peak_to_average / k8s.requests_per_vcpu / k8s.hpa_target;
    let allocatable = (instance.vcpu - k8s.node_overhead_vcpu).max(f64::EPSILON);
    let needed = ((peak_vcpu + k8s.cluster_overhead_vcpu) / allocatable).ceil();
    // Saturates rather than wraps for absurd traffic; the float is never negative.
    let count = (needed as u32).max(k8s.min_nodes);
    let used_vcpu = average / k8s.requests_per_vcpu
        + k8s.cluster_overhead_vcpu
        + f64::from(count) * k8s.node_overhead_vcpu;
    Nodes {
        count,
        instance,
        used_vcpu,
        surplus_vcpu: surplus(instance, f64::from(count), used_vcpu),
        pods: (peak_vcpu / k8s.pod_vcpu).ceil().max(k8s.min_pods),
    }
}

/// The database for a traffic: the class, what it must hold, and whether even the largest falls short.
#[derive(Clone, Debug)]
pub struct Database<'a> {
    pub class: &'a Instance,
    pub needed_vcpu: f64,
    pub used_vcpu: f64,
    pub surplus_vcpu: f64,
    pub connections: f64,
    /// The largest class has fewer vCPUs or connections than the peak needs.
    pub saturated: bool,
}

pub fn max_connections(class: &Instance) -> f64 {
    (class.memory_gib * 1_073_741_824.0 / BYTES_PER_CONNECTION)
        .floor()
        .min(5000.0)
}

/// The class with the vCPUs for the peak hour (measured database CPU per request) and the
/// connections of every server pod's pool that costs least, surplus credits included; past the
/// largest class, the largest, marked saturated (one primary: more would need sharding).
pub fn database(model: &Model, requests_per_day: f64) -> Database<'_> {
    let workload = &model.workload;
    let db = &workload.kubernetes.database;
    let average = average_per_second(requests_per_day);
    let needed_vcpu =
        average * workload.peak_to_average / db.requests_per_vcpu / db.target_utilisation;
    let used_vcpu = average / db.requests_per_vcpu;
    let connections = nodes(model, requests_per_day).pods * db.connections_per_pod;
    let plan = |class: &Instance| {
        let fits = class.vcpu >= needed_vcpu && max_connections(class) >= connections;
        (
            fits,
            class.price.cost(HOURS_PER_MONTH) + credits(class, surplus(class, 1.0, used_vcpu)),
        )
    };
    let chosen = model
        .database_classes
        .iter()
        .filter(|class| plan(class).0)
        .min_by(|a, b| plan(a).1.total_cmp(&plan(b).1));
    let (class, saturated) = match chosen {
        Some(class) => (class, false),
        None => (
            model
                .database_classes
                .iter()
                .max_by(|a, b| a.vcpu.total_cmp(&b.vcpu))
                .expect("Model::new refuses an empty class list"),
            true,
        ),
    };
    Database {
        class,
        needed_vcpu,
        used_vcpu,
        surplus_vcpu: surplus(class, 1.0, used_vcpu),
        connections,
        saturated,
    }
}

pub fn bill(model: &Model, requests_per_day: f64) -> Bill {
    let workload = &model.workload;
    let pricing = &model.pricing;
    let options = &model.options;
    let k8s = &workload.kubernetes;
    let nodes = nodes(model, requests_per_day);
    let database = database(model, requests_per_day);
    let average = average_per_second(requests_per_day);
    let lcu = &pricing.lcu;
    let new_connections = average * k8s.new_connections_per_request;
    let processed_gb_per_hour =
        gigabytes(average * 3600.0 * (workload.request_bytes + workload.response_bytes));
    // LCUs are billed per hour on the busiest dimension; at the average rate, the two that grow
    // with traffic (new connections, processed bytes) stand for the hourly figures.
    let lcus = (new_connections / lcu.new_connections_per_second)
        .max(processed_gb_per_hour / lcu.processed_gb_per_hour);
    let log_gb = log_gb_per_month(k8s.log_bytes_per_request, requests_per_day);
    let to_cloudwatch = options.kubernetes_logs == LogSink::Cloudwatch;
    let loki_gb = if to_cloudwatch {
        0.0
    } else {
        k8s.loki_disk_gb
            .max(log_gb * workload.log_retention_months / LOKI_COMPRESSION)
    };
    let multi_az = if options.multi_az {
        pricing.rds_multi_az.value
    } else {
        1.0
    };
    let database_gb = stored_gb(
        model,
        requests_per_day,
        k8s.database.storage_gb,
        k8s.database.bytes_per_order,
    );
    let written_gb_per_day =
        gigabytes(requests_per_day * workload.orders_per_request() * k8s.database.bytes_per_order);
    let (nat_gateways, endpoints) = match options.nat {
        NatLayout::Single => (1.0, 0.0),
        NatLayout::PerAz => (k8s.availability_zones, 0.0),
        NatLayout::Endpoints => (0.0, INTERFACE_ENDPOINTS * k8s.availability_zones),
    };
    // Pods in the zones without the primary talk to it across zones: both sides pay per GB.
    let cross_az_gb =
        gigabytes(requests_per_month(requests_per_day) * k8s.database_bytes_per_request)
            * (k8s.availability_zones - 1.0)
            / k8s.availability_zones
            * 2.0;

    let mut items = vec![
        priced(
            "EKS control plane",
            HOURS_PER_MONTH,
            &pricing.eks_control_plane,
            "one cluster, all month",
        ),
        node_item(model, &nodes, average),
    ];
    if let Some(burstable) = &nodes.instance.burstable {
        items.push(priced(
            "EC2 CPU credits above baseline",
            nodes.surplus_vcpu * HOURS_PER_MONTH,
            &burstable.surplus_credits,
            format!(
                "unlimited mode: daily-average use {:.2} vCPU ({:.1} req/s / {} req/s per vCPU + {} vCPU cluster + {} × {} vCPU node overhead) over the baseline {} × {} vCPU × {:.0}%",
                nodes.used_vcpu,
                average,
                number(k8s.requests_per_vcpu),
                k8s.cluster_overhead_vcpu,
                nodes.count,
                k8s.node_overhead_vcpu,
                nodes.count,
                nodes.instance.vcpu,
                burstable.baseline * 100.0
            ),
        ));
    }
    items.push(priced(
        "EBS gp3 volumes",
        f64::from(nodes.count) * k8s.node_disk_gb + k8s.cluster_disk_gb + loki_gb,
        &pricing.ebs_gp3,
        if to_cloudwatch {
            format!(
                "{} node disks of {} GB and {} GB of Prometheus and Grafana volumes",
                nodes.count, k8s.node_disk_gb, k8s.cluster_disk_gb
            )
        } else {
            format!(
                "{} node disks of {} GB, {} GB of Prometheus and Grafana volumes, Loki's {loki_gb:.0} GB (at least {} GB; {log_gb:.2} GB of logs a month × {} month(s) / {LOKI_COMPRESSION} compression, assumed)",
                nodes.count, k8s.node_disk_gb, k8s.cluster_disk_gb, k8s.loki_disk_gb, workload.log_retention_months
            )
        },
    ));
    items.push(database_item(model, &database, average, multi_az));
    if let Some(burstable) = &database.class.burstable {
        items.push(priced(
            "RDS CPU credits above baseline",
            database.surplus_vcpu * HOURS_PER_MONTH * multi_az,
            &burstable.surplus_credits,
            format!(
                "unlimited mode: daily-average use {:.2} vCPU ({average:.1} req/s / {} req/s per vCPU) over the baseline {} vCPU × {:.0}%",
                database.used_vcpu,
                number(k8s.database.requests_per_vcpu),
                database.class.vcpu,
                burstable.baseline * 100.0
            ),
        ));
    }
    items.push(priced(
        "RDS storage",
        database_gb * multi_az,
        &pricing.rds_storage,
        format!(
            "{} GB + {} bytes per order × {:.0} orders/day × {} days kept = {database_gb:.1} GB{}",
            k8s.database.storage_gb,
            number(k8s.database.bytes_per_order),
            requests_per_day * workload.orders_per_request(),
            workload.order_retention_days,
            if options.multi_az {
                ", twice for Multi-AZ"
            } else {
                ""
            }
        ),
    ));
    items.push(priced(
        "RDS backup storage",
        written_gb_per_day * DAYS_OF_BACKUPS,
        &pricing.rds_backup_storage,
        format!(
            "{DAYS_OF_BACKUPS} days of automated backups: beyond the free allowance (the database's size), the {written_gb_per_day:.3} GB written a day"
        ),
    ));
    items.extend([
        priced(
            "Load balancer hours",
            k8s.load_balancers * HOURS_PER_MONTH,
            &pricing.load_balancer_hours,
            format!("{} load balancer(s), all month", k8s.load_balancers),
        ),
        priced(
            "Load balancer capacity units",
            // Capacity units follow traffic, not the number of load balancers it is spread over.
            if k8s.load_balancers > 0.0 {
                lcus * HOURS_PER_MONTH
            } else {
                0.0
            },
            &pricing.load_balancer_lcu,
            format!(
                "max({new_connections:.2} new connections/s / {}, {processed_gb_per_hour:.4} GB/h / {}) LCU each hour",
                lcu.new_connections_per_second, lcu.processed_gb_per_hour
            ),
        ),
    ]);
    let egress_gb = if to_cloudwatch { log_gb } else { 0.0 };
    let egress_what = if to_cloudwatch {
        "logs shipped to CloudWatch Logs"
    } else {
        "nothing that grows with traffic: logs stay in Loki"
    };
    if options.nat == NatLayout::Endpoints {
        items.push(priced(
            "VPC interface endpoint hours",
            endpoints * HOURS_PER_MONTH,
            &pricing.vpc_endpoint_hours,
            format!(
                "--nat endpoints: {INTERFACE_ENDPOINTS} endpoints (ECR API, ECR images, STS, CloudWatch Logs) in each of {} zones, no NAT gateway",
                k8s.availability_zones
            ),
        ));
        items.push(priced(
            "VPC interface endpoint data processed",
            egress_gb,
            &pricing.vpc_endpoint_data,
            egress_what,
        ));
    } else {
        items.push(priced(
            "NAT gateway hours",
            nat_gateways * HOURS_PER_MONTH,
            &pricing.nat_hours,
            if options.nat == NatLayout::PerAz {
                format!("--nat per-az: one NAT gateway in each of {nat_gateways} zones")
            } else {
                "one NAT gateway for the private node subnets (infra/lib/kubernetes-stack.ts)"
                    .to_owned()
            },
        ));
        items.push(priced(
            "NAT gateway data processed",
            egress_gb,
            &pricing.nat_data,
            format!("through the NAT gateway: {egress_what}"),
        ));
    }
    items.push(priced(
        "Public IPv4 addresses",
        (LOAD_BALANCER_ADDRESSES + nat_gateways) * HOURS_PER_MONTH,
        &pricing.public_ipv4,
        format!(
            "{} in-use addresses (load balancer in two zones, {nat_gateways} NAT gateway(s))",
            LOAD_BALANCER_ADDRESSES + nat_gateways
        ),
    ));
    items.push(priced(
        "Cross-AZ data transfer",
        cross_az_gb,
        &pricing.cross_az,
        format!(
            "{} bytes per request between pods and the primary database (assumed), from the {} of {} zones without it, billed on both sides; Multi-AZ replication is free",
            number(k8s.database_bytes_per_request),
            k8s.availability_zones - 1.0,
            k8s.availability_zones
        ),
    ));
    if options.dr {
        items.extend(dr::kubernetes(
            model,
            database_gb,
            written_gb_per_day,
            loki_gb,
        ));
    }
    shared::bill(
        Stack::Kubernetes,
        items,
        to_cloudwatch.then_some(k8s.log_bytes_per_request),
        workload,
        pricing,
        requests_per_day,
    )
}

fn node_item(model: &Model, nodes: &Nodes, average: f64) -> LineItem {
    let workload = &model.workload;
    let k8s = &workload.kubernetes;
    let options = &model.options;
    let discounts = &model.pricing.discounts;
    let item = priced(
        format!(
            "EC2 worker nodes ({} × {})",
            nodes.count, nodes.instance.name
        ),
        f64::from(nodes.count) * HOURS_PER_MONTH,
        &nodes.instance.price,
        format!(
            "max({} minimum, CPU for {:.1} req/s at the peak hour / {} req/s per vCPU / {:.0}% HPA target + {} vCPU cluster overhead, over {} - {} vCPU per node); the cheapest of {} with credits",
            k8s.min_nodes,
            average * workload.peak_to_average,
            number(k8s.requests_per_vcpu),
            k8s.hpa_target * 100.0,
            k8s.cluster_overhead_vcpu,
            nodes.instance.vcpu,
            k8s.node_overhead_vcpu,
            std::iter::once(k8s.node_type.as_str())
                .chain(k8s.node_alternatives.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    let savings_plan = match options.savings_plan {
        Some(Term::OneYear) => discounts.savings_plan_1y_ec2.value,
        Some(Term::ThreeYears) => discounts.savings_plan_3y_ec2.value,
        None => 0.0,
    };
    let spot = options.spot_share * discounts.spot.value;
    let on_demand_share = 1.0 - options.spot_share;
    let fraction_off = spot + on_demand_share * savings_plan;
    let mut why = Vec::new();
    if options.spot_share > 0.0 {
        why.push(format!(
            "{:.0}% of node-hours on Spot at {:.0}% off",
            options.spot_share * 100.0,
            discounts.spot.value * 100.0
        ));
    }
    if let Some(term) = options.savings_plan {
        why.push(format!(
            "Compute Savings Plan {term} at {:.0}% off the on-demand rest",
            savings_plan * 100.0
        ));
    }
    discounted(item, fraction_off, &why.join(", "))
}

fn database_item(model: &Model, database: &Database, average: f64, multi_az: f64) -> LineItem {
    let workload = &model.workload;
    let db = &workload.kubernetes.database;
    let options = &model.options;
    let class = database.class;
    let item = priced(
        format!(
            "RDS PostgreSQL ({}{})",
            class.name,
            if options.multi_az { ", Multi-AZ" } else { "" }
        ),
        multi_az * HOURS_PER_MONTH,
        &class.price,
        format!(
            "cheapest class with the vCPUs for {:.1} req/s at the peak hour / {} req/s per vCPU / {:.0}% target = {:.2} vCPU and max_connections ≥ {:.0} ({} connections × the HPA's pods){}",
            average * workload.peak_to_average,
            number(db.requests_per_vcpu),
            db.target_utilisation * 100.0,
            database.needed_vcpu,
            database.connections,
            db.connections_per_pod,
            if database.saturated {
                format!(
                    "; SATURATED: the largest class, {}, has {} vCPU and {:.0} connections",
                    class.name,
                    class.vcpu,
                    max_connections(class)
                )
            } else {
                String::new()
            }
        ),
    );
    let reserved = if options.reserved_db {
        model.pricing.discounts.rds_reserved_1y.value
    } else {
        0.0
    };
    discounted(item, reserved, "RDS reserved instance, 1 year, no upfront")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assumptions;
    use crate::options::Options;
    use crate::pricing::Pricing;

    fn model() -> Model {
        crate::bill::twinstack_in_mumbai(Options::default())
    }

    #[test]
    fn low_traffic_runs_on_the_minimum_nodes_and_the_smallest_database() {
        let model = model();

        assert_eq!(nodes(&model, 10_000.0).count, 3);
        assert_eq!(database(&model, 10_000.0).class.name, "db.t4g.medium");
    }

    #[test]
    fn nodes_grow_past_three_when_the_measured_cpu_demands_it() {
        // A server measured at 300 req/s per vCPU, at 50M/day: 578.7 req/s average, 1,736 at the
        // peak; / 300 / 0.7 = 8.27 vCPU + 0.7 = 8.97 over 1.8 allocatable per node: 5 nodes.
        let mut workload = assumptions::twinstack();
        workload.kubernetes.requests_per_vcpu = 300.0;
        let model = Model::new(workload, Pricing::builtin("ap-south-1").unwrap()).unwrap();

        let nodes = nodes(&model, 50e6);

        assert_eq!(nodes.count, 5);
        assert!(
            bill(&model, 50e6)
                .items
                .iter()
                .any(|item| item.name == "EC2 worker nodes (5 × t4g.medium)")
        );
    }

    #[test]
    fn use_above_the_baseline_is_charged_as_surplus_credits() {
        // 3 × t4g.medium earn 3 × 2 × 20% = 1.2 vCPU. At 10M/day the server uses 115.7 / 4,000 =
        // 0.029 vCPU; with 0.7 cluster and 3 × 0.2 node overhead, 1.329 vCPU: 0.129 above, at $0.04.
        let model = model();

        let nodes = nodes(&model, 1e7);
        let bill = bill(&model, 1e7);

        let used = 1e7 / 86_400.0 / 4000.0 + 0.7 + 0.6;
        assert!((nodes.surplus_vcpu - (used - 1.2)).abs() < 1e-9);
        assert!((bill.cost_of("EC2 CPU credits") - (used - 1.2) * 730.0 * 0.04).abs() < 1e-9);
    }

    #[test]
    fn a_non_burstable_type_is_chosen_when_credits_would_cost_more() {
        // Flat traffic sized at 100% CPU, 300 req/s per vCPU, 500M/day: 12 nodes near full use.
        // t4g.medium: $196 of nodes + 17.6 vCPU above baseline × 730 h × $0.04 = $710;
        // c6g.large: 12 × 730 × $0.068 = $596.
        let mut workload = assumptions::twinstack();
        workload.kubernetes.requests_per_vcpu = 300.0;
        workload.kubernetes.hpa_target = 1.0;
        workload.peak_to_average = 1.0;
        let model = Model::new(workload, Pricing::builtin("ap-south-1").unwrap()).unwrap();

        let burstable = nodes_of(&model, &model.node_types[0], 5e8);
        let chosen = nodes(&model, 5e8);

        assert!(burstable.monthly() > chosen.monthly());
        assert_eq!(chosen.instance.name, "c6g.large");
    }

    #[test]
    fn the_database_moves_up_the_class_ladder_and_never_multiplies() {
        // 100M/day peak = 3,472 req/s; / 2,000 / 0.7 = 2.48 vCPU: the 4-vCPU db.m6g.xlarge.
        let model = model();
        assert_eq!(database(&model, 100e6).class.name, "db.m6g.xlarge");

        // 5B/day: 124 vCPU, past the 32-vCPU db.m6g.8xlarge: one of it, saturated.
        let database = database(&model, 5e9);
        assert_eq!(database.class.name, "db.m6g.8xlarge");
        assert!(database.saturated);
        assert!(
            bill(&model, 5e9)
                .items
                .iter()
                .any(|item| item.basis.contains("SATURATED"))
        );
    }

    #[test]
    fn the_connections_of_every_pod_move_the_database_up_a_class() {
        // 10 connections a pod; db.t4g.medium (4 GiB) allows 450: 46 pods need db.m6g.large (8 GiB, 901).
        let mut workload = assumptions::twinstack();
        workload.kubernetes.requests_per_vcpu = 100.0;
        workload.kubernetes.database.requests_per_vcpu = 1e6;
        let model = Model::new(workload, Pricing::builtin("ap-south-1").unwrap()).unwrap();

        let database = database(&model, 3e7);

        assert!(database.connections > 450.0, "{}", database.connections);
        assert_eq!(database.class.name, "db.m6g.large");
    }

    #[test]
    fn multi_az_doubles_the_instance_and_its_storage() {
        let model = model();
        let multi = model.with_options(Options {
            multi_az: true,
            ..Options::default()
        });

        let (single, double) = (bill(&model, 1e6), bill(&multi, 1e6));

        assert!(
            (double.cost_of("RDS PostgreSQL") - 2.0 * single.cost_of("RDS PostgreSQL")).abs()
                < 1e-9
        );
        assert!((double.cost_of("RDS storage") - 2.0 * single.cost_of("RDS storage")).abs() < 1e-9);
    }

    #[test]
    fn storage_grows_with_the_orders_kept() {
        // 50M/day, a third of them orders: 16.7M orders × 400 bytes × 365 days = 2,266 GB + 20.
        let model = model();

        let bill = bill(&model, 50e6);

        let gb = 20.0 + 50e6 / 3.0 * 400.0 * 365.0 / 1_073_741_824.0;
        assert!((bill.cost_of("RDS storage") - gb * 0.131).abs() < 1e-6);
    }

    #[test]
    fn logs_go_to_loki_or_to_cloudwatch_not_both() {
        let loki = bill(&model(), 5e7);
        let cloudwatch = bill(
            &model().with_options(Options {
                kubernetes_logs: LogSink::Cloudwatch,
                ..Options::default()
            }),
            5e7,
        );

        assert!(
            !loki
                .items
                .iter()
                .any(|item| item.name.starts_with("CloudWatch Logs"))
        );
        assert!(loki.cost_of("EBS gp3") > cloudwatch.cost_of("EBS gp3"));
        // 250 server bytes a request, not the Lambda's 600.
        let gb = 5e7 * 730.0 / 24.0 * 250.0 / 1_073_741_824.0;
        assert!((cloudwatch.cost_of("CloudWatch Logs ingestion") - (gb - 5.0) * 0.67).abs() < 1e-6);
    }

    #[test]
    fn the_fixed_part_of_the_bill_matches_the_hand_computation() {
        // ap-south-1: EKS $0.10, t4g.medium $0.0224, db.t4g.medium $0.065 (stand-in), ALB $0.0239,
        // NAT $0.056, IPv4 $0.005, gp3 $0.0912; 730 hours.
        let bill = bill(&model(), 10_000.0);

        assert!((bill.cost_of("EKS control plane") - 73.0).abs() < 1e-9);
        assert!((bill.cost_of("EC2 worker nodes") - 3.0 * 730.0 * 0.0224).abs() < 1e-9);
        assert!((bill.cost_of("EBS gp3") - (3.0 * 20.0 + 60.0 + 50.0) * 0.0912).abs() < 1e-9);
        assert!((bill.cost_of("RDS PostgreSQL") - 730.0 * 0.065).abs() < 1e-9);
        assert!((bill.cost_of("Load balancer hours") - 730.0 * 0.0239).abs() < 1e-9);
        assert!((bill.cost_of("NAT gateway hours") - 730.0 * 0.056).abs() < 1e-9);
        assert!((bill.cost_of("Public IPv4") - 3.0 * 730.0 * 0.005).abs() < 1e-9);
    }

    #[test]
    fn nat_per_az_and_endpoints_replace_the_single_gateway() {
        let per_az = bill(
            &model().with_options(Options {
                nat: NatLayout::PerAz,
                ..Options::default()
            }),
            1e6,
        );
        let endpoints = bill(
            &model().with_options(Options {
                nat: NatLayout::Endpoints,
                ..Options::default()
            }),
            1e6,
        );

        assert!((per_az.cost_of("NAT gateway hours") - 3.0 * 730.0 * 0.056).abs() < 1e-9);
        assert!((per_az.cost_of("Public IPv4") - 5.0 * 730.0 * 0.005).abs() < 1e-9);
        assert!(
            !endpoints
                .items
                .iter()
                .any(|item| item.name.starts_with("NAT"))
        );
        assert!(
            (endpoints.cost_of("VPC interface endpoint hours") - 12.0 * 730.0 * 0.011).abs() < 1e-9
        );
    }

    #[test]
    fn capacity_units_follow_the_busiest_dimension() {
        // 50M/day = 578.7 req/s: 57.9 new connections/s = 2.31 LCU; 578.7 × 3600 × 1200 bytes
        // = 2.33 GB/h = 2.33 LCU. Bytes win.
        let bill = bill(&model(), 50e6);

        let gb_per_hour = 50e6 / 86_400.0 * 3600.0 * 1200.0 / 1_073_741_824.0;
        assert!(
            (bill.cost_of("Load balancer capacity units") - gb_per_hour * 730.0 * 0.008).abs()
                < 1e-9
        );
    }
}
