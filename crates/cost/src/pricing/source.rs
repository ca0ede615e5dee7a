//! Where a figure came from: every price in a pricing file names its source, the kind of source, and
//! the date it was read, so a reader can check it and a stale or borrowed figure is visible.

use std::fmt;

use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// Read on an AWS page (aws.amazon.com, docs.aws.amazon.com).
    AwsPage,
    /// Read elsewhere, because the AWS page could not be read from where the figure was collected.
    Secondary,
    /// Nothing was found for this region: the value is a stand-in, and the source says where it came from.
    NotFound,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::AwsPage => "aws-page",
            SourceKind::Secondary => "secondary",
            SourceKind::NotFound => "not-found",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub kind: SourceKind,
    pub name: String,
    pub url: Option<String>,
    /// The date the figure was read, as written in the file (YYYY-MM-DD).
    pub read: String,
}
