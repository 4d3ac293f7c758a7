//! The compliant example plans pass every rule; changing any single fact in them makes exactly
//! the expected rule fire — the strongest test against false positives and cascades.

mod common;

use std::collections::BTreeSet;

use hegui::Lang;

/// (file, text to find, replacement, the rules that must then fire — and only they).
const MUTATIONS: &[(&str, &str, &str, &[&str])] = &[
    ("account", "followers = 486", "followers = 501", &["ACC002"]),
    (
        "account",
        "payment_enabled = false",
        "payment_enabled = true",
        &["ACC003"],
    ),
    (
        "account",
        "days_since_last_violation = 236",
        "days_since_last_violation = 30",
        &["ACC005"],
    ),
    (
        "account",
        "unsettled_funds_cny = 0",
        "unsettled_funds_cny = 100",
        &["ACC006"],
    ),
    (
        "account",
        "linked_accounts_unbound = true",
        "linked_accounts_unbound = false",
        &["ACC008"],
    ),
    (
        "account",
        "third_party_content_cleared = true",
        "third_party_content_cleared = false",
        &["ACC009"],
    ),
    (
        "account",
        "qualification_valid_until = 2027-06-30",
        "qualification_valid_until = 2026-12-01",
        &["ACC010"],
    ),
    (
        "account",
        "masking = \"partial\"               # 138",
        "masking = \"none\"               # 138",
        &["DAT001"],
    ),
    (
        "account",
        "copyright_registered = true",
        "copyright_registered = false",
        &["DAT011"],
    ),
    (
        "account",
        "evidence_preserved = true",
        "evidence_preserved = false",
        &["DAT011"],
    ),
    (
        "account",
        "separate_consent = true",
        "separate_consent = false",
        &["DAT003"],
    ),
    (
        "account",
        "retention_days = 180",
        "retention_days = 181",
        &["DAT006"],
    ),
    (
        "account",
        "export_method = \"api\"",
        "export_method = \"scraping\"",
        &["DAT007"],
    ),
    (
        "account",
        "channels = [\"homepage\", \"menu\", \"broadcast\"]",
        "channels = [\"broadcast\"]",
        &["NTC003"],
    ),
    (
        "account",
        "menu_entry = true",
        "menu_entry = false",
        &["NTC006"],
    ),
    (
        "account",
        "high_value_incentive = true",
        "high_value_incentive = false",
        &["NTC007"],
    ),
    // An invalid value is reported once, by the shape rule, and cascades into nothing.
    (
        "account",
        "type = \"service\"",
        "type = \"servise\"",
        &["SCH003"],
    ),
    (
        "account",
        "followers = 9210",
        "followers = \"many\"",
        &["SCH003"],
    ),
    (
        "account",
        "commerce = true\nfollowers",
        "commerse = true\nfollowers",
        &["SCH004"],
    ),
    (
        "coupon",
        "status = \"warm-up\"",
        "status = \"paused\"",
        &["CPN001"],
    ),
    (
        "coupon",
        "verification = \"sms\"",
        "verification = \"none\"",
        &["CPN003"],
    ),
    (
        "coupon",
        "withdrawn_from = [\"official-account\", \"mini-program\", \"menu\"]",
        "withdrawn_from = [\"official-account\", \"menu\"]",
        &["CPN010"],
    ),
    (
        "coupon",
        "violation = true",
        "violation = false",
        &["CPN005"],
    ),
    (
        "coupon",
        "smooth_transition = true",
        "smooth_transition = false",
        &["CPN006"],
    ),
    (
        "coupon",
        "keep_claimed_records = true",
        "keep_claimed_records = false",
        &["CPN004"],
    ),
    (
        "coupon",
        "published_on = 2026-11-25",
        "published_on = 2026-12-05",
        &["CPN009"],
    ),
    (
        "coupon",
        "window_hours = 96",
        "window_hours = 48",
        &["CPN012"],
    ),
    (
        "coupon",
        "\"冬季满100减20代金券已上线",
        "\"本活动最终解释权归商家所有。冬季满100减20代金券已上线",
        &["TXT002"],
    ),
];

#[test]
fn each_single_change_fires_exactly_the_expected_rule() {
    let engine = common::engine(&[], Lang::En);
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for (i, (plan, from, to, expected)) in MUTATIONS.iter().enumerate() {
        let original =
            std::fs::read_to_string(format!("fixtures/examples/compliant-{plan}.plan.toml"))
                .unwrap();
        assert!(
            original.contains(from),
            "mutation {i}: `{from}` is not in the {plan} plan"
        );
        let path = dir.path().join(format!("m{i}.plan.toml"));
        std::fs::write(&path, original.replacen(from, to, 1)).unwrap();
        let fired: BTreeSet<String> = common::actual(&engine, &path)
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
        if fired != expected {
            problems.push(format!(
                "{plan}: `{from}` → `{to}`: expected {expected:?}, fired {fired:?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
