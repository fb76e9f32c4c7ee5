//! Fuzz target `lint`: see `imgslim::fuzzing::lint_target` (the same body `cargo test --test
//! fuzz_corpus` runs over `fuzz/corpus/lint/`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| imgslim::fuzzing::lint_target(data));
