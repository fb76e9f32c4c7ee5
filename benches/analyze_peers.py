#!/usr/bin/env python3
"""Time `imgslim analyze` against dive, `cat` and plain layer decompression on the benchmark
image of ../shared/bench (build it with ../shared/bench/build-big.sh OUT_DIR), in one run.

Usage: benches/analyze_peers.py OUT_DIR [--runs N]
Prints wall time and peak memory for each, and the ratios the issue asks for.
"""
import json, os, shutil, subprocess, sys, tempfile, time

out_dir = sys.argv[1]
runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
here = os.path.dirname(os.path.abspath(__file__))
target = os.environ.get("CARGO_TARGET_DIR", os.path.join(here, "..", "target"))
subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "decompress_layers", "--bin", "imgslim"],
               cwd=os.path.join(here, ".."), check=True)
imgslim = os.path.join(target, "release", "imgslim")
decompress = os.path.join(target, "release", "examples", "decompress_layers")


def measure(argv, stdout=subprocess.DEVNULL):
    """Best wall time over `runs` and the peak RSS (MB) of the best run."""
    best = None
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{argv} failed: {p.stderr.read().decode()[-2000:]}")
        if best is None or dt < best[0]:
            best = (dt, ru.ru_maxrss / 1024)
    return best


docker = os.path.join(out_dir, "big-docker.tar")
oci_gz = os.path.join(out_dir, "big-oci.tar")
oci_zst = os.path.join(out_dir, "big-oci-zstd.tar")
ocidir = os.path.join(out_dir, "big-ocidir")

rows = []
def row(name, r):
    rows.append((name, r))
    print(f"{name:48s} {r[0]:8.3f} s {r[1]:8.0f} MB", flush=True)

cat = measure(["cat", docker]); row("cat big-docker.tar", cat)
ours = measure([imgslim, "analyze", docker, "--format", "json"]); row("imgslim analyze big-docker.tar", ours)
for name, path in [("big-oci.tar (gzip)", oci_gz), ("big-oci-zstd.tar", oci_zst), ("big-ocidir (gzip)", ocidir)]:
    if os.path.exists(path):
        row(f"imgslim analyze {name}", measure([imgslim, "analyze", path, "--format", "json"]))
        row(f"decompress layers once, all cores: {name}", measure([decompress, path]))
gz = dict(rows)
dive = None
if shutil.which("dive") and not os.environ.get("SKIP_DIVE"):
    with tempfile.TemporaryDirectory() as tmp:
        runs_saved, runs = runs, 1  # dive takes ~40 s: one run
        dive = measure(["dive", "--source", "docker-archive", "--json", os.path.join(tmp, "d.json"), docker])
        runs = runs_saved
        row("dive --json (docker-archive)", dive)
        d = json.load(open(os.path.join(tmp, "d.json")))
        print(f"  dive: wasted {d['image']['inefficientBytes']} bytes, efficiency {d['image']['efficiencyScore']:.4f}")
r = json.loads(subprocess.run([imgslim, "analyze", docker, "--format", "json"], capture_output=True, check=True).stdout)
print(f"  imgslim: wasted {r['wasted_bytes']} bytes, efficiency {r['efficiency']:.4f}, size {r['size_bytes']}, final {r['final_bytes']}")

print("\nratios")
if dive:
    print(f"  dive / imgslim (docker-archive, time):   {dive[0] / ours[0]:.0f}x")
    print(f"  dive / imgslim (docker-archive, memory): {dive[1] / ours[1]:.1f}x")
print(f"  imgslim / cat (docker-archive, time):    {ours[0] / cat[0]:.2f}")
key = "imgslim analyze big-oci.tar (gzip)"
if key in gz:
    print(f"  imgslim / decompress (gzip OCI, time):   {gz[key][0] / gz['decompress layers once, all cores: big-oci.tar (gzip)'][0]:.2f}")
key = "imgslim analyze big-oci-zstd.tar"
if key in gz:
    print(f"  imgslim / decompress (zstd OCI, time):   {gz[key][0] / gz['decompress layers once, all cores: big-oci-zstd.tar'][0]:.2f}")
