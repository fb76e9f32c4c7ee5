use super::*;
use crate::data::estimates;
use crate::lint::context::diagnostic;
use crate::lint::{Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds a RUN that runs `apt-get update` and does not remove `/var/lib/apt/lists` in the same
/// RUN, in a stage that ends up in the image. (An install without an update uses lists an
/// earlier RUN fetched: that RUN is the one reported.)
///
/// ## Why is this bad?
/// `apt-get update` downloads the package indexes (19.9 MB on Debian bookworm). Unless the same
/// RUN deletes them, they are stored in the layer for good: a later `rm` only hides them. Only an
/// `rm -rf /var/lib/apt/lists/*` (or of `/var/lib/apt`) and `apt-get dist-clean` (apt 2.7+) count;
/// `apt-get clean` does not remove the lists. A RUN with
/// a cache mount on `/var/lib/apt` keeps them out of the layer.
///
/// ## Example
/// ```dockerfile
/// RUN apt-get update && apt-get install -y --no-install-recommends curl
/// ```
///
/// ## Use instead
/// ```dockerfile
/// RUN apt-get update && apt-get install -y --no-install-recommends curl \
///     && rm -rf /var/lib/apt/lists/*
/// ```
pub struct AptListsNotRemoved;

const META: RuleMeta = RuleMeta {
    name: "apt-lists-not-removed",
    severity: Severity::Warning,
    category: Category::Size,
    aliases: &["DL3009"],
    summary: "apt lists are not removed in the RUN that fetched them",
    fix: Some("Append `rm -rf /var/lib/apt/lists/*`"),
};

const LISTS: &str = "/var/lib/apt/lists";

impl Rule for AptListsNotRemoved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["run"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        if !cx.in_final_image(at.stage) || run_of(at).is_some_and(|r| has_mount(r, LISTS)) {
            return;
        }
        let cmds = commands(cx, at);
        let Some(fetch) = cmds.iter().find(|c| is_apt(c, &["update"])) else { return };
        if cmds.iter().any(|c| Cache::AptLists.cleaned_by(c)) {
            return;
        }
        let bytes = estimates().apt.lists;
        let d = diagnostic(
            &META,
            command_span(cx, at, fetch),
            format!(
                "the apt lists fetched here ({} estimated) stay in this layer: remove them in the same RUN",
                human(bytes)
            ),
        )
        .with_estimate(bytes, "measured size of /var/lib/apt/lists after apt-get update on debian:bookworm");
        out.push(fix_by_appending(d, cx, at, &META, Cache::AptLists.clean_command().unwrap_or_default()));
    }
}
