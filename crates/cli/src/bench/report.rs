//! report.md and report.html from the results: the article's tables side by side, then where the time
//! went, what each twin used, the phases, and the cost projection from these figures.

use twinstack_loadgen::report::{NamedStats, Percentiles, StatsReport};

use super::charts::{self, Bar, COLOURS, Group, Line};
use super::markdown;
use super::results::{Results, Twin, TwinRun};
use super::table::Table;

/// Both twins, in the article's column order.
const TWINS: [Twin; 2] = [Twin::Serverless, Twin::Kubernetes];

/// The article's endpoint types, by the request names of loadtest/crud.yml.
pub fn endpoint_type(request: &str) -> &'static str {
    match request {
        "health" => "Simple GET",
        "get user" | "list orders" => "GET with DB query",
        "create order" => "POST with validation",
        "user summary" => "Complex aggregation",
        _ => "Other",
    }
}

fn ms(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

fn pick(latency: Option<&Percentiles>, of: fn(&Percentiles) -> f64) -> String {
    latency.map_or("–".to_owned(), |p| ms(of(p)))
}

fn named<'a>(run: Option<&'a TwinRun>, name: &str) -> Option<&'a StatsReport> {
    run?.load
        .requests
        .iter()
        .find(|n| n.name == name)
        .map(|n| &n.stats)
}

/// Request names in config order, from whichever twin ran.
fn request_names(results: &Results) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for run in &results.twins {
        for NamedStats { name, .. } in &run.load.requests {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

pub fn tables(results: &Results) -> Vec<Table> {
    vec![
        response_times(results),
        throughput(results),
        starts(results),
        where_time_goes(results),
        resources(results),
        phases(results),
    ]
    .into_iter()
    .chain(super::pipeline::tables(results))
    .chain(super::realtime::table(results))
    .collect()
}

fn response_times(results: &Results) -> Table {
    let mut table = Table::new(
        "API response times (ms, from each request's intended start)",
        &[
            "Endpoint type",
            "request",
            "Serverless p50",
            "p95",
            "p99",
            "Kubernetes p50",
            "p95",
            "p99",
        ],
    );
    for name in request_names(results) {
        let mut row = vec![endpoint_type(&name).to_owned(), name.clone()];
        for twin in TWINS {
            let latency = named(results.twin(twin), &name).and_then(|s| s.latency_ms.as_ref());
            row.extend([
                pick(latency, |p| p.p50),
                pick(latency, |p| p.p95),
                pick(latency, |p| p.p99),
            ]);
        }
        table.row(row);
    }
    table
}

/// One figure of a twin's run, as a table cell.
type Show<'a> = &'a dyn Fn(&TwinRun) -> String;

fn throughput(results: &Results) -> Table {
    let mut table = Table::new("Throughput and errors", &["", "Serverless", "Kubernetes"]);
    let cell = |twin: Twin, show: Show| results.twin(twin).map_or("not run".to_owned(), show);
    let rows: [(&str, Show); 6] = [
        ("requests sent", &|r| r.load.totals.count.to_string()),
        ("throughput (req/s over the profile)", &|r| {
            format!("{:.1}", r.load.totals.rps)
        }),
        ("error rate", &|r| {
            let totals = &r.load.totals;
            let rate = totals.errors.total as f64 / totals.count.max(1) as f64;
            format!(
                "{:.3}% ({} of {})",
                rate * 100.0,
                totals.errors.total,
                totals.count
            )
        }),
        ("errors by kind", &|r| {
            describe(&r.load.totals.errors.by_kind)
        }),
        ("errors by status", &|r| {
            describe(&r.load.totals.errors.by_status)
        }),
        ("virtual users dropped at the in-flight cap", &|r| {
            r.load.vusers.dropped.to_string()
        }),
    ];
    for (label, show) in rows {
        table.row(vec![
            label.to_owned(),
            cell(Twin::Serverless, show),
            cell(Twin::Kubernetes, show),
        ]);
    }
    table
}

fn describe(counts: &std::collections::BTreeMap<String, u64>) -> String {
    if counts.is_empty() {
        return "none".to_owned();
    }
    counts
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn starts(results: &Results) -> Table {
    let mut table = Table::new(
        "Cold starts and warm durations (ms)",
        &[
            "Metric",
            "Lambda (twinstack-lambda)",
            "Kubernetes pod (twinstack-server)",
        ],
    );
    let cold = results.cold_starts.as_ref();
    let instances = results
        .twin(Twin::Serverless)
        .and_then(|run| run.processes.get("twinstack-lambda"))
        .map(|usage| usage.processes);
    let no_cold = "none: pods start before they take traffic";
    table.row(vec![
        "Cold starts (count)".into(),
        match (cold, instances) {
            (Some(cold), Some(n)) => {
                format!("{} probe starts; {n} instances under load", cold.starts)
            }
            (Some(cold), None) => format!("{} probe starts", cold.starts),
            _ => "not measured (deployed: use CloudWatch REPORT lines)".into(),
        },
        no_cold.into(),
    ]);
    for (label, of) in [("Cold start (p50)", 0), ("Cold start (p99)", 1)] {
        let value = cold.map_or("–".to_owned(), |c| {
            ms(if of == 0 {
                c.init_p50_ms
            } else {
                c.init_p99_ms
            })
        });
        table.row(vec![label.into(), value, "0".into()]);
    }
    for (label, of) in [
        (
            "Warm duration (p50)",
            (|p: &Percentiles| p.p50) as fn(&Percentiles) -> f64,
        ),
        ("Warm duration (p99)", |p: &Percentiles| p.p99),
    ] {
        let app = |twin: Twin| {
            let timing = results
                .twin(twin)
                .and_then(|r| r.load.totals.server_timing_ms.get("app"));
            pick(timing.map(|t| &t.percentiles), of)
        };
        table.row(vec![
            label.into(),
            app(Twin::Serverless),
            app(Twin::Kubernetes),
        ]);
    }
    table.note(
        "Cold start: spawn → first Runtime API `next` of the release binary, fresh process each time \
         (twinstack-lambda-probe init), binary in the page cache — a floor for the code's own init, not \
         Lambda's. Warm duration: the handler's own time, `Server-Timing: app`, over every request of the run.",
    )
}

fn where_time_goes(results: &Results) -> Table {
    let mut table = Table::new(
        "Where the time goes (Server-Timing p50, ms) and DynamoDB capacity per request",
        &[
            "request",
            "Serverless app",
            "db",
            "Kubernetes app",
            "db",
            "RCU / request",
            "WCU / request",
        ],
    );
    for name in request_names(results) {
        let mut row = vec![name.clone()];
        for twin in TWINS {
            let timing = named(results.twin(twin), &name).map(|s| &s.server_timing_ms);
            for metric in ["app", "db"] {
                let value = timing.and_then(|t| t.get(metric)).map(|t| &t.percentiles);
                row.push(pick(value, |p| p.p50));
            }
        }
        let capacity =
            named(results.twin(Twin::Serverless), &name).and_then(|s| s.consumed_capacity.as_ref());
        row.push(capacity.map_or("–".into(), |c| format!("{:.2}", c.read_per_request)));
        row.push(capacity.map_or("–".into(), |c| format!("{:.2}", c.write_per_request)));
        table.row(row);
    }
    table.note(
        "`app` is the whole request inside the shared HTTP layer, `db` the time spent in store calls; \
         capacity is what DynamoDB (Local) reported through `ReturnConsumedCapacity`. DynamoDB Local's \
         figures do not follow DynamoDB's billing (`create order` is a 3-item transaction that DynamoDB \
         bills at 6 write units or more), so a local run shows them but does not price them; a \
         deployed run reports, and prices, DynamoDB's own.",
    )
}

fn resources(results: &Results) -> Table {
    let mut table = Table::new(
        "Memory and CPU under load",
        &[
            "twin",
            "process",
            "processes",
            "peak RSS per process (MiB)",
            "CPU seconds",
            "CPU ms per request",
        ],
    );
    for twin in TWINS {
        let Some(run) = results.twin(twin) else {
            continue;
        };
        let responses = run.load.totals.responses.max(1) as f64;
        for (group, usage) in &run.processes {
            table.row(vec![
                twin.label().into(),
                group.clone(),
                usage.processes.to_string(),
                format!("{:.1}", usage.peak_rss_mib),
                format!("{:.2}", usage.cpu_seconds),
                format!("{:.3}", usage.cpu_seconds * 1000.0 / responses),
            ]);
        }
    }
    table.note("Sampled from /proc every 250 ms during the measured run (local runs only).")
}

fn phases(results: &Results) -> Table {
    let mut table = Table::new(
        "Per phase (latency p50 / p99 ms, errors)",
        &[
            "phase",
            "arrivals/s",
            "Serverless p50",
            "p99",
            "errors",
            "Kubernetes p50",
            "p99",
            "errors",
        ],
    );
    let Some(first) = results.twins.first() else {
        return table;
    };
    for (index, phase) in first.load.phases.iter().enumerate() {
        let rate = match phase.ramp_to {
            Some(to) => format!("{:.1} → {to:.1}", phase.arrival_rate),
            None => format!("{:.1}", phase.arrival_rate),
        };
        let mut row = vec![phase.name.clone(), rate];
        for twin in TWINS {
            let stats = results
                .twin(twin)
                .and_then(|r| r.load.phases.get(index))
                .map(|p| &p.stats);
            let latency = stats.and_then(|s| s.latency_ms.as_ref());
            row.push(pick(latency, |p| p.p50));
            row.push(pick(latency, |p| p.p99));
            row.push(stats.map_or("–".into(), |s| s.errors.total.to_string()));
        }
        table.row(row);
    }
    table
}

/// The charts, as inline SVG.
pub fn charts(results: &Results) -> Vec<String> {
    let mut svgs = Vec::new();
    let names = request_names(results);
    let mut legend = Vec::new();
    for (t, twin) in TWINS.iter().enumerate() {
        for (p, percentile) in ["p50", "p95", "p99"].iter().enumerate() {
            legend.push(Bar {
                name: format!("{} {percentile}", twin.label()),
                colour: COLOURS[t][p],
            });
        }
    }
    let groups: Vec<Group> = names
        .iter()
        .map(|name| Group {
            label: name.clone(),
            bars: TWINS
                .iter()
                .flat_map(|twin| {
                    let latency = named(results.twin(*twin), name).and_then(|s| s.latency_ms);
                    [
                        latency.map(|p| p.p50),
                        latency.map(|p| p.p95),
                        latency.map(|p| p.p99),
                    ]
                })
                .collect(),
        })
        .collect();
    svgs.push(charts::bars(
        "Latency percentiles per request (ms, log scale)",
        &groups,
        &legend,
    ));

    let mut lines = Vec::new();
    for (t, twin) in TWINS.iter().enumerate() {
        let Some(run) = results.twin(*twin) else {
            continue;
        };
        for (label, colour, dashed, of) in [
            (
                "p50",
                COLOURS[t][1],
                false,
                (|s: &twinstack_loadgen::report::SecondReport| s.p50_ms) as fn(&_) -> _,
            ),
            (
                "p99",
                COLOURS[t][2],
                true,
                |s: &twinstack_loadgen::report::SecondReport| s.p99_ms,
            ),
        ] {
            lines.push(Line {
                name: format!("{} {label}", twin.label()),
                colour,
                dashed,
                points: run
                    .load
                    .timeline
                    .iter()
                    .filter_map(|s| Some((s.second as f64, of(s)?)))
                    .collect(),
            });
        }
    }
    if let Some(first) = results.twins.first() {
        let phases: Vec<(f64, String)> = first
            .load
            .phases
            .iter()
            .map(|p| (p.start_seconds, p.name.clone()))
            .collect();
        svgs.push(charts::timeline(
            "Latency over time, per second of intended start (ms, log scale)",
            &lines,
            &phases,
            first.load.scheduled_seconds,
        ));
    }
    if let Some(cold) = &results.cold_starts {
        let groups: Vec<Group> = [
            ("p50", cold.init_p50_ms),
            ("p90", cold.init_p90_ms),
            ("p99", cold.init_p99_ms),
            ("max", cold.init_max_ms),
        ]
        .into_iter()
        .map(|(label, value)| Group {
            label: label.into(),
            bars: vec![Some(value)],
        })
        .collect();
        let legend = [Bar {
            name: format!("init, {} fresh starts", cold.starts),
            colour: COLOURS[0][1],
        }];
        svgs.push(charts::bars(
            "Lambda cold starts: init duration (ms, log scale)",
            &groups,
            &legend,
        ));
    }
    svgs
}

const COST_CAVEAT: &str = "`twinstack cost --from results.json` on this run's `cost_inputs`: the CPU the \
     Lambda used per request (scaled to its CPU share), its init time and memory, and the server's and \
     Postgres's requests per CPU-second; on a deployed run also the request mix, the capacity units \
     DynamoDB reported and the billed duration. Local runs leave DynamoDB Local's latency and capacity \
     out: the model keeps its own DynamoDB round trip and prices capacity by DynamoDB's rules (item \
     sizes, transactions at double).";

/// What local figures mean, said before any table.
pub fn caveats(results: &Results) -> String {
    let run = &results.run;
    if run.mode == "deployed" {
        return "Deployed run: traffic from this machine to the URLs given; latencies include the network \
                path from here. Cold starts are not probed — take them from CloudWatch REPORT lines \
                (`twinstack cost --from-cloudwatch`)."
            .to_owned();
    }
    format!(
        "Local run on one machine ({} cores, shared by load generator and both twins, one twin at a time). \
         The serverless twin runs the release `twinstack-lambda` under `cargo lambda watch` (an emulated \
         Lambda Runtime API with {} instances, no API Gateway, no per-instance CPU limit) on DynamoDB Local, \
         which is a Java program over SQLite, not DynamoDB: its latencies and throughput say nothing about \
         DynamoDB's. The Kubernetes twin is `twinstack-server` on a throwaway Postgres (fsync off), no \
         ingress, no pod limits. Both stores hold the same data set (checksum {}). What transfers to AWS: \
         the relative cost of the code paths, memory, capacity units per request, init time of the binary.",
        run.machine.cores,
        run.lambda_concurrency.unwrap_or_default(),
        run.checksum.as_deref().unwrap_or("–"),
    )
}

pub fn header_lines(results: &Results) -> Vec<String> {
    let run = &results.run;
    let machine = &run.machine;
    let versions = &run.versions;
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "–".into());
    vec![
        format!("command: `{}`", run.command),
        format!("commit: {}", or_dash(&run.commit)),
        format!(
            "machine: {}, {} cores, {} GiB, {}",
            or_dash(&machine.cpu),
            machine.cores,
            machine.memory_gib.map_or("–".into(), |g| g.to_string()),
            or_dash(&machine.kernel)
        ),
        format!(
            "versions: twinstack {}; {}; {}; {}; {}",
            versions.twinstack,
            or_dash(&versions.rustc),
            or_dash(&versions.postgres),
            or_dash(&versions.cargo_lambda),
            or_dash(&versions.java)
        ),
        format!(
            "profile: {} scaled by time × {}, rate × {}, after a {} s warm-up per twin; {} users × {} orders; measured part {:.0} s",
            run.config,
            run.time_scale,
            run.rate_scale,
            run.warm_up_seconds,
            run.users,
            run.orders_per_user,
            run.measured_seconds
        ),
    ]
}

pub fn markdown(results: &Results, cost: &str) -> String {
    let mut out =
        String::from("# twinstack benchmark: Serverless vs Kubernetes, same workload\n\n");
    for line in header_lines(results) {
        out += &format!("- {line}\n");
    }
    out += &format!("\n{}\n\n", caveats(results));
    for table in tables(results) {
        out += &table.markdown();
    }
    out += "## Cost projection from these figures\n\n";
    out += &format!("{COST_CAVEAT}\n\n");
    out += cost;
    out
}

pub fn html(results: &Results, cost_markdown: &str, cost_svg: &str) -> String {
    let mut body = String::from(
        "<h1>twinstack benchmark: Serverless vs Kubernetes, same workload</h1>\n<ul>\n",
    );
    for line in header_lines(results) {
        body += &format!("<li>{}</li>\n", markdown::inline(&line));
    }
    body += &format!("</ul>\n<p>{}</p>\n", markdown::inline(&caveats(results)));
    for svg in charts(results) {
        body += &format!("<figure>{svg}</figure>\n");
    }
    for table in tables(results) {
        body += &table.html();
    }
    body += "<h2>Cost projection from these figures</h2>\n";
    body += &format!("<p>{}</p>\n", markdown::inline(COST_CAVEAT));
    // The chart follows the table it draws.
    let projection = markdown::to_html(cost_markdown);
    let after_table = projection
        .find("</table>\n")
        .map_or(0, |at| at + "</table>\n".len());
    body += &projection[..after_table];
    body += &format!("<figure>{cost_svg}</figure>\n");
    body += &projection[after_table..];
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>twinstack benchmark</title>\n\
         <style>body{{font-family:sans-serif;max-width:960px;margin:2em auto;padding:0 1em}}\
         table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}\
         td:first-child,th:first-child{{text-align:left}}.note{{color:#555;font-size:90%}}\
         code{{font-size:90%}}figure{{margin:1em 0}}</style></head>\n<body>\n{body}</body></html>\n"
    )
}
