#!/usr/bin/env python3
"""Write the seeds of the `image`, `shell`, `lint`, `expand`, `rewrite` and `grammar` fuzz targets
(small, so committed): image: docker-archives and OCI archives with plain, gzip and zstd-less
layers, whiteouts, an opaque directory, hard links, symlinks and a dpkg status file; shell: RUN
scripts of the lint fixtures; lint: the lint fixtures themselves; expand: variable definitions and
a word using every modifier, in each mode; rewrite: the apps' single-stage Dockerfiles
(fixtures/apps); grammar: fixed pseudo-random byte strings (the generator reads them as choices).
Usage: fuzz/seeds.py (from the repository root)."""
import gzip, hashlib, io, json, os, re, tarfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "fuzz", "corpus")


def tar_bytes(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            info.mtime = 1_700_000_000
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                t.addfile(info)
            elif kind == "sym":
                info.type, info.linkname = tarfile.SYMTYPE, data
                t.addfile(info)
            elif kind == "hard":
                info.type, info.linkname = tarfile.LNKTYPE, data
                t.addfile(info)
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


status = b"Package: gcc-12\nStatus: install ok installed\nInstalled-Size: 60\nVersion: 12.2\n\n"
layers = [
    tar_bytes([("usr", "dir", b""), ("usr/bin", "dir", b""), ("usr/bin/gcc", "file", b"x" * 300),
               ("usr/bin/cc", "hard", "usr/bin/gcc"), ("usr/bin/c99", "sym", "gcc"),
               ("var/lib/dpkg/status", "file", status), ("opt/d", "dir", b""), ("opt/d/a", "file", b"a" * 50)]),
    tar_bytes([("usr/bin/.wh.gcc", "file", b""), ("opt/d", "dir", b""), ("opt/d/.wh..wh..opq", "file", b""),
               ("opt/d/b", "file", b"b" * 20), ("app/main.py", "file", b"print(1)\n")]),
]


def config(diff_ids):
    return json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["python", "main.py"], "User": "1000"},
                       "rootfs": {"type": "layers", "diff_ids": diff_ids},
                       "history": [{"created_by": "RUN apt-get install gcc"}, {"created_by": "COPY . /app"}]}).encode()


def sha(b):
    return hashlib.sha256(b).hexdigest()


def docker_archive(compress):
    blobs = [gzip.compress(l, mtime=0) if compress else l for l in layers]
    cfg = config(["sha256:" + sha(l) for l in layers])
    names = [sha(b) + "/layer.tar" for b in blobs]
    manifest = json.dumps([{"Config": sha(cfg) + ".json", "RepoTags": ["seed:1"], "Layers": names}]).encode()
    return tar_bytes([(sha(cfg) + ".json", "file", cfg)] + [(n, "file", b) for n, b in zip(names, blobs)]
                     + [("manifest.json", "file", manifest)])


def oci_archive():
    blobs = [gzip.compress(l, mtime=0) for l in layers]
    cfg = config(["sha256:" + sha(l) for l in layers])
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + sha(cfg), "size": len(cfg)},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + sha(b), "size": len(b)} for b in blobs]}).encode()
    index = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + sha(manifest), "size": len(manifest)}]}).encode()
    files = [("oci-layout", "file", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", "file", index),
             ("blobs/sha256/" + sha(cfg), "file", cfg), ("blobs/sha256/" + sha(manifest), "file", manifest)]
    files += [("blobs/sha256/" + sha(b), "file", b) for b in blobs]
    return tar_bytes(files)


os.makedirs(os.path.join(out, "image"), exist_ok=True)
for name, data in [("docker-plain.tar", docker_archive(False)), ("docker-gzip.tar", docker_archive(True)), ("oci-gzip.tar", oci_archive())]:
    open(os.path.join(out, "image", name), "wb").write(data)

fixtures = os.path.join(root, "fixtures", "lint")
os.makedirs(os.path.join(out, "lint"), exist_ok=True)
os.makedirs(os.path.join(out, "shell"), exist_ok=True)
for f in sorted(os.listdir(fixtures)):
    if not f.endswith(".Dockerfile"):
        continue
    text = open(os.path.join(fixtures, f), "rb").read()
    open(os.path.join(out, "lint", f), "wb").write(text)
    runs = re.findall(rb"^RUN (.*(?:\\\n.*)*)", text, re.M)
    if runs:
        open(os.path.join(out, "shell", f.replace(".Dockerfile", ".sh")), "wb").write(b"\n".join(runs))

os.makedirs(os.path.join(out, "expand"), exist_ok=True)
words = ["${A:-${B:+x}}/$C", "\"${A%%.*}\" '${B}' \\$C", "${A//o/0}${A/#l/L}${A#*l}", "${A:?unset}", "$1$@${#}", "a\\ b \"c d\""]
defs = "A=lol.lol\nB=$A$A\nC=${B:-x}\n"
for i, w in enumerate(words):
    for mode in (0, 1, 6, 24):
        open(os.path.join(out, "expand", f"seed-{i}-mode{mode}"), "wb").write(bytes([mode]) + (defs + w).encode())

os.makedirs(os.path.join(out, "rewrite"), exist_ok=True)
apps = os.path.join(root, "fixtures", "apps")
for app in sorted(os.listdir(apps)):
    f = os.path.join(apps, app, "Dockerfile")
    if os.path.isfile(f):
        open(os.path.join(out, "rewrite", app + ".Dockerfile"), "wb").write(open(f, "rb").read())

os.makedirs(os.path.join(out, "grammar"), exist_ok=True)
x = 1
for i in range(8):
    data = bytearray()
    for _ in range(64 << i % 4):
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        data.append(x >> 56)
    open(os.path.join(out, "grammar", f"seed-{i}"), "wb").write(bytes(data))
print("seeds written under", out)
