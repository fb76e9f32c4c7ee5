//! Fuzz target `parse`: see `imgslim::fuzzing::parse_target` (the same body `cargo test --test
//! fuzz_corpus` runs over `fuzz/corpus/parse/`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| imgslim::fuzzing::parse_target(data));
