//! Replays every saved fuzz input (`tests/fixtures/fuzz/<target>/<file>`) through the harness of
//! its cargo-fuzz target (`fuzz/src/lib.rs`, included here), so that a crash found once stays
//! fixed. `npm run fuzz` copies new crash inputs into those folders; an empty folder passes.

#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::path::Path;

#[test]
fn replays_every_saved_fuzz_input_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut replayed = 0;
    let mut failures = Vec::new();
    let Ok(dirs) = std::fs::read_dir(&root) else {
        println!(
            "no fuzz fixtures ({} does not exist): replayed 0 inputs",
            root.display()
        );
        return;
    };
    for dir in dirs {
        let dir = dir.expect("readable fixtures folder").path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let Some((_, run)) = harness::TARGETS.iter().find(|(t, _)| *t == name) else {
            panic!("{}: no fuzz target named {name:?}", dir.display());
        };
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("readable target folder")
            .map(|e| e.expect("readable entry").path())
            .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep"))
            .collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).expect("readable fixture");
            replayed += 1;
            if let Err(p) = std::panic::catch_unwind(|| run(&data)) {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                failures.push(format!("{}: {msg}", file.display()));
            }
        }
    }
    println!("replayed {replayed} saved fuzz inputs");
    assert!(
        failures.is_empty(),
        "fuzz fixtures that still panic:\n{}",
        failures.join("\n")
    );
}
