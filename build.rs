//! Links the Node.js binding when the `napi` feature is on.
fn main() {
    // Only the Node.js binding needs napi's link setup; the pure-Rust core builds without it.
    if std::env::var_os("CARGO_FEATURE_NAPI").is_some() {
        napi_build::setup();
    }
}
