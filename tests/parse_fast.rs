//! `tree::parse` builds its tree straight from `toml_parser`'s events, words the parser's own
//! errors as `toml` does, and falls back to the `toml::de::DeTable` path on any other error.
//! These tests hold the two to the same output: on every fixture, rule and template file, on
//! documents combined from TOML fragments (all triples of a list of lines, and random ones),
//! and on fixtures with random edits. For each text:
//!
//! - whenever the fast path gives a tree, the reference path gives the same tree (keys, key
//!   spans, spans, values, order; floats to the bit);
//! - whenever the fast path gives an error, the reference path gives the same message and span;
//! - `parse` and the reference agree: the same tree, or the same error message and span;
//! - on the repository's files, the fast path takes every text the reference accepts, and
//!   words most errors itself (so it is actually what runs).

use std::path::{Path, PathBuf};

use hegui::tree::{Node, NodeValue, parse, parse_fast, parse_reference};
use proptest::prelude::*;

/// Where two trees first differ, if they do.
fn difference(a: &Node, b: &Node, at: &str) -> Option<String> {
    if a.span != b.span {
        return Some(format!("{at}: span {:?} vs {:?}", a.span, b.span));
    }
    let same = match (&a.value, &b.value) {
        (NodeValue::String(x), NodeValue::String(y)) => x == y,
        (NodeValue::Integer(x), NodeValue::Integer(y)) => x == y,
        (NodeValue::Float(x), NodeValue::Float(y)) => x.to_bits() == y.to_bits(),
        (NodeValue::Bool(x), NodeValue::Bool(y)) => x == y,
        (NodeValue::Date(x), NodeValue::Date(y)) => x == y,
        (NodeValue::DateTime(x), NodeValue::DateTime(y)) => x == y,
        (NodeValue::OffsetDateTime(x), NodeValue::OffsetDateTime(y)) => x == y,
        (NodeValue::Time(x), NodeValue::Time(y)) => x == y,
        (NodeValue::Array(x), NodeValue::Array(y)) => {
            if x.len() != y.len() {
                return Some(format!("{at}: {} vs {} items", x.len(), y.len()));
            }
            return x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (x, y))| difference(x, y, &format!("{at}[{i}]")));
        }
        (NodeValue::Table(x), NodeValue::Table(y)) => {
            let keys = |t: &[hegui::tree::Entry]| -> Vec<(String, std::ops::Range<usize>)> {
                t.iter()
                    .map(|e| (e.key.clone(), e.key_span.clone()))
                    .collect()
            };
            if keys(x) != keys(y) {
                return Some(format!("{at}: keys {:?} vs {:?}", keys(x), keys(y)));
            }
            return x
                .iter()
                .zip(y)
                .find_map(|(x, y)| difference(&x.node, &y.node, &format!("{at}.{}", x.key)));
        }
        _ => false,
    };
    (!same).then(|| format!("{at}: {:?} vs {:?}", a.value, b.value))
}

/// What the fast path did with a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The fast path built the tree.
    Fast,
    /// The fast path declined; the reference accepts the text.
    FellBackValid,
    /// Both refuse the text, with the same error; the fast path worded it.
    FastInvalid,
    /// Both refuse the text; the fast path left the wording to the reference.
    Invalid,
}

/// Checks the three entry points against each other on one text.
fn check(text: &str) -> Result<Outcome, String> {
    let reference = parse_reference(text);
    let fast = parse_fast(text);
    let full = parse(text);
    match (&fast, &reference) {
        (Some(Ok(fast)), Ok(reference)) => {
            if let Some(d) = difference(fast, reference, "(root)") {
                return Err(format!("fast path differs: {d}"));
            }
        }
        (Some(Ok(_)), Err(reference)) => {
            return Err(format!(
                "fast path accepted a text the reference refuses: {reference:?}"
            ));
        }
        (Some(Err(a)), Err(b)) if a.message == b.message && a.span == b.span => {}
        (Some(Err(fast)), _) => {
            return Err(format!(
                "fast path error {fast:?} vs reference {reference:?}"
            ));
        }
        (None, _) => {}
    }
    match (&full, &reference) {
        (Ok(a), Ok(b)) => {
            if let Some(d) = difference(a, b, "(root)") {
                return Err(format!("parse differs: {d}"));
            }
        }
        (Err(a), Err(b)) if a.message == b.message && a.span == b.span => {}
        _ => return Err(format!("parse {full:?} vs reference {reference:?}")),
    }
    Ok(match (fast, reference.is_ok()) {
        (Some(Ok(_)), _) => Outcome::Fast,
        (Some(Err(_)), _) => Outcome::FastInvalid,
        (None, true) => Outcome::FellBackValid,
        (None, false) => Outcome::Invalid,
    })
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

#[test]
fn fast_path_agrees_on_every_repository_file() {
    let mut files = Vec::new();
    for dir in ["fixtures", "rules", "templates"] {
        toml_files(Path::new(dir), &mut files);
    }
    files.sort();
    assert!(files.len() > 500, "only {} files", files.len());
    let (mut fast, mut fast_invalid, mut invalid, mut failures) = (0, 0, 0, Vec::new());
    for path in &files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        // The generated huge and deep manifests take seconds each in debug builds.
        if bytes.len() > 2_000_000 {
            continue;
        }
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        match check(&text) {
            Ok(Outcome::Fast) => fast += 1,
            Ok(Outcome::FastInvalid) => fast_invalid += 1,
            Ok(Outcome::Invalid) => invalid += 1,
            Ok(Outcome::FellBackValid) => failures.push(format!(
                "{}: fast path declined a valid text",
                path.display()
            )),
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        fast > 100 && fast_invalid + invalid > 100 && fast_invalid > invalid,
        "fast {fast}, fast_invalid {fast_invalid}, invalid {invalid}"
    );
}

/// A text cut off at `at` (moved back to a character boundary).
fn cut(text: &str, mut at: usize) -> &str {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    &text[..at]
}

/// Cut-off texts (as an editor holds a file being typed, or a fuzzer's truncations) mostly
/// stop inside a string, an array or a header: errors of the parser itself, which the fast path
/// words. Both paths must give the same error for every one, and the fast path must word most
/// (2,700 of 2,849 cut-off invalid texts when this was written).
#[test]
fn fast_path_words_the_errors_of_cut_off_files() {
    let mut files = Vec::new();
    for dir in ["fixtures", "rules", "templates"] {
        toml_files(Path::new(dir), &mut files);
    }
    files.sort();
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    let mut failures = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if text.len() > 200_000 {
            continue;
        }
        for part in 1..8 {
            let at = text.len() * part / 8;
            match check(cut(&text, at)) {
                Ok(outcome) => *outcomes.entry(format!("{outcome:?}")).or_default() += 1,
                Err(e) => failures.push(format!("{} cut at {at}: {e}", path.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let count = |name: &str| outcomes.get(name).copied().unwrap_or(0);
    assert_eq!(count("FellBackValid"), 0, "{outcomes:?}");
    assert!(
        count("FastInvalid") > 5 * count("Invalid") && count("FastInvalid") > 1000,
        "{outcomes:?}"
    );
}

/// Lines that interact: the same few names as keys, dotted keys, headers and arrays of tables.
const LINES: &[&str] = &[
    "a = 1",
    "a.b = 2",
    "a.c.d = 'x'",
    "b = { c = 1, d.e = 2 }",
    "a = [1, 2]",
    "[a]",
    "[a.b]",
    "[a.c]",
    "[[a]]",
    "[[a.b]]",
    "[b]",
    "[b.c]",
    "c = 3",
    "b.c.x = 4",
    "\"a\" = 5",
    "# comment",
    "",
    "x = [{ a = 1 }, { a.b = 2 }]",
    "y = 1979-05-27",
    "[ 'b' . c ]",
    "d.e = {}",
    "[a.b.c]",
    // A header's table, then a dotted key through what earlier headers made under it.
    "[a]\nb.x = 1",
    "[[b]]\nc = 1",
    // Keys and values that do not decode, beside definitions that clash.
    "a = \"\\q\"",
    "\"\\q\".b = 1",
    "b = [\"\\q\", 1]",
];

#[test]
fn fast_path_agrees_on_all_triples_of_lines() {
    let mut outcomes = [0usize; 4];
    let mut failures = Vec::new();
    for a in LINES {
        for b in LINES {
            for c in LINES {
                let text = format!("{a}\n{b}\n{c}\n");
                match check(&text) {
                    Ok(Outcome::Fast) => outcomes[0] += 1,
                    Ok(Outcome::FellBackValid) => {
                        failures.push(format!("{text:?}: fast path declined a valid text"))
                    }
                    Ok(Outcome::Invalid) => outcomes[2] += 1,
                    Ok(Outcome::FastInvalid) => outcomes[3] += 1,
                    Err(e) => failures.push(format!("{text:?}: {e}")),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(outcomes[0] > 1000 && outcomes[2] > 1000, "{outcomes:?}");
}

#[test]
fn scalars_convert_the_same_way() {
    let values = [
        "0",
        "-0",
        "+7",
        "1_000",
        "1__0",
        "_1",
        "01",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "0x1F",
        "0xdead_beef",
        "0x0b1",
        "0x0b0b11",
        "0o17",
        "0b101",
        "0X1",
        "-0x1",
        "0x7FFFFFFFFFFFFFFF",
        "0x8000000000000000",
        "1.5",
        "-0.0",
        "+0.0",
        "1e999",
        "-1e999",
        "1e-999",
        "6.02e+23",
        "1.",
        ".5",
        "nan",
        "+nan",
        "-nan",
        "inf",
        "+inf",
        "-inf",
        "NaN",
        "true",
        "false",
        "True",
        "1979-05-27",
        "1979-05-27T07:32:00",
        "1979-05-27 07:32:00",
        "1979-05-27t07:32:00",
        "1979-05-27T07:32:00Z",
        "1979-05-27T00:32:00.999999-07:00",
        "1979-05-27T00:32:00.1234567891+07:00",
        "1979-05-27T07:32",
        "07:32:00",
        "07:32",
        "07:32:00.5",
        "23:59:60",
        "2024-02-29",
        "2023-02-29",
        "2024-02-30",
        "0000-01-01",
        "1979-13-01",
        "1979-5-27",
        "\"esc\\n\\t\\u00e9\\U0001F600\\x41\\e\"",
        "\"bad \\q\"",
        "'lit \\n'",
        "\"\"\"\nml\\\n   x\"\"\"",
        "'''\nml'''",
        "\"\"\"a\"\"\"\"\"",
        "\"é\"",
        "\"\"",
        "''",
        "'a\"b'",
        "\"a'b\"",
        "\"tab\there\"",
        "'tab\tthere'",
        "\"del\u{7f}\"",
        "'del\u{7f}'",
        "\"ctl\u{1}\"",
        "'ctl\u{1f}'",
        "\"nul\u{0}\"",
        "bare",
        "99999999999999999999",
        "00",
        "1_2",
        "2026-00-10",
        "2026-10-00",
        "2026-1a-10",
        "9999-12-31",
        "0000-02-29",
        "1900-02-29",
        "2000-02-29",
        "12026-10-10",
        "2026-10-10x",
        "2026-10-10T",
    ];
    for value in values {
        for text in [
            format!("v = {value}\n"),
            format!("v = [{value}, {{ w = {value} }}]\n"),
        ] {
            if let Err(e) = check(&text) {
                panic!("{text:?}: {e}");
            }
        }
    }
}

#[test]
fn edge_documents_agree() {
    let texts = [
        "",
        "\u{feff}",
        "\u{feff}a = 1\n",
        "a = 1\u{feff}\n",
        "# only a comment",
        "# bad \u{7f} comment\n",
        "\r\n\r\n",
        "a = 1\r",
        "a = 1\rb = 2",
        "a = 1 # c\n",
        "a = 1 b = 2\n",
        "[a] b = 1\n",
        "[a]\n[a]\n",
        "[[a]]\n[a]\n",
        "a = {}\n[a]\n",
        "a = []\n[[a]]\n",
        "a = { b = 1 }\n[a.c]\n",
        "a = [{ b = 1 }]\n[a.c]\n",
        "[a.b.c]\n[a]\nb.d = 1\n[a.b]\n",
        "[[a.b]]\n[a]\nb.c.d = 1\n",
        "[[a.b]]\n[a]\nb.c = 1\n",
        "a.b = 1\n[a.c]\n",
        "a.b = 1\n[a]\n",
        "x = { a.b = 1, a.c = 2 }\n",
        "x = { a.b = 1, a = 2 }\n",
        "x = { a = { b = 1 }, a.c = 2 }\n",
        "x = {\n  a = 1, # c\n  b = 2,\n}\n",
        "x = [\n  1, # c\n  2,\n]\n",
        "x = { a = 1\n",
        "x = [1\n",
        "x = {a}\n",
    ];
    for text in texts {
        if let Err(e) = check(text) {
            panic!("{text:?}: {e}");
        }
    }
}

#[test]
fn keys_decode_the_same_way() {
    let keys = [
        "",
        "k",
        "K-9_",
        "é",
        "a b",
        "\"\"",
        "''",
        "\"k\\u00e9\"",
        "\"k\\q\"",
        "'k\\q'",
        "\"k\tx\"",
        "'k\tx'",
        "\"k\u{7f}\"",
        "'k\u{7f}'",
        "\"k\u{1}\"",
        "\"\"\"k\"\"\"",
        "'''k'''",
        "k.\"\".k",
        "1.2",
        "-",
        "_",
        "+",
    ];
    for key in keys {
        for text in [
            format!("{key} = 1\n"),
            format!("[{key}]\n"),
            format!("v = {{ {key} = 1 }}\n"),
        ] {
            if let Err(e) = check(&text) {
                panic!("{text:?}: {e}");
            }
        }
    }
}

#[test]
fn limits_are_the_reference_limits() {
    let nested = |n: usize| format!("v = {}1{}\n", "[".repeat(n), "]".repeat(n));
    let inline = |n: usize| format!("v = {}{}\n", "{ a = ".repeat(n), "}".repeat(n));
    let dotted = |n: usize| format!("{} = 1\n", vec!["k"; n].join("."));
    let header = |n: usize| format!("[{}]\n", vec!["k"; n].join("."));
    let wide = |n: usize| (0..n).map(|i| format!("k{i} = {i}\n")).collect::<String>();
    for n in [79, 80, 81, 127, 128, 129] {
        for text in [nested(n), inline(n), dotted(n), header(n)] {
            if let Err(e) = check(&text) {
                panic!("{text:?}: {e}");
            }
        }
    }
    for n in [255, 256, 257, 1000] {
        let text = wide(n);
        // Past the fast path's key limit the reference takes over, with the same result.
        assert!(check(&text).is_ok(), "{n} keys");
    }
    assert_eq!(check(&wide(200)), Ok(Outcome::Fast));
}

/// A TOML-ish key: a few names (so keys collide), quoted, dotted, with spaces.
fn key() -> impl Strategy<Value = String> {
    let simple = prop::sample::select(vec![
        "a", "b", "c", "\"a\"", "'b'", "\"a.b\"", "1", "-", "_x", "\"é\"", "\"\"", "true", "a b",
    ]);
    prop::collection::vec(simple, 1..4).prop_flat_map(|parts| {
        prop::sample::select(vec![".", " . ", ". "]).prop_map(move |sep| parts.join(sep))
    })
}

/// A TOML-ish value: scalars of every kind (some invalid), arrays, inline tables.
fn value() -> impl Strategy<Value = String> {
    let scalar = prop::sample::select(vec![
        "1",
        "-0",
        "0x0b1",
        "0o7",
        "0b1",
        "9223372036854775808",
        "1_0",
        "1.5",
        "-0.0",
        "1e999",
        "nan",
        "-nan",
        "+inf",
        "1979-05-27",
        "1979-05-27T07:32:00",
        "1979-05-27 07:32:00Z",
        "07:32:00",
        "2024-02-30",
        "\"s\"",
        "'l'",
        "\"\\u00e9\"",
        "\"\"\"m\nl\"\"\"",
        "true",
        "x",
        "",
    ])
    .prop_map(str::to_owned);
    scalar.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| format!("[{},]", v.join(","))),
            prop::collection::vec((key(), inner), 0..4).prop_map(|kv| {
                let pairs: Vec<String> = kv.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", pairs.join(", "))
            }),
        ]
    })
}

/// A line of a document: a key-value, a header, an array-of-tables header, a comment, junk.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (key(), value()).prop_map(|(k, v)| format!("{k} = {v}")),
        2 => key().prop_map(|k| format!("[{k}]")),
        1 => key().prop_map(|k| format!("[[{k}]]")),
        1 => Just("# note".to_owned()),
        1 => Just(String::new()),
        1 => prop::sample::select(vec!["=", "[", "a =", "}", "[a", "a = 1 b = 2", "\r", "\t"])
            .prop_map(str::to_owned),
    ]
}

fn document() -> impl Strategy<Value = String> {
    (
        prop::bool::weighted(0.1),
        prop::collection::vec(line(), 0..10),
        prop::sample::select(vec!["\n", "\r\n", "\n\n"]),
    )
        .prop_map(|(bom, lines, newline)| {
            let bom = if bom { "\u{feff}" } else { "" };
            format!("{bom}{}", lines.join(newline))
        })
}

/// A fixture with byte edits: delete a range, insert TOML-ish bytes, overwrite a byte.
fn edited_fixture() -> impl Strategy<Value = String> {
    let fixtures = [
        "fixtures/examples/combined.plan.toml",
        "templates/starter.plan.toml",
    ]
    .map(|p| std::fs::read(p).expect("fixture"));
    let toml_bytes = prop::sample::select(b"[]{}=\".,#\n\r\\'tf0123-T:+ a".to_vec());
    let edit = (
        any::<usize>(),
        0..3u8,
        prop::collection::vec(toml_bytes, 1..6),
    );
    (
        prop::sample::select(fixtures.to_vec()),
        prop::collection::vec(edit, 1..4),
    )
        .prop_map(|(mut bytes, edits)| {
            for (at, kind, insert) in edits {
                let at = at % (bytes.len() + 1);
                match kind {
                    0 => {
                        let end = (at + insert.len() * 3).min(bytes.len());
                        bytes.drain(at..end);
                    }
                    1 => {
                        bytes.splice(at..at, insert);
                    }
                    _ => {
                        if at < bytes.len() {
                            bytes[at] = insert[0];
                        }
                    }
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
}

/// `cases` cases, or `HEGUI_PARSE_CASES` for a longer run.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("HEGUI_PARSE_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn fast_path_agrees_on_generated_documents(text in document()) {
        let outcome = check(&text);
        prop_assert!(outcome.is_ok(), "{:?}", outcome);
        prop_assert_ne!(outcome, Ok(Outcome::FellBackValid));
    }
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn fast_path_agrees_on_edited_fixtures(text in edited_fixture()) {
        let outcome = check(&text);
        prop_assert!(outcome.is_ok(), "{:?}", outcome);
        prop_assert_ne!(outcome, Ok(Outcome::FellBackValid));
    }
}
