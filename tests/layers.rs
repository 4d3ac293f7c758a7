//! The layers of `src/` depend on each other one way (docs/architecture.md): the check is
//! `scripts/layers.py`, run here so that a back-edge fails the test suite.

use std::process::Command;

#[test]
fn no_layer_uses_one_above_it() {
    let out = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/layers.py"))
        .output()
        .expect("python3 runs scripts/layers.py (CI installs it)");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "scripts/layers.py failed:\n{printed}");
    // The lowest layer uses nothing, and the check saw every layer.
    assert!(printed.contains("text     -> -"), "{printed}");
    assert!(printed.contains("lsp      -> "), "{printed}");
}
