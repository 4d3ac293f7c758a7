//! Hover: on a value, the findings there with the rule's title, the article's words (or the
//! practice source) and the parameters in force; on a key or a table header, what the
//! vocabulary says of it.

use crate::Lang;
use crate::engine::Engine;
use crate::finding::Finding;
use crate::law::Basis;

use super::outline;

/// The hover text (Markdown) for a byte offset of a manifest, or `None` when there is nothing
/// to say.
pub(crate) fn hover(
    engine: &Engine,
    findings: &[Finding],
    manifest_name: &str,
    text: &str,
    line: usize,
    line_start: usize,
    offset: usize,
) -> Option<String> {
    let lang = engine.options().lang;
    let mut parts: Vec<String> = findings
        .iter()
        .filter(|f| {
            f.source.name == manifest_name
                && f.span.start <= offset
                && (offset < f.span.end || f.span.is_empty() && offset == f.span.start)
        })
        .map(|f| finding_text(engine, f, lang))
        .collect();
    if let Some(key) = key_text(engine, text, line, line_start, offset) {
        parts.push(key);
    }
    (!parts.is_empty()).then(|| parts.join("\n\n---\n\n"))
}

fn finding_text(engine: &Engine, f: &Finding, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let set = engine.rules();
    let rule = set.rule(&f.rule);
    let title = rule.map_or("", |r| r.title.get(lang));
    let mut out = format!(
        "**{}** {} · {}\n\n{}",
        f.rule,
        title,
        f.severity.as_str(),
        f.message
    );
    if let Some(help) = &f.help {
        out.push_str(&format!(
            "\n\n{}{help}",
            if zh { "修复：" } else { "Fix: " }
        ));
    }
    if let Some(w) = &f.waived {
        let until = w.until.as_deref().unwrap_or("—");
        out.push_str(&if zh {
            format!(
                "\n\n已豁免：{}（批准人 {}，有效至 {until}）",
                w.reason, w.approver
            )
        } else {
            format!(
                "\n\nWaived: {} (approved by {}, until {until})",
                w.reason, w.approver
            )
        });
    }
    let Some(rule) = rule else {
        return out;
    };
    if !rule.basis.is_empty() {
        out.push_str(if zh {
            "\n\n**依据**"
        } else {
            "\n\n**Basis**"
        });
        for basis in &rule.basis {
            out.push_str(&format!("\n\n{}", set.law.cite(basis, lang)));
            if let Some(article) = set.law.article(basis) {
                let marker = match (article.verified, zh) {
                    (true, _) => "",
                    (false, true) => "（非原文）",
                    (false, false) => " (paraphrase)",
                };
                out.push_str(&format!(
                    "\n\n> 「{}」{marker}",
                    article.text.get(lang).trim()
                ));
            }
            if let Basis::Practice { source, .. } = basis
                && let Some(p) = set.law.practice.get(source)
            {
                out.push_str(&format!("\n\n> {}", p.title.get(lang)));
            }
        }
    }
    if !rule.params.is_empty() {
        out.push_str(if zh {
            "\n\n**参数**"
        } else {
            "\n\n**Parameters**"
        });
        for p in &rule.params {
            out.push_str(&format!(
                "\n- `{} = {}` — {}",
                p.name,
                crate::cel::convert::display_value(&p.value),
                p.doc.get(lang)
            ));
        }
    }
    if let Some(link) = super::diagnostics::rule_link(&rule.id) {
        out.push_str(&format!(
            "\n\n[{}]({link})",
            if zh {
                "规则文档"
            } else {
                "Rule documentation"
            }
        ));
    }
    out
}

/// What the vocabulary says of the key or table header under the cursor.
fn key_text(
    engine: &Engine,
    text: &str,
    line: usize,
    line_start: usize,
    offset: usize,
) -> Option<String> {
    let shape = engine.rules().shape.as_ref()?;
    let lines: Vec<&str> = text.lines().collect();
    let line_text = *lines.get(line)?;
    let column = offset.checked_sub(line_start)?;
    let path = if let Some((path, _)) = outline::header(line_text) {
        path
    } else {
        let (key, range) = outline::key_of_line(line_text)?;
        if !range.contains(&column) {
            return None;
        }
        let (mut table, _) = outline::table_at(&lines, line);
        table.extend(key);
        table
    };
    let spec = outline::spec_at(shape, &path)?;
    let doc = outline::doc_in(spec, engine.options().lang);
    Some(match engine.options().lang {
        // The expected type is worded in English only.
        Lang::Zh => format!("`{}`\n\n{doc}", path.join(".")),
        Lang::En => format!("`{}` — {}\n\n{doc}", path.join("."), spec.expected()),
    })
}
