//! Layers as data: a header-only tar walk, whiteouts, and the merged file tree.

pub mod merge;
pub mod read;
pub mod stream;
pub mod tar;
