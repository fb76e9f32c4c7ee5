apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
apt-get update \
apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
apt-get update && apt-get install -o APT::Install-Recommends=false -y curl && rm -rf /var/lib/apt/lists/*
apt-get update && apt-get remove -y curl && rm -rf /var/lib/apt/lists/*
echo "apt-get install -y curl"