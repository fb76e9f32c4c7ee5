//! BuildKit's own parser test data: every positive case must give BuildKit's AST dump, every
//! negative case must be rejected.

mod common;

use imgslim::dockerfile::{dump::dump, parse};

/// Cases where the 2018 moby parser and current BuildKit disagree; imgslim follows BuildKit.
const BUILDKIT_REJECTS: &[(&str, &str)] = &[("escape-nonewline", "invalid escape token '``' does not match ` or \\")];

fn check_positive(root: &str, separators: bool) -> usize {
    let dir = common::shared_dir().join(root).join("testfiles");
    let mut failures = Vec::new();
    let cases = common::subdirs(&dir);
    for case in &cases {
        let name = case.file_name().unwrap().to_str().unwrap();
        if let Some((_, msg)) = BUILDKIT_REJECTS.iter().find(|(n, _)| !separators && *n == name) {
            let src = std::fs::read(case.join("Dockerfile")).unwrap();
            assert_eq!(&parse(&src).unwrap_err().message, msg);
            continue;
        }
        let src = std::fs::read(case.join("Dockerfile")).unwrap();
        let want = std::fs::read_to_string(case.join("result")).unwrap();
        match parse(&src) {
            Ok(df) => {
                let got = dump(&df, separators);
                if got.trim_end() != want.trim_end() {
                    failures.push(format!("{}:\n--- want\n{want}\n--- got\n{got}", case.display()));
                }
                assert_eq!(df.render().as_bytes(), &src[..], "round trip {}", case.display());
            }
            Err(e) => failures.push(format!("{}: unexpected error {e}", case.display())),
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
    cases.len()
}

fn check_negative(root: &str) -> usize {
    let dir = common::shared_dir().join(root).join("testfiles-negative");
    let cases = common::subdirs(&dir);
    for case in &cases {
        let src = std::fs::read(case.join("Dockerfile")).unwrap();
        let err = parse(&src).expect_err(&case.display().to_string());
        assert!(!err.message.is_empty());
    }
    cases.len()
}

#[test]
fn buildkit_positive_cases_match_result_files() {
    assert_eq!(check_positive("conformance/buildkit/frontend/dockerfile/parser", true), 33);
}

#[test]
fn moby_legacy_positive_cases_match_result_files() {
    assert_eq!(check_positive("conformance/buildkit/moby-legacy/builder/dockerfile/parser", false), 30);
}

#[test]
fn negative_cases_are_rejected() {
    assert_eq!(check_negative("conformance/buildkit/frontend/dockerfile/parser"), 4);
    assert_eq!(check_negative("conformance/buildkit/moby-legacy/builder/dockerfile/parser"), 2);
}

#[test]
fn negative_case_messages_are_buildkits() {
    let base = common::shared_dir().join("conformance/buildkit/frontend/dockerfile/parser/testfiles-negative");
    let msg = |name: &str| parse(&std::fs::read(base.join(name).join("Dockerfile")).unwrap()).unwrap_err();
    assert_eq!(msg("env_no_value").message, "ENV must have two arguments");
    assert_eq!(msg("env_no_value").line, 3);
    assert_eq!(msg("empty_dockerfile").message, "file with no instructions");
    assert_eq!(msg("only_comments").message, "file with no instructions");
    assert_eq!(
        msg("shykes-nested-json").message,
        "when using JSON array syntax, arrays must be comprised of strings only"
    );
}

#[test]
fn line_numbers_are_buildkits() {
    // BuildKit's TestParseIncludesLineNumbers expectations for testfile-line/Dockerfile.
    let path = common::shared_dir().join("conformance/buildkit/frontend/dockerfile/parser/testfile-line/Dockerfile");
    let df = parse(&std::fs::read(path).unwrap()).unwrap();
    let lines: Vec<(usize, usize)> = df.instructions().map(|i| (i.start_line, i.end_line)).collect();
    assert_eq!(lines, [(5, 5), (11, 12), (17, 31)]);
}

#[test]
fn empty_continuation_lines_warn() {
    let df = parse(
        b"FROM alpine:3.6\n\nRUN valid \\\n    continuation\n\nRUN something \\\n\n    following \\\n\n    more\n",
    )
    .unwrap();
    assert_eq!(df.warnings.len(), 1);
    assert_eq!(df.warnings[0].line, 10);
    assert!(df.warnings[0].message.starts_with("Empty continuation line found in: RUN something"));
}

/// All 1118 corpus files parse, with BuildKit's instruction and FROM counts, re-emit byte for
/// byte, and build a typed model.
#[test]
fn corpus_parses_with_buildkit_counts() {
    let corpus = common::shared_dir().join("corpus");
    let index = std::fs::read_to_string(corpus.join("INDEX.tsv")).unwrap();
    let mut lines = index.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (file_c, froms_c, count_c) = (col("file"), col("n_stages_FROM"), col("n_instructions"));
    let mut n = 0;
    let mut model_errors = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split('\t').collect();
        let src = std::fs::read(corpus.join(f[file_c])).unwrap();
        let df = parse(&src).unwrap_or_else(|e| panic!("{}: {e}", f[file_c]));
        let count = df.instructions().count();
        let froms = df.instructions().filter(|i| i.name() == "from").count();
        assert_eq!(count.to_string(), f[count_c], "{} instruction count", f[file_c]);
        assert_eq!(froms.to_string(), f[froms_c], "{} FROM count", f[file_c]);
        assert_eq!(df.render().as_bytes(), &src[..], "{} round trip", f[file_c]);
        let items_cover = df.items.windows(2).all(|w| w[0].span().end == w[1].span().start);
        assert!(items_cover && df.items[0].span().start == 0, "{} items must tile the file", f[file_c]);
        if let Err(e) = imgslim::dockerfile::model::build(&df) {
            model_errors.push(format!("{}: {e}", f[file_c]));
        }
        n += 1;
    }
    assert_eq!(n, 1118);
    // Files BuildKit's parser accepts but its instruction check rejects before building.
    let expected: Vec<String> = vec![
        "GoogleContainerTools+skaffold/docs-v1__content__en__samples__builders__artifact-dependencies__Dockerfile.app.Dockerfile: line 3: unknown instruction: ...".into(),
    ];
    assert_eq!(model_errors, expected);
}
