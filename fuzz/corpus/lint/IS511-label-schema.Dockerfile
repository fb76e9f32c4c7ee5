# label schema (tests/lint_rules.rs): version semver, maintainer email; strict labels
FROM debian:bookworm AS build
LABEL anything="goes in a builder stage"
FROM debian:bookworm AS base
# expect: IS511
LABEL version="one" maintainer="a@example.com"
# the final stage inherits base's labels: maintainer is there
FROM base
# expect: IS511
LABEL team="x"
