//! Which Dockerfile instruction made which layer: the image history's `created_by` entries are
//! aligned with the instructions of the built stage (and the stages it is built FROM), in order,
//! by kind and text. Handles the forms buildah, BuildKit and the classic builder write.

use crate::dockerfile::model::expand::Scope;
use crate::dockerfile::model::{CmdLine, Kind, Model};
use crate::dockerfile::{Dockerfile, Instruction};

/// A history entry or instruction reduced to (keyword, text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub kind: String,
    pub text: String,
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

const KEYWORDS: &[&str] = &[
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

/// Normalise a history `created_by`.
pub fn history_step(created_by: &str) -> Step {
    let mut s = created_by.trim();
    s = s.strip_suffix("# buildkit").map_or(s, str::trim_end);
    let mut kind = String::new();
    if let Some(r) = s.strip_prefix("RUN ") {
        kind = "run".into();
        s = r.trim_start();
    }
    // build args BuildKit and buildah prepend to RUN: `|2 A=1 B=2 /bin/sh -c ...`
    if let Some(r) = s.strip_prefix('|') {
        let digits: String = r.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = digits.parse::<usize>() {
            let mut rest = r[digits.len()..].trim_start();
            for _ in 0..n {
                rest = rest.split_once(' ').map_or("", |(_, t)| t).trim_start();
            }
            s = rest;
            kind = "run".into();
        }
    }
    if let Some(r) = s.strip_prefix("/bin/sh -c ") {
        if let Some(meta) = r.strip_prefix("#(nop)") {
            let meta = meta.trim();
            let (k, t) = meta.split_once(' ').unwrap_or((meta, ""));
            return Step { kind: k.to_ascii_lowercase(), text: collapse(t) };
        }
        return Step { kind: "run".into(), text: collapse(r) };
    }
    if kind.is_empty() {
        let (k, t) = s.split_once(' ').unwrap_or((s, ""));
        let lower = k.to_ascii_lowercase();
        if KEYWORDS.contains(&lower.as_str()) {
            return Step { kind: lower, text: collapse(t) };
        }
        return Step { kind: String::new(), text: collapse(s) };
    }
    Step { kind, text: collapse(s) }
}

/// Normalise an instruction the way a builder would record it.
pub fn instruction_step(ins: &Instruction, kind: &Kind) -> Step {
    let name = ins.name();
    let text = match kind {
        Kind::Run(r) => match &r.cmd {
            CmdLine::Shell(s) => s.clone(),
            CmdLine::Exec(v) => v.join(" "),
        },
        Kind::Copy(c) => c.dest.clone(),
        _ => ins.node.value_strings().join(" "),
    };
    Step { kind: name, text: collapse(&text) }
}

fn score(h: &Step, i: &Step) -> u32 {
    if h.kind != i.kind {
        return 0;
    }
    match h.kind.as_str() {
        "run" if h.text == i.text => 4,
        "run" if !i.text.is_empty() && (h.text.contains(&i.text) || i.text.contains(&h.text)) => 3,
        "copy" | "add" if h.text.ends_with(&format!(" in {}", i.text)) || h.text.ends_with(&i.text) => 3,
        _ if h.text == i.text => 3,
        _ => 1,
    }
}

/// The stages whose instructions are in the image built from `stage`: the stage and those it is
/// built FROM, root first.
pub fn stage_chain(model: &Model, scope: &Scope, stage: usize) -> Vec<usize> {
    let mut chain = vec![stage];
    let mut cur = stage;
    while let Some(parent) = scope.base_image(&model.stages[cur]).ok().and_then(|b| model.stage_ref(&b, cur)) {
        if chain.contains(&parent) {
            break;
        }
        chain.push(parent);
        cur = parent;
    }
    chain.reverse();
    chain
}

/// For each history entry, the index (among the file's instructions) of the instruction that
/// made it, if any. `history` is every entry in order; `stage` is the stage that was built.
pub fn align(df: &Dockerfile, model: &Model, scope: &Scope, stage: usize, history: &[Step]) -> Vec<Option<usize>> {
    let instructions: Vec<&Instruction> = df.instructions().collect();
    let steps: Vec<(usize, Step)> = stage_chain(model, scope, stage)
        .into_iter()
        .flat_map(|s| model.stages[s].commands.iter())
        .map(|c| (c.instruction, instruction_step(instructions[c.instruction], &c.kind)))
        .collect();
    let (n, m) = (history.len(), steps.len());
    // best[i][j]: best total score aligning history[i..] with steps[j..]
    let mut best = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let s = score(&history[i], &steps[j].1);
            let matched = if s > 0 { s + best[i + 1][j + 1] } else { 0 };
            best[i][j] = matched.max(best[i + 1][j]).max(best[i][j + 1]);
        }
    }
    let mut out = vec![None; n];
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        let s = score(&history[i], &steps[j].1);
        if s > 0 && best[i][j] == s + best[i + 1][j + 1] && best[i + 1][j] != best[i][j] {
            out[i] = Some(steps[j].0);
            i += 1;
            j += 1;
        } else if best[i + 1][j] >= best[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::model::{build, expand::Platform};
    use crate::dockerfile::parse_str;

    #[test]
    fn normalises_builder_forms() {
        assert_eq!(
            history_step("/bin/sh -c #(nop) COPY file:34f5 in . "),
            Step { kind: "copy".into(), text: "file:34f5 in .".into() }
        );
        assert_eq!(
            history_step("|1 V=1 /bin/sh -c echo $V > x"),
            Step { kind: "run".into(), text: "echo $V > x".into() }
        );
        assert_eq!(
            history_step("RUN |2 A=1 B=2 /bin/sh -c make  all # buildkit"),
            Step { kind: "run".into(), text: "make all".into() }
        );
        assert_eq!(history_step("COPY . /app # buildkit"), Step { kind: "copy".into(), text: ". /app".into() });
        assert_eq!(
            history_step("/bin/sh -c apt-get update"),
            Step { kind: "run".into(), text: "apt-get update".into() }
        );
        assert_eq!(history_step("WORKDIR /app"), Step { kind: "workdir".into(), text: "/app".into() });
        assert_eq!(history_step("debootstrap").kind, "");
    }

    #[test]
    fn aligns_the_tail_of_the_history() {
        let src = "FROM base AS b\nRUN make\nFROM b\nWORKDIR /app\nCOPY . .\nRUN apt-get update && \\\n    apt-get install -y gcc\nCMD [\"x\"]\n";
        let df = parse_str(src).unwrap();
        let model = build(&df).unwrap();
        let scope = Scope::new(&model, df.escape, &Default::default(), &Platform::host()).unwrap();
        let history: Vec<Step> = [
            "base image layer",
            "/bin/sh -c #(nop) CMD [\"bash\"]",
            "/bin/sh -c make",
            "/bin/sh -c #(nop) WORKDIR /app",
            "/bin/sh -c #(nop) COPY dir:abc in . ",
            "/bin/sh -c apt-get update &&     apt-get install -y gcc",
            "/bin/sh -c #(nop) CMD [\"x\"]",
        ]
        .iter()
        .map(|s| history_step(s))
        .collect();
        let got = align(&df, &model, &scope, 1, &history);
        assert_eq!(got, [None, None, Some(1), Some(3), Some(4), Some(5), Some(6)]);
    }
}
