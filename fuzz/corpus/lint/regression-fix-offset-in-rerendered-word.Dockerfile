FROM --platform=$BUILDPLATFORM python:3.12-slim AS s0
RUN ["/bin/sh", "-c", "${BASE//$(case "$X" in a|b) ( ( npm install --production > /dev/null 2>&1 ) ) | \

    f() { f() { f() { f() { f() { f() { echo `apt-get install -y gcc` > /etc/app; }; f; }; f; }; f; }; f; }; f; }; f ;; *) apt-get update ;; esac)/app}"]
