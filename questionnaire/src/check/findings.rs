//! Collects findings while parsing and checking, turning byte spans into lines and columns.

use super::Finding;
use crate::format::SourceMap;
use std::ops::Range;

/// Errors and warnings found so far in one file.
pub(crate) struct Findings<'a> {
    map: SourceMap<'a>,
    file: String,
    pub errors: Vec<Finding>,
    pub warnings: Vec<Finding>,
}

impl<'a> Findings<'a> {
    pub fn new(source: &'a str, file: &str) -> Findings<'a> {
        Findings {
            map: SourceMap::new(source),
            file: file.to_string(),
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn finding(&self, offset: usize, question: Option<&str>, message: String) -> Finding {
        let (line, column) = self.map.position(offset);
        Finding {
            file: self.file.clone(),
            line,
            column: Some(column),
            question: question.map(str::to_string),
            message,
        }
    }

    /// The 1-based line where `span` starts (to point at a first definition).
    pub fn line(&self, span: &Range<usize>) -> usize {
        self.map.position(span.start).0
    }

    /// An error at the start of `span`.
    pub fn error(
        &mut self,
        span: &Range<usize>,
        question: Option<&str>,
        message: impl Into<String>,
    ) {
        let f = self.finding(span.start, question, message.into());
        self.errors.push(f);
    }

    /// A warning at the start of `span`.
    pub fn warning(
        &mut self,
        span: &Range<usize>,
        question: Option<&str>,
        message: impl Into<String>,
    ) {
        let f = self.finding(span.start, question, message.into());
        self.warnings.push(f);
    }

    /// An error at `column` (1-based, decoded characters) inside the TOML string at `span`.
    pub fn error_in_string(
        &mut self,
        span: &Range<usize>,
        column: usize,
        question: Option<&str>,
        message: impl Into<String>,
    ) {
        let offset = self.map.offset_in_string(span, column);
        let f = self.finding(offset, question, message.into());
        self.errors.push(f);
    }

    /// An error not tied to a place (line 1, no column).
    pub fn error_at_start(&mut self, message: impl Into<String>) {
        self.errors.push(Finding {
            file: self.file.clone(),
            line: 1,
            column: None,
            question: None,
            message: message.into(),
        });
    }
}
