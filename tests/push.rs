//! `imgslim push` against a real registry (Debian's docker-registry with TLS from its own CA and
//! htpasswd auth): every input encoding pushed and pulled back with skopeo, repeat pushes, mounts,
//! wrong credentials, a missing CA, a registry that goes away mid-push, server errors injected by a
//! proxy, a lost upload session, the pre-push gate; ECR through moto; Fargate checks and task
//! definitions; the git pre-push hook.

mod common;

use common::imagegen::{file, write, Comp, Format, Spec, ALL_ENCODINGS, M};
use std::path::{Path, PathBuf};
use std::process::Command;

fn imgslim() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("imgslim").unwrap();
    c.env("NO_COLOR", "1").env_remove("IMGSLIM_CONFIG").env_remove("DOCKER_CONFIG");
    c
}

fn spec(seed: usize) -> Spec {
    let big: Vec<u8> = (0..300_000).map(|i| ((i * 31 + seed) % 251) as u8).collect();
    let mut s = Spec::new(vec![
        vec![M::Dir("usr"), M::Dir("usr/bin"), file("usr/bin/tool", 5000 + seed)],
        vec![M::Dir("app"), M::File("app/data", big)],
    ]);
    s.config["ExposedPorts"] = serde_json::json!({"8080/tcp": {}});
    s
}

struct Pushed {
    code: i32,
    json: serde_json::Value,
    stderr: String,
}

fn push(
    image: &Path,
    reference: &str,
    reg: &common::registry::Registry,
    extra: &[&str],
    password: &str,
    cache: &Path,
) -> Pushed {
    let mut c = imgslim();
    c.env("IMGSLIM_CACHE_DIR", cache).arg("push").arg(image).arg(reference).args([
        "--format",
        "json",
        "--username",
        "tester",
        "--password-stdin",
    ]);
    if let Some(ca) = &reg.ca {
        c.arg("--ca-file").arg(ca);
    }
    let out = c.args(extra).write_stdin(password).output().unwrap();
    Pushed {
        code: out.status.code().unwrap_or(-1),
        json: serde_json::from_slice(&out.stdout).unwrap_or_default(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn skopeo(args: &[&str]) -> std::process::Output {
    Command::new("skopeo").args(args).output().expect("skopeo (apt-get install skopeo)")
}

fn analyze(p: &Path) -> serde_json::Value {
    let out = imgslim().args(["analyze", "--format", "json"]).arg(p).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_encoding_round_trips_through_a_tls_registry_with_auth() {
    let Some(h) = common::registry::htpasswd("tester", "s3cret") else { return };
    let Some(reg) = common::registry::start_tls(Some(&h)) else { return };
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    let creds = "--creds=tester:s3cret";
    let cert_dir = format!("--cert-dir={}", reg.cert_dir().display());
    for (i, (format, comp)) in ALL_ENCODINGS.iter().enumerate() {
        let img = write(t.path(), &format!("img{i}"), &spec(i), *format, *comp);
        let reference = format!("{}/enc/img{i}:v1", reg.host);
        let p = push(&img, &reference, &reg, &[], "s3cret", &cache);
        assert_eq!(p.code, 0, "{format:?}/{comp:?}: {}", p.stderr);
        let digest = p.json["digest"].as_str().unwrap().to_string();
        assert!(p.json["uploaded_blobs"].as_u64().unwrap() >= 3);
        assert!(!p.stderr.contains("s3cret") && !p.json.to_string().contains("s3cret"), "credentials never shown");
        // OCI inputs keep their manifest byte for byte: the digest is the layout's
        if *format != Format::DockerArchive {
            let layout = if img.is_dir() { img.clone() } else { unpack(&img, &t.path().join(format!("u{i}"))) };
            let index: serde_json::Value =
                serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
            assert_eq!(index["manifests"][0]["digest"], digest.as_str(), "{format:?}/{comp:?}");
        }
        // pull back with skopeo: same digest, same content
        let back = t.path().join(format!("back{i}"));
        let out = skopeo(&[
            "copy",
            "--quiet",
            creds.replace("--creds", "--src-creds").as_str(),
            cert_dir.replace("--cert-dir", "--src-cert-dir").as_str(),
            &format!("docker://{reference}"),
            &format!("oci:{}", back.display()),
        ]);
        assert!(out.status.success(), "skopeo: {}", String::from_utf8_lossy(&out.stderr));
        let out = skopeo(&["inspect", "--raw", creds, &cert_dir, &format!("docker://{reference}")]);
        assert!(out.status.success(), "skopeo inspect: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            common::imagegen::sha256_hex(&out.stdout),
            digest.trim_start_matches("sha256:"),
            "the registry has the manifest imgslim pushed"
        );
        let (a, b) = (analyze(&img), analyze(&back));
        for k in ["size_bytes", "final_bytes", "wasted_bytes"] {
            assert_eq!(a[k], b[k], "{format:?}/{comp:?}: {k}");
        }
        assert_eq!(a["image"]["config_digest"], b["image"]["config_digest"], "the config goes unchanged");
        // a repeat push uploads nothing
        let p2 = push(&img, &reference, &reg, &[], "s3cret", &cache);
        assert_eq!(p2.code, 0);
        assert_eq!((p2.json["uploaded_blobs"].as_u64(), p2.json["pushed_bytes"].as_u64()), (Some(0), Some(0)));
        assert_eq!(p2.json["digest"], digest.as_str());
    }
    // mount into another repository: nothing uploaded
    assert_eq!(ALL_ENCODINGS[4], (Format::OciArchive, Comp::Gzip));
    let img = write(t.path(), "img4", &spec(4), Format::OciArchive, Comp::Gzip);
    let p = push(&img, &format!("{}/enc/mounted:v1", reg.host), &reg, &["--mount-from", "enc/img4"], "s3cret", &cache);
    assert_eq!(p.code, 0, "{}", p.stderr);
    assert_eq!(p.json["uploaded_blobs"], 0);
    assert!(p.json["mounted_blobs"].as_u64().unwrap() >= 3, "{}", p.json);
}

fn unpack(archive: &Path, dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let st = Command::new("tar").arg("xf").arg(archive).arg("-C").arg(dir).status().unwrap();
    assert!(st.success());
    dir.to_path_buf()
}

#[test]
fn bad_credentials_missing_ca_and_a_registry_that_goes_away() {
    let Some(h) = common::registry::htpasswd("tester", "s3cret") else { return };
    let Some(mut reg) = common::registry::start_tls(Some(&h)) else { return };
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    let img = write(t.path(), "img", &spec(7), Format::DockerArchive, Comp::Plain);
    // wrong password: a clear error, exit 2, the password not repeated
    let p = push(&img, &format!("{}/a/app:v1", reg.host), &reg, &[], "wrong-password", &cache);
    assert_eq!(p.code, 2);
    assert!(p.stderr.contains("authentication failed"), "{}", p.stderr);
    assert!(!p.stderr.contains("wrong-password"));
    // no CA: the certificate is not trusted
    let out = imgslim()
        .env("IMGSLIM_CACHE_DIR", &cache)
        .args(["push"])
        .arg(&img)
        .arg(format!("{}/a/app:v1", reg.host))
        .args(["--username", "tester", "--password-stdin"])
        .write_stdin("s3cret")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(err.contains("certificate") || err.contains("tls") || err.contains("error sending request"), "{err}");
    // the registry is down for the whole push: an error after retries, and no tag appears
    reg.stop();
    let p = push(&img, &format!("{}/a/app:v1", reg.host), &reg, &[], "s3cret", &cache);
    assert_eq!(p.code, 2);
    reg.restart();
    let out = skopeo(&[
        "inspect",
        "--creds=tester:s3cret",
        &format!("--cert-dir={}", reg.cert_dir().display()),
        &format!("docker://{}/a/app:v1", reg.host),
    ]);
    assert!(!out.status.success(), "nothing is tagged after a failed push");
    // the registry comes back while the push retries: the push succeeds
    reg.stop();
    let ca = reg.ca.clone().unwrap();
    let (img2, reference, cache2) = (img.clone(), format!("{}/a/app:v1", reg.host), cache.clone());
    let pusher = std::thread::spawn(move || {
        imgslim()
            .env("IMGSLIM_CACHE_DIR", &cache2)
            .arg("push")
            .arg(&img2)
            .arg(&reference)
            .args(["--username", "tester", "--password-stdin", "--ca-file"])
            .arg(&ca)
            .write_stdin("s3cret")
            .output()
            .unwrap()
    });
    std::thread::sleep(std::time::Duration::from_millis(700));
    reg.restart();
    let out = pusher.join().unwrap();
    assert!(out.status.success(), "retried until the registry was back: {}", String::from_utf8_lossy(&out.stderr));
}

/// `imgslim push IMAGE` with the AWS SDK pointed at moto.
fn ecr_push(moto_endpoint: &str, tmp: &Path, img: &Path) -> assert_cmd::Command {
    let mut c = imgslim();
    c.env("AWS_ENDPOINT_URL_ECR", moto_endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("IMGSLIM_CACHE_DIR", tmp.join("cache"))
        .arg("push")
        .arg(img);
    c
}

#[test]
fn ecr_through_moto_and_a_registry() {
    let Some(moto) = common::moto::start() else { return };
    // moto's GetAuthorizationToken password; the registry accepts it for user AWS
    let token = common::moto::boto(&moto, "import base64\nt = ecr.get_authorization_token()['authorizationData'][0]['authorizationToken']\nprint(json.dumps(base64.b64decode(t).decode()))");
    let password = token.as_str().unwrap().split_once(':').unwrap().1.to_string();
    let Some(h) = common::registry::htpasswd("AWS", &password) else { return };
    let Some(reg) = common::registry::start_tls(Some(&h)) else { return };
    let t = tempfile::tempdir().unwrap();
    let img = write(t.path(), "img", &spec(11), Format::DockerArchive, Comp::Plain);
    let reference = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1";
    let run = |extra: &[&str]| {
        ecr_push(&moto.endpoint, t.path(), &img)
            .arg(reference)
            .args(["--endpoint", &format!("https://{}", reg.host), "--ca-file"])
            .arg(reg.ca.as_ref().unwrap())
            .args(["--format", "json"])
            .args(extra)
            .output()
            .unwrap()
    };
    // no repository yet
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does not exist")
            && String::from_utf8_lossy(&out.stderr).contains("--create-repo")
    );
    // created (immutable, scan on push), then pushed with the token ECR gave
    let out = run(&["--create-repo", "--immutable", "--scan-on-push"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pushed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let repo = common::moto::boto(&moto, "r = ecr.describe_repositories(repositoryNames=['team/app'])['repositories'][0]\nprint(json.dumps({'m': r['imageTagMutability'], 's': r['imageScanningConfiguration']['scanOnPush']}))");
    assert_eq!(repo, serde_json::json!({"m": "IMMUTABLE", "s": true}));
    let raw = skopeo(&[
        "inspect",
        "--raw",
        &format!("--creds=AWS:{password}"),
        &format!("--cert-dir={}", reg.cert_dir().display()),
        &format!("docker://{}/team/app:v1", reg.host),
    ]);
    assert!(raw.status.success(), "{}", String::from_utf8_lossy(&raw.stderr));
    assert_eq!(format!("sha256:{}", common::imagegen::sha256_hex(&raw.stdout)), pushed["digest"].as_str().unwrap());
    // ECR now has the tag (registered through the API, as ECR would): the immutable tag is refused
    let manifest = String::from_utf8(raw.stdout).unwrap();
    common::moto::boto(
        &moto,
        &format!("ecr.put_image(repositoryName='team/app', imageManifest={manifest:?}, imageTag='v1')\nprint('null')"),
    );
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already exists") && err.contains("immutable"), "{err}");

    // the token expires mid-push (the registry refuses it twice on the manifest PUT): imgslim asks
    // ECR for a fresh one and finishes; without the refresh the second 401 would end the push
    let Some(plain) = common::registry::start(Some(&h)) else { return };
    let proxy = common::faulty::start(
        &plain.host,
        Box::new(|q| (q.method == "PUT" && q.path.contains("/manifests/") && q.before < 2).then_some(401)),
    );
    let out = ecr_push(&moto.endpoint, t.path(), &img)
        .arg("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/refresh:v1")
        .args(["--endpoint", &format!("http://{}", proxy.host), "--create-repo", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{:?}", String::from_utf8_lossy(&out.stderr), proxy.failed());
    assert_eq!(proxy.injected(), 2, "{:?}", proxy.failed());
    let tags = http_get(&plain.host, "/v2/team/refresh/tags/list");
    assert!(tags.contains("401"), "the registry wants credentials: {tags}");
}

fn http_get(host: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn the_gate_and_the_fargate_check_stop_a_push() {
    let Some(reg) = common::registry::start(None) else { return };
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    let img = write(t.path(), "img", &spec(21), Format::OciArchive, Comp::Gzip);
    let run = |image: &Path, extra: &[&str]| {
        imgslim()
            .current_dir(t.path())
            .env("IMGSLIM_CACHE_DIR", &cache)
            .arg("push")
            .arg(image)
            .arg(format!("{}/gated/app:v1", reg.host))
            .args(extra)
            .output()
            .unwrap()
    };
    // over budget: nothing is uploaded
    let out = run(&img, &["--gate", "--max-size", "1KB"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not pushed: the size gate failed"));
    assert!(http_get(&reg.host, "/v2/_catalog").contains("\"repositories\":[]"), "no blob was uploaded");
    // within budget (imgslim.toml): pushed
    std::fs::write(t.path().join("imgslim.toml"), "[gate]\nmax_size = \"1MB\"\nmax_growth = \"0B\"\n").unwrap();
    let out = run(&img, &["--gate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist yet"), "first push: no growth to check");
    // a bigger image against the tag it replaces (the default baseline): refused
    let mut big = spec(21);
    big.layers.push(common::imagegen::layer_tar(&[M::Dir("opt"), file("opt/extra", 40_000)]));
    big.history.push(("/bin/sh -c extra".into(), false));
    let bigger = write(t.path(), "bigger", &big, Format::OciArchive, Comp::Gzip);
    let out = run(&bigger, &["--gate"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("max_growth") && err.contains(&format!("{}/gated/app:v1", reg.host)), "{err}");
    // Fargate: an arm64 image for an X86_64 task is not pushed
    let mut arm = spec(22);
    arm.arch = "arm64";
    let arm = write(t.path(), "arm", &arm, Format::OciArchive, Comp::Gzip);
    let out = run(&arm, &["--fargate", "--cpu-architecture", "X86_64"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Fargate cannot run this image"));
}

#[test]
fn fargate_check_and_task_definitions() {
    let t = tempfile::tempdir().unwrap();
    let mut s = spec(31);
    s.config["User"] = serde_json::json!("65532:65532");
    s.config["Healthcheck"] = serde_json::json!({"Test": ["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"], "Interval": 15_000_000_000i64, "Timeout": 3_000_000_000i64, "Retries": 4});
    let img = write(t.path(), "img", &s, Format::DockerArchive, Comp::Plain);
    let out = imgslim().args(["fargate", "check", "--format", "json"]).arg(&img).output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passed"], true);
    assert!(
        v["checks"].as_array().unwrap().iter().any(|c| c["name"] == "media types" && c["warning"] == true),
        "plain layers are noted"
    );
    let image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let td_path = t.path().join("td.json");
    let scaling = t.path().join("scaling.json");
    let out = imgslim()
        .args([
            "fargate",
            "task-def",
            "--image",
            image,
            "--cpu",
            "512",
            "--memory",
            "2048",
            "--execution-role-arn",
            "arn:aws:iam::123456789012:role/exec",
            "--config-from",
        ])
        .arg(&img)
        .arg("-o")
        .arg(&td_path)
        .arg("--autoscaling")
        .arg(&scaling)
        .args(["--cluster", "prod", "--max-tasks", "6"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let td: serde_json::Value = serde_json::from_slice(&std::fs::read(&td_path).unwrap()).unwrap();
    assert_eq!(td["family"], "api");
    assert_eq!((td["cpu"].as_str(), td["memory"].as_str()), (Some("512"), Some("2048")));
    assert_eq!(td["networkMode"], "awsvpc");
    assert_eq!(td["requiresCompatibilities"], serde_json::json!(["FARGATE"]));
    assert_eq!(
        td["runtimePlatform"],
        serde_json::json!({"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"})
    );
    let c = &td["containerDefinitions"][0];
    assert_eq!(c["image"], image);
    assert_eq!(c["portMappings"], serde_json::json!([{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]));
    assert_eq!(c["user"], "65532:65532");
    assert_eq!(
        c["healthCheck"],
        serde_json::json!({"command": ["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"], "interval": 15, "timeout": 3, "retries": 4, "startPeriod": 0})
    );
    assert_eq!(c["logConfiguration"]["options"]["awslogs-region"], "eu-west-1");
    assert_eq!(c["logConfiguration"]["options"]["awslogs-group"], "/ecs/api");
    let a: serde_json::Value = serde_json::from_slice(&std::fs::read(&scaling).unwrap()).unwrap();
    assert_eq!(a["scalableTarget"]["ResourceId"], "service/prod/api");
    assert_eq!(a["scalableTarget"]["MaxCapacity"], 6);
    assert_eq!(
        a["scalingPolicy"]["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
            ["PredefinedMetricType"],
        "ECSServiceAverageCPUUtilization"
    );
    // an invalid cpu/memory pair lists the valid ones
    let out = imgslim()
        .args(["fargate", "task-def", "--image", image, "--cpu", "1024", "--memory", "1024", "--config-from"])
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("valid memory for cpu 1024 is 2048 to 8192 in steps of 1024"));
    // from an existing definition (describe-task-definition output): its fields stay
    std::fs::write(t.path().join("old.json"), r#"{"taskDefinition": {"family": "old", "tags": [{"key": "team", "value": "a"}], "containerDefinitions": [{"name": "api", "image": "x", "environment": [{"name": "A", "value": "1"}]}]}}"#).unwrap();
    let out = imgslim()
        .args(["fargate", "task-def", "--image", image, "--from"])
        .arg(t.path().join("old.json"))
        .arg("--config-from")
        .arg(&img)
        .output()
        .unwrap();
    assert!(out.status.success());
    let td: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(td["tags"][0]["value"], "a");
    assert_eq!(td["containerDefinitions"][0]["environment"][0]["name"], "A");
    assert_eq!(td["containerDefinitions"][0]["image"], image);
}

#[test]
fn pre_push_hook_runs_the_gate() {
    let t = tempfile::tempdir().unwrap();
    let repo = t.path();
    assert!(Command::new("git").arg("init").arg("-q").arg(repo).status().unwrap().success());
    let img = write(repo, "app", &spec(41), Format::DockerArchive, Comp::Plain);
    // no budget: a hook would block every push, so none is written
    std::fs::write(
        repo.join("imgslim.toml"),
        format!("[push]\nimage = \"{}\"\n", img.file_name().unwrap().to_string_lossy()),
    )
    .unwrap();
    let out = imgslim().current_dir(repo).args(["hook", "install"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no size budget"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!repo.join(".git/hooks/pre-push").exists());
    std::fs::write(
        repo.join("imgslim.toml"),
        format!("[push]\nimage = \"{}\"\n[gate]\nmax_size = \"1KB\"\n", img.file_name().unwrap().to_string_lossy()),
    )
    .unwrap();
    let out = imgslim().current_dir(repo).args(["hook", "install"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let hook = repo.join(".git/hooks/pre-push");
    let text = std::fs::read_to_string(&hook).unwrap();
    assert!(text.contains("imgslim gate 'app.tar'"), "{text}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&hook).unwrap().permissions().mode() & 0o111, 0o111);
    // the hook fails the push when the gate fails
    let bin = assert_cmd::cargo::cargo_bin("imgslim");
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let st = Command::new(&hook).current_dir(repo).env("PATH", &path).env_remove("IMGSLIM_CONFIG").output().unwrap();
    assert_eq!(st.status.code(), Some(1), "{}", String::from_utf8_lossy(&st.stdout));
    // another tool's hook is not overwritten without --force
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let out = imgslim().current_dir(repo).args(["hook", "install"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(imgslim().current_dir(repo).args(["hook", "install", "--force"]).output().unwrap().status.success());
}

#[test]
fn a_multi_platform_index_is_pushed_whole() {
    let Some(reg) = common::registry::start(None) else { return };
    let t = tempfile::tempdir().unwrap();
    let amd = spec(51);
    let mut arm = spec(52);
    arm.arch = "arm64";
    let layout = t.path().join("multi");
    common::imagegen::write_dir(&layout, &common::imagegen::oci_files(&[&amd, &arm], Comp::Gzip));
    let reference = format!("{}/multi/app:v1", reg.host);
    let out = imgslim()
        .env("IMGSLIM_CACHE_DIR", t.path().join("c"))
        .args(["push", "--format", "json"])
        .arg(&layout)
        .arg(&reference)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["manifests"], 3, "two image manifests and the index");
    let index = std::fs::read(layout.join("index.json")).unwrap();
    assert_eq!(p["digest"], format!("sha256:{}", common::imagegen::sha256_hex(&index)), "the index goes byte for byte");
    let raw = skopeo(&["inspect", "--raw", "--tls-verify=false", &format!("docker://{reference}")]);
    assert!(raw.status.success(), "{}", String::from_utf8_lossy(&raw.stderr));
    assert_eq!(raw.stdout, index);
    for (arch, s) in [("amd64", &amd), ("arm64", &arm)] {
        let out = skopeo(&[
            "inspect",
            "--tls-verify=false",
            "--override-arch",
            arch,
            "--override-os",
            "linux",
            &format!("docker://{reference}"),
        ]);
        assert!(out.status.success(), "{arch}: {}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["Architecture"], arch);
        assert_eq!(v["Layers"].as_array().unwrap().len(), s.layers.len());
    }
}

/// Pull `reference` from a plain-HTTP registry with skopeo into `dir`: the same bytes as `img`.
fn pulled_back_intact(img: &Path, reference: &str, dir: &Path) {
    let out = skopeo(&[
        "copy",
        "--quiet",
        "--src-tls-verify=false",
        &format!("docker://{reference}"),
        &format!("oci:{}", dir.display()),
    ]);
    assert!(out.status.success(), "skopeo: {}", String::from_utf8_lossy(&out.stderr));
    let (a, b) = (analyze(img), analyze(dir));
    assert_eq!(
        (a["size_bytes"].clone(), a["final_bytes"].clone()),
        (b["size_bytes"].clone(), b["final_bytes"].clone())
    );
}

#[test]
fn injected_server_errors_are_retried_and_a_failed_manifest_tags_nothing() {
    let Some(reg) = common::registry::start(None) else { return };
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    let img = write(t.path(), "flaky", &spec(61), Format::OciArchive, Comp::Gzip);
    let push_via = |proxy: &common::faulty::Proxy, repo: &str| {
        imgslim()
            .env("IMGSLIM_CACHE_DIR", &cache)
            .args(["push", "--format", "json"])
            .arg(&img)
            .arg(format!("{}/{repo}:v1", proxy.host))
            .output()
            .unwrap()
    };
    // every request fails once (503, 500, 502 in turn) before the registry sees it; of the
    // requests that carry a blob only the first, after which that upload starts a new session
    let carried = std::sync::atomic::AtomicBool::new(false);
    let proxy = common::faulty::start(
        &reg.host,
        Box::new(move |q| {
            let first = if q.length > 0 && q.path.contains("/blobs/uploads/") {
                !carried.swap(true, std::sync::atomic::Ordering::SeqCst)
            } else {
                q.before == 0
            };
            (first && q.path.starts_with("/v2/flaky/")).then_some([503, 500, 502][q.path.len() % 3])
        }),
    );
    let out = push_via(&proxy, "flaky/app");
    assert!(out.status.success(), "retried: {}\n{:?}", String::from_utf8_lossy(&out.stderr), proxy.failed());
    let failed = proxy.failed();
    for kind in [
        "HEAD /v2/flaky/app/blobs/",
        "POST /v2/flaky/app/blobs/uploads/",
        "PUT /v2/flaky/app/blobs/uploads/",
        "PUT /v2/flaky/app/manifests/v1",
    ] {
        assert!(failed.iter().any(|f| f.starts_with(kind)), "a failure was injected into {kind}: {failed:?}");
    }
    let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let raw = skopeo(&["inspect", "--raw", "--tls-verify=false", &format!("docker://{}/flaky/app:v1", reg.host)]);
    assert!(raw.status.success(), "{}", String::from_utf8_lossy(&raw.stderr));
    assert_eq!(p["digest"], format!("sha256:{}", common::imagegen::sha256_hex(&raw.stdout)));
    pulled_back_intact(&img, &format!("{}/flaky/app:v1", reg.host), &t.path().join("back"));

    // the registry loses an upload session (404 on the PUT): the upload starts again
    let lost = std::sync::atomic::AtomicBool::new(false);
    let proxy = common::faulty::start(
        &reg.host,
        Box::new(move |q| {
            let first = q.method == "PUT"
                && q.path.contains("/blobs/uploads/")
                && !lost.swap(true, std::sync::atomic::Ordering::SeqCst);
            first.then_some(404)
        }),
    );
    let out = push_via(&proxy, "lost/app");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(proxy.injected(), 1, "{:?}", proxy.failed());

    // a registry that takes no blob in a single PUT (405): one PATCH and a closing PUT instead
    let proxy = common::faulty::start(
        &reg.host,
        Box::new(|q| (q.method == "PUT" && q.path.contains("/blobs/uploads/") && q.length > 0).then_some(405)),
    );
    let out = push_via(&proxy, "chunky/app");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let refused = proxy.failed();
    assert!(!refused.is_empty() && refused.iter().all(|f| f.ends_with("-> 405")), "{refused:?}");
    assert_eq!(refused.len() as u64, p["uploaded_blobs"].as_u64().unwrap(), "one refusal per blob: {refused:?}");
    pulled_back_intact(&img, &format!("{}/chunky/app:v1", reg.host), &t.path().join("back-chunky"));

    // the manifest PUT always fails: exit 2 naming the status, the blobs are there, no tag
    let proxy = common::faulty::start(
        &reg.host,
        Box::new(|q| (q.method == "PUT" && q.path.contains("/manifests/")).then_some(500)),
    );
    let out = push_via(&proxy, "broken/app");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("500") && err.contains("manifests/v1"), "{err}");
    assert!(proxy.injected() >= 2, "the manifest PUT was retried: {:?}", proxy.failed());
    let tags = http_get(&reg.host, "/v2/broken/app/tags/list");
    assert!(
        tags.lines().next().unwrap_or("").contains(" 404 ") || tags.contains("\"tags\":null"),
        "nothing is tagged: {tags}"
    );
    // once the registry behaves, the repeat push uploads no blob again and tags
    let direct = imgslim()
        .env("IMGSLIM_CACHE_DIR", &cache)
        .args(["push", "--format", "json"])
        .arg(&img)
        .arg(format!("{}/broken/app:v1", reg.host))
        .output()
        .unwrap();
    assert!(direct.status.success(), "{}", String::from_utf8_lossy(&direct.stderr));
    let p: serde_json::Value = serde_json::from_slice(&direct.stdout).unwrap();
    assert_eq!(p["uploaded_blobs"], 0, "{p}");
}
