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
    /// Read by `imgslim gate` and `imgslim push`.
    #[serde(default)]
    pub gate: GateFile,
    #[serde(default)]
    pub push: PushFile,
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
    /// Size findings at or above this many bytes are warnings, the others info (`100MB`).
    pub size_warning: Option<String>,
    /// Rules that are off unless named here (IS510, experimental in BuildKit too).
    #[serde(default)]
    pub enable: Vec<String>,
    /// Labels the final image must have, with their kind (text, url, email, rfc3339, semver,
    /// hash, spdx), as hadolint's `label-schema`.
    #[serde(default)]
    pub label_schema: std::collections::BTreeMap<String, String>,
    /// With a label schema: labels it does not name are findings too.
    #[serde(default)]
    pub strict_labels: bool,
}

/// `[gate]`: budgets (snake_case as documented; kebab-case accepted).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateFile {
    #[serde(alias = "max-size")]
    pub max_size: Option<String>,
    #[serde(alias = "max-compressed-size")]
    pub max_compressed_size: Option<String>,
    #[serde(alias = "max-growth")]
    pub max_growth: Option<String>,
    #[serde(alias = "max-wasted")]
    pub max_wasted: Option<String>,
    #[serde(default)]
    pub forbid: Vec<String>,
    #[serde(alias = "min-efficiency")]
    pub min_efficiency: Option<f64>,
    #[serde(alias = "max-layers")]
    pub max_layers: Option<usize>,
    pub baseline: Option<String>,
}

/// `[push]`: what `imgslim hook install` and `imgslim push` default to.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushFile {
    pub image: Option<String>,
    pub dockerfile: Option<String>,
}

/// The settings file and where it was found, and hadolint's file if there is one.
#[derive(Debug, Default)]
pub struct Loaded {
    pub path: Option<PathBuf>,
    pub file: FileSettings,
    pub hadolint: Option<(PathBuf, crate::hadolint::HadolintFile)>,
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
    let hadolint = match std::env::current_dir().ok().and_then(|d| crate::hadolint::find(&d)) {
        Some(p) => {
            let h = crate::hadolint::load(&p)?;
            Some((p, h))
        }
        None => None,
    };
    let Some(path) = path else { return Ok(Loaded { hadolint, ..Default::default() }) };
    let bytes =
        imgslim::limits::read_regular(&path, 16 << 20).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))?;
    let file: FileSettings = toml::from_str(&text).with_context(|| format!("invalid {}", path.display()))?;
    Ok(Loaded { path: Some(path), file, hadolint })
}

/// What the command line says about linting.
pub struct LintFlags<'a> {
    pub ignore: &'a [String],
    pub failure_threshold: Option<&'a str>,
    pub no_fail: bool,
    pub enable: &'a [String],
}

/// Lint settings: the file's, then flags.
pub struct LintSettings {
    pub lint: imgslim::lint::Settings,
    pub failure_threshold: Option<Severity>,
    /// Size findings at or above this are warnings, the others info.
    pub size_warning: u64,
}

/// Lint settings: hadolint's file (if any), then imgslim.toml's `[lint]`, then flags; the later
/// wins.
pub fn lint_settings(loaded: &Loaded, flags: &LintFlags, context_dir: Option<PathBuf>) -> anyhow::Result<LintSettings> {
    let f = &loaded.file.lint;
    let parse_threshold = |s: &str| -> anyhow::Result<Option<Severity>> {
        if s.eq_ignore_ascii_case("none") || s.eq_ignore_ascii_case("ignore") {
            return Ok(None);
        }
        Severity::parse(s)
            .map(Some)
            .ok_or_else(|| anyhow::anyhow!("unknown severity {s:?} (error, warning, info, style or none)"))
    };
    let hadolint = loaded.hadolint.as_ref().map(|(_, h)| h);
    let threshold = flags
        .failure_threshold
        .or(f.failure_threshold.as_deref())
        .or(hadolint.and_then(|h| h.failure_threshold.as_deref()));
    let mut failure_threshold = match threshold {
        Some(s) => parse_threshold(s).with_context(|| match (flags.failure_threshold, &f.failure_threshold) {
            (None, None) => format!(
                "failure-threshold of {}",
                loaded.hadolint.as_ref().map_or(String::new(), |(p, _)| p.display().to_string())
            ),
            _ => "failure-threshold".to_string(),
        })?,
        None => Some(Severity::Warning),
    };
    if flags.no_fail || hadolint.is_some_and(|h| h.no_fail) {
        failure_threshold = None;
    }
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
    // hadolint's overrides come after imgslim.toml's: the first match wins
    if let Some(h) = hadolint {
        let o = &h.r#override;
        for (list, s) in [
            (&o.error, Severity::Error),
            (&o.warning, Severity::Warning),
            (&o.info, Severity::Info),
            (&o.style, Severity::Style),
        ] {
            severity.extend(list.iter().map(|code| (code.clone(), s)));
        }
    }
    let size_warning = match &f.size_warning {
        Some(v) => imgslim::units::parse_bytes(v).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: size-warning {v:?} is not a size (100MB, 1GiB)",
                loaded.path.as_ref().map_or(String::new(), |p| p.display().to_string())
            )
        })?,
        None => imgslim::analyze::dockerfile::accounting::Thresholds::default().warning,
    };
    Ok(LintSettings {
        size_warning,
        lint: imgslim::lint::Settings {
            trusted_registries: if f.trusted_registries.is_empty() {
                hadolint.map(|h| h.trusted_registries.list()).unwrap_or_default()
            } else {
                f.trusted_registries.clone()
            },
            ignore: hadolint.iter().flat_map(|h| &h.ignored).chain(&f.ignore).chain(flags.ignore).cloned().collect(),
            severity,
            context_dir,
            enable: f.enable.iter().chain(flags.enable).cloned().collect(),
            label_schema: if f.label_schema.is_empty() {
                hadolint.map(|h| h.label_schema.clone().into_iter().collect()).unwrap_or_default()
            } else {
                f.label_schema.clone().into_iter().collect()
            },
            strict_labels: f.strict_labels || hadolint.is_some_and(|h| h.strict_labels),
            no_inline_ignores: hadolint.is_some_and(|h| h.disable_ignore_pragma),
        },
        failure_threshold,
    })
}

/// Gate flags, as given on the command line (unset: the file's value).
#[derive(Debug, Default, Clone)]
pub struct GateFlags {
    pub max_size: Option<String>,
    pub max_compressed_size: Option<String>,
    pub max_growth: Option<String>,
    pub max_wasted: Option<String>,
    pub forbid: Vec<String>,
    pub min_efficiency: Option<f64>,
    pub max_layers: Option<usize>,
    pub baseline: Option<String>,
}

/// Budgets and baseline: the file's `[gate]`, then flags.
pub fn gate_settings(
    file: &GateFile,
    flags: &GateFlags,
) -> anyhow::Result<(imgslim::analyze::gate::Budgets, Option<String>)> {
    use imgslim::analyze::gate::{Amount, Budgets};
    let bytes = |key: &str, v: &Option<String>| -> anyhow::Result<Option<u64>> {
        v.as_deref()
            .map(|s| {
                imgslim::units::parse_bytes(s)
                    .with_context(|| format!("{key}: {s:?} is not a size (e.g. 200MB, 1.5GiB)"))
            })
            .transpose()
    };
    let amount = |key: &str, v: &Option<String>| -> anyhow::Result<Option<Amount>> {
        v.as_deref()
            .map(|s| {
                Amount::parse(s).with_context(|| format!("{key}: {s:?} is not a size or a percentage (e.g. 20MB, 10%)"))
            })
            .transpose()
    };
    let pick = |flag: &Option<String>, file: &Option<String>| flag.clone().or_else(|| file.clone());
    let known = imgslim::analyze::catalog::Catalog::builtin().names.clone();
    let forbid: Vec<String> = if flags.forbid.is_empty() { file.forbid.clone() } else { flags.forbid.clone() };
    for f in &forbid {
        anyhow::ensure!(known.contains(f), "forbid: unknown leftover category {f:?} (one of {})", known.join(", "));
    }
    let min_efficiency = flags.min_efficiency.or(file.min_efficiency);
    if let Some(e) = min_efficiency {
        anyhow::ensure!((0.0..=1.0).contains(&e), "min_efficiency must be between 0 and 1, got {e}");
    }
    let budgets = Budgets {
        max_size: bytes("max_size", &pick(&flags.max_size, &file.max_size))?,
        max_compressed_size: bytes(
            "max_compressed_size",
            &pick(&flags.max_compressed_size, &file.max_compressed_size),
        )?,
        max_growth: amount("max_growth", &pick(&flags.max_growth, &file.max_growth))?,
        max_wasted: amount("max_wasted", &pick(&flags.max_wasted, &file.max_wasted))?,
        forbid,
        min_efficiency,
        max_layers: flags.max_layers.or(file.max_layers),
        max_user_wasted: None,
    };
    Ok((budgets, pick(&flags.baseline, &file.baseline)))
}
