//! A line-based reading of a manifest that works while it is being typed (and so does not
//! parse): which table a line is in, which key a value belongs to, which ids the entries
//! define. Completion and hover on keys use it; findings come from the real parser.

use crate::Lang;
use crate::shape::{KeySpec, KeyType, Shape};

/// What a key means, in the language asked for (English when the vocabulary has no Chinese).
pub(crate) fn doc_in(spec: &KeySpec, lang: Lang) -> &str {
    match lang {
        Lang::Zh if !spec.doc_zh.is_empty() => &spec.doc_zh,
        _ => &spec.doc,
    }
}

/// The table a `[header]` or `[[header]]` line opens (its dotted path) and whether it is an
/// entry of an array of tables.
pub(crate) fn header(line: &str) -> Option<(Vec<String>, bool)> {
    let rest = line.trim_start().strip_prefix('[')?;
    let (rest, entries) = match rest.strip_prefix('[') {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let name = &rest[..rest.find(']')?];
    Some((split_key(name), entries))
}

/// A dotted key's parts, quotes and spaces removed.
pub(crate) fn split_key(key: &str) -> Vec<String> {
    key.split('.')
        .map(|p| p.trim().trim_matches(['"', '\'']).to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The table the 0-based line `line` of `lines` is in: the nearest header above it.
pub(crate) fn table_at(lines: &[&str], line: usize) -> (Vec<String>, usize) {
    for i in (0..line.min(lines.len())).rev() {
        if let Some((path, _)) = header(lines[i]) {
            return (path, i + 1);
        }
    }
    (Vec::new(), 0)
}

/// The vocabulary's specification of a path of keys (tables and entries are descended into).
pub(crate) fn spec_at<'a>(shape: &'a Shape, path: &[String]) -> Option<&'a KeySpec> {
    let mut spec = &shape.root;
    for part in path {
        spec = &spec.keys().iter().find(|(k, _)| k == part)?.1;
    }
    Some(spec)
}

/// Every table and array of tables the vocabulary defines, as dotted paths, in its order.
pub(crate) fn tables(shape: &Shape) -> Vec<(String, &KeySpec)> {
    fn walk<'a>(spec: &'a KeySpec, prefix: &str, out: &mut Vec<(String, &'a KeySpec)>) {
        for (key, child) in spec.keys() {
            if matches!(child.ty, KeyType::Table(_) | KeyType::Entries(_)) {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                out.push((path.clone(), child));
                walk(child, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&shape.root, "", &mut out);
    out
}

/// What a scan of a section up to the cursor found: the key whose value the cursor is in
/// (inside an open array across lines too) and the keys already written.
#[derive(Debug, Default)]
pub(crate) struct Section {
    /// The key of the value being written, when the cursor is past its `=`.
    pub(crate) value_of: Option<String>,
    /// Whether the cursor is inside that value's array brackets.
    pub(crate) in_array: bool,
    /// Keys written in the section (first part of dotted keys).
    pub(crate) keys: Vec<String>,
}

/// Scans `text` (a section's lines up to the cursor) for keys, strings, comments and array
/// brackets.
pub(crate) fn scan(text: &str) -> Section {
    let mut section = Section::default();
    let mut depth = 0usize;
    let mut key = String::new();
    let mut at_key = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                if depth == 0 {
                    at_key = true;
                    key.clear();
                    section.value_of = None;
                }
            }
            '"' | '\'' => {
                if at_key {
                    key.push(c);
                }
                let mut escaped = false;
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                    if at_key {
                        key.push(n);
                    }
                    if escaped {
                        escaped = false;
                    } else if n == '\\' && c == '"' {
                        escaped = true;
                    } else if n == c {
                        break;
                    }
                }
            }
            '\n' if depth == 0 => {
                at_key = true;
                key.clear();
                section.value_of = None;
            }
            '=' if at_key && depth == 0 => {
                let parts = split_key(&key);
                if let Some(first) = parts.first() {
                    section.keys.push(first.clone());
                }
                section.value_of = parts.last().cloned();
                at_key = false;
            }
            '[' | '{' if !at_key => depth += 1,
            ']' | '}' if !at_key => depth = depth.saturating_sub(1),
            _ if at_key => key.push(c),
            _ => {}
        }
    }
    section.in_array = depth > 0;
    section
}

/// The values of `key` in every `[[table]]` entry (ids the entries define), in order.
pub(crate) fn entry_values(lines: &[&str], table: &[String], key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in lines {
        if let Some((path, entries)) = header(line) {
            inside = entries && path == table;
            continue;
        }
        if !inside {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if split_key(k) == [key] {
            let v = v.trim();
            let quote = v.chars().next().filter(|q| *q == '"' || *q == '\'');
            if let Some(q) = quote
                && let Some(end) = v[1..].find(q)
            {
                let value = v[1..1 + end].to_owned();
                if !value.is_empty() && !out.contains(&value) {
                    out.push(value);
                }
            }
        }
    }
    out
}

/// The key part of a `key = value` line with its byte range in the line.
pub(crate) fn key_of_line(line: &str) -> Option<(Vec<String>, std::ops::Range<usize>)> {
    let eq = line.find('=')?;
    let key = &line[..eq];
    let start = key.len() - key.trim_start().len();
    let end = key.trim_end().len();
    if start >= end || key.trim_start().starts_with('#') {
        return None;
    }
    Some((split_key(key), start..end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_keys() {
        assert_eq!(
            header("[[coupon_batch]]  # x"),
            Some((vec!["coupon_batch".into()], true))
        );
        assert_eq!(header(" [plan]"), Some((vec!["plan".into()], false)));
        assert_eq!(header("id = 1"), None);
        let lines = [
            "[plan]",
            "id = \"a\"",
            "",
            "[[account]]",
            "id = \"svc\"",
            "ty",
        ];
        assert_eq!(table_at(&lines, 5), (vec!["account".to_owned()], 4));
        assert_eq!(entry_values(&lines, &["account".into()], "id"), ["svc"]);
        assert_eq!(
            key_of_line("  closure_on = 1"),
            Some((vec!["closure_on".into()], 2..12))
        );
    }

    #[test]
    fn a_value_is_found_inside_an_array_across_lines() {
        let s = scan("id = \"n\"\ncovers = [\n  \"svc\", # a comment [\n  ");
        assert_eq!(s.value_of.as_deref(), Some("covers"));
        assert!(s.in_array);
        assert_eq!(s.keys, ["id", "covers"]);
        let s = scan("covers = [\"a\"]\n");
        assert_eq!(s.value_of, None);
        assert!(!s.in_array);
        let s = scan("kind = \"ter");
        assert_eq!(s.value_of.as_deref(), Some("kind"));
    }
}
