//! An arbitrary CEL expression placed in a rule (the first byte picks where: assert, when,
//! let, for_each, an `at` template, a message, severity_if, a secondary label), compiled and
//! evaluated against the example plan.
#![no_main]

// As in the hegui binary: an execution allocates and frees many small values.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((slot, expr)) = data.split_first() else {
        return;
    };
    hegui_fuzz::rule_with_expression(*slot, &String::from_utf8_lossy(expr));
});
