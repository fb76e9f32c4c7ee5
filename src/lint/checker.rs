//! Run the rules: each command goes to the rules registered for its instruction kind, then every
//! rule sees the whole file once; suppressions, ignores and severity overrides apply last.

use super::codes::{self, RULES};
use super::context::{At, Context, Settings};
use super::suppress::Suppressions;
use super::{Diagnostic, Rule};
use crate::dockerfile::model::Model;
use crate::dockerfile::Dockerfile;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct LintResult {
    pub diagnostics: Vec<Diagnostic>,
    /// Findings hidden by suppression comments or settings.
    pub suppressed: usize,
}

fn set_code(out: &mut [Diagnostic], code: &'static str) {
    for d in out {
        d.code = code;
    }
}

/// Lint a parsed Dockerfile.
pub fn lint(df: &Dockerfile, model: &Model, settings: &Settings) -> LintResult {
    let cx = Context::new(df, model, settings);
    let mut by_kind: HashMap<&str, Vec<(&'static str, &dyn Rule)>> = HashMap::new();
    for &(code, rule) in RULES {
        for k in rule.kinds() {
            by_kind.entry(k).or_default().push((code, rule));
        }
    }
    let mut all = Vec::new();
    for (si, st) in model.stages.iter().enumerate() {
        for (ci, cmd) in st.commands.iter().enumerate() {
            let ins = cx.instructions[cmd.instruction];
            let Some(rules) = by_kind.get(ins.name().as_str()) else { continue };
            let at = At { stage: si, index: ci, cmd, ins };
            for &(code, rule) in rules {
                let mut out = Vec::new();
                rule.check(&cx, &at, &mut out);
                set_code(&mut out, code);
                all.extend(out);
            }
        }
    }
    for &(code, rule) in RULES {
        let mut out = Vec::new();
        rule.check_file(&cx, &mut out);
        set_code(&mut out, code);
        all.extend(out);
    }

    let sup = Suppressions::parse(df);
    let ignore: Vec<String> = settings.ignore.iter().map(|s| s.to_ascii_lowercase()).collect();
    let spans = df.instruction_spans();
    let instruction_of = |d: &Diagnostic| crate::dockerfile::syntax::instruction_at(&spans, d.span.start);
    let mut result = LintResult::default();
    for mut d in all {
        let aliases = codes::by_code(d.code).map_or(&[][..], |r| r.meta().aliases);
        let named = |key: &str| {
            let k = key.to_ascii_lowercase();
            k == d.code.to_ascii_lowercase() || k == d.name || aliases.iter().any(|a| a.to_ascii_lowercase() == k)
        };
        if codes::OPT_IN.contains(&d.code) && !settings.enable.iter().any(|e| named(e)) {
            continue;
        }
        let inline = !settings.no_inline_ignores && sup.suppresses(&d, aliases, instruction_of(&d));
        if inline || ignore.iter().any(|i| named(i)) {
            result.suppressed += 1;
            continue;
        }
        if let Some((_, sev)) = settings.severity.iter().find(|(k, _)| named(k)) {
            d.severity = *sev;
        }
        result.diagnostics.push(d);
    }
    result.diagnostics.sort_by(|a, b| a.span.start.cmp(&b.span.start).then_with(|| a.code.cmp(b.code)));
    result.diagnostics.dedup_by(|a, b| a.code == b.code && a.span == b.span && a.message == b.message);
    result
}
