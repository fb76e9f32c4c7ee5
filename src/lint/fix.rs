//! Applying fixes: non-overlapping edits of the chosen applicability, round after round (each
//! round re-parses and re-lints the result) until nothing changes.

use super::{lint, Applicability, Diagnostic, Edit, Settings};
use crate::dockerfile::{model, parse_str, ParseError};

/// Apply the fixes at or above `allow` that do not overlap an earlier one; returns the new text
/// and how many fixes were applied.
pub fn apply(source: &str, diagnostics: &[Diagnostic], allow: Applicability) -> (String, usize) {
    use std::collections::BTreeMap;
    // chosen edits by start offset: an edit is checked against its neighbours only, so many
    // fixes stay linear
    let mut chosen: BTreeMap<usize, Vec<&Edit>> = BTreeMap::new();
    let mut applied = 0;
    let mut fixes: Vec<_> =
        diagnostics.iter().filter_map(|d| d.fix.as_ref()).filter(|f| f.applicability >= allow).collect();
    fixes.sort_by_key(|f| f.edits.iter().map(|e| e.span.start).min().unwrap_or(0));
    let clash = |e: &Edit, c: &Edit| {
        (e.span.start < c.span.end && c.span.start < e.span.end)
            || (e.span.is_empty() && c.span.is_empty() && e.span.start == c.span.start)
            || (e.span.is_empty()
                && c.span.contains(e.span)
                && e.span.start != c.span.start
                && e.span.start != c.span.end)
            || (c.span.is_empty()
                && e.span.contains(c.span)
                && c.span.start != e.span.start
                && c.span.start != e.span.end)
    };
    for f in fixes {
        let overlaps = f.edits.iter().any(|e| {
            let before = chosen.range(..=e.span.start).rev().take(2).flat_map(|(_, v)| v.iter());
            let inside = chosen.range(e.span.start + 1..e.span.end.max(e.span.start + 1)).flat_map(|(_, v)| v.iter());
            before.chain(inside).any(|c| clash(e, c))
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
        for e in &f.edits {
            chosen.entry(e.span.start).or_default().push(e);
        }
        applied += 1;
    }
    // one pass, front to back: the text between edits, then each edit's text; edits at one
    // offset in the order a back-to-front application would leave them
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    for (_, mut edits) in chosen {
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.end));
        for e in edits.iter().rev() {
            if e.span.start < at {
                continue;
            }
            out.push_str(&source[at..e.span.start]);
            out.push_str(&e.text);
            at = e.span.end;
        }
    }
    out.push_str(&source[at..]);
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
