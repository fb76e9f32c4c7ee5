#!/usr/bin/env bash
# Offline stand-in for php:8.2-cli, built from the debian:bookworm-slim stand-in
# (../shared/e2e/base-images.sh) with Debian's PHP 8.2, for the PHP end-to-end rewrite test.
# Laid out like the official image: PHPIZE_DEPS installed (autoconf dpkg-dev file g++ gcc libc-dev
# make pkg-config re2c), extensions in /usr/local/lib/php/extensions/no-debug-non-zts-20220829
# (`php-config --extension-dir`), ini files read from /usr/local/etc/php/conf.d, and the
# docker-php-ext-install / docker-php-ext-enable / docker-php-ext-configure helpers.
# Where it differs from the official image: PHP is Debian's (/usr/bin/php8.2, its built-in
# extensions linked into the extension directory, PHP_INI_SCAN_DIR naming Debian's conf.d and
# /usr/local/etc/php/conf.d), php-config is a wrapper that reports that extension directory, and
# the PHP sources are not in the image (/usr/src/php.tar.xz), so docker-php-ext-install builds an
# extension from a directory it is given (`docker-php-ext-install /usr/src/myext`), not the
# bundled ones by name. Needs buildah (as root) and the Debian mirror; instant when it exists.
set -euo pipefail
name=docker.io/library/php:8.2-cli
if buildah inspect --type image "$name" >/dev/null 2>&1; then echo "skip $name (exists)"; exit 0; fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ext=/usr/local/lib/php/extensions/no-debug-non-zts-20220829
cat > "$dir/php-config" <<'SH'
#!/bin/sh
# the official image's extension directory; everything else from Debian's php-config
case "$1" in
  --extension-dir) echo /usr/local/lib/php/extensions/no-debug-non-zts-20220829 ;;
  *) exec /usr/bin/php-config8.2 "$@" ;;
esac
SH
cat > "$dir/docker-php-ext-enable" <<'SH'
#!/bin/sh
# docker-php-ext-enable NAME...: an ini file per extension in /usr/local/etc/php/conf.d
set -e
for e in "$@"; do
  case "$e" in -*) continue ;; esac
  so=/usr/local/lib/php/extensions/no-debug-non-zts-20220829/$e.so
  [ -e "$so" ] || { echo "error: $so does not exist" >&2; exit 1; }
  key=extension
  case "$e" in opcache|xdebug) key=zend_extension ;; esac
  echo "$key=$e" > "/usr/local/etc/php/conf.d/docker-php-ext-$e.ini"
done
SH
cat > "$dir/docker-php-ext-install" <<'SH'
#!/bin/sh
# docker-php-ext-install [-jN] DIR...: phpize, configure, make install and enable each
# extension source directory (this stand-in has no bundled PHP sources to build by name)
set -e
j=1
for e in "$@"; do
  case "$e" in
    -j*) j=${e#-j}; [ -n "$j" ] || j=1; continue ;;
    -*) continue ;;
  esac
  [ -d "$e" ] || { echo "error: $e: this php stand-in builds extensions from a source directory only" >&2; exit 1; }
  work=$(mktemp -d); cp -a "$e/." "$work/"
  (cd "$work" && phpize >/dev/null && ./configure --with-php-config=/usr/local/bin/php-config >/dev/null && make -j"$j" >/dev/null && make install >/dev/null)
  for so in "$work"/modules/*.so; do docker-php-ext-enable "$(basename "$so" .so)"; done
  rm -rf "$work"
done
SH
cat > "$dir/docker-php-ext-configure" <<'SH'
#!/bin/sh
# accepted for compatibility: this stand-in configures each extension when it builds it
exit 0
SH
cat > "$dir/Containerfile" <<CF
FROM debian:bookworm-slim
ENV PHPIZE_DEPS="autoconf dpkg-dev file g++ gcc libc-dev make pkg-config re2c"
RUN apt-get update \\
 && apt-get install -y --no-install-recommends php8.2-cli php8.2-dev \$PHPIZE_DEPS ca-certificates curl xz-utils \\
 && rm -rf /var/lib/apt/lists/* \\
 && mkdir -p $ext /usr/local/etc/php/conf.d \\
 && for so in /usr/lib/php/20220829/*.so; do ln -s "\$so" $ext/; done \\
 && echo "extension_dir=$ext" > /etc/php/8.2/cli/conf.d/00-official-layout.ini \\
 && ln -s /usr/bin/php8.2 /usr/local/bin/php
COPY php-config docker-php-ext-enable docker-php-ext-install docker-php-ext-configure /usr/local/bin/
RUN chmod 755 /usr/local/bin/php-config /usr/local/bin/docker-php-ext-* && php -v >/dev/null
ENV PHP_INI_DIR=/usr/local/etc/php PHP_INI_SCAN_DIR=/etc/php/8.2/cli/conf.d:/usr/local/etc/php/conf.d
CMD ["php", "-a"]
CF
echo "build $name"
buildah bud --isolation chroot --pull=never -q -t "$name" "$dir" >/dev/null
