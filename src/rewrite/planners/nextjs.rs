//! Next.js with `output: 'standalone'` in next.config: `next build` traces what the server needs
//! into `.next/standalone` (a `server.js` and the node_modules it loads). The runtime stage is
//! node slim with that directory, `.next/static` and `public/`, started with `node server.js` on
//! the port and host `next start` used (PORT, HOSTNAME); node_modules, the sources and the build
//! cache stay behind. Next.js's own Dockerfile recipe, read from the project.

use super::*;

const CONFIGS: &[&str] = &["next.config.js", "next.config.mjs", "next.config.cjs", "next.config.ts"];

/// Does the config ask for a standalone build (`output: 'standalone'`, not in a comment)?
fn standalone(config: &str) -> bool {
    static RE: std::sync::OnceLock<(regex::Regex, regex::Regex)> = std::sync::OnceLock::new();
    let (comments, output) = RE.get_or_init(|| {
        (
            regex::Regex::new(r"(?s)/\*.*?\*/").expect("regex"),
            regex::Regex::new(r#"(?m)^[^/]*\boutput\s*:\s*["'`]standalone["'`]"#).expect("regex"),
        )
    });
    output.is_match(&comments.replace_all(config, ""))
}

/// The port (when given) and host of `next start [-p N] [-H HOST]`; None for anything else.
fn next_start(words: &[&str]) -> Option<(Option<u16>, String)> {
    let rest = match words {
        ["next", "start", rest @ ..] | ["npx", "next", "start", rest @ ..] => rest,
        _ => return None,
    };
    let (mut port, mut host) = (None, "0.0.0.0".to_string());
    let mut it = rest.iter();
    while let Some(w) = it.next() {
        match *w {
            "-p" | "--port" => port = Some(it.next()?.parse().ok()?),
            "-H" | "--hostname" => host = it.next()?.to_string(),
            _ => return None,
        }
    }
    Some((port, host))
}

/// The `next start` the program runs: directly, or as package.json's start script through
/// npm or yarn (without prestart/poststart scripts, which `node server.js` would not run).
fn started(o: &Original) -> Option<(Option<u16>, String)> {
    let argv = o.program.as_ref()?;
    let words: Vec<&str> = argv.iter().map(String::as_str).collect();
    if let Some(s) = next_start(&words) {
        return Some(s);
    }
    if !matches!(words.as_slice(), ["npm" | "yarn", "start"] | ["npm" | "yarn", "run", "start"]) {
        return None;
    }
    let pkg: serde_json::Value = serde_json::from_str(&o.context_file("package.json")?).ok()?;
    if !pkg["scripts"]["prestart"].is_null() || !pkg["scripts"]["poststart"].is_null() {
        return None;
    }
    let script = pkg["scripts"]["start"].as_str()?;
    next_start(&script.split_whitespace().collect::<Vec<_>>())
}

/// Plan the standalone rewrite of a Next.js app; Ok(false) when the original is not one.
pub fn plan(o: &Original, options: &Options, bp: &mut Blueprint) -> Result<bool, Refusal> {
    let Some(config) = CONFIGS.iter().find_map(|f| o.context_file(f)) else { return Ok(false) };
    let app = o.workdir.trim_end_matches('/').to_string();
    let entrypoint = o.has_kind(|k| matches!(k, Kind::Entrypoint { .. }));
    if !standalone(&config) || app.is_empty() || entrypoint || !o.builds(Ecosystem::Node) {
        return Ok(false);
    }
    let Some((port, host)) = started(o) else { return Ok(false) };
    let runtime = runtime_base(o, options, false)
        .ok_or_else(|| Refusal::at(o.stage.line, format!("no runtime image is known for {}", o.base)))?;
    set_runtime(o, bp, runtime, "the Node.js runtime for the server `next build` traced (output: standalone)")?;
    bp.artifact_to(
        &format!("{app}/.next/standalone"),
        &app,
        "the server `next build` traced (server.js and the node_modules it loads)",
    );
    bp.artifact_to(&format!("{app}/.next/static"), &format!("{app}/.next/static"), "the static assets of the build");
    // public/ when the build has one (made empty otherwise: the copy needs it)
    bp.tail.push(format!(
        "# imgslim: public/ for the runtime stage's copy, empty when the project has none{}RUN mkdir -p {app}/public",
        o.nl
    ));
    bp.artifact_to(&format!("{app}/public"), &format!("{app}/public"), "the public files the server serves");
    bp.change(
        None,
        "next.config asks for output: standalone: the runtime stage gets .next/standalone, .next/static and public/; node_modules, the sources and the build cache stay in the builder",
    );
    if let Some(cmd) =
        o.with_role(Role::Runtime).filter(|s| matches!(o.stage.commands[s.index].kind, Kind::Cmd { .. })).last()
    {
        bp.replaced.push((cmd.instruction, r#"CMD ["node", "server.js"]"#.to_string()));
        bp.change(Some(cmd.line), "CMD runs the standalone server (`node server.js`) instead of `next start`");
    }
    // server.js reads PORT as `next start` does (3000 without it), and HOSTNAME, which the
    // container's own name would fill
    match port {
        Some(port) => {
            bp.env.push(format!("ENV PORT={port} HOSTNAME={host}"));
            bp.change(
                None,
                format!("PORT={port} and HOSTNAME={host}: where `next start` listened, which server.js reads"),
            );
        }
        None => {
            bp.env.push(format!("ENV HOSTNAME={host}"));
            bp.change(
                None,
                format!(
                    "HOSTNAME={host}: the address `next start` listened on, which server.js reads (PORT as before)"
                ),
            );
        }
    }
    bp.intended.extend(["Cmd", "Env"]);
    keep_packages(o, bp, o.invoked(), options)?;
    base_saving(o, bp);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_and_start_commands() {
        assert!(standalone("module.exports = {\n  output: 'standalone',\n}\n"));
        assert!(standalone("const nextConfig = { reactStrictMode: true, output: \"standalone\" };"));
        assert!(!standalone("module.exports = {\n  // output: 'standalone',\n}\n"));
        assert!(!standalone("module.exports = { output: 'export' }"));
        assert!(!standalone("/* output: 'standalone', */\nmodule.exports = {}\n"));
        assert_eq!(next_start(&["next", "start", "-p", "8080"]), Some((Some(8080), "0.0.0.0".into())));
        assert_eq!(next_start(&["npx", "next", "start"]), Some((None, "0.0.0.0".into())));
        assert_eq!(next_start(&["next", "start", "--keepAliveTimeout", "5000"]), None);
        assert_eq!(next_start(&["next", "dev"]), None);
    }
}
