//! `imgslim gate` on generated images: every budget at and around its limit, baselines from a
//! report, an image and a real registry, imgslim.toml, and every report format (JUnit and SARIF
//! against their schemas, GitHub annotations line by line).

mod common;

use common::imagegen::{file, write, Comp, Format, Spec, M};
use std::path::{Path, PathBuf};

fn imgslim() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("imgslim").unwrap();
    c.env("NO_COLOR", "1").env_remove("IMGSLIM_CONFIG").env_remove("GITHUB_STEP_SUMMARY");
    c
}

/// base: 3000 bytes in two layers. grown: base + a compiler (5000 bytes) + a layer deleting
/// app/data (2000 bytes wasted).
fn images(dir: &Path) -> (PathBuf, PathBuf) {
    let l0 = vec![M::Dir("usr"), M::Dir("usr/bin"), file("usr/bin/tool", 1000)];
    let l1 = vec![M::Dir("app"), file("app/data", 2000)];
    let base = Spec::new(vec![l0.clone(), l1.clone()]);
    let mut grown = Spec::new(vec![
        l0,
        l1,
        vec![M::Dir("usr"), M::Dir("usr/bin"), file("usr/bin/gcc", 5000)],
        vec![M::Whiteout("app/data")],
    ]);
    grown.history[2].0 = "/bin/sh -c apt-get install -y gcc".into();
    (
        write(dir, "base", &base, Format::DockerArchive, Comp::Plain),
        write(dir, "grown", &grown, Format::DockerArchive, Comp::Gzip),
    )
}

fn gate(args: &[&str], dir: &Path) -> (i32, String) {
    let out = imgslim().current_dir(dir).arg("gate").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn json(path: &Path, dir: &Path) -> serde_json::Value {
    let out = imgslim().current_dir(dir).args(["analyze", "--format", "json"]).arg(path).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_budget_at_and_around_its_limit() {
    let t = tempfile::tempdir().unwrap();
    let (base, grown) = images(t.path());
    let (b, g) = (base.to_str().unwrap(), grown.to_str().unwrap());
    let gj = json(&grown, t.path());
    let compressed = gj["compressed_bytes"].as_u64().unwrap();
    let eff = gj["efficiency"].as_f64().unwrap();
    assert_eq!(gj["size_bytes"], 8000);
    assert_eq!(gj["wasted_bytes"], 2000);
    let cases: Vec<(Vec<String>, i32)> = vec![
        (vec!["--max-size".into(), "8000B".into()], 0),
        (vec!["--max-size".into(), "7999B".into()], 1),
        (vec!["--max-size".into(), "8KB".into()], 0),
        (vec!["--max-size".into(), "7.99KB".into()], 1),
        (vec!["--max-size".into(), "8KiB".into()], 0),
        (vec!["--max-compressed-size".into(), format!("{compressed}B")], 0),
        (vec!["--max-compressed-size".into(), format!("{}B", compressed - 1)], 1),
        (vec!["--max-wasted".into(), "2000B".into()], 0),
        (vec!["--max-wasted".into(), "1999B".into()], 1),
        (vec!["--max-wasted".into(), "25%".into()], 0),
        (vec!["--max-wasted".into(), "24.9%".into()], 1),
        (vec!["--forbid".into(), "compiler".into()], 1),
        (vec!["--forbid".into(), "package-cache".into()], 0),
        (vec!["--min-efficiency".into(), format!("{}", eff - 0.0001)], 0),
        (vec!["--min-efficiency".into(), format!("{}", eff + 0.0001)], 1),
        (vec!["--max-layers".into(), "4".into()], 0),
        (vec!["--max-layers".into(), "3".into()], 1),
        (vec!["--max-growth".into(), "5000B".into(), "--baseline".into(), b.into()], 0),
        (vec!["--max-growth".into(), "4999B".into(), "--baseline".into(), b.into()], 1),
        (vec!["--max-growth".into(), "166.7%".into(), "--baseline".into(), b.into()], 0),
        (vec!["--max-growth".into(), "166.6%".into(), "--baseline".into(), b.into()], 1),
    ];
    for (args, want) in cases {
        let mut a: Vec<&str> = vec![g];
        a.extend(args.iter().map(String::as_str));
        let (code, out) = gate(&a, t.path());
        assert_eq!(code, want, "{args:?}:\n{out}");
    }
    // the failure says which layer grew
    let (code, out) = gate(&[g, "--max-growth", "10%", "--baseline", b], t.path());
    assert_eq!(code, 1);
    assert!(out.contains("biggest growth: layer 2 (+5.0 kB)") && out.contains("apt-get install -y gcc"), "{out}");
    let (_, out) = gate(&[g, "--forbid", "compiler"], t.path());
    assert!(out.contains("usr/bin/gcc"), "{out}");
    // no budgets, bad values: errors (exit 2)
    assert_eq!(gate(&[g], t.path()).0, 2);
    assert_eq!(gate(&[g, "--max-size", "big"], t.path()).0, 2);
    assert_eq!(gate(&[g, "--forbid", "nonsense"], t.path()).0, 2);
    assert_eq!(gate(&[g, "--max-growth", "1%"], t.path()).0, 1, "growth without a baseline fails the check");
}

#[test]
fn baselines_from_a_report_an_image_and_a_registry() {
    let t = tempfile::tempdir().unwrap();
    let (base, grown) = images(t.path());
    let g = grown.to_str().unwrap();
    // a JSON report written by `analyze` and by `gate --report`
    let report = t.path().join("base.json");
    std::fs::write(&report, serde_json::to_vec(&json(&base, t.path())).unwrap()).unwrap();
    let gate_report = t.path().join("gate.json");
    let (code, _) =
        gate(&[base.to_str().unwrap(), "--max-size", "1MB", "--report", gate_report.to_str().unwrap()], t.path());
    assert_eq!(code, 0);
    for r in [&report, &gate_report] {
        assert_eq!(gate(&[g, "--max-growth", "5000B", "--baseline", r.to_str().unwrap()], t.path()).0, 0);
        assert_eq!(gate(&[g, "--max-growth", "4999B", "--baseline", r.to_str().unwrap()], t.path()).0, 1);
    }
    // a registry reference: manifest only, so growth is measured on the stored (compressed) sizes
    let Some(reg) = common::registry::start(None) else { return };
    let dest = format!("{}/team/app:base", reg.host);
    common::registry::skopeo_copy(&base, &dest);
    let (code, out) = gate(&[g, "--max-growth", "1000%", "--baseline", &dest, "--format", "json"], t.path());
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["baseline"]["size_bytes"].is_null() && v["baseline"]["compressed_bytes"].as_u64().unwrap() > 0);
    assert_eq!(gate(&[g, "--max-growth", "0B", "--baseline", &dest], t.path()).0, 1);
    // compare against the registry image too: b is the grown image
    let out = imgslim().args(["compare", "--format", "json", &dest, g]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (c["a"]["size_bytes"].as_u64(), c["b"]["size_bytes"].as_u64(), c["delta_bytes"].as_i64()),
        (Some(3000), Some(8000), Some(5000))
    );
}

#[test]
fn settings_file_and_flags() {
    let t = tempfile::tempdir().unwrap();
    let (_, grown) = images(t.path());
    std::fs::write(t.path().join("imgslim.toml"), "[gate]\nmax_size = \"7KB\"\nforbid = [\"compiler\"]\n").unwrap();
    let (code, out) = gate(&[grown.to_str().unwrap()], t.path());
    assert_eq!(code, 1);
    assert!(out.contains("max_size") && out.contains("forbid:compiler"), "{out}");
    // flags win over the file
    let (code, out) = gate(&[grown.to_str().unwrap(), "--max-size", "9KB", "--forbid", "headers"], t.path());
    assert_eq!(code, 0, "{out}");
    std::fs::write(t.path().join("imgslim.toml"), "[gate]\nmax_sizes = \"7KB\"\n").unwrap();
    assert_eq!(gate(&[grown.to_str().unwrap()], t.path()).0, 2, "unknown keys are errors");
}

#[test]
fn report_formats() {
    let t = tempfile::tempdir().unwrap();
    let (base, grown) = images(t.path());
    let dockerfile = t.path().join("Dockerfile");
    std::fs::write(
        &dockerfile,
        "FROM scratch\nCOPY tool /usr/bin/\nCOPY data /app/\nRUN apt-get install -y gcc\nRUN rm /app/data\n",
    )
    .unwrap();
    let args = |fmt: &str| -> Vec<String> {
        vec![
            grown.display().to_string(),
            "--max-size".into(),
            "7KB".into(),
            "--max-growth".into(),
            "10%".into(),
            "--baseline".into(),
            base.display().to_string(),
            "--max-layers".into(),
            "9".into(),
            "--format".into(),
            fmt.into(),
        ]
    };
    let run = |fmt: &str| {
        let a = args(fmt);
        gate(&a.iter().map(String::as_str).collect::<Vec<_>>(), t.path())
    };
    // JSON: verdict and report in one run
    let (code, out) = run("json");
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["passed"], false);
    assert_eq!(v["checks"].as_array().unwrap().len(), 3);
    assert_eq!(v["report"]["size_bytes"], 8000);
    assert_eq!(v["delta_bytes"], 5000);
    // JUnit against the schema
    let (_, junit) = run("junit");
    let xml = t.path().join("junit.xml");
    std::fs::write(&xml, &junit).unwrap();
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/junit.xsd");
    let check = std::process::Command::new("python3")
        .args(["-c", "import sys, xmlschema; xmlschema.XMLSchema(sys.argv[1]).validate(sys.argv[2])"])
        .arg(&xsd)
        .arg(&xml)
        .output()
        .unwrap();
    if String::from_utf8_lossy(&check.stderr).contains("No module named 'xmlschema'") {
        common::tool_missing::<()>("the Python package xmlschema (pip install xmlschema)");
    } else {
        assert!(check.status.success(), "JUnit schema: {}\n{junit}", String::from_utf8_lossy(&check.stderr));
    }
    assert!(
        junit.contains("failures=\"2\"")
            && junit.contains("<testcase classname=\"imgslim.gate\" name=\"max_layers\"/>")
    );
    // SARIF against the 2.1.0 schema and Microsoft's validator
    let (_, sarif) = run("sarif");
    let s: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(s["runs"][0]["results"].as_array().unwrap().len(), 2);
    let f = t.path().join("gate.sarif");
    std::fs::write(&f, &sarif).unwrap();
    common::validate_sarif(&f);
    // GitHub: one workflow command per line, the summary file gets the Markdown
    let summary = t.path().join("summary.md");
    let a = args("github");
    let out =
        imgslim().current_dir(t.path()).env("GITHUB_STEP_SUMMARY", &summary).arg("gate").args(&a).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let re =
        regex::Regex::new(r"^::(error|notice) (file=[^,:]+(,line=\d+)?,)?title=imgslim gate[^:]*::[^\r\n]+$").unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    for l in &lines {
        assert!(re.is_match(l), "not a workflow command: {l}");
    }
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("### imgslim gate: **failed**") && md.contains("+5.0 kB"), "{md}");
    // Markdown and text
    let (_, md) = run("markdown");
    assert!(md.contains("| `max_size` | 7.0 kB | 8.0 kB | **fail**"), "{md}");
    let (_, txt) = run("text");
    assert!(txt.contains("FAILED: 2 of 3 checks"), "{txt}");
}
