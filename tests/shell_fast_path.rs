//! The fast path for simple scripts must give exactly what brush-parser gives: checked on every
//! RUN body of the corpus it accepts, and on edge cases (redirections, assignments, background
//! jobs, quotes, escapes).

mod common;

use imgslim::dockerfile::parse;
use imgslim::dockerfile::shell::{parse_script, parse_script_brush, ParsedBy};

fn check(text: &str) -> bool {
    let fast = parse_script(text);
    if fast.parsed_by != ParsedBy::Simple {
        return false;
    }
    let full =
        parse_script_brush(text).unwrap_or_else(|| panic!("brush rejects a script the fast path accepts: {text:?}"));
    assert_eq!(fast.commands, full.commands, "fast path differs from brush-parser on {text:?}");
    true
}

#[test]
fn edge_cases_match_brush() {
    let cases = [
        "apt-get update && apt-get install -y curl",
        "A=1 B='x y' make install && echo finished",
        "A=1",
        "cmd > /dev/null 2>&1 && other < in.txt >> out.log",
        "cmd 2>/dev/null; cmd2 &>/dev/null; cmd3 >&2",
        "sleep 1 & wait",
        "a || b && c; d",
        "echo \"a b\" 'c d' e\\ f \"${HOME}/x\" $VAR",
        "cat x | grep -v y | wc -l",
        "echo 'a;b' \"c&&d\" e\\;f",
        "rm -rf /var/lib/apt/lists/*\n echo next",
        "curl -fsSL https://example.com/install.sh | bash -s -- --prefix=/usr/local",
        "echo ok >out 2>err",
    ];
    for c in cases {
        assert!(check(c), "expected the fast path for {c:?}");
    }
    for c in [
        "if true; then a; fi",
        "echo $(date)",
        "(cd x && make)",
        "echo `date`",
        "cat <<EOF\nx\nEOF",
        "a # comment",
        "for i in 1; do echo; done",
        "! false",
    ] {
        assert!(!(parse_script(c).parsed_by == ParsedBy::Simple), "{c:?} needs the parser");
    }
}

#[test]
fn corpus_run_bodies_match_brush() {
    let corpus = common::shared_dir().join("corpus");
    let mut checked = 0;
    let mut total = 0;
    let mut stack = vec![corpus];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if !p.to_string_lossy().ends_with(".Dockerfile") {
                continue;
            }
            let Ok(df) = parse(&std::fs::read(&p).unwrap()) else { continue };
            for ins in df.instructions().filter(|i| i.name() == "run" && !i.node.json) {
                if let Some(v) = ins.node.values().first() {
                    total += 1;
                    if check(&v.text) {
                        checked += 1;
                    }
                }
            }
        }
    }
    eprintln!("{checked} of {total} RUN bodies took the fast path, all equal to brush-parser's result");
    assert!(total > 2900 && checked > total / 3, "{checked} of {total}");
}
