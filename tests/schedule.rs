//! `hegui schedule`: windows, proposals, backwards schedules, infeasible plans, the Spring
//! Festival, a user rule pack's own date rule, the ICS output parsed back, `--write`, and a
//! property test over random plans.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use hegui::schedule::{self, Request, Schedule};
use hegui::tree::{Node, NodeValue};
use hegui::{Engine, Lang, Options, RuleSet, SourceFile};
use proptest::prelude::*;

const TEMPLATE: &str = include_str!("schedule/template.plan.toml");
const MANIFEST: &str = "tests/schedule/t.plan.toml";

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// The template with its placeholders filled: CANCEL, CLOSE, PUBLISH, UNTIL, EXPORT, SETTLE,
/// REFUND.
fn plan_text(dates: &[(&str, &str)]) -> String {
    let mut text = TEMPLATE.to_owned();
    for (key, value) in dates {
        text = text.replace(&format!("{{{key}}}"), value);
    }
    assert!(!text.contains("{"), "unfilled placeholder in\n{text}");
    text
}

const VALID: [(&str, &str); 7] = [
    ("CANCEL", "2026-11-20"),
    ("CLOSE", "2026-12-15"),
    ("PUBLISH", "2026-11-01"),
    ("UNTIL", "2026-12-31"),
    ("EXPORT", "2026-12-01"),
    ("SETTLE", "2026-12-10"),
    ("REFUND", "2026-11-20"),
];

fn with(changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    VALID
        .iter()
        .map(|(k, v)| {
            let v = changes.iter().find(|(c, _)| c == k).map_or(*v, |(_, v)| *v);
            (*k, v)
        })
        .collect()
}

fn builtin() -> RuleSet {
    RuleSet::load(hegui::builtin_sources()).unwrap()
}

fn options(today: &str) -> Options {
    Options {
        lang: Lang::En,
        today: d(today),
    }
}

/// Every closure on `day`, scheduled backwards (`--close-on`).
fn close_on(day: &str) -> Request {
    Request {
        close_on: Some(d(day)),
        pins: Vec::new(),
    }
}

/// One milestone pinned (`--pin PATH=DAY`).
fn pin(path: &str, day: &str) -> Request {
    Request {
        close_on: None,
        pins: vec![(path.to_owned(), d(day))],
    }
}

/// The type of `schedule::plan`, `schedule::repair` and `schedule::windows`.
type Entry<T> =
    fn(&RuleSet, &Options, &hegui::Source, &Path, &Request) -> Result<T, schedule::ScheduleError>;

/// Calls a `schedule` entry point on a plan's text, as `t.plan.toml` in `tests/schedule`.
fn call<T>(
    entry: Entry<T>,
    set: &RuleSet,
    text: &str,
    today: &str,
    request: &Request,
) -> Result<T, schedule::ScheduleError> {
    let source = SourceFile::new("t.plan.toml", text);
    entry(set, &options(today), &source, Path::new(MANIFEST), request)
}

fn plan(
    set: &RuleSet,
    text: &str,
    today: &str,
    request: &Request,
) -> Result<Schedule, schedule::ScheduleError> {
    call(schedule::plan, set, text, today, request)
}

fn run(set: &RuleSet, text: &str, today: &str, request: &Request) -> Schedule {
    plan(set, text, today, request).unwrap()
}

fn row<'s>(s: &'s Schedule, path: &str) -> &'s schedule::Planned {
    s.milestones
        .iter()
        .find(|p| p.milestone.path == path)
        .unwrap_or_else(|| panic!("no milestone {path}"))
}

fn window(s: &Schedule, path: &str) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let w = row(s, path).window.as_ref().expect("a window");
    (w.earliest, w.latest)
}

/// The spans of the date and date-time values of a document.
fn date_spans(node: &Node, out: &mut Vec<std::ops::Range<usize>>) {
    match &node.value {
        NodeValue::Date(_) | NodeValue::DateTime(_) => out.push(node.span.clone()),
        NodeValue::Table(entries) => entries.iter().for_each(|e| date_spans(&e.node, out)),
        NodeValue::Array(items) => items.iter().for_each(|n| date_spans(n, out)),
        _ => {}
    }
}

/// What `hegui check` (every built-in rule, the real engine) reports that points at or labels a
/// date value: (rule, blamed text).
fn date_findings(set: &RuleSet, text: &str, today: &str) -> Vec<(String, String)> {
    let engine = Engine::new(set.clone(), options(today)).unwrap();
    let source = SourceFile::new("t.plan.toml", text);
    let doc = hegui::tree::parse(text).unwrap();
    let mut spans = Vec::new();
    date_spans(&doc, &mut spans);
    engine
        .check_source(&source, Path::new(MANIFEST), Path::new("tests/schedule"))
        .into_iter()
        .filter(|f| f.waived.is_none())
        .filter(|f| {
            std::iter::once(&f.span)
                .chain(f.labels.iter().map(|l| &l.span))
                .any(|s| spans.contains(s))
        })
        .map(|f| (f.rule.clone(), f.value.clone()))
        .collect()
}

#[test]
fn several_broken_dates_are_moved_to_the_nearest_end_of_their_window_and_nothing_else() {
    let set = builtin();
    // The notice 20 days ahead (NTC001 wants 30), the export and the settlement after the closure
    // (DAT009, LGL002).
    let text = plan_text(&with(&[
        ("PUBLISH", "2026-11-25"),
        ("EXPORT", "2026-12-20"),
        ("SETTLE", "2026-12-18"),
    ]));
    let before: Vec<String> = date_findings(&set, &text, "2026-11-01")
        .into_iter()
        .map(|f| f.0)
        .collect();
    for rule in ["NTC001", "DAT009", "LGL002"] {
        assert!(before.contains(&rule.to_owned()), "{before:?}");
    }
    let repair = repair_of(&set, &text, "2026-11-01");
    let moves: Vec<(String, NaiveDate, NaiveDate)> = repair
        .moves
        .iter()
        .map(|m| (m.path.clone(), m.from, m.to))
        .collect();
    assert_eq!(
        moves,
        vec![
            (
                "notice[0].published_on".into(),
                d("2026-11-25"),
                d("2026-11-15")
            ),
            ("data[0].export_by".into(), d("2026-12-20"), d("2026-12-15")),
            (
                "obligation[0].settle_by".into(),
                d("2026-12-18"),
                d("2026-12-15")
            ),
        ]
    );
    assert!(repair.conflicts.is_empty(), "{:?}", repair.conflicts);
    assert_eq!(date_findings(&set, &repair.text, "2026-11-01"), vec![]);
    // Comments and layout are kept: only the three values changed.
    let changed: Vec<(&str, &str)> = text
        .lines()
        .zip(repair.text.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        changed,
        vec![
            ("published_on = 2026-11-25", "published_on = 2026-11-15"),
            ("export_by = 2026-12-20", "export_by = 2026-12-15"),
            ("settle_by = 2026-12-18", "settle_by = 2026-12-15"),
        ]
    );

    // The proposal closes as early as the facts allow: nothing is a fact on 2026-11-01, so the
    // notice goes out today and the closure follows 30 days later (NTC001 binds it).
    let s = run(&set, &text, "2026-11-01", &Request::default());
    assert!(s.feasible(), "{:?}", s.conflicts);
    let closure = row(&s, "account[0].closure_effective_on");
    assert_eq!(closure.proposed, d("2026-12-01"));
    assert!(closure.critical);
    assert_eq!(row(&s, "notice[0].published_on").proposed, d("2026-11-01"));
    assert!(row(&s, "notice[0].published_on").critical);
    assert!(
        s.critical_path.iter().any(|l| l.rule == "NTC001"
            && s.milestones[l.milestone].milestone.path == "account[0].closure_effective_on"
            && l.by.map(|b| s.milestones[b].milestone.path.as_str())
                == Some("notice[0].published_on")),
        "{:?}",
        s.critical_path
    );
    // Each window holds the proposed day, and the proposed plan passes the real checker.
    for p in &s.milestones {
        assert!(p.window.as_ref().unwrap().contains(p.proposed), "{p:?}");
    }
}

#[test]
fn close_on_schedules_backwards_each_window_ends_on_its_deadline() {
    let set = builtin();
    let text = plan_text(&VALID);
    let request = close_on("2026-12-28");
    let s = run(&set, &text, "2026-11-01", &request);
    assert!(s.feasible(), "{:?}", s.conflicts);
    let closure = row(&s, "account[0].closure_effective_on");
    assert_eq!(closure.proposed, d("2026-12-28"));
    assert!(closure.milestone.pinned);
    // NTC001: published 30 days ahead; ACC001: a service account's 15 cooling days; DAT009 and
    // LGL002: by the first closure; NTC002: shown until the closure.
    assert_eq!(
        window(&s, "notice[0].published_on"),
        (Some(d("2026-11-01")), Some(d("2026-11-28")))
    );
    assert_eq!(
        window(&s, "account[0].cancellation_requested_on"),
        (Some(d("2026-11-01")), Some(d("2026-12-13")))
    );
    assert_eq!(window(&s, "data[0].export_by").1, Some(d("2026-12-28")));
    assert_eq!(
        window(&s, "obligation[0].settle_by").1,
        Some(d("2026-12-28"))
    );
    assert_eq!(
        window(&s, "notice[0].displayed_until"),
        (Some(d("2026-12-28")), None)
    );
    // FIN003: 15 China working days; December 2026 has no holiday, so counting back from Monday
    // 2026-12-28 over weekdays gives Monday 2026-12-07.
    assert_eq!(
        window(&s, "finance.ad_refund_requested_on").1,
        Some(d("2026-12-07"))
    );
    let rules = row(&s, "finance.ad_refund_requested_on")
        .window
        .as_ref()
        .unwrap()
        .rules();
    assert_eq!(rules, vec!["FIN003".to_owned()]);
    // The dates inside their windows stay.
    assert_eq!(row(&s, "notice[0].published_on").proposed, d("2026-11-01"));
}

#[test]
fn a_pinned_closure_a_past_fact_cannot_meet_is_infeasible_with_the_conflict() {
    let set = builtin();
    // Today is 2026-12-01: the notice published on 2026-11-25 is a fact; a closure on 2026-12-10
    // needs it by 2026-11-10.
    let text = plan_text(&with(&[
        ("PUBLISH", "2026-11-25"),
        ("CANCEL", "2026-11-20"),
    ]));
    let request = close_on("2026-12-10");
    let s = run(&set, &text, "2026-12-01", &request);
    assert!(!s.feasible());
    let ntc = s
        .conflicts
        .iter()
        .find(|c| c.rule == "NTC001")
        .expect("NTC001 conflict");
    assert_eq!(
        ntc.dates,
        vec![
            ("account[0].closure_effective_on".into(), d("2026-12-10")),
            ("notice[0].published_on".into(), d("2026-11-25")),
        ]
    );
    assert!(row(&s, "notice[0].published_on").milestone.fact);
    assert_eq!(row(&s, "notice[0].published_on").proposed, d("2026-11-25"));
    let json: serde_json::Value = serde_json::from_str(&schedule::render_json(&s)).unwrap();
    assert_eq!(json["feasible"], false);
    assert!(
        json["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["rule"] == "NTC001")
    );

    // The CLI exits 1 and names the rule and the dates.
    let dir = tempdir();
    let path = dir.join("late.plan.toml");
    std::fs::write(&path, &text).unwrap();
    let out = hegui_cmd()
        .args(["schedule", path.to_str().unwrap(), "--today", "2026-12-01"])
        .args(["--close-on", "2026-12-10", "--lang", "en"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("infeasible"), "{stdout}");
    assert!(
        stdout.contains("NTC001") && stdout.contains("notice[0].published_on = 2026-11-25"),
        "{stdout}"
    );
}

/// The `n`th China working day after `day` in early 2026, from the State Council's notice
/// (国办发明电〔2025〕7号): Spring Festival off 2026-02-15 to 2026-02-23, working Saturdays
/// 2026-02-14 and 2026-02-28. Written out here, independently of `rules/calendar/cn.toml`.
fn nth_workday_2026(day: NaiveDate, n: u32) -> NaiveDate {
    use chrono::Datelike;
    let works = |x: NaiveDate| {
        if x == d("2026-02-14") || x == d("2026-02-28") {
            return true;
        }
        if x >= d("2026-02-15") && x <= d("2026-02-23") {
            return false;
        }
        x.weekday().num_days_from_monday() < 5
    };
    let mut x = day;
    let mut left = n;
    while left > 0 {
        x = x.succ_opt().unwrap();
        if works(x) {
            left -= 1;
        }
    }
    x
}

#[test]
fn working_days_across_the_spring_festival_bound_the_refund_request() {
    let set = builtin();
    let text = plan_text(&[
        ("CANCEL", "2026-02-02"),
        ("CLOSE", "2026-03-06"),
        ("PUBLISH", "2026-01-21"),
        ("UNTIL", "2026-03-31"),
        ("EXPORT", "2026-03-01"),
        ("SETTLE", "2026-03-01"),
        ("REFUND", "2026-02-20"),
    ]);
    let request = pin("account[0].closure_effective_on", "2026-03-06");
    let s = run(&set, &text, "2026-01-20", &request);
    let latest = window(&s, "finance.ad_refund_requested_on").1.unwrap();
    // The latest request day whose 15th working day is not after the closure.
    let mut expected = d("2026-03-06");
    while nth_workday_2026(expected, 15) > d("2026-03-06") {
        expected = expected.pred_opt().unwrap();
    }
    assert_eq!(latest, expected);
    // The holiday matters: counting weekdays only would allow Friday 2026-02-13.
    assert_eq!(expected, d("2026-02-09"));
    // The request (2026-02-20, in the holiday) is outside; the proposal moves it to the latest day.
    assert_eq!(row(&s, "finance.ad_refund_requested_on").proposed, expected);
    assert!(s.feasible(), "{:?}", s.conflicts);
}

fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "hegui-schedule-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn hegui_cmd() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_hegui"))
}

const USER_PACK: &str = r#"
[family]
id = "USR"
title = { zh = "本公司规则", en = "House rules" }

[[rule]]
id = "USR001"
severity = "error"
title = { zh = "数据导出须在首个注销日前三天完成", en = "Exports finish three days before the first closure" }
rationale = { zh = "留出核对时间。", en = "Leaves time to verify the export." }
basis = [{ practice = "seed-000", section = "§3" }]
scope = "data"
let.first = "min_by(plan.account, 'closure_effective_on')"
assert = "item.export_by <= add_days(first.closure_effective_on, -3)"
at = "export_by"
also = [{ at = "{first._path}.closure_effective_on", label = { zh = "首个注销", en = "first closure" } }]
message = { zh = "导出日 {item.export_by} 距首个注销日不足三天", en = "export on {item.export_by} is less than three days before the first closure" }
"#;

#[test]
fn a_user_rule_packs_own_date_rule_takes_part() {
    let dir = tempdir();
    std::fs::write(dir.join("house.toml"), USER_PACK).unwrap();
    let mut sources = hegui::builtin_sources();
    sources.extend(hegui::read_rule_dir(&dir).unwrap());
    let set = RuleSet::load(sources).unwrap();
    let text = plan_text(&with(&[("EXPORT", "2026-12-14")]));
    let request = close_on("2026-12-15");
    let s = run(&set, &text, "2026-11-01", &request);
    assert!(s.date_rules.contains(&"USR001".to_owned()));
    assert_eq!(window(&s, "data[0].export_by").1, Some(d("2026-12-12")));
    let rules = row(&s, "data[0].export_by")
        .window
        .as_ref()
        .unwrap()
        .rules();
    assert_eq!(rules, vec!["USR001".to_owned()]);
    assert_eq!(row(&s, "data[0].export_by").proposed, d("2026-12-12"));
    // Without the pack the built-in DAT009 allows the closure day itself.
    let s = run(&builtin(), &text, "2026-11-01", &request);
    assert_eq!(window(&s, "data[0].export_by").1, Some(d("2026-12-15")));

    // The CLI takes the pack with --rules, and --write moves the export.
    let path = dir.join("plan.plan.toml");
    std::fs::write(&path, &text).unwrap();
    let out = hegui_cmd()
        .args(["schedule", path.to_str().unwrap(), "--today", "2026-11-01"])
        .args(["--rules", dir.join("house.toml").to_str().unwrap()])
        .args(["--write", "--lang", "en"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("data[0].export_by: 2026-12-14 → 2026-12-12"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("export_by = 2026-12-12\n"));
    let check = hegui_cmd()
        .args(["check", path.to_str().unwrap(), "--today", "2026-11-01"])
        .args(["--rules", dir.join("house.toml").to_str().unwrap()])
        .args(["--select", "USR,DAT009,NTC,ACC,FIN,LGL", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(json["summary"]["error"], 0, "{json}");
}

/// A strict reading of the iCalendar the schedule writes (RFC 5545 §3.1: CRLF line ends, lines
/// of at most 75 octets folded with a leading space; §3.6: VCALENDAR holding VEVENTs): every
/// event's properties, unfolded and unescaped.
fn parse_ics(text: &str) -> Vec<BTreeMap<String, String>> {
    assert!(text.ends_with("\r\n"), "lines end with CRLF");
    let raw: Vec<&str> = text[..text.len() - 2].split("\r\n").collect();
    let mut lines: Vec<String> = Vec::new();
    for line in raw {
        assert!(line.len() <= 75, "line longer than 75 octets: {line:?}");
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare line break"
        );
        if let Some(rest) = line.strip_prefix(' ') {
            lines
                .last_mut()
                .expect("a folded line continues one")
                .push_str(rest);
        } else {
            lines.push(line.to_owned());
        }
    }
    assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
    assert!(lines.contains(&"VERSION:2.0".to_owned()));
    assert!(lines.iter().any(|l| l.starts_with("PRODID:")));
    let mut events = Vec::new();
    let mut current: Option<BTreeMap<String, String>> = None;
    for line in &lines[1..lines.len() - 1] {
        let (name, value) = line.split_once(':').expect("NAME:VALUE");
        match (name, value) {
            ("BEGIN", "VEVENT") => {
                assert!(current.is_none(), "nested VEVENT");
                current = Some(BTreeMap::new());
            }
            ("END", "VEVENT") => events.push(current.take().expect("END without BEGIN")),
            _ => {
                if let Some(event) = current.as_mut() {
                    let unescaped = value
                        .replace("\\n", "\n")
                        .replace("\\,", ",")
                        .replace("\\;", ";")
                        .replace("\\\\", "\\");
                    assert!(
                        event.insert(name.to_owned(), unescaped).is_none(),
                        "property {name} twice"
                    );
                }
            }
        }
    }
    assert!(current.is_none(), "unterminated VEVENT");
    for e in &events {
        for required in [
            "UID",
            "DTSTAMP",
            "DTSTART;VALUE=DATE",
            "DTEND;VALUE=DATE",
            "SUMMARY",
        ] {
            assert!(e.contains_key(required), "{required} missing in {e:?}");
        }
        let start = NaiveDate::parse_from_str(&e["DTSTART;VALUE=DATE"], "%Y%m%d").unwrap();
        let end = NaiveDate::parse_from_str(&e["DTEND;VALUE=DATE"], "%Y%m%d").unwrap();
        assert_eq!(
            end,
            start.succ_opt().unwrap(),
            "an all-day event lasts one day"
        );
        assert!(e["DTSTAMP"].ends_with('Z') && e["DTSTAMP"].len() == 16);
    }
    let uids: std::collections::BTreeSet<&String> = events.iter().map(|e| &e["UID"]).collect();
    assert_eq!(uids.len(), events.len(), "UIDs are unique");
    events
}

#[test]
fn the_ics_has_one_all_day_event_per_deadline_and_parses_back() {
    let set = builtin();
    let text = plan_text(&VALID);
    let request = close_on("2026-12-28");
    let s = run(&set, &text, "2026-11-01", &request);
    for lang in [Lang::Zh, Lang::En] {
        let ics = schedule::render_ics(&s, lang);
        let events = parse_ics(&ics);
        // Every date except the facts (none here) is an event, on the window's last day (the
        // deadline) or, without one, on the proposed day.
        assert_eq!(events.len(), s.milestones.len());
        for p in &s.milestones {
            let event = events
                .iter()
                .find(|e| e["SUMMARY"].ends_with(&p.milestone.path))
                .unwrap_or_else(|| panic!("no event for {}", p.milestone.path));
            let deadline = p
                .window
                .as_ref()
                .and_then(|w| w.latest)
                .unwrap_or(p.proposed);
            assert_eq!(
                event["DTSTART;VALUE=DATE"],
                deadline.format("%Y%m%d").to_string()
            );
        }
        let published = events
            .iter()
            .find(|e| e["SUMMARY"].ends_with("notice[0].published_on"))
            .unwrap();
        assert_eq!(published["DTSTART;VALUE=DATE"], "20261128");
        assert_eq!(ics, schedule::render_ics(&s, lang), "deterministic");
    }
}

#[test]
fn json_has_exactly_the_documented_fields() {
    let set = builtin();
    let s = run(&set, &plan_text(&VALID), "2026-11-01", &Request::default());
    let json: serde_json::Value = serde_json::from_str(&schedule::render_json(&s)).unwrap();
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&json), ["conflicts", "feasible", "milestones"]);
    let first = &json["milestones"][0];
    assert_eq!(
        keys(first),
        [
            "critical", "current", "earliest", "latest", "path", "proposed", "rules"
        ]
    );
    let paths: Vec<&str> = json["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "account[0].qualification_valid_until",
            "account[0].cancellation_requested_on",
            "account[0].closure_effective_on",
            "notice[0].published_on",
            "notice[0].displayed_until",
            "data[0].export_by",
            "obligation[0].settle_by",
            "finance.ad_refund_requested_on",
        ]
    );
}

#[test]
fn human_output_in_both_languages() {
    let set = builtin();
    let text = plan_text(&with(&[
        ("PUBLISH", "2026-11-25"),
        ("EXPORT", "2026-12-20"),
    ]));
    let s = run(&set, &text, "2026-11-01", &Request::default());
    insta::assert_snapshot!("schedule_human_zh", schedule::render_human(&s, Lang::Zh));
    insta::assert_snapshot!("schedule_human_en", schedule::render_human(&s, Lang::En));
}

#[test]
fn pins_and_bad_options_are_reported() {
    let set = builtin();
    let text = plan_text(&VALID);
    let bad = pin("account[0].closure", "2026-12-20");
    let err = plan(&set, &text, "2026-11-01", &bad).unwrap_err();
    assert!(
        err.to_string().contains("account[0].closure_effective_on"),
        "{err}"
    );
    let err = plan(&set, &text, "2026-11-01", &close_on("2026-10-01")).unwrap_err();
    assert!(err.to_string().contains("before --today"), "{err}");
    // A pin holds its milestone.
    let pinned = pin("/notice[0].published_on", "2026-11-10");
    let s = run(&set, &text, "2026-11-01", &pinned);
    assert_eq!(row(&s, "notice[0].published_on").proposed, d("2026-11-10"));
    assert_eq!(
        row(&s, "account[0].closure_effective_on").proposed,
        d("2026-12-10")
    );
    let out = hegui_cmd()
        .args([
            "schedule",
            "tests/schedule/template.plan.toml",
            "--pin",
            "nonsense",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The template's placeholders in the order [`random_days`] fills them.
const KEYS: [&str; 7] = [
    "CANCEL", "CLOSE", "PUBLISH", "UNTIL", "EXPORT", "SETTLE", "REFUND",
];
/// `--today` of the random plans.
const RANDOM_TODAY: &str = "2026-11-15";

/// A day from 2026-10-15 (a month before [`RANDOM_TODAY`]) to 2027-02-11, or, with `future`,
/// from [`RANDOM_TODAY`] on.
fn day_strategy(future: bool) -> impl Strategy<Value = NaiveDate> {
    let first = if future { 31 } else { 0 };
    (first..120i64).prop_map(|n| d("2026-10-15") + chrono::Duration::days(n))
}

/// Seven random days for [`KEYS`]. The closure and the end of the notice's display are not in
/// the past: a plan whose closure is a fact has already happened, and one whose notice stopped
/// showing before a future closure cannot be repaired by moving dates (drawn like the other
/// days, 10 of 20 generated plans were left with conflicts; docs/schedule.md gives the mix).
fn random_days() -> impl Strategy<Value = Vec<NaiveDate>> {
    KEYS.iter()
        .map(|k| day_strategy(matches!(*k, "CLOSE" | "UNTIL")).boxed())
        .collect::<Vec<_>>()
}

fn random_plan(days: &[NaiveDate]) -> String {
    let texts: Vec<String> = days
        .iter()
        .map(|x| x.format("%Y-%m-%d").to_string())
        .collect();
    let filled: Vec<(&str, &str)> = KEYS
        .iter()
        .copied()
        .zip(texts.iter().map(String::as_str))
        .collect();
    plan_text(&filled)
}

/// The windows of a plan's dates, the others as they are.
fn windows_of(
    set: &RuleSet,
    text: &str,
    today: &str,
) -> Vec<(schedule::Milestone, Option<schedule::Window>)> {
    call(schedule::windows, set, text, today, &Request::default()).unwrap()
}

/// What `--write` makes of a plan.
fn repair_of(set: &RuleSet, text: &str, today: &str) -> schedule::Repair {
    call(schedule::repair, set, text, today, &Request::default()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    /// For random plans, `--write` never moves a past date, never moves a date that was inside
    /// its window, and, when it reports no conflict, leaves nothing a date rule reports in
    /// `hegui check`.
    #[test]
    fn write_moves_only_dates_outside_their_window(days in random_days()) {
        let set = builtin();
        let text = random_plan(&days);
        let today = RANDOM_TODAY;
        let before = windows_of(&set, &text, today);
        let repair = repair_of(&set, &text, today);
        for m in &repair.moves {
            let (milestone, window) = before.iter().find(|(b, _)| b.path == m.path).unwrap();
            prop_assert!(m.from >= d(today), "moved a past date: {m:?}");
            prop_assert!(!milestone.fact);
            prop_assert!(
                !window.as_ref().is_some_and(|w| w.contains(m.from)),
                "moved a date inside its window: {m:?} {window:?}"
            );
        }
        if repair.conflicts.is_empty() {
            prop_assert_eq!(date_findings(&set, &repair.text, today), vec![]);
        }
    }
}

/// The mix of plans the property test's generator makes, for docs/schedule.md: how many are
/// already fine (`--write` moves nothing, no date rule fires), repaired (dates moved, no
/// date-rule finding left) or left with conflicts. `HEGUI_MIX_CASES` plans (default 100) from
/// proptest's deterministic runner.
#[test]
#[ignore = "a measurement: cargo test --test schedule generator_mix -- --ignored --nocapture"]
fn generator_mix() {
    use proptest::strategy::ValueTree;
    let cases: usize = std::env::var("HEGUI_MIX_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let set = builtin();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = random_days();
    let (mut fine, mut repaired, mut conflicts, mut moved) = (0, 0, 0, 0);
    for _ in 0..cases {
        let days = strategy.new_tree(&mut runner).unwrap().current();
        let repair = repair_of(&set, &random_plan(&days), RANDOM_TODAY);
        moved += repair.moves.len();
        if std::env::var_os("HEGUI_MIX_VERBOSE").is_some() && !repair.conflicts.is_empty() {
            let rules: Vec<&str> = repair.conflicts.iter().map(|c| c.rule.as_str()).collect();
            println!("{days:?}: {rules:?}");
        }
        match (repair.moves.is_empty(), repair.conflicts.is_empty()) {
            (true, true) => fine += 1,
            (false, true) => repaired += 1,
            _ => conflicts += 1,
        }
    }
    println!(
        "generator mix over {cases} plans: {fine} already fine, {repaired} repaired, {conflicts} left with conflicts; {moved} dates moved"
    );
}

#[test]
fn the_reports_windows_come_from_the_engine_and_the_parsed_plan() {
    let text = plan_text(&with(&[("PUBLISH", "2026-11-25")]));
    let engine = Engine::new(builtin(), options("2026-11-01")).unwrap();
    let source = SourceFile::new("t.plan.toml", text.clone());
    let doc = hegui::tree::parse(&text).unwrap();
    let windows = schedule::plan_windows(&engine, &source, &doc, Path::new(MANIFEST)).unwrap();
    let paths: Vec<&str> = windows.iter().map(|(m, _)| m.path.as_str()).collect();
    assert_eq!(paths.len(), 8, "{paths:?}");
    let (notice, window) = windows
        .iter()
        .find(|(m, _)| m.path == "notice[0].published_on")
        .unwrap();
    assert_eq!(notice.current, d("2026-11-25"));
    // NTC001: 30 days before the closure on 2026-12-15; nothing before today.
    let window = window.as_ref().unwrap();
    assert_eq!(
        (window.earliest, window.latest),
        (Some(d("2026-11-01")), Some(d("2026-11-15")))
    );
    assert_eq!(window.rules(), vec!["NTC001".to_owned()]);
}

/// A coupon batch withdrawn at a date-time, with a rule-change notice that covers it (CPN009).
const COUPON: &str = r#"
# 卡券批次：下架时刻带时间
[[coupon_batch]]
card_id = "pFS7Fjg8kV1IdDz01r4SQwMkuCKc"
status = "active"
strategy = "immediate"
claimed = 120
redeemed = 30
withdraw_at   =   2026-11-20T10:30:00   # 下架时刻（UTC+8）
keep_claimed_records = true
equivalent_alternative = true

[[notice]]
id = "ntc-coupon"
kind = "rule-change"
channels = ["homepage"]
published_on = 2026-11-16 # 规则变更公示
displayed_until = 2026-12-31
covers = ["pFS7Fjg8kV1IdDz01r4SQwMkuCKc"]
audience = "all"
text = "【规则变更公示】示例卡券将停止投放。"
"#;

#[test]
fn write_edits_in_place_keeps_comments_times_and_facts_and_check_then_agrees() {
    let set = builtin();
    let today = "2026-11-15";
    // Facts (before today): the cancellation request, the termination notice and the refund
    // request. Outside their windows: the closure (ACC001's cooling days and NTC001's 30 days
    // from facts) and the coupon withdrawal (CPN009's 15 days from its notice).
    let text = plan_text(&[
        ("CANCEL", "2026-11-10"),
        ("CLOSE", "2026-11-20"),
        ("PUBLISH", "2026-11-01"),
        ("UNTIL", "2026-12-31"),
        ("EXPORT", "2026-11-18"),
        ("SETTLE", "2026-11-19"),
        ("REFUND", "2026-11-05"),
    ]) + COUPON;
    let before = windows_of(&set, &text, today);

    let dir = tempdir();
    let path = dir.join("coupon.plan.toml");
    std::fs::write(&path, &text).unwrap();
    let out = hegui_cmd()
        .args(["schedule", path.to_str().unwrap(), "--today", today])
        .args(["--write", "--lang", "en"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let written = std::fs::read_to_string(&path).unwrap();

    // Only the values outside their window changed, each to the nearest end of its window.
    let changed: Vec<(&str, &str)> = text
        .lines()
        .zip(written.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        changed,
        vec![
            (
                "closure_effective_on = 2026-11-20  # 注销生效",
                "closure_effective_on = 2026-12-01  # 注销生效"
            ),
            (
                "withdraw_at   =   2026-11-20T10:30:00   # 下架时刻（UTC+8）",
                "withdraw_at   =   2026-12-01T10:30:00   # 下架时刻（UTC+8）"
            ),
        ],
        "{stdout}"
    );
    assert_eq!(text.lines().count(), written.lines().count());
    for (path, to) in [
        ("account[0].closure_effective_on", "2026-12-01"),
        ("coupon_batch[0].withdraw_at", "2026-12-01"),
    ] {
        let (m, window) = before.iter().find(|(m, _)| m.path == path).unwrap();
        let window = window.as_ref().unwrap();
        assert!(
            !window.contains(m.current),
            "{path} was outside: {window:?}"
        );
        assert_eq!(window.nearest(m.current), d(to), "{path}");
        assert!(
            stdout.contains(&format!("{path}: 2026-11-20 → {to}")),
            "{stdout}"
        );
    }
    // The facts are where they were.
    for fact in [
        "2026-11-10  # 申请注销",
        "published_on = 2026-11-01",
        "= 2026-11-05",
    ] {
        assert!(written.contains(fact), "{fact} moved:\n{written}");
    }

    // `hegui check` on the written file: no finding of a date rule.
    let date_rules = run(&set, &written, today, &Request::default()).date_rules;
    let fired: Vec<String> = checked_rules(&path, today)
        .into_iter()
        .filter(|r| date_rules.contains(r))
        .collect();
    assert_eq!(fired, Vec::<String>::new());
    // Before the write the same check found them.
    std::fs::write(&path, &text).unwrap();
    let rules = checked_rules(&path, today);
    for rule in ["ACC001", "NTC001", "CPN009"] {
        assert!(rules.iter().any(|r| r == rule), "{rules:?}");
    }
}

/// The rules of the findings `hegui check --format json` reports for a file.
fn checked_rules(path: &Path, today: &str) -> Vec<String> {
    let check = hegui_cmd()
        .args(["check", path.to_str().unwrap(), "--today", today])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}
