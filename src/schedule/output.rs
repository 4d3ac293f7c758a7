//! The schedule as a table for people (zh or en), as JSON, and as an iCalendar (RFC 5545).

use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;

use super::{Planned, Repair, Schedule};
use crate::Lang;

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn conflict_lines(out: &mut String, conflicts: &[super::Conflict]) {
    for c in conflicts {
        let dates: Vec<String> = c
            .dates
            .iter()
            .map(|(p, d)| format!("{p} = {}", day(*d)))
            .collect();
        let _ = writeln!(out, "  {}: {} [{}]", c.rule, c.message, dates.join(", "));
    }
}

/// Display width: CJK and full-width characters take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let c = c as u32;
            if (0x1100..=0x115F).contains(&c)
                || (0x2E80..=0xA4CF).contains(&c)
                || (0xAC00..=0xD7A3).contains(&c)
                || (0xF900..=0xFAFF).contains(&c)
                || (0xFE30..=0xFE4F).contains(&c)
                || (0xFF00..=0xFF60).contains(&c)
                || (0xFFE0..=0xFFE6).contains(&c)
            {
                2
            } else {
                1
            }
        })
        .sum()
}

fn pad(s: &str, to: usize) -> String {
    let mut out = s.to_owned();
    out.extend(std::iter::repeat_n(' ', to.saturating_sub(width(s))));
    out
}

fn window_text(p: &Planned, lang: Lang) -> String {
    let Some(w) = &p.window else {
        return match lang {
            Lang::Zh => "无可行日".into(),
            Lang::En => "no day".into(),
        };
    };
    let end = |d: Option<NaiveDate>| d.map_or_else(|| "…".to_owned(), day);
    format!("{} – {}", end(w.earliest), end(w.latest))
}

fn status(p: &Planned, lang: Lang) -> &'static str {
    let m = &p.milestone;
    match (lang, m.fact, m.pinned) {
        (Lang::Zh, true, _) => "已发生",
        (Lang::En, true, _) => "fact",
        (Lang::Zh, false, true) => "固定",
        (Lang::En, false, true) => "pinned",
        _ => "",
    }
}

fn proposed_text(p: &Planned) -> String {
    let moved = match p.proposed.cmp(&p.milestone.current) {
        std::cmp::Ordering::Less => " ←",
        std::cmp::Ordering::Greater => " →",
        std::cmp::Ordering::Equal => "",
    };
    format!("{}{moved}", day(p.proposed))
}

/// The schedule as a table by milestone, the critical path and the verdict.
pub fn render_human(s: &Schedule, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut out = String::new();
    let _ = if zh {
        writeln!(out, "{}：合规日程（今天 {}）", s.file, day(s.today))
    } else {
        writeln!(
            out,
            "{}: compliant schedule (today {})",
            s.file,
            day(s.today)
        )
    };
    if let Some(c) = s.close_on {
        let _ = if zh {
            writeln!(
                out,
                "注销日固定为 {}，向前倒排：窗口的最后一天即截止日。",
                day(c)
            )
        } else {
            writeln!(
                out,
                "closures pinned on {}, scheduled backwards: a window's last day is its deadline.",
                day(c)
            )
        };
    }
    let headers: [&str; 6] = if zh {
        ["里程碑", "状态", "当前", "窗口", "建议", "约束规则"]
    } else {
        [
            "milestone",
            "status",
            "current",
            "window",
            "proposed",
            "rules",
        ]
    };
    let rows: Vec<[String; 6]> = s
        .milestones
        .iter()
        .map(|p| {
            [
                format!(
                    "{} {}",
                    if p.critical { "*" } else { " " },
                    p.milestone.path
                ),
                status(p, lang).to_owned(),
                day(p.milestone.current),
                window_text(p, lang),
                proposed_text(p),
                p.window
                    .as_ref()
                    .map(|w| w.rules().join(", "))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let header = headers.map(|h| format!("  {h}"));
    let mut widths = [0usize; 6];
    for row in std::iter::once(&header).chain(rows.iter()) {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: &[String; 6]| -> String {
        let mut l = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(cell);
            } else {
                l.push_str(&pad(cell, widths[i] + 2));
            }
        }
        l.trim_end().to_owned()
    };
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", line(&header));
    for row in &rows {
        let _ = writeln!(out, "{}", line(row));
    }
    let _ = writeln!(out);
    let _ = if zh {
        writeln!(
            out,
            "* 关键路径（决定关闭日——注销生效、卡券下架——的规则链）："
        )
    } else {
        writeln!(
            out,
            "* critical path (the rules that fix the closure day: account closure, coupon withdrawal):"
        )
    };
    if s.critical_path.is_empty() {
        let _ = if zh {
            writeln!(out, "  无：约束关闭日的日期都还可以提前")
        } else {
            writeln!(
                out,
                "  none: every date that bounds a closure could still move earlier"
            )
        };
    }
    let name = |i: usize| {
        let p = &s.milestones[i];
        let mut t = format!("{} {}", p.milestone.path, day(p.proposed));
        let st = match status(p, lang) {
            "" if p.proposed == s.today => {
                if zh {
                    "今天"
                } else {
                    "today"
                }
            }
            st => st,
        };
        if !st.is_empty() {
            t.push_str(&if zh {
                format!("（{st}）")
            } else {
                format!(" ({st})")
            });
        }
        t
    };
    for link in &s.critical_path {
        let by = link.by.map_or_else(
            || {
                if zh {
                    "（提前其他日期也无济于事）".to_owned()
                } else {
                    "(moving the other dates earlier does not help)".to_owned()
                }
            },
            name,
        );
        let _ = writeln!(out, "  {} ⟸ {} ⟸ {}", name(link.milestone), link.rule, by);
    }
    let _ = writeln!(out);
    if s.feasible() {
        let _ = if zh {
            writeln!(out, "可行：按建议日期，日期规则均不报问题。")
        } else {
            writeln!(out, "feasible: at the proposed days no date rule fires.")
        };
    } else {
        let _ = if zh {
            writeln!(
                out,
                "不可行：{} 处冲突无法通过移动日期消除：",
                s.conflicts.len()
            )
        } else {
            writeln!(
                out,
                "infeasible: {} conflict(s) no move of a date removes:",
                s.conflicts.len()
            )
        };
        conflict_lines(&mut out, &s.conflicts);
    }
    let _ = if zh {
        writeln!(
            out,
            "（{} 条日期规则；在内存中重新检查计划 {} 次）",
            s.date_rules.len(),
            s.checks
        )
    } else {
        writeln!(
            out,
            "({} date rules; the plan was re-checked in memory {} times)",
            s.date_rules.len(),
            s.checks
        )
    };
    out
}

#[derive(Serialize)]
struct JsonSchedule<'a> {
    feasible: bool,
    milestones: Vec<JsonMilestone<'a>>,
    conflicts: Vec<JsonConflict<'a>>,
}

#[derive(Serialize)]
struct JsonMilestone<'a> {
    path: &'a str,
    current: String,
    earliest: Option<String>,
    latest: Option<String>,
    proposed: String,
    rules: Vec<String>,
    critical: bool,
}

#[derive(Serialize)]
struct JsonConflict<'a> {
    rule: &'a str,
    message: &'a str,
    dates: Vec<JsonDate<'a>>,
}

#[derive(Serialize)]
struct JsonDate<'a> {
    path: &'a str,
    date: String,
}

/// The schedule as one JSON object (pretty-printed, ending in a newline): `feasible`,
/// `milestones` (`path`, `current`, `earliest`, `latest`, `proposed`, `rules`, `critical`) and
/// `conflicts` (`rule`, `message`, `dates`). `current` and `proposed` are written as the value
/// is (a date or a date-time); window ends are days, `null` when unbounded.
pub fn render_json(s: &Schedule) -> String {
    let out = JsonSchedule {
        feasible: s.feasible(),
        milestones: s
            .milestones
            .iter()
            .map(|p| JsonMilestone {
                path: &p.milestone.path,
                current: p.milestone.literal(p.milestone.current),
                earliest: p.window.as_ref().and_then(|w| w.earliest).map(day),
                latest: p.window.as_ref().and_then(|w| w.latest).map(day),
                proposed: p.milestone.literal(p.proposed),
                rules: p.window.as_ref().map(|w| w.rules()).unwrap_or_default(),
                critical: p.critical,
            })
            .collect(),
        conflicts: s
            .conflicts
            .iter()
            .map(|c| JsonConflict {
                rule: &c.rule,
                message: &c.message,
                dates: c
                    .dates
                    .iter()
                    .map(|(path, d)| JsonDate {
                        path,
                        date: day(*d),
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
    text.push('\n');
    text
}

/// RFC 5545 TEXT escaping.
fn ics_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (never inside a UTF-8 character) and ends it with CRLF.
fn ics_line(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// The schedule as an iCalendar: one all-day event per milestone that is not a fact, on its
/// deadline (the window's last day; the proposed day when the window has no end).
pub fn render_ics(s: &Schedule, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//hegui//hegui schedule//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        ics_line(&mut out, l);
    }
    let stamp = format!("{}T000000Z", s.today.format("%Y%m%d"));
    let uid_file: String = s
        .file
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    for p in s.milestones.iter().filter(|p| !p.milestone.fact) {
        let deadline = p
            .window
            .as_ref()
            .and_then(|w| w.latest)
            .unwrap_or(p.proposed);
        let uid_path: String = p
            .milestone
            .path
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let summary = if zh {
            format!("截止：{}", p.milestone.path)
        } else {
            format!("Deadline: {}", p.milestone.path)
        };
        let rules = p.window.as_ref().map(|w| w.rules()).unwrap_or_default();
        let description = if zh {
            format!(
                "{}：当前 {}，窗口 {}，建议 {}，约束规则 {}",
                s.file,
                day(p.milestone.current),
                window_text(p, lang),
                day(p.proposed),
                rules.join("、")
            )
        } else {
            format!(
                "{}: current {}, window {}, proposed {}, rules {}",
                s.file,
                day(p.milestone.current),
                window_text(p, lang),
                day(p.proposed),
                rules.join(", ")
            )
        };
        ics_line(&mut out, "BEGIN:VEVENT");
        ics_line(&mut out, &format!("UID:{uid_path}.{uid_file}@hegui"));
        ics_line(&mut out, &format!("DTSTAMP:{stamp}"));
        ics_line(
            &mut out,
            &format!("DTSTART;VALUE=DATE:{}", deadline.format("%Y%m%d")),
        );
        ics_line(
            &mut out,
            &format!(
                "DTEND;VALUE=DATE:{}",
                (deadline + chrono::Duration::days(1)).format("%Y%m%d")
            ),
        );
        ics_line(&mut out, &format!("SUMMARY:{}", ics_text(&summary)));
        ics_line(&mut out, &format!("DESCRIPTION:{}", ics_text(&description)));
        if p.critical {
            ics_line(&mut out, "CATEGORIES:critical");
        }
        ics_line(&mut out, "TRANSP:TRANSPARENT");
        ics_line(&mut out, "END:VEVENT");
    }
    ics_line(&mut out, "END:VCALENDAR");
    out
}

/// What `--write` did: the dates moved, and the date-rule findings left.
pub fn render_moves(file: &str, r: &Repair, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut out = String::new();
    let _ = match (zh, r.moves.is_empty()) {
        (true, true) => writeln!(out, "{file}：没有日期在其窗口之外，文件未改动。"),
        (false, true) => writeln!(
            out,
            "{file}: no date lies outside its window; the file is unchanged."
        ),
        (true, false) => writeln!(
            out,
            "{file}：已移动 {} 个日期到其窗口最近的一端：",
            r.moves.len()
        ),
        (false, false) => writeln!(
            out,
            "{file}: moved {} date(s) to the nearest end of their window:",
            r.moves.len()
        ),
    };
    for m in &r.moves {
        let _ = writeln!(out, "  {}: {} → {}", m.path, day(m.from), day(m.to));
    }
    if !r.conflicts.is_empty() {
        let _ = if zh {
            writeln!(
                out,
                "不可行：{} 处冲突无法通过移动日期消除：",
                r.conflicts.len()
            )
        } else {
            writeln!(
                out,
                "infeasible: {} conflict(s) no move of a date removes:",
                r.conflicts.len()
            )
        };
        conflict_lines(&mut out, &r.conflicts);
    }
    let _ = if zh {
        writeln!(out, "（在内存中重新检查计划 {} 次）", r.checks)
    } else {
        writeln!(
            out,
            "(the plan was re-checked in memory {} times)",
            r.checks
        )
    };
    out
}
