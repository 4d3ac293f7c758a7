//! The Markdown report: the same sections as the HTML one, the timeline as a table; fit for a
//! pull-request comment. Every string from a manifest, rule file or the law table is escaped
//! ([`escape`]) or placed in a code fence longer than any backtick run it holds.

use std::fmt::Write;

use super::timeline;
use super::{Authority, Item, Languages, Mark, Plan, Report, WaiverStatus};
use crate::reader::Text;

/// Escapes text for Markdown prose and table cells: HTML-significant characters become
/// entities, Markdown punctuation is backslash-escaped, line breaks become spaces.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // At the start of a paragraph these would open a heading, list or quote.
            '#' | '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            // Controls and bidi overrides: visible `\u{…}` (`\u` is no Markdown escape).
            c if crate::escape::is_hazard(c) => {
                crate::escape::push_escape(c, &mut out);
            }
            c => out.push(c),
        }
    }
    // `1. x` at the start of a paragraph would open a list.
    if let Some(dot) = out.find('.')
        && dot > 0
        && out[..dot].chars().all(|c| c.is_ascii_digit())
    {
        out.insert(dot, '\\');
    }
    out
}

fn t(r: &Report, text: &Text) -> String {
    match r.languages {
        Languages::Both if text.zh != text.en => {
            format!("{} / {}", escape(&text.zh), escape(&text.en))
        }
        Languages::En => escape(&text.en),
        _ => escape(&text.zh),
    }
}

/// Like [`t`], with a message's backtick-quoted parts as code spans when they hold nothing a
/// code span would show wrongly (markup, table pipes, entities); else escaped as text.
fn rich(r: &Report, text: &Text) -> String {
    let one = |s: &str| {
        let plain = !s.matches('`').count().is_multiple_of(2)
            || s.split('`')
                .skip(1)
                .step_by(2)
                .any(|c| c.is_empty() || c.contains(['<', '>', '&', '|', '\n', '\r']));
        if plain {
            return escape(s);
        }
        s.split('`')
            .enumerate()
            .map(|(i, part)| {
                if i % 2 == 1 {
                    format!("`{part}`")
                } else {
                    escape(part)
                }
            })
            .collect()
    };
    match r.languages {
        Languages::Both if text.zh != text.en => format!("{} / {}", one(&text.zh), one(&text.en)),
        Languages::En => one(&text.en),
        _ => one(&text.zh),
    }
}

/// A fence of backticks longer than any run inside `body`.
pub(crate) fn fence(body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

/// Columns a terminal-like font gives a character (CJK and other wide ones take two).
fn width(text: &str) -> usize {
    text.chars()
        .map(|c| if (c as u32) < 0x1100 { 1 } else { 2 })
        .sum()
}

/// Renders the report.
pub(crate) fn render(r: &Report) -> String {
    let mut out = String::new();
    let o = &mut out;
    let _ = writeln!(
        o,
        "# {}\n",
        r.label("hegui 合规审查报告", "hegui compliance review report")
    );
    let _ = writeln!(
        o,
        "{} **{}** · hegui {} · {} {}\n",
        r.label("审查基准日", "Reviewed as of"),
        r.today,
        r.version,
        r.label("规则", "rules"),
        r.rules_in_force
    );
    summary(o, r);
    findings(o, r);
    waivers(o, r);
    controls(o, r);
    timelines(o, r);
    footer(o, r);
    out
}

fn summary(o: &mut String, r: &Report) {
    let _ = writeln!(o, "## 1. {}\n", r.label("摘要", "Summary"));
    let gate = match r.threshold {
        None => r.label("门禁：不设门槛", "Gate: never fails"),
        Some(t) if r.failing => r.label(
            &format!("门禁：**不通过**（达到“{}”）", t.as_str()),
            &format!("Gate: **FAIL** (at or above {})", t.as_str()),
        ),
        Some(t) => r.label(
            &format!("门禁：**通过**（“{}”）", t.as_str()),
            &format!("Gate: **PASS** ({})", t.as_str()),
        ),
    };
    let gate = match r.baselined_note() {
        Some(note) => format!("{gate}\n\n{note}"),
        None => gate,
    };
    let s = &r.summary;
    let _ = writeln!(
        o,
        "{gate}\n\n| {} | {} | {} | {} | {} |\n|---:|---:|---:|---:|---:|\n| {} | {} | {} | {} | {} |\n",
        r.label("份计划", "plans"),
        r.label("错误", "errors"),
        r.label("警告", "warnings"),
        r.label("提示", "info"),
        r.label("已豁免", "waived"),
        r.plans.len(),
        s.error,
        s.warning,
        s.info,
        s.waived
    );
    let _ = writeln!(
        o,
        "| | {} | {} | {} | E | W | I | {} |\n|---|---|---|---|---:|---:|---:|---:|",
        r.label("计划", "Plan"),
        r.label("决定日", "Decided"),
        r.label("文件", "File"),
        r.label("豁免", "Waived")
    );
    for (i, p) in r.plans.iter().enumerate() {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            Plan::tag(i),
            escape(p.title.as_deref().or(p.id.as_deref()).unwrap_or("")),
            escape(p.decided_on.as_deref().unwrap_or("")),
            escape(&p.name),
            p.counts.error,
            p.counts.warning,
            p.counts.info,
            p.counts.waived
        );
    }
    o.push('\n');
}

fn findings(o: &mut String, r: &Report) {
    let _ = writeln!(
        o,
        "## 2. {}\n",
        r.label("问题（按法律依据）", "Findings by authority")
    );
    if r.items.is_empty() {
        let _ = writeln!(o, "{}\n", r.label("没有问题。", "No findings."));
    }
    for group in &r.groups {
        match group {
            Authority::Statute {
                code,
                name,
                year,
                articles,
            } => {
                let _ = writeln!(
                    o,
                    "### {} 《{}》 {}\n",
                    escape(code),
                    t(r, name),
                    escape(year)
                );
                for a in articles {
                    let badge = if a.verified {
                        r.label("原文", "quoted")
                    } else {
                        r.label("要旨，非原文", "gist, not the words")
                    };
                    let _ = writeln!(o, "#### {} ({badge})\n", t(r, &a.heading));
                    if a.verified {
                        let _ = writeln!(o, "> 「{}」", escape(&a.text.zh));
                    } else {
                        let _ = writeln!(o, "> {}", escape(&a.text.zh));
                    }
                    if r.languages != Languages::Zh {
                        let _ = writeln!(o, ">\n> *{}*", escape(&a.text.en));
                    }
                    o.push('\n');
                    if !a.summary.zh.is_empty() {
                        let _ =
                            writeln!(o, "{}: {}\n", r.label("要点", "In short"), t(r, &a.summary));
                    }
                    for &i in &a.items {
                        finding(o, r, &r.items[i]);
                    }
                    refs(o, r, &a.refs);
                }
            }
            Authority::Practice {
                title,
                kind,
                note,
                items,
                refs: others,
            } => {
                // A source that is not practice either says what it is (not law).
                let heading = kind
                    .as_ref()
                    .map_or_else(|| r.label("惯例", "Practice"), |k| t(r, k));
                let _ = writeln!(o, "### {heading}: {}\n", t(r, title));
                if !note.zh.is_empty() {
                    let _ = writeln!(o, "*{}*\n", t(r, note));
                }
                for &i in items {
                    finding(o, r, &r.items[i]);
                }
                refs(o, r, others);
            }
            Authority::Other { items } => {
                let _ = writeln!(
                    o,
                    "### {}\n",
                    r.label("其他（无对应规则）", "Other (no rule declares these)")
                );
                for &i in items {
                    finding(o, r, &r.items[i]);
                }
            }
        }
    }
}

fn refs(o: &mut String, r: &Report, refs: &[usize]) {
    if refs.is_empty() {
        return;
    }
    let list: Vec<String> = refs
        .iter()
        .map(|&i| format!("{} {}", r.items[i].tag(), escape(&r.items[i].finding.rule)))
        .collect();
    let _ = writeln!(
        o,
        "{} {}\n",
        r.label("亦以此为依据：", "Also resting on this:"),
        list.join(", ")
    );
}

fn finding(o: &mut String, r: &Report, item: &Item) {
    let f = &item.finding;
    let (line, col) = f.start();
    let waived = if f.waived.is_some() {
        format!(" · *{}*", r.label("已豁免", "waived"))
    } else {
        String::new()
    };
    let plan = item
        .plan
        .map(|p| format!("{} ", Plan::tag(p)))
        .unwrap_or_default();
    let _ = writeln!(
        o,
        "**{}** · {} · `{}` {}{waived}  \n{plan}{}:{line}:{col} · {}\n",
        item.tag(),
        r.severity_label(f.severity),
        f.rule.replace('`', ""),
        t(r, &item.title),
        escape(&f.source.name),
        escape(&f.path)
    );
    let _ = writeln!(o, "{}\n", rich(r, &item.message));
    excerpt(o, r, item);
    if let Some(help) = &item.help {
        let _ = writeln!(o, "{}: {}\n", r.label("修改建议", "Fix"), rich(r, help));
    }
    if let Some(fix) = &item.fix {
        let _ = writeln!(
            o,
            "{}: {} (`{}`)\n",
            r.label("自动修复", "Automatic fix"),
            rich(r, &fix.message),
            t(r, &fix.how)
        );
        let mut body = String::new();
        for line in fix.before.lines() {
            body.push_str("- ");
            body.push_str(line);
            body.push('\n');
        }
        for line in fix.after.lines() {
            body.push_str("+ ");
            body.push_str(line);
            body.push('\n');
        }
        let fence = fence(&body);
        let diff = format!("{fence}diff\n{body}{fence}\n");
        let _ = writeln!(o, "{diff}");
    }
    if let Some(w) = &f.waived {
        let until = w
            .until
            .as_deref()
            .map(|u| format!(" · {} {}", r.label("有效至", "until"), escape(u)))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "{}: {} — {} {}{until}\n",
            r.label("豁免", "Waiver"),
            escape(&w.reason),
            r.label("批准人", "approved by"),
            escape(&w.approver)
        );
    }
    if !item.basis.zh.is_empty() {
        let _ = writeln!(o, "{}: {}\n", r.label("依据", "Basis"), t(r, &item.basis));
    }
}

/// The lines around the blamed span in a code block, with a caret line under the span.
fn excerpt(o: &mut String, r: &Report, item: &Item) {
    let f = &item.finding;
    let src = &f.source;
    if src.text.is_empty() {
        return;
    }
    let first = src.line_of(f.span.start);
    let last = src.line_of(f.span.end.max(f.span.start + 1) - 1).max(first);
    let from = first.saturating_sub(2).max(1);
    let to = (last + 1).min(src.line_count());
    let mut body = String::new();
    for line in from..=to {
        let _ = writeln!(body, "{line:>4} | {}", src.line_text(line));
        if line == first {
            let range = src.line_range(line);
            let start = src.clamp(f.span.start.max(range.start));
            let end = src.clamp(f.span.end.min(range.end)).max(start);
            let pad = width(&src.text[range.start..start]);
            let carets = width(&src.text[start..end]).max(1);
            let label = item
                .label
                .as_ref()
                .map(|l| {
                    let words = match r.languages {
                        Languages::En => l.en.clone(),
                        Languages::Both if l.zh != l.en => format!("{} / {}", l.zh, l.en),
                        _ => l.zh.clone(),
                    };
                    format!(" {words}")
                })
                .unwrap_or_default();
            let _ = writeln!(
                body,
                "     | {}{}{label}",
                " ".repeat(pad),
                "^".repeat(carets)
            );
        }
    }
    let fence = fence(&body);
    let _ = writeln!(o, "{fence}toml\n{body}{fence}\n");
}

fn waivers(o: &mut String, r: &Report) {
    let _ = writeln!(o, "## 3. {}\n", r.label("豁免登记", "Waiver register"));
    if r.waivers.is_empty() {
        let _ = writeln!(o, "{}\n", r.label("没有豁免。", "No waivers."));
        return;
    }
    let _ = writeln!(
        o,
        "| {} | {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|---|",
        r.label("规则", "Rule"),
        r.label("位置", "Place"),
        r.label("理由", "Reason"),
        r.label("批准人", "Approver"),
        r.label("有效至", "Until"),
        r.label("状态", "Status"),
        r.label("涉及问题", "Findings")
    );
    for w in &r.waivers {
        let status = match &w.status {
            WaiverStatus::Valid if w.waives.is_empty() => {
                format!(
                    "{} ({})",
                    r.label("有效", "valid"),
                    r.label("未豁免任何问题", "waives nothing")
                )
            }
            WaiverStatus::Valid => r.label("有效", "valid"),
            WaiverStatus::Expired => r.label("已过期", "expired"),
            WaiverStatus::Invalid(why) => format!("{} ({})", r.label("无效", "invalid"), t(r, why)),
        };
        let linked: Vec<String> = w
            .waives
            .iter()
            .chain(&w.reported_by)
            .map(|&i| format!("{} {}", r.items[i].tag(), escape(&r.items[i].finding.rule)))
            .collect();
        let _ = writeln!(
            o,
            "| {} | {} {}:{} | {} | {} | {} | {status} | {} |",
            escape(&w.rule),
            Plan::tag(w.plan),
            escape(&r.plans[w.plan].name),
            w.line,
            escape(&w.reason),
            escape(&w.approver),
            escape(&w.until),
            linked.join(", ")
        );
    }
    o.push('\n');
}

fn controls(o: &mut String, r: &Report) {
    let _ = writeln!(
        o,
        "## 4. {}\n",
        r.label("已通过的检查", "Controls that passed")
    );
    let _ = writeln!(
        o,
        "{}\n",
        r.label(
            &format!("✓ 成立 · ✗ 有问题 · ≈ 仅有已豁免的问题 · B 仅有基线（--baseline）已接受的问题 · – 没有可判定的内容。另有 {} 条规则在任何计划中都没有可判定的内容。", r.not_applied),
            &format!("✓ held · ✗ finding · ≈ waived findings only · B only findings the baseline (--baseline) accepted · – nothing to decide. {} more rule(s) had nothing to decide in any plan.", r.not_applied),
        )
    );
    let tags: Vec<String> = (0..r.plans.len()).map(Plan::tag).collect();
    let _ = writeln!(
        o,
        "| {} | {} | {} | {} |\n|---|---|---|{}",
        r.label("规则", "Rule"),
        r.label("检查内容", "Control"),
        r.label("依据", "Basis"),
        tags.join(" | "),
        ":-:|".repeat(tags.len())
    );
    for c in &r.controls {
        let marks: Vec<&str> = c
            .marks
            .iter()
            .map(|m| match m {
                Mark::Held => "✓",
                Mark::Failed => "✗",
                Mark::Waived => "≈",
                Mark::Baselined => "B",
                Mark::NotApplied => "–",
            })
            .collect();
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            escape(&c.rule),
            t(r, &c.title),
            t(r, &c.basis),
            marks.join(" | ")
        );
    }
    o.push('\n');
}

fn timelines(o: &mut String, r: &Report) {
    let _ = writeln!(o, "## 5. {}\n", r.label("时间线", "Timeline"));
    for (i, p) in r.plans.iter().enumerate() {
        let _ = writeln!(
            o,
            "### {} {}\n",
            Plan::tag(i),
            escape(p.title.as_deref().or(p.id.as_deref()).unwrap_or(&p.name))
        );
        if p.timeline.marks.is_empty() {
            let _ = writeln!(
                o,
                "{}\n",
                r.label("没有可绘制的日期。", "No dates to draw.")
            );
            continue;
        }
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |\n|---|---|---|---|",
            r.label("日期", "Date"),
            r.label("对象", "Item"),
            r.label("事项", "Event"),
            r.label("问题", "Findings")
        );
        for m in timeline::by_date(&p.timeline) {
            let blamed = if m.blamed.is_empty() {
                String::new()
            } else {
                format!("⚠ {}", escape(&m.blamed.join(", ")))
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {blamed} |",
                escape(&timeline::when(m)),
                escape(&m.entity),
                escape(&timeline::mark_text(m, r.languages))
            );
        }
        o.push('\n');
        for note in &p.timeline.notes {
            let _ = writeln!(o, "*{}*\n", t(r, note));
        }
        windows(o, r, p);
    }
}

/// Every date of a plan with its schedule window (`hegui schedule`), in document order.
fn windows(o: &mut String, r: &Report, p: &Plan) {
    if let Some(note) = &p.timeline.schedule_note {
        let _ = writeln!(o, "*{}*\n", t(r, note));
    }
    if p.timeline.allowed.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "{}\n\n| {} | {} | {} | {} | |\n|---|---|---|---|---|",
        r.label(
            "合规窗口（hegui schedule：其他日期不变时，不触发任何日期规则的最早日至最晚日）：",
            "Schedule windows (hegui schedule: the earliest to the latest day on which no date rule fires, the other dates as they are):"
        ),
        r.label("日期值", "Date value"),
        r.label("当前", "Current"),
        r.label("合规窗口（最早 – 最晚）", "Window (earliest – latest)"),
        r.label("约束规则", "Bounded by"),
    );
    for a in &p.timeline.allowed {
        let status = match (a.window.is_some(), a.holds()) {
            (false, _) => r.label("无可行日", "no day"),
            (true, true) => "✓".to_owned(),
            (true, false) => r.label("✗ 在窗口外", "✗ outside"),
        };
        let path = if a.path.contains(['<', '>', '&', '|', '`', '\n', '\r']) {
            escape(&a.path)
        } else {
            format!("`{}`", a.path)
        };
        let _ = writeln!(
            o,
            "| {path} | {} | {} | {} | {status} |",
            a.current,
            escape(&a.range(&a.no_day(r.languages))),
            escape(&a.rules.join(", "))
        );
    }
    o.push('\n');
}

fn footer(o: &mut String, r: &Report) {
    let _ = writeln!(o, "## 6. {}\n", r.label("可复现信息", "Reproducibility"));
    let languages = match r.languages {
        Languages::Zh => "zh",
        Languages::En => "en",
        Languages::Both => "both",
    };
    let _ = writeln!(
        o,
        "| | |\n|---|---|\n| {} | {} |\n| {} | `{}` |\n| {} | {} |\n| --today | {} |\n| --fail-on | {} |\n| --lang | {languages} |\n",
        r.label("hegui 版本", "hegui version"),
        r.version,
        r.label("规则集 SHA-256", "rule set SHA-256"),
        r.ruleset_hash,
        r.label("生效规则数", "rules in force"),
        r.rules_in_force,
        r.today,
        r.threshold.map_or("never", crate::Severity::as_str)
    );
    let _ = writeln!(
        o,
        "| {} | SHA-256 |\n|---|---|",
        r.label("输入文件", "Input file")
    );
    for p in &r.plans {
        let _ = writeln!(
            o,
            "| {} | `{}` |",
            escape(&p.name),
            p.sha256.as_deref().unwrap_or("—")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_markdown() {
        assert_eq!(
            escape("<script>alert(1)</script> a|b *x* [l](u)\nnext"),
            "&lt;script&gt;alert(1)&lt;/script&gt; a\\|b \\*x\\* \\[l\\](u) next"
        );
        assert_eq!(escape("- x"), "\\- x");
        assert_eq!(escape("12. x"), "12\\. x");
        assert_eq!(escape("2026-12-15"), "2026-12-15");
        assert_eq!(fence("a ``` b"), "````");
        assert_eq!(fence("plain"), "```");
        assert_eq!(width("名a"), 3);
    }
}
