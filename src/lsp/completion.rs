//! Completion: keys per table and table names from the vocabulary, enum values, the ids the
//! plan's entries define where a key refers to them (`refs` in the vocabulary), and rule ids
//! inside `# hegui:allow` comments.

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionTextEdit, Documentation, MarkupContent,
    MarkupKind, Position, Range, TextEdit,
};

use super::encoding::Encoding;
use super::outline;
use crate::Lang;
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
    let lang = engine.options().lang;
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
        return value_items(shape, spec, &lines, section.in_array, lang)
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                let insert = if v.string && !quoted {
                    format!("\"{}\"", v.value)
                } else {
                    v.value.clone()
                };
                item(
                    v.value,
                    CompletionItemKind::VALUE,
                    v.name,
                    &v.doc,
                    insert,
                    i,
                )
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
                // The expected type is worded in English only.
                (lang == Lang::En).then(|| spec.expected()),
                outline::doc_in(spec, lang),
                format!("{k} = "),
                i,
            )
        })
        .collect()
}

/// A value a key takes.
struct Value {
    value: String,
    /// Whether it is written as a string.
    string: bool,
    /// Its Chinese name (an enum value's `names`), shown in Chinese.
    name: Option<String>,
    doc: String,
}

/// The values a key takes: the ids it refers to, then its enum values or booleans.
fn value_items(
    shape: &Shape,
    spec: &KeySpec,
    lines: &[&str],
    in_array: bool,
    lang: Lang,
) -> Vec<Value> {
    let mut out = Vec::new();
    for target in &spec.refs {
        let (table, key) = target.rsplit_once('.').unwrap_or(("", target));
        let table = outline::split_key(table);
        let doc = outline::spec_at(shape, &table).map_or("", |s| outline::doc_in(s, lang));
        for id in outline::entry_values(lines, &table, key) {
            out.push(Value {
                value: id,
                string: true,
                name: None,
                doc: format!("`[[{}]]` — {doc}", table.join(".")),
            });
        }
    }
    let values = match (&spec.ty, in_array) {
        (KeyType::Array(items), true) => items.as_ref(),
        _ => spec,
    };
    let doc = outline::doc_in(spec, lang).to_owned();
    match &values.ty {
        KeyType::Enum(list) => {
            out.extend(list.iter().enumerate().map(|(i, v)| Value {
                value: v.clone(),
                string: true,
                name: values.names.get(i).filter(|_| lang == Lang::Zh).cloned(),
                doc: doc.clone(),
            }));
        }
        KeyType::Bool => {
            out.extend(["true", "false"].map(|v| Value {
                value: v.to_owned(),
                string: false,
                name: None,
                doc: doc.clone(),
            }));
        }
        _ => {}
    }
    out
}
