//! One rule per file. Helpers shared by rules live here: recognising package-manager commands,
//! spans of commands, and the two common edits (insert a flag after a word, append a command).

pub mod add_instead_of_copy;
pub mod add_url;
pub mod apk_no_cache;
pub mod apt_lists_not_removed;
pub mod apt_no_install_recommends;
pub mod apt_update_alone;
pub mod apt_upgrade;
pub mod base_image_tag;
pub mod build_deps_in_final_stage;
pub mod build_in_single_stage;
pub mod cd_instead_of_workdir;
pub mod cleanup_in_later_layer;
pub mod consistent_instruction_casing;
pub mod copy_context_before_deps;
pub mod copy_ignored_file;
pub mod dev_dependencies_in_final_stage;
pub mod duplicate_stage_name;
pub mod expose_invalid_format;
pub mod expose_proto_casing;
pub mod fat_base_image;
pub mod from_as_casing;
pub mod from_platform_flag_const;
pub mod invalid_default_arg_in_from;
pub mod invalid_definition_description;
pub mod js_package_cache;
pub mod label_schema;
pub mod legacy_key_value_format;
pub mod maintainer_deprecated;
pub mod missing_dockerignore;
pub mod multiple_instructions;
pub mod no_empty_continuation;
pub mod pip_no_cache_dir;
pub mod redundant_target_platform;
pub mod relative_workdir;
pub mod reserved_stage_name;
pub mod runs_as_root;
pub mod secrets_in_arg_env;
pub mod shell_form_cmd;
pub mod stage_name_casing;
pub mod sudo;
pub mod undefined_arg_in_from;
pub mod undefined_variable;
pub mod unpinned_versions;
pub mod untrusted_registry;
pub mod yum_cache;

use super::{At, Context, Edit};
use crate::dockerfile::model::{Kind, MountType, Run};
use crate::dockerfile::shell::{Command, Op, Script};
pub use crate::dockerfile::tools::caches::{removes, Cache};
pub use crate::dockerfile::tools::packages::{is_apt, package_command, packages, Action, Manager};
pub use crate::dockerfile::tools::toolchains::pip_install;
pub use crate::dockerfile::tools::{flag_value, operands, positionals, subcommand, subcommand_word};
use crate::dockerfile::Span;

/// The commands of the RUN at `at` (with `sudo`/`env` unwrapped); empty for other instructions.
pub fn commands<'a>(cx: &'a Context, at: &At) -> &'a [Command] {
    cx.commands(at.cmd.instruction)
}

pub fn run_of<'a>(at: &At<'a>) -> Option<&'a Run> {
    at.cmd.kind.as_run()
}

/// Where to point for a command: its text in the file, else the RUN keyword.
pub fn command_span(cx: &Context, at: &At, c: &Command) -> Span {
    cx.script_span(at.cmd.instruction, c.start, c.end).unwrap_or_else(|| cx.keyword_span(at.cmd.instruction))
}

/// Is there a cache or tmpfs mount at (or above) this path?
pub fn has_mount(run: &Run, path: &str) -> bool {
    run.mounts.iter().any(|m| {
        matches!(m.kind, MountType::Cache | MountType::Tmpfs)
            && m.target.as_deref().is_some_and(|t| {
                let t = t.trim_end_matches('/');
                path == t || path.starts_with(&format!("{t}/"))
            })
    })
}

/// The value of a variable visible at the command (ENV or declared ARG), if set.
pub fn var<'a>(cx: &'a Context, at: &At, name: &str) -> Option<&'a str> {
    cx.vars.get(at.stage)?.get(at.index)?.get(name)
}

/// Insert text right after a word of a command (e.g. a flag after `install`).
pub fn insert_after(cx: &Context, at: &At, word_end: usize, text: &str) -> Option<Edit> {
    let pos = cx.script_source(at.cmd.instruction, word_end)?;
    Some(Edit { span: Span::new(pos, pos), text: text.to_string() })
}

/// Offer, as a safe fix, `cleanup` appended to the RUN the finding is about (when the script
/// allows it).
pub fn fix_by_appending(
    d: crate::lint::Diagnostic,
    cx: &Context,
    at: &At,
    meta: &crate::lint::RuleMeta,
    cleanup: &str,
) -> crate::lint::Diagnostic {
    match cx.script(at.cmd.instruction).and_then(|s| append_command(cx, at, s, cleanup)) {
        Some(edit) => d.with_fix(meta.fix.unwrap_or_default(), crate::lint::Applicability::Safe, vec![edit]),
        None => d,
    }
}

/// Append a command to the end of a RUN's script, joined with `&&` and, when the RUN spans
/// several lines, on a new continuation line indented like the others.
pub fn append_command(cx: &Context, at: &At, script: &Script, command: &str) -> Option<Edit> {
    if script.parsed_by == crate::dockerfile::shell::ParsedBy::Fallback {
        return None; // the script does not parse (an unclosed `(`): where it ends is not known
    }
    let last = script.commands.iter().rfind(|c| !c.nested)?;
    if last.op == Op::Background {
        return None;
    }
    let end = script.text.trim_end().len();
    let tail = &script.text[last.end.min(end)..end];
    if !tail.trim().is_empty() {
        return None; // ends with `;`, `&`, a comment...: leave it to a person
    }
    let pos = cx.script_source(at.cmd.instruction, end)?;
    let ins = at.ins;
    let source_text = cx.df.text(ins.span);
    let escape = cx.df.escape;
    if ins.heredocs.iter().any(|h| h.body.start <= pos && pos <= h.body.end) {
        // a heredoc script: one more line at its end
        let line_end = cx.df.source[pos..].find('\n').map_or(pos, |i| pos + i + 1);
        return Some(Edit { span: Span::new(line_end, line_end), text: format!("{command}\n") });
    }
    if source_text.contains(&format!("{escape}\n")) || source_text.contains(&format!("{escape}\r\n")) {
        // follow the RUN's own layout: indentation of its last continuation line
        let indent: String = source_text
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .last()
            .map(|l| l.chars().take_while(|c| *c == ' ' || *c == '\t').collect())
            .unwrap_or_else(|| "    ".into());
        let nl = if source_text.contains("\r\n") { "\r\n" } else { "\n" };
        return Some(Edit { span: Span::new(pos, pos), text: format!(" {escape}{nl}{indent}&& {command}") });
    }
    Some(Edit { span: Span::new(pos, pos), text: format!(" && {command}") })
}

/// Earlier RUN scripts of the same stage (index < at.index).
pub fn earlier_scripts<'a>(cx: &'a Context, at: &At) -> impl Iterator<Item = (usize, &'a Script)> + 'a {
    let stage = &cx.model.stages[at.stage];
    stage.commands[..at.index]
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.kind, Kind::Run(_)))
        .filter_map(move |(i, c)| cx.script(c.instruction).map(|s| (i, s)))
}

/// Earlier RUNs' unwrapped commands, by index in the stage.
pub fn earlier_commands<'a>(cx: &'a Context, at: &At) -> impl Iterator<Item = (usize, &'a [Command])> + 'a {
    let stage = &cx.model.stages[at.stage];
    stage.commands[..at.index]
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.kind, Kind::Run(_)))
        .map(move |(i, c)| (i, cx.commands(c.instruction)))
}

/// Is a package one of those only a build needs (compilers, headers)? Uses the leftover catalog.
pub fn build_only_package(name: &str) -> bool {
    let catalog = crate::analyze::catalog::Catalog::builtin();
    match catalog.classify_package("", name) {
        Some(c) => matches!(catalog.names[c].as_str(), "compiler" | "headers"),
        None => false,
    }
}

pub fn human(b: u64) -> String {
    crate::units::human_bytes(b)
}
