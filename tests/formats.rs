//! The CI formats, parsed as their consumers parse them: SARIF validated against the official
//! SARIF 2.1.0 JSON Schema (`tests/schemas/`, see its README for where it comes from), GitHub
//! workflow commands decoded as the Actions runner decodes them, JUnit XML read with an XML
//! parser. Each is compared with the JSON output of the same run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const TODAY: &str = "2026-11-22";

fn hegui() -> Command {
    let mut cmd = Command::cargo_bin("hegui").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("LANG");
    cmd
}

/// Runs `hegui check --format FORMAT --today TODAY ARGS…`: (stdout, exit status).
fn check(format: &str, args: &[&str]) -> (String, i32) {
    let out = hegui()
        .args(["check", "--format", format, "--today", TODAY])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "run failed ({code}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (text, code)
}

/// A run that checks nothing: a manifest named on the command line that `hegui.toml` excludes
/// (as a pre-commit hook may pass). A folder with no manifest is an error, not an empty run.
fn empty_run() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hegui.toml"),
        "[check]\nexclude = [\"skipped.plan.toml\"]\n",
    )
    .unwrap();
    std::fs::copy(
        "fixtures/ACC001/fail.plan.toml",
        dir.path().join("skipped.plan.toml"),
    )
    .unwrap();
    let file = dir
        .path()
        .join("skipped.plan.toml")
        .to_str()
        .unwrap()
        .to_owned();
    (dir, file)
}

fn json(args: &[&str]) -> Value {
    let (text, _) = check("json", args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn diagnostics(v: &Value) -> &Vec<Value> {
    v["diagnostics"].as_array().unwrap()
}

fn rule_ids() -> Vec<String> {
    let out = hegui()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let list: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    list.iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

// ---------------------------------------------------------------- SARIF

fn sarif_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // The official schema's `language` pattern (on `run` and `toolComponent`) has a stray `]`:
    // ECMA-262 (Annex B) reads it as a literal, the crate's stricter regex check refuses the
    // schema. Escape it in memory — same meaning; the vendored file stays byte for byte as
    // published. hegui writes no `language` property.
    const STRAY: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    let mut patched = 0;
    for def in ["run", "toolComponent"] {
        let pattern = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        if pattern == STRAY {
            *pattern = r"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\]?$".into();
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "the schema changed: revisit the patch");
    assert_eq!(
        schema["$id"],
        "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
    );
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF is invalid:\n{}",
        errors.join("\n")
    );
}

fn sarif(args: &[&str]) -> Value {
    let (text, _) = check("sarif", args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn sarif_of_every_fixture_validates_against_the_official_schema() {
    let validator = sarif_validator();
    for lang in ["zh", "en"] {
        let log = sarif(&["fixtures", "--lang", lang]);
        assert_valid(&validator, &log);
        let expected = json(&["fixtures", "--lang", lang]);
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), diagnostics(&expected).len());
        // Waived findings are present, each with an inSource suppression.
        let waived = diagnostics(&expected)
            .iter()
            .filter(|d| !d["waived"].is_null())
            .count();
        assert!(waived > 0, "the fixtures hold waived findings");
        let suppressed: Vec<&Value> = results
            .iter()
            .filter(|r| r.get("suppressions").is_some())
            .collect();
        assert_eq!(suppressed.len(), waived);
        assert!(
            suppressed
                .iter()
                .all(|r| r["suppressions"][0]["kind"] == "inSource")
        );
    }
}

#[test]
fn sarif_of_an_empty_run_validates() {
    let validator = sarif_validator();
    let (_dir, file) = empty_run();
    let log = sarif(&[&file]);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert!(
        !log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_valid(&validator, &log);
    // And a clean manifest: no results, still every rule described.
    let log = sarif(&["fixtures/examples/compliant-account.plan.toml"]);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_valid(&validator, &log);
}

#[test]
fn sarif_of_awkward_file_names_validates() {
    // Artifact locations are URI references: spaces, `%`, `#` and Chinese must be encoded.
    let validator = sarif_validator();
    let dir = tempfile::tempdir().unwrap();
    for name in ["a b.plan.toml", "计划 100%#1.plan.toml"] {
        std::fs::write(dir.path().join(name), "[plan\n").unwrap();
    }
    let log = sarif(&[dir.path().to_str().unwrap()]);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 2);
    assert_valid(&validator, &log);
}

#[test]
fn the_schema_rejects_what_sarif_forbids() {
    // The validator really validates: a level outside the enum and a region starting at
    // column 0 are refused.
    let validator = sarif_validator();
    let mut log = sarif(&["fixtures/ACC001/fail.plan.toml"]);
    assert_valid(&validator, &log);
    let mut bad_level = log.clone();
    bad_level["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&bad_level));
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] =
        0.into();
    assert!(!validator.is_valid(&log));
}

// ---------------------------------------------------------------- GitHub

/// One workflow command, decoded as the Actions runner decodes it.
#[derive(Debug)]
struct Annotation {
    command: String,
    properties: BTreeMap<String, String>,
    message: String,
}

fn unescape(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

fn parse_annotation(line: &str) -> Annotation {
    let rest = line.strip_prefix("::").expect("a workflow command");
    let (head, message) = rest.split_once("::").expect("`::` before the message");
    let (command, props) = head.split_once(' ').unwrap_or((head, ""));
    let properties = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_owned(), unescape(v))
        })
        .collect();
    Annotation {
        command: command.to_owned(),
        properties,
        message: unescape(message),
    }
}

fn annotations(text: &str) -> Vec<Annotation> {
    text.lines()
        .filter(|l| l.starts_with("::"))
        .map(parse_annotation)
        .collect()
}

/// Asserts annotations and JSON diagnostics agree one to one, in order.
fn assert_matches_json(found: &[Annotation], expected: &[Value]) {
    assert_eq!(found.len(), expected.len());
    for (a, d) in found.iter().zip(expected) {
        let p = &a.properties;
        assert_eq!(p["file"], d["file"].as_str().unwrap());
        assert_eq!(p["title"], d["rule"].as_str().unwrap());
        for (key, field) in [
            ("line", "line"),
            ("col", "column"),
            ("endLine", "end_line"),
            ("endColumn", "end_column"),
        ] {
            assert_eq!(p[key], d[field].to_string(), "{key} of {a:?}");
        }
        let command = match (d["waived"].is_null(), d["severity"].as_str().unwrap()) {
            (false, _) => "notice",
            (true, "error") => "error",
            (true, "warning") => "warning",
            (true, _) => "notice",
        };
        assert_eq!(a.command, command, "{a:?}");
        let message = d["message"].as_str().unwrap();
        if d["waived"].is_null() {
            assert!(a.message.starts_with(message), "{a:?}");
        } else {
            let reason = d["waived"]["reason"].as_str().unwrap();
            assert!(a.message.starts_with("[waived: "), "{a:?}");
            assert!(a.message.contains(reason) && a.message.contains(message));
        }
        if let Some(help) = d["help"].as_str() {
            assert!(a.message.contains(&format!("\n{help}")), "{a:?}");
        }
        // The fix: what it does, on its own line.
        if let Some(fix) = d["fix"]["message"].as_str() {
            assert!(a.message.contains(&format!("\nfix: {fix} (")), "{a:?}");
        } else {
            assert!(!a.message.contains("\nfix: "), "{a:?}");
        }
    }
}

#[test]
fn github_annotations_match_the_json_of_the_same_run() {
    let (text, code) = check("github", &["fixtures", "--lang", "en"]);
    assert_eq!(code, 1);
    let found = annotations(&text);
    let expected = json(&["fixtures", "--lang", "en"]);
    assert_matches_json(&found, diagnostics(&expected));
    assert!(found.iter().any(|a| a.command == "warning"));
    // Everything else is the summary line for the log.
    let other: Vec<&str> = text.lines().filter(|l| !l.starts_with("::")).collect();
    assert_eq!(other.len(), 1);
    let summary = format!("checked {} files: ", expected["files"]);
    assert!(other[0].starts_with(&summary), "{}", other[0]);
}

#[test]
fn github_annotation_for_acc001_is_exact() {
    let (text, _) = check(
        "github",
        &[
            "fixtures/ACC001/fail.plan.toml",
            "--select",
            "ACC001",
            "--lang",
            "en",
        ],
    );
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(
            "::error file=fixtures/ACC001/fail.plan.toml,line=29,col=24,endLine=29,endColumn=34,title=ACC001::account `svc-main` closes on 2026-12-15, inside its 15-day cooling period%0A"
        ),
        "{first}"
    );
    assert!(
        first.ends_with("%0Afix: move `closure_effective_on` to 2026-12-20 (fixable with `hegui fix --unsafe-fixes`)%0Abasis: practice: “How to cancel WeChat operations” (Luyoutong, 2025-06-07) §1 (a web article, not law; its numbers are unverified and configurable)"),
        "{first}"
    );
}

#[test]
fn github_escapes_properties_and_data() {
    // A file name with `,`, `:` and `%`, and a manifest whose parse error message spans lines.
    let dir = tempfile::tempdir().unwrap();
    let name = "we,ird:100%.plan.toml";
    std::fs::write(dir.path().join(name), "[plan\nid = \"x\"\n").unwrap();
    let path = dir.path().join(name);
    let path = path.to_str().unwrap();
    let (text, code) = check("github", &[path, "--lang", "en"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    assert!(!lines.is_empty());
    for line in &lines {
        let head = &line[2..line[2..].find("::").unwrap() + 2];
        assert!(head.contains("we%2Cird%3A100%25.plan.toml"), "{line}");
    }
    let found = annotations(&text);
    assert_eq!(
        found[0].properties["file"],
        json(&[path, "--lang", "en"])["diagnostics"][0]["file"]
    );
    assert_matches_json(&found, diagnostics(&json(&[path, "--lang", "en"])));
}

#[test]
fn github_waived_findings_are_notices_led_by_the_waiver() {
    let (text, code) = check(
        "github",
        &["fixtures/WVR002/pass.plan.toml", "--lang", "en"],
    );
    let found = annotations(&text);
    let expected = json(&["fixtures/WVR002/pass.plan.toml", "--lang", "en"]);
    assert_matches_json(&found, diagnostics(&expected));
    let waived: Vec<&Annotation> = found
        .iter()
        .filter(|a| a.message.starts_with("[waived: "))
        .collect();
    assert!(!waived.is_empty());
    assert!(waived.iter().all(|a| a.command == "notice"));
    // Waived findings fail nothing: the status is what the active ones make it.
    let active_error = diagnostics(&expected)
        .iter()
        .any(|d| d["waived"].is_null() && d["severity"] == "error");
    assert_eq!(code, i32::from(active_error));
}

// ---------------------------------------------------------------- JUnit

#[derive(Debug, Default)]
struct Case {
    failure: Option<(String, String, String)>,
    skipped: Option<String>,
}

/// Suites by name, test cases by name, checked for well-formedness by roxmltree.
fn parse_junit(text: &str) -> BTreeMap<String, BTreeMap<String, Case>> {
    let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("not XML ({e})"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let mut suites = BTreeMap::new();
    let attr = |n: roxmltree::Node, k: &str| -> usize { n.attribute(k).unwrap().parse().unwrap() };
    let (mut tests, mut failures, mut skipped) = (0, 0, 0);
    for suite in root.children().filter(|n| n.is_element()) {
        assert_eq!(suite.tag_name().name(), "testsuite");
        let name = suite.attribute("name").unwrap().to_owned();
        let mut cases = BTreeMap::new();
        for case in suite.children().filter(|n| n.is_element()) {
            assert_eq!(case.tag_name().name(), "testcase");
            assert_eq!(case.attribute("classname"), Some(name.as_str()));
            let mut c = Case::default();
            for child in case.children().filter(|n| n.is_element()) {
                match child.tag_name().name() {
                    "failure" => {
                        assert!(c.failure.is_none(), "one failure per test case");
                        c.failure = Some((
                            child.attribute("message").unwrap().to_owned(),
                            child.attribute("type").unwrap().to_owned(),
                            child.text().unwrap_or("").to_owned(),
                        ));
                    }
                    "skipped" => c.skipped = Some(child.attribute("message").unwrap().into()),
                    other => panic!("unexpected <{other}>"),
                }
            }
            let id = case.attribute("name").unwrap().to_owned();
            assert!(cases.insert(id, c).is_none(), "one test case per rule");
        }
        let f = cases.values().filter(|c| c.failure.is_some()).count();
        let s = cases.values().filter(|c| c.skipped.is_some()).count();
        assert_eq!(
            (
                attr(suite, "tests"),
                attr(suite, "failures"),
                attr(suite, "skipped")
            ),
            (cases.len(), f, s),
            "counts of suite {name}"
        );
        assert_eq!(attr(suite, "errors"), 0);
        (tests, failures, skipped) = (tests + cases.len(), failures + f, skipped + s);
        assert!(suites.insert(name, cases).is_none(), "one suite per file");
    }
    assert_eq!(
        (
            attr(root, "tests"),
            attr(root, "failures"),
            attr(root, "skipped")
        ),
        (tests, failures, skipped)
    );
    suites
}

/// Asserts the JUnit report and the JSON of the same run agree.
fn assert_junit_matches_json(junit: &str, v: &Value, rules: &[String]) {
    let suites = parse_junit(junit);
    assert_eq!(suites.len(), v["files"].as_u64().unwrap() as usize);
    // Active findings by (file, rule), in output order; and the waived ones.
    let mut active: BTreeMap<(String, String), Vec<&Value>> = BTreeMap::new();
    let mut waived: BTreeSet<(String, String)> = BTreeSet::new();
    for d in diagnostics(v) {
        let key = (
            d["file"].as_str().unwrap().to_owned(),
            d["rule"].as_str().unwrap().to_owned(),
        );
        if d["waived"].is_null() {
            active.entry(key).or_default().push(d);
        } else {
            waived.insert(key);
        }
    }
    for (file, cases) in &suites {
        // Every rule of the set is a test case of every file, passes included.
        for id in rules {
            assert!(cases.contains_key(id), "{file} lacks a test case for {id}");
        }
        for (id, case) in cases {
            let key = (file.clone(), id.clone());
            match (active.get(&key), &case.failure) {
                (Some(found), Some((message, kind, body))) => {
                    let d = found[0];
                    let location = format!(
                        "{}:{}:{}: ",
                        d["file"].as_str().unwrap(),
                        d["line"],
                        d["column"]
                    );
                    assert!(message.starts_with(&location), "{message}");
                    assert!(message.contains(d["message"].as_str().unwrap()));
                    let worst = found
                        .iter()
                        .map(|d| match d["severity"].as_str().unwrap() {
                            "error" => 2,
                            "warning" => 1,
                            _ => 0,
                        })
                        .max()
                        .unwrap();
                    assert_eq!(kind, ["info", "warning", "error"][worst]);
                    for d in found {
                        let at = format!(
                            "{}:{}:{}-{}:{}: ",
                            d["file"].as_str().unwrap(),
                            d["line"],
                            d["column"],
                            d["end_line"],
                            d["end_column"]
                        );
                        assert!(body.contains(&at), "{at} not in {body}");
                        assert!(body.contains(d["message"].as_str().unwrap()));
                        if let Some(fix) = d["fix"]["message"].as_str() {
                            let en = format!("\n  fix: {fix} (");
                            let zh = format!("\n  修复：{fix}（");
                            assert!(body.contains(&en) || body.contains(&zh), "{body}");
                        }
                    }
                    assert!(case.skipped.is_none());
                }
                (None, None) => {
                    assert_eq!(case.skipped.is_some(), waived.contains(&key), "{key:?}");
                    if let Some(message) = &case.skipped {
                        let d = diagnostics(v)
                            .iter()
                            .find(|d| d["file"] == key.0.as_str() && d["rule"] == key.1.as_str())
                            .unwrap();
                        assert!(
                            message.contains(d["message"].as_str().unwrap()),
                            "{message}"
                        );
                        assert!(message.contains(d["waived"]["reason"].as_str().unwrap()));
                    }
                }
                (expected, found) => panic!("{key:?}: JSON {expected:?}, JUnit {found:?}"),
            }
        }
    }
    for key in active.keys() {
        assert!(
            suites.get(&key.0).is_some_and(|c| c.contains_key(&key.1)),
            "{key:?} missing"
        );
    }
}

#[test]
fn junit_matches_the_json_of_the_same_run() {
    let rules = rule_ids();
    for args in [
        &["fixtures", "--lang", "en"][..],
        &["fixtures/examples", "--lang", "zh"][..],
    ] {
        let (junit, code) = check("junit", args);
        assert_eq!(code, 1);
        let v = json(args);
        assert_junit_matches_json(&junit, &v, &rules);
    }
}

#[test]
fn junit_lists_passes_and_escapes_names() {
    let rules = rule_ids();
    let dir = tempfile::tempdir().unwrap();
    let name = "a&b<c>\"d'.plan.toml";
    std::fs::copy(
        "fixtures/examples/compliant-account.plan.toml",
        dir.path().join(name),
    )
    .unwrap();
    std::fs::write(dir.path().join("broken.plan.toml"), "[plan\n<&>").unwrap();
    let path = dir.path().to_str().unwrap();
    let (junit, code) = check("junit", &[path]);
    assert_eq!(code, 1);
    let v = json(&[path]);
    assert_junit_matches_json(&junit, &v, &rules);
    let suites = parse_junit(&junit);
    let clean = suites
        .iter()
        .find(|(file, _)| file.ends_with(name))
        .expect("the file name survives escaping")
        .1;
    assert_eq!(clean.len(), rules.len());
    assert!(
        clean
            .values()
            .all(|c| c.failure.is_none() && c.skipped.is_none())
    );
    // An empty run is still a well-formed report.
    let (_empty, file) = empty_run();
    let (junit, code) = check("junit", &[&file]);
    assert_eq!(code, 0);
    assert!(parse_junit(&junit).is_empty());
}
