#!/usr/bin/env bash
# imgslim push against skopeo copy, same image, same fresh local registry (Debian's
# docker-registry), same run: a fresh push and a repeat push of each. Prints seconds and ratios.
# Usage: benches/push_peers.sh [IMAGE_ARCHIVE]   (default: the node:18 stand-in as a gzip OCI archive)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /var/tmp/imgslim-push-bench.XXXXXX)
trap 'kill "${reg_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
img=${1:-}
if [ -z "$img" ]; then
  img=$work/node18.oci.tar
  buildah push -q docker.io/library/node:18 "oci-archive:$img" >/dev/null
fi
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin=${CARGO_TARGET_DIR:-$here/target}/release/imgslim
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/config.yml" <<CFG
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/data}}
http: {addr: 127.0.0.1:$port}
CFG
docker-registry serve "$work/config.yml" >/dev/null 2>&1 & reg_pid=$!
until (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do sleep 0.1; done
host=127.0.0.1:$port
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); python3 -c "print(f'{$t1-$t0:.3f}')"; }
size=$(du -b "$img" | cut -f1)
echo "image: $img ($(( size / 1000000 )) MB)"
i_fresh=$(secs "$bin" push "$img" "$host/imgslim/app:1" --insecure)
i_again=$(secs "$bin" push "$img" "$host/imgslim/app:1" --insecure)
s_fresh=$(secs skopeo copy --dest-tls-verify=false "oci-archive:$img" "docker://$host/skopeo/app:1")
s_again=$(secs skopeo copy --dest-tls-verify=false "oci-archive:$img" "docker://$host/skopeo/app:1")
echo "fresh push:  imgslim ${i_fresh} s   skopeo ${s_fresh} s   ratio $(python3 -c "print(f'{$s_fresh/$i_fresh:.1f}x')")"
echo "repeat push: imgslim ${i_again} s   skopeo ${s_again} s   ratio $(python3 -c "print(f'{$s_again/$i_again:.1f}x')")"
