use super::*;
use crate::data::{debian_install_size, estimates};
use crate::dockerfile::model::CmdLine;
use crate::lint::context::diagnostic;
use crate::lint::{Applicability, Category, Diagnostic, Rule, RuleMeta, Severity};

/// ## What it does
/// Finds a RUN that removes what an earlier RUN of the same stage created: apt lists, package
/// caches, packages (`apt-get purge`, `apk del`).
///
/// ## Why is this bad?
/// Each RUN is a layer. Deleting in a later layer only hides the files: their bytes stay in the
/// earlier layer and every pull still moves them. Clean up in the RUN that created them. When the
/// cleanup RUN directly follows, the fix merges it into the earlier RUN.
///
/// ## Example
/// ```dockerfile
/// RUN apt-get update && apt-get install -y --no-install-recommends build-essential
/// RUN rm -rf /var/lib/apt/lists/*
/// ```
///
/// ## Use instead
/// ```dockerfile
/// RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
///     && rm -rf /var/lib/apt/lists/*
/// ```
pub struct CleanupInLaterLayer;

const META: RuleMeta = RuleMeta {
    name: "cleanup-in-later-layer",
    severity: Severity::Warning,
    category: Category::Size,
    aliases: &[],
    summary: "files removed in a later RUN than the one that created them",
    fix: Some("Merge this RUN into the RUN that created the files"),
};

/// What a cleanup command removes, and whether `earlier` created it: (what, bytes, how).
/// What a command cleans that an earlier command of `earlier` created: (what, bytes, how the
/// bytes were estimated).
fn cleans(c: &Command, earlier: &[Command]) -> Option<(String, u64, String)> {
    let e = estimates();
    let created = |pred: &dyn Fn(&Command) -> bool| earlier.iter().any(pred);
    if is_apt(c, &["purge", "remove"]) {
        let gone = packages(c);
        let installed: Vec<String> = earlier.iter().filter(|x| is_apt(x, &["install"])).flat_map(packages).collect();
        let both: Vec<&str> = gone.iter().filter(|p| installed.contains(p)).map(String::as_str).collect();
        if !both.is_empty() {
            let (bytes, _) = debian_install_size(&both, false);
            return Some((
                format!("packages {}", both.join(", ")),
                bytes,
                "dependency closure of the purged packages (rules/debian-bookworm.toml)".into(),
            ));
        }
    }
    if c.name() == "apk"
        && subcommand(c) == Some("del")
        && created(&|x| x.name() == "apk" && subcommand(x) == Some("add"))
    {
        return Some(("apk packages".into(), 50_000_000, "typical build packages removed with apk del".into()));
    }
    // caches: (cache, the command that fills it, what, bytes, how)
    type Filler<'a> = &'a dyn Fn(&Command) -> bool;
    let caches: [(Cache, Filler, &str, u64, &str); 5] = [
        (
            Cache::AptLists,
            &|x| is_apt(x, &["update"]),
            "the apt lists",
            e.apt.lists,
            "measured /var/lib/apt/lists on debian:bookworm",
        ),
        (
            Cache::Pip,
            &|x| pip_install(x).is_some(),
            "pip's cache",
            e.pip.unknown,
            "typical pip cache (rules/estimates.toml)",
        ),
        (Cache::Npm, &|x| x.name() == "npm", "npm's cache", e.npm.cache, "typical npm cache (rules/estimates.toml)"),
        (
            Cache::Yarn,
            &|x| x.name() == "yarn",
            "yarn's cache",
            e.yarn.cache,
            "typical yarn cache (rules/estimates.toml)",
        ),
        (
            Cache::Dnf,
            &|x| package_command(x).is_some_and(|p| p.manager == Manager::Dnf && p.action == Action::Install),
            "the yum/dnf cache",
            e.yum.cache,
            "typical yum/dnf cache (rules/estimates.toml)",
        ),
    ];
    for (cache, fills, what, bytes, how) in caches {
        if cache.cleaned_by(c) && created(fills) {
            return Some((what.to_string(), bytes, how.to_string()));
        }
    }
    None
}

/// Could this command clean anything up at all (whatever ran before it)? Checked once per
/// command, before the earlier RUNs are searched.
fn is_cleanup(c: &Command) -> bool {
    is_apt(c, &["purge", "remove"])
        || (c.name() == "apk" && subcommand(c) == Some("del"))
        || [Cache::AptLists, Cache::Pip, Cache::Npm, Cache::Yarn, Cache::Dnf].iter().any(|k| k.cleaned_by(c))
}

fn cleaned_itself(cmds: &[Command], what: &str) -> bool {
    (0..cmds.len()).any(|j| cleans(&cmds[j], &cmds[..j]).is_some_and(|(w, _, _)| w == what))
}

impl Rule for CleanupInLaterLayer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn kinds(&self) -> &'static [&'static str] {
        &["run"]
    }
    fn check(&self, cx: &Context, at: &At, out: &mut Vec<Diagnostic>) {
        if !cx.in_final_image(at.stage) {
            return;
        }
        let mine = commands(cx, at);
        let mut earlier: Option<Vec<(usize, &[Command])>> = None;
        for (k, c) in mine.iter().enumerate() {
            // cleanups of what this same RUN made are fine
            if !is_cleanup(c) || cleans(c, &mine[..k]).is_some() {
                continue;
            }
            let earlier = earlier.get_or_insert_with(|| earlier_commands(cx, at).collect());
            // the RUN that created the files, unless it also cleaned them up itself (then this
            // cleanup is only redundant)
            let Some((creator, cmds, (what, bytes, how))) =
                earlier.iter().rev().find_map(|(i, cmds)| cleans(c, cmds).map(|r| (*i, *cmds, r)))
            else {
                continue;
            };
            if cleaned_itself(cmds, &what) {
                continue;
            }
            let creator_ins = cx.model.stages[at.stage].commands[creator].instruction;
            let line = cx.instructions[creator_ins].start_line;
            let mut d = diagnostic(&META, command_span(cx, at, c), format!(
                "{what} created on line {line} are removed in a later layer: their bytes ({} estimated) stay in line {line}'s layer",
                human(bytes)
            ))
            .with_estimate(bytes, how);
            if let Some(edits) = merge_edits(cx, at, creator) {
                d = d.with_fix(META.fix.unwrap_or_default(), Applicability::Safe, edits);
            }
            out.push(d);
        }
    }
}

/// Merge the cleanup RUN into the creating RUN when it directly follows it: append its script
/// and delete it. Both must be plain shell-form RUNs without flags or heredocs.
fn merge_edits(cx: &Context, at: &At, creator: usize) -> Option<Vec<Edit>> {
    if creator + 1 != at.index {
        return None;
    }
    let stage = &cx.model.stages[at.stage];
    let prev_cmd = &stage.commands[creator];
    let (prev, this) = (cx.instructions[prev_cmd.instruction], at.ins);
    let plain = |i: &crate::dockerfile::Instruction| i.node.flags.is_empty() && i.heredocs.is_empty() && !i.node.json;
    if !plain(prev) || !plain(this) || !this.comments.is_empty() {
        return None;
    }
    let (Some(CmdLine::Shell(_)), Some(CmdLine::Shell(_))) =
        (prev_cmd.kind.as_run().map(|r| &r.cmd), at.cmd.kind.as_run().map(|r| &r.cmd))
    else {
        return None;
    };
    // `prev && <cleanup>` must fail when prev fails: the cleanup is a plain `&&`/`|` chain
    let script = cx.script(at.cmd.instruction)?;
    if script.commands.iter().any(|c| !c.nested && !matches!(c.op, Op::Start | Op::And | Op::Pipe)) {
        return None;
    }
    // the cleanup as written, continuation lines and all
    let lead = script.text.len() - script.text.trim_start().len();
    let start = cx.script_source(at.cmd.instruction, lead)?;
    let end = cx.script_source(at.cmd.instruction, script.text.trim_end().len())?;
    let escape = cx.df.escape;
    let raw = cx.df.source.get(start..end.max(start))?.trim_end().trim_end_matches(escape).trim_end();
    if raw.is_empty() {
        return None;
    }
    let prev_script = cx.script(prev_cmd.instruction)?;
    let prev_at = At { stage: at.stage, index: creator, cmd: prev_cmd, ins: prev };
    let append = append_command(cx, &prev_at, prev_script, raw)?;
    // only blank lines between the two: delete the cleanup RUN with them
    let between = &cx.df.source[prev.span.end..this.span.start];
    if !between.trim().is_empty() {
        return None;
    }
    Some(vec![append, Edit { span: Span::new(prev.span.end, this.span.end), text: String::new() }])
}
