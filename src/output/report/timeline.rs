//! A plan's dates on one line: the decision, each notice's display window, cancellation and
//! cooling period, closure, platform data retention, export and deletion deadlines, refunds,
//! settlements and coupon withdrawals. The dates are read from the parsed manifest; the
//! lengths of the computed windows (cooling period, platform retention, refund working days)
//! are the parameters of the rules that judge them, as loaded. A mark is *blamed* when an
//! active finding points at one of the values it is drawn from.

use chrono::{Datelike, Duration, NaiveDate};

use super::Item;
use super::html::Html;
use crate::engine::Engine;
use crate::reader::Text;
use crate::source::Source;
use crate::tree::{Node, NodeValue, Span};

/// Where the length of a computed window comes from: (rule, parameter).
const COOLING: (&str, &str) = ("ACC001", "cooling_days");
const PLATFORM_RETENTION: (&str, &str) = ("DAT009", "retention_days");
const REFUND_WORKDAYS: (&str, &str) = ("FIN003", "workdays");

/// How a mark is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Style {
    Decision,
    Notice,
    Cooling,
    Request,
    Closure,
    PlatformRetention,
    Export,
    Delete,
    Kept,
    ContractNotice,
    ContractEnd,
    Settle,
    Refund,
    RefundDue,
    Withdraw,
}

impl Style {
    /// CSS class.
    pub(crate) fn class(self) -> &'static str {
        match self {
            Style::Decision => "t-decision",
            Style::Notice => "t-notice",
            Style::Cooling => "t-cooling",
            Style::Request => "t-request",
            Style::Closure => "t-closure",
            Style::PlatformRetention => "t-platform",
            Style::Export => "t-export",
            Style::Delete => "t-delete",
            Style::Kept => "t-kept",
            Style::ContractNotice => "t-contract",
            Style::ContractEnd => "t-contract",
            Style::Settle => "t-settle",
            Style::Refund => "t-refund",
            Style::RefundDue => "t-refund",
            Style::Withdraw => "t-withdraw",
        }
    }

    /// Legend text.
    pub(crate) fn legend(self) -> Text {
        let (zh, en) = match self {
            Style::Decision => ("决定", "decision"),
            Style::Notice => ("公示展示期", "notice on display"),
            Style::Cooling => ("注销冷却期", "cooling period"),
            Style::Request => ("申请注销", "cancellation filed"),
            Style::Closure => ("注销生效", "closure"),
            Style::PlatformRetention => ("平台保留数据", "platform keeps data"),
            Style::Export => ("导出截止", "export deadline"),
            Style::Delete => ("删除截止", "deletion deadline"),
            Style::Kept => ("注销后自行保留", "kept after closure"),
            Style::ContractNotice | Style::ContractEnd => ("合约", "contract"),
            Style::Settle => ("权益结清", "obligation settled"),
            Style::Refund | Style::RefundDue => ("广告余额退款", "ad refund"),
            Style::Withdraw => ("卡券下架", "coupon withdrawal"),
        };
        super::bi(zh, en)
    }

    fn is_window(self) -> bool {
        matches!(
            self,
            Style::Notice | Style::Cooling | Style::PlatformRetention | Style::Kept | Style::Refund
        )
    }
}

/// `day` plus `days`, or `None` past the calendar's end (a window so long has no end to
/// draw; a rule reports the value itself).
fn plus_days(day: NaiveDate, days: i64) -> Option<NaiveDate> {
    Duration::try_days(days).and_then(|d| day.checked_add_signed(d))
}

/// `day` moved by `days`, stopping at the calendar's ends.
fn shift(day: NaiveDate, days: i64) -> NaiveDate {
    plus_days(day, days).unwrap_or(if days < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

/// The longest axis drawn, in days (ten years); marks beyond it are drawn at its end.
const MAX_AXIS_DAYS: i64 = 3_660;

/// One mark: a day, or a window of days.
#[derive(Debug, Clone)]
pub(crate) struct Mark {
    pub style: Style,
    /// The entity (account id, notice id, card id …).
    pub entity: String,
    pub what: Text,
    pub start: NaiveDate,
    /// Last day of a window.
    pub end: Option<NaiveDate>,
    /// Time of day, for date-times.
    pub time: Option<String>,
    /// `F3 NTC001` for each active finding that points at those values.
    pub blamed: Vec<String>,
}

/// A plan's timeline.
#[derive(Debug, Clone, Default)]
pub(crate) struct Timeline {
    /// Marks in document order of their entities.
    pub marks: Vec<Mark>,
    /// Closure days (drawn across the chart).
    pub closures: Vec<NaiveDate>,
    /// What could not be drawn, and why.
    pub notes: Vec<Text>,
}

/// A value as text: strings as they are, dates as `2026-12-20`.
pub(crate) fn value_text(node: &Node) -> String {
    match &node.value {
        NodeValue::String(s) => s.clone(),
        NodeValue::Integer(i) => i.to_string(),
        NodeValue::Float(f) => f.to_string(),
        NodeValue::Bool(b) => b.to_string(),
        NodeValue::Date(d) => d.to_string(),
        NodeValue::DateTime(dt) => dt.format("%Y-%m-%d %H:%M").to_string(),
        NodeValue::OffsetDateTime(s) => s.clone(),
        NodeValue::Time(t) => t.to_string(),
        NodeValue::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        NodeValue::Table(_) => String::new(),
    }
}

fn date_of(node: &Node) -> Option<(NaiveDate, Option<String>)> {
    match &node.value {
        NodeValue::Date(d) => Some((*d, None)),
        NodeValue::DateTime(dt) => Some((dt.date(), Some(dt.format("%H:%M").to_string()))),
        _ => None,
    }
}

/// A date value of a table and its node.
fn get<'a>(node: &'a Node, key: &str) -> Option<((NaiveDate, Option<String>), &'a Node)> {
    node.get(key).and_then(|n| date_of(n).map(|d| (d, n)))
}

/// The entries of a `[[table]]` (or the one `[table]`).
fn entries<'a>(doc: &'a Node, table: &str) -> Vec<&'a Node> {
    match doc.get(table).map(|n| &n.value) {
        Some(NodeValue::Array(items)) => items
            .iter()
            .filter(|n| matches!(n.value, NodeValue::Table(_)))
            .collect(),
        Some(NodeValue::Table(_)) => doc.get(table).into_iter().collect(),
        _ => Vec::new(),
    }
}

fn name_of(node: &Node, fallback: &str) -> String {
    node.get("id")
        .or_else(|| node.get("card_id"))
        .and_then(Node::as_str)
        .map_or_else(|| fallback.to_owned(), str::to_owned)
}

/// A rule parameter in force, as an integer; `key` looks into a map parameter.
fn param(engine: &Engine, (rule, name): (&str, &str), key: Option<&str>) -> Option<i64> {
    let value = &engine
        .rules()
        .rule(rule)?
        .params
        .iter()
        .find(|p| p.name == name)?
        .value;
    let value = match (value, key) {
        (cel::Value::Map(m), Some(k)) => m.map.get(&cel::objects::Key::String(
            std::sync::Arc::new(k.to_owned()),
        ))?,
        (v, None) => v,
        _ => return None,
    };
    match value {
        cel::Value::Int(i) => Some(*i),
        cel::Value::UInt(u) => i64::try_from(*u).ok(),
        _ => None,
    }
}

/// The Chinese name the vocabulary gives an enum value (its `doc` lists them in order,
/// separated by ` · `), if it does.
fn enum_label(engine: &Engine, table: &str, key: &str, value: &str) -> Option<String> {
    let shape = engine.rules().shape.as_ref()?;
    let spec = &shape.root.keys().iter().find(|(k, _)| k == table)?.1;
    let spec = &spec.keys().iter().find(|(k, _)| k == key)?.1;
    let crate::shape::KeyType::Enum(values) = &spec.ty else {
        return None;
    };
    let names: Vec<&str> = spec.doc.split(" · ").collect();
    let index = values.iter().position(|v| v == value)?;
    (names.len() == values.len()).then(|| names[index].trim().to_owned())
}

struct Builder<'a> {
    marks: Vec<Mark>,
    items: &'a [Item],
    plan: usize,
    source: &'a Source,
}

impl Builder<'_> {
    /// A one-day mark for the date at `key` of `entry`, if it holds one.
    fn date(&mut self, style: Style, entity: &str, what: Text, entry: &Node, key: &str) {
        if let Some((day, n)) = get(entry, key) {
            self.push(style, entity, what, day, None, vec![n.span.clone()]);
        }
    }

    fn push(
        &mut self,
        style: Style,
        entity: &str,
        what: Text,
        (start, time): (NaiveDate, Option<String>),
        end: Option<NaiveDate>,
        spans: Vec<Span>,
    ) {
        let blamed = self
            .items
            .iter()
            .filter(|i| i.plan == Some(self.plan) && i.finding.waived.is_none())
            .filter(|i| i.finding.source.name == self.source.name)
            .filter(|i| {
                spans
                    .iter()
                    .any(|s| *s == i.finding.span || i.finding.labels.iter().any(|l| l.span == *s))
            })
            .map(|i| format!("{} {}", i.tag(), i.finding.rule))
            .collect();
        self.marks.push(Mark {
            style,
            entity: entity.to_owned(),
            what,
            start,
            end,
            time,
            blamed,
        });
    }
}

/// Reads a plan's timeline from its parsed manifest.
pub(crate) fn build(
    engine: &Engine,
    doc: &Node,
    source: &Source,
    items: &[Item],
    plan: usize,
) -> Timeline {
    let mut b = Builder {
        marks: Vec::new(),
        items,
        plan,
        source,
    };
    let mut notes = Vec::new();
    let mut closures = Vec::new();

    for p in entries(doc, "plan") {
        let id = name_of(p, "plan");
        if let Some((d, n)) = get(p, "decided_on") {
            let what = Style::Decision.legend();
            b.push(Style::Decision, &id, what, d, None, vec![n.span.clone()]);
        }
    }

    let accounts = entries(doc, "account");
    for (i, a) in accounts.iter().enumerate() {
        let id = name_of(a, &format!("account[{i}]"));
        let kind = a.get("type").and_then(Node::as_str);
        let requested = get(a, "cancellation_requested_on");
        if let Some((d, n)) = &requested {
            match param(engine, COOLING, kind) {
                Some(days) => b.push(
                    Style::Cooling,
                    &id,
                    super::bi(
                        format!("申请注销 + 冷却期 {days} 日"),
                        format!("filed + {days}-day cooling"),
                    ),
                    d.clone(),
                    plus_days(d.0, days),
                    vec![n.span.clone()],
                ),
                None => b.push(
                    Style::Request,
                    &id,
                    Style::Request.legend(),
                    d.clone(),
                    None,
                    vec![n.span.clone()],
                ),
            }
        }
        if let Some((d, n)) = get(a, "closure_effective_on") {
            closures.push(d.0);
            b.push(
                Style::Closure,
                &id,
                Style::Closure.legend(),
                d.clone(),
                None,
                vec![n.span.clone()],
            );
            match param(engine, PLATFORM_RETENTION, kind) {
                // A platform fact, never blamed itself: no spans.
                Some(days) => b.push(
                    Style::PlatformRetention,
                    &id,
                    super::bi(
                        format!("平台保留数据 {days} 日"),
                        format!("platform keeps data {days} d"),
                    ),
                    (d.0, None),
                    plus_days(d.0, days),
                    Vec::new(),
                ),
                None => notes.push(super::bi(
                    format!(
                        "账号 {id}：平台数据保留期未知（规则 {} 参数 {}）",
                        PLATFORM_RETENTION.0, PLATFORM_RETENTION.1
                    ),
                    format!(
                        "account {id}: platform data retention unknown (rule {} parameter {})",
                        PLATFORM_RETENTION.0, PLATFORM_RETENTION.1
                    ),
                )),
            }
        }
    }
    let first_closure = closures.iter().min().copied();

    for (i, n) in entries(doc, "notice").iter().enumerate() {
        let id = name_of(n, &format!("notice[{i}]"));
        let kind = n.get("kind").and_then(Node::as_str).unwrap_or("");
        let Some((start, start_node)) = get(n, "published_on") else {
            continue;
        };
        let zh =
            enum_label(engine, "notice", "kind", kind).unwrap_or_else(|| format!("公示 {kind}"));
        let what = super::bi(zh.clone(), format!("notice: {kind}"));
        match get(n, "displayed_until") {
            Some((end, end_node)) => b.push(
                Style::Notice,
                &id,
                what,
                start,
                Some(end.0),
                vec![start_node.span.clone(), end_node.span.clone()],
            ),
            None => b.push(
                Style::Notice,
                &id,
                super::bi(
                    format!("{zh}（发布日）"),
                    format!("notice: {kind} (published)"),
                ),
                start,
                None,
                vec![start_node.span.clone()],
            ),
        }
    }

    for (i, d) in entries(doc, "data").iter().enumerate() {
        let id = name_of(d, &format!("data[{i}]"));
        b.date(Style::Export, &id, Style::Export.legend(), d, "export_by");
        b.date(Style::Delete, &id, Style::Delete.legend(), d, "delete_by");
        if let (Some(n), Some(first)) = (d.get("retention_days"), first_closure)
            && let NodeValue::Integer(days) = n.value
        {
            b.push(
                Style::Kept,
                &id,
                super::bi(
                    format!("注销后保留 {days} 日"),
                    format!("kept {days} d after closure"),
                ),
                (first, None),
                plus_days(first, days),
                vec![n.span.clone()],
            );
        }
    }

    for (i, c) in entries(doc, "contract").iter().enumerate() {
        let id = name_of(c, &format!("contract[{i}]"));
        b.date(
            Style::ContractNotice,
            &id,
            super::bi("发出终止通知", "termination notice sent"),
            c,
            "termination_notice_on",
        );
        b.date(
            Style::ContractEnd,
            &id,
            super::bi("合约终止", "contract terminates"),
            c,
            "terminates_on",
        );
    }

    for (i, o) in entries(doc, "obligation").iter().enumerate() {
        let id = name_of(o, &format!("obligation[{i}]"));
        b.date(Style::Settle, &id, Style::Settle.legend(), o, "settle_by");
    }

    for f in entries(doc, "finance") {
        let Some((day, n)) = get(f, "ad_refund_requested_on") else {
            continue;
        };
        let span = vec![n.span.clone()];
        let due = param(engine, REFUND_WORKDAYS, None)
            .map(|w| (w, engine.rules().calendar.add_workdays(day.0, w)));
        match due {
            Some((w, Ok(due))) => {
                let what = super::bi(
                    format!("广告退款 {w} 个工作日"),
                    format!("ad refund, {w} working days"),
                );
                b.push(Style::Refund, "finance", what, day, Some(due), span.clone());
                let what = super::bi("退款到账", "refund due");
                b.push(Style::RefundDue, "finance", what, (due, None), None, span);
            }
            Some((_, Err(missing))) => {
                notes.push(super::bi(
                    format!("退款到账日无法计算：工作日日历缺少 {} 年", missing.0),
                    format!(
                        "refund due day unknown: the working-day calendar lacks {}",
                        missing.0
                    ),
                ));
                b.push(
                    Style::Refund,
                    "finance",
                    Style::Refund.legend(),
                    day,
                    None,
                    span,
                );
            }
            None => b.push(
                Style::Refund,
                "finance",
                Style::Refund.legend(),
                day,
                None,
                span,
            ),
        }
    }

    for (i, c) in entries(doc, "coupon_batch").iter().enumerate() {
        let id = c
            .get("title")
            .and_then(Node::as_str)
            .map_or_else(|| name_of(c, &format!("coupon_batch[{i}]")), str::to_owned);
        b.date(
            Style::Withdraw,
            &id,
            Style::Withdraw.legend(),
            c,
            "withdraw_at",
        );
    }

    closures.sort();
    closures.dedup();
    Timeline {
        marks: b.marks,
        closures,
        notes,
    }
}

/// `12-15` (with the time when there is one).
fn short(day: NaiveDate, time: Option<&str>) -> String {
    match time {
        Some(t) => format!("{:02}-{:02} {t}", day.month(), day.day()),
        None => format!("{:02}-{:02}", day.month(), day.day()),
    }
}

/// `2026-11-25 → 2026-12-31 (37 d)` or `2026-12-15 10:00`.
pub(crate) fn when(mark: &Mark) -> String {
    match mark.end {
        Some(end) => format!(
            "{} → {} ({} d)",
            mark.start,
            end,
            (end - mark.start).num_days()
        ),
        None => match &mark.time {
            Some(t) => format!("{} {t}", mark.start),
            None => mark.start.to_string(),
        },
    }
}

fn truncate(text: &str, max: usize) -> String {
    // CJK characters are about twice as wide as Latin ones.
    let mut width = 0;
    let mut out = String::new();
    for c in text.chars() {
        width += if c.is_ascii() { 1 } else { 2 };
        if width > max {
            out.push('…');
            return out;
        }
        out.push(c);
    }
    out
}

const WIDTH: f64 = 960.0;
const LABEL: f64 = 300.0;
const RIGHT: f64 = 150.0;
const ROW: f64 = 21.0;
const TOP: f64 = 34.0;

/// Draws the timeline as inline SVG (no script, no external resources).
pub(crate) fn svg(h: &mut Html, timeline: &Timeline, languages: super::Languages, today: &str) {
    if timeline.marks.is_empty() {
        return;
    }
    let lang = languages.primary();
    let text_of = |t: &Text| match languages {
        super::Languages::Both => format!("{} {}", t.zh, t.en),
        _ => t.get(lang).to_owned(),
    };
    // The axis covers every decision point; long retention windows are cut 45 days after the
    // last of them, with their end written out, so that days stay readable.
    let core_end = timeline
        .marks
        .iter()
        .map(|m| match m.style {
            Style::PlatformRetention | Style::Kept => m.start,
            _ => m.end.unwrap_or(m.start),
        })
        .max()
        .unwrap_or_default();
    let all_end = timeline
        .marks
        .iter()
        .map(|m| m.end.unwrap_or(m.start))
        .max()
        .unwrap_or_default();
    let first = timeline
        .marks
        .iter()
        .map(|m| m.start)
        .min()
        .unwrap_or_default();
    let from = shift(first, -3);
    let mut to = shift(all_end.min(shift(core_end, 45)), 3);
    if (to - from).num_days() < 21 {
        to = shift(from, 21);
    }
    // A window of millions of days (a huge parameter) would draw a day-by-day axis for ever.
    to = to.min(shift(from, MAX_AXIS_DAYS));
    let x0 = LABEL + 10.0;
    let x1 = WIDTH - RIGHT;
    let per_day = (x1 - x0) / (to - from).num_days() as f64;
    let x =
        |d: NaiveDate| x0 + (d - from).num_days().clamp(0, (to - from).num_days()) as f64 * per_day;
    let height = TOP + ROW * timeline.marks.len() as f64 + 12.0;
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
    // Weeks (Mondays) and months.
    let mut day = from;
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
                    ("y2", &num(height - 8.0)),
                ],
            );
            h.el(
                "text",
                &[("class", "axis"), ("x", &num(x(day) + 3.0)), ("y", "14")],
                &format!("{}-{:02}", day.year(), day.month()),
            );
        } else if day.weekday() == chrono::Weekday::Mon {
            h.void(
                "line",
                &[
                    ("class", "week"),
                    ("x1", &xd),
                    ("x2", &xd),
                    ("y1", &num(TOP - 6.0)),
                    ("y2", &num(height - 8.0)),
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
    for c in &timeline.closures {
        let xc = num(x(*c));
        h.void(
            "line",
            &[
                ("class", "closure-line"),
                ("x1", &xc),
                ("x2", &xc),
                ("y1", &num(TOP - 4.0)),
                ("y2", &num(height - 8.0)),
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
                ("y2", &num(height - 8.0)),
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
    previous = None;
    for (i, m) in timeline.marks.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let mid = y + ROW / 2.0;
        let blamed = !m.blamed.is_empty();
        let class = format!("{}{}", m.style.class(), if blamed { " blamed" } else { "" });
        h.open("g", &[("class", &class)]);
        h.el(
            "title",
            &[],
            &format!(
                "{} · {} · {}{}",
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
                &truncate(&m.entity, 22),
            );
            previous = Some(&m.entity);
        }
        h.el(
            "text",
            &[("class", "what"), ("x", "166"), ("y", &num(mid + 4.0))],
            &truncate(&text_of(&m.what), 24),
        );
        let start = x(m.start);
        let label_x = match m.end {
            Some(end) if m.style.is_window() => {
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
                start + w + 5.0
            }
            _ => {
                let d = format!("M{} {}l6 6l-6 6l-6 -6z", num(start), num(mid - 6.0));
                h.void("path", &[("class", "dot"), ("d", &d)]);
                start + 9.0
            }
        };
        let mut label = match m.end {
            Some(end) => format!("{} → {}", short(m.start, None), short(end, None)),
            None => short(m.start, m.time.as_deref()),
        };
        if blamed {
            label.push_str("  ⚠ ");
            label.push_str(&m.blamed.join(", "));
        }
        // A label that would run off the right edge goes left of the mark instead.
        let estimated = label.chars().count() as f64 * 6.2;
        let (lx, anchor) = if label_x + estimated > WIDTH - 2.0 {
            (start - 9.0, "end")
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

/// The marks used, once each, for the legend.
pub(crate) fn legend(timeline: &Timeline) -> Vec<Style> {
    let mut styles: Vec<Style> = timeline.marks.iter().map(|m| m.style).collect();
    styles.sort();
    styles.dedup_by_key(|s| s.class());
    styles
}

/// Marks sorted by date, for a table.
pub(crate) fn by_date(timeline: &Timeline) -> Vec<&Mark> {
    let mut marks: Vec<&Mark> = timeline.marks.iter().collect();
    marks.sort_by(|a, b| (a.start, &a.time, a.end).cmp(&(b.start, &b.time, b.end)));
    marks
}

/// The words shown for a fixed value in a table cell.
pub(crate) fn mark_text(mark: &Mark, languages: super::Languages) -> String {
    match languages {
        super::Languages::Both => format!("{} · {}", mark.what.zh, mark.what.en),
        l => mark.what.get(l.primary()).to_owned(),
    }
}
