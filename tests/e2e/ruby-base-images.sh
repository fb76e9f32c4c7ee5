#!/usr/bin/env bash
# Offline stand-ins for ruby:3.1 and ruby:3.1-slim, built from the debian:bookworm and
# debian:bookworm-slim stand-ins (../shared/e2e/base-images.sh) with Debian's Ruby 3.1 and
# Bundler, for the Ruby end-to-end rewrite test. Laid out like the official images: gems go to
# GEM_HOME=/usr/local/bundle (BUNDLE_APP_CONFIG too, its bin on PATH); ruby:3.1 is the
# buildpack-deps flavour (compilers, headers, the common -dev libraries such as libpq-dev),
# ruby:3.1-slim has Ruby and Bundler only. Where they differ from the official images: Ruby is
# Debian's (/usr/bin/ruby 3.1.2 and its libruby3.1 package, not one built into /usr/local), and
# Bundler is Debian's 2.3 (rubygems.org is not reachable here: the test's app installs path gems).
# Needs buildah (as root) and the Debian mirror; instant when the images exist.
set -euo pipefail
have() { buildah inspect --type image "$1" >/dev/null 2>&1; }
build() { # tag from packages
  local name=docker.io/library/ruby:$1 from=$2 pkgs=$3 dir
  if have "$name"; then echo "skip $name (exists)"; return; fi
  dir=$(mktemp -d)
  cat > "$dir/Containerfile" <<CF
FROM $from
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ruby bundler $pkgs \\
 && rm -rf /var/lib/apt/lists/* \\
 && mkdir -p /usr/local/bundle && chmod 1777 /usr/local/bundle \\
 && gem env gemdir >/dev/null
ENV LANG=C.UTF-8 RUBY_VERSION=3.1.2 GEM_HOME=/usr/local/bundle BUNDLE_SILENCE_ROOT_WARNING=1 \\
    BUNDLE_APP_CONFIG=/usr/local/bundle PATH=/usr/local/bundle/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["irb"]
CF
  echo "build $name"
  buildah bud --isolation chroot --pull=never -q -t "$name" "$dir" >/dev/null
  rm -rf "$dir"
}
# the buildpack-deps set of the python:3.11 stand-in, with Ruby's headers
build 3.1 debian:bookworm "ruby-dev build-essential pkg-config autoconf automake libtool \
  git curl wget ca-certificates gnupg dirmngr openssh-client procps netbase tzdata unzip xz-utils bzip2 file less \
  libffi-dev libssl-dev zlib1g-dev libbz2-dev liblzma-dev libsqlite3-dev libreadline-dev libncurses-dev \
  libxml2-dev libxslt1-dev libyaml-dev libjpeg-dev libpng-dev libpq-dev libcurl4-openssl-dev libgmp-dev"
build 3.1-slim debian:bookworm-slim "ca-certificates"
