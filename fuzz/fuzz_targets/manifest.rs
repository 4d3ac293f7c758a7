//! Arbitrary bytes as a plan manifest, checked with the built-in rules and rendered (the human
//! renderer on a sample of the inputs, see `fuzz_manifest`).
#![no_main]

// As in the hegui binary: an execution allocates and frees many small values.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hegui_fuzz::fuzz_manifest(data);
});
