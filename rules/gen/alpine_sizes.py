#!/usr/bin/env python3
"""Estimated installed sizes of the Alpine packages Dockerfiles install, for imgslim's estimates.

Alpine's package index (APKINDEX) is not reachable from the machine this table is generated on,
so the sizes are derived, and say so: each Alpine package is mapped to the Debian bookworm
package that ships the same software (same name, or the mapping below), its Debian dependency
closure over a minbase system is read from rules/debian-bookworm.toml (which
rules/gen/debian_sizes.py built from Debian's Packages index), and scaled by ALPINE_FACTOR:
Alpine builds against musl, splits documentation and locales into -doc/-lang packages and does
not install recommends, so the same software installs smaller. Replace this table with
measured APKINDEX sizes (installed size, field I:) where that index can be read.

The package list: every name `apk add` installs in ../shared/corpus (Dockerfiles), most frequent
first, plus the names in EXTRA.

    python3 rules/gen/alpine_sizes.py [--corpus DIR] [--out rules/alpine-packages.toml]
"""
import argparse, collections, datetime, os, re, sys, tomllib

ALPINE_FACTOR = 0.6
# Alpine name -> Debian name, where they differ
MAP = {
    "build-base": "build-essential", "musl-dev": "libc6-dev", "linux-headers": "linux-libc-dev",
    "openssl-dev": "libssl-dev", "libffi-dev": "libffi-dev", "zlib-dev": "zlib1g-dev",
    "jpeg-dev": "libjpeg62-turbo-dev", "libjpeg-turbo-dev": "libjpeg62-turbo-dev", "libpng-dev": "libpng-dev",
    "postgresql-dev": "libpq-dev", "libpq-dev": "libpq-dev", "postgresql-client": "postgresql-client",
    "mariadb-dev": "libmariadb-dev", "mariadb-connector-c-dev": "libmariadb-dev", "mysql-client": "default-mysql-client",
    "py3-pip": "python3-pip", "py-pip": "python3-pip", "python3-dev": "python3-dev", "python2": "python2",
    "nodejs": "nodejs", "npm": "npm", "yarn": "yarnpkg", "openjdk8": "openjdk-17-jdk-headless",
    "openjdk11": "openjdk-17-jdk-headless", "openjdk17": "openjdk-17-jdk-headless",
    "openjdk8-jre": "openjdk-17-jre-headless", "openjdk11-jre": "openjdk-17-jre-headless",
    "g++": "g++", "gcc": "gcc", "libc-dev": "libc6-dev", "libxml2-dev": "libxml2-dev",
    "libxslt-dev": "libxslt1-dev", "pcre-dev": "libpcre3-dev", "readline-dev": "libreadline-dev",
    "ncurses-dev": "libncurses-dev", "sqlite-dev": "libsqlite3-dev", "sqlite": "sqlite3",
    "curl-dev": "libcurl4-openssl-dev", "freetype-dev": "libfreetype-dev", "libzip-dev": "libzip-dev",
    "icu-dev": "libicu-dev", "yaml-dev": "libyaml-dev", "gmp-dev": "libgmp-dev", "bind-tools": "bind9-dnsutils",
    "openssh-client": "openssh-client", "openssh": "openssh-server", "shadow": "passwd", "su-exec": "gosu",
    "tini": "tini", "dumb-init": "dumb-init", "ca-certificates": "ca-certificates", "tzdata": "tzdata",
    "bash": "bash", "git": "git", "curl": "curl", "wget": "wget", "make": "make", "cmake": "cmake",
    "autoconf": "autoconf", "automake": "automake", "libtool": "libtool", "pkgconfig": "pkg-config",
    "pkgconf": "pkg-config", "go": "golang-go", "rust": "rustc", "cargo": "cargo", "ruby": "ruby",
    "ruby-dev": "ruby-dev", "php": "php-cli", "perl": "perl", "unzip": "unzip", "zip": "zip",
    "tar": "tar", "xz": "xz-utils", "jq": "jq", "vim": "vim", "nano": "nano", "gnupg": "gnupg",
    "openssl": "openssl", "imagemagick": "imagemagick", "ffmpeg": "ffmpeg", "graphviz": "graphviz",
    "chromium": "chromium", "nginx": "nginx", "supervisor": "supervisor", "rsync": "rsync",
    "coreutils": "coreutils", "findutils": "findutils", "procps": "procps", "util-linux": "util-linux",
    "libstdc++": "libstdc++6", "libgcc": "libgcc-s1", "libffi": "libffi8", "libpq": "libpq5",
    "openblas-dev": "libopenblas-dev", "lapack-dev": "liblapack-dev", "gfortran": "gfortran",
    "mariadb-client": "mariadb-client", "redis": "redis-server", "gettext": "gettext", "patch": "patch",
    "file": "file", "less": "less", "htop": "htop", "iputils": "iputils-ping", "net-tools": "net-tools",
}
EXTRA = list(MAP)


def corpus_names(corpus):
    counts = collections.Counter()
    for root, _, files in os.walk(corpus):
        for f in files:
            try:
                text = open(os.path.join(root, f), errors="replace").read()
            except OSError:
                continue
            text = re.sub(r"\\\n", " ", text)
            for m in re.finditer(r"\bapk\b([^;&|\n]*?)\badd\b([^;&|\n]*)", text):
                for w in m.group(2).split():
                    if w.startswith("-") or "$" in w or "/" in w or w.startswith("."):
                        continue
                    counts[re.split(r"[=<>~]", w)[0]] += 1
    return counts


def closure(graph, providers, present, name):
    seen, stack, total = set(), [name], 0
    while stack:
        n = stack.pop()
        n = n if n in graph else providers.get(n, n)
        if n in present or n in seen or n not in graph:
            continue
        seen.add(n)
        total += graph[n]["own"]
        for alts in graph[n].get("deps", []):
            opts = alts.split("|")
            if any(o in present or o in seen for o in opts):
                continue
            stack.append(opts[0])
    return total


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(here, "../../../shared/corpus"))
    ap.add_argument("--out", default=os.path.join(here, "../alpine-packages.toml"))
    a = ap.parse_args()
    deb = tomllib.load(open(os.path.join(here, "../debian-bookworm.toml"), "rb"))
    graph = deb["graph"]
    providers = {}
    for n, node in graph.items():
        for p in node.get("provides", []):
            providers.setdefault(p, n)
    present = set(deb["base"]["packages"])
    counts = corpus_names(a.corpus) if os.path.isdir(a.corpus) else collections.Counter()
    names = sorted(set(n for n, c in counts.items() if c >= 2) | set(EXTRA))
    rows, missing = {}, []
    for n in names:
        d = MAP.get(n, n)
        if d not in graph and d not in providers:
            missing.append(n)
            continue
        b = closure(graph, providers, present, d) or graph.get(providers.get(d, d), {}).get("own", 0)
        if b:
            rows[n] = (round(b * ALPINE_FACTOR), d)
    sizes = sorted(v[0] for v in rows.values())
    typical = sizes[len(sizes) // 2] if sizes else 0
    out = [
        "# Estimated installed sizes of Alpine packages (apk add), with their dependencies.",
        f"# GENERATED by rules/gen/alpine_sizes.py on {datetime.date.today()}. Do not edit: rerun the script.",
        "# DERIVED, not measured: Alpine's APKINDEX was not reachable where this was generated. Each",
        "# package is the Debian bookworm package shipping the same software (`debian`), its Depends",
        f"# closure over minbase from rules/debian-bookworm.toml, times {ALPINE_FACTOR} (musl, split -doc/-lang",
        "# packages, no recommends). Names: what `apk add` installs in the corpus (twice or more) and",
        f"# a list of common ones; {len(missing)} names had no Debian counterpart and are left out.",
        "",
        "[packages]",
    ]
    for n in sorted(rows):
        key = n if re.fullmatch(r"[A-Za-z0-9_-]+", n) else '"' + n + '"'
        out.append(f'{key} = {{ bytes = {rows[n][0]}, debian = "{rows[n][1]}" }}')
    out += ["", "# for a package not listed: the median of the packages above", "[typical]", f"bytes = {typical}", ""]
    open(a.out, "w").write("\n".join(out))
    print(f"wrote {a.out}: {len(rows)} packages, {len(missing)} without a Debian counterpart", file=sys.stderr)


if __name__ == "__main__":
    main()
