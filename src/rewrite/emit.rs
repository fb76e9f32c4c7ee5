//! Turn a plan into the new Dockerfile: the original text with edits as the builder stage, then
//! the runtime stage written from the original's instructions sorted by role.

use super::input::{block_span, CmdClass, Original, Role, Step};
use super::Blueprint;
use crate::dockerfile::model::Kind;
use crate::dockerfile::shell::{Command, Op};
use crate::dockerfile::Span;

/// Commands that create users and groups: the runtime stage runs them before copying files
/// (a `--chown` may name the user).
const USER_COMMANDS: &[&str] = &["useradd", "adduser", "groupadd", "addgroup", "usermod"];

pub const BUILDER: &str = "builder";

pub fn emit(o: &Original, bp: &Blueprint) -> String {
    let nl = o.nl;
    let mut out = builder(o, bp);
    out.push_str(nl);
    out.push_str(&runtime(o, bp));
    out
}

fn with_nl(text: &str, nl: &str) -> String {
    let mut t = text.to_string();
    if !t.ends_with('\n') {
        t.push_str(nl);
    }
    t
}

/// The original with the stage renamed `builder`, the runtime instructions taken out, and the
/// planner's insertions.
fn builder(o: &Original, bp: &Blueprint) -> String {
    let df = o.df;
    let nl = o.nl;
    let st = o.stage;
    let from = o.cx.instructions[st.instruction];
    let lower = from.node.keyword.text.chars().all(|c| c.is_ascii_lowercase());
    let mut edits: Vec<(Span, String)> = Vec::new();
    edits.push((
        Span::new(from.span.start, from.span.start),
        format!("# imgslim: build stage, the original build (tools, headers, caches and sources stay here){nl}"),
    ));
    match &st.name_token {
        Some(tok) => edits.push((tok.span, BUILDER.into())),
        None => {
            let end = st.base.span.end;
            edits.push((Span::new(end, end), format!(" {} {BUILDER}", if lower { "as" } else { "AS" })));
        }
    }
    for s in &o.steps {
        if s.role == Role::Runtime || bp.removed.contains(&s.instruction) {
            edits.push((block_span(df, s.instruction), String::new()));
        }
    }
    for (i, text) in &bp.before {
        let at = block_span(df, *i).start;
        edits.push((Span::new(at, at), with_nl(text, nl)));
    }
    edits.extend(bp.edits.iter().cloned());
    for (i, text) in &bp.after {
        let at = o.cx.instructions[*i].span.end;
        let prefix = if df.source[..at].ends_with('\n') { "" } else { nl };
        edits.push((Span::new(at, at), format!("{prefix}{}", with_nl(text, nl))));
    }
    // insertions before deletions at the same place; later edits first when applying
    edits.sort_by_key(|(s, t)| (s.start, !s.is_empty() as u8, t.is_empty() as u8));
    let mut text = df.source.clone();
    let mut last_start = usize::MAX;
    for (span, new) in edits.into_iter().rev() {
        if span.end > last_start {
            continue; // overlapping edit: the earlier one wins
        }
        text.replace_range(span.start..span.end, &new);
        last_start = span.start;
    }
    if df.bom && text.starts_with('\u{feff}') {
        // keep the BOM as the original has it
    }
    let mut text = text.trim_end_matches([' ', '\t', '\r', '\n']).to_string();
    text.push_str(nl);
    let as_user = o.has_kind(|k| matches!(k, Kind::User { .. }));
    if as_user && (!bp.tail.is_empty() || bp.probe.is_some()) {
        // the steps imgslim adds write outside the user's home: as root (the builder's user
        // is not the image's)
        text.push_str(&format!("# imgslim: the steps below run as root{nl}USER root{nl}"));
    }
    for t in &bp.tail {
        text.push_str(&with_nl(t, nl));
    }
    if let Some(p) = &bp.probe {
        text.push_str(&with_nl(&p.builder_step(nl), nl));
    }
    text
}

/// `mkdir` without `-p` in a replayed RUN: after the copies it follows, the directory may be
/// there already. Returns the byte offsets (in the script) to insert ` -p` at.
fn mkdir_fixes(cmds: &[&Command]) -> Vec<usize> {
    cmds.iter()
        .filter(|c| c.name() == "mkdir" && !c.has_flag(&["-p", "--parents"]))
        .filter_map(|c| c.words.first().map(|w| w.end))
        .collect()
}

/// Text of a RUN the runtime stage replays: the commands `keep` picks (package installs go
/// through the probe instead), `mkdir` with `-p`. The whole instruction when every command is
/// kept or the script is not a plain list (a loop, an `if`, a pipe), else the kept commands
/// joined with `&&`, under the original's comments.
fn replay_run(o: &Original, s: &Step, keep: impl Fn(&CmdClass, &str) -> bool) -> Option<String> {
    let cmds = o.commands(s);
    let picked: Vec<usize> = (0..cmds.len()).filter(|&k| keep(&s.classes[k], cmds[k].name())).collect();
    if picked.is_empty() {
        return None;
    }
    let plain = cmds.iter().all(|c| !c.nested && matches!(c.op, Op::Start | Op::And | Op::Seq));
    let ins = o.cx.instructions[s.instruction];
    let span = block_span(o.df, s.instruction);
    // a RUN with here-documents is replayed whole: commands picked out of it would lose their
    // bodies (found by fuzzing: `RUN <<A cat > /a <<B` became an unterminated here-document);
    // so is one whose first picked command starts with `-`, which after `RUN ` would be read as
    // a flag of RUN (found by fuzzing: `RUN apt-get update && --get update` became `RUN --get`)
    let script = o.cx.script(s.instruction)?;
    let dash = cmds[picked[0]].full_text(script).trim_start().starts_with('-');
    if picked.len() == cmds.len() || !plain || !ins.heredocs.is_empty() || dash {
        let mut text = o.df.text(span).to_string();
        let all: Vec<&Command> = cmds.iter().collect();
        let mut at: Vec<usize> = mkdir_fixes(&all)
            .into_iter()
            .filter_map(|off| o.cx.script_source(s.instruction, off))
            .filter(|a| (span.start..=span.end).contains(a))
            .map(|a| a - span.start)
            .collect();
        at.sort_unstable();
        for a in at.into_iter().rev() {
            text.insert_str(a, " -p");
        }
        return Some(with_nl(&text, o.nl));
    }
    let comments = &o.df.source[span.start..ins.span.start];
    let parts: Vec<String> = picked
        .iter()
        .map(|&k| {
            let c = &cmds[k];
            let mut t = c.full_text(script).to_string();
            for off in mkdir_fixes(&[c]).into_iter().rev() {
                t.insert_str(off - c.start, " -p");
            }
            t.trim().to_string()
        })
        .collect();
    let kw = &ins.node.keyword.text;
    Some(format!("{comments}{kw} {}{}", parts.join(&format!(" \\{}    && ", o.nl)), o.nl))
}

/// A replayed RUN without its package installs (the probe's step installs the kept packages).
fn replayed(o: &Original, s: &Step) -> Option<String> {
    replay_run(o, s, |class, _| !matches!(class, CmdClass::Package | CmdClass::Cleanup))
}

fn creates_users(o: &Original, s: &Step) -> bool {
    o.commands(s).iter().enumerate().any(|(k, c)| is_user_command(&s.classes[k], c.name()))
}

fn is_user_command(class: &CmdClass, name: &str) -> bool {
    *class == CmdClass::Setup && USER_COMMANDS.contains(&name)
}

/// A COPY's source and destination: as words, or as a JSON array when a path has whitespace,
/// quotes, an escape or a control character in it (or is empty), which words cannot carry.
fn copy_args(from: &str, to: &str) -> String {
    let plain = |p: &str| {
        !p.is_empty() && !p.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '\\' | '`'))
    };
    if plain(from) && plain(to) {
        format!("{from} {to}")
    } else {
        serde_json::to_string(&[from, to]).unwrap_or_default()
    }
}

fn runtime(o: &Original, bp: &Blueprint) -> String {
    let nl = o.nl;
    let mut out = String::new();
    let name = o.stage.name.as_deref().filter(|n| *n != BUILDER);
    out.push_str(&format!("# imgslim: runtime stage, {} with only what the program needs{nl}", bp.runtime_base));
    out.push_str(&format!("FROM {}{}{nl}", bp.runtime_base, name.map(|n| format!(" AS {n}")).unwrap_or_default()));
    // 1. ARG and ENV, in order: the environment the program runs with
    for s in &o.steps {
        if s.role == Role::Replay && matches!(o.stage.commands[s.index].kind, Kind::Arg { .. } | Kind::Env { .. }) {
            out.push_str(&o.block_text(s.instruction));
        }
    }
    for e in bp.env.iter().chain(&bp.setup) {
        out.push_str(&with_nl(e, nl));
    }
    // 2. what the probe found the program needs: libraries, and packages the base lacks
    if let Some(p) = &bp.probe {
        out.push_str(&p.runtime_steps(nl));
    }
    // 3. users and groups, wherever the original created them (a runtime RUN that creates one
    //    runs here, whole), and the setup steps of RUNs that install build packages
    let runs =
        |s: &&Step| matches!(o.stage.commands[s.index].kind, Kind::Run(_)) && !bp.dropped.contains(&s.instruction);
    for s in o.steps.iter().filter(runs) {
        let t = match s.role {
            Role::Replay => creates_users(o, s).then(|| replayed(o, s)).flatten(),
            Role::Packages => replay_run(o, s, |class, _| *class == CmdClass::Setup),
            _ => replay_run(o, s, is_user_command),
        };
        if let Some(t) = t {
            out.push_str(&t);
        }
    }
    // 4. what the builder made
    for a in &bp.artifacts {
        let chown = a.chown.as_ref().map(|c| format!("--chown={c} ")).unwrap_or_default();
        out.push_str(&format!("COPY --from={BUILDER} {chown}{}{nl}", copy_args(&a.from, &a.to)));
    }
    if let Some(w) = &bp.workdir {
        out.push_str(&format!("WORKDIR {w}{nl}"));
    }
    // 5. the rest in the original order: WORKDIR, USER, setup RUNs, COPY --from images, the contract
    for s in &o.steps {
        let kind = &o.stage.commands[s.index].kind;
        if bp.dropped.contains(&s.instruction) {
            continue;
        }
        match (&s.role, kind) {
            (Role::Replay, Kind::Arg { .. } | Kind::Env { .. }) => {}
            (Role::Replay, Kind::Run(_)) if !creates_users(o, s) => {
                if let Some(t) = replayed(o, s) {
                    out.push_str(&t);
                }
            }
            (Role::Replay, Kind::Run(_)) => {}
            (Role::Replay, _) => out.push_str(&o.block_text(s.instruction)),
            (Role::Runtime, _) => {
                if let Some((_, t)) = bp.replaced.iter().find(|(i, _)| *i == s.instruction) {
                    out.push_str(&with_nl(t, nl));
                } else {
                    out.push_str(&o.block_text(s.instruction));
                }
            }
            _ => {}
        }
    }
    if let Some(u) = &bp.user {
        out.push_str(&format!("USER {u}{nl}"));
    }
    out
}
