//! `imgslim parse`: show how BuildKit reads a Dockerfile.

use super::{load_dockerfile, located, ExitStatus};
use crate::cli::{ParseArgs, ParseFormat};
use crate::printer::{paint, stdout};
use imgslim::dockerfile::{dump, model::Model, Dockerfile, Instruction};
use std::io::Write;

pub fn run(args: ParseArgs) -> anyhow::Result<ExitStatus> {
    let (df, model) = load_dockerfile(&args.file)?;
    let model = match model {
        Ok(m) => Some(m),
        Err(_) if args.syntax_only => None,
        Err(e) => return Err(located(&args.file, &e)),
    };
    let mut out = stdout();
    match args.format {
        ParseFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &dump::records(&df))?;
            writeln!(out)?;
        }
        ParseFormat::Dump => write!(out, "{}", dump::dump(&df, true))?,
        ParseFormat::Tree => write_tree(&mut out, &df, model.as_ref())?,
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

fn quote(s: &str) -> String {
    imgslim::dockerfile::text::go_quote(s)
}

fn write_instruction(out: &mut impl Write, df: &Dockerfile, ins: &Instruction) -> std::io::Result<()> {
    let lines = if ins.start_line == ins.end_line {
        format!("{}", ins.start_line)
    } else {
        format!("{}-{}", ins.start_line, ins.end_line)
    };
    let node = &ins.node;
    write!(out, "  {:>7}  {}", lines, paint(&node.keyword.text, "1"))?;
    for f in &node.flags {
        write!(out, " {}", paint(&f.text, "36"))?;
    }
    if let imgslim::dockerfile::Args::Sub { node: sub } = &node.args {
        write!(out, " {}", paint(&sub.keyword.text, "1"))?;
        for f in &sub.flags {
            write!(out, " {}", paint(&f.text, "36"))?;
        }
    }
    let eff = ins.effective_node();
    if eff.json {
        write!(out, " {}", paint("(exec form)", "2"))?;
    }
    for v in eff.values() {
        write!(out, " {}", quote(&v.text))?;
    }
    writeln!(out)?;
    for h in &ins.heredocs {
        let (l, _) = df.line_col(h.body.start);
        writeln!(
            out,
            "           heredoc {} ({} bytes, line {l}{}{})",
            quote(&h.name),
            h.content.len(),
            if h.chomp { ", tabs stripped" } else { "" },
            if h.expand { "" } else { ", no expansion" }
        )?;
    }
    Ok(())
}

fn write_tree(out: &mut impl Write, df: &Dockerfile, model: Option<&Model>) -> std::io::Result<()> {
    let instructions: Vec<&Instruction> = df.instructions().collect();
    writeln!(
        out,
        "{}, {}, escape {}{}",
        imgslim::units::count(instructions.len() as u64, "instruction"),
        imgslim::units::count(instructions.iter().filter(|i| i.name() == "from").count() as u64, "stage"),
        df.escape,
        if df.lossy { ", not valid UTF-8 (invalid bytes shown as U+FFFD)" } else { "" }
    )?;
    for d in &df.directives {
        writeln!(out, "directive {}={} (line {})", d.name, d.value, d.line)?;
    }
    for w in &df.warnings {
        writeln!(out, "warning: line {}: {}", w.line, w.message)?;
    }
    let Some(model) = model else {
        for ins in &instructions {
            write_instruction(out, df, ins)?;
        }
        return Ok(());
    };
    if !model.meta_args.is_empty() {
        writeln!(out, "global")?;
        for a in &model.meta_args {
            write_instruction(out, df, instructions[a.instruction])?;
        }
    }
    for st in &model.stages {
        let name = st.name.as_deref().map(|n| format!(" {}", quote(n))).unwrap_or_default();
        let platform = st.platform.as_deref().map(|p| format!(" --platform={p}")).unwrap_or_default();
        writeln!(out, "stage {}{name}: FROM{platform} {}", st.index, st.base.text)?;
        write_instruction(out, df, instructions[st.instruction])?;
        for c in &st.commands {
            write_instruction(out, df, instructions[c.instruction])?;
        }
    }
    Ok(())
}
