//! A report table, rendered once as Markdown (report.md, the terminal) and once as HTML (report.html).

use twinstack_cost::chart::escape;

use super::markdown;

pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Said under the table: what the figures are and are not.
    pub note: Option<String>,
}

impl Table {
    pub fn new(title: &str, header: &[&str]) -> Table {
        Table {
            title: title.to_owned(),
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
            note: None,
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn note(mut self, note: &str) -> Table {
        self.note = Some(note.to_owned());
        self
    }

    pub fn markdown(&self) -> String {
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        let mut out = format!("### {}\n\n", self.title);
        out += &line(&self.header);
        out += &line(&vec!["---".to_owned(); self.header.len()]);
        for row in &self.rows {
            out += &line(row);
        }
        if let Some(note) = &self.note {
            out += &format!("\n{note}\n");
        }
        out + "\n"
    }

    pub fn html(&self) -> String {
        let cells = |tag: &str, cells: &[String]| {
            cells
                .iter()
                .map(|cell| format!("<{tag}>{}</{tag}>", escape(cell)))
                .collect::<String>()
        };
        let mut out = format!(
            "<h3>{}</h3>\n<table>\n<tr>{}</tr>\n",
            escape(&self.title),
            cells("th", &self.header)
        );
        for row in &self.rows {
            out += &format!("<tr>{}</tr>\n", cells("td", row));
        }
        out += "</table>\n";
        if let Some(note) = &self.note {
            out += &format!("<p class=\"note\">{}</p>\n", markdown::inline(note));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut table = Table::new("Latency", &["endpoint", "p50 <ms>"]);
        table.row(vec!["health".into(), "0.20".into()]);
        table.note("local & emulated")
    }

    #[test]
    fn markdown_has_a_header_separator_and_one_line_per_row() {
        assert_eq!(
            sample().markdown(),
            "### Latency\n\n| endpoint | p50 <ms> |\n| --- | --- |\n| health | 0.20 |\n\nlocal & emulated\n\n"
        );
    }

    #[test]
    fn html_escapes_every_cell() {
        let html = sample().html();
        assert!(html.contains("<th>p50 &lt;ms&gt;</th>"), "{html}");
        assert!(html.contains("local &amp; emulated"), "{html}");
    }
}
