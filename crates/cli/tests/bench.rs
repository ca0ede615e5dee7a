//! `twinstack bench` end to end, shrunk: both twins started locally (debug builds), driven with
//! loadtest/crud.yml at a tiny scale, cold starts probed, and the report written with every table,
//! chart and the cost projection taken from what was measured.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The debug binaries the harness starts (a workspace test run builds them anyway).
fn build_twins() {
    let status = Command::new("cargo")
        .args([
            "build",
            "--bin",
            "twinstack-server",
            "--bin",
            "twinstack-lambda-probe",
        ])
        .current_dir(workspace())
        .status()
        .expect("cargo runs");
    assert!(status.success());
}

/// loadtest/crud.yml with user ids drawn from the first `users` seeded users instead of 10,000.
fn config_for_users(out: &Path, users: u32) -> PathBuf {
    let crud = std::fs::read_to_string(workspace().join("loadtest/crud.yml")).unwrap();
    let drawn = "{{ $randomNumber(1, 10000) }}";
    assert!(crud.contains(drawn), "crud.yml draws user ids as {drawn}");
    let config = out.join(format!("crud-{users}-users.yml"));
    std::fs::create_dir_all(out).unwrap();
    let ours = format!("{{{{ $randomNumber(1, {users}) }}}}");
    std::fs::write(&config, crud.replace(drawn, &ours)).unwrap();
    config
}

fn out_dir(test: &str) -> PathBuf {
    std::env::temp_dir().join(format!("twinstack-bench-{test}-{}", std::process::id()))
}

/// The run succeeded; its results.json.
fn results_of(output: &std::process::Output, out: &Path) -> Value {
    assert!(
        output.status.success(),
        "bench failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap()
}

fn run_bench(out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_twinstack"))
        .arg("bench")
        .arg("--config")
        .arg(config_for_users(out, 50))
        .args([
            "--profile",
            "debug",
            "--users",
            "50",
            "--orders-per-user",
            "2",
        ])
        .args(["--time-scale", "0.002", "--rate-scale", "0.02"])
        .args([
            "--warm-up",
            "1",
            "--warm-up-rate",
            "2",
            "--cold-starts",
            "3",
        ])
        .args(["--pipeline-records", "3000", "--pipeline-chunks", "6"])
        .args(["--lambda-concurrency", "2"])
        .args(["--realtime-subscribers", "40", "--realtime-users", "10"])
        .args(["--realtime-rate", "5", "--realtime-seconds", "2", "--out"])
        .arg(out)
        .current_dir(workspace())
        .output()
        .expect("twinstack runs")
}

#[test]
fn a_shrunk_local_run_measures_both_twins_and_writes_the_report() {
    // Arrange
    build_twins();
    let out = out_dir("local");

    // Act
    let output = run_bench(&out);

    // Assert
    let results = results_of(&output, &out);
    assert_eq!(results["version"], 1);
    assert_eq!(results["run"]["mode"], "local");
    let twins = results["twins"].as_array().unwrap();
    let names: Vec<&str> = twins.iter().map(|t| t["twin"].as_str().unwrap()).collect();
    assert_eq!(names, ["kubernetes", "serverless"]);
    for twin in twins {
        let totals = &twin["load"]["totals"];
        assert!(totals["count"].as_u64().unwrap() > 0, "{twin}");
        assert_eq!(totals["errors"]["total"], 0, "{}", totals["errors"]);
        assert!(totals["serverTimingMs"]["app"]["count"].as_u64().unwrap() > 0);
        let processes = twin["processes"].as_object().unwrap();
        assert_eq!(processes.len(), 2, "{processes:?}");
        for (group, usage) in processes {
            assert!(
                usage["processes"].as_u64().unwrap() >= 1,
                "{group}: {usage}"
            );
            assert!(
                usage["peakRssMib"].as_f64().unwrap() > 0.0,
                "{group}: {usage}"
            );
        }
    }
    assert_eq!(results["coldStarts"]["starts"], 3);
    let inputs = &results["cost_inputs"];
    assert!(
        inputs.get("endpoints").is_none(),
        "DynamoDB Local's capacity is shown, not priced"
    );
    let capacity = &twins[1]["load"]["requests"][2];
    assert_eq!(capacity["name"], "create order");
    assert!(
        capacity["consumedCapacity"]["writePerRequest"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert!(inputs["kubernetes"]["requests_per_vcpu"].as_f64().unwrap() > 0.0);
    // The server's request lines, measured from its log file.
    assert!(
        inputs["kubernetes"]["log_bytes_per_request"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert!(inputs["lambda"]["local_cpu_ms"].as_f64().is_some());
    let realtime = results["realtime"]["twins"].as_array().unwrap();
    let names: Vec<&str> = realtime
        .iter()
        .map(|t| t["twin"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["kubernetes", "serverless"]);
    for twin in realtime {
        assert_eq!(twin["connected"], 40, "{twin}");
        assert_eq!(twin["ordersCreated"], 10, "{twin}");
        // Ten orders, each followed by the 4 connections of its user.
        assert_eq!(twin["expectedDeliveries"], 40, "{twin}");
        assert_eq!(twin["delivered"], 40, "{twin}");
        assert_eq!((&twin["lost"], &twin["duplicated"]), (&0.into(), &0.into()));
        assert!(twin["deliveryMs"]["p99"].as_f64().is_some(), "{twin}");
        assert!(twin["connectMs"]["p50"].as_f64().unwrap() > 0.0, "{twin}");
    }
    assert!(realtime[0]["memoryPerConnectionKib"].as_f64().is_some());
    assert!(realtime[0]["lambdaInvocations"].is_null());
    assert!(realtime[1]["memoryPerConnectionKib"].is_null());
    assert!(realtime[1]["lambdaInvocations"].as_u64().unwrap() > 0);

    // The pipeline, after the twins: each via a child run of this binary, one checksum.
    let pipeline = &results["pipeline"];
    assert_eq!(
        (pipeline["records"].as_u64(), pipeline["chunks"].as_u64()),
        (Some(3000), Some(6))
    );
    let runs = pipeline["runs"].as_array().unwrap();
    let vias: Vec<&str> = runs.iter().map(|r| r["via"].as_str().unwrap()).collect();
    assert_eq!(vias, ["in-process", "worker", "lambda"]);
    assert!(runs[2]["handlerMsPerChunk"].as_f64().unwrap() > 0.0);
    assert!(runs[0]["handlerMsPerChunk"].is_null());
    for run in runs {
        let summary = &run["summary"];
        assert_eq!(summary["recordsIn"], 3000, "{run}");
        assert_eq!(
            summary["loaded"].as_u64().unwrap() + summary["rejected"].as_u64().unwrap(),
            3000
        );
        assert!(run["usage"]["peakRssMib"].as_f64().unwrap() > 0.0, "{run}");
        assert!(run["cpuPerChunkMs"].as_f64().unwrap() > 0.0, "{run}");
        let gb_seconds: Vec<f64> = run["lambdaGbSeconds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|at| at["gbSeconds"].as_f64().unwrap())
            .collect();
        assert_eq!(gb_seconds.len(), 3, "128, 512 and 1024 MB");
        assert!(gb_seconds.iter().all(|gb| *gb > 0.0), "{gb_seconds:?}");
        let extract = &run["stages"][0];
        assert_eq!(extract["stage"], "extract");
        assert!(extract["recordsPerSecondPerCore"].as_f64().unwrap() > 0.0);
    }
    assert_eq!(pipeline["checksumsEqual"], true);
    assert_eq!(
        pipeline["defaultChecksumMatches"],
        Value::Null,
        "not the default input"
    );
    assert_eq!(pipeline["stepFunctions"]["stateTransitions"], 2 + 6);
    assert_eq!(pipeline["argo"]["s3Gets"], 2 * 6);

    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    for heading in [
        "Pipeline: 3,000 records in 6 chunks, per via",
        "Pipeline: per-stage throughput",
        "Pipeline: Lambda GB-seconds",
        "Pipeline on AWS: state transitions and S3 requests",
        "API response times",
        "Throughput and errors",
        "Cold starts and warm durations",
        "Where the time goes",
        "Memory and CPU under load",
        "Real-time feed: 40 subscribers over 10 users",
        "Cost projection from these figures",
    ] {
        assert!(markdown.contains(heading), "report.md lacks {heading}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(
        html.matches("<svg").count(),
        4,
        "three charts and the cost chart"
    );
    let projection = &html[html.find("Cost projection from these figures").unwrap()..];
    assert!(
        projection.contains("<table>") && !html.contains("<pre>"),
        "the cost projection is an HTML table, not Markdown"
    );

    // Written again in place, over the files just read.
    let rewritten = Command::new(env!("CARGO_BIN_EXE_twinstack"))
        .args(["bench", "--report-from"])
        .arg(out.join("results.json"))
        .arg("--out")
        .arg(&out)
        .output()
        .expect("twinstack runs");
    assert!(
        rewritten.status.success(),
        "{}",
        String::from_utf8_lossy(&rewritten.stderr)
    );
    for (name, first) in [("report.md", &markdown), ("report.html", &html)] {
        assert_eq!(
            &std::fs::read_to_string(out.join(name)).unwrap(),
            first,
            "the same {name} again from results.json alone"
        );
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[tokio::test]
async fn a_deployed_run_drives_only_the_urls_given_and_probes_nothing_locally() {
    // Arrange: a running Kubernetes twin stands in for a deployed one.
    let api = twinstack_twins::postgres::spawn_postgres_twin().await;
    let out = out_dir("deployed");
    let config = config_for_users(&out, twinstack_twins::SEED_USERS);

    // Act
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_twinstack"))
        .arg("bench")
        .arg("--config")
        .arg(&config)
        .args(["--kubernetes-url", &format!("{}/", api.base_url)])
        .args([
            "--time-scale",
            "0.002",
            "--rate-scale",
            "0.02",
            "--warm-up",
            "1",
        ])
        .args(["--realtime-subscribers", "20", "--realtime-users", "20"])
        .args(["--realtime-rate", "5", "--realtime-seconds", "1"])
        .arg("--out")
        .arg(&out)
        .current_dir(workspace())
        .output()
        .await
        .expect("twinstack runs");

    // Assert
    let results = results_of(&output, &out);
    assert_eq!(results["run"]["mode"], "deployed");
    let twins = results["twins"].as_array().unwrap();
    assert_eq!(twins.len(), 1);
    assert_eq!(twins[0]["twin"], "kubernetes");
    assert_eq!(
        twins[0]["target"],
        api.base_url.as_str(),
        "trailing slash trimmed"
    );
    assert_eq!(twins[0]["load"]["totals"]["errors"]["total"], 0);
    assert!(twins[0]["processes"].as_object().unwrap().is_empty());
    assert!(results["coldStarts"].is_null());
    assert!(
        results.get("pipeline").is_none(),
        "the pipeline runs in local runs only"
    );
    assert!(
        results["cost_inputs"].get("kubernetes").is_none(),
        "no CPU figures from afar"
    );
    let realtime = &results["realtime"]["twins"];
    assert_eq!(realtime.as_array().unwrap().len(), 1, "{realtime}");
    assert_eq!(realtime[0]["twin"], "kubernetes");
    assert_eq!(realtime[0]["connected"], 20, "{realtime}");
    assert_eq!(realtime[0]["delivered"], 5, "{realtime}");
    assert_eq!(realtime[0]["lost"], 0, "{realtime}");
    assert!(
        realtime[0]["memoryPerConnectionKib"].is_null(),
        "no memory figures without --realtime-server-pid"
    );
    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        markdown.contains("Deployed run"),
        "the caveat says what was measured"
    );
    std::fs::remove_dir_all(&out).unwrap();
}
