//! `twinstack cost`: the arguments and the run. The `twinstack` binary only parses and dispatches here.

use std::path::{Path, PathBuf};

use crate::assumptions;
use crate::bill::{Model, ModelError, Stack};
use crate::cloudwatch::{self, CloudWatchError, Summary};
use crate::comparison::article_comparison;
use crate::cost_chart::{Chart, Marker, Series, curve};
use crate::crossover;
use crate::options::Options;
use crate::pricing::{Pricing, PricingError};
use crate::report::{
    crossover_sentence, explain, on_demand, options_table, source_summary, sources, stand_ins,
    table,
};
use crate::results::{CostInputs, ResultsError};
use crate::traffic::short;
use crate::workload::{ApiKind, Workload};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Assumptions {
    /// The article's setup next to its published table, then twinstack's own figures
    /// (`seed` is accepted too).
    #[value(alias = "seed")]
    Article,
}

#[derive(clap::Args, Debug, Clone)]
pub struct CostArgs {
    /// Built-in pricing to use (ap-south-1, us-east-1).
    #[arg(long, default_value = "ap-south-1")]
    pub region: String,
    /// A pricing file of your own, in the format of crates/cost/pricing/*.json (overrides --region).
    #[arg(long, value_name = "FILE")]
    pub pricing: Option<PathBuf>,
    /// Take measured figures from a benchmark's results.json (its `cost_inputs` key).
    #[arg(long = "from", value_name = "results.json")]
    pub from: Option<PathBuf>,
    /// Take Lambda figures from exported CloudWatch Logs REPORT lines; prints cold-start p50/p99.
    #[arg(long = "from-cloudwatch", value_name = "FILE")]
    pub from_cloudwatch: Option<PathBuf>,
    /// The API Gateway flavour in front of the Lambda twin.
    #[arg(long, value_enum, default_value_t = ApiKind::Rest)]
    pub api: ApiKind,
    /// List every line item behind every figure.
    #[arg(long)]
    pub explain: bool,
    /// Compare with a published setup instead of pricing twinstack alone.
    #[arg(long, value_enum)]
    pub assumptions: Option<Assumptions>,
    /// Where to write the chart (log–log SVG with the crossover marked).
    #[arg(long, value_name = "PATH", default_value = "target/twinstack/cost.svg")]
    pub svg: PathBuf,
    /// Also write the report, as Markdown, to this file.
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
    #[command(flatten)]
    pub options: Options,
}

#[derive(Debug, thiserror::Error)]
pub enum CostError {
    #[error(transparent)]
    Pricing(#[from] PricingError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Results(#[from] ResultsError),
    #[error("{path}: {source}")]
    CloudWatch {
        path: String,
        source: CloudWatchError,
    },
    #[error("{0}")]
    Inputs(String),
    #[error("writing {path}: {message}")]
    Write { path: String, message: String },
}

/// What a run produces: the report (Markdown) and the chart (SVG).
pub struct Output {
    pub report: String,
    pub svg: String,
}

impl CostArgs {
    /// The command line that reproduces this run, for the report's header.
    pub fn command_line(&self) -> String {
        let mut line = String::from("cargo run -q -p twinstack-cli -- cost");
        if let Some(pricing) = &self.pricing {
            line += &format!(" --pricing {}", pricing.display());
        } else if self.region != "ap-south-1" {
            line += &format!(" --region {}", self.region);
        }
        if let Some(from) = &self.from {
            line += &format!(" --from {}", from.display());
        }
        if let Some(from) = &self.from_cloudwatch {
            line += &format!(" --from-cloudwatch {}", from.display());
        }
        if self.assumptions.is_some() {
            line += " --assumptions article";
        } else if self.api == ApiKind::Http {
            line += " --api http";
        }
        let flags = self.options.flags();
        if !flags.is_empty() {
            line += &format!(" {flags}");
        }
        if self.explain {
            line += " --explain";
        }
        if let Some(markdown) = &self.markdown {
            line += &format!(" --markdown {}", markdown.display());
        }
        if self.svg != Path::new("target/twinstack/cost.svg") {
            line += &format!(" --svg {}", self.svg.display());
        }
        line
    }
}

/// Runs `twinstack cost`: prints the report and writes the chart (and the Markdown file, if asked).
pub fn run(args: CostArgs) -> Result<(), CostError> {
    let output = render(&args)?;
    print!("{}", output.report);
    write(&args.svg, &output.svg)?;
    eprintln!("chart: {}", args.svg.display());
    if let Some(path) = &args.markdown {
        write(path, &output.report)?;
        eprintln!("report: {}", path.display());
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), CostError> {
    let failed = |error: std::io::Error| CostError::Write {
        path: path.display().to_string(),
        message: error.to_string(),
    };
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    std::fs::write(path, text).map_err(failed)
}

/// Everything `run` prints and writes, without touching the terminal or the disk (but for inputs).
pub fn render(args: &CostArgs) -> Result<Output, CostError> {
    let pricing = match &args.pricing {
        Some(path) => Pricing::from_file(path)?,
        None => Pricing::builtin(&args.region)?,
    };
    let mut workload = assumptions::twinstack_with(args.api);
    let notes = measured(args, &mut workload)?;
    assumptions::relabel(&mut workload);
    let measured = measured_section(&notes);
    if args.assumptions == Some(Assumptions::Article) {
        if args.options.any() {
            return Err(CostError::Inputs(format!(
                "--assumptions article compares on-demand figures with the article's; {} apply to twinstack's own run (drop --assumptions)",
                args.options.flags()
            )));
        }
        let comparison = article_comparison(
            &pricing,
            &workload,
            &measured,
            &args.command_line(),
            args.explain,
        )?;
        return Ok(Output {
            report: comparison.markdown,
            svg: comparison.chart.render(),
        });
    }
    let model = Model::new(workload, pricing)?.with_options(args.options.clone());
    let crossings = crossover::of_model(&model);
    let mut text = format!(
        "# Monthly cost: {}\n\nGenerated by `{}`.\n\n{}\n\n{measured}{}\n",
        model.workload.label,
        args.command_line(),
        source_summary(&model.pricing),
        table(&model),
    );
    if model.options.any() {
        text += &format!(
            "On demand: {} With the options: {}\n\nEach option alone, against on demand:\n\n{}\n",
            crossover_sentence(&crossover::of_model(&on_demand(&model))),
            crossover_sentence(&crossings),
            options_table(&model)
        );
    } else {
        text += &format!("{}\n", crossover_sentence(&crossings));
    }
    if args.explain {
        let assumed: String = assumptions::unmeasured(&model.workload)
            .iter()
            .map(|line| format!("- {line}\n"))
            .collect();
        text += &format!(
            "\n## Assumed, not measured\n\n{assumed}\n## Line items\n\n{}\n{}",
            explain(&model),
            sources(&model.pricing)
        );
    }
    text += &format!("\n{}", stand_ins(&model.pricing));
    Ok(Output {
        report: text,
        svg: chart(&model, &crossings).render(),
    })
}

/// The measured figures taken, as a Markdown list; empty when everything is a default.
fn measured_section(notes: &[String]) -> String {
    if notes.is_empty() {
        return String::new();
    }
    let mut text = String::from("Measured inputs:\n\n");
    for note in notes {
        text += &format!("- {note}\n");
    }
    text + "\n"
}

/// Applies `--from` and `--from-cloudwatch` to `workload`; returns what was taken, for the report.
fn measured(args: &CostArgs, workload: &mut Workload) -> Result<Vec<String>, CostError> {
    let mut notes = Vec::new();
    if let Some(path) = &args.from {
        let taken = CostInputs::from_file(path)?
            .apply(workload)
            .map_err(|message| CostError::Inputs(format!("{}: {message}", path.display())))?;
        notes.extend(
            taken
                .into_iter()
                .map(|note| format!("from {}: {note}", path.display())),
        );
    }
    if let Some(path) = &args.from_cloudwatch {
        let shown = path.display().to_string();
        let failed = |source| CostError::CloudWatch {
            path: shown.clone(),
            source,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|error| CostError::Inputs(format!("reading {shown}: {error}")))?;
        let summary = Summary::of(&cloudwatch::parse(&text).map_err(failed)?).map_err(failed)?;
        summary.apply(workload);
        notes.extend(summary.describe());
    }
    Ok(notes)
}

fn chart(model: &Model, crossings: &[crossover::Crossing]) -> Chart {
    let to = crossings
        .iter()
        .map(|crossing| crossing.requests_per_day * 10.0)
        .fold(1e8, f64::max);
    Chart {
        title: format!("{}, {}", model.workload.label, model.pricing.region),
        series: vec![
            Series {
                label: "Serverless".into(),
                color: "#d95f02",
                dashed: false,
                points: curve(model, Stack::Serverless, 1e4, to, 160),
            },
            Series {
                label: "Kubernetes".into(),
                color: "#1b9e77",
                dashed: true,
                points: curve(model, Stack::Kubernetes, 1e4, to, 160),
            },
        ],
        markers: crossings
            .iter()
            .map(|crossing| Marker {
                requests_per_day: crossing.requests_per_day,
                label: format!("crossover {}/day", short(crossing.requests_per_day)),
                color: "#e7298a",
            })
            .collect(),
        dots: Vec::new(),
        dots_label: None,
    }
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::Assumptions;

    #[test]
    fn the_article_assumptions_answer_to_article_and_to_seed() {
        for name in ["article", "seed"] {
            assert_eq!(
                Assumptions::from_str(name, false),
                Ok(Assumptions::Article),
                "{name}"
            );
        }
    }
}
