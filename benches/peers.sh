#!/usr/bin/env bash
# Parse speed on the 1118-file corpus, measured in one run against BuildKit's own parser (PyPI
# `dockerfile` 3.4.0, Go via cgo, in-process loop) and hadolint (one process over all files).
# Prints files/s for each and the ratios. Usage: benches/peers.sh [SHARED_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-$here/../shared}
mapfile -t files < <(find "$shared/corpus" -name '*.Dockerfile' | sort)
echo "files: ${#files[@]}"
cargo build --release --quiet --example parse_files --manifest-path "$here/Cargo.toml"
bin=${CARGO_TARGET_DIR:-$here/target}/release/examples/parse_files
ours=$("$bin" -n 20 "${files[@]}")
echo "imgslim parse:        $ours"
theirs=$(python3 - "${files[@]}" <<'PY'
import sys, time, dockerfile
files = sys.argv[1:]
data = [open(f, encoding="utf-8", errors="surrogateescape").read() for f in files]
t = time.perf_counter(); n = 0
for _ in range(3):
    for s in data:
        try: dockerfile.parse_string(s); n += 1
        except Exception: pass
dt = time.perf_counter() - t
print(f"{3*len(files)/dt:.0f} files/s ({n} parsed in {dt:.3f} s)")
PY
)
echo "BuildKit parser (Go): $theirs"
if command -v hadolint >/dev/null; then
  t0=$(date +%s.%N); hadolint --no-fail "${files[@]}" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
  hl=$(python3 -c "print(f'{${#files[@]}/($t1-$t0):.0f} files/s')")
  echo "hadolint (lint):      $hl"
fi
python3 - "$ours" "$theirs" "${hl:-}" <<'PY'
import sys
f = lambda s: float(s.split()[0]) if s else None
o, b, h = map(f, sys.argv[1:4])
print(f"ratio imgslim/BuildKit parser: {o/b:.1f}x")
if h: print(f"ratio imgslim parse/hadolint: {o/h:.0f}x")
PY
