//! The report's timeline and its #12 fixes: each date's schedule window is `hegui schedule`'s
//! own computation; backticks in messages are code; the manifest-format rules are neither
//! practice nor controls; far dates do not squeeze the plan; month labels do not overlap;
//! row labels are not cut (month labels: the unit tests of `html/svg.rs`).

use std::path::Path;

use assert_cmd::Command;

const TODAY: &str = "2026-11-22";

fn hegui() -> Command {
    let mut cmd = Command::cargo_bin("hegui").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("LANG");
    cmd
}

/// Runs `hegui report ARGS -o DIR/NAME` and returns the file's text.
fn report(dir: &Path, name: &str, args: &[&str]) -> String {
    let out = dir.join(name);
    let run = hegui()
        .arg("report")
        .args(args)
        .args(["--today", TODAY, "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_ne!(
        run.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read_to_string(&out).unwrap()
}

fn section<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let start = text.find(from).unwrap_or_else(|| panic!("no {from}"));
    let end = text[start..].find(to).map_or(text.len(), |e| start + e);
    &text[start..end]
}

/// Every `<text class="CLASS" x="…" …>words</text>` of an SVG: (x, words).
fn texts(svg: &str, class: &str) -> Vec<(f64, String)> {
    let open = format!("<text class=\"{class}\" x=\"");
    svg.split(open.as_str())
        .skip(1)
        .map(|rest| {
            let x: f64 = rest[..rest.find('"').unwrap()].parse().unwrap();
            let words = &rest[rest.find('>').unwrap() + 1..rest.find("</text>").unwrap()];
            (x, words.to_owned())
        })
        .collect()
}

#[test]
fn the_windows_are_the_schedules_own() {
    let path = "fixtures/examples/combined.plan.toml";
    let dir = tempfile::tempdir().unwrap();
    let md = report(dir.path(), "c.md", &[path, "--lang", "en"]);
    let table = section(&md, "Schedule windows", "## 6.");
    // The same computation through the library: every date value, its window, its rules.
    let set = hegui::RuleSet::load(hegui::builtin_sources()).unwrap();
    let options = hegui::Options {
        lang: hegui::Lang::En,
        today: TODAY.parse().unwrap(),
    };
    let text = std::fs::read_to_string(path).unwrap();
    let source = hegui::SourceFile::new(path, text);
    let windows = hegui::schedule::windows_explained(
        &set,
        &options,
        &source,
        Path::new(path),
        &hegui::schedule::Request::default(),
    )
    .unwrap();
    assert!(windows.len() > 20, "the combined plan has many dates");
    let rows: Vec<&str> = table.lines().filter(|l| l.starts_with("| `")).collect();
    assert_eq!(rows.len(), windows.len(), "{table}");
    let mut outside = 0;
    let mut no_day = 0;
    for ((m, w), row) in windows.iter().zip(&rows) {
        let day = |d: Option<chrono::NaiveDate>| d.map_or("…".to_owned(), |d| d.to_string());
        // No day: the rules that conflict on the date, in the window's place and as its rules.
        let (range, rules) = match w {
            Ok(w) => (
                format!("{} – {}", day(w.earliest), day(w.latest)),
                w.rules().join(", "),
            ),
            Err(none) => {
                no_day += 1;
                assert!(!none.rules.is_empty(), "{}", m.path);
                let rules = none.rules.join(", ");
                (format!("no day: conflicting rules {rules}"), rules)
            }
        };
        let inside = w.as_ref().is_ok_and(|w| w.contains(m.current));
        outside += usize::from(!inside);
        let status = match (w.is_ok(), inside) {
            (false, _) => "no day",
            (true, true) => "✓",
            (true, false) => "✗ outside",
        };
        assert_eq!(
            *row,
            format!(
                "| `{}` | {} | {range} | {rules} | {status} |",
                m.path, m.current
            )
        );
    }
    assert!(
        outside >= 3,
        "the combined plan has dates outside their windows"
    );
    assert!(no_day >= 1, "the combined plan has a date with no day");
}

/// The rows of a date with no day, in Chinese and (HTML) in English: the conflicting rules are
/// named, escaped like the rest of the table.
#[test]
fn a_date_with_no_day_names_the_conflicting_rules() {
    let path = "fixtures/examples/account-winddown.plan.toml";
    let dir = tempfile::tempdir().unwrap();
    let md = report(dir.path(), "a.md", &[path]);
    let md_rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| `") && l.contains("无可行日"))
        .collect();
    let html = report(dir.path(), "a.html", &[path, "--lang", "en"]);
    let table = section(&html, "<table class=\"windows\">", "</table>");
    let html_rows: Vec<&str> = table
        .split("<tr>")
        .filter(|r| r.contains("no day"))
        .collect();
    // The chart's tooltips say it too.
    let titles: Vec<&str> = html
        .split("<title>")
        .filter_map(|t| t.split("</title>").next())
        .filter(|t| t.contains("no day"))
        .collect();
    insta::assert_snapshot!(format!(
        "{}\n\n{}\n\n{}",
        md_rows.join("\n"),
        html_rows.join("\n"),
        titles.join("\n")
    ));
    assert_eq!(md_rows.len(), html_rows.len());
    assert!(!md_rows.is_empty(), "{md}");
}

#[test]
fn the_html_timeline_draws_each_window_under_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let html = report(
        dir.path(),
        "a.html",
        &["fixtures/examples/account-winddown.plan.toml"],
    );
    let svg = section(&html, "<svg class=\"timeline\"", "</svg>");
    // ACC001: the sub-culture cooling period is blamed, and its filing day lies outside its
    // window (2026-11-22 – 2026-12-09): a red strip; the export days lie inside: green strips.
    let cooling = section(
        svg,
        "<g class=\"t-cooling blamed\"><title>sub-culture",
        "</g>",
    );
    assert!(
        cooling.contains("合规窗口 2026-11-22 – 2026-12-09"),
        "{cooling}"
    );
    assert!(
        cooling.contains("<rect class=\"allowed missed\""),
        "{cooling}"
    );
    let export = section(svg, "<g class=\"t-export\"><title>data-articles", "</g>");
    assert!(export.contains("<rect class=\"allowed\""), "{export}");
    // The table beside the chart: every date value with its window.
    let table = section(&html, "<table class=\"windows\">", "</table>");
    assert!(table.contains(
        "<code>account[1].cancellation_requested_on</code></td><td class=\"nowrap\">2026-12-12</td><td class=\"nowrap\">2026-11-22 – 2026-12-09</td><td>ACC001</td><td class=\"mark failed\">✗ 在窗口外</td>"
    ), "{table}");
}

#[test]
fn backticks_in_messages_are_code() {
    let dir = tempfile::tempdir().unwrap();
    let plan = "fixtures/ACC001/fail.plan.toml";
    let html = report(dir.path(), "a.html", &[plan, "--lang", "en"]);
    // The message `account `svc-main` closes on …` shows the id as code, not with backticks.
    assert!(
        html.contains("<div class=\"msg\">account <code>svc-main</code> closes on 2026-12-15"),
        "{}",
        section(&html, "<div class=\"msg\">", "</div>")
    );
    let messages: Vec<&str> = html.split("<div class=\"msg\">").skip(1).collect();
    assert!(!messages.is_empty());
    for m in messages {
        let m = &m[..m.find("</div>").unwrap()];
        assert!(!m.contains('`'), "a backtick shown literally: {m}");
    }
    // Help and fix too.
    assert!(html.contains("move <code>closure_effective_on</code> to 2026-12-20"));
    let md = report(dir.path(), "a.md", &[plan, "--lang", "en"]);
    assert!(
        md.contains("account `svc-main` closes on 2026-12-15"),
        "{md}"
    );
    assert!(!md.contains("\\`svc-main\\`"));
}

#[test]
fn manifest_format_rules_are_neither_practice_nor_controls() {
    let dir = tempfile::tempdir().unwrap();
    let html = report(
        dir.path(),
        "s.html",
        &["fixtures/SCH002/fail.plan.toml", "fixtures/ACC001"],
    );
    let findings = section(&html, "<section id=\"findings\">", "</section>");
    assert!(findings.contains("<code class=\"rule\">SCH002</code>"));
    // The group of the schema rules says what it is, not "practice".
    assert!(
        findings.contains(
            "<span class=\"code practice format\">格式要求（非法律）</span>hegui 计划清单格式（manifest.md）"
        ),
        "{findings}"
    );
    assert!(!findings.contains("惯例</span>hegui"));
    // Controls: rules a reviewer signs off only; SCH and WVR rules make facts readable.
    let controls = section(&html, "<section id=\"controls\">", "</section>");
    assert!(controls.contains("<code>ACC001</code>"), "{controls}");
    for id in ["SCH001", "SCH002", "SCH004", "WVR001"] {
        assert!(
            !controls.contains(&format!("<code>{id}</code>")),
            "{id} listed"
        );
    }
}

/// A copy of the account wind-down example with one date far before and one far after the
/// plan's other dates, and an account with a long id.
fn far_plan(dir: &Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string("fixtures/examples/account-winddown.plan.toml").unwrap();
    let changed = text
        .replacen("decided_on = 2026-10-20", "decided_on = 2025-03-01", 1)
        .replacen(
            "terminates_on = 2026-12-15",
            "terminates_on = 2028-06-30",
            1,
        )
        .replacen(
            "id = \"sub-culture\"",
            "id = \"sub-culture-and-lifestyle-archive\"",
            1,
        );
    assert_ne!(changed, text);
    assert_eq!(changed.matches("2025-03-01").count(), 1);
    let path = dir.join("far.plan.toml");
    std::fs::write(&path, changed).unwrap();
    path
}

#[test]
fn far_dates_stay_at_the_edge_and_labels_fit() {
    let dir = tempfile::tempdir().unwrap();
    let plan = far_plan(dir.path());
    let html = report(
        dir.path(),
        "f.html",
        &[plan.to_str().unwrap(), "--lang", "both"],
    );
    let svg = section(&html, "<svg class=\"timeline\"", "</svg>");
    // The axis covers the plan's cluster (Nov 2026 – Feb 2027), not 2025 – 2028.
    let months: Vec<String> = texts(svg, "axis").into_iter().map(|t| t.1).collect();
    assert!(months.contains(&"2026-12".to_owned()), "{months:?}");
    assert!(
        !months
            .iter()
            .any(|m| m.starts_with("2025") || m.starts_with("2028")),
        "{months:?}"
    );
    // Days are readable: the week lines of December are at least 20 px apart.
    let week = texts(svg, "axis small");
    assert!(week.windows(2).any(|w| w[1].0 - w[0].0 >= 20.0), "{week:?}");
    // The far dates: an arrow at the edge and the full date.
    let far = texts(svg, "far");
    assert_eq!(far.iter().filter(|t| t.1 == "◂").count(), 1, "{far:?}");
    assert_eq!(far.iter().filter(|t| t.1 == "▸").count(), 1, "{far:?}");
    let dates: Vec<String> = texts(svg, "date").into_iter().map(|t| t.1).collect();
    assert!(dates.contains(&"2025-03-01".to_owned()), "{dates:?}");
    assert!(dates.contains(&"2028-06-30".to_owned()), "{dates:?}");
    // Row labels are whole: the long id and the bilingual words.
    let entities: Vec<String> = texts(svg, "entity").into_iter().map(|t| t.1).collect();
    assert!(
        entities.contains(&"sub-culture-and-lifestyle-archive".to_owned()),
        "{entities:?}"
    );
    let what: Vec<String> = texts(svg, "what").into_iter().map(|t| t.1).collect();
    assert!(
        what.contains(&"申请注销 + 冷却期 15 日 filed + 15-day cooling".to_owned()),
        "{what:?}"
    );
    assert!(
        what.contains(&"平台保留数据 60 日 platform keeps data 60 d".to_owned()),
        "{what:?}"
    );
    assert!(!what.iter().any(|w| w.ends_with('…')), "{what:?}");
}

/// A timeline mark is a name of `[shape.marks]`: a typo is a load error pointing at it, in a
/// rule's parameter and in the vocabulary itself, not a row drawn unstyled under its bare name.
#[test]
fn a_mark_the_vocabulary_does_not_declare_is_a_load_error() {
    let typo = |file: &str, from: &str, to: &str| {
        let sources: Vec<hegui::Source> = hegui::builtin_sources()
            .into_iter()
            .map(|s| {
                if s.name.ends_with(file) {
                    assert!(s.text.contains(from), "{file} lacks {from}");
                    hegui::SourceFile::new(s.name.clone(), s.text.replacen(from, to, 1))
                } else {
                    s
                }
            })
            .collect();
        let Err(failures) = hegui::RuleSet::load(sources) else {
            panic!("{file}: {to} loads");
        };
        let [failure] = failures.as_slice() else {
            panic!("{file}: {} files with problems", failures.len());
        };
        let [problem] = failure.problems.as_slice() else {
            panic!("{file}: {:?}", failure.problems);
        };
        let at = &failure.source.text[problem.span.clone()];
        (problem.message.clone(), at.to_owned())
    };
    let (message, at) = typo("accounts.toml", "mark = \"cooling\"", "mark = \"coolng\"");
    assert!(
        message.starts_with("`mark` names the mark `coolng`, which `[shape.marks]` does not declare (decision, notice, cooling,")
            && message.ends_with("; did you mean `cooling`?"),
        "{message}"
    );
    assert_eq!(at, "\"coolng\"");
    let (message, at) = typo(
        "manifest.toml",
        "timeline = { mark = \"withdraw\" }",
        "timeline = { mark = \"withdrawl\" }",
    );
    assert!(
        message.contains("the mark `withdrawl`") && message.ends_with("did you mean `withdraw`?"),
        "{message}"
    );
    assert_eq!(at, "\"withdrawl\"");
}
