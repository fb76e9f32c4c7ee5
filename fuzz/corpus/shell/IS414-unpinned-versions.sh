apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 && rm -rf /var/lib/apt/lists/*
pip install --no-cache-dir flask==3.0.0 requests
pip install --no-cache-dir -r requirements.txt
npm install -g typescript && npm cache clean --force
npm install -g typescript@5.4.0 && npm cache clean --force
microdnf install -y gzip tar && microdnf clean all
dnf install -y gzip-1.12 tar-1.34 /tmp/x.rpm @development && dnf clean all
zypper install -y curl && zypper clean
zypper in -y curl=8.0.1 && zypper clean