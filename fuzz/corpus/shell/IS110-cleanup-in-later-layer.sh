apt-get update && apt-get install -y --no-install-recommends build-essential
rm -rf /var/lib/apt/lists/*
apt-get update && apt-get install -y --no-install-recommends curl
echo between
apt-get purge -y curl && rm -rf /var/lib/apt/lists/*
apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*
rm -rf /tmp/*
apt-get update && apt-get install -y --no-install-recommends wget && rm -rf /var/lib/apt/lists/*
wget -O /tmp/x.deb https://example.com/x.deb \
apt-get update && apt-get install -y --no-install-recommends make
cd /usr/src \
apt-get update && apt-get install -y --no-install-recommends jq
rm -rf /var/lib/apt/lists/*; echo done