//! The Kubernetes twin's bill: EKS with worker nodes sized by CPU for the peak hour, RDS PostgreSQL
//! sized by load, a load balancer, a NAT gateway, volumes, and the same logs and egress as serverless.

use super::shared::{self, log_gb_per_month, priced};
use super::{Bill, Model, Stack};
use crate::pricing::Instance;
use crate::report::number;
use crate::traffic::{HOURS_PER_MONTH, average_per_second, gigabytes};

pub fn bill(model: &Model, requests_per_day: f64) -> Bill {
    let workload = &model.workload;
    let pricing = &model.pricing;
    let k8s = &workload.kubernetes;
    let nodes = nodes(model, requests_per_day);
    let (databases, class) = database(model, requests_per_day);
    let average = average_per_second(requests_per_day);
    let lcu = &pricing.lcu;
    let new_connections = average * k8s.new_connections_per_request;
    let processed_gb_per_hour =
        gigabytes(average * 3600.0 * (workload.request_bytes + workload.response_bytes));
    // LCUs are billed per hour on the busiest dimension; at the average rate, the two that grow
    // with traffic (new connections, processed bytes) stand for the hourly figures.
    let lcus = (new_connections / lcu.new_connections_per_second)
        .max(processed_gb_per_hour / lcu.processed_gb_per_hour);
    let log_gb = log_gb_per_month(workload, requests_per_day);

    let items = vec![
        priced(
            "EKS control plane",
            HOURS_PER_MONTH,
            &pricing.eks_control_plane,
            "one cluster, all month",
        ),
        priced(
            format!("EC2 worker nodes ({nodes} × {})", model.node.name),
            f64::from(nodes) * HOURS_PER_MONTH,
            &model.node.price,
            format!(
                "max({} minimum, CPU for {:.1} req/s at the peak hour / {} req/s per vCPU / {:.0}% HPA target + {} vCPU cluster overhead, over {} - {} vCPU per node)",
                k8s.min_nodes,
                average * workload.peak_to_average,
                number(k8s.requests_per_vcpu),
                k8s.hpa_target * 100.0,
                k8s.cluster_overhead_vcpu,
                model.node.vcpu,
                k8s.node_overhead_vcpu
            ),
        ),
        priced(
            "EBS gp3 volumes",
            f64::from(nodes) * k8s.node_disk_gb + k8s.cluster_disk_gb,
            &pricing.ebs_gp3,
            format!(
                "{nodes} node disks of {} GB and {} GB of monitoring volumes",
                k8s.node_disk_gb, k8s.cluster_disk_gb
            ),
        ),
        priced(
            format!("RDS PostgreSQL ({databases} × {})", class.name),
            f64::from(databases) * HOURS_PER_MONTH,
            &class.price,
            format!(
                "cheapest class with the vCPUs for {:.1} req/s at the peak hour / {} req/s per vCPU / {:.0}% target",
                average * workload.peak_to_average,
                number(k8s.database.requests_per_vcpu),
                k8s.database.target_utilisation * 100.0
            ),
        ),
        priced(
            "RDS storage",
            f64::from(databases) * k8s.database.storage_gb,
            &pricing.rds_storage,
            format!("{} GB per instance", k8s.database.storage_gb),
        ),
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
        priced(
            "NAT gateway hours",
            k8s.nat_gateways * HOURS_PER_MONTH,
            &pricing.nat_hours,
            format!(
                "{} NAT gateway(s) for the private node subnets",
                k8s.nat_gateways
            ),
        ),
        priced(
            "NAT gateway data processed",
            log_gb,
            &pricing.nat_data,
            "logs shipped to CloudWatch Logs leave the private subnets through the NAT gateway",
        ),
        priced(
            "Public IPv4 addresses",
            k8s.public_ipv4_addresses * HOURS_PER_MONTH,
            &pricing.public_ipv4,
            format!(
                "{} in-use addresses (load balancer, NAT gateway)",
                k8s.public_ipv4_addresses
            ),
        ),
    ];
    shared::bill(
        Stack::Kubernetes,
        items,
        workload,
        pricing,
        requests_per_day,
    )
}

/// Worker nodes for the peak hour: application CPU at the HPA target plus the cluster's own overhead,
/// spread over what each node has left after its per-node overhead; never below the minimum.
pub fn nodes(model: &Model, requests_per_day: f64) -> u32 {
    let workload = &model.workload;
    let k8s = &workload.kubernetes;
    let peak = average_per_second(requests_per_day) * workload.peak_to_average;
    let application_vcpu = peak / k8s.requests_per_vcpu / k8s.hpa_target;
    let allocatable = (model.node.vcpu - k8s.node_overhead_vcpu).max(f64::EPSILON);
    let needed = ((application_vcpu + k8s.cluster_overhead_vcpu) / allocatable).ceil();
    // Saturates rather than wraps for absurd traffic; the float is never negative.
    (needed as u32).max(k8s.min_nodes)
}

/// The cheapest database class with the vCPUs the peak needs; past the largest, several of it.
pub fn database(model: &Model, requests_per_day: f64) -> (u32, &Instance) {
    let workload = &model.workload;
    let db = &workload.kubernetes.database;
    let peak = average_per_second(requests_per_day) * workload.peak_to_average;
    let needed_vcpu = peak / db.requests_per_vcpu / db.target_utilisation;
    if let Some(class) = model
        .database_classes
        .iter()
        .find(|class| class.vcpu >= needed_vcpu)
    {
        return (1, class);
    }
    let largest = model
        .database_classes
        .iter()
        .max_by(|a, b| a.vcpu.total_cmp(&b.vcpu))
        .expect("Model::new refuses an empty class list");
    ((needed_vcpu / largest.vcpu).ceil() as u32, largest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assumptions;
    use crate::pricing::Pricing;

    fn model() -> Model {
        Model::new(
            assumptions::twinstack(),
            Pricing::builtin("ap-south-1").unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn low_traffic_runs_on_the_minimum_nodes_and_the_smallest_database() {
        let model = model();

        assert_eq!(nodes(&model, 10_000.0), 3);
        assert_eq!(database(&model, 10_000.0).1.name, "db.t4g.medium");
    }

    #[test]
    fn nodes_grow_with_the_peak_hour() {
        // 1B/day = 11,574 req/s average, 34,722 at the peak; / 4,000 per vCPU / 0.7 = 12.40 vCPU;
        // + 0.7 overhead = 13.10 over 1.8 allocatable per t4g.medium = 7.28, so 8 nodes.
        let model = model();

        assert_eq!(nodes(&model, 1e9), 8);
    }

    #[test]
    fn the_database_moves_up_the_class_ladder_then_multiplies() {
        // 100M/day peak = 3,472 req/s; / 2,000 / 0.7 = 2.48 vCPU: the 4-vCPU db.m6g.xlarge.
        let model = model();
        assert_eq!(database(&model, 100e6).1.name, "db.m6g.xlarge");

        // 1B/day: 24.8 vCPU, past the 8-vCPU db.m6g.2xlarge: four of them.
        let (count, class) = database(&model, 1e9);
        assert_eq!((count, class.name.as_str()), (4, "db.m6g.2xlarge"));
    }

    #[test]
    fn the_fixed_part_of_the_bill_matches_the_hand_computation() {
        // ap-south-1: EKS $0.10, t4g.medium $0.0359, db.t4g.medium $0.065 (stand-in), ALB $0.0239,
        // NAT $0.056, IPv4 $0.005, gp3 $0.0912, RDS storage $0.131; 730 hours.
        let bill = bill(&model(), 10_000.0);

        assert!((bill.cost_of("EKS control plane") - 73.0).abs() < 1e-9);
        assert!((bill.cost_of("EC2 worker nodes") - 3.0 * 730.0 * 0.0359).abs() < 1e-9);
        assert!((bill.cost_of("EBS gp3") - (3.0 * 20.0 + 110.0) * 0.0912).abs() < 1e-9);
        assert!((bill.cost_of("RDS PostgreSQL") - 730.0 * 0.065).abs() < 1e-9);
        assert!((bill.cost_of("RDS storage") - 20.0 * 0.131).abs() < 1e-9);
        assert!((bill.cost_of("Load balancer hours") - 730.0 * 0.0239).abs() < 1e-9);
        assert!((bill.cost_of("NAT gateway hours") - 730.0 * 0.056).abs() < 1e-9);
        assert!((bill.cost_of("Public IPv4") - 3.0 * 730.0 * 0.005).abs() < 1e-9);
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
