//! The HTML report: one self-contained file (inline CSS, inline SVG, no script, no external
//! resource, a Content-Security-Policy that forbids loading anything), readable on screen and
//! printed on A4.
//!
//! All markup goes through [`Html`]: tags, attribute names and literal markup are
//! `&'static str` (written in this crate), and every other string — anything from a manifest,
//! a rule file or the law table — is escaped on its way in. That is what keeps a manifest's
//! `<script>` a text.

mod findings;
mod svg;
mod timeline;

use super::{Languages, Mark, Plan, Report, WaiverStatus};
use crate::Severity;
use crate::reader::Text;

/// Escapes text for HTML content and double- or single-quoted attribute values.
pub(crate) fn escape(text: &str, out: &mut String) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // A carriage return without its line feed would rewrite a line shown in a terminal.
            '\r' if chars.peek() != Some(&'\n') => crate::escape::push_escape(c, out),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // NUL (not allowed in HTML text), other controls and bidi overrides: visible.
            c if crate::escape::is_hazard(c) => {
                crate::escape::push_escape(c, out);
            }
            c => out.push(c),
        }
    }
}

/// An HTML document under construction. Only `&'static str` reaches the output unescaped.
#[derive(Debug, Default)]
pub(crate) struct Html {
    out: String,
}

impl Html {
    /// Literal markup written in this crate.
    pub(crate) fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    /// Text, escaped.
    pub(crate) fn text(&mut self, text: &str) -> &mut Self {
        escape(text, &mut self.out);
        self
    }

    fn tag(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) {
        self.out.push('<');
        self.out.push_str(tag);
        for (name, value) in attrs {
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push_str("=\"");
            escape(value, &mut self.out);
            self.out.push('"');
        }
    }

    /// An opening tag.
    pub(crate) fn open(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Self {
        self.tag(tag, attrs);
        self.out.push('>');
        self
    }

    /// A closing tag.
    pub(crate) fn close(&mut self, tag: &'static str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    /// An element holding text.
    pub(crate) fn el(
        &mut self,
        tag: &'static str,
        attrs: &[(&'static str, &str)],
        text: &str,
    ) -> &mut Self {
        self.open(tag, attrs).text(text).close(tag)
    }

    /// A self-closed element (SVG shapes, `meta`).
    pub(crate) fn void(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Self {
        self.tag(tag, attrs);
        self.out.push_str("/>");
        self
    }

    fn finish(self) -> String {
        self.out
    }
}

const STYLE: &str = include_str!("report.css");

/// Renders the report.
pub(crate) fn render(r: &Report) -> String {
    let mut h = Html::default();
    let lang = match r.languages {
        Languages::En => "en",
        _ => "zh-CN",
    };
    h.raw("<!DOCTYPE html>\n");
    h.open("html", &[("lang", lang)]).raw("\n<head>\n");
    h.void("meta", &[("charset", "utf-8")]).raw("\n");
    // Nothing may be loaded: no script, no image, no font, no frame, no connection.
    h.void(
        "meta",
        &[
            ("http-equiv", "Content-Security-Policy"),
            ("content", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"),
        ],
    )
    .raw("\n");
    h.void(
        "meta",
        &[
            ("name", "viewport"),
            ("content", "width=device-width, initial-scale=1"),
        ],
    )
    .raw("\n");
    h.void(
        "meta",
        &[
            ("name", "generator"),
            ("content", &format!("hegui {}", r.version)),
        ],
    )
    .raw("\n");
    h.el(
        "title",
        &[],
        &r.label("hegui 合规审查报告", "hegui compliance review report"),
    )
    .raw("\n");
    h.raw("<style>\n")
        .raw(STYLE)
        .raw("</style>\n</head>\n<body>\n");

    header(&mut h, r);
    summary(&mut h, r);
    findings::findings(&mut h, r);
    waivers(&mut h, r);
    controls(&mut h, r);
    timeline::timelines(&mut h, r);
    footer(&mut h, r);
    h.raw("</body>\n</html>\n");
    h.finish()
}

/// A text in the report's language(s), inline: `zh / en` when both.
fn inline(h: &mut Html, r: &Report, t: &Text) {
    match r.languages {
        Languages::Both if t.zh != t.en => {
            h.el("span", &[("lang", "zh-CN")], &t.zh);
            h.raw(" <span class=\"sep\">/</span> ");
            h.el("span", &[("lang", "en")], &t.en);
        }
        Languages::En => {
            h.text(&t.en);
        }
        _ => {
            h.text(&t.zh);
        }
    }
}

/// A text in the report's language(s), as a block: two columns when both.
fn block(h: &mut Html, r: &Report, class: &'static str, t: &Text) {
    match r.languages {
        Languages::Both if t.zh != t.en => {
            h.open("div", &[("class", class)]).raw("<div class=\"bi\">");
            h.el("div", &[("lang", "zh-CN")], &t.zh);
            h.el("div", &[("lang", "en")], &t.en);
            h.raw("</div></div>");
        }
        Languages::En => {
            h.el("div", &[("class", class)], &t.en);
        }
        _ => {
            h.el("div", &[("class", class)], &t.zh);
        }
    }
}

/// A message's text with its backtick-quoted parts (`` `closure_effective_on` ``) as `<code>`;
/// everything escaped. Text with an odd number of backticks is written as it is.
fn rich(h: &mut Html, text: &str) {
    if !text.matches('`').count().is_multiple_of(2) {
        h.text(text);
        return;
    }
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            h.el("code", &[], part);
        } else {
            h.text(part);
        }
    }
}

/// [`inline`] with backtick-quoted parts as `<code>`.
fn rich_inline(h: &mut Html, r: &Report, t: &Text) {
    match r.languages {
        Languages::Both if t.zh != t.en => {
            h.open("span", &[("lang", "zh-CN")]);
            rich(h, &t.zh);
            h.close("span");
            h.raw(" <span class=\"sep\">/</span> ");
            h.open("span", &[("lang", "en")]);
            rich(h, &t.en);
            h.close("span");
        }
        Languages::En => rich(h, &t.en),
        _ => rich(h, &t.zh),
    }
}

/// [`block`] with backtick-quoted parts as `<code>`.
fn rich_block(h: &mut Html, r: &Report, class: &'static str, t: &Text) {
    match r.languages {
        Languages::Both if t.zh != t.en => {
            h.open("div", &[("class", class)]).raw("<div class=\"bi\">");
            h.open("div", &[("lang", "zh-CN")]);
            rich(h, &t.zh);
            h.close("div");
            h.open("div", &[("lang", "en")]);
            rich(h, &t.en);
            h.close("div");
            h.raw("</div></div>");
        }
        _ => {
            h.open("div", &[("class", class)]);
            rich(h, t.get(r.languages.primary()));
            h.close("div");
        }
    }
}

/// Links to findings (`F3 NTC001`), comma-separated.
fn links<'a>(h: &mut Html, r: &Report, items: impl Iterator<Item = &'a usize>) {
    for (n, &i) in items.enumerate() {
        if n > 0 {
            h.text(", ");
        }
        let item = &r.items[i];
        let tag = item.tag();
        h.el(
            "a",
            &[("href", &format!("#{tag}"))],
            &format!("{tag} {}", item.finding.rule),
        );
    }
}

fn section(h: &mut Html, r: &Report, id: &'static str, number: &str, zh: &str, en: &str) {
    h.open("section", &[("id", id)]);
    h.open("h2", &[]);
    h.el("span", &[("class", "num")], number);
    h.text(&r.label(zh, en));
    h.close("h2");
}

fn sev_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "sev error",
        Severity::Warning => "sev warning",
        Severity::Info => "sev info",
    }
}

fn header(h: &mut Html, r: &Report) {
    h.raw("<header class=\"doc-head\">");
    h.el(
        "p",
        &[("class", "kicker")],
        &r.label(
            "hegui 合规 · 合规审查报告",
            "hegui 合规 · compliance review report",
        ),
    );
    let titles: Vec<&str> = r.plans.iter().filter_map(|p| p.title.as_deref()).collect();
    let heading = match titles.as_slice() {
        [one] => (*one).to_owned(),
        _ => r.label(
            &format!("{} 份计划的合规审查", r.plans.len()),
            &format!(
                "Compliance review of {} plan{}",
                r.plans.len(),
                if r.plans.len() == 1 { "" } else { "s" }
            ),
        ),
    };
    h.el("h1", &[], &heading);
    h.open("p", &[("class", "meta")]);
    h.text(&r.label("审查基准日", "Reviewed as of")).text(" ");
    h.el("strong", &[], &r.today);
    h.text(" · ")
        .text(&r.label("规则", "rules"))
        .text(&format!(" {} · ", r.rules_in_force));
    h.text(&format!("hegui {}", r.version));
    h.close("p");
    verdict(h, r);
    h.raw("<nav class=\"toc\"><ol>");
    for (id, zh, en) in [
        ("#summary", "摘要", "Summary"),
        ("#findings", "问题（按法律依据）", "Findings by authority"),
        ("#waivers", "豁免登记", "Waiver register"),
        ("#controls", "已通过的检查", "Controls that passed"),
        ("#timeline", "时间线", "Timeline"),
        ("#reproducibility", "可复现信息", "Reproducibility"),
    ] {
        h.raw("<li>");
        h.el("a", &[("href", id)], &r.label(zh, en));
        h.raw("</li>");
    }
    h.raw("</ol></nav></header>\n");
}

fn verdict(h: &mut Html, r: &Report) {
    let at_or_above = |t: Severity| {
        r.items
            .iter()
            .filter(|i| i.finding.waived.is_none() && i.finding.severity >= t)
            .count()
    };
    let (class, text) = match r.threshold {
        None => (
            "verdict pass",
            r.label(
                "门禁：不设门槛（--fail-on never）",
                "Gate: never fails (--fail-on never)",
            ),
        ),
        Some(t) if r.failing => (
            "verdict fail",
            r.label(
                &format!(
                    "门禁：不通过 — {} 个未豁免问题达到“{}”及以上",
                    at_or_above(t),
                    Languages::Zh.severity(t)
                ),
                &format!(
                    "Gate: FAIL — {} active finding(s) at or above {}",
                    at_or_above(t),
                    t.as_str()
                ),
            ),
        ),
        Some(t) => (
            "verdict pass",
            r.label(
                &format!(
                    "门禁：通过 — 没有达到“{}”及以上的未豁免问题",
                    Languages::Zh.severity(t)
                ),
                &format!("Gate: PASS — no active finding at or above {}", t.as_str()),
            ),
        ),
    };
    h.el("p", &[("class", class)], &text);
    if let Some(note) = r.baselined_note() {
        h.el("p", &[("class", "note")], &note);
    }
}

fn summary(h: &mut Html, r: &Report) {
    section(h, r, "summary", "1", "摘要", "Summary");
    h.raw("<div class=\"cards\">");
    let s = &r.summary;
    for (class, n, zh, en) in [
        ("card error", s.error, "错误", "errors"),
        ("card warning", s.warning, "警告", "warnings"),
        ("card info", s.info, "提示", "info"),
        ("card waived", s.waived, "已豁免", "waived"),
        ("card plans", r.plans.len(), "份计划", "plans"),
    ] {
        h.open("div", &[("class", class)]);
        h.el("span", &[("class", "n")], &n.to_string());
        h.el("span", &[("class", "k")], &r.label(zh, en));
        h.close("div");
    }
    h.raw("</div>");
    h.raw("<table class=\"plans\"><thead><tr>");
    for (zh, en) in [
        ("", ""),
        ("计划", "Plan"),
        ("主体", "Organization"),
        ("决定日", "Decided"),
    ] {
        h.el("th", &[], &r.label(zh, en));
    }
    for (zh, en) in [
        ("错误", "Err."),
        ("警告", "Warn."),
        ("提示", "Info"),
        ("豁免", "Waived"),
    ] {
        h.el("th", &[("class", "count")], &r.label(zh, en));
    }
    h.raw("</tr></thead><tbody>");
    for (i, p) in r.plans.iter().enumerate() {
        h.raw("<tr>");
        h.el("td", &[("class", "tag")], &Plan::tag(i));
        h.open("td", &[]);
        h.el("strong", &[], p.title.as_deref().unwrap_or(""));
        h.raw("<br>");
        if let Some(id) = &p.id {
            h.el("code", &[], id);
            h.text(" ");
        }
        h.el("span", &[("class", "file")], &p.name);
        h.close("td");
        h.el("td", &[], p.organization.as_deref().unwrap_or(""));
        h.el(
            "td",
            &[("class", "nowrap")],
            p.decided_on.as_deref().unwrap_or(""),
        );
        for (n, class) in [
            (p.counts.error, "num error"),
            (p.counts.warning, "num warning"),
            (p.counts.info, "num info"),
            (p.counts.waived, "num waived"),
        ] {
            let class = if n == 0 { "num zero" } else { class };
            h.el("td", &[("class", class)], &n.to_string());
        }
        h.raw("</tr>");
    }
    h.raw("</tbody></table>");
    h.close("section").raw("\n");
}

fn waivers(h: &mut Html, r: &Report) {
    section(h, r, "waivers", "3", "豁免登记", "Waiver register");
    h.el(
        "p",
        &[("class", "lede")],
        &r.label(
            "清单列出计划文件中的每条 hegui:allow 豁免注释。有效的豁免使其所在行的问题不计入门禁，但问题仍在上文列出；不完整、规则未知或已过期的豁免不生效（WVR001–003）。",
            "Every hegui:allow comment in the plans. A valid waiver keeps the finding on its line out of the gate, and the finding is still listed above; an incomplete, unknown-rule or expired waiver waives nothing (WVR001–003).",
        ),
    );
    if r.waivers.is_empty() {
        h.el(
            "p",
            &[("class", "empty")],
            &r.label("没有豁免。", "No waivers."),
        );
        h.close("section").raw("\n");
        return;
    }
    h.raw("<table class=\"waivers\"><thead><tr>");
    for (zh, en) in [
        ("规则", "Rule"),
        ("位置", "Place"),
        ("理由", "Reason"),
        ("批准人", "Approver"),
        ("有效至", "Until"),
        ("状态", "Status"),
        ("涉及问题", "Findings"),
    ] {
        h.el("th", &[], &r.label(zh, en));
    }
    h.raw("</tr></thead><tbody>");
    for w in &r.waivers {
        h.raw("<tr>");
        h.open("td", &[]);
        h.el("code", &[], &w.rule);
        h.close("td");
        h.el(
            "td",
            &[("class", "file")],
            &format!("{} {}:{}", Plan::tag(w.plan), r.plans[w.plan].name, w.line),
        );
        h.el("td", &[], &w.reason);
        h.el("td", &[], &w.approver);
        h.el("td", &[("class", "nowrap")], &w.until);
        h.open("td", &[]);
        match &w.status {
            WaiverStatus::Valid => {
                h.el(
                    "span",
                    &[("class", "status valid")],
                    &r.label("有效", "valid"),
                );
                if w.waives.is_empty() {
                    h.el(
                        "span",
                        &[("class", "sub")],
                        &r.label("未豁免任何问题", "waives nothing"),
                    );
                }
            }
            WaiverStatus::Expired => {
                h.el(
                    "span",
                    &[("class", "status expired")],
                    &r.label("已过期", "expired"),
                );
            }
            WaiverStatus::Invalid(why) => {
                h.el(
                    "span",
                    &[("class", "status invalid")],
                    &r.label("无效", "invalid"),
                );
                h.open("span", &[("class", "sub")]);
                inline(h, r, why);
                h.close("span");
            }
        }
        h.close("td");
        h.open("td", &[]);
        links(h, r, w.waives.iter().chain(&w.reported_by));
        h.close("td");
        h.raw("</tr>");
    }
    h.raw("</tbody></table>");
    h.close("section").raw("\n");
}

fn controls(h: &mut Html, r: &Report) {
    section(
        h,
        r,
        "controls",
        "4",
        "已通过的检查",
        "Controls that passed",
    );
    h.el(
        "p",
        &[("class", "lede")],
        &r.label(
            &format!(
                "下表列出在至少一份计划中经过判定且成立的每条规则。✓ 成立 · ✗ 有问题 · ≈ 仅有已豁免的问题 · B 仅有基线（--baseline）已接受的问题 · – 计划中没有可判定的内容。另有 {} 条规则在任何计划中都没有可判定的内容。",
                r.not_applied
            ),
            &format!(
                "Every rule that was evaluated and held in at least one plan. ✓ held · ✗ finding · ≈ waived findings only · B only findings the baseline (--baseline) accepted · – nothing in the plan for it to decide. {} more rule(s) had nothing to decide in any plan.",
                r.not_applied
            ),
        ),
    );
    h.raw("<table class=\"controls\"><thead><tr>");
    h.el("th", &[], &r.label("规则", "Rule"));
    h.el("th", &[], &r.label("检查内容", "Control"));
    h.el("th", &[], &r.label("依据", "Basis"));
    for i in 0..r.plans.len() {
        h.el(
            "th",
            &[("class", "mark"), ("title", &r.plans[i].name)],
            &Plan::tag(i),
        );
    }
    h.raw("</tr></thead><tbody>");
    for c in &r.controls {
        h.raw("<tr>");
        h.open("td", &[("class", "nowrap")]);
        h.el("code", &[], &c.rule);
        h.raw(" ");
        h.el(
            "span",
            &[("class", sev_class(c.severity))],
            &r.severity_label(c.severity),
        );
        h.close("td");
        h.open("td", &[]);
        inline(h, r, &c.title);
        h.close("td");
        h.open("td", &[("class", "basis-cell")]);
        inline(h, r, &c.basis);
        h.close("td");
        for m in &c.marks {
            let (class, sym) = match m {
                Mark::Held => ("mark held", "✓"),
                Mark::Failed => ("mark failed", "✗"),
                Mark::Waived => ("mark waivedm", "≈"),
                Mark::Baselined => ("mark waivedm", "B"),
                Mark::NotApplied => ("mark na", "–"),
            };
            h.el("td", &[("class", class)], sym);
        }
        h.raw("</tr>");
    }
    h.raw("</tbody></table>");
    h.close("section").raw("\n");
}

fn footer(h: &mut Html, r: &Report) {
    section(
        h,
        r,
        "reproducibility",
        "6",
        "可复现信息",
        "Reproducibility",
    );
    h.el(
        "p",
        &[("class", "lede")],
        &r.label(
            "用同一版本的 hegui、同一规则集和同一基准日检查这些文件，会得到同样的报告。",
            "Checking these files with the same hegui version, rule set and date gives the same report.",
        ),
    );
    h.raw("<table class=\"repro\"><tbody>");
    let threshold = r.threshold.map_or("never", Severity::as_str);
    let languages = match r.languages {
        Languages::Zh => "zh",
        Languages::En => "en",
        Languages::Both => "both",
    };
    for (zh, en, value) in [
        ("hegui 版本", "hegui version", r.version.to_owned()),
        ("规则集 SHA-256", "rule set SHA-256", r.ruleset_hash.clone()),
        ("生效规则数", "rules in force", r.rules_in_force.to_string()),
        ("基准日 --today", "--today", r.today.clone()),
        ("门禁 --fail-on", "--fail-on", threshold.to_owned()),
        ("语言 --lang", "--lang", languages.to_owned()),
    ] {
        h.raw("<tr>");
        h.el("th", &[], &r.label(zh, en));
        h.el("td", &[("class", "hash")], &value);
        h.raw("</tr>");
    }
    h.raw("</tbody></table>");
    h.raw("<table class=\"repro inputs\"><thead><tr>");
    h.el("th", &[], &r.label("输入文件", "Input file"));
    h.el("th", &[], "SHA-256");
    h.raw("</tr></thead><tbody>");
    for p in &r.plans {
        h.raw("<tr>");
        h.el("td", &[("class", "file")], &p.name);
        h.el(
            "td",
            &[("class", "hash")],
            p.sha256.as_deref().unwrap_or("—"),
        );
        h.raw("</tr>");
    }
    h.raw("</tbody></table>");
    h.close("section").raw("\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        let mut out = String::new();
        escape("<script>alert(1)</script> \"x\" 'y' & </style>", &mut out);
        assert_eq!(
            out,
            "&lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot; &#39;y&#39; &amp; &lt;/style&gt;"
        );
        let mut h = Html::default();
        h.el("td", &[("title", "\"><img src=x onerror=alert(1)>")], "a<b");
        assert_eq!(
            h.finish(),
            "<td title=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\">a&lt;b</td>"
        );
    }
}
