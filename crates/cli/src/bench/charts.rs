//! The report's charts as inline SVG (report.html stays one self-contained file): latency
//! percentiles per request and twin, latency over time with the phases marked, cold starts.
//! Latency axes are logarithmic: the twins' figures differ by orders of magnitude.

use std::fmt::Write as _;

use twinstack_cost::chart::{self, Axis, Plot, Stroke, escape};

const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 360.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 70.0;
/// One colour per twin (Serverless, Kubernetes), and lighter ones for lower percentiles.
pub const COLOURS: [[&str; 3]; 2] = [
    ["#f6c28b", "#ef9a3c", "#c46a0c"],
    ["#9ec5e8", "#4f8fcf", "#1f5a99"],
];
/// Phase labels: their font size, a generous width per character at that size, and how many rows
/// of them fit above the lines before a label is left to its marker's tooltip.
const PHASE_FONT: f64 = 10.0;
const PHASE_CHAR_WIDTH: f64 = 6.0;
const PHASE_ROWS: usize = 3;

/// A bar group: its label and the bars' values (ms), `None` for a bar with no data.
pub struct Group {
    pub label: String,
    pub bars: Vec<Option<f64>>,
}

/// A legend entry per bar position within a group.
pub struct Bar {
    pub name: String,
    pub colour: &'static str,
}

fn milliseconds(value: f64) -> String {
    let text = format!("{value:.3}");
    format!("{} ms", text.trim_end_matches('0').trim_end_matches('.'))
}

fn open(title: &str) -> String {
    let mut svg = String::new();
    chart::open(&mut svg, WIDTH, HEIGHT, title);
    let _ = writeln!(
        svg,
        r#"<text x="{LEFT}" y="20" font-size="14" font-weight="bold">{}</text>"#,
        escape(title)
    );
    svg
}

fn plot(x: Axis, y: Axis) -> Plot {
    Plot {
        left: LEFT,
        top: TOP,
        width: WIDTH - LEFT - RIGHT,
        height: HEIGHT - TOP - BOTTOM,
        x,
        y,
    }
}

/// Legend entries in a row under the plot; each draws its own sample and returns its width.
fn legend<T>(svg: &mut String, entries: &[T], mut draw: impl FnMut(&mut String, f64, &T) -> f64) {
    let mut x = LEFT;
    for entry in entries {
        x += draw(svg, x, entry);
    }
}

/// Grouped bars on a log axis.
pub fn bars(title: &str, groups: &[Group], bars: &[Bar]) -> String {
    let plot = plot(
        Axis::linear(0.0, groups.len() as f64),
        Axis::log(groups.iter().flat_map(|g| g.bars.iter().flatten().copied())),
    );
    let mut svg = open(title);
    plot.y_ticks(&mut svg, milliseconds);
    let slot = plot.width / groups.len().max(1) as f64;
    let bar_width = (slot * 0.8) / bars.len().max(1) as f64;
    for (index, group) in groups.iter().enumerate() {
        let x0 = plot.x(index as f64) + slot * 0.1;
        for (position, value) in group.bars.iter().enumerate() {
            let Some(value) = value else { continue };
            let y = plot.y(*value);
            let _ = writeln!(
                svg,
                r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}: {} {value:.2} ms</title></rect>"#,
                x0 + bar_width * position as f64,
                bar_width * 0.9,
                plot.bottom() - y,
                bars[position].colour,
                escape(&group.label),
                escape(&bars[position].name)
            );
        }
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12">{}</text>"#,
            x0 + slot * 0.4,
            plot.bottom() + 16.0,
            escape(&group.label)
        );
    }
    legend(&mut svg, bars, |svg, x, bar| {
        let _ = writeln!(
            svg,
            r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
            HEIGHT - 22.0,
            bar.colour,
            x + 16.0,
            HEIGHT - 12.0,
            escape(&bar.name)
        );
        24.0 + 7.0 * bar.name.chars().count() as f64
    });
    svg + "</svg>\n"
}

/// A line: its name, colour, and points (seconds into the run, ms).
pub struct Line {
    pub name: String,
    pub colour: &'static str,
    pub dashed: bool,
    pub points: Vec<(f64, f64)>,
}

impl Line {
    fn stroke(&self) -> Stroke<'static> {
        Stroke {
            colour: self.colour,
            width: 1.5,
            dash: self.dashed.then_some("5,3"),
        }
    }
}

/// Where a phase's name is written: left end, baseline, and estimated width.
#[derive(Debug, PartialEq)]
struct PhaseLabel {
    x: f64,
    y: f64,
    width: f64,
    name: String,
}

/// Labels for the phases (start second, name), each right of its marker in the first row where it
/// clears the label before it; a label no row has room for is left out (its marker keeps the name
/// as a tooltip), so narrow phases never print over each other.
fn phase_labels(plot: &Plot, phases: &[(f64, String)]) -> Vec<Option<PhaseLabel>> {
    let mut row_ends = [f64::NEG_INFINITY; PHASE_ROWS];
    phases
        .iter()
        .map(|(start, name)| {
            let width = PHASE_CHAR_WIDTH * name.chars().count() as f64;
            let x = (plot.x(*start) + 3.0).min(plot.right() - width);
            let row = row_ends.iter().position(|end| *end + 4.0 <= x)?;
            row_ends[row] = x + width;
            Some(PhaseLabel {
                x,
                y: plot.top + 10.0 + 12.0 * row as f64,
                width,
                name: name.clone(),
            })
        })
        .collect()
}

/// Lines over time on a log axis, with a labelled marker where each phase starts; the time axis
/// spans the `seconds` scheduled, or longer if a line does.
pub fn timeline(title: &str, lines: &[Line], phases: &[(f64, String)], seconds: f64) -> String {
    // The last second with data may end after the schedule (requests that started late).
    let last = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.0))
        .fold(seconds, f64::max);
    let plot = plot(
        Axis::linear(0.0, last),
        Axis::log(lines.iter().flat_map(|l| l.points.iter().map(|p| p.1))),
    );
    let mut svg = open(title);
    plot.y_ticks(&mut svg, milliseconds);
    plot.x_ticks(&mut svg, |second| format!("{second}"));
    for ((start, name), label) in phases.iter().zip(phase_labels(&plot, phases)) {
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#999" stroke-dasharray="3,3"><title>{}</title></line>"##,
            plot.top,
            plot.bottom(),
            escape(name),
            x = plot.x(*start)
        );
        if let Some(label) = label {
            let _ = writeln!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" font-size="{PHASE_FONT}" fill="#555">{}</text>"##,
                label.x,
                label.y,
                escape(&label.name)
            );
        }
    }
    for line in lines {
        plot.polyline(&mut svg, &line.points, &line.stroke(), Some(&line.name));
    }
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11">seconds into the run</text>"#,
        plot.right(),
        plot.bottom() + 32.0
    );
    legend(&mut svg, lines, |svg, x, line| {
        chart::legend_line(svg, x, HEIGHT - 16.0, &line.stroke(), &line.name);
        40.0 + 7.0 * line.name.chars().count() as f64
    });
    svg + "</svg>\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bar_with_data_is_drawn_and_missing_ones_are_not() {
        let groups = [Group {
            label: "get user".into(),
            bars: vec![Some(1.5), None],
        }];
        let legend = [
            Bar {
                name: "Serverless p50".into(),
                colour: COLOURS[0][0],
            },
            Bar {
                name: "Kubernetes p50".into(),
                colour: COLOURS[1][0],
            },
        ];

        let svg = bars("Latency", &groups, &legend);

        assert_eq!(
            svg.matches("<rect").count(),
            1 + 1 + legend.len(),
            "background, one bar, the legend"
        );
        assert!(svg.contains("get user: Serverless p50 1.50 ms"), "{svg}");
    }

    #[test]
    fn a_chart_without_data_draws_its_frame_without_panicking() {
        let svg = timeline("Nothing yet", &[], &[], 0.0);
        let empty_bars = bars("Nothing either", &[], &[]);

        assert!(svg.trim_end().ends_with("</svg>"), "{svg}");
        assert!(empty_bars.trim_end().ends_with("</svg>"), "{empty_bars}");
    }

    #[test]
    fn phase_labels_never_overlap_even_when_phases_are_narrow() {
        let phases: Vec<(f64, String)> = [
            (0.0, "warm up"),
            (1.0, "ramp up load"),
            (2.0, "sustained load"),
            (3.0, "spike"),
            (3.5, "cool down"),
            (4.0, "after the spike"),
            (60.0, "the long tail"),
            (99.5, "last word"),
        ]
        .into_iter()
        .map(|(start, name)| (start, name.to_owned()))
        .collect();
        let plot = plot(Axis::linear(0.0, 100.0), Axis::log([1.0, 10.0]));

        let labels = phase_labels(&plot, &phases);

        let placed: Vec<&PhaseLabel> = labels.iter().flatten().collect();
        assert!(placed.len() >= 4, "{labels:?}");
        for (index, a) in placed.iter().enumerate() {
            assert!(a.x + a.width <= plot.right(), "{a:?} runs off the plot");
            for b in &placed[index + 1..] {
                let apart = a.y != b.y || a.x + a.width <= b.x || b.x + b.width <= a.x;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
        assert_eq!(
            labels
                .last()
                .unwrap()
                .as_ref()
                .map(|label| label.name.as_str()),
            Some("last word"),
            "a label near the right edge moves left to fit"
        );
    }
}
