//! Fuzz target `shell`: see `imgslim::fuzzing::shell_target` (the same body `cargo test --test
//! fuzz_corpus` runs over `fuzz/corpus/shell/`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| imgslim::fuzzing::shell_target(data));
