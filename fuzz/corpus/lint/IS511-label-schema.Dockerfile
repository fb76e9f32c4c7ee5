# label schema (tests/lint_rules.rs): version semver, maintainer email; strict labels
FROM debian:bookworm AS build
LABEL anything="goes in a builder stage"
# expect: IS511
FROM debian:bookworm
# expect: IS511
LABEL version="one"
# expect: IS511
LABEL team="x"
