#!/usr/bin/env bash
# Makes the screenshots in docs/ (shown in the README): the HTML reports of the runtime-report
# example (single-stage and as imgslim rewrites it, and their comparison) rendered by headless
# chromium, and the explorer captured from tmux (colours kept) and rendered the same way.
# Needs root, buildah with the ../shared/e2e base images, chromium and tmux.
# Usage: docs/screenshots.sh [IMGSLIM_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/target/release/imgslim}
app=$here/examples/runtime-report
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shot() { # page.html out.png height
  chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$work/profile" \
    --window-size=1280,"$3" --virtual-time-budget=3000 --screenshot="$2" "file://$1" 2>/dev/null
}
"$bin" rewrite -o "$work/Dockerfile.rewrite" "$app/Dockerfile"
buildah bud --isolation chroot --layers --pull=never -q -t localhost/imgslim-docs:single -f "$app/Dockerfile" "$app" >/dev/null
buildah bud --isolation chroot --layers --pull=never -q -t localhost/imgslim-docs:rewrite -f "$work/Dockerfile.rewrite" "$app" >/dev/null
"$bin" analyze localhost/imgslim-docs:single --dockerfile "$app/Dockerfile" --format html -o "$work/analyze.html"
"$bin" compare localhost/imgslim-docs:single localhost/imgslim-docs:rewrite --format html -o "$work/compare.html"
shot "$work/analyze.html" "$here/docs/analyze.png" 1250
shot "$work/compare.html" "$here/docs/compare.png" 1000

# the explorer: layer 1 of the single-stage image, usr/ opened, in a private tmux server
sock=$work/tmux.sock
tmux -S "$sock" -f /dev/null new-session -d -s docs -x 132 -y 32 \
  "TERM=xterm-256color $bin explore localhost/imgslim-docs:single --dockerfile $app/Dockerfile"
pid=$(tmux -S "$sock" display-message -p -t docs '#{pid}')
for _ in $(seq 100); do tmux -S "$sock" capture-pane -p -t docs | grep -q 'all layers' && break; sleep 0.2; done
tmux -S "$sock" send-keys -t docs Down Down Tab Enter Down Enter
sleep 1
tmux -S "$sock" capture-pane -e -p -t docs > "$work/explore.ansi"
kill "$pid"
python3 - "$work/explore.ansi" "$work/explore.html" <<'PY'
import html, re, sys
colours = {30: "#000", 31: "#e05561", 32: "#8cc265", 33: "#d18f52", 34: "#4aa5f0", 35: "#c162de", 36: "#42b3c2", 37: "#d7dae0"}
out, fg, bold, rev = [], None, False, False
for part in re.split(r"(\x1b\[[0-9;]*m)", open(sys.argv[1], encoding="utf-8").read()):
    m = re.fullmatch(r"\x1b\[([0-9;]*)m", part)
    if m:
        codes = [int(x) if x else 0 for x in m.group(1).split(";")]
        i = 0
        while i < len(codes):
            c = codes[i]; i += 1
            if c == 38 and i + 1 < len(codes) and codes[i] == 5:
                n = codes[i + 1]; i += 2
                fg = colours.get(30 + n % 8) if n < 16 else fg
                continue
            if 90 <= c <= 97: c -= 60
            if c == 0: fg, bold, rev = None, False, False
            elif c == 1: bold = True
            elif c == 7: rev = True
            elif c in (22,): bold = False
            elif c in (27,): rev = False
            elif c in colours: fg = colours[c]
            elif c == 39: fg = None
        continue
    if not part: continue
    style = []
    if rev: style.append(f"background:{fg or '#d7dae0'};color:#1e2127")
    elif fg: style.append(f"color:{fg}")
    if bold: style.append("font-weight:bold")
    text = html.escape(part)
    out.append(f'<span style="{";".join(style)}">{text}</span>' if style else text)
page = ('<!doctype html><meta charset=utf-8><body style="margin:0;background:#1e2127">'
        '<pre style="margin:0;padding:10px;color:#d7dae0;font:14px/1.25 \'DejaVu Sans Mono\',monospace">'
        + "".join(out) + "</pre></body>")
open(sys.argv[2], "w", encoding="utf-8").write(page)
PY
shot "$work/explore.html" "$here/docs/explore.png" 760
buildah rmi localhost/imgslim-docs:single localhost/imgslim-docs:rewrite >/dev/null
ls -la "$here"/docs/*.png
