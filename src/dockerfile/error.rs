//! Parse errors with the location BuildKit reports.

/// A Dockerfile BuildKit would reject, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// 1-based line where the offending instruction starts.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Last line of the offending instruction.
    pub end_line: usize,
    pub message: String,
}

impl ParseError {
    pub fn new(line: usize, column: usize, message: impl Into<String>) -> Self {
        ParseError { line, column, end_line: line, message: message.into() }
    }

    pub fn ending(mut self, end_line: usize) -> Self {
        self.end_line = end_line.max(self.line);
        self
    }
}
