//! The findings section of the HTML report: statutes and articles (the law's words), practice
//! sources, and each finding's card with its manifest excerpt, fix, waiver and basis.

use super::{Html, block, inline, links, rich_block, rich_inline, section, sev_class};
use crate::output::report::{Authority, Item, Languages, Plan, Report};
use crate::reader::Text;

pub(super) fn findings(h: &mut Html, r: &Report) {
    section(
        h,
        r,
        "findings",
        "2",
        "问题（按法律依据）",
        "Findings by authority",
    );
    if r.items.is_empty() {
        h.el(
            "p",
            &[("class", "empty")],
            &r.label("没有问题。", "No findings."),
        );
    }
    h.el(
        "p",
        &[("class", "lede")],
        &r.label(
            "每个问题列在其规则首个法律依据的条文之下，其余依据处交叉引用。“惯例”不是法律：其数字来自行业或平台做法，可在 hegui.toml 中调整。",
            "Each finding is listed under the first statute its rule cites and cross-referenced under the others. Practice is not law: its numbers come from industry or platform practice and can be adjusted in hegui.toml.",
        ),
    );
    for group in &r.groups {
        match group {
            Authority::Statute {
                code,
                name,
                year,
                articles,
            } => {
                h.open("div", &[("class", "authority statute")]);
                h.open("h3", &[]);
                h.el("span", &[("class", "code")], code);
                h.text("《");
                inline(h, r, name);
                h.text("》");
                if !year.is_empty() {
                    h.el("span", &[("class", "year")], year);
                }
                h.close("h3");
                for a in articles {
                    h.open("div", &[("class", "article")]);
                    h.open("h4", &[]);
                    inline(h, r, &a.heading);
                    let (class, zh, en) = if a.verified {
                        ("badge quoted", "原文", "quoted")
                    } else {
                        ("badge gist", "要旨（非原文）", "gist, not the words")
                    };
                    h.el("span", &[("class", class)], &r.label(zh, en));
                    h.close("h4");
                    law_text(h, r, &a.text, a.verified);
                    if !a.summary.zh.is_empty() {
                        h.open("div", &[("class", "gist-line")]);
                        h.el("span", &[("class", "k")], &r.label("要点", "In short"));
                        block(h, r, "v", &a.summary);
                        h.close("div");
                    }
                    for &i in &a.items {
                        finding(h, r, &r.items[i]);
                    }
                    refs(h, r, &a.refs);
                    h.close("div");
                }
                h.close("div");
            }
            Authority::Practice {
                title,
                kind,
                note,
                items,
                refs: others,
            } => {
                h.open("div", &[("class", "authority practice")]);
                h.open("h3", &[]);
                match kind {
                    // A source that is not practice either says what it is (not law).
                    Some(kind) => {
                        h.open("span", &[("class", "code practice format")]);
                        inline(h, r, kind);
                        h.close("span");
                    }
                    None => {
                        h.el(
                            "span",
                            &[("class", "code practice")],
                            &r.label("惯例", "practice"),
                        );
                    }
                }
                inline(h, r, title);
                h.close("h3");
                if !note.zh.is_empty() {
                    block(h, r, "note", note);
                }
                for &i in items {
                    finding(h, r, &r.items[i]);
                }
                refs(h, r, others);
                h.close("div");
            }
            Authority::Other { items } => {
                h.open("div", &[("class", "authority other")]);
                h.el(
                    "h3",
                    &[],
                    &r.label("其他（无对应规则）", "Other (no rule declares these)"),
                );
                for &i in items {
                    finding(h, r, &r.items[i]);
                }
                h.close("div");
            }
        }
    }
    h.close("section").raw("\n");
}

/// The article's words: Chinese (authoritative) always; the English translation in English
/// or bilingual reports.
fn law_text(h: &mut Html, r: &Report, t: &Text, verified: bool) {
    // The article's own words in corner brackets, as Chinese legal writing quotes them.
    let zh = if verified {
        format!("「{}」", t.zh)
    } else {
        t.zh.clone()
    };
    match r.languages {
        Languages::Zh => {
            h.el("blockquote", &[("class", "law"), ("lang", "zh-CN")], &zh);
        }
        Languages::En | Languages::Both => {
            h.raw("<blockquote class=\"law\"><div class=\"bi\">");
            h.el("div", &[("lang", "zh-CN")], &zh);
            h.el("div", &[("lang", "en"), ("class", "translation")], &t.en);
            h.raw("</div></blockquote>");
        }
    }
}

fn refs(h: &mut Html, r: &Report, refs: &[usize]) {
    if refs.is_empty() {
        return;
    }
    h.open("p", &[("class", "refs")]);
    h.text(&r.label("亦以此为依据：", "Also resting on this: "));
    links(h, r, refs.iter());
    h.close("p");
}

fn finding(h: &mut Html, r: &Report, item: &Item) {
    let f = &item.finding;
    let waived = f.waived.is_some();
    let class = format!(
        "finding sev-{}{}",
        f.severity.as_str(),
        if waived { " waived" } else { "" }
    );
    let tag = item.tag();
    h.open("article", &[("class", &class), ("id", &tag)]);
    h.raw("<header>");
    h.el("span", &[("class", "fid")], &tag);
    h.el(
        "span",
        &[("class", sev_class(f.severity))],
        &r.severity_label(f.severity),
    );
    h.el("code", &[("class", "rule")], &f.rule);
    h.open("span", &[("class", "rtitle")]);
    inline(h, r, &item.title);
    h.close("span");
    if waived {
        h.el(
            "span",
            &[("class", "badge waived")],
            &r.label("已豁免", "waived"),
        );
    }
    h.raw("</header>");
    h.open("p", &[("class", "loc")]);
    if let Some(p) = item.plan {
        h.el("span", &[("class", "tag")], &Plan::tag(p));
        h.text(" ");
    }
    let (line, col) = f.start();
    h.text(&format!("{}:{line}:{col}", f.source.name));
    if !f.path.is_empty() {
        h.text(" · ");
        h.el("code", &[], &f.path);
    }
    h.close("p");
    rich_block(h, r, "msg", &item.message);
    excerpt(h, item);
    if let Some(label) = &item.label {
        h.open("div", &[("class", "caption")]);
        h.raw("<span class=\"mk hl\"></span>");
        rich_inline(h, r, label);
        h.close("div");
    }
    for (span, text) in &item.labels {
        if text.zh.is_empty() {
            continue;
        }
        h.open("div", &[("class", "caption")]);
        h.raw("<span class=\"mk hl2\"></span>");
        h.text(&format!(
            "{} {}: ",
            r.label("第", "line"),
            f.source.line_of(span.start)
        ));
        rich_inline(h, r, text);
        h.close("div");
    }
    if let Some(help) = &item.help {
        h.open("div", &[("class", "help")]);
        h.el("span", &[("class", "k")], &r.label("修改建议", "Fix"));
        rich_block(h, r, "v", help);
        h.close("div");
    }
    if let Some(fix) = &item.fix {
        h.open("div", &[("class", "fix")]);
        h.el(
            "span",
            &[("class", "k")],
            &r.label("自动修复", "Automatic fix"),
        );
        h.open("div", &[("class", "v")]);
        rich_block(h, r, "fix-message", &fix.message);
        h.el("pre", &[("class", "fix-before")], &fix.before);
        h.el("pre", &[("class", "fix-after")], &fix.after);
        block(h, r, "fix-how", &fix.how);
        h.close("div");
        h.close("div");
    }
    if let Some(w) = &f.waived {
        h.open("div", &[("class", "waiver-note")]);
        h.el("span", &[("class", "k")], &r.label("豁免", "Waiver"));
        h.open("span", &[]);
        h.text(&w.reason)
            .text(" — ")
            .text(&r.label("批准人", "approved by"))
            .text(" ");
        h.el("strong", &[], &w.approver);
        if let Some(u) = &w.until {
            h.text(&format!(" · {} {u}", r.label("有效至", "until")));
        }
        h.close("span");
        h.close("div");
    }
    if !item.basis.zh.is_empty() {
        h.open("p", &[("class", "basis")]);
        h.el("span", &[("class", "k")], &r.label("依据", "Basis"));
        inline(h, r, &item.basis);
        h.close("p");
    }
    h.close("article");
}

/// The manifest lines around the finding, the blamed span marked, secondary spans marked
/// lighter; non-adjacent windows are separated by `⋮`.
fn excerpt(h: &mut Html, item: &Item) {
    let f = &item.finding;
    let src = &f.source;
    if src.text.is_empty() {
        return;
    }
    let mut spans = vec![(f.span.clone(), "hl")];
    spans.extend(item.labels.iter().map(|(s, _)| (s.clone(), "hl2")));
    let mut lines = std::collections::BTreeSet::new();
    for (i, (span, _)) in spans.iter().enumerate() {
        let context = if i == 0 { 2 } else { 0 };
        let first = src.line_of(span.start);
        let last = src.line_of(span.end.max(span.start + 1) - 1).max(first);
        for l in first.saturating_sub(context).max(1)..=(last + context).min(src.line_count()) {
            lines.insert(l);
        }
    }
    h.raw("<pre class=\"excerpt\">");
    let mut previous = None;
    for line in lines {
        if previous.is_some_and(|p| p + 1 != line) {
            h.raw("<span class=\"gap\">⋮</span>\n");
        }
        previous = Some(line);
        h.el("span", &[("class", "ln")], &line.to_string());
        let range = src.line_range(line);
        // Cut the line where any span starts or ends; mark each piece by the spans covering it.
        let mut cuts = vec![range.start, range.end];
        for (s, _) in &spans {
            for p in [s.start, s.end] {
                if p > range.start && p < range.end {
                    cuts.push(src.clamp(p));
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let Some(piece) = src.text.get(a..b) else {
                continue;
            };
            let covered = |kind: &str| {
                spans
                    .iter()
                    .any(|(s, k)| *k == kind && s.start <= a && b <= s.end && s.start < s.end)
            };
            if covered("hl") {
                h.el("mark", &[("class", "hl")], piece);
            } else if covered("hl2") {
                h.el("mark", &[("class", "hl2")], piece);
            } else {
                h.text(piece);
            }
        }
        // An empty span (e.g. at the end of a line) still shows where it is.
        if f.span.start == f.span.end && src.line_of(f.span.start) == line {
            h.raw("<mark class=\"hl caret\">▏</mark>");
        }
        h.raw("\n");
    }
    h.raw("</pre>");
}
