"""Parse Dockerfiles with BuildKit's own parser (PyPI `dockerfile` 3.4.0, BuildKit v0.12.5).

Reads a JSON list of paths on stdin, writes a JSON list with, per file, either
{"ok": [instruction records]} or {"error": message}.
"""
import json
import sys

try:
    import dockerfile
except ImportError:
    sys.stderr.write("python package 'dockerfile' missing: pip install dockerfile==3.4.0\n")
    sys.exit(3)

out = []
for path in json.load(sys.stdin):
    try:
        cmds = dockerfile.parse_file(path)
    except dockerfile.GoParseError as e:
        out.append({"error": str(e)})
        continue
    except Exception as e:  # invalid UTF-8 and the like: the binding cannot return it
        out.append({"unrepresentable": repr(e)})
        continue
    out.append({"ok": [
        {
            "cmd": c.cmd,
            "sub_cmd": c.sub_cmd,
            "json": c.json,
            "start_line": c.start_line,
            "end_line": c.end_line,
            "flags": list(c.flags),
            "value": list(c.value),
            "heredocs": [{"name": h.name, "content": h.content} for h in c.heredocs],
        }
        for c in cmds
    ]})
json.dump(out, sys.stdout)
