//! The static checker of rule files (`src/rulecheck/`): the built-in packs and the examples of
//! `docs/rule-format.md` and `docs/zh/rule-format.md` pass it; each broken pack of
//! `tests/rulecheck/` is reported, pointing into its file, in both languages.

use hegui::render::human;
use hegui::{Lang, RuleSet};

#[test]
fn the_built_in_packs_pass_the_checker() {
    let set = RuleSet::load(hegui::builtin_sources()).expect("built-in packs load");
    for lang in [Lang::Zh, Lang::En] {
        let problems = hegui::rulecheck::check_set(&set, lang, true);
        assert!(
            problems.is_empty(),
            "{}",
            human::render_rule_problems(&problems, human::Style::plain())
        );
    }
}

/// The reference data (law table, vocabulary, calendar) with one more rule file.
fn load_with(
    name: &str,
    text: &str,
    lang: Lang,
) -> Result<RuleSet, Vec<hegui::rules::FileProblems>> {
    let mut sources: Vec<_> = hegui::builtin_sources()
        .into_iter()
        .filter(|s| {
            s.name.ends_with("/law.toml")
                || s.name.ends_with("/manifest.toml")
                || s.name.contains("/calendar/")
        })
        .collect();
    sources.push(hegui::SourceFile::new(name, text));
    RuleSet::load_in(sources, lang)
}

fn fixtures() -> Vec<(String, String)> {
    let mut out: Vec<_> = std::fs::read_dir("tests/rulecheck")
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Whether a message is written in one language: Chinese text has no English words outside
/// backticks, English text no Chinese outside backticks and quotes.
fn one_language(text: &str, lang: Lang) -> bool {
    let outside: String = text.split('`').step_by(2).collect::<Vec<_>>().concat();
    match lang {
        Lang::En => !outside
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || "，。：？（）".contains(c)),
        Lang::Zh => !outside
            .split(|c: char| !c.is_ascii_alphabetic())
            .any(|w| w.len() > 1 && w.chars().all(|c| c.is_ascii_lowercase())),
    }
}

#[test]
fn broken_packs_are_reported_in_both_languages() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/rulecheck");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (name, text) in fixtures() {
            for lang in [Lang::Zh, Lang::En] {
                let result = load_with(&format!("tests/rulecheck/{name}.toml"), &text, lang);
                if name == "ok" {
                    assert!(result.is_ok(), "{:?}", result.err());
                    continue;
                }
                let Err(failures) = result else {
                    panic!("{name} loads without a problem");
                };
                for f in &failures {
                    for p in &f.problems {
                        let all = format!("{} {}", p.message, p.help.clone().unwrap_or_default());
                        assert!(one_language(&all, lang), "{name} {lang:?}: {all}");
                    }
                }
                let rendered = human::render_rule_problems(&failures, human::Style::plain());
                let suffix = match lang {
                    Lang::Zh => "zh",
                    Lang::En => "en",
                };
                insta::assert_snapshot!(format!("{name}.{suffix}"), rendered);
            }
        }
    });
}

#[test]
fn the_examples_of_the_rule_format_pass_the_checker() {
    for path in ["docs/rule-format.md", "docs/zh/rule-format.md"] {
        examples_pass(path);
    }
}

fn examples_pass(path: &str) {
    let doc = std::fs::read_to_string(path).unwrap();
    let blocks: Vec<&str> = doc
        .split("```toml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .filter(|b| b.contains("[[rule]]"))
        .collect();
    assert!(!blocks.is_empty(), "{path} has rule examples");
    for block in blocks {
        let loaded = load_with(path, block, Lang::En);
        assert!(
            loaded.is_ok(),
            "{}",
            human::render_rule_problems(&loaded.err().unwrap(), human::Style::plain())
        );
    }
}

/// `check` and `test-rules` stop with exit 2 before any plan is checked, pointing into the
/// rule file, in the language asked for.
#[test]
fn a_broken_pack_stops_check_and_test_rules() {
    let run = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("hegui")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stderr).unwrap(),
            out.stdout,
        )
    };
    let (code, err, stdout) = run(&[
        "check",
        "fixtures/examples",
        "--rules",
        "tests/rulecheck/unknown_key.toml",
        "--lang",
        "en",
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("tests/rulecheck/unknown_key.toml:13:16"),
        "{err}"
    );
    assert!(err.contains("did you mean `followers`?"), "{err}");
    assert!(err.contains("nothing was checked"), "{err}");
    assert!(stdout.is_empty());

    let (code, err, _) = run(&["test-rules", "tests/rulecheck", "--lang", "zh"]);
    assert_eq!(code, Some(2), "{err}");
    // Every broken fixture at once (each file's problems), in Chinese.
    for name in [
        "arity",
        "enum_value",
        "regex",
        "template",
        "type_error",
        "unknown_key",
        "unknown_name",
        "unknown_param",
    ] {
        assert!(
            err.contains(&format!("tests/rulecheck/{name}.toml:")),
            "{name}: {err}"
        );
    }
    assert!(!err.contains("tests/rulecheck/ok.toml:"), "{err}");
    assert!(err.contains("是否想写 `followers`？"), "{err}");
}

/// CEL expressions that mostly parse: atoms of every kind combined by operators, calls,
/// macros, selections and indexing.
fn expressions() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let atom = prop_oneof![
        Just("item".to_owned()),
        Just("item.followers".to_owned()),
        Just("item.type".to_owned()),
        Just("item.?commerce".to_owned()),
        Just("plan.notice".to_owned()),
        Just("entries".to_owned()),
        Just("params.p".to_owned()),
        Just("today".to_owned()),
        Just("n".to_owned()),
        Just("1".to_owned()),
        Just("2.5".to_owned()),
        Just("'service'".to_owned()),
        Just("'('".to_owned()),
        Just("true".to_owned()),
        Just("null".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
    ];
    atom.prop_recursive(4, 24, 3, |inner| {
        let op = prop_oneof![
            Just("+"),
            Just("-"),
            Just("*"),
            Just("=="),
            Just("!="),
            Just("<"),
            Just(">="),
            Just("&&"),
            Just("||"),
            Just("in")
        ];
        let f = prop_oneof![
            Just("add_days"),
            Just("days_between"),
            Just("max_by"),
            Just("first_by"),
            Just("sum"),
            Just("size"),
            Just("date"),
            Just("nope"),
            Just("int")
        ];
        let m = prop_oneof![Just("exists"), Just("all"), Just("map"), Just("filter")];
        let key = prop_oneof![
            Just("followers"),
            Just("kind"),
            Just("published_on"),
            Just("x")
        ];
        prop_oneof![
            (inner.clone(), op, inner.clone()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
            (f.clone(), inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            (f, inner.clone(), inner.clone()).prop_map(|(f, a, b)| format!("{f}({a}, {b})")),
            (inner.clone(), m, inner.clone()).prop_map(|(a, m, b)| format!("{a}.{m}(n, {b})")),
            (inner.clone(), key.clone()).prop_map(|(a, k)| format!("{a}.{k}")),
            (inner.clone(), key.clone()).prop_map(|(a, k)| format!("{a}.?{k}.orValue(0)")),
            (inner.clone(), key).prop_map(|(a, k)| format!("has({a}.{k})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}[{b}]")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}.matches({b})")),
            (inner.clone(), inner.clone(), inner).prop_map(|(c, a, b)| format!("{c} ? {a} : {b}")),
        ]
    })
}

const PROP_HEAD: &str = "[family]\nid = \"PRP\"\ntitle = { zh = \"t\", en = \"t\" }\n\n[[rule]]\nid = \"PRP001\"\nseverity = \"error\"\ntitle = { zh = \"t\", en = \"t\" }\nrationale = { zh = \"r\", en = \"r\" }\nbasis = [{ practice = \"seed-000\" }]\nparams.p = { default = [1], doc = { zh = \"p\", en = \"p\" } }\nscope = \"account\"\n";

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

    /// Whatever an expression says, the checker reports or accepts it; it never panics.
    #[test]
    fn the_checker_never_panics(expr in expressions()) {
        let text = format!(
            "{PROP_HEAD}assert = '''{expr} '''\nmessage = {{ zh = \"m\", en = \"m {{{expr}}}\" }}\n"
        );
        for lang in [Lang::Zh, Lang::En] {
            let _ = load_with("prop.toml", &text, lang);
        }
    }
}

/// The test above can fail: a misspelt key in a built-in pack is found by the same check
/// (built-in packs are only skipped when they load, to stay lazy).
#[test]
fn a_misspelt_key_in_a_built_in_pack_is_found() {
    let sources: Vec<_> = hegui::builtin_sources()
        .into_iter()
        .map(|s| {
            if s.name.ends_with("/accounts.toml") {
                let text =
                    s.text
                        .replacen("item.closure_effective_on", "item.closure_efective_on", 1);
                hegui::SourceFile::new(s.name.clone(), text)
            } else {
                s
            }
        })
        .collect();
    let set = RuleSet::load(sources).expect("built-in packs are not checked when they load");
    let problems = hegui::rulecheck::check_set(&set, Lang::En, true);
    let text = human::render_rule_problems(&problems, human::Style::plain());
    assert!(text.contains("has no key `closure_efective_on`"), "{text}");
    assert!(
        text.contains("did you mean `closure_effective_on`?"),
        "{text}"
    );
}
