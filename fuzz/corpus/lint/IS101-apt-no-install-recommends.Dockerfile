FROM debian:bookworm
# expect: IS101
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
# expect: IS101
RUN apt-get update \
    && sudo -E apt-get -qy install \
        build-essential git \
    && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -o APT::Install-Recommends=false -y curl && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get remove -y curl && rm -rf /var/lib/apt/lists/*
RUN echo "apt-get install -y curl"
