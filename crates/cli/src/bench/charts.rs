//! The report's charts as inline SVG (report.html stays one self-contained file): latency
//! percentiles per request and twin, latency over time with the phases marked, cold starts.
//! Latency axes are logarithmic: the twins' figures differ by orders of magnitude.

use std::fmt::Write as _;

use super::table::escape;

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

/// A logarithmic axis over whole decades covering `values`.
struct LogAxis {
    low: f64,
    high: f64,
}

impl LogAxis {
    fn covering(values: impl Iterator<Item = f64>) -> LogAxis {
        let (mut low, mut high) = (f64::MAX, f64::MIN);
        for value in values.filter(|v| *v > 0.0 && v.is_finite()) {
            low = low.min(value);
            high = high.max(value);
        }
        if low > high {
            return LogAxis {
                low: 0.1,
                high: 10.0,
            };
        }
        let low = 10f64.powf(low.log10().floor());
        let high = 10f64.powf(high.log10().ceil()).max(low * 10.0);
        LogAxis { low, high }
    }

    /// The y coordinate of `value` (clamped into the axis).
    fn y(&self, value: f64) -> f64 {
        let value = value.clamp(self.low, self.high);
        let fraction = (value.log10() - self.low.log10()) / (self.high.log10() - self.low.log10());
        HEIGHT - BOTTOM - fraction * (HEIGHT - TOP - BOTTOM)
    }

    fn decades(&self) -> Vec<f64> {
        let mut ticks = vec![self.low];
        while *ticks.last().expect("non-empty") < self.high * 0.999 {
            ticks.push(ticks.last().expect("non-empty") * 10.0);
        }
        ticks
    }

    fn draw(&self, svg: &mut String, unit: &str) {
        for tick in self.decades() {
            let y = self.y(tick);
            let _ = writeln!(
                svg,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11">{} {unit}</text>"##,
                WIDTH - RIGHT,
                LEFT - 6.0,
                y + 4.0,
                trim(tick)
            );
        }
    }
}

fn trim(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn open(svg: &mut String, title: &str) {
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" role="img"><title>{t}</title><text x="{LEFT}" y="20" font-size="14" font-weight="bold">{t}</text>"#,
        t = escape(title)
    );
}

fn legend(svg: &mut String, entries: &[(&str, &str)]) {
    let mut x = LEFT;
    for (name, colour) in entries {
        let _ = writeln!(
            svg,
            r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{colour}"/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
            HEIGHT - 22.0,
            x + 16.0,
            HEIGHT - 12.0,
            escape(name)
        );
        x += 24.0 + 7.0 * name.len() as f64;
    }
}

/// Grouped bars on a log axis.
pub fn bars(title: &str, groups: &[Group], bars: &[Bar]) -> String {
    let axis = LogAxis::covering(groups.iter().flat_map(|g| g.bars.iter().flatten().copied()));
    let mut svg = String::new();
    open(&mut svg, title);
    axis.draw(&mut svg, "ms");
    let slot = (WIDTH - LEFT - RIGHT) / groups.len().max(1) as f64;
    let bar_width = (slot * 0.8) / bars.len().max(1) as f64;
    for (index, group) in groups.iter().enumerate() {
        let x0 = LEFT + slot * index as f64 + slot * 0.1;
        for (position, value) in group.bars.iter().enumerate() {
            let Some(value) = value else { continue };
            let y = axis.y(*value);
            let _ = writeln!(
                svg,
                r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}: {} {value:.2} ms</title></rect>"#,
                x0 + bar_width * position as f64,
                bar_width * 0.9,
                HEIGHT - BOTTOM - y,
                bars[position].colour,
                escape(&group.label),
                escape(&bars[position].name)
            );
        }
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12">{}</text>"#,
            x0 + slot * 0.4,
            HEIGHT - BOTTOM + 16.0,
            escape(&group.label)
        );
    }
    let entries: Vec<(&str, &str)> = bars.iter().map(|b| (b.name.as_str(), b.colour)).collect();
    legend(&mut svg, &entries);
    svg + "</svg>\n"
}

/// A line: its name, colour, and points (seconds into the run, ms).
pub struct Line {
    pub name: String,
    pub colour: &'static str,
    pub dashed: bool,
    pub points: Vec<(f64, f64)>,
}

/// Lines over time on a log axis, with a labelled marker where each phase starts.
pub fn timeline(title: &str, lines: &[Line], phases: &[(f64, String)], seconds: f64) -> String {
    let axis = LogAxis::covering(lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)));
    let x = |second: f64| LEFT + second / seconds.max(1.0) * (WIDTH - LEFT - RIGHT);
    let mut svg = String::new();
    open(&mut svg, title);
    axis.draw(&mut svg, "ms");
    for (start, name) in phases {
        let _ = writeln!(
            svg,
            r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" stroke="#999" stroke-dasharray="3,3"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#555">{}</text>"##,
            HEIGHT - BOTTOM,
            x(*start) + 3.0,
            TOP + 10.0,
            escape(name),
            x = x(*start)
        );
    }
    for line in lines {
        let points: Vec<String> = line
            .points
            .iter()
            .map(|(second, ms)| format!("{:.1},{:.1}", x(*second), axis.y(*ms)))
            .collect();
        let dash = if line.dashed {
            r#" stroke-dasharray="5,3""#
        } else {
            ""
        };
        let _ = writeln!(
            svg,
            r#"<polyline fill="none" stroke="{}" stroke-width="1.5"{dash} points="{}"><title>{}</title></polyline>"#,
            line.colour,
            points.join(" "),
            escape(&line.name)
        );
    }
    let step = [5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0]
        .into_iter()
        .find(|step| seconds / step <= 10.0)
        .unwrap_or(1200.0);
    let mut tick = 0.0;
    while tick <= seconds {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11">{tick}</text>"#,
            x(tick),
            HEIGHT - BOTTOM + 16.0
        );
        tick += step;
    }
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11">seconds into the run</text>"#,
        WIDTH - RIGHT,
        HEIGHT - BOTTOM + 32.0
    );
    let entries: Vec<(&str, &str)> = lines.iter().map(|l| (l.name.as_str(), l.colour)).collect();
    legend(&mut svg, &entries);
    svg + "</svg>\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_axis_spans_whole_decades_and_puts_larger_values_higher() {
        let axis = LogAxis::covering([0.3, 45.0].into_iter());

        assert_eq!(axis.decades(), vec![0.1, 1.0, 10.0, 100.0]);
        assert!(axis.y(10.0) < axis.y(1.0));
        assert_eq!(axis.y(0.1), HEIGHT - BOTTOM);
        assert_eq!(axis.y(100.0), TOP);
    }

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

        assert_eq!(svg.matches("<rect").count(), 1 + legend.len());
        assert!(svg.contains("get user: Serverless p50 1.50 ms"), "{svg}");
    }
}
