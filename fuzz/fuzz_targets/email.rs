#![no_main]
//! `cargo +nightly fuzz run email`: see `palisade_fuzz::email` for what it drives and the input layout.

libfuzzer_sys::fuzz_target!(|data: &[u8]| palisade_fuzz::email(data));
