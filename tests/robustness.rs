//! No input makes the parser panic: random bytes from Dockerfile-ish alphabets, invalid UTF-8,
//! 10 MB lines, the fuzzer's corpus. Whatever parses re-emits exactly and keeps its spans inside
//! the file.

use imgslim::dockerfile::model::expand::{Platform, Scope};
use imgslim::dockerfile::{model, parse, Args, Dockerfile, MAX_LINE};
use proptest::prelude::*;

fn check_invariants(df: &Dockerfile) {
    assert_eq!(df.render(), df.source);
    let mut pos = 0;
    for item in &df.items {
        assert_eq!(item.span().start, pos, "items tile the file");
        pos = item.span().end;
    }
    assert_eq!(pos, df.source.len());
    for ins in df.instructions() {
        let mut tokens = vec![&ins.node.keyword];
        tokens.extend(ins.node.flags.iter());
        tokens.extend(ins.node.values());
        if let Args::Sub { node } = &ins.node.args {
            tokens.push(&node.keyword);
            tokens.extend(node.flags.iter());
        }
        for t in tokens {
            assert!(ins.span.contains(t.span), "token {:?} outside {:?}", t, ins.span);
            assert!(df.source.is_char_boundary(t.span.start) && df.source.is_char_boundary(t.span.end));
        }
        assert!(ins.start_line <= ins.end_line);
    }
    if let Ok(m) = model::build(df) {
        let scope = Scope::new(&m, df.escape, &Default::default(), &Platform::host());
        if let Ok(scope) = scope {
            for i in 0..m.stages.len() {
                let _ = scope.stage_vars(&m, i);
                let _ = scope.base_image(&m.stages[i]);
            }
        }
    }
}

fn fragments() -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&'static [u8]> = vec![
        b"FROM ",
        b"RUN ",
        b"COPY ",
        b"ADD ",
        b"ENV ",
        b"ARG ",
        b"LABEL ",
        b"ONBUILD ",
        b"HEALTHCHECK ",
        b"CMD ",
        b"SHELL ",
        b"EXPOSE ",
        b"USER ",
        b"WORKDIR ",
        b"VOLUME ",
        b"from ",
        b"AS ",
        b"--mount=",
        b"--from=",
        b"--",
        b"type=cache,target=/x",
        b"\\",
        b"`",
        b"\"",
        b"'",
        b"\n",
        b"\r\n",
        b"\t",
        b" ",
        b"#",
        b"# escape=`\n",
        b"# syntax=x\n",
        b"<<",
        b"<<-",
        b"EOF",
        b"\n\tEOF\n",
        b"\nEOF\n",
        b"$",
        b"${",
        b"}",
        b":-",
        b"[",
        b"]",
        b",",
        b"=",
        b"a",
        b"b c",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\xc3",
        b"\xe0\xa0\x80",
        b"\xc2\xa0",
        b"\xc2\x85",
        b"\0",
        b"\\\n",
        b"`\n",
        b"[\"a\", \"b\"]",
        b"[1]",
        b"NONE",
        b"CMD",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, .. ProptestConfig::default() })]

    #[test]
    fn dockerfile_fragments_never_panic(input in fragments()) {
        if let Ok(df) = parse(&input) {
            check_invariants(&df);
        }
    }

    #[test]
    fn random_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(df) = parse(&input) {
            check_invariants(&df);
        }
    }
}

#[test]
fn ten_megabyte_line_is_rejected_like_buildkit() {
    let mut src = b"FROM a\nRUN echo ".to_vec();
    src.extend(std::iter::repeat_n(b'x', 10 << 20));
    let err = parse(&src).unwrap_err();
    assert_eq!(err.message, "dockerfile line greater than max allowed size of 65535");
}

#[test]
fn line_limit_is_exact() {
    let line = |n: usize| {
        let mut s = b"FROM a\nRUN ".to_vec();
        s.extend(std::iter::repeat_n(b'x', n - 4));
        s.push(b'\n');
        s
    };
    assert!(parse(&line(MAX_LINE - 1)).is_ok());
    assert!(parse(&line(MAX_LINE)).is_err());
}

#[test]
fn ten_megabytes_of_lines_parse() {
    let mut src = String::from("FROM a\n");
    while src.len() < 10 << 20 {
        src.push_str("RUN echo hello world && apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/* \\\n    && echo a long continued line to make the instruction count stay below the limit\n");
    }
    let df = parse(src.as_bytes()).unwrap();
    assert!(df.instructions().count() > 50_000);
    check_invariants(&df);
}

#[test]
fn instructions_past_the_limit_are_refused_while_parsing() {
    let limit = imgslim::limits::MAX_INSTRUCTIONS;
    let mut src = String::from("FROM a\n");
    for i in 1..limit {
        src.push_str(&format!("RUN echo {i}\n"));
    }
    assert_eq!(parse(src.as_bytes()).unwrap().instructions().count(), limit);
    src.push_str("RUN echo one more\n");
    let e = parse(src.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("instructions (the limit)"), "{e}");
}

#[test]
fn invalid_utf8_is_read_lossily_not_rejected() {
    let df = parse(b"FROM a\nLABEL author=Jos\xe9\nRUN echo \xff\n").unwrap();
    assert!(df.lossy);
    let ins: Vec<_> = df.instructions().collect();
    assert_eq!(ins[1].node.values()[1].text, "Jos\u{fffd}");
    check_invariants(&df);
}

#[test]
fn fuzz_corpus_never_panics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/parse");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        if let Ok(df) = parse(&bytes) {
            check_invariants(&df);
        }
        n += 1;
    }
    assert!(n > 0, "the fuzz corpus is empty");
}
