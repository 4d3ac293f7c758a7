//! Completion: keys per table and table names from the vocabulary, enum values, the ids the
//! plan's entries define where a key refers to them (`refs` in the vocabulary), and rule ids
//! inside `# hegui:allow` comments.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent,
    MarkupKind, Position, Range, TextEdit,
};

use super::encoding::Encoding;
use super::outline;
use crate::engine::Engine;
use crate::shape::{KeySpec, KeyType, Shape};

const WAIVER_MARKER: &str = "hegui:allow";

/// The completions at a position of a document.
pub(crate) fn complete(
    engine: &Engine,
    text: &str,
    index: &super::encoding::LineIndex,
    pos: Position,
    encoding: Encoding,
) -> Vec<CompletionItem> {
    let offset = index.offset(text, pos, encoding);
    let (line_start, line) = index.line(text, pos.line as usize);
    let prefix = &text[line_start..offset.max(line_start).min(line_start + line.len())];
    let word_len = prefix
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .map(char::len_utf8)
        .sum::<usize>();
    let word_start = offset - word_len;
    let replace = Range::new(index.position(text, word_start, encoding), pos);
    let before_word = &prefix[..prefix.len() - word_len];
    let item =
        |label: String, kind, detail: Option<String>, doc: &str, insert: String, order: usize| {
            CompletionItem {
                label,
                kind: Some(kind),
                detail,
                documentation: (!doc.is_empty()).then(|| {
                    Documentation::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: doc.to_owned(),
                    })
                }),
                sort_text: Some(format!("{order:04}")),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(replace, insert))),
                ..CompletionItem::default()
            }
        };
    // A rule id right after the waiver marker.
    if let Some(hash) = before_word.find('#')
        && let Some(rest) = before_word[hash + 1..]
            .trim_start()
            .strip_prefix(WAIVER_MARKER)
        && rest.starts_with(char::is_whitespace)
        && rest.trim().is_empty()
    {
        let lang = engine.options().lang;
        return engine
            .rules()
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                item(
                    r.id.clone(),
                    CompletionItemKind::CONSTANT,
                    Some(r.title.get(lang).to_owned()),
                    "",
                    r.id.clone(),
                    i,
                )
            })
            .collect();
    }
    let Some(shape) = &engine.rules().shape else {
        return Vec::new();
    };
    // A table name in a header.
    let trimmed = before_word.trim_start();
    if trimmed.starts_with('[') && !prefix.contains(']') {
        let entries = trimmed.starts_with("[[");
        return outline::tables(shape)
            .into_iter()
            .filter(|(_, spec)| matches!(spec.ty, KeyType::Entries(_)) == entries || !entries)
            .enumerate()
            .map(|(i, (path, spec))| {
                item(
                    path.clone(),
                    CompletionItemKind::MODULE,
                    None,
                    &spec.doc,
                    path,
                    i,
                )
            })
            .collect();
    }
    let lines: Vec<&str> = text.lines().collect();
    let line_no = pos.line as usize;
    let (table, first_line) = outline::table_at(&lines, line_no);
    let section_start = index.line(text, first_line).0.min(offset);
    let section = outline::scan(&text[section_start..offset]);
    let Some(table_spec) = outline::spec_at(shape, &table) else {
        return Vec::new();
    };
    if let Some(key) = &section.value_of {
        let Some((_, spec)) = table_spec.keys().iter().find(|(k, _)| k == key) else {
            return Vec::new();
        };
        let quoted = before_word.ends_with(['"', '\'']);
        return value_items(shape, spec, &lines, section.in_array)
            .into_iter()
            .enumerate()
            .map(|(i, (value, is_string, doc))| {
                let insert = if is_string && !quoted {
                    format!("\"{value}\"")
                } else {
                    value.clone()
                };
                item(value, CompletionItemKind::VALUE, None, &doc, insert, i)
            })
            .collect();
    }
    if !before_word.trim().is_empty() {
        return Vec::new();
    }
    // Keys already written anywhere in the section are not offered again.
    let section_end = lines
        .iter()
        .enumerate()
        .skip(line_no + 1)
        .find(|(_, l)| outline::header(l).is_some())
        .map_or(text.len(), |(i, _)| index.line(text, i).0);
    let present = outline::scan(&text[section_start..section_end.max(section_start)]).keys;
    table_spec
        .keys()
        .iter()
        .enumerate()
        .filter(|(_, (k, spec))| {
            !matches!(spec.ty, KeyType::Table(_) | KeyType::Entries(_)) && !present.contains(k)
        })
        .map(|(i, (k, spec))| {
            item(
                k.clone(),
                CompletionItemKind::PROPERTY,
                Some(spec.expected()),
                &spec.doc,
                format!("{k} = "),
                i,
            )
        })
        .collect()
}

/// The values a key takes: (value, whether it is a string, documentation).
fn value_items(
    shape: &Shape,
    spec: &KeySpec,
    lines: &[&str],
    in_array: bool,
) -> Vec<(String, bool, String)> {
    let mut out = Vec::new();
    for target in &spec.refs {
        let (table, key) = target.rsplit_once('.').unwrap_or(("", target));
        let table = outline::split_key(table);
        let doc = outline::spec_at(shape, &table).map_or(String::new(), |s| s.doc.clone());
        for id in outline::entry_values(lines, &table, key) {
            out.push((id, true, format!("`[[{}]]` — {doc}", table.join("."))));
        }
    }
    let values = match (&spec.ty, in_array) {
        (KeyType::Array(items), true) => &items.ty,
        (ty, _) => ty,
    };
    match values {
        KeyType::Enum(values) => {
            out.extend(values.iter().map(|v| (v.clone(), true, spec.doc.clone())));
        }
        KeyType::Bool => {
            out.extend(["true", "false"].map(|v| (v.to_owned(), false, spec.doc.clone())));
        }
        _ => {}
    }
    out
}
