//! One image read from every place users keep images: a docker-archive, an OCI archive and an
//! OCI layout directory, buildah's containers-storage (also as `podman:`), the Docker engine (a
//! private dockerd) and a registry (Debian's docker-registry). The image has deletes, a hard
//! link and an opaque directory; every source gives the same sizes, final and wasted bytes and
//! per-layer figures. A bare name is found in the engine and in containers-storage; gate,
//! compare, fargate and push take names; an unknown name says what was tried; the pull size
//! estimated for uncompressed layers is within 10% of what a push stores.

mod common;

const DOCKERFILE: &str = "FROM debian:bookworm-slim
RUN mkdir -p /data/sub && head -c 300000 /dev/urandom > /data/big && ln /data/big /data/big-link \\
    && echo one > /data/sub/a && seq 1 20000 > /data/numbers
RUN rm /data/big-link /data/numbers && rm -rf /data/sub && mkdir /data/sub && echo two > /data/sub/b
RUN head -c 100000 /dev/zero > /data/zeros
CMD [\"sh\"]
";

const NAME: &str = "localhost/imgslim-e2e-sources:1";

fn imgslim(args: &[&str], env: &[(String, String)]) -> (i32, serde_json::Value, String) {
    let mut c = assert_cmd::Command::cargo_bin("imgslim").unwrap();
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.args(args).timeout(std::time::Duration::from_secs(600)).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), v, stderr)
}

/// The figures that do not depend on where the image is kept.
fn figures(r: &serde_json::Value) -> serde_json::Value {
    let layers: Vec<serde_json::Value> = r["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| serde_json::json!([l["size_bytes"], l["wasted_bytes"], l["entries"], l["whiteouts"], l["diff_id"]]))
        .collect();
    serde_json::json!({
        "size": r["size_bytes"], "final": r["final_bytes"], "wasted": r["wasted_bytes"],
        "efficiency": r["efficiency"], "packages": r["packages"], "layers": layers,
    })
}

#[test]
fn every_source_gives_the_same_accounting() {
    if common::buildah::ready("debian:bookworm-slim").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).unwrap();
    common::buildah::build(dir.path(), &dir.path().join("Dockerfile"), NAME);
    let (archive, oci_archive, layout) =
        (dir.path().join("img.tar"), dir.path().join("img.oci.tar"), dir.path().join("layout"));
    common::buildah::push(NAME, &format!("docker-archive:{}:{NAME}", archive.display()), false);
    common::buildah::push(NAME, &format!("oci-archive:{}", oci_archive.display()), false);
    common::buildah::push(NAME, &format!("oci:{}", layout.display()), false);
    let Some(engine) = common::docker::Engine::start() else { return };
    let out = engine.docker(&["load", "-i", &archive.display().to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let Some(registry) = common::registry::start(None) else { return };
    let in_registry = format!("{}/imgslim/sources:1", registry.host);
    common::registry::skopeo_copy(&archive, &in_registry);

    let engine_env = vec![("DOCKER_HOST".to_string(), engine.host.clone())];
    // the store is read in place only on the overlay2 driver (and as root, which these tests are)
    let overlay2 =
        String::from_utf8_lossy(&engine.docker(&["info", "--format", "{{.Driver}}"]).stdout).trim() == "overlay2";
    // the engine's export instead of its store read in place
    let export_env =
        vec![("DOCKER_HOST".to_string(), engine.host.clone()), ("IMGSLIM_DOCKER_EXPORT".into(), "1".into())];
    let none: Vec<(String, String)> = vec![("DOCKER_HOST".into(), "unix:///nonexistent.sock".into())];
    let mut first: Option<(String, serde_json::Value)> = None;
    for (spec, env, source) in [
        (format!("docker-archive:{}", archive.display()), &none, "docker-archive"),
        (archive.display().to_string(), &none, "docker-archive"),
        (format!("oci-archive:{}", oci_archive.display()), &none, "oci-archive"),
        (format!("oci:{}", layout.display()), &none, "oci-layout"),
        (format!("containers-storage:{NAME}"), &none, "containers-storage"),
        (format!("podman:{NAME}"), &none, "containers-storage"),
        // a bare name with no engine: containers-storage has it
        (NAME.to_string(), &none, "containers-storage"),
        (format!("docker-daemon:{NAME}"), &engine_env, "docker-daemon"),
        (format!("docker-daemon:{NAME}"), &export_env, "docker-daemon"),
        // a bare name with an engine: the engine comes first
        (NAME.to_string(), &engine_env, "docker-daemon"),
        (format!("docker://{in_registry}"), &none, "registry"),
    ] {
        let (code, r, err) =
            imgslim(&["analyze", &spec, "--format", "json", "--insecure-registry", &registry.host], env);
        assert_eq!(code, 0, "{spec}: {err}");
        assert_eq!(r["image"]["source"], source, "{spec}");
        if source == "docker-daemon" {
            // as root, a local engine's overlay2 store is read in place; the export when asked
            let via = r["image"]["via"].as_str().unwrap_or_default();
            let exported = env.iter().any(|(k, _)| k == "IMGSLIM_DOCKER_EXPORT");
            assert!(via.contains(if exported || !overlay2 { "export" } else { "overlay2 store" }), "{spec}: {via}");
        }
        let f = figures(&r);
        match &first {
            None => first = Some((spec.clone(), f)),
            Some((s0, f0)) => assert_eq!(&f, f0, "{spec} differs from {s0}"),
        }
    }
    let (_, f0) = first.unwrap();
    assert_eq!(f0["layers"].as_array().unwrap().len(), 4);
    assert!(f0["wasted"].as_u64().unwrap() > 100_000, "{f0}");

    // an unknown name says where it looked
    let (code, _, err) = imgslim(&["analyze", "localhost/imgslim-no-such-image:1"], &engine_env);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("Tried, in order") && err.contains("the Docker engine at") && err.contains("containers-storage"),
        "{err}"
    );

    // the commands that read images take names
    let (code, g, err) = imgslim(&["gate", NAME, "--max-size", "1GB", "--format", "json"], &engine_env);
    assert_eq!(code, 0, "{err}");
    assert_eq!(g["passed"], true, "{g}");
    let (code, c, err) = imgslim(
        &["compare", &format!("docker-daemon:{NAME}"), &format!("containers-storage:{NAME}"), "--format", "json"],
        &engine_env,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(c["delta_bytes"], 0, "{c}");
    let (code, fc, err) = imgslim(&["fargate", "check", NAME, "--format", "json"], &none);
    assert_eq!(code, 0, "{err}");
    assert_eq!(fc["passed"], true, "{fc}");
    // a push from either store: the registry gets the same image
    let push_and_read_back = |source: String, repo: &str, env: &[(String, String)]| {
        let pushed = format!("{}/imgslim/{repo}:1", registry.host);
        let (code, p, err) = imgslim(&["push", &source, &pushed, "--insecure", "--format", "json"], env);
        assert_eq!(code, 0, "{source}: {err}");
        assert!(p["digest"].as_str().is_some_and(|d| d.starts_with("sha256:")), "{p}");
        let (code, r, err) = imgslim(
            &["analyze", &format!("docker://{pushed}"), "--format", "json", "--insecure-registry", &registry.host],
            &none,
        );
        assert_eq!(code, 0, "{source}: {err}");
        assert_eq!(figures(&r), f0, "{source}");
    };
    push_and_read_back(format!("docker-daemon:{NAME}"), "from-engine", &engine_env);
    push_and_read_back(format!("containers-storage:{NAME}"), "pushed", &none);
}

#[test]
fn the_pull_size_estimate_is_within_ten_percent_of_what_a_push_stores() {
    let image = "docker.io/library/python:3.11-slim";
    if common::buildah::ready(image).is_none() {
        return;
    }
    let Some(registry) = common::registry::start(None) else { return };
    let none: Vec<(String, String)> = vec![("DOCKER_HOST".into(), "unix:///nonexistent.sock".into())];
    let (code, r, err) = imgslim(&["analyze", &format!("containers-storage:{image}"), "--format", "json"], &none);
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["pull_bytes_estimated"], true);
    let estimate = r["pull_bytes"].as_u64().unwrap();
    let dest = format!("{}/imgslim/python:slim", registry.host);
    let (code, p, err) =
        imgslim(&["push", &format!("containers-storage:{image}"), &dest, "--insecure", "--format", "json"], &none);
    assert_eq!(code, 0, "{err}");
    // what the registry stores: the layer blobs of the pushed manifest
    let (code, pr, err) = imgslim(
        &["analyze", &format!("docker://{dest}"), "--format", "json", "--insecure-registry", &registry.host],
        &none,
    );
    assert_eq!(code, 0, "{err} {p}");
    let stored = pr["compressed_bytes"].as_u64().unwrap();
    let error = (estimate as f64 - stored as f64).abs() / stored as f64;
    eprintln!("pull estimate {estimate}, stored {stored}: {:.1}% off", error * 100.0);
    assert!(error < 0.10, "pull estimate {estimate} vs stored {stored}: {:.1}% off", error * 100.0);
}

#[test]
fn an_engine_over_tls_is_read_with_the_cli_s_certificates() {
    let image = "docker.io/library/debian:bookworm-slim";
    if common::buildah::ready(image).is_none() {
        return;
    }
    let Some((engine, tcp, certs)) = common::docker::Engine::start_tls() else { return };
    engine.load_from_buildah(image);
    let spec = format!("docker-daemon:{image}");
    let (code, local, err) =
        imgslim(&["analyze", &spec, "--format", "json"], &[("DOCKER_HOST".into(), engine.host.clone())]);
    assert_eq!(code, 0, "{err}");
    let tls = |dir: &std::path::Path| {
        vec![
            ("DOCKER_HOST".to_string(), tcp.clone()),
            ("DOCKER_TLS_VERIFY".into(), "1".into()),
            ("DOCKER_CERT_PATH".into(), dir.display().to_string()),
        ]
    };
    // a Dockerfile on this base: the base's size and packages come from the engine (its store
    // read in place), with containers-storage out of the way
    let ctx = tempfile::tempdir().unwrap();
    std::fs::write(
        ctx.path().join("Dockerfile"),
        format!("FROM {image}\nRUN apt-get update && apt-get install -y coreutils && rm -rf /var/lib/apt/lists/*\n"),
    )
    .unwrap();
    let empty = tempfile::tempdir().unwrap();
    let env = [
        ("DOCKER_HOST".to_string(), engine.host.clone()),
        ("IMGSLIM_CONTAINERS_STORAGE".to_string(), empty.path().display().to_string()),
    ];
    let dockerfile = ctx.path().join("Dockerfile").display().to_string();
    let (code, a, err) = imgslim(&["analyze", &dockerfile, "--format", "json"], &env);
    assert!(code == 0 || code == 1, "{err}");
    assert_eq!(a["estimate"]["base_source"], "local", "{a:#}");
    // the CLI's variables: the engine's CA, our client certificate
    let (code, r, err) = imgslim(&["analyze", &spec, "--format", "json"], &tls(&certs));
    assert_eq!(code, 0, "{err}");
    assert_eq!(r["image"]["source"], "docker-daemon");
    assert!(r["image"]["via"].as_str().unwrap_or_default().contains("export"), "{}", r["image"]);
    assert_eq!(figures(&r), figures(&local));
    // without a client certificate the engine refuses: a clear error, exit 2
    let only_ca = tempfile::tempdir().unwrap();
    std::fs::copy(certs.join("ca.pem"), only_ca.path().join("ca.pem")).unwrap();
    let (code, _, err) = imgslim(&["analyze", &spec], &tls(only_ca.path()));
    eprintln!("no client certificate: {err}");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&tcp.replace("tcp://", "")) && err.contains("TLS"), "{err}");
    // an engine whose certificate our CA did not sign is not trusted
    let other = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=other CA"])
        .arg("-keyout")
        .arg(other.path().join("ca.key"))
        .arg("-out")
        .arg(other.path().join("ca.pem"))
        .output()
        .unwrap();
    assert!(out.status.success());
    for f in ["cert.pem", "key.pem"] {
        std::fs::copy(certs.join(f), other.path().join(f)).unwrap();
    }
    let (code, _, err) = imgslim(&["analyze", &spec], &tls(other.path()));
    eprintln!("another CA: {err}");
    assert_eq!(code, 2, "{err}");
    assert!(err.to_lowercase().contains("certificate"), "{err}");
}
