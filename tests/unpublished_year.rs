//! Working days in a year whose schedule is not yet published (2027): FIN003 decides whenever
//! every schedule the pattern of the published years allows agrees (docs/calendar.md), and
//! only in between reports that it could not decide, naming the year and the range.

mod common;

use common::*;
use hegui::{Lang, Severity};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(format!("fixtures/FIN003/{name}.plan.toml"))
}

fn findings(name: &str, lang: Lang) -> Vec<hegui::Finding> {
    let engine = engine(&["FIN003"], lang);
    hegui::check_paths(&engine, &[fixture(name)]).findings
}

#[test]
fn even_the_most_favourable_schedule_misses_the_closure_an_error() {
    let f = findings("fail-2027", Lang::En);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].severity, Severity::Error);
    assert!(
        f[0].message.contains("between 2027-02-14 and 2027-03-01"),
        "{}",
        f[0].message
    );
    assert_eq!(
        expectations(&fixture("fail-2027")),
        actual(&engine(&["FIN003"], Lang::En), &fixture("fail-2027"))
    );
}

#[test]
fn even_the_least_favourable_schedule_meets_the_closure_silent() {
    assert!(findings("pass-2027", Lang::En).is_empty());
    assert!(findings("pass-2027", Lang::Zh).is_empty());
}

#[test]
fn only_in_between_is_it_undecided_a_warning_naming_year_range_and_template() {
    let f = findings("undecided-2027", Lang::En);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].severity, Severity::Warning);
    let m = &f[0].message;
    assert!(
        m.starts_with("could not decide: the 2027 working-day schedule"),
        "{m}"
    );
    assert!(m.contains("between 2027-02-09 and 2027-02-22"), "{m}");
    let help = f[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("`[calendar] files`"), "{help}");
    assert!(help.contains("templates/calendar-2027.toml"), "{help}");
    assert!(
        std::path::Path::new("templates/calendar-2027.toml").is_file(),
        "the template the message names ships"
    );
    let zh = findings("undecided-2027", Lang::Zh);
    assert!(
        zh[0]
            .message
            .starts_with("无法判断：2027 年工作日安排尚未公布"),
        "{}",
        zh[0].message
    );
    assert!(
        zh[0].message.contains("2027-02-09 至 2027-02-22"),
        "{}",
        zh[0].message
    );
}

#[test]
fn the_offered_request_day_is_safe_under_every_schedule() {
    // Requesting on the day the fix proposes (2027-01-12) is decided silent; a day later is
    // not safe any more.
    let text = std::fs::read_to_string(fixture("undecided-2027")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&["FIN003"], Lang::En);
    let check = |day: &str| {
        let path = dir.path().join(format!("{day}.plan.toml"));
        std::fs::write(&path, text.replace("2027-01-20  # expect: FIN003", day)).unwrap();
        hegui::check_paths(&engine, &[path]).findings
    };
    assert!(check("2027-01-12").is_empty());
    let later = check("2027-01-13");
    assert_eq!(later.len(), 1, "{later:?}");
    assert_eq!(later[0].severity, Severity::Warning);
}

#[test]
fn a_published_schedule_decides_exactly() {
    // With the template's statutory days as a team's 2027 schedule, the due day is exact.
    let mut sources = hegui::builtin_sources();
    sources.push(hegui::SourceFile::new(
        "cn-2027.toml",
        std::fs::read_to_string("templates/calendar-2027.toml").unwrap(),
    ));
    let set = hegui::RuleSet::load(sources).unwrap();
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let exact = set.calendar.add_workdays(d("2027-01-20"), 15).unwrap();
    assert_eq!(
        set.calendar.add_workdays_bound(d("2027-01-20"), 15, false),
        Ok(exact)
    );
    assert_eq!(
        set.calendar.add_workdays_bound(d("2027-01-20"), 15, true),
        Ok(exact)
    );
}

#[test]
fn rendered_diagnostics_of_the_2027_fixtures() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/unpublished_year");
    settings.bind(|| {
        for name in ["fail-2027", "undecided-2027"] {
            for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
                let engine = engine(&["FIN003"], lang);
                insta::assert_snapshot!(
                    format!("FIN003_{name}_{tag}"),
                    render(&engine, &fixture(name))
                );
            }
        }
    });
}

#[test]
fn schedule_takes_the_conservative_end_in_an_unpublished_year() {
    // With the closures pinned on 2027-02-09, the latest request day `hegui schedule` allows
    // is the one that is on time under every schedule 2027 could have: 2027-01-12 (the
    // undecided days after it are outside the window), the day FIN003's fix offers.
    let out = assert_cmd::Command::cargo_bin("hegui")
        .unwrap()
        .args(["schedule", "fixtures/FIN003/undecided-2027.plan.toml"])
        .args([
            "--today",
            "2026-11-22",
            "--close-on",
            "2027-02-09",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let refund = v["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["path"] == "finance.ad_refund_requested_on")
        .unwrap();
    assert_eq!(refund["latest"], "2027-01-12", "{refund}");
    assert_eq!(refund["rules"], serde_json::json!(["FIN003"]));
}
