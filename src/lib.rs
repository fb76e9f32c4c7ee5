//! imgslim: make container images small and keep them small.
//!
//! Data flows one way: source (Dockerfile text, image archives, registries) -> model (syntax tree
//! and typed instructions, layers and the merged file tree) -> analysis (lint rules, waste,
//! leftovers, rewrite plans) -> output (diagnostics, reports, rewritten Dockerfiles, pushes).

pub mod analyze;
pub mod build;
pub mod data;
pub mod dockerfile;
pub mod fuzzing;
pub mod image;
pub mod layer;
pub mod limits;
pub mod lint;
pub mod registry;
pub mod report;
pub mod rewrite;
pub mod sources;
pub mod units;
