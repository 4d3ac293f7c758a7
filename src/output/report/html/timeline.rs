//! The timeline section of the HTML report: per plan, the chart, its legend, and the table of
//! every date's schedule window next to its current day.

use super::{Html, block, inline, section, svg};
use crate::output::report::{Plan, Report};

pub(super) fn timelines(h: &mut Html, r: &Report) {
    section(h, r, "timeline", "5", "时间线", "Timeline");
    h.el(
        "p",
        &[("class", "lede")],
        &r.label(
            "每份计划的日期：条形为期间（公示展示期、冷却期、平台保留期、退款期），菱形为日期节点；红色描边并标注 ⚠ 的是问题所指向的日期或期间；虚线为注销生效日。冷却期、平台保留期和退款工作日数取自当前规则参数。行下的绿色细条是该日期的合规窗口（hegui schedule：其他日期不变时，不触发任何日期规则的最早日至最晚日），红色细条表示当前日期在窗口之外。远离计划其余日期的日期画在图边（◂ ▸）并写出完整日期。",
            "Each plan's dates: bars are windows (notice display, cooling period, platform retention, refund), diamonds are days; a red outline with ⚠ marks a date or window a finding points at; dashed lines are closure days. Cooling, retention and refund lengths are the rule parameters in force. The thin green strip under a row is that date's schedule window (hegui schedule: the earliest to the latest day on which no date rule fires, the other dates as they are); a red strip means the current day lies outside it. Dates far from the plan's other dates are drawn at the edge (◂ ▸) with their full date.",
        ),
    );
    for (i, p) in r.plans.iter().enumerate() {
        h.open("div", &[("class", "plan-timeline")]);
        h.open("h3", &[]);
        h.el("span", &[("class", "tag")], &Plan::tag(i));
        h.text(" ")
            .text(p.title.as_deref().or(p.id.as_deref()).unwrap_or(&p.name));
        h.el("span", &[("class", "file")], &p.name);
        h.close("h3");
        if p.timeline.marks.is_empty() {
            h.el(
                "p",
                &[("class", "empty")],
                &r.label("没有可绘制的日期。", "No dates to draw."),
            );
        } else {
            svg::svg(h, &p.timeline, r.languages, &r.today);
            h.raw("<ul class=\"legend\">");
            for (name, words) in &p.timeline.legend {
                h.open("li", &[]);
                h.el("span", &[("class", &format!("sw t-{name}"))], "");
                inline(h, r, words);
                h.close("li");
            }
            h.raw("<li><span class=\"sw blamed-sw\"></span>");
            h.text(&r.label("问题所指", "blamed by a finding"));
            h.raw("</li><li><span class=\"sw closure-sw\"></span>");
            h.text(&r.label("注销生效日", "closure day"));
            h.raw("</li>");
            if !p.timeline.allowed.is_empty() {
                h.raw("<li><span class=\"sw allowed-sw\"></span>");
                h.text(&r.label("合规窗口", "schedule window"));
                h.raw("</li>");
            }
            h.raw("</ul>");
        }
        for note in &p.timeline.notes {
            block(h, r, "note", note);
        }
        windows(h, r, p);
        h.close("div");
    }
    h.close("section").raw("\n");
}

/// Every date of the plan with its schedule window, in document order.
fn windows(h: &mut Html, r: &Report, p: &Plan) {
    if let Some(note) = &p.timeline.schedule_note {
        block(h, r, "note", note);
    }
    if p.timeline.allowed.is_empty() {
        return;
    }
    h.raw("<table class=\"windows\"><thead><tr>");
    for (zh, en) in [
        ("日期值", "Date value"),
        ("当前", "Current"),
        ("合规窗口（最早 – 最晚）", "Window (earliest – latest)"),
        ("约束规则", "Bounded by"),
        ("", ""),
    ] {
        h.el("th", &[], &r.label(zh, en));
    }
    h.raw("</tr></thead><tbody>");
    for a in &p.timeline.allowed {
        let (class, mark) = match (a.window.is_some(), a.holds()) {
            (false, _) => ("mark failed", r.label("无可行日", "no day")),
            (true, true) => ("mark held", "✓".to_owned()),
            (true, false) => ("mark failed", r.label("✗ 在窗口外", "✗ outside")),
        };
        h.raw("<tr>");
        h.open("td", &[]);
        h.el("code", &[], &a.path);
        h.close("td");
        h.el("td", &[("class", "nowrap")], &a.current.to_string());
        h.el(
            "td",
            &[("class", "nowrap")],
            &a.range(&a.no_day(r.languages)),
        );
        h.el("td", &[], &a.rules.join(", "));
        h.el("td", &[("class", class)], &mark);
        h.raw("</tr>");
    }
    h.raw("</tbody></table>");
}
