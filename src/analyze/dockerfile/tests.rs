use super::*;
use crate::analyze::base::{BaseFacts, BaseSource};

fn table(reference: &str) -> Arc<BaseFacts> {
    Arc::new(crate::analyze::base::from_table(reference))
}

fn est(text: &str, dir: Option<&Path>) -> ImageEstimate {
    let df = crate::dockerfile::parse_str(text).unwrap();
    let model = crate::dockerfile::model::build(&df).unwrap();
    estimate(&df, &model, &Inputs { context_dir: dir, bases: &table, extra_packages: &[] })
}

#[test]
fn packages_the_base_has_cost_nothing() {
    // python:3.11 is built on buildpack-deps: gcc and libpq-dev are there already
    let e = est("FROM python:3.11\nRUN apt-get update && apt-get install -y gcc libpq-dev\n", None);
    assert_eq!(e.bytes_of(Cause::BuildPackages), 0, "{:#?}", e.parts);
    assert!(e.bytes_of(Cause::PackageLists) > 10_000_000);
    let slim = est("FROM python:3.11-slim\nRUN apt-get update && apt-get install -y gcc libpq-dev\n", None);
    assert!(slim.bytes_of(Cause::BuildPackages) > 50_000_000, "{:#?}", slim.parts);
    assert_eq!(slim.base_source, BaseSource::Table);
}

#[test]
fn alpine_bases_and_packages() {
    let e = est("FROM python:3.11-alpine\nRUN apk add --no-cache build-base\n", None);
    let py = crate::data::BaseImage::find(&crate::data::ImageRef::parse("python")).unwrap();
    assert_eq!(e.base_bytes, Some(py.alpine_bytes));
    assert!(e.bytes_of(Cause::BuildPackages) > 50_000_000);
    assert_eq!(e.bytes_of(Cause::PackageLists), 0);
}

#[test]
fn a_rewrites_runtime_packages_on_alpine_are_counted_with_apk_sizes() {
    let text = "FROM ruby:alpine\nENTRYPOINT [\"travis\"]\n";
    let df = crate::dockerfile::parse_str(text).unwrap();
    let model = crate::dockerfile::model::build(&df).unwrap();
    let extra = ["git".to_string()];
    let e = estimate(&df, &model, &Inputs { context_dir: None, bases: &table, extra_packages: &extra });
    let git = e.bytes_of(Cause::Packages);
    assert!(git > 30_000_000 && git < 40_000_000, "{:#?}", e.parts);
    assert!(e.parts.iter().any(|p| p.how.contains("rules/alpine-packages.toml")), "{:#?}", e.parts);
}

#[test]
fn copy_from_a_stage_takes_what_is_under_the_path() {
    let e = est(
        "FROM golang:1.22 AS b\nWORKDIR /src\nRUN go build -o /out/app .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=b /out/app /app\n",
        None,
    );
    let copied = e.bytes_of(Cause::Image);
    assert!(copied > 1_000_000 && copied < 10_000_000, "{copied}");
    assert_eq!(e.bytes_of(Cause::BuildCache), 0);
}

#[test]
fn a_cleanup_in_the_same_run_removes_the_part() {
    let e = est(
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
        None,
    );
    assert_eq!(e.bytes_of(Cause::PackageLists), 0);
    let later = est("FROM debian:bookworm\nRUN apt-get update\nRUN rm -rf /var/lib/apt/lists/*\n", None);
    assert!(later.bytes_of(Cause::PackageLists) > 0, "a later layer does not shrink the image");
}
