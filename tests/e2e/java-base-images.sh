#!/usr/bin/env bash
# Offline stand-ins for eclipse-temurin:17-jdk, eclipse-temurin:17-jre, gradle:8-jdk17 and
# maven:3-eclipse-temurin-17, built from the debian:bookworm-slim stand-in
# (../shared/e2e/base-images.sh) with Debian's OpenJDK 17 (and Maven), for the Java end-to-end
# rewrite tests. Needs buildah (as root) and the Debian mirror; instant when the
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

# maven:3-eclipse-temurin-17: Debian's Maven and the plugins a jar build needs (compiler,
# resources, surefire, jar) on the JDK stand-in. It differs from the official image in one way:
# it is offline (no Maven Central here), resolving from Debian's /usr/share/maven-repo, so a
# pom names the plugin versions Debian packages (fixtures/apps/java-maven/pom.xml).
maven=docker.io/library/maven:3-eclipse-temurin-17
if have "$maven"; then echo "skip $maven (exists)"; else
  dir=$(mktemp -d)
  cat > "$dir/Containerfile" <<'CF'
FROM eclipse-temurin:17-jdk
RUN apt-get update \
 && apt-get install -y --no-install-recommends maven libmaven-compiler-plugin-java \
    libmaven-resources-plugin-java libmaven-jar-plugin-java libsurefire-java \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /root/.m2 \
 && printf '<settings><localRepository>/usr/share/maven-repo</localRepository><offline>true</offline></settings>\n' \
    > /root/.m2/settings.xml
ENV MAVEN_HOME=/usr/share/maven MAVEN_CONFIG=/root/.m2
CMD ["mvn"]
CF
  echo "build $maven"
  buildah bud --isolation chroot --pull=never -q -t "$maven" "$dir" >/dev/null
  rm -rf "$dir"
fi

# gradle:8-jdk17: Debian's Gradle on the JDK stand-in. It differs from the official image in its
# Gradle, 4.4 (the one Debian packages; Gradle's distributions are not reachable here), and in
# being offline: a build without plugins or dependencies from a repository builds on both
# (fixtures/apps/java-gradle/build.gradle).
gradle=docker.io/library/gradle:8-jdk17
if have "$gradle"; then echo "skip $gradle (exists)"; else
  dir=$(mktemp -d)
  cat > "$dir/Containerfile" <<'CF'
FROM eclipse-temurin:17-jdk
RUN apt-get update \
 && apt-get install -y --no-install-recommends gradle \
 && rm -rf /var/lib/apt/lists/*
ENV GRADLE_HOME=/usr/share/gradle
WORKDIR /home/gradle
CMD ["gradle"]
CF
  echo "build $gradle"
  buildah bud --isolation chroot --pull=never -q -t "$gradle" "$dir" >/dev/null
  rm -rf "$dir"
fi
