//! Fuzz target `expand`: see `imgslim::fuzzing::expand_target` (the same body `cargo test --test
//! fuzz_corpus` runs over `fuzz/corpus/expand/`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| imgslim::fuzzing::expand_target(data));
