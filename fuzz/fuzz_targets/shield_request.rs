#![no_main]
//! `cargo +nightly fuzz run shield_request`: see `palisade_fuzz::shield_request` for what it drives and the input layout.

libfuzzer_sys::fuzz_target!(|data: &[u8]| palisade_fuzz::shield_request(data));
