//! What every SVG chart of the project shares — the cost chart and the benchmark report's charts:
//! the document, XML escaping, axes, ticks and lines. Hand-written SVG: a few dozen elements are all
//! a reader needs, and the output stays byte-for-byte reproducible.

mod axis;

use std::fmt::Write;

pub use axis::Axis;

/// `text` safe inside an XML element or attribute.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// Opens an SVG document of `width` × `height` on white, `title` as its accessible name.
pub fn open(svg: &mut String, width: f64, height: f64, title: &str) {
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" role="img"><title>{}</title>"#,
        escape(title)
    );
    let _ = writeln!(
        svg,
        r#"<rect width="{width}" height="{height}" fill="white"/>"#
    );
}

/// How a line is drawn.
pub struct Stroke<'a> {
    pub colour: &'a str,
    pub width: f64,
    /// An SVG `stroke-dasharray`, such as "6 4"; `None` for a solid line.
    pub dash: Option<&'a str>,
}

impl Stroke<'_> {
    fn attributes(&self) -> String {
        let dash = self
            .dash
            .map(|dash| format!(r#" stroke-dasharray="{dash}""#))
            .unwrap_or_default();
        format!(
            r#"stroke="{}" stroke-width="{}"{dash}"#,
            self.colour, self.width
        )
    }
}

/// The plotting area inside a picture and the axes that place values in it.
pub struct Plot {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    pub x: Axis,
    pub y: Axis,
}

impl Plot {
    pub fn right(&self) -> f64 {
        self.left + self.width
    }

    pub fn bottom(&self) -> f64 {
        self.top + self.height
    }

    /// The picture's x coordinate of `value` on the x axis.
    pub fn x(&self, value: f64) -> f64 {
        self.left + self.x.fraction(value) * self.width
    }

    /// The picture's y coordinate of `value` on the y axis (larger values higher).
    pub fn y(&self, value: f64) -> f64 {
        self.top + self.height - self.y.fraction(value) * self.height
    }

    /// A vertical grid line at each x tick, labelled below the plot.
    pub fn x_ticks(&self, svg: &mut String, label: impl Fn(f64) -> String) {
        for tick in self.x.ticks() {
            let at = self.x(tick);
            let _ = writeln!(
                svg,
                r##"<line x1="{at:.1}" y1="{:.1}" x2="{at:.1}" y2="{:.1}" stroke="#ddd"/><text x="{at:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text>"##,
                self.top,
                self.bottom(),
                self.bottom() + 16.0,
                escape(&label(tick))
            );
        }
    }

    /// A horizontal grid line at each y tick, labelled left of the plot.
    pub fn y_ticks(&self, svg: &mut String, label: impl Fn(f64) -> String) {
        for tick in self.y.ticks() {
            let at = self.y(tick);
            let _ = writeln!(
                svg,
                r##"<line x1="{:.1}" y1="{at:.1}" x2="{:.1}" y2="{at:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11">{}</text>"##,
                self.left,
                self.right(),
                self.left - 6.0,
                at + 4.0,
                escape(&label(tick))
            );
        }
    }

    /// A line through `points` (x, y values), leaving out any point that is not finite; `title`
    /// shows on hover.
    pub fn polyline(
        &self,
        svg: &mut String,
        points: &[(f64, f64)],
        stroke: &Stroke,
        title: Option<&str>,
    ) {
        let path: Vec<String> = points
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|&(x, y)| format!("{:.1},{:.1}", self.x(x), self.y(y)))
            .collect();
        let _ = write!(
            svg,
            r#"<polyline fill="none" {} points="{}""#,
            stroke.attributes(),
            path.join(" ")
        );
        let _ = match title {
            Some(title) => writeln!(svg, "><title>{}</title></polyline>", escape(title)),
            None => writeln!(svg, "/>"),
        };
    }
}

/// A short sample of `stroke` and its name, for a legend.
pub fn legend_line(svg: &mut String, x: f64, y: f64, stroke: &Stroke, name: &str) {
    let _ = writeln!(
        svg,
        r#"<line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" {}/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
        x + 24.0,
        stroke.attributes(),
        x + 30.0,
        y + 4.0,
        escape(name)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_the_five_xml_specials() {
        assert_eq!(
            escape(r#"a & b < c > d "e" 'f'"#),
            "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;"
        );
    }

    #[test]
    fn a_polyline_leaves_out_points_that_are_not_finite() {
        let plot = Plot {
            left: 0.0,
            top: 0.0,
            width: 100.0,
            height: 100.0,
            x: Axis::linear(0.0, 10.0),
            y: Axis::log([1.0, 100.0]),
        };
        let mut svg = String::new();

        plot.polyline(
            &mut svg,
            &[
                (0.0, 1.0),
                (5.0, f64::NAN),
                (f64::INFINITY, 10.0),
                (10.0, 100.0),
            ],
            &Stroke {
                colour: "black",
                width: 2.0,
                dash: None,
            },
            None,
        );

        assert!(svg.contains(r#"points="0.0,100.0 100.0,0.0""#), "{svg}");
    }

    #[test]
    fn nothing_to_plot_is_an_empty_line_and_no_panic() {
        let plot = Plot {
            left: 10.0,
            top: 10.0,
            width: 100.0,
            height: 100.0,
            x: Axis::linear(0.0, 0.0),
            y: Axis::log([]),
        };
        let mut svg = String::new();

        plot.x_ticks(&mut svg, |tick| tick.to_string());
        plot.y_ticks(&mut svg, |tick| tick.to_string());
        plot.polyline(
            &mut svg,
            &[],
            &Stroke {
                colour: "black",
                width: 1.0,
                dash: Some("2 2"),
            },
            Some("empty"),
        );

        assert!(svg.contains(r#"points="""#), "{svg}");
        assert!(svg.contains(">10</text>"), "{svg}");
    }
}
