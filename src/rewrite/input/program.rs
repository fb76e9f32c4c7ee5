//! The program the image runs: ENTRYPOINT and CMD as one argv, when it can be read without a
//! shell.

use super::Original;
use crate::dockerfile::model::{CmdLine, Kind};

impl Original<'_> {
    pub(super) fn read_program(&mut self) {
        let mut entry: Option<&CmdLine> = None;
        let mut cmd: Option<&CmdLine> = None;
        for c in &self.stage.commands {
            match &c.kind {
                // ENTRYPOINT resets only a CMD the base image set (BuildKit: unless this stage
                // set one), so a CMD written before it here stays
                Kind::Entrypoint { cmd: e } => entry = Some(e),
                Kind::Cmd { cmd: c } => cmd = Some(c),
                _ => {}
            }
        }
        let words = |c: &CmdLine| -> Option<Vec<String>> {
            match c {
                CmdLine::Exec(v) => Some(v.clone()),
                CmdLine::Shell(s) => {
                    crate::dockerfile::shell::exec_form(s).and_then(|j| serde_json::from_str::<Vec<String>>(&j).ok())
                }
            }
        };
        self.shell_form = entry.or(cmd).is_some_and(|c| !c.is_exec());
        self.program = match (entry, cmd) {
            (Some(e), Some(c)) if e.is_exec() => words(e).zip(words(c)).map(|(mut a, b)| {
                a.extend(b);
                a
            }),
            (Some(e), _) => words(e),
            (None, Some(c)) => words(c),
            (None, None) => None,
        };
    }
}
