FROM debian:bookworm
# expect: IS202
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y --no-install-recommends curl &( rm -rf /var/lib/apt/lists/*
