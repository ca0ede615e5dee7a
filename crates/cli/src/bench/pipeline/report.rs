//! The pipeline section's tables in report.md and report.html.

use twinstack_cost::report::number;

use super::results::{LAMBDA_MEMORY_MB, PipelineBench, RequestCounts};
use crate::bench::results::Results;
use crate::bench::table::Table;

/// The section's tables; none when the run had no pipeline section.
pub fn tables(results: &Results) -> Vec<Table> {
    let Some(bench) = &results.pipeline else {
        return Vec::new();
    };
    vec![runs(bench), stages(bench), lambda(bench), requests(bench)]
}

fn runs(bench: &PipelineBench) -> Table {
    let mut table = Table::new(
        &format!(
            "Pipeline: {} records in {} chunks, per via",
            number(bench.records as f64),
            number(f64::from(bench.chunks))
        ),
        &[
            "via",
            "wall s",
            "records/s",
            "peak RSS per process (MiB)",
            "peak RSS, all processes (MiB)",
            "CPU s",
            "CPU ms per chunk",
            "loaded",
            "rejected",
            "failed chunks",
            "checksum",
        ],
    );
    for run in &bench.runs {
        let mut row = vec![
            run.via.clone(),
            format!("{:.2}", run.wall_seconds),
            number((bench.records as f64 / run.wall_seconds.max(1e-9)).round()),
            format!("{:.1}", run.usage.peak_rss_mib),
            format!("{:.1}", run.usage.peak_total_rss_mib),
            format!("{:.2}", run.usage.cpu_seconds),
            format!("{:.1}", run.cpu_per_chunk_ms),
        ];
        match (&run.summary, &run.error) {
            (Some(summary), _) => row.extend([
                number(summary.loaded as f64),
                number(summary.rejected as f64),
                summary.failed_chunks.len().to_string(),
                summary.checksum.chars().take(16).collect(),
            ]),
            (None, error) => row.extend([
                "–".into(),
                "–".into(),
                "–".into(),
                format!("failed: {}", error.as_deref().unwrap_or("?")),
            ]),
        }
        table.row(row);
    }
    let checksum = match (bench.checksums_equal, bench.default_checksum_matches) {
        (true, Some(true)) => "every via gave the same checksum, the default input's pinned `DEFAULT_CHECKSUM`".to_owned(),
        (true, Some(false)) => "every via gave the same checksum, but **not** the default input's pinned `DEFAULT_CHECKSUM`".to_owned(),
        (true, None) => "every via gave the same checksum".to_owned(),
        (false, _) => "**the vias' checksums differ, or a via failed**".to_owned(),
    };
    table.note(&format!(
        "Each via is `twinstack pipeline run --json` started by the bench as a child process (the \
         same binary) over one generated input ({:.1} s to generate), one via at a time; records in = \
         loaded + rejected in every run. Wall time from start to exit; CPU is the child's own account \
         with its reaped descendants (`wait4`), so the worker processes' are in it; RSS is sampled \
         from /proc every 100 ms, so a worker process living less than that may be missed. CPU per \
         chunk is the whole run's CPU over the chunks (process starts, reading, the reduce included). \
         Checksum: {checksum}.",
        bench.generate_seconds
    ))
}

fn stages(bench: &PipelineBench) -> Table {
    let mut header = vec!["stage".to_owned()];
    header.extend(bench.runs.iter().map(|run| run.via.clone()));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut table = Table::new(
        "Pipeline: per-stage throughput (records/s per core)",
        &header,
    );
    let names = ["extract", "validate", "transform", "aggregate", "load"];
    for name in names {
        let mut row = vec![name.to_owned()];
        for run in &bench.runs {
            let rate = run
                .stages
                .iter()
                .find(|stage| stage.stage == name)
                .and_then(|stage| stage.records_per_second_per_core);
            row.push(rate.map_or("–".into(), number));
        }
        table.row(row);
    }
    table.note(
        "A stage's records in over its time summed over every chunk; a chunk runs on one core, so \
         this is one core's rate (wall time inside the run: a busy machine lowers it). `load` counts \
         aggregate rows, once per run (the reduce).",
    )
}

fn lambda(bench: &PipelineBench) -> Table {
    let mut header = vec!["via".to_owned(), "CPU ms per chunk".to_owned()];
    header.extend(LAMBDA_MEMORY_MB.iter().map(|mb| format!("GB-s at {mb} MB")));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut table = Table::new(
        "Pipeline: Lambda GB-seconds per run that the CPU per chunk implies",
        &header,
    );
    for run in &bench.runs {
        let per_chunk = match run.handler_ms_per_chunk {
            Some(handler) => format!("{handler:.1} (in the handler)"),
            None => format!("{:.1}", run.cpu_per_chunk_ms),
        };
        let mut row = vec![run.via.clone(), per_chunk];
        row.extend(
            run.lambda_gb_seconds
                .iter()
                .map(|at| format!("{:.2}", at.gb_seconds)),
        );
        table.row(row);
    }
    table.note(
        "One invocation per chunk, billed for the CPU per chunk stretched to the function's share \
         of a core (memory / 1,769 MB) and rounded up to the millisecond; CPU only — waiting on S3 is \
         not in it (`twinstack cost --pipeline` adds an assumed S3 latency and prices the rest). Below \
         1,769 MB a CPU-bound chunk bills about the same GB-seconds at any memory: more memory buys \
         proportionally more CPU, so it runs proportionally shorter. The lambda via's figure is the \
         function's own time in its handler per chunk (S3 reads and writes included), since its \
         process tree also runs the emulator, the S3 server and DynamoDB Local.",
    )
}

fn requests(bench: &PipelineBench) -> Table {
    let mut table = Table::new(
        "Pipeline on AWS: state transitions and S3 requests per run",
        &[
            "orchestration",
            "state transitions",
            "S3 LIST",
            "S3 GET",
            "S3 PUT",
        ],
    );
    for (name, counts) in [
        ("Step Functions + Lambda", &bench.step_functions),
        ("Argo Workflows + Kubernetes", &bench.argo),
    ] {
        let RequestCounts {
            state_transitions,
            s3_lists,
            s3_gets,
            s3_puts,
        } = counts;
        table.row(vec![
            name.to_owned(),
            state_transitions.to_string(),
            s3_lists.to_string(),
            s3_gets.to_string(),
            s3_puts.to_string(),
        ]);
    }
    table.note(&format!(
        "Counted for {} chunks from the state machine (infra/lib/pipeline-stack.ts) and the \
         WorkflowTemplate, as `twinstack cost --pipeline` prices them — not measured: local runs \
         read and write a directory. Retries add to both.",
        bench.chunks
    ))
}
