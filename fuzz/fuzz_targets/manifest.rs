//! Arbitrary bytes as a plan manifest, checked with the built-in rules and rendered.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hegui_fuzz::check_manifest(data);
});
