//! End to end: build a real image with buildah (build-essential in one layer, the apt lists
//! removed in a later one), export it in every encoding, and check the accounting against the
//! mounted file system, and the leftovers against the packages and Dockerfile lines.

mod common;

use assert_cmd::Command;
use serde_json::Value;

const DOCKERFILE: &str = "FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends build-essential
RUN rm -rf /var/lib/apt/lists/*
CMD [\"bash\"]
";

fn analyze(path: &std::path::Path, dockerfile: &std::path::Path) -> Value {
    let out = Command::cargo_bin("imgslim")
        .unwrap()
        .arg("analyze")
        .arg(path)
        .arg("--dockerfile")
        .arg(dockerfile)
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn build_essential_image_in_every_encoding() {
    if common::buildah::ready("docker.io/library/debian:bookworm").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let df = dir.path().join("Dockerfile");
    std::fs::write(&df, DOCKERFILE).unwrap();
    let tag = "localhost/imgslim-e2e-analyze:1";
    common::buildah::build(dir.path(), &df, tag);
    let exports = [
        ("docker-archive", dir.path().join("img-docker.tar"), false),
        ("oci-archive", dir.path().join("img-oci.tar"), false),
        ("oci-archive", dir.path().join("img-oci-zstd.tar"), true),
        ("oci", dir.path().join("img-ocidir"), false),
    ];
    for (kind, path, zstd) in &exports {
        common::buildah::push(tag, &format!("{kind}:{}", path.display()), *zstd);
    }
    let reports: Vec<Value> = exports.iter().map(|(_, p, _)| analyze(p, &df)).collect();
    let r = &reports[0];

    // every encoding gives the same numbers
    for other in &reports[1..] {
        for k in ["size_bytes", "final_bytes", "wasted_bytes", "efficiency", "leftover_bytes"] {
            assert_eq!(r[k], other[k], "{k}");
        }
    }
    // the final bytes are what the mounted image holds (hard links once)
    let on_disk = common::buildah::with_rootfs(tag, common::buildah::regular_file_bytes);
    assert_eq!(r["final_bytes"].as_u64().unwrap(), on_disk, "final_bytes vs the mounted file system");

    let layers = r["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 3);
    assert_eq!((layers[1]["line"].as_u64(), layers[2]["line"].as_u64()), (Some(2), Some(3)));
    // the apt lists fetched in line 2 and deleted in line 3 are waste of line 2's layer
    assert!(layers[1]["wasted_bytes"].as_u64().unwrap() > 5_000_000, "{}", layers[1]);
    assert!(layers[2]["whiteouts"].as_u64().unwrap() >= 1);
    assert_eq!(
        r["wasted_bytes"].as_u64().unwrap(),
        layers.iter().map(|l| l["wasted_bytes"].as_u64().unwrap()).sum::<u64>()
    );

    let left = r["leftovers"].as_array().unwrap();
    let compiler = left.iter().find(|l| l["category"] == "compiler" && l["layer"] == 1).expect("compiler leftovers");
    assert!(compiler["bytes"].as_u64().unwrap() > 50_000_000, "{compiler}");
    assert_eq!(compiler["line"], 2);
    let pk: Vec<&str> = compiler["packages"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert!(pk.contains(&"gcc-12") && pk.contains(&"cpp-12"), "{pk:?}");
    assert!(compiler["sample_paths"].as_array().unwrap().iter().any(|p| p.as_str().unwrap().contains("/usr/lib/gcc/")));
    let headers = left.iter().find(|l| l["category"] == "headers" && l["layer"] == 1).expect("headers");
    assert!(headers["packages"].as_array().unwrap().iter().any(|p| p == "libc6-dev" || p == "linux-libc-dev"));
    assert!(r["packages"]["dpkg"].as_u64().unwrap() > 100);
    let line2 = r["lines"].as_array().unwrap().iter().find(|l| l["line"] == 2).unwrap();
    assert!(line2["leftovers"].as_array().unwrap().iter().any(|c| c == "compiler"));
}
