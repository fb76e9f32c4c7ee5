//! Fuzz target `rewrite`: see `imgslim::fuzzing::rewrite_target` (the same body `cargo test --test
//! fuzz_corpus` runs over `fuzz/corpus/rewrite/`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| imgslim::fuzzing::rewrite_target(data));
