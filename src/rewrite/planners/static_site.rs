//! Static front ends: a Node build that writes a directory of files (`npm run build` into
//! `dist/` or `build/`) and a program that only serves that directory (`serve`, `http-server`,
//! also through `npx`). The runtime stage is nginx with the files and a server on the port the
//! original served on, with the single-page fallback of `serve -s` and its clean URLs; node,
//! node_modules, the sources and the file server stay behind.

use super::*;

/// The static-file runtime: what experts ship a front end on.
pub const RUNTIME: &str = "nginx:1.27-alpine";
const ROOT: &str = "/usr/share/nginx/html";
/// The file servers the program may be, as npm packages (a global install of one stays behind).
const SERVERS: &[&str] = &["serve", "http-server"];

/// What the original serves, and how.
#[derive(Debug, PartialEq, Eq)]
struct Site {
    tool: &'static str,
    dir: String,
    port: u16,
    /// Unknown paths answer with index.html (`serve -s`).
    single: bool,
}

fn port_of(v: &str) -> Option<u16> {
    // `3000`, `tcp://0.0.0.0:3000`, `0.0.0.0:3000`
    v.rsplit(':').next()?.trim_matches('/').parse().ok()
}

/// The file server the argv runs, when that is all it runs. None for anything it cannot read
/// whole (a config file, TLS, a proxy, a port from the environment).
fn read_server(argv: &[String]) -> Option<Site> {
    let mut it = argv.iter().map(String::as_str).peekable();
    let mut first = it.next()?.rsplit('/').next()?;
    if first == "npx" {
        while it.peek().is_some_and(|a| a.starts_with('-')) {
            it.next();
        }
        first = it.next()?;
    }
    let tool = match first.split('@').next()? {
        "serve" => "serve",
        "http-server" => "http-server",
        _ => return None,
    };
    let mut site = Site { tool, dir: String::new(), port: if tool == "serve" { 3000 } else { 8080 }, single: false };
    while let Some(a) = it.next() {
        match (tool, a) {
            ("serve", "-s" | "--single") => site.single = true,
            ("serve", "-l" | "--listen" | "-p" | "--port") | ("http-server", "-p" | "--port") => {
                site.port = port_of(it.next()?)?
            }
            ("serve", "-n" | "--no-clipboard" | "-u" | "--no-request-logging" | "-L" | "--no-port-switching") => {}
            ("http-server", "-a" | "-c") => {
                it.next()?;
            }
            ("http-server", "-s" | "--silent" | "-d" | "-i" | "-g" | "--gzip" | "-b" | "--brotli") => {}
            ("http-server", f) if f.starts_with("-c") => {}
            (_, f) if f.starts_with('-') => return None,
            (_, d) if site.dir.is_empty() && !d.contains('$') => site.dir = d.to_string(),
            _ => return None,
        }
    }
    // http-server's default (./public when it exists) is not known before the build
    if site.dir.is_empty() {
        if tool == "http-server" {
            return None;
        }
        site.dir = ".".into();
    }
    Some(site)
}

/// `npm install -g serve@14`: the file server, which the runtime stage replaces.
fn installs_server_only(c: &crate::dockerfile::shell::Command) -> bool {
    crate::dockerfile::tools::toolchains::installs_globally_only(c, SERVERS)
}

/// Plan the rewrite of a static front end; Ok(false) when the original is not one.
pub fn plan(o: &Original, bp: &mut Blueprint) -> Result<bool, Refusal> {
    let Some(site) = o.program.as_deref().and_then(read_server) else { return Ok(false) };
    let dir = super::absolute(&o.workdir, &site.dir);
    // the files must be what the build wrote, apart from the project (its node_modules, sources)
    let built = o.builds(Ecosystem::Node);
    let whole_project = dir == "/" || dir.trim_end_matches('/') == o.workdir.trim_end_matches('/');
    let entrypoint = o.has_kind(|k| matches!(k, Kind::Entrypoint { .. }));
    let user = o.has_kind(|k| matches!(k, Kind::User { .. }));
    // every RUN the runtime stage would replay is the server's install
    let other_setup = o.with_role(Role::Replay).any(|s| {
        matches!(o.stage.commands[s.index].kind, Kind::Run(_)) && !o.commands(s).iter().all(installs_server_only)
    });
    if !built || whole_project || entrypoint || user || other_setup {
        return Ok(false);
    }
    use_runtime(o, bp, RUNTIME.into(), "a static-file server: the program only serves the files the build wrote");
    bp.no_probe = true;
    for s in o.with_role(Role::Replay).filter(|s| matches!(o.stage.commands[s.index].kind, Kind::Run(_))) {
        bp.dropped.push(s.instruction);
        bp.change(Some(s.line), format!("`{}` stays in the builder: nginx serves the files instead", site.tool));
    }
    // the sources and manifests from the context: the build's input only
    for s in &o.steps {
        if o.stage.commands[s.index].kind.as_copy().is_some_and(|c| c.from.is_none()) {
            bp.dropped.push(s.instruction);
        }
    }
    let fallback = if site.single { "$uri $uri/ /index.html" } else { "$uri $uri.html $uri/ =404" };
    let nl = o.nl;
    bp.setup.push(format!(
        "# imgslim: nginx serves the files on the port {tool} used{}{nl}RUN printf '%s\\n' 'server {{' '    listen {port};' '    root {ROOT};' \\{nl}      '    location / {{ try_files {fallback}; }}' '}}' > /etc/nginx/conf.d/default.conf",
        if site.single { ", with its single-page fallback (unknown paths answer with index.html)" } else { ", with its clean URLs" },
        tool = site.tool,
        port = site.port,
    ));
    bp.artifact_to(&dir, ROOT, format!("the files the build wrote, which `{}` served", site.tool));
    if let Some(cmd) =
        o.with_role(Role::Runtime).filter(|s| matches!(o.stage.commands[s.index].kind, Kind::Cmd { .. })).last()
    {
        bp.replaced.push((cmd.instruction, r#"CMD ["nginx", "-g", "daemon off;"]"#.to_string()));
        bp.change(
            Some(cmd.line),
            format!(
                "CMD runs nginx on port {} instead of `{}`; node and node_modules stay in the builder",
                site.port, site.tool
            ),
        );
    }
    // nginx's image declares port 80 too, which an EXPOSE cannot take back
    bp.intended.extend(["Cmd", "Entrypoint", "StopSignal", "ExposedPorts"]);
    if site.port != 80 {
        bp.change(
            None,
            format!(
                "the image also lists port 80, which nginx's base image exposes; the server listens on {} only",
                site.port
            ),
        );
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn servers() {
        let s = read_server(&argv("serve -s build -l 3000")).unwrap();
        assert_eq!((s.tool, s.dir.as_str(), s.port, s.single), ("serve", "build", 3000, true));
        let s = read_server(&argv("npx -y serve@14 dist --listen tcp://0.0.0.0:8080")).unwrap();
        assert_eq!((s.dir.as_str(), s.port, s.single), ("dist", 8080, false));
        let s = read_server(&argv("http-server dist -p 5000 -c-1")).unwrap();
        assert_eq!((s.tool, s.dir.as_str(), s.port), ("http-server", "dist", 5000));
        assert_eq!(read_server(&argv("http-server -p 5000")), None);
        assert_eq!(read_server(&argv("serve -s build -l $PORT")), None);
        assert_eq!(read_server(&argv("serve --ssl-cert c.pem build")), None);
        assert_eq!(read_server(&argv("node server.js")), None);
    }
}
