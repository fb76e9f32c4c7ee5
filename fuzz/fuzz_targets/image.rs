//! Fuzz target `image`: see `imgslim::fuzzing::image_target` (the same body `cargo test --test
//! fuzz_corpus` runs over `fuzz/corpus/image/`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| imgslim::fuzzing::image_target(data));
