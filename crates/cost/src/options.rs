//! What a buyer changes from on-demand list prices and the default layout: commitments, Spot,
//! provisioned capacity, Multi-AZ, the NAT layout, where the Kubernetes twin's logs go, and the
//! disaster-recovery standby. Each is a `twinstack cost` flag; the report prints every figure with the
//! options next to the same figure without them.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Term {
    #[value(name = "1y")]
    OneYear,
    #[value(name = "3y")]
    ThreeYears,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CapacityMode {
    /// Pay per request (what crates/store-dynamodb/table.json deploys).
    #[default]
    OnDemand,
    /// Provisioned read and write capacity, auto scaling at 70% utilisation.
    Provisioned,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum NatLayout {
    /// One NAT gateway for every private subnet (what infra/lib/kubernetes-stack.ts deploys).
    #[default]
    Single,
    /// One NAT gateway in each availability zone.
    PerAz,
    /// No NAT gateway: VPC interface endpoints for ECR, STS and CloudWatch Logs in each zone.
    Endpoints,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogSink {
    /// Loki on a persistent volume in the cluster (the chart's monitoring stack).
    #[default]
    Loki,
    /// CloudWatch Logs, through the NAT gateway.
    Cloudwatch,
}

#[derive(clap::Args, Clone, Debug, Default, PartialEq)]
pub struct Options {
    /// Compute Savings Plan (no upfront) over the EC2 nodes and Lambda duration.
    #[arg(long, value_enum, value_name = "TERM")]
    pub savings_plan: Option<Term>,
    /// RDS reserved instance, 1 year, no upfront.
    #[arg(long)]
    pub reserved_db: bool,
    /// Share of worker nodes on Spot (0 to 1).
    #[arg(long, value_name = "F", default_value_t = 0.0, value_parser = share)]
    pub spot_share: f64,
    /// Lambda environments kept initialised (provisioned concurrency).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub provisioned_concurrency: u32,
    /// DynamoDB capacity mode.
    #[arg(long, value_enum, default_value_t = CapacityMode::OnDemand)]
    pub dynamodb: CapacityMode,
    /// RDS Multi-AZ (a synchronous standby in a second zone).
    #[arg(long)]
    pub multi_az: bool,
    /// How the private subnets reach AWS services.
    #[arg(long, value_enum, default_value_t = NatLayout::Single)]
    pub nat: NatLayout,
    /// Where the Kubernetes twin's logs go.
    #[arg(long, value_enum, default_value_t = LogSink::Loki)]
    pub kubernetes_logs: LogSink,
    /// Add the disaster-recovery line items of deploy/DR.md: replicated writes, the standby
    /// region, backup storage.
    #[arg(long)]
    pub dr: bool,
}

fn share(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("\"{text}\" is not a number"))?;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is not a share between 0 and 1"))
    }
}

impl Options {
    /// Each option that is set, alone, with its flag: the report prices each next to on-demand.
    pub fn each(&self) -> Vec<(String, Options)> {
        let base = Options {
            kubernetes_logs: self.kubernetes_logs,
            ..Options::default()
        };
        let mut each = Vec::new();
        if let Some(term) = self.savings_plan {
            each.push((
                format!("--savings-plan {term}"),
                Options {
                    savings_plan: Some(term),
                    ..base.clone()
                },
            ));
        }
        let flags: [(bool, &str, Options); 7] = [
            (
                self.reserved_db,
                "--reserved-db",
                Options {
                    reserved_db: true,
                    ..base.clone()
                },
            ),
            (
                self.spot_share > 0.0,
                "--spot-share",
                Options {
                    spot_share: self.spot_share,
                    ..base.clone()
                },
            ),
            (
                self.provisioned_concurrency > 0,
                "--provisioned-concurrency",
                Options {
                    provisioned_concurrency: self.provisioned_concurrency,
                    ..base.clone()
                },
            ),
            (
                self.dynamodb == CapacityMode::Provisioned,
                "--dynamodb provisioned",
                Options {
                    dynamodb: CapacityMode::Provisioned,
                    ..base.clone()
                },
            ),
            (
                self.multi_az,
                "--multi-az",
                Options {
                    multi_az: true,
                    ..base.clone()
                },
            ),
            (
                self.nat != NatLayout::Single,
                "--nat",
                Options {
                    nat: self.nat,
                    ..base.clone()
                },
            ),
            (
                self.dr,
                "--dr",
                Options {
                    dr: true,
                    ..base.clone()
                },
            ),
        ];
        for (set, flag, options) in flags {
            if set {
                let shown = match flag {
                    "--spot-share" => format!("{flag} {}", self.spot_share),
                    "--provisioned-concurrency" => {
                        format!("{flag} {}", self.provisioned_concurrency)
                    }
                    "--nat" => format!("{flag} {}", self.nat),
                    _ => flag.to_owned(),
                };
                each.push((shown, options));
            }
        }
        each
    }

    /// The flags that reproduce these options, for the report's command line.
    pub fn flags(&self) -> String {
        let mut flags: Vec<String> = self.each().into_iter().map(|(flag, _)| flag).collect();
        if self.kubernetes_logs != LogSink::Loki {
            flags.push(format!("--kubernetes-logs {}", self.kubernetes_logs));
        }
        flags.join(" ")
    }

    /// Whether any option changes a price (the log sink is a layout, priced in both columns alike).
    pub fn any(&self) -> bool {
        !self.each().is_empty()
    }
}

macro_rules! display_value_enum {
    ($($kind:ty),*) => {$(
        impl fmt::Display for $kind {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                use clap::ValueEnum;
                let value = self.to_possible_value().expect("no skipped values");
                f.write_str(value.get_name())
            }
        }
    )*};
}

display_value_enum!(Term, CapacityMode, NatLayout, LogSink);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_option_set_is_priced_alone_and_named_by_its_flag() {
        let options = Options {
            savings_plan: Some(Term::ThreeYears),
            nat: NatLayout::Endpoints,
            spot_share: 0.5,
            ..Options::default()
        };

        let flags: Vec<String> = options.each().into_iter().map(|(flag, _)| flag).collect();

        assert_eq!(
            flags,
            ["--savings-plan 3y", "--spot-share 0.5", "--nat endpoints"]
        );
        assert_eq!(options.each()[1].1.savings_plan, None);
    }

    #[test]
    fn a_spot_share_outside_zero_to_one_is_refused() {
        assert!(share("1.5").unwrap_err().contains("between 0 and 1"));
        assert!(share("x").unwrap_err().contains("not a number"));
        assert_eq!(share("0.25"), Ok(0.25));
    }
}
