//! Embeds every file under `rules/` into the binary.

use std::fs;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

fn main() {
    // Read at run time: a build script compiled for one checkout may be reused by cargo for
    // another (a shared target folder), and `env!` would bake in the first one's path.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest_dir).join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no rule files under {}: the built-in packs would be empty",
        root.display()
    );
    let mut code = String::from("[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let name = file
            .strip_prefix(&root)
            .expect("below rules/")
            .to_string_lossy()
            .replace('\\', "/");
        code.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            file.display().to_string()
        ));
    }
    code.push(']');
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out_dir.join("builtin_rules.rs"), code).expect("OUT_DIR is writable");

    // Each rule's fixtures, so `hegui explain` shows examples that cannot drift from the tests.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    println!("cargo:rerun-if-changed=fixtures");
    let mut code = String::from("[\n");
    let mut dirs: Vec<_> = fs::read_dir(&fixtures)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !(name.len() >= 4
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
        {
            continue;
        }
        for kind in ["fail", "pass"] {
            let file = dir.join(format!("{kind}.plan.toml"));
            if file.is_file() {
                println!("cargo:rerun-if-changed={}", file.display());
                code.push_str(&format!(
                    "    ({name:?}, {kind:?}, include_str!({:?})),\n",
                    file.display().to_string()
                ));
            }
        }
    }
    code.push(']');
    fs::write(out_dir.join("builtin_fixtures.rs"), code).expect("OUT_DIR is writable");
}
