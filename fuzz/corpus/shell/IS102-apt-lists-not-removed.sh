apt-get update && apt-get install -y --no-install-recommends gcc
apt-get update && apt-get install -y --no-install-recommends curl
apt-get update \
apt-get update && apt-get install -y --no-install-recommends wget && rm -rf /var/lib/apt/lists/*
--mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y --no-install-recommends jq
apt-get update && apt-get install -y --no-install-recommends file && rm -rf /tmp/*
apt-get update; apt-get install -y --no-install-recommends xz-utils; apt-get dist-clean
apt-get install -y --no-install-recommends git