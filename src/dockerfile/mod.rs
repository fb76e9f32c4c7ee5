//! The Dockerfile front end: a lossless parser that reads every file exactly as BuildKit does,
//! a typed model on top of it, and BuildKit's variable expansion.

pub mod dump;
mod error;
pub mod heredoc;
pub mod json;
pub mod lex;
pub mod model;
mod parser;
pub mod shell;
pub mod syntax;
pub mod text;
pub mod tools;
pub mod words;

pub use error::ParseError;
pub use parser::{parse, parse_str, MAX_LINE};
pub use syntax::{Args, Directive, Dockerfile, Heredoc, Instruction, Item, Node, Pair, Span, Token, Warning};
