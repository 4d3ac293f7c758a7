//! Rules amended by the legal review (rules.md, law.md): shared parameters, bases by kind,
//! severities by fact, "may" wording.

mod common;

use common::*;
use hegui::config::Config;
use hegui::{Engine, Lang, Options, RuleSet, SourceFile};

fn configured(config: &str) -> Result<Engine, String> {
    let mut set = RuleSet::load(hegui::builtin_sources()).unwrap();
    let config = Config::parse(SourceFile::new("hegui.toml", config), ".".into())
        .map_err(|e| format!("{e:?}"))?;
    config.apply(&mut set).map_err(|e| format!("{e:?}"))?;
    Ok(Engine::new(
        set,
        Options {
            lang: Lang::En,
            today: today(),
        },
    )
    .unwrap())
}

fn fired(engine: &Engine, path: &str) -> Vec<String> {
    hegui::check_file(engine, std::path::Path::new(path))
        .into_iter()
        .map(|f| f.rule.clone())
        .collect()
}

#[test]
fn ntc002_uses_ntc001s_deadline_even_when_overridden() {
    let default = configured("").unwrap();
    let before = fired(&default, "fixtures/NTC002/fail.plan.toml");
    assert!(before.contains(&"NTC002".to_owned()), "{before:?}");
    assert!(!before.contains(&"NTC001".to_owned()), "{before:?}");
    // 60 days: no notice meets the deadline any more, so NTC001 alone reports it.
    let strict = configured("[params]\nNTC001.min_days = 60\n").unwrap();
    let after = fired(&strict, "fixtures/NTC002/fail.plan.toml");
    assert!(after.contains(&"NTC001".to_owned()), "{after:?}");
    assert!(
        !after.contains(&"NTC002".to_owned()),
        "both fire: {after:?}"
    );
    let ntc002 = strict.rules().rule("NTC002").unwrap();
    assert_eq!(format!("{:?}", ntc002.params[0].value), "Int(60)");
}

#[test]
fn the_shared_parameter_is_set_once() {
    let err = configured("[params]\nNTC002.min_days = 10\n")
        .err()
        .unwrap();
    assert!(err.contains("same parameter as `NTC001.min_days`"), "{err}");
}

#[test]
fn acc012_follows_acc001s_cooling_days() {
    // The tier's 30 days are not met, but with 20 cooling days for service accounts the
    // closure 15 days after the request is ACC001's, not ACC012's.
    let engine = configured("[params]\nACC001.cooling_days = { service = 20 }\n").unwrap();
    let rules = fired(&engine, "fixtures/ACC012/fail.plan.toml");
    assert!(rules.contains(&"ACC001".to_owned()), "{rules:?}");
    assert!(!rules.contains(&"ACC012".to_owned()), "{rules:?}");
    // A team that knows its account's freeze period sets the tiers.
    let engine = configured("[params]\nACC012.freeze_tiers = [{ days = 15 }]\n").unwrap();
    assert!(fired(&engine, "fixtures/ACC012/fail.plan.toml").is_empty());
}

#[test]
fn basis_and_severity_follow_the_facts() {
    let engine = engine(&[], Lang::En);
    let findings = hegui::check_file(
        &engine,
        std::path::Path::new("fixtures/LGL001/fail.plan.toml"),
    );
    let bases: Vec<(&str, &str)> = findings
        .iter()
        .filter(|f| f.rule == "LGL001")
        .map(|f| (f.message.as_str(), f.basis.as_str()))
        .collect();
    assert_eq!(bases.len(), 2, "{bases:?}");
    for (message, basis) in bases {
        if message.contains("ob-prepaid") {
            assert!(basis.contains("Consumer Protection Law Art. 53"), "{basis}");
            assert!(!basis.contains("Civil Code"), "{basis}");
        } else {
            assert!(basis.contains("Civil Code Art. 509"), "{basis}");
            assert!(!basis.contains("Consumer"), "{basis}");
        }
    }
    let findings = hegui::check_file(
        &engine,
        std::path::Path::new("fixtures/DAT001/fail.plan.toml"),
    );
    let levels: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == "DAT001")
        .map(|f| (f.message.contains("or encrypted"), f.severity))
        .collect();
    assert_eq!(
        levels,
        vec![
            (false, hegui::Severity::Warning),
            (true, hegui::Severity::Error)
        ],
        "encrypted but unmasked: warning; neither: error"
    );
}

/// The rule's findings on a fixture with one line replaced: (line, the text it underlines).
fn on_mutant(rule: &str, fixture: &str, from: &str, to: &str) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(fixture).unwrap();
    assert!(text.contains(from), "{fixture} has `{from}`");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mutant.plan.toml");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    let engine = engine(&[], Lang::En);
    hegui::check_file(&engine, &path)
        .into_iter()
        .filter(|f| f.rule == rule)
        .map(|f| (f.start().0, f.value.clone()))
        .collect()
}

#[test]
fn cpn004_and_cpn006_point_at_the_offending_value() {
    let keep = on_mutant(
        "CPN004",
        "fixtures/CPN004/pass.plan.toml",
        "\nkeep_claimed_records = true",
        "\nkeep_claimed_records = false",
    );
    assert_eq!(keep, vec![(23, "false".to_owned())]);
    let smooth = on_mutant(
        "CPN006",
        "fixtures/CPN006/pass.plan.toml",
        "\nsmooth_transition = true",
        "\nsmooth_transition = false",
    );
    assert_eq!(smooth, vec![(24, "false".to_owned())]);
    let blank = on_mutant(
        "CPN006",
        "fixtures/CPN006/pass.plan.toml",
        "replacement_copy = \"冬季",
        "replacement_copy = \"  \"\nold_copy = \"冬季",
    );
    assert_eq!(blank.len(), 1, "{blank:?}");
    assert_eq!(blank[0].0, 26);
}
