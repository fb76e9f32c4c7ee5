//! ECS on Fargate: can Fargate run this image (platform, layer media types, size against
//! ephemeral storage, pull time), and the task definition for it (valid cpu/memory, awsvpc,
//! runtime platform, the image's ports, user and health check, awslogs logging), plus the
//! Application Auto Scaling target-tracking policy on average CPU.

use crate::analyze::ConfigFacts;
use serde::Serialize;
use serde_json::{json, Value};

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: String,
    pub passed: bool,
    /// Advice that does not fail the check.
    pub warning: bool,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// X86_64 or ARM64 (ECS's names); None accepts either.
    pub cpu_architecture: Option<String>,
    /// Task ephemeral storage in GiB (20 default, up to 200).
    pub ephemeral_storage_gib: u64,
    /// Pull bandwidth for the estimate, in MB/s.
    pub bandwidth_mbps: f64,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { cpu_architecture: None, ephemeral_storage_gib: 20, bandwidth_mbps: 100.0 }
    }
}

/// The facts the checks need.
pub struct ImageFacts<'a> {
    pub platform: &'a str,
    pub layer_media_types: Vec<String>,
    pub size_bytes: u64,
    /// What a pull moves (the registry's blobs).
    pub compressed_bytes: u64,
    /// `compressed_bytes` is an estimate (the layers are kept uncompressed here).
    pub compressed_estimated: bool,
}

/// ECS's architecture name for an image platform.
pub fn ecs_architecture(platform: &str) -> Option<&'static str> {
    match platform.split('/').nth(1)? {
        "amd64" => Some("X86_64"),
        "arm64" => Some("ARM64"),
        _ => None,
    }
}

const ACCEPTED_LAYERS: &[&str] = &[
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.docker.image.rootfs.diff.tar",
];

pub fn check(f: &ImageFacts, o: &CheckOptions) -> Vec<Check> {
    let mut out = Vec::new();
    let mut push = |name: &str, passed: bool, warning: bool, message: String| {
        out.push(Check { name: name.into(), passed, warning, message });
    };
    let os_ok = f.platform.starts_with("linux/");
    let arch = ecs_architecture(f.platform);
    match (os_ok, arch, &o.cpu_architecture) {
        (false, _, _) => push(
            "platform",
            false,
            false,
            format!("{}: Fargate runs linux/amd64 and linux/arm64 (Windows needs a Windows task)", f.platform),
        ),
        (true, None, _) => {
            push("platform", false, false, format!("{}: Fargate runs linux/amd64 and linux/arm64 only", f.platform))
        }
        (true, Some(a), Some(want)) if !a.eq_ignore_ascii_case(want) => push(
            "platform",
            false,
            false,
            format!("the image is {} ({a}) but the task asks for cpuArchitecture {want}", f.platform),
        ),
        (true, Some(a), _) => {
            push("platform", true, false, format!("{} runs on Fargate as cpuArchitecture {a}", f.platform))
        }
    }
    let bad: Vec<&String> = f.layer_media_types.iter().filter(|m| !ACCEPTED_LAYERS.contains(&m.as_str())).collect();
    if bad.is_empty() {
        let plain = f.layer_media_types.iter().any(|m| m.ends_with(".tar") || m.ends_with(".diff.tar"));
        push(
            "media types",
            true,
            plain,
            if plain {
                "uncompressed layers: `imgslim push` compresses them (gzip, or --compression zstd) so pulls move less"
                    .into()
            } else {
                "layer media types are ones Fargate pulls".into()
            },
        );
    } else {
        push(
            "media types",
            false,
            false,
            format!("layers Fargate cannot pull: {}", bad.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")),
        );
    }
    let storage = o.ephemeral_storage_gib.clamp(20, 200) * (1 << 30);
    let size_ok = f.size_bytes < storage;
    push(
        "ephemeral storage",
        size_ok,
        size_ok && f.size_bytes * 2 > storage,
        format!(
            "the image unpacks to {} of {} GiB ephemeral storage ({:.0}%){}",
            crate::units::human_bytes(f.size_bytes),
            storage >> 30,
            100.0 * f.size_bytes as f64 / storage as f64,
            if size_ok { "" } else { ": raise ephemeralStorage (up to 200 GiB) or slim the image" }
        ),
    );
    let secs = f.compressed_bytes as f64 / (o.bandwidth_mbps.max(0.1) * 1e6);
    push(
        "pull time",
        true,
        secs > 30.0,
        format!(
            "~{secs:.1} s to pull {}{} at {} MB/s",
            crate::units::human_bytes(f.compressed_bytes),
            if f.compressed_estimated { " (the estimated gzip size of its layers)" } else { "" },
            o.bandwidth_mbps
        ),
    );
    if f.compressed_bytes > 250_000_000 {
        let zstd = f.layer_media_types.iter().all(|m| m.ends_with("+zstd"));
        push(
            "large image",
            true,
            true,
            if zstd {
                "over 250 MB: a SOCI index (lazy loading) would start tasks before the whole image is pulled".into()
            } else {
                "over 250 MB: zstd layers (imgslim push --compression zstd) decompress faster on Fargate; a SOCI index starts tasks before the pull ends".into()
            },
        );
    }
    out
}

/// Fargate's task-level cpu units and the memory (MiB) each allows.
pub fn valid_memory(cpu: u32) -> Option<Vec<u32>> {
    let range = |from: u32, to: u32, step: u32| (from..=to).step_by(step as usize).collect::<Vec<_>>();
    Some(match cpu {
        256 => vec![512, 1024, 2048],
        512 => range(1024, 4096, 1024),
        1024 => range(2048, 8192, 1024),
        2048 => range(4096, 16384, 1024),
        4096 => range(8192, 30720, 1024),
        8192 => range(16384, 61440, 4096),
        16384 => range(32768, 122880, 8192),
        _ => return None,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum TaskDefError {
    #[error("cpu {0} is not a Fargate size: use 256, 512, 1024, 2048, 4096, 8192 or 16384")]
    Cpu(u32),
    #[error("memory {memory} MiB does not go with cpu {cpu}: valid memory for cpu {cpu} is {valid}")]
    Memory { cpu: u32, memory: u32, valid: String },
    #[error("ephemeral storage must be 21 to 200 GiB (20 is the default), got {0}")]
    Storage(u64),
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Default)]
pub struct TaskDefOptions {
    pub image: String,
    pub family: String,
    pub container_name: String,
    pub cpu: u32,
    pub memory: u32,
    pub cpu_architecture: String,
    pub region: String,
    pub log_group: String,
    pub stream_prefix: String,
    pub execution_role_arn: Option<String>,
    pub task_role_arn: Option<String>,
    pub ephemeral_storage_gib: Option<u64>,
    /// An existing task definition to start from (its other fields are kept).
    pub from: Option<Value>,
}

/// Duration in nanoseconds (image config) to whole seconds within ECS's limits.
fn secs(ns: Option<i64>, default: i64, min: i64, max: i64) -> i64 {
    ns.map(|n| n / 1_000_000_000).filter(|s| *s > 0).unwrap_or(default).clamp(min, max)
}

/// The image's HEALTHCHECK in ECS's form.
fn health_check(h: &Value) -> Option<Value> {
    let test = h["Test"].as_array()?;
    let kind = test.first()?.as_str()?;
    let command: Vec<Value> = match kind {
        "NONE" => return None,
        "CMD" | "CMD-SHELL" => test.to_vec(),
        _ => return None,
    };
    Some(json!({
        "command": command,
        "interval": secs(h["Interval"].as_i64(), 30, 5, 300),
        "timeout": secs(h["Timeout"].as_i64(), 5, 2, 60),
        "retries": h["Retries"].as_i64().filter(|r| *r > 0).unwrap_or(3).clamp(1, 10),
        "startPeriod": secs(h["StartPeriod"].as_i64(), 0, 0, 300),
    }))
}

pub fn task_definition(o: &TaskDefOptions, config: &ConfigFacts) -> Result<Value, TaskDefError> {
    let valid = valid_memory(o.cpu).ok_or(TaskDefError::Cpu(o.cpu))?;
    if !valid.contains(&o.memory) {
        let list = if valid.len() > 6 {
            format!("{} to {} in steps of {}", valid[0], valid[valid.len() - 1], valid[1] - valid[0])
        } else {
            valid.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
        };
        return Err(TaskDefError::Memory { cpu: o.cpu, memory: o.memory, valid: list });
    }
    if let Some(s) = o.ephemeral_storage_gib {
        if !(21..=200).contains(&s) {
            return Err(TaskDefError::Storage(s));
        }
    }
    if !matches!(o.cpu_architecture.as_str(), "X86_64" | "ARM64") {
        return Err(TaskDefError::Invalid(format!(
            "cpuArchitecture must be X86_64 or ARM64, got {}",
            o.cpu_architecture
        )));
    }
    let ports: Vec<Value> = config
        .exposed_ports
        .iter()
        .filter_map(|p| {
            let (port, proto) = p.split_once('/').unwrap_or((p, "tcp"));
            let port: u16 = port.parse().ok()?;
            Some(json!({"containerPort": port, "hostPort": port, "protocol": proto}))
        })
        .collect();
    let mut container = json!({
        "name": o.container_name,
        "image": o.image,
        "essential": true,
        "portMappings": ports,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": o.log_group,
                "awslogs-region": o.region,
                "awslogs-stream-prefix": o.stream_prefix,
                "awslogs-create-group": "true",
            },
        },
    });
    if let Some(u) = config.user.as_ref().filter(|u| !u.is_empty()) {
        container["user"] = json!(u);
    }
    if let Some(h) = config.healthcheck.as_ref().and_then(health_check) {
        container["healthCheck"] = h;
    }
    let mut td = o.from.clone().unwrap_or_else(|| json!({}));
    if !td.is_object() {
        return Err(TaskDefError::Invalid("--from is not a task definition (a JSON object)".into()));
    }
    // an existing definition keeps its other containers and fields; its first container is ours
    if let Some(existing) = td["containerDefinitions"].as_array().and_then(|a| a.first()).cloned() {
        let mut merged = existing;
        for (k, v) in container.as_object().into_iter().flatten() {
            if k == "logConfiguration" && merged.get(k).is_some() {
                continue;
            }
            merged[k] = v.clone();
        }
        td["containerDefinitions"][0] = merged;
    } else {
        td["containerDefinitions"] = json!([container]);
    }
    td["family"] = json!(o.family);
    td["requiresCompatibilities"] = json!(["FARGATE"]);
    td["networkMode"] = json!("awsvpc");
    td["cpu"] = json!(o.cpu.to_string());
    td["memory"] = json!(o.memory.to_string());
    td["runtimePlatform"] = json!({"cpuArchitecture": o.cpu_architecture, "operatingSystemFamily": "LINUX"});
    if let Some(a) = &o.execution_role_arn {
        td["executionRoleArn"] = json!(a);
    }
    if let Some(a) = &o.task_role_arn {
        td["taskRoleArn"] = json!(a);
    }
    if let Some(s) = o.ephemeral_storage_gib {
        td["ephemeralStorage"] = json!({"sizeInGiB": s});
    }
    Ok(td)
}

/// Application Auto Scaling for the service: a scalable target on DesiredCount and a
/// target-tracking policy on average CPU.
pub fn autoscaling(cluster: &str, service: &str, min: u32, max: u32, target_cpu: f64) -> Value {
    let resource = format!("service/{cluster}/{service}");
    json!({
        "scalableTarget": {
            "ServiceNamespace": "ecs",
            "ResourceId": resource,
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": min,
            "MaxCapacity": max,
        },
        "scalingPolicy": {
            "PolicyName": format!("{service}-cpu-target-tracking"),
            "ServiceNamespace": "ecs",
            "ResourceId": resource,
            "ScalableDimension": "ecs:service:DesiredCount",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": target_cpu,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleInCooldown": 300,
                "ScaleOutCooldown": 60,
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> ConfigFacts {
        ConfigFacts {
            platform: "linux/amd64".into(),
            user: Some("65532:65532".into()),
            exposed_ports: vec!["8080/tcp".into()],
            healthcheck: Some(json!({"Test": ["CMD", "/app", "-check"], "Interval": 30_000_000_000i64, "Retries": 0})),
            ..Default::default()
        }
    }

    fn opts(cpu: u32, memory: u32) -> TaskDefOptions {
        TaskDefOptions {
            image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:00".into(),
            family: "app".into(),
            container_name: "app".into(),
            cpu,
            memory,
            cpu_architecture: "X86_64".into(),
            region: "us-east-1".into(),
            log_group: "/ecs/app".into(),
            stream_prefix: "app".into(),
            ..Default::default()
        }
    }

    #[test]
    fn cpu_memory_table() {
        for (cpu, ok, bad) in [
            (256, 512, 4096),
            (512, 4096, 512),
            (1024, 8192, 9216),
            (4096, 30720, 8704),
            (8192, 61440, 20000),
            (16384, 122880, 32769),
        ] {
            assert!(task_definition(&opts(cpu, ok), &facts()).is_ok(), "{cpu}/{ok}");
            let e = task_definition(&opts(cpu, bad), &facts()).unwrap_err().to_string();
            assert!(e.contains("valid memory for cpu"), "{e}");
        }
        assert!(matches!(task_definition(&opts(300, 512), &facts()), Err(TaskDefError::Cpu(300))));
    }

    #[test]
    fn definition_fields() {
        let td = task_definition(&opts(256, 512), &facts()).unwrap();
        assert_eq!(td["networkMode"], "awsvpc");
        assert_eq!(td["requiresCompatibilities"], json!(["FARGATE"]));
        assert_eq!(td["cpu"], "256");
        assert_eq!(td["runtimePlatform"]["operatingSystemFamily"], "LINUX");
        let c = &td["containerDefinitions"][0];
        assert_eq!(c["portMappings"][0]["containerPort"], 8080);
        assert_eq!(c["user"], "65532:65532");
        assert_eq!(c["healthCheck"]["command"], json!(["CMD", "/app", "-check"]));
        assert_eq!((c["healthCheck"]["interval"].as_i64(), c["healthCheck"]["retries"].as_i64()), (Some(30), Some(3)));
        assert_eq!(c["logConfiguration"]["logDriver"], "awslogs");
        for k in ["awslogs-group", "awslogs-region", "awslogs-stream-prefix"] {
            assert!(c["logConfiguration"]["options"][k].is_string(), "{k}");
        }
    }

    #[test]
    fn checks() {
        let f = ImageFacts {
            platform: "linux/arm64",
            layer_media_types: vec!["application/vnd.oci.image.layer.v1.tar+gzip".into()],
            size_bytes: 300_000_000,
            compressed_bytes: 280_000_000,
            compressed_estimated: false,
        };
        let c = check(&f, &CheckOptions { cpu_architecture: Some("X86_64".into()), ..Default::default() });
        assert!(!c[0].passed && c[0].message.contains("ARM64"));
        assert!(c.iter().any(|x| x.name == "large image" && x.message.contains("zstd")));
        let c = check(&ImageFacts { platform: "windows/amd64", ..f }, &Default::default());
        assert!(!c[0].passed);
    }
}
