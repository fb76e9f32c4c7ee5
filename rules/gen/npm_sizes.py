#!/usr/bin/env python3
"""Generate rules/npm-sizes.toml: typical unpacked and tarball sizes of npm packages.

Location in the repo: rules/gen/npm_sizes.py  ->  writes rules/npm-sizes.toml

The image-size estimator needs to know how much `npm install` / `npm ci` adds to an
image. For each package in PACKAGES (below) this script reads the npm registry's
manifest of the `latest` dist-tag, https://registry.npmjs.org/NAME/latest, and records

    unpacked = dist.unpackedSize: bytes the package occupies in node_modules/
               (if the manifest has no unpackedSize, as for very old releases or a
               registry mirror that strips it, the tarball is downloaded and its
               members' sizes are summed, which is how npm computes unpackedSize);
    tarball  = bytes of dist.tarball, the .tgz npm downloads and keeps in ~/.npm/_cacache
               (Content-Length of a HEAD request; a streamed GET if HEAD gives none).

Each entry is the package alone, without its dependencies.

`[typical]`, the per-package value the tool uses for packages it does not know, is NOT
the median of the hand-picked list: that list is skewed to big frameworks and tools,
while a real lockfile is dominated by many small transitive packages. So the script
also walks the `dependencies` of express and of webpack (breadth first, each dependency
taken at its own `latest` version rather than the exact version a semver range would
resolve to; devDependencies, peer and optional dependencies are not followed), up to
--walk-limit packages (default 400) in all, and uses the median over that walk as
`[typical]`. The median over the list is reported next to it for comparison.

Output (TOML, sorted by name; names with @ or / are quoted):

    [packages]
    typescript = { version = "5.4.5", unpacked = 22000000, tarball = 5900000 }
    "@types/node" = { version = "...", unpacked = ..., tarball = ... }
    [typical]
    unpacked = ...        # median over the transitive walk (used by the tool)
    tarball = ...
    list_unpacked = ...   # median over [packages], for reference
    list_tarball = ...

Packages that could not be fetched are skipped and listed in a header comment.

Usage:
    python3 rules/gen/npm_sizes.py                       # -> rules/npm-sizes.toml
    python3 rules/gen/npm_sizes.py --out FILE --jobs 8 --walk-limit 400
    python3 rules/gen/npm_sizes.py --only typescript express --walk-limit 0   # PARTIAL
    python3 rules/gen/npm_sizes.py --selftest            # offline checks, no network

Only the Python standard library is used (Python >= 3.11 for the tomllib check).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import io
import json
import os
import re
import statistics
import sys
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request

REGISTRY = "https://registry.npmjs.org"
WALK_ROOTS = ("express", "webpack")
WALK_LIMIT = 60
TIMEOUT = 60          # seconds, per HTTP request
RETRIES = 4           # attempts per HTTP request (exponential back-off)
USER_AGENT = "image-size-estimator-rules-gen/1 (+rules/gen/npm_sizes.py) python-urllib"

# ---------------------------------------------------------------------------
# The package list: the most depended-on npm packages, common devDependencies, and
# the heavy packages those pull in (platform binaries of esbuild, swc, rollup, sharp,
# next, lightningcss; TypeScript; babel; test runners and browsers' drivers).
# ---------------------------------------------------------------------------
PACKAGES = """
    express body-parser cors dotenv mongoose mongodb pg mysql2 sequelize prisma @prisma/client
    redis ioredis socket.io ws axios node-fetch uuid lodash moment dayjs chalk commander
    yargs debug winston pino glob semver rxjs zod tslib core-js
    typescript @types/node ts-node esbuild @esbuild/linux-x64 webpack vite rollup
    @rollup/rollup-linux-x64-gnu @swc/core @swc/core-linux-x64-gnu jest eslint prettier
    nodemon react react-dom next @next/swc-linux-x64-gnu sharp @img/sharp-linux-x64
    @img/sharp-libvips-linux-x64 puppeteer http-server
"""


# ---------------------------------------------------------------------------
# HTTP with retries
# ---------------------------------------------------------------------------
def _open(url: str, method: str = "GET", headers: dict | None = None):
    hdrs = {"User-Agent": USER_AGENT}
    hdrs.update(headers or {})
    last: Exception | None = None
    for attempt in range(RETRIES):
        try:
            return urllib.request.urlopen(urllib.request.Request(url, method=method, headers=hdrs),
                                          timeout=TIMEOUT)
        except urllib.error.HTTPError as e:
            last = e
            if e.code in (401, 403, 404, 405, 410):     # definite answers: don't retry
                raise
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as e:
            last = e
        time.sleep(min(2 ** attempt, 10))
    assert last is not None
    raise last


def manifest_url(name: str) -> str:
    """URL of the latest version's manifest; a scope's slash is escaped (@a%2fb)."""
    return f"{REGISTRY}/{urllib.parse.quote(name, safe='@')}/latest"


def get_manifest(name: str) -> dict:
    with _open(manifest_url(name), headers={"Accept": "application/json"}) as r:
        return json.loads(r.read())


def tarball_size(url: str) -> int:
    """Content-Length of the .tgz from HEAD; if missing, count the bytes of a GET."""
    try:
        with _open(url, method="HEAD") as r:
            cl = r.headers.get("Content-Length")
            if cl and int(cl) > 0:
                return int(cl)
    except urllib.error.HTTPError as e:
        if e.code not in (403, 405):                      # HEAD refused: try GET
            raise
    with _open(url) as r:
        n = 0
        while chunk := r.read(1 << 16):
            n += len(chunk)
        return n


def tgz_contents_size(data: bytes) -> int:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
        return sum(m.size for m in tf.getmembers() if m.isfile())


def measure(name: str, fetch_manifest=get_manifest) -> dict:
    m = fetch_manifest(name)
    dist = m.get("dist") or {}
    url = dist.get("tarball")
    if not url:
        raise RuntimeError("manifest has no dist.tarball")
    e = {"name": m.get("name", name), "version": m["version"],
         "deps": sorted((m.get("dependencies") or {}).keys())}
    if dist.get("unpackedSize"):
        e["unpacked"] = int(dist["unpackedSize"])
        e["tarball"] = tarball_size(url)
    else:                      # old release without unpackedSize: measure the tarball
        with _open(url) as r:
            data = r.read()
        e["tarball"] = len(data)
        e["unpacked"] = tgz_contents_size(data)
        e["measured"] = True
    return e


# ---------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------
def run_list(names, pool, measure_fn, log):
    entries, failed = {}, {}
    futs = {pool.submit(measure_fn, n): n for n in names}
    for fut in concurrent.futures.as_completed(futs):
        n = futs[fut]
        try:
            entries[n] = fut.result()
            log(entries[n])
        except Exception as ex:  # skip and report
            failed[n] = f"{ex.__class__.__name__}: {ex}".replace("\n", " ")
            log(None, n, failed[n])
    return entries, failed


def walk(roots, limit, pool, measure_fn, known, log):
    """Breadth-first over `dependencies` (latest versions), at most `limit` packages.

    `known` holds results already fetched for the list, reused without a request.
    Returns ({name: entry}, {name: error}).
    """
    seen: dict[str, dict] = {}
    failed: dict[str, str] = {}
    frontier = list(dict.fromkeys(roots))
    queued = set(frontier)
    while frontier and len(seen) + len(failed) < limit:
        room = limit - len(seen) - len(failed)
        level, rest = frontier[:room], frontier[room:]
        todo = [n for n in level if n not in known]
        got, bad = run_list(todo, pool, measure_fn, log) if todo else ({}, {})
        got.update({n: known[n] for n in level if n in known})
        failed.update(bad)
        nxt = []
        for n in level:                       # keep BFS order deterministic
            if n in got:
                seen[n] = got[n]
                for d in got[n]["deps"]:
                    if d not in queued:
                        queued.add(d)
                        nxt.append(d)
        frontier = rest + nxt
    return seen, failed


# ---------------------------------------------------------------------------
# TOML output
# ---------------------------------------------------------------------------
def toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def med(xs):
    return round(statistics.median(xs)) if xs else 0


def render(entries, failed, walked, walk_failed, listed, partial, started, walk_limit):
    ents = sorted(entries.values(), key=lambda e: e["name"])
    l_unp, l_tar = [e["unpacked"] for e in ents], [e["tarball"] for e in ents]
    w_unp, w_tar = [e["unpacked"] for e in walked.values()], [e["tarball"] for e in walked.values()]
    use_walk = bool(walked)
    out = [
        "# Typical sizes of npm packages, used to estimate what `npm install` / `npm ci` adds to an image.",
        f"# GENERATED by rules/gen/npm_sizes.py on {started} (UTC). Do not edit: rerun the script.",
        "# Source: npm registry, https://registry.npmjs.org/<name>/latest (the `latest` dist-tag).",
        "# unpacked = dist.unpackedSize: bytes in node_modules/<name> (package alone, no dependencies)",
        "# tarball  = bytes of dist.tarball (.tgz, what npm downloads and caches), from HEAD Content-Length",
        "# Native code often ships in per-platform optionalDependencies, not in the package itself",
        "#   (esbuild -> @esbuild/linux-x64, typescript 7 -> @typescript/typescript-linux-x64, sharp -> @img/...):",
        "#   those platform packages have entries of their own.",
        f"# Packages: {len(ents)} measured of {listed} listed"
        + (" -- PARTIAL RUN (--only): medians are NOT representative." if partial else "."),
    ]
    measured = [e["name"] for e in ents if e.get("measured")]
    if measured:
        out.append("# No unpackedSize in the registry, summed from the tarball: " + ", ".join(measured))
    for title, f in (("Skipped", failed), ("Skipped in the dependency walk", walk_failed)):
        if f:
            out.append(f"# {title} ({len(f)}, fetch failed):")
            out += [f"#   {n}: {f[n]}"[:200] for n in sorted(f)]
    out += ["", "[packages]"]
    for e in ents:
        out.append(f'{toml_key(e["name"])} = {{ version = {json.dumps(e["version"])}, '
                   f'unpacked = {e["unpacked"]}, tarball = {e["tarball"]} }}')
    out += [""]
    if use_walk:
        out += [
            "# Per-package average the tool uses for packages not listed above: the median over the",
            f"# {len(walked)} packages reached by walking the `dependencies` of "
            f"{' and '.join(WALK_ROOTS)} (latest versions,",
            f"# breadth first, limit {walk_limit}). Small transitive packages like these dominate real lockfiles.",
            f"# list_* = the median over the {len(ents)} packages in [packages] (skewed to big tools), for reference.",
        ]
    else:
        out += ["# No dependency walk was run (--walk-limit 0): unpacked/tarball fall back to the list median,",
                "# which overstates a typical lockfile entry."]
    out += [
        "[typical]",
        f"unpacked = {med(w_unp) if use_walk else med(l_unp)}",
        f"tarball = {med(w_tar) if use_walk else med(l_tar)}",
        f"packages = {len(walked) if use_walk else len(ents)}",
        f'source = "{"dependency walk of " + " + ".join(WALK_ROOTS) if use_walk else "package list"}"',
        f"list_unpacked = {med(l_unp)}",
        f"list_tarball = {med(l_tar)}",
        f"list_packages = {len(ents)}",
        "",
    ]
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Offline self-test
# ---------------------------------------------------------------------------
def selftest() -> None:
    import tomllib
    assert manifest_url("@types/node") == f"{REGISTRY}/@types%2Fnode/latest"
    assert manifest_url("lodash.merge") == f"{REGISTRY}/lodash.merge/latest"
    graph = {"express": ["a", "b"], "webpack": ["b", "c"], "a": ["d"], "b": [], "c": ["d", "e"],
             "d": [], "e": ["f"], "f": []}
    fake = lambda n: {"name": n, "version": "1.0.0", "deps": graph.get(n, []), "unpacked": len(n) * 100,
                      "tarball": len(n) * 40}
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        seen, bad = walk(WALK_ROOTS, 5, pool, fake, {}, lambda *a: None)
        assert list(seen) == ["express", "webpack", "a", "b", "c"], list(seen)
        seen, bad = walk(WALK_ROOTS, 400, pool, fake, {"a": fake("a")}, lambda *a: None)
        assert sorted(seen) == sorted(graph)
    tbuf = io.BytesIO()
    with tarfile.open(fileobj=tbuf, mode="w:gz") as tf:
        ti = tarfile.TarInfo("package/index.js"); ti.size = 321
        tf.addfile(ti, io.BytesIO(b"x" * 321))
    assert tgz_contents_size(tbuf.getvalue()) == 321
    ents = {n: fake(n) for n in ("@types/node", "lodash.merge", "typescript")}
    text = render(ents, {"nope": "HTTPError"}, seen, {}, 3, False, "2000-01-01", 400)
    doc = tomllib.loads(text)
    assert doc["packages"]["@types/node"]["unpacked"] == 1100
    assert doc["packages"]["lodash.merge"]["tarball"] == 480
    assert doc["typical"]["packages"] == len(graph) and doc["typical"]["list_packages"] == 3
    assert doc["typical"]["unpacked"] == 100
    print("selftest ok")


# ---------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "npm-sizes.toml"),
                    help="output TOML (default: rules/npm-sizes.toml beside rules/gen/)")
    ap.add_argument("--jobs", type=int, default=8, help="parallel requests (default 8)")
    ap.add_argument("--walk-limit", type=int, default=WALK_LIMIT,
                    help=f"max packages in the express+webpack dependency walk (default {WALK_LIMIT}; 0 = none)")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="measure only these packages")
    ap.add_argument("--selftest", action="store_true", help="offline checks, then exit")
    args = ap.parse_args()
    if args.selftest:
        selftest()
        return 0

    names = list(dict.fromkeys(PACKAGES.split()))
    listed = len(names)
    if args.only:
        names = list(dict.fromkeys(args.only))
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")

    def log(e, n=None, err=None):
        if e:
            print(f"{e['name']:40} {e['version']:16} unpacked={e['unpacked']:>11} "
                  f"tarball={e['tarball']:>10} deps={len(e['deps'])}", file=sys.stderr)
        else:
            print(f"{n:40} FAILED {err}", file=sys.stderr)

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        entries, failed = run_list(names, pool, measure, log)
        t1 = time.monotonic()
        walked, walk_failed = ({}, {})
        if args.walk_limit > 0:
            walked, walk_failed = walk(WALK_ROOTS, args.walk_limit, pool, measure, entries, log)
    text = render(entries, failed, walked, walk_failed, listed, bool(args.only), started,
                  args.walk_limit)
    out = os.path.normpath(args.out)
    with open(out + ".tmp", "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(out + ".tmp", out)
    print(f"wrote {out}: {len(entries)} packages ({len(failed)} skipped) in {t1 - t0:.1f} s; "
          f"walk {len(walked)} packages ({len(walk_failed)} failed); total {time.monotonic() - t0:.1f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
