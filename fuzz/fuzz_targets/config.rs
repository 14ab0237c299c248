#![no_main]
//! `cargo +nightly fuzz run config`: see `palisade_fuzz::config` for what it drives and the input layout.

libfuzzer_sys::fuzz_target!(|data: &[u8]| palisade_fuzz::config(data));
