//! The manifest vocabulary (tables, keys, types, enums), loaded from data, and the shape
//! checks it drives: missing keys, wrong types and enum values, unknown keys, versions.

use regex::Regex;

use crate::model::marks::Known;
use crate::reader::{Problems, TableReader, suggest};
use crate::tree::{DocPath, Node, NodeValue, Span, zh_type_name};

/// The type a key's value must have.
#[derive(Debug, Clone)]
pub enum KeyType {
    /// A string, optionally matching a pattern.
    String(Option<Regex>),
    /// An integer.
    Integer,
    /// An integer or a float.
    Number,
    /// A float in 0..=1 (an integer 0 or 1 is accepted).
    Ratio,
    /// A boolean.
    Bool,
    /// A local date.
    Date,
    /// A local date-time (read as UTC+8).
    DateTime,
    /// One of these strings.
    Enum(Vec<String>),
    /// An array of values of one type.
    Array(Box<KeySpec>),
    /// A table with known keys.
    Table(Vec<(String, KeySpec)>),
    /// An array of tables (`[[name]]`) with known keys.
    Entries(Vec<(String, KeySpec)>),
    /// A path to a text file, relative to the manifest, inside the repository.
    File,
}

/// What the vocabulary says of one key.
#[derive(Debug, Clone)]
pub struct KeySpec {
    /// The value's type.
    pub ty: KeyType,
    /// Whether the key must be present.
    pub required: bool,
    /// Lower bound for numbers.
    pub min: Option<f64>,
    /// What the key means (English).
    pub doc: String,
    /// What the key means in Chinese (`doc = { zh, en }`; empty when `doc` is a plain string).
    pub doc_zh: String,
    /// An enum's values' Chinese names, in the order of its values (`names`; empty if none).
    pub names: Vec<String>,
    /// `schedule = "closure"`: the date is a closure, which `hegui schedule --close-on` pins.
    pub closure: bool,
    /// The entry keys whose values this key names (`refs = ["account.id"]`), for editors.
    pub refs: Vec<String>,
    /// How a report's timeline draws it (`timeline = { mark = "closure" }`).
    pub timeline: Option<crate::model::marks::KeyTimeline>,
}

impl KeySpec {
    /// The keys of a table or entries type.
    pub fn keys(&self) -> &[(String, KeySpec)] {
        match &self.ty {
            KeyType::Table(keys) | KeyType::Entries(keys) => keys,
            _ => &[],
        }
    }

    /// A short description of the expected type, for messages.
    pub fn expected(&self) -> String {
        match &self.ty {
            KeyType::String(Some(p)) => format!("a string matching `{}`", p.as_str()),
            KeyType::String(None) => "a string".into(),
            KeyType::Integer => "an integer".into(),
            KeyType::Number => "a number".into(),
            KeyType::Ratio => "a ratio between 0 and 1".into(),
            KeyType::Bool => "a boolean (`true` or `false`)".into(),
            KeyType::Date => "a date like 2026-12-20".into(),
            KeyType::DateTime => "a local date-time like 2026-12-01T10:00:00".into(),
            KeyType::Enum(values) => format!("one of `{}`", values.join("`, `")),
            KeyType::Array(items) => format!("an array of {}", items.expected_plural()),
            KeyType::Table(_) => "a table".into(),
            KeyType::Entries(_) => "an array of tables".into(),
            KeyType::File => "a path (string)".into(),
        }
    }

    /// [`Self::expected`] in Chinese, for Chinese messages.
    pub fn expected_zh(&self) -> String {
        match &self.ty {
            KeyType::String(Some(p)) => format!("匹配 `{}` 的字符串", p.as_str()),
            KeyType::String(None) => "字符串".into(),
            KeyType::Integer => "整数".into(),
            KeyType::Number => "数字".into(),
            KeyType::Ratio => "0 到 1 之间的比例".into(),
            KeyType::Bool => "布尔值（`true` 或 `false`）".into(),
            KeyType::Date => "日期（如 2026-12-20）".into(),
            KeyType::DateTime => "本地日期时间（如 2026-12-01T10:00:00）".into(),
            KeyType::Enum(values) => format!("`{}` 之一", values.join("`、`")),
            KeyType::Array(items) => format!("元素为{}的数组", items.expected_zh()),
            KeyType::Table(_) => "表".into(),
            KeyType::Entries(_) => "表数组".into(),
            KeyType::File => "路径（字符串）".into(),
        }
    }

    fn expected_plural(&self) -> String {
        match &self.ty {
            KeyType::Enum(values) => format!("`{}`", values.join("`, `")),
            _ => {
                self.expected()
                    .trim_start_matches("a ")
                    .trim_start_matches("an ")
                    .to_owned()
                    + "s"
            }
        }
    }
}

/// The manifest vocabulary.
#[derive(Debug, Clone)]
pub struct Shape {
    /// Its identifier, e.g. `hegui/plan/v1`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// The top-level key naming the format version, if any.
    pub version_key: Option<String>,
    /// The versions this vocabulary accepts.
    pub versions: Vec<String>,
    /// The file name suffix of manifests.
    pub file_suffix: String,
    /// The keys that name an entry (`id`, `card_id`), tried in order: a finding's data path
    /// names entries by them (`account[id=acme-service]`), so it survives reordering.
    pub identity: Vec<String>,
    /// The document root (a table).
    pub root: KeySpec,
    /// The kinds of timeline marks (`[shape.marks]`), in legend order.
    pub marks: Vec<crate::model::marks::MarkStyle>,
}

/// What a shape check found; the rule bound to the check's kind turns it into a finding.
#[derive(Debug, Clone)]
pub struct ShapeIssue {
    /// Which engine check.
    pub check: crate::rules::BuiltinCheck,
    /// Where.
    pub span: Span,
    /// The data path of the blamed value or table.
    pub path: DocPath,
    /// Values for the message: `key`, `table`, `expected`, `found`, `suggestion`, ….
    pub args: Vec<(&'static str, String)>,
}

/// The outcome of checking a document against the vocabulary.
#[derive(Debug, Default)]
pub struct ShapeReport {
    /// What was found, in document order.
    pub issues: Vec<ShapeIssue>,
    /// Values that are present but invalid: rules must not read them.
    pub invalid: Vec<DocPath>,
    /// `file` values to resolve, with their spans.
    pub files: Vec<(DocPath, String, Span)>,
    /// The version is unsupported: nothing else is reported.
    pub stop: bool,
}

impl Shape {
    /// Loads the `[shape]` table of a vocabulary file.
    pub(crate) fn load(node: &Node, problems: &Problems) -> Option<Shape> {
        let reader = TableReader::new(node, "`[shape]`", problems);
        let id = reader.required_string("id").map(|s| s.0);
        let title = reader.string("title").map(|s| s.0).unwrap_or_default();
        let version_key = reader.string("version_key").map(|s| s.0);
        let versions = reader
            .strings("versions")
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.0)
            .collect();
        let file_suffix = reader
            .string("file_suffix")
            .map_or_else(|| ".plan.toml".into(), |s| s.0);
        let identity = reader
            .strings("identity")
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.0)
            .collect();
        // Marks first: the keys' `timeline`s name them.
        let marks = reader
            .table("marks")
            .map(|m| crate::model::marks::load_styles(m, problems))
            .unwrap_or_default();
        let keys = reader
            .required("keys")
            .map(|k| load_keys(k, problems, Some(&marks)))
            .unwrap_or_default();
        reader.finish();
        Some(Shape {
            id: id?,
            title,
            version_key,
            versions,
            file_suffix,
            identity,
            root: KeySpec {
                ty: KeyType::Table(keys),
                required: true,
                min: None,
                doc: String::new(),
                doc_zh: String::new(),
                names: Vec::new(),
                closure: false,
                refs: Vec::new(),
                timeline: None,
            },
            marks,
        })
    }

    /// Checks a document.
    pub fn check(&self, doc: &Node) -> ShapeReport {
        let mut report = ShapeReport::default();
        if let Some(key) = &self.version_key
            && let Some(Node {
                value: NodeValue::String(v),
                span,
            }) = doc.get(key)
            && !self.versions.contains(v)
        {
            report.issues.push(ShapeIssue {
                check: crate::rules::BuiltinCheck::UnsupportedVersion,
                span: span.clone(),
                path: DocPath::default().key(key),
                args: vec![
                    ("value", v.clone()),
                    ("supported", self.versions.join(", ")),
                ],
            });
            report.stop = true;
            return report;
        }
        check_table(
            &self.root,
            doc,
            &DocPath::default(),
            "the top level",
            &mut report,
        );
        report
    }
}

fn load_keys(node: &Node, problems: &Problems, marks: Known<'_>) -> Vec<(String, KeySpec)> {
    let NodeValue::Table(entries) = &node.value else {
        problems.push(
            node.span.clone(),
            "`keys` must be a table of key specifications",
        );
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|e| load_spec(&e.node, &e.key, problems, marks).map(|s| (e.key.clone(), s)))
        .collect()
}

fn load_spec(node: &Node, key: &str, problems: &Problems, marks: Known<'_>) -> Option<KeySpec> {
    let reader = TableReader::new(node, format!("the specification of `{key}`"), problems);
    let (type_name, type_span) = reader.required_string("type")?;
    let required = reader.bool("required").unwrap_or(false);
    let (doc, doc_zh) = match reader.get("doc").map(|n| &n.value) {
        Some(NodeValue::Table(_)) => reader
            .text("doc")
            .map_or_else(Default::default, |t| (t.en, t.zh)),
        _ => (
            reader.string("doc").map(|s| s.0).unwrap_or_default(),
            String::new(),
        ),
    };
    let closure = match reader.string("schedule") {
        Some((role, _)) if role == "closure" => true,
        Some((role, span)) => {
            problems.push(
                span,
                format!("unknown `schedule` role `{role}`: the only role is `closure`"),
            );
            false
        }
        None => false,
    };
    let timeline = reader
        .table("timeline")
        .map(|t| crate::model::marks::load_key(t, key, problems, marks));
    let refs = reader
        .strings("refs")
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.0)
        .collect();
    let min = reader.get("min").and_then(|n| match n.value {
        NodeValue::Integer(i) => Some(i as f64),
        NodeValue::Float(f) => Some(f),
        _ => {
            problems.push(n.span.clone(), "`min` must be a number");
            None
        }
    });
    let ty = match type_name.as_str() {
        "string" => KeyType::String(reader.string("pattern").and_then(|(p, span)| {
            Regex::new(&p)
                .map_err(|e| problems.push(span, format!("invalid pattern: {e}")))
                .ok()
        })),
        "integer" => KeyType::Integer,
        "number" => KeyType::Number,
        "ratio" => KeyType::Ratio,
        "bool" => KeyType::Bool,
        "date" => KeyType::Date,
        "datetime" => KeyType::DateTime,
        "file" => KeyType::File,
        "enum" => KeyType::Enum(
            reader
                .required("values")
                .and_then(|_| reader.strings("values"))
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.0)
                .collect(),
        ),
        "array" => KeyType::Array(Box::new(
            reader
                .required("items")
                .and_then(|n| load_spec(n, key, problems, marks))?,
        )),
        "table" => KeyType::Table(
            reader
                .required("keys")
                .map(|n| load_keys(n, problems, marks))
                .unwrap_or_default(),
        ),
        "entries" => KeyType::Entries(
            reader
                .required("keys")
                .map(|n| load_keys(n, problems, marks))
                .unwrap_or_default(),
        ),
        other => {
            const TYPES: [&str; 13] = [
                "string", "integer", "number", "ratio", "bool", "date", "datetime", "enum",
                "array", "table", "entries", "file", "pattern",
            ];
            problems.push_help(
                type_span,
                format!("unknown type `{other}`"),
                suggest(other, TYPES[..12].iter().copied()).map(|s| format!("did you mean `{s}`?")),
            );
            return None;
        }
    };
    let names = enum_names(&reader, &ty, problems);
    reader.finish();
    Some(KeySpec {
        ty,
        required,
        min,
        doc,
        doc_zh,
        names,
        closure,
        refs,
        timeline,
    })
}

/// A table's name in Chinese messages: the top level is 顶层, a `[header]` stays as written.
fn table_zh(what: &str) -> String {
    if what == "the top level" {
        "顶层".into()
    } else {
        what.to_owned()
    }
}

/// An enum's `names`: one per value, in the same order.
fn enum_names(reader: &TableReader<'_>, ty: &KeyType, problems: &Problems) -> Vec<String> {
    let Some(names) = reader.strings("names") else {
        return Vec::new();
    };
    let KeyType::Enum(values) = ty else {
        if let Some((_, span)) = names.first() {
            problems.push(span.clone(), "`names` belongs to an `enum` specification");
        }
        return Vec::new();
    };
    if names.len() != values.len() {
        let span = reader.get("names").map_or(0..0, |n| n.span.clone());
        problems.push(
            span,
            format!(
                "`names` has {} entries but `values` has {}: give one name per value",
                names.len(),
                values.len()
            ),
        );
        return Vec::new();
    }
    names.into_iter().map(|n| n.0).collect()
}

fn table_name(path: &DocPath) -> String {
    if path.0.is_empty() {
        "the top level".into()
    } else {
        format!("`[{path}]`")
    }
}

fn check_table(spec: &KeySpec, node: &Node, path: &DocPath, what: &str, report: &mut ShapeReport) {
    let keys = spec.keys();
    for (key, key_spec) in keys {
        if key_spec.required && node.get(key).is_none() {
            report.issues.push(ShapeIssue {
                check: crate::rules::BuiltinCheck::MissingKey,
                span: node.span.clone(),
                path: path.clone(),
                args: vec![
                    ("key", key.clone()),
                    ("table", what.to_owned()),
                    ("table_zh", table_zh(what)),
                ],
            });
        }
    }
    for entry in node.entries() {
        let entry_path = path.key(&entry.key);
        let Some((_, key_spec)) = keys.iter().find(|(k, _)| *k == entry.key) else {
            let suggestion =
                suggest(&entry.key, keys.iter().map(|(k, _)| k.as_str())).unwrap_or_default();
            let unambiguous = crate::reader::suggestion_is_unambiguous(
                &entry.key,
                keys.iter().map(|(k, _)| k.as_str()),
            );
            report.issues.push(ShapeIssue {
                check: crate::rules::BuiltinCheck::UnknownKey,
                span: entry.key_span.clone(),
                path: entry_path.clone(),
                args: vec![
                    // A huge key is named, not repeated whole.
                    ("key", crate::escape::shorten(&entry.key).into_owned()),
                    ("table", what.to_owned()),
                    ("table_zh", table_zh(what)),
                    ("suggestion", suggestion.to_owned()),
                    ("unambiguous", unambiguous.to_string()),
                ],
            });
            // An unknown key is not read by any rule, so it need not be marked invalid.
            continue;
        };
        check_value(key_spec, &entry.node, &entry_path, &entry.key, report);
    }
}

fn check_value(spec: &KeySpec, node: &Node, path: &DocPath, key: &str, report: &mut ShapeReport) {
    let mut wrong = |found: String, suggestion: String, report: &mut ShapeReport| {
        report.issues.push(ShapeIssue {
            check: crate::rules::BuiltinCheck::WrongType,
            span: node.span.clone(),
            path: path.clone(),
            args: vec![
                ("key", key.to_owned()),
                ("expected", spec.expected()),
                ("expected_zh", spec.expected_zh()),
                // A wrong type is named in each language; a wrong value is shown as written.
                (
                    "found_zh",
                    if found.starts_with("a ") || found.starts_with("an ") {
                        zh_type_name(&node.value).to_owned()
                    } else {
                        found.clone()
                    },
                ),
                ("found", found),
                ("suggestion", suggestion),
                ("unambiguous", "false".to_owned()),
                ("date", String::new()),
            ],
        });
        report.invalid.push(path.clone());
    };
    let found_type = || {
        let name = node.value.type_name();
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {name}")
    };
    match (&spec.ty, &node.value) {
        (KeyType::String(pattern), NodeValue::String(s)) => {
            if let Some(p) = pattern.as_ref().filter(|p| !p.is_match(s)) {
                let _ = p;
                wrong(format!("`{s}`"), String::new(), report);
            }
        }
        (KeyType::File, NodeValue::String(s)) => {
            report
                .files
                .push((path.clone(), s.clone(), node.span.clone()))
        }
        (KeyType::Integer, NodeValue::Integer(i)) => check_min(spec, *i as f64, &mut wrong, report),
        (KeyType::Number, NodeValue::Integer(i)) => check_min(spec, *i as f64, &mut wrong, report),
        (KeyType::Number, NodeValue::Float(f)) if f.is_finite() => {
            check_min(spec, *f, &mut wrong, report)
        }
        (KeyType::Ratio, NodeValue::Float(f)) if (0.0..=1.0).contains(f) => {}
        (KeyType::Ratio, NodeValue::Integer(0 | 1)) => {}
        (KeyType::Ratio, NodeValue::Float(f)) => wrong(format!("{f}"), String::new(), report),
        (KeyType::Bool, NodeValue::Bool(_))
        | (KeyType::Date, NodeValue::Date(_))
        | (KeyType::DateTime, NodeValue::DateTime(_)) => {}
        (KeyType::Enum(values), NodeValue::String(s)) => {
            if !values.contains(s) {
                let suggestion = suggest(s, values.iter().map(String::as_str))
                    .unwrap_or_default()
                    .to_owned();
                wrong(format!("`{s}`"), suggestion, report);
                if crate::reader::suggestion_is_unambiguous(s, values.iter().map(String::as_str)) {
                    set_arg(report, "unambiguous", "true".to_owned());
                }
            }
        }
        (KeyType::Array(items), NodeValue::Array(elements)) => {
            for (i, element) in elements.iter().enumerate() {
                check_value(items, element, &path.index(i), key, report);
            }
        }
        (KeyType::Table(_), NodeValue::Table(_)) => {
            check_table(spec, node, path, &table_name(path), report)
        }
        (KeyType::Entries(_), NodeValue::Array(elements))
            if elements
                .iter()
                .all(|e| matches!(e.value, NodeValue::Table(_))) =>
        {
            for (i, element) in elements.iter().enumerate() {
                let element_path = path.index(i);
                check_table(
                    spec,
                    element,
                    &element_path,
                    &format!("`[[{key}]]`"),
                    report,
                );
            }
        }
        // A date written as a string: a fix can drop the quotes.
        (KeyType::Date, NodeValue::String(s))
            if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() =>
        {
            wrong(found_type(), String::new(), report);
            set_arg(report, "date", s.clone());
        }
        (KeyType::Date, NodeValue::DateTime(_)) => {
            wrong("a date-time".into(), String::new(), report)
        }
        (KeyType::Date | KeyType::DateTime, NodeValue::OffsetDateTime(_)) => wrong(
            "a date-time with an offset (times are read as China Standard Time; drop the offset)"
                .into(),
            String::new(),
            report,
        ),
        _ => wrong(found_type(), String::new(), report),
    }
}

/// Sets a message variable of the issue just reported.
fn set_arg(report: &mut ShapeReport, name: &str, value: String) {
    if let Some(arg) = report
        .issues
        .last_mut()
        .and_then(|issue| issue.args.iter_mut().find(|(n, _)| *n == name))
    {
        arg.1 = value;
    }
}

fn check_min(
    spec: &KeySpec,
    value: f64,
    wrong: &mut impl FnMut(String, String, &mut ShapeReport),
    report: &mut ShapeReport,
) {
    if spec.min.is_some_and(|min| value < min) {
        wrong(format!("{value}"), String::new(), report);
    }
}
