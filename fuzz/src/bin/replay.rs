//! Runs a fuzz target's harness over the files of a corpus folder, `ROUNDS` times, without
//! libFuzzer or coverage instrumentation: what an execution of the code under test costs, for
//! `perf` and for comparing with the instrumented target (`docs/robustness.md`).
//!
//! `cargo run --release --bin replay -- manifest corpus/manifest 20`

use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, target, dir, rounds] = args.as_slice() else {
        eprintln!("usage: replay TARGET CORPUS-DIR ROUNDS");
        std::process::exit(2);
    };
    let rounds: usize = rounds.parse().expect("ROUNDS is a number");
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("a readable corpus folder")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| {
            let data = std::fs::read(e.path()).expect("a readable input");
            (e.file_name().to_string_lossy().into_owned(), data)
        })
        .collect();
    inputs.sort();
    let run: fn(&[u8]) -> String = match target.as_str() {
        "manifest" => |d| hegui_fuzz::fuzz_manifest(d),
        "config" => |d| hegui_fuzz::load_config(&String::from_utf8_lossy(d)),
        other => {
            eprintln!("replay: no target {other} (manifest, config)");
            std::process::exit(2);
        }
    };
    // The engine is built once per process, as under libFuzzer; not part of an execution.
    run(b"");
    let started = Instant::now();
    let mut bytes = 0usize;
    for _ in 0..rounds {
        for (_, data) in &inputs {
            bytes += run(data).len();
        }
    }
    let elapsed = started.elapsed();
    let executions = rounds * inputs.len();
    println!(
        "{target}: {executions} executions of {} inputs in {:.3} s: {:.1} us per execution, {:.0} executions/s ({bytes} bytes rendered)",
        inputs.len(),
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / executions as f64,
        executions as f64 / elapsed.as_secs_f64()
    );
}
