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

/// loadtest/crud.yml with user ids drawn from the 50 seeded users instead of 10,000.
fn config_for_50_users(out: &Path) -> PathBuf {
    let crud = std::fs::read_to_string(workspace().join("loadtest/crud.yml")).unwrap();
    let drawn = "{{ $randomNumber(1, 10000) }}";
    assert!(crud.contains(drawn), "crud.yml draws user ids as {drawn}");
    let config = out.join("crud-50-users.yml");
    std::fs::create_dir_all(out).unwrap();
    std::fs::write(&config, crud.replace(drawn, "{{ $randomNumber(1, 50) }}")).unwrap();
    config
}

fn run_bench(out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_twinstack"))
        .arg("bench")
        .arg("--config")
        .arg(config_for_50_users(out))
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
        .args(["--lambda-concurrency", "2", "--out"])
        .arg(out)
        .current_dir(workspace())
        .output()
        .expect("twinstack runs")
}

#[test]
fn a_shrunk_local_run_measures_both_twins_and_writes_the_report() {
    // Arrange
    build_twins();
    let out = std::env::temp_dir().join(format!("twinstack-bench-test-{}", std::process::id()));

    // Act
    let output = run_bench(&out);

    // Assert
    assert!(
        output.status.success(),
        "bench failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
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
    let create = inputs["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "create order")
        .expect("create order measured");
    assert!(create["write_units"].as_f64().unwrap() > 0.0, "{create}");
    assert!(inputs["kubernetes"]["requests_per_vcpu"].as_f64().unwrap() > 0.0);
    assert!(inputs["lambda"]["local_cpu_ms"].as_f64().is_some());

    let markdown = std::fs::read_to_string(out.join("report.md")).unwrap();
    for heading in [
        "API response times",
        "Throughput and errors",
        "Cold starts and warm durations",
        "Where the time goes",
        "Memory and CPU under load",
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
    std::fs::remove_dir_all(&out).unwrap();
}
