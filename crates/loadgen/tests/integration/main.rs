//! Integration tests over real HTTP on loopback: runs against a tiny local server, config errors, and the
//! article's own config and `loadtest/crud.yml`, scaled down.

mod article_and_crud;
mod config_errors;
mod runs;
mod server;
mod ws;

use std::time::Duration;

use twinstack_loadgen::{Report, RunOptions, Scale, Script};

/// Runs `yaml` against `target` without a progress bar.
pub async fn run(
    yaml: &str,
    target: String,
    scale: Scale,
    tune: impl FnOnce(&mut RunOptions),
) -> Report {
    let script = Script::parse(yaml).expect("the config parses");
    let mut options = RunOptions {
        target,
        scale,
        max_in_flight: 2000,
        request_timeout: None,
        drain_timeout: Duration::from_secs(5),
        progress: false,
    };
    tune(&mut options);
    twinstack_loadgen::run(script, options)
        .await
        .expect("the run completes")
}

/// The statistics of the request called `name`.
pub fn named<'a>(report: &'a Report, name: &str) -> &'a twinstack_loadgen::report::StatsReport {
    &report
        .requests
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no request named {name:?}"))
        .stats
}
