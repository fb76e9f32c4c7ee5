//! hadolint's configuration file, for people who arrive with one: `.hadolint.yaml` or
//! `.hadolint.yml` in the current directory, then (imgslim's addition, for runs from a
//! subdirectory) at the git root, then where hadolint looks next: `$XDG_CONFIG_HOME/hadolint.yaml`,
//! `~/.config/hadolint.yaml`, `~/.hadolint/hadolint.yaml`, `~/hadolint/config.yaml`,
//! `~/.hadolint.yaml`. Its
//! keys map onto imgslim's lint settings; DL codes are aliases of imgslim's rules everywhere a
//! code is accepted.

use anyhow::Context as _;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The keys hadolint documents (unknown keys are an error, as in hadolint).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HadolintFile {
    #[serde(default)]
    pub ignored: Vec<String>,
    #[serde(default)]
    pub r#override: Override,
    pub failure_threshold: Option<String>,
    #[serde(default, rename = "trustedRegistries", alias = "trusted-registries")]
    pub trusted_registries: OneOrMany,
    #[serde(default)]
    pub label_schema: BTreeMap<String, String>,
    #[serde(default)]
    pub strict_labels: bool,
    #[serde(default)]
    pub no_fail: bool,
    /// Accepted and not used: imgslim has its own `--format` and `--color`.
    #[allow(dead_code)]
    pub format: Option<String>,
    #[allow(dead_code)]
    pub no_color: Option<bool>,
    #[serde(default)]
    pub disable_ignore_pragma: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    #[serde(default)]
    pub error: Vec<String>,
    #[serde(default)]
    pub warning: Vec<String>,
    #[serde(default)]
    pub info: Vec<String>,
    #[serde(default)]
    pub style: Vec<String>,
}

/// `trustedRegistries: docker.io` or a list.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn list(&self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// Where hadolint would find its configuration, first match wins.
pub fn find(cwd: &Path) -> Option<PathBuf> {
    let in_dir = |d: &Path| [".hadolint.yaml", ".hadolint.yml"].iter().map(|n| d.join(n)).find(|p| p.is_file());
    if let Some(p) = in_dir(cwd) {
        return Some(p);
    }
    let mut dir = Some(cwd);
    while let Some(d) = dir {
        if d.join(".git").exists() {
            if let Some(p) = in_dir(d) {
                return Some(p);
            }
            break;
        }
        dir = d.parent();
    }
    let mut places = Vec::new();
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME") {
        places.push(PathBuf::from(x).join("hadolint.yaml"));
    }
    if let Some(h) = std::env::var_os("HOME").map(PathBuf::from) {
        places.push(h.join(".config/hadolint.yaml"));
        places.push(h.join(".hadolint/hadolint.yaml"));
        places.push(h.join("hadolint/config.yaml"));
        places.push(h.join(".hadolint.yaml"));
    }
    places.into_iter().find(|p| p.is_file())
}

pub fn load(path: &Path) -> anyhow::Result<HadolintFile> {
    let bytes =
        imgslim::limits::read_regular(path, 1 << 20).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))?;
    if text.trim().is_empty() {
        return Ok(HadolintFile::default());
    }
    serde_yaml::from_str(&text).with_context(|| format!("invalid {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hadolints_documented_example_parses() {
        // the example configuration of hadolint's README, every key
        let text = r#"
failure-threshold: string
format: json
ignored:
  - DL3000
  - SC1010
label-schema:
  author: text
  contact: email
  created: rfc3339
  version: semver
  documentation: url
  git-revision: hash
  license: spdx
no-color: false
no-fail: false
override:
  error:
    - DL3001
    - DL3002
  warning:
    - DL3042
    - DL3033
  info:
    - DL3032
  style:
    - DL3015
strict-labels: false
disable-ignore-pragma: false
trustedRegistries:
  - docker.io
  - my-company.com:500
  - "*.gcr.io"
"#;
        let f: HadolintFile = serde_yaml::from_str(text).unwrap();
        assert_eq!(f.ignored, ["DL3000", "SC1010"]);
        assert_eq!(f.r#override.style, ["DL3015"]);
        assert_eq!(f.trusted_registries.list(), ["docker.io", "my-company.com:500", "*.gcr.io"]);
        assert_eq!(f.label_schema["license"], "spdx");
        let one: HadolintFile = serde_yaml::from_str("trustedRegistries: docker.io").unwrap();
        assert_eq!(one.trusted_registries.list(), ["docker.io"]);
        assert!(serde_yaml::from_str::<HadolintFile>("ignore: [DL3008]").is_err(), "a misspelt key is an error");
    }
}
