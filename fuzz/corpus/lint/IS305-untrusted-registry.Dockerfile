# trusted registries (tests/lint_rules.rs): docker.io, *.gcr.io
FROM python:3.11 AS ok-docker-hub
# expect: IS305
FROM gcr.io/distroless/base AS bare-gcr-is-not-a-subdomain
FROM eu.gcr.io/project/base:1 AS ok-subdomain
# expect: IS305
FROM quay.io/someone/base:1.0 AS untrusted
# expect: IS305
FROM localhost:5000/mine:1
COPY --from=untrusted /x /x
FROM untrusted
