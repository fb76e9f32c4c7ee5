//! Fuzz the Dockerfile parser, the typed model and variable expansion: no input may panic, and
//! whatever parses must re-emit byte for byte.
#![no_main]

use imgslim::dockerfile::model::expand::{Platform, Scope};
use imgslim::dockerfile::{model, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(df) = parse(data) else { return };
    assert_eq!(df.render(), df.source);
    let Ok(m) = model::build(&df) else { return };
    if let Ok(scope) = Scope::new(&m, df.escape, &Default::default(), &Platform::host()) {
        for i in 0..m.stages.len() {
            let _ = scope.stage_vars(&m, i);
        }
    }
});
