//! Settings from `imgslim.toml` (found in the current directory or above, or `--config`),
//! merged with command-line flags in one place. Flags win over the file.

use anyhow::Context as _;
use imgslim::lint::Severity;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    #[serde(default)]
    pub lint: LintFile,
    /// Read by `imgslim gate` and `imgslim push --gate`.
    #[serde(default)]
    #[allow(dead_code)]
    pub gate: Option<toml::Value>,
    #[serde(default)]
    #[allow(dead_code)]
    pub push: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LintFile {
    #[serde(default)]
    pub ignore: Vec<String>,
    pub failure_threshold: Option<String>,
    #[serde(default)]
    pub trusted_registries: Vec<String>,
    #[serde(default)]
    pub severity: std::collections::BTreeMap<String, String>,
}

/// The settings file and where it was found.
#[derive(Debug, Default)]
pub struct Loaded {
    pub path: Option<PathBuf>,
    pub file: FileSettings,
}

/// `imgslim.toml` in `start` or its ancestors.
fn find(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let p = d.join("imgslim.toml");
        if p.is_file() {
            return Some(p);
        }
        dir = d.parent();
    }
    None
}

pub fn load(explicit: Option<&Path>) -> anyhow::Result<Loaded> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => std::env::var_os("IMGSLIM_CONFIG").map(PathBuf::from).or_else(|| find(&std::env::current_dir().ok()?)),
    };
    let Some(path) = path else { return Ok(Loaded::default()) };
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: FileSettings = toml::from_str(&text).with_context(|| format!("invalid {}", path.display()))?;
    Ok(Loaded { path: Some(path), file })
}

/// Lint settings: the file's, then flags.
pub struct LintSettings {
    pub lint: imgslim::lint::Settings,
    pub failure_threshold: Option<Severity>,
}

pub fn lint_settings(
    loaded: &Loaded,
    ignore: &[String],
    threshold: Option<&str>,
    context_dir: Option<PathBuf>,
) -> anyhow::Result<LintSettings> {
    let f = &loaded.file.lint;
    let parse_threshold = |s: &str| -> anyhow::Result<Option<Severity>> {
        if s.eq_ignore_ascii_case("none") {
            return Ok(None);
        }
        Severity::parse(s)
            .map(Some)
            .ok_or_else(|| anyhow::anyhow!("unknown severity {s:?} (error, warning, info, style or none)"))
    };
    let failure_threshold = match threshold.or(f.failure_threshold.as_deref()) {
        Some(s) => parse_threshold(s)?,
        None => Some(Severity::Warning),
    };
    let mut severity = Vec::new();
    for (k, v) in &f.severity {
        let s = Severity::parse(v).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: unknown severity {v:?} for {k}",
                loaded.path.as_ref().map_or(String::new(), |p| p.display().to_string())
            )
        })?;
        severity.push((k.clone(), s));
    }
    Ok(LintSettings {
        lint: imgslim::lint::Settings {
            trusted_registries: f.trusted_registries.clone(),
            ignore: f.ignore.iter().chain(ignore).cloned().collect(),
            severity,
            context_dir,
        },
        failure_threshold,
    })
}
