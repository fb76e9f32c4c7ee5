//! The image contract: what a container of the image runs and how (entrypoint, cmd, env, working
//! directory, user, ports, volumes, stop signal, healthcheck, labels). Compare two images' configs
//! field by field; a rewrite must keep it, except where it changes something on purpose.

use super::ConfigFacts;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub field: String,
    pub original: String,
    pub rewrite: String,
    /// Changed on purpose (a non-root user, exec form for a base without a shell, a venv on PATH)
    /// or inherited from the new base (PATH).
    pub intended: bool,
}

/// What the Dockerfile itself sets (env keys and label keys); values inherited from a base image
/// change with the base and are not part of the contract.
#[derive(Debug, Clone, Default)]
pub struct Own {
    pub env: Vec<String>,
    pub labels: Vec<String>,
}

fn show<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn root(user: &Option<String>) -> String {
    match user.as_deref().unwrap_or("") {
        "" | "root" | "0" | "0:0" | "root:root" => "root".into(),
        u => u.to_string(),
    }
}

fn env_map(env: &[String]) -> std::collections::BTreeMap<&str, &str> {
    env.iter().filter_map(|e| e.split_once('=')).collect()
}

/// Differences between two configs. `intended` names fields changed on purpose (`User`, `Cmd`,
/// `Entrypoint`, `Env`).
pub fn compare(a: &ConfigFacts, b: &ConfigFacts, own: &Own, intended: &[&str]) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut diff = |field: &str, x: String, y: String| {
        if x != y {
            let on_purpose = intended.contains(&field) || (field.starts_with("Env.") && intended.contains(&"Env"));
            out.push(Difference { field: field.to_string(), original: x, rewrite: y, intended: on_purpose });
        }
    };
    diff("Entrypoint", show(&a.entrypoint), show(&b.entrypoint));
    diff("Cmd", show(&a.cmd), show(&b.cmd));
    diff("WorkingDir", a.workdir.clone().unwrap_or_default(), b.workdir.clone().unwrap_or_default());
    diff("User", root(&a.user), root(&b.user));
    let sorted = |v: &[String]| {
        let mut v = v.to_vec();
        v.sort();
        show(&v)
    };
    diff("ExposedPorts", sorted(&a.exposed_ports), sorted(&b.exposed_ports));
    diff("Volumes", sorted(&a.volumes), sorted(&b.volumes));
    diff("StopSignal", a.stop_signal.clone().unwrap_or_default(), b.stop_signal.clone().unwrap_or_default());
    diff("Healthcheck", show(&a.healthcheck), show(&b.healthcheck));
    diff("Platform", a.platform.clone(), b.platform.clone());
    let (ea, eb) = (env_map(&a.env), env_map(&b.env));
    for k in &own.env {
        if k == "PATH" {
            continue; // PATH is built on the base's PATH: compared below, as information
        }
        diff(
            &format!("Env.{k}"),
            ea.get(k.as_str()).unwrap_or(&"").to_string(),
            eb.get(k.as_str()).unwrap_or(&"").to_string(),
        );
    }
    for k in &own.labels {
        diff(
            &format!("Labels.{k}"),
            a.labels.get(k).cloned().unwrap_or_default(),
            b.labels.get(k).cloned().unwrap_or_default(),
        );
    }
    let (pa, pb) = (ea.get("PATH").copied().unwrap_or(""), eb.get("PATH").copied().unwrap_or(""));
    if pa != pb {
        out.push(Difference { field: "Env.PATH".into(), original: pa.into(), rewrite: pb.into(), intended: true });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> ConfigFacts {
        ConfigFacts {
            platform: "linux/amd64".into(),
            user: None,
            entrypoint: None,
            cmd: Some(vec!["python".into(), "app.py".into()]),
            env: vec!["PATH=/usr/bin".into(), "A=1".into(), "BASE=x".into()],
            exposed_ports: vec!["8080/tcp".into()],
            workdir: Some("/app".into()),
            labels: Default::default(),
            volumes: vec![],
            stop_signal: None,
            healthcheck: None,
        }
    }

    #[test]
    fn same_contract_different_base() {
        let a = facts();
        let mut b = facts();
        b.env = vec!["PATH=/opt/venv/bin:/usr/bin".into(), "A=1".into(), "BASE=y".into()];
        b.user = Some("0".into());
        let own = Own { env: vec!["A".into()], labels: vec![] };
        let d = compare(&a, &b, &own, &[]);
        assert_eq!(d.len(), 1);
        assert!(d[0].intended && d[0].field == "Env.PATH");
    }

    #[test]
    fn broken_contract_is_reported() {
        let a = facts();
        let mut b = facts();
        b.cmd = Some(vec!["python3".into()]);
        b.workdir = None;
        b.user = Some("65532:65532".into());
        let d = compare(&a, &b, &Own::default(), &["User"]);
        let fields: Vec<(&str, bool)> = d.iter().map(|x| (x.field.as_str(), x.intended)).collect();
        assert_eq!(fields, [("Cmd", false), ("WorkingDir", false), ("User", true)]);
    }
}
