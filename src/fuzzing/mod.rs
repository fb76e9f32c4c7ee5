//! The bodies of the fuzz targets (`fuzz/fuzz_targets/*`), here so that `cargo test` runs the
//! same checks over the committed seeds and everything the fuzzer kept (`tests/fuzz_corpus.rs`).
//! Each may return early on input that is refused; none may panic.

use crate::analyze::{analyze_streamed, read_options, AnalyzeOptions, Trees};
use crate::dockerfile::model::expand::{Platform, Scope};
use crate::dockerfile::{model, parse};
use crate::image::SourceKind;
use crate::layer::stream::index_archive;
use crate::lint::{fix, lint as run_lint, Applicability, Settings};

pub mod grammar;

/// The parser, the typed model and variable expansion; whatever parses re-emits byte for byte.
pub fn parse_target(data: &[u8]) {
    crate::dockerfile::shell::quiet_brush_panics();
    let Ok(df) = parse(data) else { return };
    assert_eq!(df.render(), df.source);
    let Ok(m) = model::build(&df) else { return };
    if let Ok(scope) = Scope::new(&m, df.escape, &Default::default(), &Platform::host()) {
        for i in 0..m.stages.len() {
            let _ = scope.stage_vars(&m, i);
        }
    }
}

/// The bytes as a docker-archive and as an OCI archive, streamed (the path standard input and
/// the Docker engine take), stacked and analyzed with every tree kept, and rendered as HTML.
pub fn image_target(data: &[u8]) {
    crate::dockerfile::shell::quiet_brush_panics();
    for kind in [SourceKind::DockerArchive, SourceKind::OciArchive] {
        let Ok(streamed) = index_archive(std::io::Cursor::new(data), kind, read_options(true)) else { continue };
        let opts = AnalyzeOptions { trees: Trees::All, layer_files: Some(50), ..Default::default() };
        if let Ok(report) = analyze_streamed(streamed, &opts) {
            assert!(report.final_bytes <= report.size_bytes, "more visible than stored");
            let _ = crate::report::html::image(&report, None);
        }
    }
}

/// The shell parser RUN lines go through: the fast path and brush's parser.
pub fn shell_target(data: &[u8]) {
    crate::dockerfile::shell::quiet_brush_panics();
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = crate::dockerfile::shell::parse_script(text);
    let _ = crate::dockerfile::shell::parse_script_brush(text);
}

/// Lint, `--fix` and the rewrite planner on whatever parses: a fixed file parses, fixing it
/// again changes nothing, and a rewrite is a multi-stage file that parses.
pub fn lint_target(data: &[u8]) {
    crate::dockerfile::shell::quiet_brush_panics();
    let Ok(df) = parse(data) else { return };
    let Ok(m) = model::build(&df) else { return };
    let settings = Settings::default();
    let _ = run_lint(&df, &m, &settings);
    if let Ok(fixed) = fix::fix_all(&df.source, &settings, Applicability::Unsafe) {
        let again = fix::fix_all(&fixed.text, &settings, Applicability::Unsafe).expect("a fixed file parses");
        assert_eq!(again.text, fixed.text, "fixing twice changes the file");
    }
    check_rewrite(&df, &m);
}

/// Variable expansion on its own, in every mode the parser uses: the first byte picks the escape
/// character and the modes, the lines before the last define variables in order (as ENV does,
/// each value expanded with those before it), the last line is the word. A word never expands
/// past `limits::MAX_EXPANSION_WORD`.
pub fn expand_target(data: &[u8]) {
    crate::dockerfile::shell::quiet_brush_panics();
    use crate::dockerfile::lex::Lex;
    let Some((&mode, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let mut lex = Lex::new(if mode & 1 == 0 { '\\' } else { '`' });
    lex.raw_quotes = mode & 2 != 0;
    lex.raw_escapes = mode & 4 != 0;
    lex.skip_process_quotes = mode & 8 != 0;
    lex.skip_unset_env = mode & 16 != 0;
    let mut vars = model::expand::Vars::default();
    let mut lines: Vec<&str> = text.split('\n').collect();
    let word = lines.pop().unwrap_or_default();
    for line in lines {
        let (k, v) = line.split_once('=').unwrap_or((line, ""));
        let Ok(v) = lex.process_word(v, &vars) else { continue };
        vars.set(k, &v);
        if vars.value_bytes() > crate::limits::MAX_EXPANSION_FILE {
            return; // what Scope refuses
        }
    }
    if let Ok(p) = lex.process(word, &vars) {
        assert!(p.result.len() <= crate::limits::MAX_EXPANSION_WORD, "a word past the expansion limit");
        let _ = lex.process_words(word, &vars);
    }
}

/// The rewrite planner; a rewritten Dockerfile parses, builds a model and is multi-stage.
pub fn rewrite_target(data: &[u8]) {
    crate::dockerfile::shell::quiet_brush_panics();
    let Ok(df) = parse(data) else { return };
    let Ok(m) = model::build(&df) else { return };
    check_rewrite(&df, &m);
}

fn check_rewrite(df: &crate::dockerfile::Dockerfile, m: &model::Model) {
    if let crate::rewrite::Outcome::Rewritten(plan) = crate::rewrite::plan(df, m, None, &Default::default()) {
        let out = parse(plan.dockerfile.as_bytes()).unwrap_or_else(|e| panic!("the rewrite does not parse: {e}"));
        let m2 = model::build(&out).unwrap_or_else(|e| panic!("the rewrite has no model: {e}"));
        assert!(m2.stages.len() >= 2, "the rewrite is single-stage");
    }
}

/// Dockerfiles written by the grammar-aware generator (`grammar`) from the fuzzer's bytes:
/// nesting, here-documents, continuations and real package-manager commands that byte-level
/// mutation seldom reaches, through the parser, lint, `--fix` and the rewrite planner.
pub fn grammar_target(data: &[u8]) {
    crate::dockerfile::shell::quiet_brush_panics();
    let text = grammar::dockerfile(data);
    parse_target(text.as_bytes());
    lint_target(text.as_bytes()); // the rewrite planner's checks too, planned once
}
