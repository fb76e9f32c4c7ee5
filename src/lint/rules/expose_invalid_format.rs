use crate::dockerfile::model::Kind;
use crate::lint::context::diagnostic;
use crate::lint::{At, Category, Context, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds EXPOSE with an IP address or a host-port mapping (`EXPOSE 127.0.0.1:80:80`, `EXPOSE 8080:80`).
///
/// ## Why is this bad?
/// EXPOSE documents container ports; where a port is published is decided at run time
/// (`-p 8080:80`). The mapping is ignored today and will become an error.
///
/// ## Example
/// ```dockerfile
/// EXPOSE 8080:80
/// ```
///
/// ## Use instead
/// ```dockerfile
/// EXPOSE 80
/// ```
pub struct ExposeInvalidFormat;

const META: RuleMeta = RuleMeta {
    name: "expose-invalid-format",
    severity: Severity::Warning,
    category: Category::Correctness,
    aliases: &["ExposeInvalidFormat", "DL3011"],
    summary: "EXPOSE with an IP address or host-port mapping",
    fix: None,
};

impl Rule for ExposeInvalidFormat {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["expose"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        let Kind::Expose { ports } = &at.cmd.kind else { return };
        for p in ports {
            let bare = p.split('/').next().unwrap_or(p);
            if bare.contains(':') {
                out.push(diagnostic(
                    &META,
                    cx.first_line_span(at.cmd.instruction),
                    format!("EXPOSE {p}: IP addresses and host ports belong in `docker run -p`, not EXPOSE"),
                ));
            } else if !bare.contains('$') && bare.split('-').any(|n| n.parse::<u32>().map_or(true, |n| n > 65535)) {
                out.push(diagnostic(
                    &META,
                    cx.first_line_span(at.cmd.instruction),
                    format!("EXPOSE {p}: not a valid port"),
                ));
            }
        }
    }
}
