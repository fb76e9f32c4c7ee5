//! Size budgets for CI: check an image's analysis (and a baseline) against limits, each check
//! with its limit, the actual value and, when it fails, the layer and Dockerfile line to blame.

use super::Report;
use crate::units::{human_bytes, human_delta, parse_bytes};
use serde::Serialize;

/// A limit in bytes or as a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Amount {
    Bytes(u64),
    Percent(f64),
}

impl Amount {
    /// `200MB`, `1.5GiB`, `10%`.
    pub fn parse(s: &str) -> Option<Amount> {
        let s = s.trim();
        if let Some(p) = s.strip_suffix('%') {
            let v: f64 = p.trim().parse().ok()?;
            return (v.is_finite() && v >= 0.0).then_some(Amount::Percent(v));
        }
        parse_bytes(s).map(Amount::Bytes)
    }

    fn show(&self) -> String {
        match self {
            Amount::Bytes(b) => human_bytes(*b),
            Amount::Percent(p) => format!("{p}%"),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Budgets {
    pub max_size: Option<u64>,
    pub max_compressed_size: Option<u64>,
    pub max_growth: Option<Amount>,
    pub max_wasted: Option<Amount>,
    pub forbid: Vec<String>,
    pub min_efficiency: Option<f64>,
    pub max_layers: Option<usize>,
    /// dive's `highestUserWastedPercent`: wasted bytes over the bytes of the layers above the
    /// first (a ratio, 0-1).
    pub max_user_wasted: Option<f64>,
}

impl Budgets {
    pub fn is_empty(&self) -> bool {
        self.max_size.is_none()
            && self.max_compressed_size.is_none()
            && self.max_growth.is_none()
            && self.max_wasted.is_none()
            && self.forbid.is_empty()
            && self.min_efficiency.is_none()
            && self.max_layers.is_none()
            && self.max_user_wasted.is_none()
    }
}

/// What the gate compares growth against: a previous report, an image, or a registry manifest
/// (which gives stored sizes only).
#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    pub source: String,
    pub size_bytes: Option<u64>,
    pub compressed_bytes: Option<u64>,
    /// Layer ids (diff ids, or blob digests for a manifest) the baseline has.
    pub layer_ids: Vec<String>,
}

impl Baseline {
    pub fn from_report(source: &str, r: &Report) -> Baseline {
        Baseline {
            source: source.to_string(),
            size_bytes: Some(r.size_bytes),
            compressed_bytes: Some(r.compressed_bytes),
            layer_ids: r.layers.iter().flat_map(|l| l.diff_id.iter().chain([&l.digest])).cloned().collect(),
        }
    }

    /// From a JSON report written by `imgslim analyze --format json` or `imgslim gate --format json`.
    pub fn from_json(source: &str, v: &serde_json::Value) -> Option<Baseline> {
        let r = if v.get("report").is_some() { &v["report"] } else { v };
        let size = r["size_bytes"].as_u64();
        let compressed = r["compressed_bytes"].as_u64();
        if size.is_none() && compressed.is_none() {
            return None;
        }
        let layer_ids = r["layers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .flat_map(|l| [l["diff_id"].as_str(), l["digest"].as_str()])
                    .flatten()
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Some(Baseline { source: source.to_string(), size_bytes: size, compressed_bytes: compressed, layer_ids })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// `max_size`, `max_growth`, ...
    pub rule: String,
    pub limit: String,
    pub actual: String,
    pub passed: bool,
    pub message: String,
    /// The Dockerfile line to blame, when known.
    pub line: Option<usize>,
    pub layer: Option<usize>,
}

/// The layer that adds most bytes the baseline does not have.
fn biggest_new_layer<'a>(r: &'a Report, baseline: Option<&Baseline>) -> Option<&'a super::LayerReport> {
    r.layers
        .iter()
        .filter(|l| {
            baseline.is_none_or(|b| {
                !b.layer_ids.contains(&l.digest) && l.diff_id.as_ref().is_none_or(|d| !b.layer_ids.contains(d))
            })
        })
        .max_by_key(|l| l.size_bytes)
}

fn blame(l: Option<&super::LayerReport>) -> String {
    match l {
        Some(l) => format!(
            "; biggest growth: layer {} (+{}){}{}",
            l.index,
            human_bytes(l.size_bytes),
            l.line.map(|n| format!(" from Dockerfile line {n}")).unwrap_or_default(),
            l.instruction
                .as_ref()
                .or(l.created_by.as_ref())
                .map(|c| format!(": {}", crate::report::ellipsis(c, 80)))
                .unwrap_or_default()
        ),
        None => String::new(),
    }
}

pub fn evaluate(r: &Report, b: &Budgets, baseline: Option<&Baseline>) -> Vec<Check> {
    let mut out = Vec::new();
    let mut check = |rule: &str,
                     limit: String,
                     actual: String,
                     passed: bool,
                     message: String,
                     layer: Option<&super::LayerReport>| {
        out.push(Check {
            rule: rule.into(),
            limit,
            actual,
            passed,
            message,
            line: if passed { None } else { layer.and_then(|l| l.line) },
            layer: if passed { None } else { layer.map(|l| l.index) },
        });
    };
    let biggest = r.layers.iter().max_by_key(|l| l.size_bytes);
    if let Some(max) = b.max_size {
        let ok = r.size_bytes <= max;
        let msg = format!(
            "image is {} (limit {}){}",
            human_bytes(r.size_bytes),
            human_bytes(max),
            if ok { String::new() } else { blame(biggest) }
        );
        check("max_size", human_bytes(max), human_bytes(r.size_bytes), ok, msg, biggest);
    }
    if let Some(max) = b.max_compressed_size {
        let ok = r.compressed_bytes <= max;
        let msg = format!("a pull moves {} (limit {})", human_bytes(r.compressed_bytes), human_bytes(max));
        check("max_compressed_size", human_bytes(max), human_bytes(r.compressed_bytes), ok, msg, biggest);
    }
    if let Some(limit) = b.max_growth {
        match baseline {
            None => check(
                "max_growth",
                limit.show(),
                "no baseline".into(),
                false,
                "max_growth needs a baseline (--baseline)".into(),
                None,
            ),
            Some(base) => {
                let (now, then, what) = match base.size_bytes {
                    Some(s) => (r.size_bytes, s, "size"),
                    None => (r.compressed_bytes, base.compressed_bytes.unwrap_or(0), "compressed size"),
                };
                let growth = now as i64 - then as i64;
                let pct = if then == 0 { 0.0 } else { 100.0 * growth as f64 / then as f64 };
                let ok = match limit {
                    Amount::Bytes(x) => growth <= x as i64,
                    Amount::Percent(p) => pct <= p,
                };
                let newest = biggest_new_layer(r, Some(base));
                let msg = format!(
                    "{what} {} -> {} ({}, {pct:+.1}%) against {} (limit +{}){}",
                    human_bytes(then),
                    human_bytes(now),
                    human_delta(growth as i128),
                    base.source,
                    limit.show(),
                    if ok { String::new() } else { blame(newest) }
                );
                check(
                    "max_growth",
                    limit.show(),
                    format!("{} ({pct:+.1}%)", human_delta(growth as i128)),
                    ok,
                    msg,
                    newest,
                );
            }
        }
    }
    if let Some(limit) = b.max_wasted {
        let ok = match limit {
            Amount::Bytes(x) => r.wasted_bytes <= x,
            Amount::Percent(p) => r.wasted_percent <= p,
        };
        let worst = r.layers.iter().filter(|l| l.wasted_bytes > 0).max_by_key(|l| l.wasted_bytes);
        let msg = format!(
            "{} wasted ({:.1}%), limit {}{}",
            human_bytes(r.wasted_bytes),
            r.wasted_percent,
            limit.show(),
            match (ok, worst) {
                (false, Some(l)) => format!(
                    "; layer {} stores {} that later layers hide{}",
                    l.index,
                    human_bytes(l.wasted_bytes),
                    l.line.map(|n| format!(" (Dockerfile line {n})")).unwrap_or_default()
                ),
                _ => String::new(),
            }
        );
        check(
            "max_wasted",
            limit.show(),
            format!("{} ({:.1}%)", human_bytes(r.wasted_bytes), r.wasted_percent),
            ok,
            msg,
            worst,
        );
    }
    for cat in &b.forbid {
        let found: Vec<&super::Leftover> = r.leftovers.iter().filter(|l| &l.category == cat).collect();
        let bytes: u64 = found.iter().map(|l| l.bytes).sum();
        let first = found.first();
        let layer = first.and_then(|l| r.layers.get(l.layer));
        let msg = match first {
            None => format!("no {cat} in the image"),
            Some(l) => format!(
                "{} of {cat} in the image (layer {}{}{}){}",
                human_bytes(bytes),
                l.layer,
                l.line.map(|n| format!(", Dockerfile line {n}")).unwrap_or_default(),
                if l.packages.is_empty() {
                    String::new()
                } else {
                    format!(", packages {}", l.packages.iter().take(5).cloned().collect::<Vec<_>>().join(", "))
                },
                l.sample_paths.first().map(|p| format!(", e.g. {p}")).unwrap_or_default()
            ),
        };
        check(&format!("forbid:{cat}"), "0 B".into(), human_bytes(bytes), found.is_empty(), msg, layer);
    }
    if let Some(min) = b.min_efficiency {
        let ok = r.efficiency >= min;
        let msg = format!("efficiency {:.4} (minimum {min})", r.efficiency);
        check("min_efficiency", format!("{min}"), format!("{:.4}", r.efficiency), ok, msg, None);
    }
    if let Some(max) = b.max_user_wasted {
        // dive's definition: all wasted bytes over the size of every layer but the first
        let user = r.size_bytes.saturating_sub(r.layers.first().map_or(0, |l| l.size_bytes));
        let ratio = if user == 0 { 0.0 } else { r.wasted_bytes as f64 / user as f64 };
        let ok = ratio < max || (ratio == 0.0 && max == 0.0);
        let msg = format!(
            "wasted {} is {:.4} of the {} the layers above the base store (limit {max})",
            human_bytes(r.wasted_bytes),
            ratio,
            human_bytes(user)
        );
        check("max_user_wasted", format!("{max}"), format!("{ratio:.4}"), ok, msg, None);
    }
    if let Some(max) = b.max_layers {
        let ok = r.layers.len() <= max;
        let msg = format!("{} layers (limit {max})", r.layers.len());
        check("max_layers", max.to_string(), r.layers.len().to_string(), ok, msg, None);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(Amount::parse("200MB"), Some(Amount::Bytes(200_000_000)));
        assert_eq!(Amount::parse("1KiB"), Some(Amount::Bytes(1024)));
        assert_eq!(Amount::parse("10%"), Some(Amount::Percent(10.0)));
        assert_eq!(Amount::parse("-5%"), None);
        assert_eq!(Amount::parse("lots"), None);
    }
}
