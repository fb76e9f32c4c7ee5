FROM debian:bookworm AS builder
# a builder stage: its layers do not reach the image
RUN apt-get update && apt-get install -y --no-install-recommends gcc

FROM debian:bookworm-slim
# expect: IS102
RUN apt-get update && apt-get install -y --no-install-recommends curl
# expect: IS102
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && apt-get clean
RUN apt-get update && apt-get install -y --no-install-recommends wget && rm -rf /var/lib/apt/lists/*
RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y --no-install-recommends jq
# `rm -rf /tmp/*` is not an apt cleanup
# expect: IS102
RUN apt-get update && apt-get install -y --no-install-recommends file && rm -rf /tmp/*
RUN apt-get update; apt-get install -y --no-install-recommends xz-utils; apt-get dist-clean
# an install without an update uses lists fetched before (that RUN is reported)
RUN apt-get install -y --no-install-recommends git
