#!/usr/bin/env python3
"""Generate rules/pypi-sizes.toml: typical download and installed sizes of PyPI packages.

Location in the repo: rules/gen/pypi_sizes.py  ->  writes rules/pypi-sizes.toml

The image-size estimator needs to know how much `pip install NAME` adds to an image.
For each package in PACKAGES (below) this script:

  1. reads the PyPI JSON API, https://pypi.org/pypi/NAME/json, and takes the newest
     final release that pip would install on CPython 3.11: the highest PEP 440 version,
     pre-releases excluded, whose files' Requires-Python admits 3.11 (so when the newest
     release needs Python >= 3.12, as recent numpy does, the last 3.11 one is measured
     and the header says so);
  2. picks the file pip would install on CPython 3.11 / glibc x86_64 (the official
     `python:3.11` / `python:3.11-slim` images, Debian bookworm, glibc 2.36), in pip's
     own preference order:
        cp311-cp311-manylinux*   >  cp3X-abi3-manylinux* (newest X <= 11)  >
        cp311-none-manylinux*    >  py3*-none-manylinux*                   >
        cp311-none-any           >  py3-none-any / py2.py3-none-any        >  the sdist,
     and, among manylinux tags, the newest glibc that is <= 2.36 (musllinux and other
     platforms are never chosen; yanked files are ignored);
  3. records
        wheel     = size in bytes of that file as downloaded (what pip keeps in
                    ~/.cache/pip; it is also PyPI's `size` field),
        installed = sum of the uncompressed sizes of the files in the wheel, read from
                    the zip central directory. Wheels up to --max-download bytes
                    (default 60 MB) are downloaded whole; bigger ones (torch,
                    tensorflow, ...) are read with HTTP Range requests, fetching only
                    the end-of-central-directory record and the central directory
                    (a few MB even for torch). If ranges fail, installed = wheel x 2.5
                    and the entry gets `approx = true`.
        sdist = true    when there is no usable wheel: `wheel` is then the sdist's size
                        and `installed` the uncompressed size of its contents (always
                        `approx = true`: a build adds compiled objects and drops sources).

`installed` does not include the .pyc files pip compiles at install time (roughly
+30-60 % of the .py bytes) nor any dependency: each entry is the package alone.

Output (TOML, sorted by normalized name: lower case, runs of `_` `.` `-` -> `-`):

    [packages]
    numpy = { version = "1.26.4", wheel = 18300000, installed = 61000000 }
    [typical]
    wheel = ...       # median over all packages in [packages]
    installed = ...   # median over all packages in [packages]

`[typical]` is the per-package value the tool uses for packages it does not know.
Packages that could not be fetched are skipped and listed in a header comment.

Usage:
    python3 rules/gen/pypi_sizes.py                      # all of PACKAGES -> rules/pypi-sizes.toml
    python3 rules/gen/pypi_sizes.py --out FILE --jobs 8
    python3 rules/gen/pypi_sizes.py --only numpy flask   # a few packages (marked PARTIAL in the header)
    python3 rules/gen/pypi_sizes.py --max-download 0     # range-read every wheel (far less traffic)
    python3 rules/gen/pypi_sizes.py --selftest           # offline checks of the parsing code, no network

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
import zipfile

# ---------------------------------------------------------------------------
# The package list (kept short: one request or two per package): common dependencies of web
# and data applications, plus the transitive dependencies those pull in most often. Names are normalized on output.
# ---------------------------------------------------------------------------
PACKAGES = """
    requests urllib3 certifi charset-normalizer idna httpx httpcore h11 anyio sniffio
    flask werkzeug jinja2 markupsafe itsdangerous click blinker django asgiref sqlparse
    fastapi starlette uvicorn gunicorn pydantic pydantic-core annotated-types
    typing-extensions sqlalchemy greenlet psycopg2 psycopg2-binary redis celery kombu
    billiard vine amqp pyyaml python-dateutil six pytz tzdata packaging setuptools wheel pip
    cryptography cffi pycparser boto3 botocore s3transfer jmespath numpy pandas scipy
    pillow scikit-learn joblib threadpoolctl matplotlib tabulate tqdm rich pygments
    markdown-it-py mdurl lxml protobuf grpcio torch
"""

TARGET_PY = (3, 11)          # CPython 3.11
TARGET_GLIBC = (2, 36)       # Debian bookworm, base of python:3.11 and python:3.11-slim
MAX_DOWNLOAD = 60_000_000    # download wheels whole up to this size, else Range requests
APPROX_FACTOR = 2.5          # installed ~= wheel x 2.5 when the wheel cannot be read
TIMEOUT = 60                 # seconds, per HTTP request
RETRIES = 4                  # attempts per HTTP request (exponential back-off)
USER_AGENT = "image-size-estimator-rules-gen/1 (+rules/gen/pypi_sizes.py) python-urllib"
RANGE_BLOCK = 1 << 20        # smallest Range read, bytes


def normalize(name: str) -> str:
    """PEP 503 normalized name: lower case, runs of -, _ and . become a single -."""
    return re.sub(r"[-_.]+", "-", name).lower()


# ---------------------------------------------------------------------------
# HTTP with retries
# ---------------------------------------------------------------------------
class NoRanges(Exception):
    """The server answered a Range request with the whole file."""


def http(url: str, *, method: str = "GET", headers: dict | None = None,
         expect_partial: bool = False) -> bytes:
    """Fetch url and return the body, retrying transient failures.

    With expect_partial, a 200 reply (server ignored the Range header) raises NoRanges
    at once instead of reading a possibly multi-GB body.
    """
    hdrs = {"User-Agent": USER_AGENT}
    hdrs.update(headers or {})
    last: Exception | None = None
    for attempt in range(RETRIES):
        try:
            req = urllib.request.Request(url, method=method, headers=hdrs)
            with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
                if expect_partial and resp.status != 206:
                    raise NoRanges(f"{url}: status {resp.status} to a Range request")
                return resp.read()
        except NoRanges:
            raise
        except urllib.error.HTTPError as e:
            last = e
            if e.code in (404, 410, 416):          # definite answers: don't retry
                raise
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as e:
            last = e
        time.sleep(min(2 ** attempt, 10))
    assert last is not None
    raise last


class RangeFile(io.RawIOBase):
    """A read-only, seekable file over HTTP Range requests, enough for zipfile.ZipFile.

    zipfile reads the end-of-central-directory record (near the end), the zip64
    records if any, then the central directory in one read: 2-4 requests in all.
    `fetch(start, end)` returns bytes [start, end) and is injectable for tests.
    """

    def __init__(self, size: int, fetch):
        super().__init__()
        self.size, self.fetch, self.pos = size, fetch, 0
        self.cache: list[tuple[int, bytes]] = []   # (start, data) blocks already read
        self.requests = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.pos

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def read(self, n=-1):
        if n is None or n < 0:
            n = self.size - self.pos
        start, end = self.pos, min(self.pos + n, self.size)
        if start >= end:
            return b""
        for cstart, data in self.cache:
            if cstart <= start and end <= cstart + len(data):
                break
        else:
            # Read at least RANGE_BLOCK, ending at the requested end if near EOF,
            # so the EOCD probe and the zip64 locator come in one request.
            fstart = start if end - start >= RANGE_BLOCK else max(0, min(start, end - RANGE_BLOCK))
            fend = max(end, min(self.size, fstart + RANGE_BLOCK))
            data = self.fetch(fstart, fend)
            self.requests += 1
            if len(data) != fend - fstart:
                raise OSError(f"short range read: {len(data)} != {fend - fstart}")
            cstart = fstart
            self.cache.append((cstart, data))
        out = data[start - cstart:end - cstart]
        self.pos = end
        return out

    def readinto(self, b):
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)


def zip_uncompressed_size(fileobj) -> int:
    """Sum of uncompressed sizes of all members, from the zip central directory."""
    with zipfile.ZipFile(fileobj) as zf:
        return sum(info.file_size for info in zf.infolist())


def sdist_uncompressed_size(data: bytes, filename: str) -> int:
    if filename.endswith(".zip"):
        return zip_uncompressed_size(io.BytesIO(data))
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tf:
        return sum(m.size for m in tf.getmembers() if m.isfile())


# ---------------------------------------------------------------------------
# Choosing the file pip would install
# ---------------------------------------------------------------------------
_MANYLINUX = re.compile(r"^manylinux_(\d+)_(\d+)_x86_64$")
_LEGACY = {"manylinux1_x86_64": (2, 5), "manylinux2010_x86_64": (2, 12),
           "manylinux2014_x86_64": (2, 17)}


def _glibc(plat: str):
    """glibc version a linux x86_64 platform tag needs, 'any' -> (0, 0), else None."""
    if plat == "any":
        return (0, 0)
    if plat in _LEGACY:
        return _LEGACY[plat]
    m = _MANYLINUX.match(plat)
    return (int(m.group(1)), int(m.group(2))) if m else None


def _interp_rank(py: str, abi: str):
    """Lower is better; None if not installable on CPython 3.11 (pip's tag order)."""
    major, minor = TARGET_PY
    exact = f"cp{major}{minor}"
    m = re.fullmatch(r"cp(\d)(\d+)", py)
    if py == exact and abi == exact:
        return 0
    if m and abi == "abi3" and int(m.group(1)) == major and int(m.group(2)) <= minor:
        return 1 + (minor - int(m.group(2))) / 100   # newer abi3 first
    if abi != "none":
        return None
    if py == exact:
        return 2
    m = re.fullmatch(r"py(\d)(\d*)", py)
    if m and int(m.group(1)) == major and (not m.group(2) or int(m.group(2)) <= minor):
        return 3 + (0.5 if not m.group(2) else (minor - int(m.group(2))) / 100)
    return None


def wheel_score(filename: str):
    """Sort key for a wheel (lower = preferred), or None if pip would not use it here.

    Binary (manylinux) wheels come before pure '-any' ones, as in pip; within a group,
    the best interpreter/abi, then the newest glibc <= TARGET_GLIBC.
    """
    parts = filename[:-4].split("-")
    if len(parts) < 5:
        return None
    pys, abis, plats = (p.split(".") for p in parts[-3:])
    best = None
    for plat in plats:
        g = _glibc(plat)
        if g is None or g > TARGET_GLIBC:
            continue
        binary = plat != "any"
        for py in pys:
            for abi in abis:
                r = _interp_rank(py, abi)
                if r is None:
                    continue
                key = (0 if binary else 1, r, tuple(-x for x in g))
                best = key if best is None or key < best else best
    return best


def wheel_tag(filename: str) -> str:
    return "-".join(filename[:-4].split("-")[-3:])


def choose_file(files: list[dict]):
    """The release file to measure: best wheel, else the sdist, else None."""
    usable = [f for f in files if not f.get("yanked")]
    wheels = [(wheel_score(f["filename"]), f) for f in usable
              if f.get("packagetype") == "bdist_wheel" and f["filename"].endswith(".whl")]
    wheels = [(s, f) for s, f in wheels if s is not None]
    if wheels:
        return min(wheels, key=lambda sf: sf[0])[1]
    sdists = [f for f in usable if f.get("packagetype") == "sdist"]
    # prefer .tar.gz over .zip when both exist
    sdists.sort(key=lambda f: not f["filename"].endswith(".tar.gz"))
    return sdists[0] if sdists else None


# ---------------------------------------------------------------------------
# Choosing the release: pip on CPython 3.11 takes the newest final release whose
# Requires-Python admits 3.11 (e.g. numpy 2.3+ needs >= 3.11, later ones may need 3.12).
# ---------------------------------------------------------------------------
_VERSION = re.compile(r"^v?(?:(\d+)!)?(\d+(?:\.\d+)*)((?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview|dev)"
                      r"[-_.]?\d*)*)((?:[-_.]?(?:post|rev|r)[-_.]?\d*|-\d+)?)(?:\+[a-z0-9.]+)?$", re.I)


def version_key(v: str):
    """Sort key for a final PEP 440 version, or None for pre/dev releases and junk."""
    m = _VERSION.match(v.strip())
    if not m or m.group(3):
        return None
    rel = [int(x) for x in m.group(2).split(".")]
    while len(rel) > 1 and rel[-1] == 0:
        rel.pop()
    post = int(re.sub(r"\D", "", m.group(4)) or 0) if m.group(4) else -1
    return (int(m.group(1) or 0), tuple(rel), post)


def python_ok(spec: str | None, py=(TARGET_PY[0], TARGET_PY[1], 99)) -> bool:
    """Does a Requires-Python specifier admit CPython 3.11.x? Unparseable -> True."""
    if not spec:
        return True
    for clause in spec.split(","):
        clause = clause.strip().replace(" ", "")
        m = re.fullmatch(r"(~=|===|==|!=|<=|>=|<|>)v?([0-9]+(?:\.[0-9]+)*)(\.\*)?", clause)
        if not m:
            continue
        op, ver, wild = m.group(1), [int(x) for x in m.group(2).split(".")], m.group(3)
        if wild:                                     # ==3.11.* / !=3.0.*
            same = list(py[:len(ver)]) == ver
            if (op == "==" and not same) or (op == "!=" and same):
                return False
            continue
        n = max(len(ver), 3)
        a, b = tuple(list(py) + [0] * (n - 3)), tuple(ver + [0] * (n - len(ver)))
        if op in ("==", "==="):
            # "==3.11" means exactly 3.11.0; a patch-level interpreter compares by 3.11
            ok = a[:len(ver)] == tuple(ver) if len(ver) < 3 else a == b
        elif op == "~=":
            ok = a >= b and list(py[:len(ver) - 1]) == ver[:-1]
        else:
            ok = {"!=": a != b, "<=": a <= b, ">=": a >= b, "<": a < b, ">": a > b}[op]
        if not ok:
            return False
    return True


def choose_release(meta: dict):
    """(version, file) for the newest final release installable here, else (newest, None)."""
    releases = meta.get("releases") or {}
    newest = meta["info"]["version"]
    if not releases:                    # some mirrors omit `releases`: use `urls` (newest)
        releases = {newest: meta.get("urls") or []}
    cands = sorted(((version_key(v), v) for v in releases if version_key(v) is not None),
                   reverse=True)
    if not cands and newest in releases:        # only pre-releases exist: pip -> none; keep newest
        cands = [((0,), newest)]
    for _, v in cands:
        files = [f for f in releases[v] if python_ok(f.get("requires_python"))]
        f = choose_file(files)
        if f is not None:
            return v, f
    return newest, None


# ---------------------------------------------------------------------------
# One package
# ---------------------------------------------------------------------------
def runtime_deps(requires_dist) -> list[str]:
    """The names a plain `pip install NAME` also installs on CPython 3.11 / Linux: requirements
    without an `extra ==` marker and without a marker that excludes Linux or 3.11."""
    out = []
    for r in requires_dist or []:
        req, _, marker = r.partition(";")
        m = marker.replace(" ", "")
        if "extra==" in m or 'sys_platform=="win32"' in m or 'platform_system=="Windows"' in m \
                or 'sys_platform=="darwin"' in m or 'python_version<"3.' in m and not re.search(r'python_version<"3\.(1[2-9])', m):
            continue
        n = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
        if n:
            out.append(normalize(n.group(1)))
    return sorted(set(out))


def measure(name: str, max_download: int) -> dict:
    json_url = f"https://pypi.org/pypi/{urllib.parse.quote(name)}/json"
    meta = json.loads(http(json_url))
    newest = meta["info"]["version"]
    version, f = choose_release(meta)
    if f is None:
        raise RuntimeError(f"no release installable on CPython 3.11 x86_64 (newest {newest})")
    # the API gives absolute files.pythonhosted.org URLs; a mirror may give relative ones
    size, url, fn = int(f["size"]), urllib.parse.urljoin(json_url, f["url"]), f["filename"]
    entry = {"name": normalize(meta["info"]["name"] or name), "version": version,
             "wheel": size, "file": fn, "deps": runtime_deps(meta["info"].get("requires_dist"))}
    if version != newest:
        entry["newest"] = newest
    if f["packagetype"] == "sdist":
        entry["sdist"] = True
        entry["approx"] = True
        if size <= max(max_download, MAX_DOWNLOAD):
            entry["installed"] = sdist_uncompressed_size(http(url), fn)
        else:
            entry["installed"] = round(size * APPROX_FACTOR)
        return entry
    if size <= max_download:
        data = http(url)
        if len(data) != size:
            raise RuntimeError(f"{fn}: got {len(data)} bytes, PyPI says {size}")
        entry["installed"] = zip_uncompressed_size(io.BytesIO(data))
        entry["how"] = "download"
        return entry
    try:
        rf = RangeFile(size, lambda a, b: http(
            url, headers={"Range": f"bytes={a}-{b - 1}"}, expect_partial=True))
        entry["installed"] = zip_uncompressed_size(rf)
        entry["how"] = f"range x{rf.requests}"
    except (NoRanges, OSError, zipfile.BadZipFile, urllib.error.URLError) as e:
        entry["installed"] = round(size * APPROX_FACTOR)
        entry["approx"] = True
        entry["how"] = f"approx ({e.__class__.__name__})"
    return entry


# ---------------------------------------------------------------------------
# TOML output
# ---------------------------------------------------------------------------
def toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def render(entries: list[dict], failed: dict, listed: int, partial: bool, started: str) -> str:
    wheels = [e["wheel"] for e in entries]
    inst = [e["installed"] for e in entries]
    out = [
        "# Typical sizes of PyPI packages, used to estimate what `pip install` adds to an image.",
        f"# GENERATED by rules/gen/pypi_sizes.py on {started} (UTC). Do not edit: rerun the script.",
        "# Source: PyPI JSON API, https://pypi.org/pypi/<name>/json; files from files.pythonhosted.org.",
        "# Version: the newest final release whose Requires-Python admits CPython 3.11 (what pip picks there).",
        f"# File measured: the one pip picks for CPython {TARGET_PY[0]}.{TARGET_PY[1]} on glibc x86_64"
        f" (manylinux <= {TARGET_GLIBC[0]}.{TARGET_GLIBC[1]}, Debian bookworm):",
        "#   cp311-cp311-manylinux* > cp3X-abi3-manylinux* > py3-none-manylinux* > py3-none-any > sdist.",
        "# wheel     = bytes downloaded (= the file pip caches in ~/.cache/pip)",
        "# installed = sum of uncompressed file sizes in the wheel (zip central directory; wheels over",
        f"#             {MAX_DOWNLOAD // 1_000_000} MB read by HTTP Range). Excludes .pyc compiled at install time"
        " and all dependencies.",
        f"# approx = true : installed is estimated (wheel x {APPROX_FACTOR}, or an sdist's unpacked contents)",
        "# sdist = true  : no usable wheel; sizes are of the source distribution",
        f"# Packages: {len(entries)} measured of {listed} listed"
        + (" -- PARTIAL RUN (--only): [typical] is NOT representative." if partial else "."),
    ]
    older = sorted((e for e in entries if e.get("newest")), key=lambda e: e["name"])
    if older:
        out.append("# Newest release does not support CPython 3.11, the last one that does is measured:")
        out += [f"#   {e['name']}: {e['version']} (newest {e['newest']})" for e in older]
    if failed:
        out.append(f"# Skipped ({len(failed)}, fetch or parse failed):")
        for n in sorted(failed):
            out.append(f"#   {n}: {failed[n]}"[:200])
    out += ["", "[packages]"]
    for e in sorted(entries, key=lambda e: e["name"]):
        fields = [f'version = {json.dumps(e["version"])}', f'wheel = {e["wheel"]}',
                  f'installed = {e["installed"]}']
        if e.get("sdist"):
            fields.append("sdist = true")
        if e.get("approx"):
            fields.append("approx = true")
        if e.get("deps"):
            fields.append(f'deps = {json.dumps(e["deps"])}')
        out.append(f'{toml_key(e["name"])} = {{ {", ".join(fields)} }}')
    out += [
        "",
        "# Per-package average the tool uses for packages not listed above:",
        f"# the median over all {len(entries)} packages in [packages].",
        "[typical]",
        f"wheel = {round(statistics.median(wheels)) if wheels else 0}",
        f"installed = {round(statistics.median(inst)) if inst else 0}",
        f"packages = {len(entries)}",
        "",
    ]
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Offline self-test
# ---------------------------------------------------------------------------
def selftest() -> None:
    import tomllib
    # wheel choice
    files = [
        {"filename": "x-1-cp311-cp311-musllinux_1_1_x86_64.whl", "packagetype": "bdist_wheel", "size": 1},
        {"filename": "x-1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
         "packagetype": "bdist_wheel", "size": 2},
        {"filename": "x-1-cp311-cp311-manylinux_2_28_x86_64.whl", "packagetype": "bdist_wheel", "size": 3},
        {"filename": "x-1-cp311-cp311-manylinux_2_39_x86_64.whl", "packagetype": "bdist_wheel", "size": 4},
        {"filename": "x-1-cp312-cp312-manylinux_2_17_x86_64.whl", "packagetype": "bdist_wheel", "size": 5},
        {"filename": "x-1-py3-none-any.whl", "packagetype": "bdist_wheel", "size": 6},
        {"filename": "x-1.tar.gz", "packagetype": "sdist", "size": 7},
    ]
    assert choose_file(files)["size"] == 3, choose_file(files)
    assert choose_file(files[4:])["size"] == 6
    assert choose_file(files[4:5] + files[6:])["size"] == 7
    abi3 = [{"filename": "c-1-cp37-abi3-manylinux_2_28_x86_64.whl", "packagetype": "bdist_wheel", "size": 1},
            {"filename": "c-1-cp39-abi3-manylinux_2_28_x86_64.whl", "packagetype": "bdist_wheel", "size": 2},
            {"filename": "c-1-cp311-abi3-manylinux_2_28_aarch64.whl", "packagetype": "bdist_wheel", "size": 3},
            {"filename": "c-1-py2.py3-none-any.whl", "packagetype": "bdist_wheel", "size": 4}]
    assert choose_file(abi3)["size"] == 2
    assert choose_file([{"filename": "o-1-py2-none-any.whl", "packagetype": "bdist_wheel", "size": 1},
                        {"filename": "o-1-py3-none-any.whl", "packagetype": "bdist_wheel",
                         "size": 2, "yanked": True}]) is None
    assert normalize("Django_Rest.Framework") == "django-rest-framework"
    # release choice and Requires-Python
    assert version_key("2.10.0") > version_key("2.9.1") > version_key("2.9")
    assert version_key("1.0.post1") > version_key("1.0")
    assert version_key("3.0.0rc1") is None and version_key("2.0.dev3") is None
    for spec, ok in ((">=3.8", True), (">=3.12", False), (">=3.9,<3.12", True), ("<3.11", False),
                     ("!=3.11.*,>=3", False), ("==3.11.*", True), ("~=3.10", True), (">=3.11.0", True),
                     (">=2.7, !=3.0.*, !=3.1.*", True), ("", True), (None, True)):
        assert python_ok(spec) is ok, (spec, ok)
    whl = lambda v, rp: {"filename": f"n-{v}-cp311-cp311-manylinux_2_17_x86_64.whl",
                         "packagetype": "bdist_wheel", "size": 1, "requires_python": rp}
    meta = {"info": {"version": "2.5.0"},
            "releases": {"2.5.0": [whl("2.5.0", ">=3.12")], "2.4.10": [whl("2.4.10", ">=3.11")],
                         "2.4.9": [whl("2.4.9", ">=3.11")], "3.0.0b1": [whl("3.0.0b1", ">=3.11")]}}
    assert choose_release(meta)[0] == "2.4.10"
    # central directory over ranges, incl. zip64 (force it with >65535 entries is slow;
    # ZipFile(allowZip64) with force_zip64 on one entry exercises the zip64 extra)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(300):
            zf.writestr(f"pkg/m{i}.py", os.urandom(10) * (i + 1))
        with zf.open("pkg/big.bin", "w", force_zip64=True) as w:
            w.write(b"\0" * 3_000_000)
    blob = buf.getvalue()
    want = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(blob)).infolist())
    rf = RangeFile(len(blob), lambda a, b: blob[a:b])
    assert zip_uncompressed_size(rf) == want == 3_000_000 + sum(10 * (i + 1) for i in range(300))
    assert rf.requests <= 3, rf.requests
    # sdist contents
    tbuf = io.BytesIO()
    with tarfile.open(fileobj=tbuf, mode="w:gz") as tf:
        ti = tarfile.TarInfo("x-1/setup.py"); ti.size = 1234
        tf.addfile(ti, io.BytesIO(b"a" * 1234))
    assert sdist_uncompressed_size(tbuf.getvalue(), "x-1.tar.gz") == 1234
    # TOML renders and parses
    text = render([{"name": "a.b", "version": "1", "wheel": 10, "installed": 30},
                   {"name": "c", "version": "2", "wheel": 20, "installed": 50, "approx": True, "sdist": True}],
                  {"zz": "HTTP 404"}, 3, False, "2000-01-01")
    doc = tomllib.loads(text)
    assert doc["packages"]["a.b"]["installed"] == 30 and doc["packages"]["c"]["approx"] is True
    assert doc["typical"] == {"wheel": 15, "installed": 40, "packages": 2}
    print("selftest ok")


# ---------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "pypi-sizes.toml"),
                    help="output TOML (default: rules/pypi-sizes.toml beside rules/gen/)")
    ap.add_argument("--jobs", type=int, default=8, help="parallel requests (default 8)")
    ap.add_argument("--max-download", type=int, default=MAX_DOWNLOAD,
                    help="download wheels whole up to this many bytes, else use Range (default 60 MB)")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="measure only these packages")
    ap.add_argument("--selftest", action="store_true", help="offline checks, then exit")
    args = ap.parse_args()
    if args.selftest:
        selftest()
        return 0

    names = list(dict.fromkeys(normalize(n) for n in PACKAGES.split()))
    listed = len(names)
    if args.only:
        names = list(dict.fromkeys(normalize(n) for n in args.only))
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    t0 = time.monotonic()
    entries, failed = [], {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futs = {pool.submit(measure, n, args.max_download): n for n in names}
        for fut in concurrent.futures.as_completed(futs):
            n = futs[fut]
            try:
                e = fut.result()
                entries.append(e)
                print(f"{e['name']:32} {e['version']:14} wheel={e['wheel']:>11} "
                      f"installed={e['installed']:>11} {e.get('how', 'sdist')}  [{e['file']}]",
                      file=sys.stderr)
            except Exception as ex:  # skip and report: one bad package must not stop the run
                failed[n] = f"{ex.__class__.__name__}: {ex}".replace("\n", " ")
                print(f"{n:32} FAILED {failed[n]}", file=sys.stderr)
    # the same project can appear twice only via --only aliases; keep one per name
    entries = list({e["name"]: e for e in entries}.values())
    text = render(entries, failed, listed, bool(args.only), started)
    out = os.path.normpath(args.out)
    with open(out + ".tmp", "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(out + ".tmp", out)
    print(f"wrote {out}: {len(entries)} packages, {len(failed)} skipped, "
          f"{time.monotonic() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
