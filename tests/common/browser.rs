//! A real browser for the HTML reports: Debian's chromium, headless. The page's own `#selftest`
//! mode checks the treemap and clicks a layer; the result is read from the DOM after scripts ran.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(o) = Command::new("which").arg(name).output() {
            if o.status.success() {
                return Some(PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
            }
        }
    }
    super::tool_missing("chromium (apt-get install chromium)")
}

fn headless(browser: &Path, profile: &Path) -> Command {
    let mut c = Command::new("timeout");
    c.arg("120").arg(browser).args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--window-size=1280,1000",
        "--virtual-time-budget=5000",
    ]);
    c.arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// Open `page#selftest` and return what the page wrote into `#selftest-result`.
pub fn selftest(browser: &Path, page: &Path) -> serde_json::Value {
    let profile = tempfile::tempdir().unwrap();
    let out = headless(browser, profile.path())
        .arg("--dump-dom")
        .arg(format!("file://{}#selftest", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom.find("<pre id=\"selftest-result\">").unwrap_or_else(|| {
        panic!("no self-test result in the DOM of {}:\n{}", page.display(), String::from_utf8_lossy(&out.stderr))
    });
    let rest = &dom[start + "<pre id=\"selftest-result\">".len()..];
    let text = &rest[..rest.find("</pre>").unwrap()];
    let text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("self-test result of {}: {e}: {text}", page.display()))
}

/// A screenshot of the page (PNG).
pub fn screenshot(browser: &Path, page: &Path, png: &Path, height: u32) {
    let profile = tempfile::tempdir().unwrap();
    let out = headless(browser, profile.path())
        .arg(format!("--window-size=1280,{height}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let meta = std::fs::metadata(png)
        .unwrap_or_else(|e| panic!("no screenshot {}: {e}\n{}", png.display(), String::from_utf8_lossy(&out.stderr)));
    assert!(meta.len() > 5_000, "{} is only {} bytes", png.display(), meta.len());
}

/// Where tests put screenshots for people to look at: $IMGSLIM_ARTIFACTS, else the target dir.
pub fn artifacts() -> PathBuf {
    let dir = std::env::var_os("IMGSLIM_ARTIFACTS").map(PathBuf::from).unwrap_or_else(|| {
        std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
            .join("artifacts")
    });
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
