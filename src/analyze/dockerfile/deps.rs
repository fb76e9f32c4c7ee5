//! What a project's lockfiles and manifests say it installs: Python requirements (requirements
//! files, pyproject.toml, setup.py, poetry.lock, uv.lock, Pipfile.lock), npm packages
//! (package-lock.json, yarn.lock, pnpm-lock.yaml, package.json), Go modules (go.sum), Rust crates
//! (Cargo.lock) and Ruby gems (Gemfile).

use std::collections::BTreeSet;

/// Distribution names of a requirements file; `-r other.txt` lines are returned apart, for the
/// caller to read.
pub fn requirements(text: &str) -> (Vec<String>, Vec<String>) {
    let mut names = Vec::new();
    let mut includes = Vec::new();
    for line in text.lines() {
        let line = line.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(f) = line.strip_prefix("-r").or_else(|| line.strip_prefix("--requirement")) {
            includes.push(f.trim_start_matches('=').trim().to_string());
            continue;
        }
        if line.starts_with('-') || line.contains("://") {
            continue;
        }
        if let Some(n) = requirement_name(line) {
            names.push(n);
        }
    }
    (names, includes)
}

pub use crate::data::deps::requirement_name;

/// The dependencies a pyproject.toml declares ([project] or [tool.poetry]).
pub fn pyproject(text: &str) -> Vec<String> {
    let Ok(v) = text.parse::<toml::Table>() else { return Vec::new() };
    let mut out = Vec::new();
    if let Some(deps) = v.get("project").and_then(|p| p.get("dependencies")).and_then(|d| d.as_array()) {
        out.extend(deps.iter().filter_map(|d| d.as_str()).filter_map(requirement_name));
    }
    if let Some(deps) =
        v.get("tool").and_then(|t| t.get("poetry")).and_then(|p| p.get("dependencies")).and_then(|d| d.as_table())
    {
        out.extend(deps.keys().filter(|k| *k != "python").map(|k| crate::data::deps::normalize_pypi(k)));
    }
    out
}

/// `install_requires=[...]` of a setup.py or setup.cfg.
pub fn setup_py(text: &str) -> Vec<String> {
    let Some(start) = text.find("install_requires") else { return Vec::new() };
    let rest = &text[start..];
    if let Some(open) = rest.find('[') {
        let body = &rest[open + 1..];
        let body = &body[..body.find(']').unwrap_or(body.len())];
        return body
            .split(',')
            .map(|s| s.trim().trim_matches(['"', '\'']))
            .filter(|s| !s.is_empty())
            .filter_map(requirement_name)
            .collect();
    }
    // setup.cfg: one requirement per indented line
    rest.lines()
        .skip(1)
        .take_while(|l| l.starts_with([' ', '\t']) || l.is_empty())
        .filter_map(requirement_name)
        .collect()
}

/// Every package of a poetry.lock or uv.lock (`[[package]] name = ...`), the project itself left out.
pub fn toml_lock(text: &str) -> Vec<String> {
    let Ok(v) = text.parse::<toml::Table>() else { return Vec::new() };
    v.get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter(|p| {
            // uv.lock marks the project with source = { editable = "." } or { virtual = "." }
            !p.get("source")
                .and_then(|s| s.as_table())
                .is_some_and(|s| s.contains_key("editable") || s.contains_key("virtual"))
        })
        .filter_map(|p| p.get("name")?.as_str().map(crate::data::deps::normalize_pypi))
        .collect()
}

/// Pipfile.lock: (default, develop) package names.
pub fn pipfile_lock(text: &str) -> (Vec<String>, Vec<String>) {
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let names = |k: &str| -> Vec<String> {
        v[k].as_object().map(|o| o.keys().map(|k| crate::data::deps::normalize_pypi(k)).collect()).unwrap_or_default()
    };
    (names("default"), names("develop"))
}

/// An npm package: its name and whether only development needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NpmDep {
    pub name: String,
    pub dev: bool,
}

/// package-lock.json (lockfile v1, v2 and v3) or npm-shrinkwrap.json.
pub fn package_lock(text: &str) -> Vec<NpmDep> {
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let mut out = Vec::new();
    if let Some(pkgs) = v["packages"].as_object() {
        for (k, p) in pkgs {
            let Some(i) = k.rfind("node_modules/") else { continue };
            if p["link"].as_bool() == Some(true) {
                continue;
            }
            let dev = p["dev"].as_bool() == Some(true) || p["devOptional"].as_bool() == Some(true);
            out.push(NpmDep { name: k[i + "node_modules/".len()..].to_string(), dev });
        }
        return out;
    }
    fn walk(deps: &serde_json::Value, out: &mut Vec<NpmDep>, depth: usize) {
        let Some(o) = deps.as_object() else { return };
        if depth > 64 {
            return;
        }
        for (name, d) in o {
            out.push(NpmDep { name: name.clone(), dev: d["dev"].as_bool() == Some(true) });
            walk(&d["dependencies"], out, depth + 1);
        }
    }
    walk(&v["dependencies"], &mut out, 0);
    out
}

/// yarn.lock (v1 and berry): one entry per resolved package; dev-ness is not recorded, so the
/// caller marks the direct dev dependencies from package.json.
pub fn yarn_lock(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '#']) || !line.ends_with(':') || line.starts_with("__metadata") {
            continue;
        }
        let first = line.trim_end_matches(':').split(", ").next().unwrap_or("").trim_matches('"');
        // `@scope/name@^1` or `name@npm:^1`
        let name = match first.strip_prefix('@') {
            Some(rest) => rest.split_once('@').map(|(n, _)| format!("@{n}")),
            None => first.split_once('@').map(|(n, _)| n.to_string()),
        };
        if let Some(n) = name.filter(|n| !n.is_empty()) {
            out.push(n);
        }
    }
    out
}

/// pnpm-lock.yaml: the packages section's keys (`/name@1.0.0:`, `name@1.0.0:`, `/@scope/name/1.0.0:`)
/// and their `dev: true` flags (lockfile v6).
pub fn pnpm_lock(text: &str) -> Vec<NpmDep> {
    let mut out: Vec<NpmDep> = Vec::new();
    let mut in_packages = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            in_packages = line.trim_end() == "packages:";
            continue;
        }
        if !in_packages {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let t = line.trim();
        if indent == 2 && t.ends_with(':') {
            let key = t.trim_end_matches(':').trim_matches(['\'', '"']).trim_start_matches('/');
            let name = match key.strip_prefix('@') {
                Some(rest) => {
                    let (scope, after) = rest.split_once('/').unwrap_or((rest, ""));
                    let n = after.split(['@', '/']).next().unwrap_or("");
                    format!("@{scope}/{n}")
                }
                None => key.split(['@', '/']).next().unwrap_or("").to_string(),
            };
            out.push(NpmDep { name, dev: false });
        } else if indent == 4 && t == "dev: true" {
            if let Some(last) = out.last_mut() {
                last.dev = true;
            }
        }
    }
    out
}

/// package.json: (dependencies, devDependencies) names.
pub fn package_json(text: &str) -> (Vec<String>, Vec<String>) {
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let keys = |k: &str| -> Vec<String> { v[k].as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default() };
    (keys("dependencies"), keys("devDependencies"))
}

/// A Gemfile: (gems, gems of the development and test groups), by name: `gem "x"` lines, in
/// `group :development, :test do ... end` blocks or with `group: :test`.
pub fn gemfile(text: &str) -> (Vec<String>, Vec<String>) {
    let is_dev = |l: &str| l.contains(":development") || l.contains(":test");
    let gem_name = |l: &str| {
        let rest = l.strip_prefix("gem")?.strip_prefix(['(', ' '])?.trim_start();
        let q = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        rest[1..].split(q).next().filter(|n| !n.is_empty()).map(str::to_string)
    };
    // the blocks open at this line: a `group` block says whether it is a dev group
    let mut blocks: Vec<Option<bool>> = Vec::new();
    let (mut gems, mut dev) = (Vec::new(), Vec::new());
    for line in text.lines() {
        let l = line.split('#').next().unwrap_or("").trim();
        if l.starts_with("group") && (l.ends_with(" do") || l.ends_with('{')) {
            blocks.push(Some(is_dev(l)));
        } else if l.ends_with(" do") || l.contains(" do |") {
            blocks.push(None); // another block (platforms, source ... do)
        } else if l == "end" || l == "}" {
            blocks.pop();
        } else if let Some(n) = gem_name(l) {
            let option = (l.contains("group:") || l.contains(":group =>") || l.contains("groups:")) && is_dev(l);
            if option || blocks.contains(&Some(true)) {
                dev.push(n);
            } else {
                gems.push(n);
            }
        }
    }
    (gems, dev)
}

/// The modules a go.sum lists (each once).
pub fn go_sum(text: &str) -> usize {
    text.lines().filter_map(|l| l.split_whitespace().next()).collect::<BTreeSet<_>>().len()
}

/// The crates of a Cargo.lock that come from a registry or git (not the workspace's own).
pub fn cargo_lock(text: &str) -> usize {
    let Ok(v) = text.parse::<toml::Table>() else { return 0 };
    v.get("package")
        .and_then(|p| p.as_array())
        .map(|a| a.iter().filter(|p| p.get("source").is_some()).count())
        .unwrap_or(0)
}

/// The binary a Cargo.toml builds: the first [[bin]] name, else the package name.
pub fn cargo_binary(text: &str) -> Option<String> {
    let v = text.parse::<toml::Table>().ok()?;
    if let Some(b) = v.get("bin").and_then(|b| b.as_array()).and_then(|a| a.first()).and_then(|b| b.get("name")) {
        return b.as_str().map(str::to_string);
    }
    v.get("package")?.get("name")?.as_str().map(str::to_string)
}

/// The dependencies a Cargo.toml declares (when there is no Cargo.lock).
pub fn cargo_dependencies(text: &str) -> usize {
    let Ok(v) = text.parse::<toml::Table>() else { return 0 };
    v.get("dependencies").and_then(|d| d.as_table()).map_or(0, |t| t.len())
}

/// The dependencies a pom.xml declares (`<dependency>` elements, managed ones included).
pub fn pom_dependencies(text: &str) -> usize {
    text.matches("<dependency>").count()
}

/// The dependencies a build.gradle or build.gradle.kts declares: lines of a `dependencies`
/// block that name a configuration (`implementation 'g:a:v'`, `api(libs.x)`, `testImplementation`).
pub fn gradle_dependencies(text: &str) -> usize {
    const CONFIGURATIONS: &[&str] = &[
        "implementation",
        "api",
        "compileOnly",
        "runtimeOnly",
        "annotationProcessor",
        "testImplementation",
        "testRuntimeOnly",
        "compile",
        "runtime",
        "kapt",
    ];
    let mut depth = 0usize;
    let mut in_deps = None;
    let mut n = 0;
    for line in text.lines() {
        let t = line.trim();
        if in_deps.is_none() && (t.starts_with("dependencies {") || t == "dependencies{" || t == "dependencies") {
            in_deps = Some(depth);
        }
        if in_deps.is_some_and(|d| depth == d + 1) {
            let word: String = t.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            if CONFIGURATIONS.contains(&word.as_str()) {
                n += 1;
            }
        }
        depth += t.matches('{').count();
        depth = depth.saturating_sub(t.matches('}').count());
        if in_deps.is_some_and(|d| depth <= d) && t.contains('}') {
            in_deps = None;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_manifests() {
        let (n, inc) = requirements(
            "# c\nFlask==3.0\nrequests[socks]>=2 ; python_version>'3'\n-r base.txt\n-e .\ngit+https://x/y\n",
        );
        assert_eq!(n, ["flask", "requests"]);
        assert_eq!(inc, ["base.txt"]);
        assert_eq!(pyproject("[project]\ndependencies = [\"httpx>=0.27\", \"Rich\"]\n"), ["httpx", "rich"]);
        assert_eq!(setup_py("setup(name='x', install_requires=['numpy>=1', \"tabulate\"])"), ["numpy", "tabulate"]);
        let lock = "[[package]]\nname = \"app\"\nversion = \"0\"\nsource = { editable = \".\" }\n[[package]]\nname = \"Idna\"\nversion = \"3\"\nsource = { registry = \"x\" }\n";
        assert_eq!(toml_lock(lock), ["idna"]);
    }

    #[test]
    fn npm_lockfiles() {
        let v3 = r#"{"lockfileVersion":3,"packages":{"":{},"node_modules/ms":{"version":"2"},"node_modules/typescript":{"dev":true},"node_modules/a/node_modules/@s/b":{}}}"#;
        assert_eq!(
            package_lock(v3),
            [
                NpmDep { name: "@s/b".into(), dev: false },
                NpmDep { name: "ms".into(), dev: false },
                NpmDep { name: "typescript".into(), dev: true }
            ]
        );
        let v1 = r#"{"lockfileVersion":1,"dependencies":{"a":{"dev":true,"dependencies":{"b":{}}}}}"#;
        assert_eq!(package_lock(v1).len(), 2);
        let y = "# yarn\n\"@babel/core@^7\", \"@babel/core@^7.1\":\n  version \"7\"\n\nms@^2:\n  version \"2\"\n";
        assert_eq!(yarn_lock(y), ["@babel/core", "ms"]);
        let p = "lockfileVersion: '6.0'\npackages:\n\n  /ms@2.1.3:\n    resolution: {}\n    dev: true\n\n  /@types/node@20.1.0:\n    dev: false\n";
        assert_eq!(
            pnpm_lock(p),
            [NpmDep { name: "ms".into(), dev: true }, NpmDep { name: "@types/node".into(), dev: false }]
        );
    }

    #[test]
    fn go_and_rust() {
        assert_eq!(go_sum("a v1 h1:x\na v1/go.mod h1:y\nb v2 h1:z\n"), 2);
        let pom = "<project><dependencies><dependency><artifactId>a</artifactId></dependency>\n<dependency>\n</dependency></dependencies></project>";
        assert_eq!(pom_dependencies(pom), 2);
        let gradle = "plugins { id 'java' }\ndependencies {\n    implementation 'org.x:y:1'\n    testImplementation(\"junit:junit:4\")\n    constraints {\n        implementation 'z:z:1'\n    }\n}\njar { manifest { attributes 'implementation': 'x' } }\n";
        assert_eq!(gradle_dependencies(gradle), 2);
        assert_eq!(gradle_dependencies("apply plugin: 'java'\n"), 0);
        assert_eq!(cargo_lock("[[package]]\nname=\"me\"\n[[package]]\nname=\"serde\"\nsource=\"registry+x\"\n"), 1);
        assert_eq!(cargo_binary("[package]\nname = \"wordfreq\"\n").as_deref(), Some("wordfreq"));
    }

    #[test]
    fn gemfile_groups() {
        let g = "source \"https://rubygems.org\"\ngem \"rails\", \"~> 7.0\"\ngroup :development, :test do\n  gem \"rspec\"\n  gem 'pry' # debug\nend\ngroup :production do\n  gem \"pg\"\nend\nplatforms :ruby do\n  gem \"sqlite3\"\nend\ngem \"rubocop\", group: :development\ngem(\"puma\")\n";
        let (gems, dev) = gemfile(g);
        assert_eq!(gems, ["rails", "pg", "sqlite3", "puma"]);
        assert_eq!(dev, ["rspec", "pry", "rubocop"]);
    }
}
