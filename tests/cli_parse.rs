//! `imgslim parse` end to end: output formats, exit codes, error locations, standard input.

use assert_cmd::Command;

fn imgslim() -> Command {
    let mut c = Command::cargo_bin("imgslim").unwrap();
    c.env("NO_COLOR", "1");
    c
}

#[test]
fn json_has_buildkits_fields() {
    let out = imgslim()
        .args(["parse", "--format", "json", "-"])
        .write_stdin("FROM a AS b\nENV K=V X=\"y z\"\nRUN --mount=type=cache,target=/x <<EOF\necho hi\nEOF\nONBUILD COPY --from=b x y\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v[1]["value"], serde_json::json!(["K", "V", "X", "\"y z\""]));
    assert_eq!(v[2]["flags"], serde_json::json!(["--mount=type=cache,target=/x"]));
    assert_eq!(v[2]["heredocs"][0]["content"], "echo hi\n");
    assert_eq!((v[2]["start_line"].as_u64(), v[2]["end_line"].as_u64()), (Some(3), Some(5)));
    assert_eq!(v[3]["sub_cmd"], "COPY");
    assert_eq!(v[3]["sub_flags"], serde_json::json!(["--from=b"]));
    assert_eq!(v[0]["sub_cmd"], serde_json::Value::Null);
}

#[test]
fn syntax_errors_exit_2_with_location() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("Dockerfile");
    std::fs::write(&f, "FROM busybox\n\nENV PATH\n").unwrap();
    let out = imgslim().arg("parse").arg(&f).assert().code(2).get_output().stderr.clone();
    let err = String::from_utf8(out).unwrap();
    assert_eq!(err.trim(), format!("error: {}:3:1: ENV must have two arguments", f.display()));
}

#[test]
fn instruction_errors_exit_2_unless_syntax_only() {
    let src = "FROM a\nCOPY --form=x a b\n";
    let out = imgslim().args(["parse", "-"]).write_stdin(src).assert().code(2).get_output().stderr.clone();
    assert!(String::from_utf8(out).unwrap().contains("<stdin>:2:1: unknown flag: --form (did you mean from?)"));
    imgslim().args(["parse", "--syntax-only", "-"]).write_stdin(src).assert().success();
}

#[test]
fn missing_file_exits_2() {
    imgslim().args(["parse", "/nonexistent/Dockerfile"]).assert().code(2);
}

#[test]
fn tree_shows_stages() {
    let out = imgslim()
        .args(["parse", "-"])
        .write_stdin("ARG V=1\nFROM golang:$V AS build\nRUN go build\nFROM scratch\nCOPY --from=build /a /a\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let s = String::from_utf8(out).unwrap();
    assert!(s.starts_with("5 instructions, 2 stages"), "{s}");
    assert!(s.contains("stage 0 \"build\": FROM golang:$V") && s.contains("stage 1: FROM scratch"), "{s}");
    assert!(!s.contains('\x1b'), "NO_COLOR must disable colors");
}

#[test]
fn dump_matches_buildkit_format() {
    imgslim()
        .args(["parse", "--format", "dump", "-"])
        .write_stdin("FROM a\nENV name value\nCOPY --chown=1 a b\n")
        .assert()
        .success()
        .stdout("(from \"a\")\n(env \"name\" \"value\" \"\")\n(copy [\"--chown=1\"] \"a\" \"b\")\n");
}

#[test]
fn closed_pipe_is_not_an_error() {
    use std::io::Write;
    use std::process::{Command as Std, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("Dockerfile");
    let mut s = String::from("FROM a\n");
    for i in 0..20000 {
        s.push_str(&format!("RUN echo {i}\n"));
    }
    std::fs::write(&f, s).unwrap();
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("imgslim"))
        .args(["parse", "--format", "json"])
        .arg(&f)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut buf = [0u8; 10];
    std::io::Read::read_exact(&mut out, &mut buf).unwrap();
    drop(out);
    let status = child.wait_with_output().unwrap();
    assert_eq!(status.status.code(), Some(0), "{}", String::from_utf8_lossy(&status.stderr));
    let _ = std::io::stdout().flush();
}
