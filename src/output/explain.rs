//! `hegui explain ID`: a rule's documentation, generated from its data and fixtures.

use crate::Lang;
use crate::law::Basis;
use crate::rules::RuleSet;

/// A rule's basis as people read it.
pub(crate) struct BasisText {
    /// The short citation, e.g. `电子商务法 第十六条`.
    pub cite: String,
    /// The cited article's text, and whether it is the article's own words (else a gist,
    /// which must never be shown as a quotation).
    pub words: Option<(String, bool)>,
    /// The title of the practice source a practice basis names.
    pub practice: Option<String>,
}

/// What a basis says, in one language: its citation, the article's words or gist, the
/// practice source's title.
pub(crate) fn basis_text(set: &RuleSet, basis: &Basis, lang: Lang) -> BasisText {
    let words = set
        .law
        .article(basis)
        .map(|a| (a.text.get(lang).to_owned(), a.verified));
    let practice = match basis {
        Basis::Practice { source, .. } => set
            .law
            .practice
            .get(source)
            .map(|p| p.title.get(lang).to_owned()),
        Basis::Statute { .. } => None,
    };
    BasisText {
        cite: set.law.cite(basis, lang),
        words,
        practice,
    }
}

/// The explanation of a rule, or `None` if no rule has that id.
pub fn explain(set: &RuleSet, id: &str, lang: Lang) -> Option<String> {
    let rule = set.rule(id)?;
    let mut out = String::new();
    let zh = lang == Lang::Zh;
    out.push_str(&format!("{} — {}\n\n", rule.id, rule.title.get(lang)));
    out.push_str(&format!(
        "{}{}\n",
        if zh { "严重程度：" } else { "severity: " },
        severity_name(rule.severity, lang)
    ));
    for (cond, sev) in &rule.severity_if {
        out.push_str(&format!(
            "  {} {} {}\n",
            severity_name(*sev, lang),
            if zh { "当" } else { "when" },
            cond.text.trim()
        ));
    }
    out.push('\n');
    out.push_str(rule.rationale.get(lang).trim());
    out.push_str("\n\n");
    out.push_str(if zh { "依据\n" } else { "Basis\n" });
    for basis in &rule.basis {
        let text = basis_text(set, basis, lang);
        out.push_str(&format!("  {}\n", text.cite));
        // Only the article's own words go in quotation marks; a gist says it is one
        // ("（要旨）", "(Gist)") and is shown as plain text. The citation already names a
        // practice source by title, publisher and date.
        match &text.words {
            Some((words, true)) => out.push_str(&format!("    「{words}」\n")),
            Some((words, false)) => out.push_str(&format!("    {words}\n")),
            None => {}
        }
    }
    if !rule.params.is_empty() {
        out.push_str(if zh { "\n参数\n" } else { "\nParameters\n" });
        for p in &rule.params {
            out.push_str(&format!(
                "  {} = {}  — {}\n",
                p.name,
                p.default_text,
                p.doc.get(lang)
            ));
        }
    }
    for (kind, title_zh, title_en) in [
        ("fail", "不合规示例", "Failing example"),
        ("pass", "合规示例", "Passing example"),
    ] {
        if let Some(text) = crate::fixtures::example(&rule.id, kind) {
            out.push_str(&format!("\n{}\n", if zh { title_zh } else { title_en }));
            for line in text.lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
    }
    Some(out)
}

/// A severity in the explanation's language (`error`, or 错误).
fn severity_name(severity: crate::Severity, lang: Lang) -> &'static str {
    match (lang, severity) {
        (Lang::Zh, crate::Severity::Error) => "错误",
        (Lang::Zh, crate::Severity::Warning) => "警告",
        (Lang::Zh, crate::Severity::Info) => "提示",
        (Lang::En, s) => s.as_str(),
    }
}
