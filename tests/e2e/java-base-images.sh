#!/usr/bin/env bash
# Offline stand-ins for eclipse-temurin:17-jdk and eclipse-temurin:17-jre, built from the
# debian:bookworm-slim stand-in (../shared/e2e/base-images.sh) with Debian's OpenJDK 17, for the
# Java end-to-end rewrite test. Needs buildah (as root) and the Debian mirror; instant when the
# images exist.
set -euo pipefail
have() { buildah inspect --type image "$1" >/dev/null 2>&1; }
build() { # name packages [CMD line]
  local name=$1 pkgs=$2 cmd=${3:-} dir
  if have "docker.io/library/eclipse-temurin:$name"; then echo "skip eclipse-temurin:$name (exists)"; return; fi
  dir=$(mktemp -d)
  cat > "$dir/Containerfile" <<CF
FROM debian:bookworm-slim
RUN mkdir -p /usr/share/man/man1 && apt-get update \\
 && apt-get install -y --no-install-recommends $pkgs \\
 && rm -rf /var/lib/apt/lists/* \\
 && ln -s "\$(dirname "\$(dirname "\$(readlink -f /usr/bin/java)")")" /opt/java-home
ENV JAVA_HOME=/opt/java-home LANG=C.UTF-8
$cmd
CF
  echo "build eclipse-temurin:$name"
  buildah bud --isolation chroot --pull=never -q -t "docker.io/library/eclipse-temurin:$name" "$dir" >/dev/null
  rm -rf "$dir"
}
build 17-jdk "openjdk-17-jdk-headless" 'CMD ["jshell"]'
build 17-jre "openjdk-17-jre-headless"
