//! moto's server (PyPI `moto[server]`) as a local ECR API, stopped when dropped.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start() -> Option<Moto> {
    if Command::new("moto_server").arg("--help").stdout(Stdio::null()).stderr(Stdio::null()).status().is_err() {
        return super::tool_missing("moto_server (pip install \"moto[server]\")");
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let host = format!("127.0.0.1:{port}");
    let start = Instant::now();
    while std::net::TcpStream::connect(&host).is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "moto_server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Moto { child, endpoint: format!("http://{host}") })
}

/// Run boto3 against moto: `code` sees `ecr` (a client) and prints JSON.
pub fn boto(m: &Moto, code: &str) -> serde_json::Value {
    let script = format!(
        "import json, boto3\necr = boto3.client('ecr', region_name='us-east-1', endpoint_url='{}', aws_access_key_id='test', aws_secret_access_key='test')\n{code}",
        m.endpoint
    );
    let out = Command::new("python3").arg("-c").arg(script).output().unwrap();
    assert!(out.status.success(), "boto3: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}
