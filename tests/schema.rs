//! `hegui schema`: the JSON Schema comes from the vocabulary that drives SCH002–SCH004 and
//! SCH008, and the two agree on every fixture; editors (taplo) accept it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use hegui::shape::{KeySpec, KeyType};
use hegui::{Lang, RuleSet};
use serde_json::{Value, json};

fn schema() -> Value {
    let set = RuleSet::load(hegui::builtin_sources()).unwrap();
    hegui::schema::json_schema(set.shape.as_ref().unwrap())
}

/// A manifest as editors see it: TOML dates and date-times become strings.
fn as_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => json!(s),
        toml::Value::Integer(i) => json!(i),
        toml::Value::Float(f) => json!(f),
        toml::Value::Boolean(b) => json!(b),
        toml::Value::Datetime(d) => json!(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(as_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.iter().map(|(k, v)| (k.clone(), as_json(v))).collect())
        }
    }
}

fn manifests(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".plan.toml"))
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

/// The JSON type a vocabulary type must have in the schema.
fn expected_type(spec: &KeySpec) -> &'static str {
    match spec.ty {
        KeyType::String(_) | KeyType::File | KeyType::Date | KeyType::DateTime => "string",
        KeyType::Enum(_) => "string",
        KeyType::Integer => "integer",
        KeyType::Number | KeyType::Ratio => "number",
        KeyType::Bool => "boolean",
        KeyType::Array(_) | KeyType::Entries(_) => "array",
        KeyType::Table(_) => "object",
    }
}

fn compare(spec: &KeySpec, schema: &Value, at: &str, seen: &mut usize) {
    *seen += 1;
    assert_eq!(schema["type"], expected_type(spec), "{at}: type");
    match &spec.ty {
        KeyType::Enum(values) => assert_eq!(schema["enum"], json!(values), "{at}: enum"),
        KeyType::String(Some(p)) => assert_eq!(schema["pattern"], p.as_str(), "{at}: pattern"),
        KeyType::Array(items) => compare(items, &schema["items"], &format!("{at}[]"), seen),
        KeyType::Table(keys) | KeyType::Entries(keys) => {
            let object = if matches!(spec.ty, KeyType::Entries(_)) {
                &schema["items"]
            } else {
                schema
            };
            assert_eq!(object["additionalProperties"], false, "{at}: closed");
            let properties = object["properties"].as_object().unwrap();
            assert_eq!(
                properties.keys().collect::<Vec<_>>(),
                {
                    let mut k: Vec<&String> = keys.iter().map(|(k, _)| k).collect();
                    k.sort();
                    k
                },
                "{at}: the same keys"
            );
            let required: Vec<&str> = keys
                .iter()
                .filter(|(_, s)| s.required)
                .map(|(k, _)| k.as_str())
                .collect();
            let listed: Vec<&str> = object["required"]
                .as_array()
                .map(|a| a.iter().map(|v| v.as_str().unwrap()).collect())
                .unwrap_or_default();
            assert_eq!(listed, required, "{at}: required keys");
            for (key, child) in keys {
                compare(child, &properties[key], &format!("{at}.{key}"), seen);
            }
        }
        _ => {}
    }
    if let Some(min) = spec.min {
        assert_eq!(schema["minimum"].as_f64(), Some(min), "{at}: minimum");
    }
}

#[test]
fn the_schema_is_the_vocabulary() {
    let set = RuleSet::load(hegui::builtin_sources()).unwrap();
    let shape = set.shape.as_ref().unwrap();
    let schema = schema();
    let mut seen = 0;
    compare(&shape.root, &schema, "", &mut seen);
    assert!(seen > 100, "every key compared ({seen})");
    assert_eq!(
        schema["properties"]["schema"]["enum"],
        json!(["hegui/plan/v1"])
    );
}

#[test]
fn hegui_schema_prints_it() {
    let output = Command::cargo_bin("hegui")
        .unwrap()
        .arg("schema")
        .output()
        .unwrap();
    assert!(output.status.success());
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed, schema());
}

/// Rules the schema expresses: missing keys, wrong types and enum values, unknown keys,
/// unsupported versions.
const SHAPE_RULES: [&str; 4] = ["SCH002", "SCH003", "SCH004", "SCH008"];

#[test]
fn schema_and_shape_rules_agree_on_every_fixture() {
    let validator = jsonschema::draft7::new(&schema()).unwrap();
    let engine = common::engine(&SHAPE_RULES, Lang::En);
    let mut checked = 0;
    let mut rejected = 0;
    let mut exempt = 0;
    for path in manifests(Path::new("fixtures")) {
        // Unreadable and unparsable files are SCH001's: no editor schema applies to them.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(doc) = text.parse::<toml::Table>() else {
            continue;
        };
        let findings = hegui::check_paths(&engine, std::slice::from_ref(&path)).findings;
        let instance = as_json(&toml::Value::Table(doc));
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| e.to_string())
            .collect();
        // What editors cannot see: TOML dates and date-times are strings to them, so a date
        // where a date-time belongs, a time, or one with an offset passes the schema.
        let offset_only = !findings.is_empty()
            && findings.iter().all(|f| {
                let v = f.value.trim_matches('"');
                f.rule == "SCH003"
                    && v.starts_with(|c: char| c.is_ascii_digit())
                    && (v.contains('-') || v.contains(':'))
            });
        if offset_only {
            exempt += 1;
        } else {
            assert_eq!(
                findings.is_empty(),
                errors.is_empty(),
                "{}: hegui {:?} vs schema {errors:?}",
                path.display(),
                findings
                    .iter()
                    .map(|f| format!("{} {}", f.rule, f.message))
                    .collect::<Vec<_>>()
            );
        }
        checked += 1;
        rejected += usize::from(!errors.is_empty());
    }
    assert!(checked > 140, "{checked} manifests compared");
    // The malformed corpus (fixtures/malformed/) puts dates, times and offsets in every
    // date-time slot; everything else must agree.
    assert!(
        exempt <= 40,
        "{exempt} fixtures differ only in date and time kinds, which only hegui tells apart"
    );
    assert!(
        rejected >= 4,
        "the shape rules' failing fixtures are rejected"
    );
}

#[test]
fn every_example_plan_validates() {
    let validator = jsonschema::draft7::new(&schema()).unwrap();
    for path in manifests(Path::new("fixtures/examples")) {
        let doc: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
        let instance = as_json(&toml::Value::Table(doc));
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
}

/// taplo (the engine of Even Better TOML) checks a plan carrying a `#:schema` directive.
/// `.ci/run` installs taplo from npm and sets `HEGUI_REQUIRE_TAPLO=1`, so there it cannot be
/// skipped.
#[test]
fn taplo_checks_plans_against_the_schema() {
    let taplo = std::env::var("HEGUI_TAPLO").unwrap_or_else(|_| "taplo".into());
    if Command::new(&taplo).arg("--version").output().is_err() {
        assert!(
            std::env::var_os("HEGUI_REQUIRE_TAPLO").is_none(),
            "taplo is required here but `{taplo}` does not run"
        );
        eprintln!("skipped: taplo is not installed (npm install @taplo/cli)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let schema_path = dir.path().join("hegui.schema.json");
    std::fs::write(
        &schema_path,
        serde_json::to_string_pretty(&schema()).unwrap(),
    )
    .unwrap();
    let with_directive = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, format!("#:schema ./hegui.schema.json\n{text}")).unwrap();
        path
    };
    let good = with_directive(
        "good.plan.toml",
        &std::fs::read_to_string("fixtures/examples/compliant-account.plan.toml").unwrap(),
    );
    let bad = with_directive(
        "bad.plan.toml",
        &std::fs::read_to_string("fixtures/SCH003/fail.plan.toml").unwrap(),
    );
    let run = |path: &Path| {
        Command::new(&taplo)
            .arg("check")
            .arg(path)
            .current_dir(dir.path())
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    };
    let ok = run(&good);
    assert!(
        ok.status.success(),
        "taplo rejects a compliant plan: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let rejected = run(&bad);
    assert!(!rejected.status.success(), "taplo accepts a wrong type");
    let said = String::from_utf8_lossy(&rejected.stderr);
    assert!(
        said.contains("servise"),
        "taplo names the bad value: {said}"
    );
}
