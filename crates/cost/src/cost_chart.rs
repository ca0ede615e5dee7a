//! The cost chart: monthly cost against requests/day, both axes logarithmic, with the crossovers
//! marked.

use std::fmt::Write;

use crate::bill::{Model, Stack};
use crate::chart::{self, Axis, Plot, Stroke, escape};
use crate::report::money;
use crate::traffic::short;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 580.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 300.0;
const TOP: f64 = 60.0;
const BOTTOM: f64 = 60.0;
/// A white outline under a label, so it stays readable over the curves.
const HALO: &str = r#"stroke="white" stroke-width="3" paint-order="stroke""#;

pub struct Series {
    pub label: String,
    pub color: &'static str,
    pub dashed: bool,
    pub points: Vec<(f64, f64)>,
}

/// A vertical line at a crossover.
pub struct Marker {
    pub requests_per_day: f64,
    pub label: String,
    pub color: &'static str,
}

/// A single point, such as one of the article's published figures.
pub struct Dot {
    pub requests_per_day: f64,
    pub usd: f64,
    pub color: &'static str,
}

pub struct Chart {
    pub title: String,
    pub series: Vec<Series>,
    pub markers: Vec<Marker>,
    pub dots: Vec<Dot>,
    /// Legend entries for the dots, if any.
    pub dots_label: Option<String>,
}

/// `samples` log-spaced points of one stack's monthly cost between `from` and `to` requests/day.
pub fn curve(model: &Model, stack: Stack, from: f64, to: f64, samples: usize) -> Vec<(f64, f64)> {
    (0..samples)
        .map(|index| {
            let fraction = index as f64 / (samples.max(2) - 1) as f64;
            let per_day = (from.ln() + (to.ln() - from.ln()) * fraction).exp();
            (per_day, model.total(stack, per_day))
        })
        .collect()
}

impl Chart {
    pub fn render(&self) -> String {
        let xs = self
            .series
            .iter()
            .flat_map(|series| series.points.iter().map(|point| point.0))
            .chain(self.markers.iter().map(|marker| marker.requests_per_day));
        let ys = self
            .series
            .iter()
            .flat_map(|series| series.points.iter().map(|point| point.1))
            .chain(self.dots.iter().map(|dot| dot.usd));
        let plot = Plot {
            left: LEFT,
            top: TOP,
            width: WIDTH - LEFT - RIGHT,
            height: HEIGHT - TOP - BOTTOM,
            x: Axis::log(xs),
            y: Axis::log(ys),
        };

        let mut svg = String::new();
        chart::open(&mut svg, WIDTH, HEIGHT, &self.title);
        let _ = writeln!(
            svg,
            r#"<text x="{LEFT}" y="30" font-size="16" font-weight="bold">{}</text>"#,
            escape(&self.title)
        );
        plot.x_ticks(&mut svg, short);
        plot.y_ticks(&mut svg, money);
        let middle = plot.top + plot.height / 2.0;
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">requests/day (log)</text><text x="20" y="{middle:.1}" transform="rotate(-90 20 {middle:.1})" text-anchor="middle">monthly cost, USD (log)</text>"#,
            plot.left + plot.width / 2.0,
            HEIGHT - 15.0,
        );
        for series in &self.series {
            plot.polyline(&mut svg, &series.points, &series.stroke(), None);
        }
        for dot in &self.dots {
            let _ = writeln!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="4" fill="{}"/>"#,
                plot.x(dot.requests_per_day),
                plot.y(dot.usd),
                dot.color
            );
        }
        // Every line before any label, so that no line crosses a label.
        for marker in &self.markers {
            let at = plot.x(marker.requests_per_day);
            let _ = writeln!(
                svg,
                r#"<line x1="{at:.1}" y1="{TOP}" x2="{at:.1}" y2="{:.1}" stroke="{}" stroke-dasharray="2 3"/>"#,
                plot.bottom(),
                marker.color,
            );
        }
        for (index, marker) in self.markers.iter().enumerate() {
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" fill="{}" {HALO}>{}</text>"#,
                plot.x(marker.requests_per_day) + 4.0,
                TOP + 14.0 + 14.0 * index as f64,
                marker.color,
                escape(&marker.label)
            );
        }
        let legend_x = plot.right() + 20.0;
        let mut legend_y = TOP + 10.0;
        for series in &self.series {
            chart::legend_line(
                &mut svg,
                legend_x,
                legend_y,
                &series.stroke(),
                &series.label,
            );
            legend_y += 20.0;
        }
        if let Some(label) = &self.dots_label {
            let _ = writeln!(
                svg,
                r##"<circle cx="{:.1}" cy="{legend_y:.1}" r="4" fill="#555"/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"##,
                legend_x + 12.0,
                legend_x + 30.0,
                legend_y + 4.0,
                escape(label)
            );
        }
        svg.push_str("</svg>\n");
        svg
    }
}

impl Series {
    fn stroke(&self) -> Stroke<'static> {
        Stroke {
            colour: self.color,
            width: 2.0,
            dash: self.dashed.then_some("6 4"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Chart {
        Chart {
            title: "Serverless & Kubernetes".into(),
            series: vec![Series {
                label: "line".into(),
                color: "black",
                dashed: false,
                points: vec![(1e4, 5.0), (1e6, 150.0), (5e7, 9000.0)],
            }],
            markers: vec![Marker {
                requests_per_day: 2.5e6,
                label: "crossover 2.5M".into(),
                color: "red",
            }],
            dots: vec![Dot {
                requests_per_day: 1e4,
                usd: 3.5,
                color: "gray",
            }],
            dots_label: Some("published".into()),
        }
    }

    #[test]
    fn the_chart_is_one_svg_document_with_the_crossover_marked() {
        let svg = chart().render();

        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("crossover 2.5M"));
        assert!(svg.contains("Serverless &amp; Kubernetes"));
    }

    #[test]
    fn both_axes_are_logarithmic_decades() {
        let svg = chart().render();

        for label in [
            "10K", "100K", "1M", "10M", "100M", "$1.00", "$10.00", "$100", "$1,000", "$10,000",
        ] {
            assert!(
                svg.contains(&format!(">{label}</text>")),
                "no axis label {label}"
            );
        }
    }
}
