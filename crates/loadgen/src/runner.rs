//! The open-model run: virtual users start on the phase schedule whatever the responses do, each in its own
//! task; the run ends by itself after the profile plus at most the drain timeout.
//!
//! Arrivals follow Artillery's runner (`lib/core/runner.ts`): one new virtual user per arrival, running one
//! scenario picked by weight. At the `--max-in-flight` cap an arrival is dropped and counted (Artillery's
//! `maxVusers` → `vusers.skipped`) rather than delayed, so the schedule never stalls behind a slow target.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc;
use tokio::task::{JoinError, JoinSet};
use tokio::time::Instant;

use crate::live::Live;
use crate::phases::{self, PlanError, Scale};
use crate::pick::ScenarioPicker;
use crate::progress::Progress;
use crate::report::{Report, RunFacts};
use crate::script::{Flow, Script};
use crate::stats::{Collector, Event};
use crate::vu;

/// How to run a script.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Base URL; each request's path is appended to it as is.
    pub target: String,
    pub scale: Scale,
    /// Virtual users running at once before arrivals are dropped.
    pub max_in_flight: u64,
    /// Overrides the config's request timeout.
    pub request_timeout: Option<Duration>,
    /// How long in-flight virtual users may finish after the last arrival.
    pub drain_timeout: Duration,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("--target {target:?} is not {expected}")]
    Target {
        target: String,
        expected: &'static str,
    },
    #[error("building the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

/// Runs `script` against `options.target` and returns the results.
pub async fn run(script: Script, options: RunOptions) -> Result<Report, RunError> {
    check_target(&script, &options.target)?;
    let phases = phases::plan(&script.phases, options.scale)?;
    let timeout = options
        .request_timeout
        .unwrap_or(script.effective_timeout());
    let client = reqwest::Client::builder()
        // Never follow a redirect: traffic goes to --target only.
        .redirect(reqwest::redirect::Policy::none())
        .tcp_nodelay(true)
        .pool_max_idle_per_host(usize::try_from(options.max_in_flight).unwrap_or(usize::MAX))
        .user_agent(concat!("twinstack-loadgen/", env!("CARGO_PKG_VERSION")))
        .build()?;

    let (events, received) = mpsc::unbounded_channel();
    let collector = tokio::spawn(collect(
        received,
        Collector::new(script.request_names.len(), phases.len()),
    ));
    let live = Arc::new(Live::default());
    let picker = ScenarioPicker::new(&script.scenarios);
    let names = script.request_names.clone();
    let (config_target, notes) = (script.config_target.clone(), script.notes.clone());
    let started_at = SystemTime::now();
    let epoch = Instant::now();
    let context = Arc::new(vu::Context {
        client,
        target: options.target.clone(),
        script,
        timeout,
        epoch,
        events: events.clone(),
        live: Arc::clone(&live),
    });
    let progress = Progress::start(options.progress, &phases, Arc::clone(&live), epoch);

    let mut users = JoinSet::new();
    let mut created = 0;
    for (phase, offset_us) in phases::schedule(&phases) {
        let due = epoch + Duration::from_micros(offset_us);
        if due > Instant::now() {
            tokio::time::sleep_until(due).await;
        }
        while let Some(finished) = users.try_join_next() {
            surface_panic(finished);
        }
        if live.in_flight() >= options.max_in_flight {
            let _ = events.send(Event::Dropped {
                phase,
                at_us: offset_us,
            });
            continue;
        }
        let slot = live.enter();
        created += 1;
        users.spawn(vu::run(
            Arc::clone(&context),
            picker.pick(),
            phase,
            due,
            slot,
        ));
    }
    // A trailing pause is part of the profile.
    tokio::time::sleep_until(epoch + Duration::from_micros(phases::total_duration_us(&phases)))
        .await;

    let drain = async {
        while let Some(finished) = users.join_next().await {
            surface_panic(finished);
        }
    };
    let _ = tokio::time::timeout(options.drain_timeout, drain).await;
    let aborted = users.len() as u64;
    users.shutdown().await;
    let elapsed = epoch.elapsed();
    drop(context);
    drop(events);
    let mut collector = collector.await.expect("the collector does not panic");
    collector.record_aborted(aborted);
    progress.finish();

    Ok(Report::build(
        collector,
        RunFacts {
            target: &options.target,
            config_target,
            time_scale: options.scale.time,
            rate_scale: options.scale.rate,
            started_at_unix_ms: started_at
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            elapsed_seconds: elapsed.as_secs_f64(),
            request_timeout_seconds: timeout.as_secs_f64(),
            drain_timeout_seconds: options.drain_timeout.as_secs_f64(),
            max_in_flight: options.max_in_flight,
            created,
            names: &names,
            phases: &phases,
            notes,
        },
    ))
}

/// HTTP scenarios need an http(s):// target, WebSocket ones a ws:// target (this build has no
/// TLS for WebSockets), so one script cannot mix them.
fn check_target(script: &Script, target: &str) -> Result<(), RunError> {
    let websocket = script
        .scenarios
        .iter()
        .map(|scenario| matches!(scenario.flow, Flow::Ws(_)));
    let (schemes, expected): (&[&str], _) = match (
        websocket.clone().any(|ws| ws),
        websocket.clone().all(|ws| ws),
    ) {
        (false, _) => (&["http", "https"], "an http:// or https:// URL"),
        (true, true) => (&["ws"], "a ws:// URL (engine: ws; wss:// is not supported)"),
        (true, false) => (
            &[],
            "usable: the script mixes engine: ws and HTTP scenarios, which need different targets",
        ),
    };
    let target_ok = reqwest::Url::parse(target)
        .is_ok_and(|url| schemes.contains(&url.scheme()) && url.has_host());
    if target_ok {
        Ok(())
    } else {
        Err(RunError::Target {
            target: target.to_owned(),
            expected,
        })
    }
}

async fn collect(
    mut received: mpsc::UnboundedReceiver<Event>,
    mut collector: Collector,
) -> Collector {
    while let Some(event) = received.recv().await {
        collector.record(event);
    }
    collector
}

/// A virtual user's panic is a bug in this crate: re-raise it instead of counting it as traffic.
fn surface_panic(finished: Result<(), JoinError>) {
    if let Err(error) = finished
        && error.is_panic()
    {
        std::panic::resume_unwind(error.into_panic());
    }
}
