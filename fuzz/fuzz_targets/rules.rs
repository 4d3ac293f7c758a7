//! Arbitrary text as a rule file (beside the built-in law table, vocabulary and calendar);
//! a file that loads checks the example plan.
#![no_main]

// As in the hegui binary: an execution allocates and frees many small values.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hegui_fuzz::load_rules(&String::from_utf8_lossy(data));
});
