//! `imgslim rule CODE` / `imgslim rule --all`: the rules' documentation.

use super::ExitStatus;
use crate::cli::{RuleArgs, RuleFormat};
use crate::printer::stdout;
use imgslim::lint::{codes, docs, Rule};
use std::io::Write;

fn record(code: &str, rule: &dyn Rule) -> serde_json::Value {
    let m = rule.meta();
    serde_json::json!({
        "code": code,
        "name": m.name,
        "severity": m.severity,
        "category": m.category,
        "aliases": m.aliases,
        "summary": m.summary,
        "fix": m.fix,
        "docs": docs(m.name),
    })
}

pub fn run(args: RuleArgs) -> anyhow::Result<ExitStatus> {
    let mut out = stdout();
    let selected: Vec<(&str, &dyn Rule)> = if args.all {
        codes::RULES.to_vec()
    } else {
        let word = args.code.clone().unwrap_or_default();
        let found = codes::resolve(&word);
        if found.is_empty() {
            anyhow::bail!("no rule {word:?} (imgslim rule --all lists them)");
        }
        found.into_iter().filter_map(|c| codes::by_code(c).map(|r| (c, r))).collect()
    };
    match args.format {
        RuleFormat::Json => {
            let v: Vec<_> = selected.iter().map(|(c, r)| record(c, *r)).collect();
            serde_json::to_writer_pretty(&mut out, &v)?;
            writeln!(out)?;
        }
        RuleFormat::Markdown => {
            for (code, rule) in &selected {
                let m = rule.meta();
                writeln!(out, "## {code} {}\n", m.name)?;
                writeln!(
                    out,
                    "{} · {} · {}{}\n",
                    m.category.as_str(),
                    m.severity.as_str(),
                    if m.fix.is_some() { "fixable" } else { "no fix" },
                    if m.aliases.is_empty() { String::new() } else { format!(" · also {}", m.aliases.join(", ")) }
                )?;
                writeln!(out, "{}\n", docs(m.name).unwrap_or(m.summary).replace("## ", "### "))?;
            }
        }
        RuleFormat::Text if args.all => {
            for (code, rule) in &selected {
                let m = rule.meta();
                writeln!(
                    out,
                    "{code}  {:<32} {:<11} {:<8} {:<4} {}",
                    m.name,
                    m.category.as_str(),
                    m.severity.as_str(),
                    if m.fix.is_some() { "fix" } else { "" },
                    m.aliases.join(",")
                )?;
            }
        }
        RuleFormat::Text => {
            for (code, rule) in &selected {
                let m = rule.meta();
                writeln!(out, "{code} {} ({}, {})", m.name, m.category.as_str(), m.severity.as_str())?;
                if !m.aliases.is_empty() {
                    writeln!(out, "also: {}", m.aliases.join(", "))?;
                }
                if let Some(f) = m.fix {
                    writeln!(out, "fix: {f}")?;
                }
                writeln!(out, "\n{}", docs(m.name).unwrap_or(m.summary))?;
            }
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}
