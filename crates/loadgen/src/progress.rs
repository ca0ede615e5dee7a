//! The live progress bar on stderr: time through the profile, the current phase, virtual users in flight,
//! requests and errors so far. Off when stderr is not a terminal or with `--quiet`.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::live::Live;
use crate::phases::{Phase, total_duration_us};

const REFRESH: Duration = Duration::from_millis(250);

pub struct Progress {
    shown: Option<(ProgressBar, JoinHandle<()>)>,
}

impl Progress {
    /// Starts refreshing a bar if `wanted` and stderr is a terminal.
    pub fn start(wanted: bool, phases: &[Phase], live: Arc<Live>, epoch: Instant) -> Self {
        if !wanted || !std::io::stderr().is_terminal() {
            return Self { shown: None };
        }
        let total_ms = total_duration_us(phases) / 1000;
        let bar = ProgressBar::with_draw_target(Some(total_ms), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {percent:>3}% eta {eta} {msg}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        // (phase name, end in ms) for naming the phase under way.
        let ends: Vec<(String, u64)> = phases
            .iter()
            .map(|p| (p.name.clone(), (p.start_us + p.duration_us) / 1000))
            .collect();
        let refreshed = bar.clone();
        let refresher = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(REFRESH);
            loop {
                ticks.tick().await;
                let elapsed_ms = epoch.elapsed().as_millis() as u64;
                let phase = ends
                    .iter()
                    .find(|(_, end)| elapsed_ms < *end)
                    .map_or("draining", |(name, _)| name.as_str());
                refreshed.set_position(elapsed_ms.min(total_ms));
                refreshed.set_message(format!(
                    "{phase} | {} in flight | {} requests | {} errors",
                    live.in_flight(),
                    live.requests(),
                    live.errors()
                ));
            }
        });
        Self {
            shown: Some((bar, refresher)),
        }
    }

    pub fn finish(self) {
        if let Some((bar, refresher)) = self.shown {
            refresher.abort();
            bar.finish_and_clear();
        }
    }
}
