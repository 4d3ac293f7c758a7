//! Arbitrary text as a `hegui.toml`, read and applied to the built-in rules, its problems
//! rendered.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    hegui_fuzz::load_config(&String::from_utf8_lossy(data));
});
