#![no_main]
//! `cargo +nightly fuzz run ip_forwarding`: see `palisade_fuzz::ip_forwarding` for what it drives and the input layout.

libfuzzer_sys::fuzz_target!(|data: &[u8]| palisade_fuzz::ip_forwarding(data));
