//! Fuzz target `grammar`: see `imgslim::fuzzing::grammar_target` (the same body `cargo test --test
//! fuzz_corpus` runs over `fuzz/corpus/grammar/`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| imgslim::fuzzing::grammar_target(data));
