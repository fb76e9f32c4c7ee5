FROM debian:bookworm
# expect: IS414
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5 && rm -rf /var/lib/apt/lists/*
# expect: IS414
RUN pip install --no-cache-dir flask==3.0.0 requests
RUN pip install --no-cache-dir -r requirements.txt
# expect: IS414
RUN npm install -g typescript && npm cache clean --force
RUN npm install -g typescript@5.4.0 && npm cache clean --force
# expect: IS414
RUN microdnf install -y gzip tar && microdnf clean all
RUN dnf install -y gzip-1.12 tar-1.34 /tmp/x.rpm @development && dnf clean all
# expect: IS414
RUN zypper install -y curl && zypper clean
RUN zypper in -y curl=8.0.1 && zypper clean
