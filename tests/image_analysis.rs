//! `imgslim analyze IMAGE` on generated images: exact accounting in every encoding, whiteout rules,
//! packages and leftovers, Dockerfile lines, platforms, and hostile inputs.

mod common;

use assert_cmd::Command;
use common::imagegen::{self as g, file, Comp, Format, Spec, M};
use serde_json::Value;
use std::path::Path;

fn imgslim() -> Command {
    let mut c = Command::cargo_bin("imgslim").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn analyze_json(path: &Path, extra: &[&str]) -> Value {
    let out = imgslim()
        .arg("analyze")
        .arg(path)
        .args(["--format", "json"])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn analyze_err(path: &Path, extra: &[&str]) -> String {
    let out = imgslim().arg("analyze").arg(path).args(extra).assert().code(2).get_output().stderr.clone();
    String::from_utf8(out).unwrap()
}

/// Three layers exercising every whiteout rule; expected figures worked out by hand.
fn accounting_spec() -> Spec {
    Spec::new(vec![
        vec![
            M::Dir("etc"),
            file("etc/os-release", 100),
            M::Dir("usr"),
            M::Dir("usr/bin"),
            file("usr/bin/app", 1000),
            file("usr/bin/tool", 500),
            M::Hardlink("usr/bin/tool2", "usr/bin/tool"),
            M::Symlink("usr/bin/sh", "app"),
            M::Dir("data"),
            file("data/a", 300),
            file("data/b", 200),
            M::Dir("data/sub"),
            file("data/sub/c", 400),
            M::Dir("cache"),
            file("cache/x", 50),
        ],
        vec![
            M::Dir("usr/bin"),
            file("usr/bin/app", 1200),
            M::Whiteout("data/a"),
            M::Dir("opt"),
            file("opt/big", 10000),
        ],
        vec![
            M::Whiteout("data/sub"),
            M::Dir("cache"),
            file("cache/y", 60),
            M::Opaque("cache"),
            M::Whiteout("usr/bin/tool"),
            M::Whiteout("opt/big"),
        ],
    ])
}

#[test]
fn accounting_is_exact_and_identical_in_every_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let spec = accounting_spec();
    let mut seen: Option<Value> = None;
    for &(format, comp) in g::ALL_ENCODINGS {
        let path = g::write(dir.path(), &format!("img-{format:?}-{comp:?}"), &spec, format, comp);
        let r = analyze_json(&path, &[]);
        let ctx = format!("{format:?}/{comp:?}");
        assert_eq!(r["size_bytes"], 13810, "{ctx}");
        assert_eq!(r["final_bytes"], 2060, "{ctx}");
        assert_eq!(r["wasted_bytes"], 11750, "{ctx}");
        let layers = r["layers"].as_array().unwrap();
        let col = |k: &str| layers.iter().map(|l| l[k].as_u64().unwrap()).collect::<Vec<_>>();
        assert_eq!(col("size_bytes"), [2550, 11200, 60], "{ctx}");
        assert_eq!(col("wasted_bytes"), [1750, 10000, 0], "{ctx}");
        assert_eq!(col("whiteouts"), [0, 1, 4], "{ctx}");
        assert!((r["efficiency"].as_f64().unwrap() - 1360.0 / 13810.0).abs() < 1e-9, "{ctx}");
        assert_eq!(r["wasted_paths"][0]["path"], "opt/big");
        assert_eq!(r["wasted_paths"][0]["deleted"], true);
        assert_eq!(r["config"]["user"], "1000");
        assert_eq!(r["config"]["exposed_ports"][0], "8080/tcp");
        assert_eq!(r["config"]["workdir"], "/app");
        assert_eq!(layers[2]["created_by"], "/bin/sh -c layer 2");
        for l in layers {
            assert!(l["digest"].as_str().unwrap().starts_with("sha256:"), "{ctx}: {l}");
            assert!(l["diff_id"].as_str().unwrap().starts_with("sha256:"), "{ctx}");
        }
        // the figures that do not depend on the encoding are identical everywhere
        let mut same = r.clone();
        for k in ["image", "compressed_bytes", "pull_bytes", "pull_bytes_estimated"] {
            same.as_object_mut().unwrap().remove(k);
        }
        for l in same["layers"].as_array_mut().unwrap() {
            for k in ["digest", "media_type", "compressed_bytes"] {
                l.as_object_mut().unwrap().remove(k);
            }
        }
        match &seen {
            None => seen = Some(same),
            Some(first) => assert_eq!(first, &same, "{ctx} differs from the first encoding"),
        }
    }
}

#[test]
fn verify_reads_all_and_checks_digests() {
    let dir = tempfile::tempdir().unwrap();
    let spec = Spec::new(vec![vec![file("a", 4000)]]);
    let path = g::write(dir.path(), "img", &spec, Format::DockerArchive, Comp::Plain);
    analyze_json(&path, &["--verify"]);
    // flip a byte inside the file body: headers still parse, only --verify can tell
    let mut bytes = std::fs::read(&path).unwrap();
    let needle: Vec<u8> = (0..64).map(|i| (i * 7 % 251) as u8).collect();
    let at = bytes.windows(64).position(|w| w == &needle[..]).unwrap();
    bytes[at + 10] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    analyze_json(&path, &[]);
    let err = analyze_err(&path, &["--verify"]);
    assert!(err.contains("digest mismatch"), "{err}");
}

#[test]
fn compressed_layer_digests_are_always_checked() {
    let dir = tempfile::tempdir().unwrap();
    let spec = Spec::new(vec![vec![file("a", 4000)]]);
    let path = g::write(dir.path(), "img", &spec, Format::OciLayout, Comp::Gzip);
    // replace the layer blob with another valid gzip of the same size is hard; swap content instead
    let index: Value = serde_json::from_slice(&std::fs::read(path.join("index.json")).unwrap()).unwrap();
    let mdigest = index["manifests"][0]["digest"].as_str().unwrap().trim_start_matches("sha256:").to_string();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(path.join("blobs/sha256").join(&mdigest)).unwrap()).unwrap();
    let layer = manifest["layers"][0]["digest"].as_str().unwrap().trim_start_matches("sha256:").to_string();
    let blob_path = path.join("blobs/sha256").join(&layer);
    let mut blob = std::fs::read(&blob_path).unwrap();
    let n = blob.len();
    blob[n - 5] ^= 0x01; // inside the gzip trailer (length field): still the same size
    std::fs::write(&blob_path, &blob).unwrap();
    let err = analyze_err(&path, &[]);
    assert!(err.contains("digest mismatch") || err.contains("gzip"), "{err}");
}

#[test]
fn packages_and_leftovers_are_attributed() {
    let dir = tempfile::tempdir().unwrap();
    let status = "Package: gcc-12\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.2.0-14\n\n\
                  Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36\n\n";
    let mut spec = Spec::new(vec![
        vec![
            M::Dir("usr"),
            M::Dir("usr/lib"),
            M::Symlink("lib", "usr/lib"),
            file("usr/lib/libc.so.6", 2000),
            M::File(
                "var/lib/dpkg/status",
                b"Package: libc6\nStatus: install ok installed\nArchitecture: amd64\n\n".to_vec(),
            ),
            M::File("var/lib/dpkg/info/libc6:amd64.list", b"/.\n/lib\n/lib/libc.so.6\n".to_vec()),
        ],
        vec![
            M::Dir("usr/bin"),
            file("usr/bin/gcc-12", 3000),
            M::Dir("usr/lib/gcc"),
            file("usr/lib/gcc/cc1", 9000),
            file("var/lib/apt/lists/deb_InRelease", 700),
            file("usr/share/doc/gcc-12/changelog.gz", 80),
            M::File("var/lib/dpkg/status", status.as_bytes().to_vec()),
            M::File("var/lib/dpkg/info/gcc-12.list", b"/usr/bin/gcc-12\n/usr/share/doc/gcc-12/changelog.gz\n".to_vec()),
            file("app/node_modules/left-pad/test/t.js", 40),
            file("app/node_modules/left-pad/index.js", 10),
        ],
    ]);
    spec.history = vec![("base".into(), false), ("/bin/sh -c apt-get install -y gcc".into(), false)];
    let path = g::write(dir.path(), "img", &spec, Format::OciArchive, Comp::Zstd);
    let r = analyze_json(&path, &[]);
    assert_eq!(r["packages"]["dpkg"], 2);
    let left = r["leftovers"].as_array().unwrap();
    let find = |cat: &str| left.iter().find(|l| l["category"] == cat).unwrap_or_else(|| panic!("{cat}: {left:?}"));
    let compiler = find("compiler");
    assert_eq!((compiler["bytes"].as_u64(), compiler["files"].as_u64()), (Some(12000), Some(2)));
    assert_eq!(compiler["layer"], 1);
    assert_eq!(compiler["packages"], serde_json::json!(["gcc-12"]));
    assert_eq!(compiler["sample_paths"][0], "/usr/lib/gcc/cc1");
    assert_eq!(compiler["created_by"], "/bin/sh -c apt-get install -y gcc");
    assert_eq!(find("package-index")["bytes"], 700);
    assert_eq!(find("docs")["packages"], serde_json::json!(["gcc-12"]));
    assert_eq!(find("tests")["packages"], serde_json::json!(["npm:left-pad"]));
    assert!(left.iter().all(|l| l["sample_paths"].as_array().unwrap().iter().all(|p| p != "/usr/lib/libc.so.6")));
}

#[test]
fn layers_map_to_dockerfile_lines() {
    let dir = tempfile::tempdir().unwrap();
    let df = dir.path().join("Dockerfile");
    std::fs::write(
        &df,
        "FROM debian:bookworm\n# toolchain\nRUN apt-get update && \\\n    apt-get install -y build-essential\nRUN rm -rf /var/lib/apt/lists/*\nCMD [\"bash\"]\n",
    )
    .unwrap();
    let mut spec = Spec::new(vec![
        vec![file("etc/debian_version", 5)],
        vec![file("var/lib/apt/lists/x", 300), file("usr/bin/gcc", 1000)],
        vec![M::Whiteout("var/lib/apt/lists/x")],
    ]);
    spec.history = vec![
        ("debootstrap".into(), false),
        ("/bin/sh -c #(nop) CMD [\"bash\"]".into(), true),
        ("/bin/sh -c apt-get update &&     apt-get install -y build-essential".into(), false),
        ("/bin/sh -c rm -rf /var/lib/apt/lists/*".into(), false),
        ("/bin/sh -c #(nop) CMD [\"bash\"]".into(), true),
    ];
    let path = g::write(dir.path(), "img", &spec, Format::DockerArchive, Comp::Gzip);
    let r = analyze_json(&path, &["--dockerfile", df.to_str().unwrap()]);
    let layers = r["layers"].as_array().unwrap();
    assert_eq!(layers[0]["line"], 1, "base image layers belong to the FROM line");
    assert_eq!(layers[0]["instruction"], "FROM debian:bookworm (base image)");
    assert_eq!(layers[1]["line"], 3);
    assert_eq!(layers[2]["line"], 5);
    let lines = r["lines"].as_array().unwrap();
    assert_eq!(lines[0]["line"], 3);
    assert_eq!(lines[0]["end_line"], 4);
    assert_eq!(lines[0]["bytes_added"], 1300);
    assert_eq!(lines[0]["bytes_wasted"], 300, "cleanup in a later RUN leaves the bytes in line 3's layer");
    assert_eq!(r["user_wasted_bytes"], 300);
    let compiler = r["leftovers"].as_array().unwrap().iter().find(|l| l["category"] == "compiler").unwrap().clone();
    assert_eq!(compiler["line"], 3);
    let text =
        imgslim().arg("analyze").arg(&path).arg("--dockerfile").arg(&df).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("line 3: RUN apt-get update"), "{text}");
}

#[test]
fn platforms_are_chosen_from_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let amd = Spec::new(vec![vec![file("amd", 10)]]);
    let mut arm = Spec::new(vec![vec![file("arm", 20)]]);
    arm.arch = "arm64";
    let root = dir.path().join("multi");
    g::write_dir(&root, &g::oci_files(&[&amd, &arm], Comp::Gzip));
    let r = analyze_json(&root, &["--platform", "linux/arm64"]);
    assert_eq!((r["size_bytes"].as_u64(), r["image"]["platform"].as_str()), (Some(20), Some("linux/arm64")));
    let err = analyze_err(&root, &["--platform", "linux/s390x"]);
    assert!(err.contains("no image for platform linux/s390x") && err.contains("linux/amd64, linux/arm64"), "{err}");
    if std::env::consts::ARCH == "x86_64" {
        assert_eq!(analyze_json(&root, &[])["size_bytes"], 10, "defaults to the host platform");
    }
    // an index without the host platform is ambiguous: list the choices
    let mut s390 = Spec::new(vec![vec![file("a", 1)]]);
    s390.arch = "s390x";
    let mut ppc = Spec::new(vec![vec![file("b", 1)]]);
    ppc.arch = "ppc64le";
    let root2 = dir.path().join("multi2");
    g::write_dir(&root2, &g::oci_files(&[&s390, &ppc], Comp::Gzip));
    let err = analyze_err(&root2, &[]);
    assert!(err.contains("2 platforms (linux/s390x, linux/ppc64le)"), "{err}");
}

#[test]
fn standard_input_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let path = g::write(dir.path(), "img", &accounting_spec(), Format::OciArchive, Comp::Gzip);
    let out = imgslim()
        .args(["analyze", "-", "--format", "json"])
        .pipe_stdin(&path)
        .unwrap()
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let r: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(r["wasted_bytes"], 11750);
}

#[test]
fn markdown_and_text_render() {
    let dir = tempfile::tempdir().unwrap();
    let path = g::write(dir.path(), "img", &accounting_spec(), Format::DockerArchive, Comp::Plain);
    let md = imgslim()
        .arg("analyze")
        .arg(&path)
        .args(["--format", "markdown"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let md = String::from_utf8(md).unwrap();
    assert!(md.contains("| 13.8 kB | 2.1 kB | 11.8 kB (85.1%) |"), "{md}");
    let text = imgslim().arg("analyze").arg(&path).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("wasted 11.8 kB (85.1%)") && text.contains("/opt/big (deleted)"), "{text}");
}

// ---- hostile and broken inputs: a clear error, exit 2, never a panic ----

fn hostile(name: &str, layers: Vec<Vec<M>>) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = g::write(dir.path(), name, &Spec::new(layers), Format::DockerArchive, Comp::Plain);
    (dir, p)
}

#[test]
fn escaping_and_absolute_paths_are_rejected() {
    let (_d, p) = hostile("esc", vec![vec![M::RawName("../../etc/passwd".into(), b"x".to_vec())]]);
    assert!(analyze_err(&p, &[]).contains("escapes the root"));
    let (_d, p) = hostile("abs", vec![vec![M::RawName("/etc/passwd".into(), b"x".to_vec())]]);
    assert!(analyze_err(&p, &[]).contains("absolute path"));
}

#[test]
fn bare_whiteout_is_rejected() {
    let (_d, p) = hostile("wh", vec![vec![file("a", 1)], vec![M::RawName("d/.wh.".into(), vec![])]]);
    assert!(analyze_err(&p, &[]).contains("invalid whiteout"));
}

#[test]
fn truncated_archives_and_layers_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = g::write(dir.path(), "img", &accounting_spec(), Format::DockerArchive, Comp::Plain);
    let bytes = std::fs::read(&path).unwrap();
    for cut in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 2000] {
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let err = analyze_err(&path, &[]);
        assert!(err.contains("truncated") || err.contains("missing"), "cut {cut}: {err}");
    }
    for comp in [Comp::Gzip, Comp::Zstd] {
        let spec = Spec::new(vec![vec![file("big", 200_000)]]);
        let root = g::write(dir.path(), &format!("c{comp:?}"), &spec, Format::OciLayout, comp);
        let blob = std::fs::read_dir(root.join("blobs/sha256"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .max_by_key(|p| std::fs::metadata(p).unwrap().len())
            .unwrap();
        let data = std::fs::read(&blob).unwrap();
        // corrupt the middle of the compressed stream (same size, so it reaches the decoder)
        let mut bad = data.clone();
        for b in &mut bad[data.len() / 2..data.len() / 2 + 16] {
            *b ^= 0x5a;
        }
        std::fs::write(&blob, &bad).unwrap();
        let err = analyze_err(&root, &[]);
        assert!(
            err.contains(if comp == Comp::Gzip { "gzip" } else { "zstd" }) || err.contains("digest mismatch"),
            "{comp:?}: {err}"
        );
    }
}

#[test]
fn huge_extension_headers_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    // a GNU long-name header claiming 1 GiB
    let mut layer = Vec::new();
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::GNULongName);
    h.set_size(1 << 30);
    h.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
    h.set_cksum();
    layer.extend_from_slice(h.as_bytes());
    layer.extend(vec![0u8; 4096]);
    let mut spec = Spec::new(vec![vec![]]);
    spec.layers = vec![layer];
    let p = g::write(dir.path(), "img", &spec, Format::DockerArchive, Comp::Plain);
    assert!(analyze_err(&p, &[]).contains("larger than the"));
}

#[test]
fn decompression_bombs_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // 1.1 GB of zeros inside a ~40 kB zstd layer: more than 1000x and past the 1 GiB floor
    let mut layer = Vec::new();
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(1_100_000_000);
    h.set_path("zeros").unwrap();
    h.set_cksum();
    layer.extend_from_slice(h.as_bytes());
    let root = dir.path().join("bomb");
    let mut enc = zstd::Encoder::new(Vec::new(), 19).unwrap();
    std::io::Write::write_all(&mut enc, &layer).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..1050 {
        std::io::Write::write_all(&mut enc, &chunk).unwrap();
    }
    let blob = enc.finish().unwrap();
    assert!(blob.len() < 1_000_000);
    let mut spec = Spec::new(vec![vec![]]);
    spec.layers = vec![layer]; // only used for the diff id
    let mut files = g::oci_files(&[&spec], Comp::Zstd);
    // swap in the bomb blob and fix the manifest's digest and size
    let old =
        files.iter().position(|(n, d)| n.starts_with("blobs/") && d.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])).unwrap();
    let old_hex = files[old].0.trim_start_matches("blobs/sha256/").to_string();
    let old_len = files[old].1.len();
    let new_hex = g::sha256_hex(&blob);
    files[old] = (format!("blobs/sha256/{new_hex}"), blob.clone());
    let mi = files.iter().position(|(_, d)| std::str::from_utf8(d).is_ok_and(|s| s.contains(&old_hex))).unwrap();
    let text = String::from_utf8(files[mi].1.clone())
        .unwrap()
        .replace(&old_hex, &new_hex)
        .replace(&format!("\"size\":{old_len}"), &format!("\"size\":{}", blob.len()));
    let new_mhex = g::sha256_hex(text.as_bytes());
    let old_mhex = files[mi].0.trim_start_matches("blobs/sha256/").to_string();
    files[mi] = (format!("blobs/sha256/{new_mhex}"), text.into_bytes());
    let ii = files.iter().position(|(n, _)| n == "index.json").unwrap();
    let idx = String::from_utf8(files[ii].1.clone()).unwrap().replace(&old_mhex, &new_mhex);
    let mlen = files[mi].1.len();
    let idx = regex_size(&idx, mlen);
    files[ii].1 = idx.into_bytes();
    g::write_dir(&root, &files);
    let err = analyze_err(&root, &[]);
    assert!(err.contains("decompression bomb"), "{err}");
}

fn regex_size(index: &str, size: usize) -> String {
    let v: Value = serde_json::from_str(index).unwrap();
    let mut v = v;
    v["manifests"][0]["size"] = size.into();
    v.to_string()
}

#[test]
fn symlink_loops_and_duplicates_do_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    let spec = Spec::new(vec![vec![
        M::Symlink("a", "b"),
        M::Symlink("b", "a"),
        M::File("var/lib/dpkg/status", b"Package: p\nStatus: install ok installed\n\n".to_vec()),
        M::File("var/lib/dpkg/info/p.list", b"/a/x\n/a/b/c\n".to_vec()),
        file("dup", 10),
        file("dup", 4),
    ]]);
    let p = g::write(dir.path(), "img", &spec, Format::DockerArchive, Comp::Plain);
    let r = analyze_json(&p, &[]);
    assert_eq!((r["size_bytes"].as_u64(), r["final_bytes"].as_u64()), (Some(14 + 41 + 12), Some(4 + 41 + 12)));
    assert!(r["warnings"][0].as_str().unwrap().contains("appears twice"));
}

#[test]
fn not_an_image_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.tar");
    g::write_tar(&p, &[("hello.txt".into(), b"hi".to_vec())]);
    assert!(analyze_err(&p, &[]).contains("neither manifest.json"));
    let p = dir.path().join("junk.tar");
    std::fs::write(&p, vec![7u8; 3000]).unwrap();
    assert!(analyze_err(&p, &[]).contains("cannot open image"));
    // without an image extension it is read as a Dockerfile, and rejected as one
    let p = dir.path().join("junk");
    std::fs::write(&p, vec![7u8; 3000]).unwrap();
    assert!(analyze_err(&p, &[]).contains("unknown instruction"));
}

#[test]
fn a_platform_the_image_is_not_is_an_error_not_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let spec = Spec::new(vec![vec![file("a", 10)]]);
    let path = g::write(dir.path(), "img", &spec, Format::DockerArchive, Comp::Plain);
    let out = assert_cmd::Command::cargo_bin("imgslim")
        .unwrap()
        .args(["analyze", "--platform", "linux/arm64"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no image for platform linux/arm64") && err.contains("linux/amd64"), "{err}");
}
