//! Applying fixes: non-overlapping edits of the chosen applicability, round after round (each
//! round re-parses and re-lints the result) until nothing changes.

use super::{lint, Applicability, Diagnostic, Edit, Settings};
use crate::dockerfile::{model, parse_str, ParseError};

/// Apply the fixes at or above `allow` that do not overlap an earlier one; returns the new text
/// and how many fixes were applied.
pub fn apply(source: &str, diagnostics: &[Diagnostic], allow: Applicability) -> (String, usize) {
    let mut chosen: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    let mut fixes: Vec<_> =
        diagnostics.iter().filter_map(|d| d.fix.as_ref()).filter(|f| f.applicability >= allow).collect();
    fixes.sort_by_key(|f| f.edits.iter().map(|e| e.span.start).min().unwrap_or(0));
    for f in fixes {
        let overlaps = f.edits.iter().any(|e| {
            chosen.iter().any(|c| {
                (e.span.start < c.span.end && c.span.start < e.span.end)
                    || (e.span.is_empty() && c.span.is_empty() && e.span.start == c.span.start)
                    || (e.span.is_empty()
                        && c.span.contains(e.span)
                        && e.span.start != c.span.start
                        && e.span.start != c.span.end)
            })
        });
        if overlaps
            || f.edits.iter().any(|e| {
                e.span.end > source.len()
                    || !source.is_char_boundary(e.span.start)
                    || !source.is_char_boundary(e.span.end)
            })
        {
            continue;
        }
        chosen.extend(f.edits.iter());
        applied += 1;
    }
    chosen.sort_by(|a, b| b.span.start.cmp(&a.span.start).then_with(|| b.span.end.cmp(&a.span.end)));
    let mut out = source.to_string();
    for e in chosen {
        out.replace_range(e.span.start..e.span.end, &e.text);
    }
    (out, applied)
}

/// The outcome of fixing a file.
#[derive(Debug)]
pub struct Fixed {
    pub text: String,
    pub applied: usize,
    pub rounds: usize,
}

/// Fix until stable (at most 10 rounds). A round whose result does not parse is discarded.
pub fn fix_all(source: &str, settings: &Settings, allow: Applicability) -> Result<Fixed, ParseError> {
    let mut text = source.to_string();
    let mut applied = 0;
    let mut rounds = 0;
    for _ in 0..10 {
        let df = parse_str(&text)?;
        let Ok(m) = model::build(&df) else { break };
        let result = lint(&df, &m, settings);
        let (next, n) = apply(&text, &result.diagnostics, allow);
        if n == 0 || next == text {
            break;
        }
        let reparsed = parse_str(&next).ok().and_then(|d| model::build(&d).ok());
        if reparsed.is_none() {
            break;
        }
        text = next;
        applied += n;
        rounds += 1;
    }
    Ok(Fixed { text, applied, rounds })
}
