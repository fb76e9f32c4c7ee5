//! A fault-injecting HTTP proxy in front of a plain-HTTP registry. Each connection carries one
//! request: a rule sees the method, the path, the body's length and how often that method and
//! path (without the query) came before, and either answers with an error status itself or lets
//! the request through to the registry. Anything that is not HTTP (a TLS hello) is passed through
//! untouched.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A request as the rule sees it.
pub struct Request<'a> {
    pub method: &'a str,
    /// With the query.
    pub path: &'a str,
    /// Content-Length (0 without one).
    pub length: u64,
    /// How often this method and path (without the query) came before.
    pub before: usize,
}

/// `Some(status)` to fail the request with that status.
pub type Rule = dyn Fn(&Request) -> Option<u16> + Send + Sync;

pub struct Proxy {
    pub host: String,
    injected: Arc<AtomicUsize>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    /// How many requests the proxy failed.
    pub fn injected(&self) -> usize {
        self.injected.load(Ordering::SeqCst)
    }

    /// The requests it failed, `METHOD path -> status`.
    pub fn failed(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

struct Shared {
    upstream: String,
    rule: Box<Rule>,
    seen: Mutex<HashMap<String, usize>>,
    injected: Arc<AtomicUsize>,
    log: Arc<Mutex<Vec<String>>>,
}

pub fn start(upstream: &str, rule: Box<Rule>) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap().to_string();
    let injected = Arc::new(AtomicUsize::new(0));
    let log = Arc::new(Mutex::new(Vec::new()));
    let shared = Arc::new(Shared {
        upstream: upstream.to_string(),
        rule,
        seen: Mutex::new(HashMap::new()),
        injected: injected.clone(),
        log: log.clone(),
    });
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let shared = shared.clone();
            std::thread::spawn(move || {
                let _ = serve(conn, &shared);
            });
        }
    });
    Proxy { host, injected, log }
}

fn serve(client: TcpStream, s: &Shared) -> std::io::Result<()> {
    let mut first = [0u8; 1];
    client.peek(&mut first)?;
    let mut reader = BufReader::new(client.try_clone()?);
    let upstream = TcpStream::connect(&s.upstream)?;
    if !first[0].is_ascii_uppercase() {
        return relay(reader, client, upstream, &[]);
    }
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line)? == 0 || line == b"\r\n" {
            break;
        }
        head.push(String::from_utf8_lossy(&line).trim_end().to_string());
    }
    let mut words = head.first().map(|l| l.split(' ')).into_iter().flatten();
    let (method, path) = (words.next().unwrap_or("").to_string(), words.next().unwrap_or("").to_string());
    let key = format!("{method} {}", path.split('?').next().unwrap_or(""));
    let n = {
        let mut seen = s.seen.lock().unwrap();
        let n = seen.entry(key.clone()).or_default();
        *n += 1;
        *n - 1
    };
    let length = head
        .iter()
        .find_map(|h| h.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")))
        .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    if let Some(status) = (s.rule)(&Request { method: &method, path: &path, length, before: n }) {
        std::io::copy(&mut (&mut reader).take(length), &mut std::io::sink())?;
        s.injected.fetch_add(1, Ordering::SeqCst);
        s.log.lock().unwrap().push(format!("{key} -> {status}"));
        let body = format!("{{\"errors\":[{{\"code\":\"UNKNOWN\",\"message\":\"injected {status}\"}}]}}");
        let challenge = if status == 401 { "WWW-Authenticate: Basic realm=\"test\"\r\n" } else { "" };
        let mut c = client;
        write!(
            c,
            "HTTP/1.1 {status} Injected\r\n{challenge}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        return c.shutdown(Shutdown::Both);
    }
    let mut out = String::new();
    for h in head.iter().filter(|h| !h.to_ascii_lowercase().starts_with("connection:")) {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    relay(reader, client, upstream, out.as_bytes())
}

/// `head` then the rest of the client's bytes to the registry; the registry's answer back until
/// it closes.
fn relay(
    mut from_client: BufReader<TcpStream>,
    client: TcpStream,
    upstream: TcpStream,
    head: &[u8],
) -> std::io::Result<()> {
    let mut up_w = upstream.try_clone()?;
    up_w.write_all(head)?;
    let pump = std::thread::spawn(move || {
        let _ = std::io::copy(&mut from_client, &mut up_w);
    });
    let (mut up_r, mut c) = (upstream, client);
    let _ = std::io::copy(&mut up_r, &mut c);
    let _ = c.shutdown(Shutdown::Both);
    let _ = up_r.shutdown(Shutdown::Both);
    let _ = pump.join();
    Ok(())
}
