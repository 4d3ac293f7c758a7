//! The fuzzing harness: hegui's library entry points driven by arbitrary input, shared by the
//! libFuzzer targets in `fuzz_targets/` and the property tests in `tests/properties.rs` (which
//! include this file), so both exercise exactly the same paths.
//!
//! Each function returns everything it rendered, so callers can assert determinism; none may
//! panic on any input.

use std::path::Path;
use std::sync::OnceLock;

use hegui::render::{human, json, sarif};
use hegui::{Engine, Lang, Options, RuleSet, SourceFile};

/// A plan with accounts, notices, data, contracts and coupon batches: what fuzzed rules run on.
pub const EXAMPLE_PLAN: &str = include_str!("../../fixtures/examples/combined.plan.toml");

/// Where fuzzed manifests pretend to live: a folder that does not exist, so a `file` value
/// never reads the machine's files and the outcome does not depend on the working directory.
const NOWHERE: &str = "/nonexistent-hegui-fuzz";

fn options() -> Options {
    Options {
        lang: Lang::En,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("a valid date"),
    }
}

/// The engine over the built-in packs, built once.
pub fn builtin_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let set = RuleSet::load(hegui::builtin_sources()).expect("built-in rules load");
        Engine::new(set, options()).unwrap_or_else(|_| panic!("built-in patterns compile"))
    })
}

/// Checks a manifest's text (as the CLI does) and renders the findings in every format.
pub fn check_text(engine: &Engine, text: &str) -> String {
    check_text_rendering(engine, text, true)
}

/// [`check_text`], with the human renderer only when `human` is set (JSON and SARIF always).
pub fn check_text_rendering(engine: &Engine, text: &str, human: bool) -> String {
    let source = SourceFile::new("fuzz.plan.toml", text);
    let dir = Path::new(NOWHERE);
    let mut findings = engine.check_source(&source, &dir.join("fuzz.plan.toml"), dir);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    for f in &findings {
        // Spans must lie inside the file and on character boundaries, or renderers slice wrongly.
        let text = &f.source.text;
        assert!(
            f.span.start <= f.span.end && f.span.end <= text.len(),
            "{} span {:?} outside a {}-byte file",
            f.rule,
            f.span,
            text.len()
        );
        assert!(
            text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end),
            "{} span {:?} splits a character",
            f.rule,
            f.span
        );
    }
    let mut out = json::render(&findings, 1);
    // SARIF describes the rules that fired: the descriptors of the whole catalogue are the
    // same for every input and would cost most of an execution (tests render them in full).
    let fired: Vec<&hegui::rules::Rule> = (engine.rules().rules.iter())
        .filter(|r| findings.iter().any(|f| f.rule == r.id))
        .collect();
    out.push_str(&sarif::render_described(&findings, &fired, Lang::En));
    if human {
        out.push_str(&human::render(
            &findings,
            1,
            Lang::En,
            human::Style::plain(),
        ));
    }
    out
}

/// Checks arbitrary bytes as a manifest with the built-in rules. Invalid UTF-8 is read the way
/// `check_file` shows it (lossily), so the parser and every rule see the odd text too.
pub fn check_manifest(data: &[u8]) -> String {
    check_text(builtin_engine(), &String::from_utf8_lossy(data))
}

/// One input in this many is rendered by the human renderer in the `manifest` fuzz target.
pub const HUMAN_SAMPLE: usize = 8;

/// What the `manifest` fuzz target runs: [`check_manifest`], except that the human renderer
/// (miette: escaping the file, wrapping, snippets; a fifth of an execution in `perf`) runs on
/// one input in [`HUMAN_SAMPLE`]. Which inputs is decided by the input itself (its length and
/// three of its bytes), so an input always takes the same path and a crash reproduces.
pub fn fuzz_manifest(data: &[u8]) -> String {
    let pick = match data {
        [] => 0,
        [first, .., last] => {
            data.len()
                + usize::from(*first)
                + usize::from(data[data.len() / 2])
                + usize::from(*last)
        }
        [only] => 1 + usize::from(*only),
    };
    let text = String::from_utf8_lossy(data);
    check_text_rendering(builtin_engine(), &text, pick % HUMAN_SAMPLE == 0)
}

/// The built-in data files a rule pack relies on (law table, vocabulary, calendar), without the
/// built-in rules: loading these is cheap, so fuzzed rule files load many times a second.
fn data_sources() -> Vec<hegui::Source> {
    hegui::builtin_sources()
        .into_iter()
        .filter(|s| {
            ["law.toml", "manifest.toml", "cn.toml"]
                .iter()
                .any(|n| s.name.ends_with(n))
        })
        .collect()
}

/// Loads arbitrary text as a rule file beside the built-in data; when it loads, builds an
/// engine and checks the example plan with it. Returns the rendered problems or findings.
pub fn load_rules(text: &str) -> String {
    let mut sources = data_sources();
    sources.push(SourceFile::new("fuzz.toml", text));
    match RuleSet::load(sources) {
        Err(problems) => human::render_rule_problems(&problems, human::Style::plain()),
        Ok(set) => match Engine::new(set, options()) {
            Err(errors) => format!("{errors:?}"),
            Ok(engine) => check_text(&engine, EXAMPLE_PLAN),
        },
    }
}

/// A TOML basic string holding `s` exactly.
pub fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A rule whose expression at one of its places (chosen by `slot`) is `expr`, checked against
/// the example plan: CEL compile and evaluate through the rule path.
pub fn rule_with_expression(slot: u8, expr: &str) -> String {
    let e = toml_string(expr);
    let braced = toml_string(&format!("{{{expr}}}"));
    let (scope, body) = match slot % 8 {
        0 => ("account", format!("assert = {e}\n")),
        1 => ("notice", format!("when = {e}\nassert = \"false\"\n")),
        2 => ("data", format!("let.x = {e}\nassert = \"x == true\"\n")),
        3 => (
            "account",
            format!("for_each = {e}\nassert = \"each == 1\"\n"),
        ),
        4 => ("file", format!("assert = \"false\"\nat = {braced}\n")),
        5 => (
            "coupon_batch",
            format!("assert = \"false\"\nmessage = {{ zh = {braced}, en = {braced} }}\n"),
        ),
        6 => (
            "account",
            format!(
                "severity_if = [{{ when = {e}, severity = \"warning\" }}]\nassert = \"false\"\n"
            ),
        ),
        _ => (
            "notice",
            format!("assert = \"false\"\nalso = [{{ at = {braced}, when = {e} }}]\n"),
        ),
    };
    let message = if body.contains("message =") {
        String::new()
    } else {
        "message = { zh = \"m {item._path}\", en = \"m {item._path}\" }\n".to_owned()
    };
    load_rules(&format!(
        "[family]\nid = \"FZZ\"\ntitle = {{ zh = \"模糊\", en = \"Fuzz\" }}\n\n[[rule]]\nid = \"FZZ001\"\nseverity = \"error\"\ntitle = {{ zh = \"t\", en = \"t\" }}\nrationale = {{ zh = \"r\", en = \"r\" }}\nbasis = [{{ practice = \"hegui\" }}]\nscope = \"{scope}\"\n{message}{body}"
    ))
}

/// The built-in rule set, loaded once; `hegui.toml` inputs are applied to a copy.
fn builtin_rules() -> &'static RuleSet {
    static SET: OnceLock<RuleSet> = OnceLock::new();
    SET.get_or_init(|| RuleSet::load(hegui::builtin_sources()).expect("built-in rules load"))
}

/// Reads arbitrary text as a `hegui.toml` (as `hegui check` does) and applies it to the
/// built-in rules: its problems are rendered as the CLI shows them, else the changed rule
/// set is summarised. Paths in it resolve under a folder that does not exist.
pub fn load_config(text: &str) -> String {
    let source = SourceFile::new("hegui.toml", text);
    let Ok(config) = hegui::config::Config::parse(source, Path::new(NOWHERE).to_path_buf()) else {
        return String::new();
    };
    let mut set = builtin_rules().clone();
    let mut out = match config.apply(&mut set) {
        Err(problems) => human::render_file_problems(
            std::slice::from_ref(&problems),
            "config",
            human::Style::plain(),
        ),
        Ok(()) => format!("{} rules\n", set.rules.len()),
    };
    let manifest = Path::new(NOWHERE).join("a/b.plan.toml");
    out.push_str(&format!(
        "{} {} {:?} {:?} {:?}\n",
        config.selects(&manifest),
        config.excludes(&manifest),
        config.fail_on,
        config.rule_dirs,
        config.calendar_files
    ));
    out
}
