#!/usr/bin/env bash
# An offline stand-in for nginx:1.27-alpine, the static-file runtime the rewrite moves static
# front ends onto, for the end-to-end rewrite test. Built from the debian:bookworm-slim stand-in
# (../shared/e2e/base-images.sh) with Debian's nginx, laid out like the official image: the
# server config in /etc/nginx/conf.d/default.conf (port 80, root /usr/share/nginx/html), logs to
# the container's stdout/stderr, CMD nginx -g 'daemon off;'. Where it differs: Debian instead of
# Alpine (so it is larger, and has bash), nginx 1.22 from Debian, curl installed for the smoke
# checks, no /docker-entrypoint.sh. Needs buildah (as root) and the Debian mirror; instant when
# the image exists.
set -euo pipefail
name=docker.io/library/nginx:1.27-alpine
if buildah inspect --type image "$name" >/dev/null 2>&1; then echo "skip $name (exists)"; exit 0; fi
dir=$(mktemp -d)
cat > "$dir/Containerfile" <<'CF'
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx-light curl \
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/* \
 && mkdir -p /usr/share/nginx/html /etc/nginx/conf.d \
 && printf '%s\n' '<!doctype html><title>nginx</title>' > /usr/share/nginx/html/index.html \
 && printf '%s\n' 'server {' '    listen 80;' '    location / {' '        root /usr/share/nginx/html;' \
      '        index index.html index.htm;' '    }' '}' > /etc/nginx/conf.d/default.conf \
 && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
CF
echo "build $name"
buildah bud --isolation chroot --pull=never -q -t "$name" "$dir" >/dev/null
rm -rf "$dir"
