//! Arbitrary text as a `hegui.toml`, read and applied to the built-in rules, its problems
//! rendered.
#![no_main]

// As in the hegui binary: an execution allocates and frees many small values.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hegui_fuzz::load_config(&String::from_utf8_lossy(data));
});
