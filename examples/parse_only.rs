//! The parse-only baseline of the benchmark (docs/performance.md): finds manifests exactly as
//! `hegui check` does (same walk, same thread pool), reads each and parses it with spans into
//! hegui's tree (`tree::parse`, straight from `toml_parser`'s events) — and does nothing else.
//! `hegui check` over the same paths costs this plus rules.
//!
//! ```sh
//! cargo build --release --example parse_only
//! target/release/examples/parse_only benches/out/corpus-10000/toml
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use hegui::tree::{Node, NodeValue};

/// The same allocator as the `hegui` binary, so that the baseline differs from it only in
/// the work done.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use hegui::walk::{self, Discovered};
use rayon::prelude::*;

/// Values in a tree, so the parse cannot be optimised away and the output says what was read.
fn count(node: &Node) -> usize {
    1 + match &node.value {
        NodeValue::Array(items) => items.iter().map(count).sum(),
        NodeValue::Table(entries) => entries.iter().map(|e| count(&e.node)).sum(),
        _ => 0,
    }
}

fn main() -> ExitCode {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: parse_only PATH…");
        return ExitCode::from(2);
    }
    let discovered = walk::discover(&paths, ".plan.toml");
    let results: Vec<Option<usize>> = discovered
        .par_iter()
        .map(|d| match d {
            Discovered::File(path) => {
                let text = String::from_utf8(std::fs::read(path).ok()?).ok()?;
                hegui::tree::parse(&text).ok().map(|doc| count(&doc))
            }
            Discovered::Error { .. } => None,
        })
        .collect();
    let parsed = results.iter().flatten().count();
    let values: usize = results.iter().flatten().sum();
    println!(
        "files {}, parsed {parsed}, values {values}",
        discovered.len()
    );
    ExitCode::SUCCESS
}
