//! Property tests of the fuzzing entry points (the same harness as `fuzz/`, included here):
//! arbitrary and mutated manifests, arbitrary rule files and CEL-ish expressions in a rule
//! never panic, and give the same output twice. Few cases each, so the suite stays fast; the
//! fuzzers in `fuzz/` run the same functions for millions of inputs.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use proptest::prelude::*;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // No persistence file: a failure prints its input; add it to a fixture instead.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// An edit of a text: delete a range, insert TOML-ish bytes, or overwrite one byte.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Replace(usize, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    let toml_bytes = prop::sample::select(b"[]{}=\".,#\n\r\\'tf0123-T:+ a\xe5\xff\x00".to_vec());
    prop_oneof![
        (any::<usize>(), 1..40usize).prop_map(|(at, n)| Edit::Delete(at, n)),
        (
            any::<usize>(),
            prop::collection::vec(toml_bytes.clone(), 1..8)
        )
            .prop_map(|(at, b)| Edit::Insert(at, b)),
        (any::<usize>(), toml_bytes).prop_map(|(at, b)| Edit::Replace(at, b)),
    ]
}

fn apply(text: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut data = text.to_vec();
    for e in edits {
        let len = data.len().max(1);
        match e {
            Edit::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(data.len());
                data.drain(at.min(end)..end);
            }
            Edit::Insert(at, bytes) => {
                let at = at % (data.len() + 1);
                data.splice(at..at, bytes.iter().copied());
            }
            Edit::Replace(at, b) => {
                if !data.is_empty() {
                    data[at % len] = *b;
                }
            }
        }
    }
    data
}

/// Words CEL expressions are made of: hegui's variables, keys, functions and operators.
fn cel_ish() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "item",
        "plan",
        "entries",
        "params",
        "today",
        "each",
        "file",
        ".",
        ".?",
        "id",
        "closure_effective_on",
        "notice",
        "account",
        "size()",
        "orValue(",
        "has(",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        "==",
        "<",
        ">=",
        "&&",
        "||",
        "!",
        "+",
        "-",
        "*",
        "/",
        "%",
        "?",
        "1",
        "0",
        "-1",
        "9223372036854775807",
        "2.5",
        "'x'",
        "\"s\"",
        "true",
        "null",
        "in",
        "add_days(",
        "days_between(",
        "add_workdays(",
        "workdays_between(",
        "date(",
        "difference(",
        "max_by(",
        "min_by(",
        "sum(",
        "filter(",
        "map(",
        "all(",
        "exists(",
        "e",
        "e,",
        "int(",
        "string(",
        "timestamp(",
        "duration(",
        "'1h'",
        "matches(",
        "_path",
        "_order",
        " ",
    ]);
    prop::collection::vec(token, 1..14).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn arbitrary_bytes_as_a_manifest(data in prop::collection::vec(any::<u8>(), 0..400)) {
        let first = harness::check_manifest(&data);
        prop_assert_eq!(first, harness::check_manifest(&data));
    }

    #[test]
    fn mutated_example_plans(plan in 0..3usize, edits in prop::collection::vec(edit(), 1..6)) {
        let text = [
            include_str!("../fixtures/examples/compliant-account.plan.toml"),
            include_str!("../fixtures/examples/compliant-coupon.plan.toml"),
            include_str!("../fixtures/examples/account-winddown.plan.toml"),
        ][plan];
        let data = apply(text.as_bytes(), &edits);
        let first = harness::check_manifest(&data);
        prop_assert_eq!(first, harness::check_manifest(&data));
    }
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn arbitrary_rule_files(edits in prop::collection::vec(edit(), 0..5), family in 0..3usize) {
        let text = [
            include_str!("../rules/accounts.toml"),
            include_str!("../rules/schema.toml"),
            include_str!("../rules/wording.toml"),
        ][family];
        let data = apply(text.as_bytes(), &edits);
        let text = String::from_utf8_lossy(&data);
        let first = harness::load_rules(&text);
        prop_assert_eq!(first, harness::load_rules(&text));
    }

    #[test]
    fn cel_expressions_in_a_rule(slot in 0..8u8, expr in cel_ish()) {
        let first = harness::rule_with_expression(slot, &expr);
        prop_assert_eq!(first, harness::rule_with_expression(slot, &expr));
    }
}

#[test]
fn the_harness_checks_what_it_is_given() {
    // A valid expression fires through the rule path; a broken one is a rule-file problem.
    let fired = harness::rule_with_expression(0, "item.followers < 0");
    assert!(fired.contains("FZZ001"), "{fired}");
    let broken = harness::rule_with_expression(0, "item.followers <");
    assert!(broken.contains("fuzz.toml"), "{broken}");
    assert!(harness::check_manifest(b"[plan").contains("SCH001"));
}

#[test]
fn the_manifest_target_renders_a_sample_for_people() {
    // The fuzz target skips the human renderer except on one input in HUMAN_SAMPLE: its output
    // is what `check_manifest` renders, cut before the human part or whole.
    let (mut whole, mut cut) = (0, 0);
    for n in 0..4 * harness::HUMAN_SAMPLE {
        let data = format!("[plan{}", " ".repeat(n)).into_bytes();
        let full = harness::check_manifest(&data);
        let fuzzed = harness::fuzz_manifest(&data);
        assert!(fuzzed.contains("SCH001"), "{fuzzed}");
        assert!(full.starts_with(&fuzzed), "{fuzzed}\n---\n{full}");
        if fuzzed == full {
            whole += 1;
        } else {
            cut += 1;
        }
    }
    assert!(whole > 0 && cut > whole, "{whole} whole, {cut} cut");
}
