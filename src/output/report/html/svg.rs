//! The timeline drawn as inline SVG (no script, no external resource): one row per mark, the
//! plan's days on the axis, each date's schedule window as a green band under its row. Dates
//! far from the plan's cluster of dates are drawn at the edge (`◂` / `▸`) with their full date,
//! so that one far date does not squeeze the plan into a strip.

use chrono::{Datelike, NaiveDate};

use super::Html;
use crate::output::report::Languages;
use crate::output::report::timeline::{Timeline, short, when};
use crate::reader::Text;

const WIDTH: f64 = 960.0;
const RIGHT: f64 = 150.0;
const ROW: f64 = 24.0;
const TOP: f64 = 34.0;
/// Widest the two label columns may grow, together.
const MAX_LABEL: f64 = 520.0;
const MIN_LABEL: f64 = 300.0;
/// A gap between dates longer than this (in days) separates far dates from the plan's own.
const FAR_GAP: i64 = 60;
/// How long a trailing period (retention) is drawn past the plan's last date, in days.
const TAIL_DAYS: i64 = 45;
/// The longest axis drawn, in days (ten years); marks beyond it are drawn at its end.
const MAX_AXIS_DAYS: i64 = 3_660;

/// `day` moved by `days`, stopping at the calendar's ends.
fn shift(day: NaiveDate, days: i64) -> NaiveDate {
    chrono::Duration::try_days(days)
        .and_then(|d| day.checked_add_signed(d))
        .unwrap_or(if days < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
}

/// Pixels a text takes at about 11px: wide (CJK) characters about twice a Latin one.
fn text_width(text: &str, em: f64) -> f64 {
    text.chars()
        .map(|c| if (c as u32) < 0x1100 { em * 0.56 } else { em })
        .sum()
}

/// The text cut to `max` pixels, with `…` when cut.
fn fit(text: &str, max: f64, em: f64) -> String {
    if text_width(text, em) <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut width = text_width("…", em);
    for c in text.chars() {
        width += text_width(c.encode_utf8(&mut [0; 4]), em);
        if width > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// The days the axis covers: the largest cluster of the plan's dates (dates separated by more
/// than [`FAR_GAP`] days form separate clusters), trailing periods cut [`TAIL_DAYS`] after it.
fn axis(timeline: &Timeline) -> (NaiveDate, NaiveDate) {
    let mut days: Vec<NaiveDate> = timeline
        .marks
        .iter()
        .flat_map(|m| {
            let end = if m.tail { None } else { m.end };
            std::iter::once(m.start).chain(end)
        })
        .collect();
    days.sort();
    let mut clusters: Vec<Vec<NaiveDate>> = Vec::new();
    for d in days {
        match clusters.last_mut() {
            Some(c) if (d - *c.last().unwrap_or(&d)).num_days() <= FAR_GAP => c.push(d),
            _ => clusters.push(vec![d]),
        }
    }
    // The most dates; on a tie, the earliest cluster.
    let best = clusters
        .iter()
        .enumerate()
        .max_by_key(|(i, c)| (c.len(), std::cmp::Reverse(*i)))
        .map(|(_, c)| c.clone())
        .unwrap_or_default();
    let (Some(&lo), Some(&hi)) = (best.first(), best.last()) else {
        return (NaiveDate::MIN, NaiveDate::MIN);
    };
    // Trailing periods starting inside the cluster may reach past it, up to TAIL_DAYS.
    let tail_end = timeline
        .marks
        .iter()
        .filter(|m| m.tail && m.start >= lo && m.start <= hi)
        .filter_map(|m| m.end)
        .max()
        .unwrap_or(hi);
    let from = shift(lo, -3);
    let mut to = shift(tail_end.min(shift(hi, TAIL_DAYS)).max(hi), 3);
    if (to - from).num_days() < 21 {
        to = shift(from, 21);
    }
    (from, to.min(shift(from, MAX_AXIS_DAYS)))
}

/// Draws the timeline.
pub(crate) fn svg(h: &mut Html, timeline: &Timeline, languages: Languages, today: &str) {
    if timeline.marks.is_empty() {
        return;
    }
    let lang = languages.primary();
    let text_of = |t: &Text| match languages {
        Languages::Both => format!("{} {}", t.zh, t.en),
        _ => t.get(lang).to_owned(),
    };
    // Label columns as wide as their longest words, within bounds.
    let entity_w = timeline
        .marks
        .iter()
        .map(|m| text_width(&m.entity, 11.5))
        .fold(0.0, f64::max)
        .min(240.0)
        + 14.0;
    let what_w = timeline
        .marks
        .iter()
        .map(|m| text_width(&text_of(&m.what), 11.0))
        .fold(0.0, f64::max)
        + 12.0;
    let label = (entity_w + what_w).clamp(MIN_LABEL, MAX_LABEL);
    let what_x = entity_w.min(label - 140.0);
    let (from, to) = axis(timeline);
    let x0 = label + 10.0;
    let x1 = WIDTH - RIGHT;
    let span_days = (to - from).num_days().max(1);
    let per_day = (x1 - x0) / span_days as f64;
    let x = |d: NaiveDate| x0 + (d - from).num_days().clamp(0, span_days) as f64 * per_day;
    let height = TOP + ROW * timeline.marks.len() as f64 + 14.0;
    let num = |v: f64| format!("{v:.1}");

    h.open(
        "svg",
        &[
            ("class", "timeline"),
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("viewBox", &format!("0 0 {WIDTH} {}", num(height))),
            ("role", "img"),
            ("aria-label", &languages.label("时间线", "timeline")),
        ],
    );
    // Entity bands: alternate backgrounds so the rows of one entity read together.
    let mut band = 0;
    let mut previous: Option<&str> = None;
    for (i, m) in timeline.marks.iter().enumerate() {
        if previous != Some(m.entity.as_str()) {
            band += 1;
            previous = Some(&m.entity);
        }
        if band % 2 == 0 {
            let y = TOP + ROW * i as f64;
            h.void(
                "rect",
                &[
                    ("class", "band"),
                    ("x", "0"),
                    ("y", &num(y)),
                    ("width", &num(WIDTH)),
                    ("height", &num(ROW)),
                ],
            );
        }
    }
    // Weeks (Mondays) and months; a month's label only where it does not run into the last.
    let mut day = from;
    let mut label_end = f64::MIN;
    while day <= to {
        let xd = num(x(day));
        if day.day() == 1 {
            h.void(
                "line",
                &[
                    ("class", "month"),
                    ("x1", &xd),
                    ("x2", &xd),
                    ("y1", "18"),
                    ("y2", &num(height - 10.0)),
                ],
            );
            let text = format!("{}-{:02}", day.year(), day.month());
            let at = x(day) + 3.0;
            if at >= label_end && at + text_width(&text, 11.0) <= WIDTH {
                h.el(
                    "text",
                    &[("class", "axis"), ("x", &num(at)), ("y", "14")],
                    &text,
                );
                label_end = at + text_width(&text, 11.0) + 8.0;
            }
        } else if day.weekday() == chrono::Weekday::Mon {
            h.void(
                "line",
                &[
                    ("class", "week"),
                    ("x1", &xd),
                    ("x2", &xd),
                    ("y1", &num(TOP - 6.0)),
                    ("y2", &num(height - 10.0)),
                ],
            );
            // Day numbers only where a week is wide enough to hold them.
            if per_day * 7.0 >= 18.0 && day.day() > 3 {
                h.el(
                    "text",
                    &[("class", "axis small"), ("x", &xd), ("y", &num(TOP - 8.0))],
                    &day.day().to_string(),
                );
            }
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    for c in timeline
        .closures
        .iter()
        .filter(|c| **c >= from && **c <= to)
    {
        let xc = num(x(*c));
        h.void(
            "line",
            &[
                ("class", "closure-line"),
                ("x1", &xc),
                ("x2", &xc),
                ("y1", &num(TOP - 4.0)),
                ("y2", &num(height - 10.0)),
            ],
        );
    }
    if let Ok(t) = today.parse::<NaiveDate>()
        && t >= from
        && t <= to
    {
        let xt = num(x(t));
        h.void(
            "line",
            &[
                ("class", "today-line"),
                ("x1", &xt),
                ("x2", &xt),
                ("y1", "18"),
                ("y2", &num(height - 10.0)),
            ],
        );
        h.el(
            "text",
            &[
                ("class", "axis today"),
                ("x", &num(x(t) + 3.0)),
                ("y", &num(height - 1.0)),
            ],
            &languages.label("今天", "today"),
        );
    }
    let mut shown = Vec::new();
    previous = None;
    for (i, m) in timeline.marks.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let mid = y + ROW / 2.0 - 2.0;
        let blamed = !m.blamed.is_empty();
        let class = format!("t-{}{}", m.style, if blamed { " blamed" } else { "" });
        // The schedule windows of its values, each once (a refund's due day shares its span).
        let allowed: Vec<_> = timeline
            .allowed_of(m)
            .filter(|a| !shown.contains(&a.span))
            .collect();
        shown.extend(allowed.iter().map(|a| a.span.clone()));
        h.open("g", &[("class", &class)]);
        let windows: String = allowed
            .iter()
            .map(|a| {
                format!(
                    " · {} {}",
                    languages.label("合规窗口", "window"),
                    a.range(&a.no_day(languages))
                )
            })
            .collect();
        h.el(
            "title",
            &[],
            &format!(
                "{} · {} · {}{}{windows}",
                m.entity,
                text_of(&m.what),
                when(m),
                if blamed {
                    format!(" · {}", m.blamed.join(", "))
                } else {
                    String::new()
                }
            ),
        );
        if previous != Some(m.entity.as_str()) {
            h.el(
                "text",
                &[("class", "entity"), ("x", "6"), ("y", &num(mid + 4.0))],
                &fit(&m.entity, what_x - 12.0, 11.5),
            );
            previous = Some(&m.entity);
        }
        h.el(
            "text",
            &[
                ("class", "what"),
                ("x", &num(what_x)),
                ("y", &num(mid + 4.0)),
            ],
            &fit(&text_of(&m.what), label - what_x - 4.0, 11.0),
        );
        for (n, a) in allowed.iter().enumerate() {
            // A window without either bound constrains nothing: not drawn.
            let Some((earliest, latest)) = a.window.filter(|(e, l)| e.is_some() || l.is_some())
            else {
                continue;
            };
            let (e, l) = (
                earliest.unwrap_or(from).max(from),
                latest.unwrap_or(to).min(to),
            );
            if e > to || l < from || e > l {
                continue;
            }
            let w = (x(l) - x(e)).max(2.0);
            h.void(
                "rect",
                &[
                    (
                        "class",
                        if a.holds() {
                            "allowed"
                        } else {
                            "allowed missed"
                        },
                    ),
                    ("x", &num(x(e))),
                    ("y", &num(mid + 7.5 + 3.5 * n as f64)),
                    ("width", &num(w)),
                    ("height", "2.5"),
                ],
            );
        }
        let before = m.start < from;
        let after = m.start > to;
        let start = x(m.start);
        let visible = m.end.filter(|e| *e >= from && m.start <= to);
        let label_x = match visible {
            Some(end) => {
                let cut = end > to;
                let w = (x(end) - start).max(2.0);
                h.void(
                    "rect",
                    &[
                        ("class", "bar"),
                        ("x", &num(start)),
                        ("y", &num(mid - 6.0)),
                        ("width", &num(w)),
                        ("height", "12"),
                        ("rx", "2"),
                    ],
                );
                if cut {
                    h.el(
                        "text",
                        &[
                            ("class", "cut"),
                            ("x", &num(x1 - 2.0)),
                            ("y", &num(mid + 4.0)),
                        ],
                        "▸",
                    );
                }
                if before {
                    h.el(
                        "text",
                        &[
                            ("class", "cut start"),
                            ("x", &num(x0 + 2.0)),
                            ("y", &num(mid + 4.0)),
                        ],
                        "◂",
                    );
                }
                start + w + 5.0
            }
            _ if before || after => {
                // A far date: an arrow at the edge, its full date beside it.
                let (ax, glyph) = if before { (x0, "◂") } else { (x1, "▸") };
                h.el(
                    "text",
                    &[
                        ("class", "far"),
                        ("x", &num(ax)),
                        ("y", &num(mid + 4.0)),
                        ("text-anchor", if before { "start" } else { "end" }),
                    ],
                    glyph,
                );
                if before { ax + 12.0 } else { ax + 4.0 }
            }
            _ => {
                let d = format!("M{} {}l6 6l-6 6l-6 -6z", num(start), num(mid - 6.0));
                h.void("path", &[("class", "dot"), ("d", &d)]);
                start + 9.0
            }
        };
        // Cut or far: the full dates, since the axis does not show them.
        let far = before || after || m.end.is_some_and(|e| e > to);
        let mut label = match (m.end, far) {
            (Some(end), false) => format!("{} → {}", short(m.start, None), short(end, None)),
            (Some(end), true) => format!("{} → {end}", m.start),
            (None, false) => short(m.start, m.time.as_deref()),
            (None, true) => match &m.time {
                Some(t) => format!("{} {t}", m.start),
                None => m.start.to_string(),
            },
        };
        if blamed {
            label.push_str("  ⚠ ");
            label.push_str(&m.blamed.join(", "));
        }
        // A label that would run off the right edge goes left of the mark instead.
        let estimated = text_width(&label, 10.5);
        let (lx, anchor) = if label_x + estimated > WIDTH - 2.0 {
            ((start - 9.0).max(x0 + estimated), "end")
        } else {
            (label_x, "start")
        };
        h.el(
            "text",
            &[
                ("class", "date"),
                ("x", &num(lx)),
                ("y", &num(mid + 4.0)),
                ("text-anchor", anchor),
            ],
            &label,
        );
        h.close("g");
    }
    h.close("svg");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::report::timeline::Mark;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn mark(start: NaiveDate, end: Option<NaiveDate>) -> Mark {
        Mark {
            style: "export".into(),
            entity: "e".into(),
            what: crate::output::report::same("x"),
            start,
            end,
            time: None,
            blamed: Vec::new(),
            tail: false,
            spans: Vec::new(),
        }
    }

    /// (x, words) of every `<text class="axis" …>`.
    fn months(svg: &str) -> Vec<(f64, String)> {
        svg.split("<text class=\"axis\" x=\"")
            .skip(1)
            .map(|r| {
                let x = r[..r.find('"').unwrap()].parse().unwrap();
                (
                    x,
                    r[r.find('>').unwrap() + 1..r.find("</text>").unwrap()].to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn month_labels_never_overlap_on_a_long_axis() {
        // A date every 30 days for 30 months: one cluster, about 17 px a month.
        let marks = (0..31)
            .map(|i| mark(day(2026, 1, 5) + chrono::Duration::days(30 * i), None))
            .collect();
        let timeline = Timeline {
            marks,
            ..Timeline::default()
        };
        let (from, to) = axis(&timeline);
        assert_eq!(from, day(2026, 1, 2));
        assert!(to >= day(2028, 6, 1), "{to}");
        let mut h = Html::default();
        svg(&mut h, &timeline, Languages::En, "2026-01-01");
        let labels = months(&h.out);
        assert!(labels.len() >= 8, "{labels:?}");
        for w in labels.windows(2) {
            assert!(
                w[1].0 - w[0].0 >= text_width(&w[0].1, 11.0) + 8.0,
                "overlap: {w:?}"
            );
        }
        // Every month still has its line.
        assert!(h.out.matches("<line class=\"month\"").count() >= 29);
    }

    #[test]
    fn a_far_date_does_not_stretch_the_axis() {
        let mut marks: Vec<Mark> = (0..6)
            .map(|i| mark(day(2026, 12, 1) + chrono::Duration::days(5 * i), None))
            .collect();
        marks.push(mark(day(2024, 6, 1), None));
        marks.push(mark(day(2026, 12, 3), Some(day(2029, 1, 1))));
        let timeline = Timeline {
            marks,
            ..Timeline::default()
        };
        let (from, to) = axis(&timeline);
        assert_eq!((from, to), (day(2026, 11, 28), day(2026, 12, 29)));
        let mut h = Html::default();
        svg(&mut h, &timeline, Languages::En, "2026-11-22");
        assert!(
            h.out.contains(">2024-06-01</text>"),
            "the far day written out"
        );
        assert!(
            h.out.contains(">2026-12-03 → 2029-01-01</text>"),
            "a cut window's end"
        );
        assert_eq!(h.out.matches("<text class=\"far\"").count(), 1);
        assert_eq!(h.out.matches("<text class=\"cut\"").count(), 1);
    }

    #[test]
    fn labels_fit_and_long_ones_are_cut_with_an_ellipsis() {
        assert_eq!(fit("short", 100.0, 11.0), "short");
        let cut = fit(&"长".repeat(40), 110.0, 11.0);
        assert!(
            cut.ends_with('…') && text_width(&cut, 11.0) <= 110.0,
            "{cut}"
        );
    }
}
