#![no_main]
//! `cargo +nightly fuzz run bot_ua`: see `palisade_fuzz::bot_ua` for what it drives and the input layout.

libfuzzer_sys::fuzz_target!(|data: &[u8]| palisade_fuzz::bot_ua(data));
