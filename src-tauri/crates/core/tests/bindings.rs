//! The IPC contract's TypeScript, committed under `ui/src/gen/`, must be exactly what ts-rs makes
//! of `leadline_core::ipc` today. `LEADLINE_WRITE_BINDINGS=1 cargo test -p leadline-core --test
//! bindings` (or `make bindings`) rewrites it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

fn gen_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/gen")
}

#[test]
fn bindings_are_current() {
    let dir = gen_dir();
    let expected = leadline_core::ipc::typescript_bindings();
    assert!(expected.len() >= 11, "every IPC type has a binding");
    if std::env::var_os("LEADLINE_WRITE_BINDINGS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ts") {
                std::fs::remove_file(path).unwrap();
            }
        }
        for (name, text) in &expected {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let mut drift = Vec::new();
    for (name, text) in &expected {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(found) if &found == text => {}
            Ok(_) => drift.push(format!("{name} differs")),
            Err(_) => drift.push(format!("{name} is missing")),
        }
    }
    let wanted: BTreeSet<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".ts") && !wanted.contains(name.as_str()) {
            drift.push(format!("{name} is no longer generated"));
        }
    }
    assert!(
        drift.is_empty(),
        "ui/src/gen/ has drifted from leadline_core::ipc: {}. Run `make bindings` and commit.",
        drift.join("; ")
    );
}
