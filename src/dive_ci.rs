//! dive's CI configuration (`.dive-ci`, or `--ci-config FILE` as dive spells it): `rules:` with
//! `lowestEfficiency`, `highestWastedBytes` and `highestUserWastedPercent`, each a value or
//! `disabled`, in dive's units (ratios 0-1; B, KB, MB, GB in powers of 1000).

use anyhow::Context as _;
use imgslim::analyze::gate::{Amount, Budgets};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiveCi {
    #[serde(default)]
    rules: Rules,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Rules {
    lowest_efficiency: Option<serde_yaml::Value>,
    highest_wasted_bytes: Option<serde_yaml::Value>,
    highest_user_wasted_percent: Option<serde_yaml::Value>,
}

/// `.dive-ci` in the current directory, as dive looks for it.
pub fn find() -> Option<PathBuf> {
    let p = std::env::current_dir().ok()?.join(".dive-ci");
    p.is_file().then_some(p)
}

/// A value, or None for `disabled` (or absent).
fn value(v: &Option<serde_yaml::Value>) -> Option<String> {
    match v {
        None | Some(serde_yaml::Value::Null) => None,
        Some(serde_yaml::Value::String(s)) if s.trim().eq_ignore_ascii_case("disabled") => None,
        Some(serde_yaml::Value::String(s)) => Some(s.trim().to_string()),
        Some(serde_yaml::Value::Number(n)) => Some(n.to_string()),
        Some(other) => Some(format!("{other:?}")),
    }
}

fn ratio(key: &str, v: &Option<serde_yaml::Value>, path: &Path) -> anyhow::Result<Option<f64>> {
    value(v)
        .map(|s| {
            let r: f64 = s.parse().with_context(|| format!("{}: {key}: {s:?} is not a ratio", path.display()))?;
            anyhow::ensure!((0.0..=1.0).contains(&r), "{}: {key} must be between 0 and 1, got {r}", path.display());
            Ok(r)
        })
        .transpose()
}

/// The budgets a `.dive-ci` file sets.
pub fn budgets(path: &Path) -> anyhow::Result<Budgets> {
    let bytes =
        imgslim::limits::read_regular(path, 1 << 20).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))?;
    let f: DiveCi = if text.trim().is_empty() {
        DiveCi::default()
    } else {
        serde_yaml::from_str(&text).with_context(|| format!("invalid {}", path.display()))?
    };
    let wasted = value(&f.rules.highest_wasted_bytes)
        .map(|s| {
            imgslim::units::parse_bytes(&s)
                .map(Amount::Bytes)
                .with_context(|| format!("{}: highestWastedBytes: {s:?} is not a size", path.display()))
        })
        .transpose()?;
    Ok(Budgets {
        min_efficiency: ratio("lowestEfficiency", &f.rules.lowest_efficiency, path)?,
        max_wasted: wasted,
        max_user_wasted: ratio("highestUserWastedPercent", &f.rules.highest_user_wasted_percent, path)?,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dives_readme_example() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".dive-ci");
        std::fs::write(
            &p,
            "rules:\n  # If the efficiency is measured below X%, mark as failed.\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n  highestUserWastedPercent: 0.20\n",
        )
        .unwrap();
        let b = budgets(&p).unwrap();
        assert_eq!(b.min_efficiency, Some(0.95));
        assert!(matches!(b.max_wasted, Some(Amount::Bytes(20_000_000))));
        assert_eq!(b.max_user_wasted, Some(0.20));
        std::fs::write(
            &p,
            "rules:\n  lowestEfficiency: disabled\n  highestWastedBytes: disabled\n  highestUserWastedPercent: 0.1\n",
        )
        .unwrap();
        let b = budgets(&p).unwrap();
        assert_eq!((b.min_efficiency, b.max_wasted.is_none()), (None, true));
        std::fs::write(&p, "rules:\n  lowestEfficency: 0.9\n").unwrap();
        assert!(budgets(&p).is_err(), "a misspelt rule is an error, not ignored");
    }
}
