//! `imgslim fargate check` and `imgslim fargate task-def`.

use super::{analyze_image, open_image, write_atomic, ExitStatus};
use crate::cli::{FargateCheckArgs, FargateCommand, PushFormat, TaskDefArgs};
use crate::printer::stdout;
use anyhow::Context as _;
use imgslim::registry::fargate::{self, CheckOptions, ImageFacts, TaskDefOptions};
use std::io::Write;

pub fn run(cmd: FargateCommand) -> anyhow::Result<ExitStatus> {
    match cmd {
        FargateCommand::Check(a) => check(a),
        FargateCommand::TaskDef(a) => task_def(*a),
    }
}

fn check(a: FargateCheckArgs) -> anyhow::Result<ExitStatus> {
    let image = open_image(&a.image, a.platform.as_deref(), &a.insecure_registry)?;
    let media_types = image.image().layers.iter().map(|l| l.media_type.clone()).collect();
    let report = analyze_image(image, None, false, Default::default())?;
    let facts = ImageFacts {
        platform: &report.image.platform,
        layer_media_types: media_types,
        size_bytes: report.size_bytes,
        compressed_bytes: report.pull_bytes,
        compressed_estimated: report.pull_bytes_estimated,
    };
    let o = CheckOptions {
        cpu_architecture: a.cpu_architecture.clone(),
        ephemeral_storage_gib: a.ephemeral_storage,
        bandwidth_mbps: a.bandwidth,
    };
    let checks = fargate::check(&facts, &o);
    let passed = checks.iter().all(|c| c.passed);
    let mut out = stdout();
    match a.format {
        PushFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"passed": passed, "checks": checks}))?
        )?,
        PushFormat::Text => {
            for c in &checks {
                let tag = match (c.passed, c.warning) {
                    (false, _) => "FAIL",
                    (true, true) => "note",
                    _ => "pass",
                };
                writeln!(out, "  {tag} {:<18} {}", c.name, c.message)?;
            }
            writeln!(out, "{}", if passed { "Fargate can run this image" } else { "Fargate cannot run this image" })?;
        }
    }
    out.flush()?;
    Ok(if passed { ExitStatus::Success } else { ExitStatus::Failure })
}

fn task_def(a: TaskDefArgs) -> anyhow::Result<ExitStatus> {
    let r = imgslim::registry::Reference::parse(&a.image)?;
    if r.digest.is_none() {
        eprintln!(
            "note: {} has no digest; a task definition that names REPO@sha256:... runs exactly the image you pushed",
            a.image
        );
    }
    let source = a.config_from.clone().unwrap_or_else(|| a.image.clone());
    let image = open_image(&source, None, &a.insecure_registry)?;
    let config = imgslim::analyze::config_facts(image.image());
    let ecr = imgslim::registry::ecr::EcrHost::parse(&r.registry);
    let family = a.family.clone().unwrap_or_else(|| r.repository.rsplit('/').next().unwrap_or("app").to_string());
    let region = a
        .region
        .clone()
        .or_else(|| ecr.map(|e| e.region))
        .or_else(|| std::env::var("AWS_REGION").ok())
        .unwrap_or_else(|| "us-east-1".into());
    let arch = match &a.cpu_architecture {
        Some(x) => x.to_ascii_uppercase(),
        None => fargate::ecs_architecture(&config.platform)
            .with_context(|| format!("the image's platform {} does not run on Fargate", config.platform))?
            .to_string(),
    };
    let from = a
        .from
        .as_ref()
        .map(|p| -> anyhow::Result<serde_json::Value> {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?)
                    .with_context(|| format!("{} is not JSON", p.display()))?;
            // `aws ecs describe-task-definition` output wraps it
            Ok(v.get("taskDefinition").cloned().unwrap_or(v))
        })
        .transpose()?;
    let o = TaskDefOptions {
        image: a.image.clone(),
        container_name: a.container_name.clone().unwrap_or_else(|| family.clone()),
        cpu: a.cpu,
        memory: a.memory,
        cpu_architecture: arch,
        region,
        log_group: a.log_group.clone().unwrap_or_else(|| format!("/ecs/{family}")),
        stream_prefix: a.stream_prefix.clone().unwrap_or_else(|| family.clone()),
        execution_role_arn: a.execution_role_arn.clone(),
        task_role_arn: a.task_role_arn.clone(),
        ephemeral_storage_gib: a.ephemeral_storage,
        family,
        from,
    };
    let td = fargate::task_definition(&o, &config)?;
    if td.get("executionRoleArn").is_none() {
        eprintln!("note: no --execution-role-arn: Fargate needs one to pull from ECR and to write awslogs");
    }
    let text = serde_json::to_string_pretty(&td)? + "\n";
    match &a.output {
        Some(p) => write_atomic(p, &text)?,
        None => {
            let mut out = stdout();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    if let Some(p) = &a.autoscaling {
        let service = a.service.clone().unwrap_or_else(|| o.family.clone());
        anyhow::ensure!(a.min_tasks <= a.max_tasks && a.max_tasks > 0, "--min-tasks must not exceed --max-tasks");
        anyhow::ensure!((1.0..=100.0).contains(&a.target_cpu), "--target-cpu is a percentage (1 to 100)");
        let v = fargate::autoscaling(&a.cluster, &service, a.min_tasks, a.max_tasks, a.target_cpu);
        write_atomic(p, &(serde_json::to_string_pretty(&v)? + "\n"))?;
    }
    Ok(ExitStatus::Success)
}
