//! Reports for the people who sign a plan off: one self-contained HTML file or Markdown, with
//! the findings grouped by the statute and article they rest on, a waiver register, the
//! controls that held, a timeline per plan and a reproducibility footer.
//!
//! [`gather`] collects everything from a finished run (it reads every input again, to hash it
//! and draw its timeline, and re-checks it to learn which rules decided something); the
//! renderers are pure functions of the gathered [`Report`]. Output is deterministic: it
//! depends on the inputs, the rule set and `today`, never on the clock or the thread count.

pub(crate) mod html;
pub(crate) mod markdown;
pub(crate) mod timeline;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use sha2::{Digest, Sha256};

use crate::disk::files::display_path;
use crate::engine::Engine;
use crate::finding::Finding;
use crate::law::{Basis, chinese_number};
use crate::reader::Text;
use crate::render::Summary;
use crate::source::{Source, SourceFile};
use crate::tree::Node;
use crate::{Lang, Run, Severity};

/// Which languages a report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Languages {
    /// Chinese only.
    Zh,
    /// English only.
    En,
    /// Chinese and English side by side (the run's findings are Chinese; the English comes
    /// from a second, English evaluation of the same files).
    Both,
}

impl Languages {
    /// The language the run's own findings must be in.
    pub fn primary(self) -> Lang {
        match self {
            Languages::En => Lang::En,
            Languages::Zh | Languages::Both => Lang::Zh,
        }
    }

    /// A severity's name in Chinese (`错误`), else its id (`error`).
    pub(crate) fn severity(self, s: Severity) -> &'static str {
        match (self, s) {
            (Languages::En, s) => s.as_str(),
            (_, Severity::Error) => "错误",
            (_, Severity::Warning) => "警告",
            (_, Severity::Info) => "提示",
        }
    }

    /// A fixed label in the report's language(s).
    pub(crate) fn label(self, zh: &str, en: &str) -> String {
        match self {
            Languages::Zh => zh.to_owned(),
            Languages::En => en.to_owned(),
            Languages::Both => format!("{zh} · {en}"),
        }
    }
}

/// A report could not be gathered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The rule set could not be prepared for the second language.
    #[error("cannot prepare the rules in English: {0}")]
    SecondLanguage(String),
}

/// A bilingual text; in a one-language report both sides hold the same words.
pub(crate) fn same(text: &str) -> Text {
    Text {
        zh: text.to_owned(),
        en: text.to_owned(),
    }
}

fn bi(zh: impl Into<String>, en: impl Into<String>) -> Text {
    Text {
        zh: zh.into(),
        en: en.into(),
    }
}

/// One manifest covered by the report.
#[derive(Debug)]
pub(crate) struct Plan {
    /// Display path.
    pub name: String,
    /// SHA-256 of the file's bytes, when it could be read.
    pub sha256: Option<String>,
    /// `[plan]` values shown in the summary.
    pub id: Option<String>,
    pub title: Option<String>,
    pub organization: Option<String>,
    pub decided_on: Option<String>,
    /// The rules that decided something for this file.
    pub decided: BTreeSet<String>,
    /// Counts of this file's findings.
    pub counts: Summary,
    /// Its timeline (empty when the file could not be parsed).
    pub timeline: timeline::Timeline,
}

impl Plan {
    /// `P1`, `P2` …: short names for tables.
    pub(crate) fn tag(index: usize) -> String {
        format!("P{}", index + 1)
    }
}

/// A finding as the report shows it.
#[derive(Debug)]
pub(crate) struct Item {
    /// `F1`, `F2` … in run order.
    pub number: usize,
    pub finding: Finding,
    /// The plan (index into `Report::plans`) the finding belongs to.
    pub plan: Option<usize>,
    pub title: Text,
    pub message: Text,
    pub help: Option<Text>,
    /// The finding's fix: what it does, and the manifest lines before and after it.
    pub fix: Option<ItemFix>,
    pub label: Option<Text>,
    /// Secondary locations with their labels.
    pub labels: Vec<(Range<usize>, Text)>,
    pub basis: Text,
}

/// A fix as the report shows it.
#[derive(Debug)]
pub(crate) struct ItemFix {
    pub message: Text,
    /// `hegui fix` or `hegui fix --unsafe-fixes` (or by hand).
    pub how: Text,
    pub before: String,
    pub after: String,
}

impl Item {
    /// `F3`.
    pub(crate) fn tag(&self) -> String {
        format!("F{}", self.number)
    }
}

/// An article and the findings resting on it.
#[derive(Debug)]
pub(crate) struct ArticleGroup {
    /// `第十六条` / `Art. 16`.
    pub heading: Text,
    /// The article's words (or a paraphrase, when not `verified`).
    pub text: Text,
    pub summary: Text,
    pub verified: bool,
    /// Findings shown here in full (indexes into `Report::items`).
    pub items: Vec<usize>,
    /// Findings shown under another article that also cite this one.
    pub refs: Vec<usize>,
}

/// One group of the findings.
#[derive(Debug)]
pub(crate) enum Authority {
    /// A statute and its articles, in article order.
    Statute {
        code: String,
        name: Text,
        year: String,
        articles: Vec<ArticleGroup>,
    },
    /// A practice source (not law).
    Practice {
        title: Text,
        note: Text,
        items: Vec<usize>,
        refs: Vec<usize>,
    },
    /// Findings no loaded rule declares (e.g. unreadable files).
    Other { items: Vec<usize> },
}

/// A waiver's standing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WaiverStatus {
    /// In force.
    Valid,
    /// Past its `until` date: waives nothing.
    Expired,
    /// Incomplete, unknown rule or unreadable date: waives nothing.
    Invalid(Text),
}

/// One waiver comment.
#[derive(Debug)]
pub(crate) struct WaiverRow {
    pub plan: usize,
    /// The 1-based line it applies to.
    pub line: usize,
    pub rule: String,
    pub reason: String,
    pub approver: String,
    pub until: String,
    pub status: WaiverStatus,
    /// Findings it waives (indexes into `Report::items`).
    pub waives: Vec<usize>,
    /// WVR findings about it.
    pub reported_by: Vec<usize>,
}

/// How a rule fared in one plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// Evaluated and held.
    Held,
    /// An active finding.
    Failed,
    /// Only waived findings.
    Waived,
    /// Only findings a baseline accepted: not held, not shown.
    Baselined,
    /// Nothing in the plan for the rule to decide.
    NotApplied,
}

/// A rule that held in at least one plan.
#[derive(Debug)]
pub(crate) struct Control {
    pub rule: String,
    pub severity: Severity,
    pub title: Text,
    pub basis: Text,
    /// One mark per plan.
    pub marks: Vec<Mark>,
}

/// Everything a report shows, gathered once.
#[derive(Debug)]
pub struct Report {
    pub(crate) languages: Languages,
    pub(crate) today: String,
    pub(crate) version: &'static str,
    pub(crate) ruleset_hash: String,
    pub(crate) rules_in_force: usize,
    pub(crate) threshold: Option<Severity>,
    pub(crate) failing: bool,
    pub(crate) summary: Summary,
    /// Findings a baseline accepted: counted, not listed.
    pub(crate) baselined: usize,
    pub(crate) plans: Vec<Plan>,
    pub(crate) items: Vec<Item>,
    pub(crate) groups: Vec<Authority>,
    pub(crate) waivers: Vec<WaiverRow>,
    pub(crate) controls: Vec<Control>,
    /// Rules evaluated in no plan (nothing for them to decide).
    pub(crate) not_applied: usize,
}

impl Report {
    /// The sentence saying a baseline hid findings, when it did.
    pub(crate) fn baselined_note(&self) -> Option<String> {
        (self.baselined > 0).then(|| {
            self.label(
                &format!(
                    "另有 {} 个问题已被基线（--baseline）接受，本报告未列出。",
                    self.baselined
                ),
                &format!(
                    "{} more finding(s) accepted by the baseline (--baseline) are not listed.",
                    self.baselined
                ),
            )
        })
    }

    /// Whether the gate fails: an active finding at or above the threshold.
    pub fn failing(&self) -> bool {
        self.failing
    }

    /// The report as one self-contained HTML document.
    pub fn html(&self) -> String {
        html::render(self)
    }

    /// The report as Markdown (for a pull-request comment).
    pub fn markdown(&self) -> String {
        markdown::render(self)
    }

    /// A fixed label in the report's language(s).
    pub(crate) fn label(&self, zh: &str, en: &str) -> String {
        self.languages.label(zh, en)
    }

    pub(crate) fn severity_label(&self, s: Severity) -> String {
        match s {
            Severity::Error => self.label("错误", "error"),
            Severity::Warning => self.label("警告", "warning"),
            Severity::Info => self.label("提示", "info"),
        }
    }
}

/// A file re-read and re-checked for the report.
struct Input {
    source: Option<Source>,
    sha256: Option<String>,
    doc: Option<Node>,
    findings: Vec<Finding>,
    decided: BTreeSet<String>,
}

fn read_input(engine: &Engine, path: &std::path::Path) -> Input {
    let Ok(bytes) = std::fs::read(path) else {
        return Input {
            source: None,
            sha256: None,
            doc: None,
            findings: Vec::new(),
            decided: BTreeSet::new(),
        };
    };
    let sha256 = hex(&Sha256::digest(&bytes));
    // A file that is not UTF-8 is reported by the run itself (SCH001); nothing to re-check.
    let Ok(text) = String::from_utf8(bytes) else {
        return Input {
            source: None,
            sha256: Some(sha256),
            doc: None,
            findings: Vec::new(),
            decided: BTreeSet::new(),
        };
    };
    let source = SourceFile::new(display_path(path), text);
    let root = crate::walk::repo_root(path);
    let (findings, decided) = engine.check_source_traced(&source, path, &root);
    Input {
        doc: crate::tree::parse(&source.text).ok(),
        source: Some(source),
        sha256: Some(sha256),
        findings,
        decided,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What identifies a finding across two evaluations of the same file.
type FindingKey = (String, usize, usize, String, String);

fn key(f: &Finding) -> FindingKey {
    (
        f.source.name.clone(),
        f.span.start,
        f.span.end,
        f.rule.clone(),
        f.path.clone(),
    )
}

/// Gathers a report from a finished run. `engine` must be the engine that produced `run`;
/// `threshold` is the least severity that fails the gate (`None`: never).
pub fn gather(
    engine: &Engine,
    run: &Run,
    languages: Languages,
    threshold: Option<Severity>,
) -> Result<Report, ReportError> {
    let set = engine.rules();
    // The second evaluation gives the decided rules, and in `Both` the English words.
    let english;
    let second = if languages == Languages::Both {
        let options = crate::Options {
            lang: Lang::En,
            ..engine.options().clone()
        };
        english = Engine::new(set.clone(), options).map_err(|e| {
            ReportError::SecondLanguage(
                e.iter()
                    .map(|e| format!("{}: {}", e.rule, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        &english
    } else {
        engine
    };
    let inputs: Vec<Input> = run
        .inputs
        .iter()
        .map(|path| read_input(second, path))
        .collect();

    // Which plan each finding belongs to, and its words in the second language.
    let mut seen: HashMap<FindingKey, Vec<(usize, Finding)>> = HashMap::new();
    for (plan, input) in inputs.iter().enumerate() {
        for f in &input.findings {
            seen.entry(key(f)).or_default().push((plan, f.clone()));
        }
    }
    let mut taken: HashMap<FindingKey, usize> = HashMap::new();
    let mut items = Vec::new();
    for (i, f) in run.findings.iter().enumerate() {
        let k = key(f);
        let nth = taken.entry(k.clone()).or_insert(0);
        let twin = seen.get(&k).and_then(|v| v.get(*nth)).cloned();
        *nth += 1;
        let plan = twin.as_ref().map(|(p, _)| *p).or_else(|| {
            run.inputs
                .iter()
                .position(|p| display_path(p) == f.source.name)
        });
        let other = twin.map(|(_, t)| t);
        items.push(item(engine, languages, i + 1, f, plan, other.as_ref()));
    }

    let plans: Vec<Plan> = run
        .inputs
        .iter()
        .zip(&inputs)
        .enumerate()
        .map(|(index, (path, input))| {
            let mine: Vec<&Item> = items.iter().filter(|i| i.plan == Some(index)).collect();
            let counts = Summary::of(&mine.iter().map(|i| i.finding.clone()).collect::<Vec<_>>());
            let plan_value = |k: &str| {
                input
                    .doc
                    .as_ref()
                    .and_then(|d| d.get("plan"))
                    .and_then(|p| p.get(k))
                    .map(timeline::value_text)
            };
            Plan {
                name: display_path(path),
                sha256: input.sha256.clone(),
                id: plan_value("id"),
                title: plan_value("title"),
                organization: plan_value("organization"),
                decided_on: plan_value("decided_on"),
                decided: input.decided.clone(),
                counts,
                timeline: match (&input.doc, &input.source) {
                    (Some(doc), Some(source)) => {
                        timeline::build(engine, doc, source, &items, index)
                    }
                    _ => timeline::Timeline::default(),
                },
            }
        })
        .collect();

    let waivers = waiver_register(engine, &inputs, &items);
    let (controls, not_applied) = controls(engine, &plans, &items, &run.baselined);
    let summary = Summary::of(&run.findings);
    let failing = threshold.is_some_and(|t| {
        run.findings
            .iter()
            .any(|f| f.waived.is_none() && f.severity >= t)
    });
    Ok(Report {
        languages,
        today: engine.options().today.to_string(),
        version: env!("CARGO_PKG_VERSION"),
        ruleset_hash: ruleset_hash(engine),
        rules_in_force: set.rules.len(),
        threshold,
        failing,
        summary,
        baselined: run.baselined.len(),
        groups: authorities(engine, &items),
        plans,
        items,
        waivers,
        controls,
        not_applied,
    })
}

fn item(
    engine: &Engine,
    languages: Languages,
    number: usize,
    f: &Finding,
    plan: Option<usize>,
    other: Option<&Finding>,
) -> Item {
    let set = engine.rules();
    let rule = set.rule(&f.rule);
    // `a` in the primary language, `b` in the other when there is one.
    let pair = |a: &str, b: Option<&str>| match (languages, b) {
        (Languages::Both, Some(b)) => bi(a, b),
        _ => same(a),
    };
    let basis = match rule {
        Some(r) if !r.basis.is_empty() => {
            let cite = |lang| {
                r.basis
                    .iter()
                    .map(|b| set.law.cite(b, lang))
                    .collect::<Vec<_>>()
            };
            bi(cite(Lang::Zh).join("；"), cite(Lang::En).join("; "))
        }
        _ => same(&f.basis),
    };
    let labels = f
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let twin = other.and_then(|o| o.labels.get(i)).map(|t| t.text.as_str());
            (l.span.clone(), pair(&l.text, twin))
        })
        .collect();
    Item {
        number,
        plan,
        title: rule.map(|r| r.title.clone()).unwrap_or_default(),
        message: pair(&f.message, other.map(|o| o.message.as_str())),
        help: f
            .help
            .as_deref()
            .map(|h| pair(h, other.and_then(|o| o.help.as_deref()))),
        fix: f.fix.as_ref().map(|x| {
            let (before, after) = crate::text::fix::before_after(&f.source.text, x);
            let how = match x.applicability {
                crate::text::fix::Applicability::Safe => same("hegui fix"),
                crate::text::fix::Applicability::Unsafe => same("hegui fix --unsafe-fixes"),
                crate::text::fix::Applicability::DisplayOnly => bi("手工修改", "by hand"),
            };
            ItemFix {
                message: pair(
                    &x.message,
                    other
                        .and_then(|o| o.fix.as_ref())
                        .map(|o| o.message.as_str()),
                ),
                how,
                before,
                after,
            }
        }),
        label: f
            .label
            .as_deref()
            .map(|l| pair(l, other.and_then(|o| o.label.as_deref()))),
        labels,
        basis,
        finding: f.clone(),
    }
}

/// Findings placed under one authority: (shown in full, cross-referenced).
type Placed = (Vec<usize>, Vec<usize>);

/// Groups findings by authority: statutes (by code) → articles (by number); practice sources;
/// then findings no rule declares. A finding is shown in full under its rule's first statute
/// basis (else its first practice source) and cross-referenced under the others.
fn authorities(engine: &Engine, items: &[Item]) -> Vec<Authority> {
    let set = engine.rules();
    let law = &set.law;
    // (code, article) → (full, refs); practice key → (full, refs).
    let mut articles: BTreeMap<String, BTreeMap<(u32, String), Placed>> = BTreeMap::new();
    let mut practice: BTreeMap<String, Placed> = BTreeMap::new();
    let mut other = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let Some(rule) = set.rule(&item.finding.rule).filter(|r| !r.basis.is_empty()) else {
            other.push(index);
            continue;
        };
        let primary = rule
            .basis
            .iter()
            .position(|b| matches!(b, Basis::Statute { .. }))
            .unwrap_or(0);
        let mut placed = BTreeSet::new();
        for (bi_, basis) in rule.basis.iter().enumerate() {
            let full = bi_ == primary;
            let slot = match basis {
                Basis::Statute {
                    statute, article, ..
                } => {
                    let order = article.parse().unwrap_or(u32::MAX);
                    if !placed.insert(format!("{statute}/{article}")) {
                        continue;
                    }
                    articles
                        .entry(statute.clone())
                        .or_default()
                        .entry((order, article.clone()))
                        .or_default()
                }
                Basis::Practice { source, .. } => {
                    if !placed.insert(format!("practice/{source}")) {
                        continue;
                    }
                    practice.entry(source.clone()).or_default()
                }
            };
            if full { &mut slot.0 } else { &mut slot.1 }.push(index);
        }
    }
    // Most serious first: active errors, then active findings, then the code.
    let weight = |indexes: &mut dyn Iterator<Item = &usize>| {
        let (mut errors, mut active) = (0usize, 0usize);
        for &i in indexes {
            if items[i].finding.waived.is_none() {
                active += 1;
                errors += usize::from(items[i].finding.severity == Severity::Error);
            }
        }
        (std::cmp::Reverse(errors), std::cmp::Reverse(active))
    };
    let mut articles: Vec<_> = articles.into_iter().collect();
    articles.sort_by_cached_key(|(code, list)| {
        (
            weight(&mut list.values().flat_map(|(full, _)| full)),
            code.clone(),
        )
    });
    let mut practice: Vec<_> = practice.into_iter().collect();
    practice.sort_by_cached_key(|(key, (full, _))| (weight(&mut full.iter()), key.clone()));
    let mut groups = Vec::new();
    for (code, list) in articles {
        let statute = law.statutes.get(&code);
        groups.push(Authority::Statute {
            name: statute
                .map(|s| s.name.clone())
                .unwrap_or_else(|| same(&code)),
            year: statute.map(|s| s.year.clone()).unwrap_or_default(),
            articles: list
                .into_iter()
                .map(|((_, number), (items, refs))| {
                    let article = statute.and_then(|s| s.articles.get(&number));
                    ArticleGroup {
                        heading: bi(
                            format!("第{}条", chinese_number(&number)),
                            format!("Art. {number}"),
                        ),
                        text: article.map(|a| a.text.clone()).unwrap_or_default(),
                        summary: article.map(|a| a.summary.clone()).unwrap_or_default(),
                        verified: article.is_some_and(|a| a.verified),
                        items,
                        refs,
                    }
                })
                .collect(),
            code,
        });
    }
    for (key, (items, refs)) in practice {
        let source = law.practice.get(&key);
        groups.push(Authority::Practice {
            // Named by title, publisher and date, with its caveat; the key is internal.
            title: source.map_or_else(
                || same(&key),
                |s| Text {
                    zh: s.name(Lang::Zh),
                    en: s.name(Lang::En),
                },
            ),
            note: source
                .map(|s| Text {
                    zh: [s.caveat.zh.as_str(), s.note.zh.as_str()]
                        .iter()
                        .filter(|t| !t.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join("。"),
                    en: [s.caveat.en.as_str(), s.note.en.as_str()]
                        .iter()
                        .filter(|t| !t.is_empty())
                        .map(|t| {
                            let mut c = t.chars();
                            c.next()
                                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                                .unwrap_or_default()
                        })
                        .collect::<Vec<_>>()
                        .join(". "),
                })
                .unwrap_or_default(),
            items,
            refs,
        });
    }
    if !other.is_empty() {
        groups.push(Authority::Other { items: other });
    }
    groups
}

/// The waiver register: every `hegui:allow` comment of every plan, parsed by the engine's own
/// parser, judged by the engine's criteria (complete, known rule, readable `until` not past
/// `today`), and linked to the findings it waives and the WVR findings about it.
fn waiver_register(engine: &Engine, inputs: &[Input], items: &[Item]) -> Vec<WaiverRow> {
    let today = engine.options().today;
    let known = &engine.rules().known_ids;
    let mut rows = Vec::new();
    for (plan, input) in inputs.iter().enumerate() {
        let (Some(source), Some(doc)) = (&input.source, &input.doc) else {
            continue;
        };
        for w in crate::waivers::parse(source, doc) {
            let rule = w.rule.as_ref().map(|r| r.0.clone()).unwrap_or_default();
            let missing = w.missing();
            let status = if !missing.is_empty() {
                let m = missing.join(", ");
                WaiverStatus::Invalid(bi(
                    format!("不完整：缺少 {m}"),
                    format!("incomplete: {m} missing"),
                ))
            } else if !known.contains(&rule) {
                WaiverStatus::Invalid(bi("未知规则", "unknown rule"))
            } else {
                match &w.until {
                    Some((_, None, _)) => {
                        WaiverStatus::Invalid(bi("期限日期无法识别", "unreadable until date"))
                    }
                    Some((_, Some(d), _)) if *d < today => WaiverStatus::Expired,
                    _ => WaiverStatus::Valid,
                }
            };
            let in_plan = |i: &&Item| i.plan == Some(plan);
            let waives = items
                .iter()
                .enumerate()
                .filter(|(_, i)| in_plan(i))
                .filter(|(_, i)| {
                    status == WaiverStatus::Valid
                        && i.finding.rule == rule
                        && i.finding.waived.is_some()
                        && i.finding.source.name == source.name
                        && i.finding.source.line_of(i.finding.span.start) == w.target_line
                })
                .map(|(n, _)| n)
                .collect();
            let reported_by = items
                .iter()
                .enumerate()
                .filter(|(_, i)| in_plan(i))
                .filter(|(_, i)| {
                    i.finding.rule.starts_with("WVR")
                        && i.finding.source.name == source.name
                        && w.span.start <= i.finding.span.start
                        && i.finding.span.end <= w.span.end
                })
                .map(|(n, _)| n)
                .collect();
            rows.push(WaiverRow {
                plan,
                line: w.target_line,
                rule,
                reason: w.reason.clone().unwrap_or_default(),
                approver: w.approver.clone().unwrap_or_default(),
                until: w.until.as_ref().map(|u| u.0.clone()).unwrap_or_default(),
                status,
                waives,
                reported_by,
            });
        }
    }
    rows
}

/// Every rule that held in at least one plan, with its mark in each plan; and how many rules
/// were evaluated in no plan at all.
fn controls(
    engine: &Engine,
    plans: &[Plan],
    items: &[Item],
    baselined: &[Finding],
) -> (Vec<Control>, usize) {
    let set = engine.rules();
    let mut out = Vec::new();
    let mut not_applied = 0;
    for rule in &set.rules {
        let marks: Vec<Mark> = plans
            .iter()
            .enumerate()
            .map(|(p, plan)| {
                let mine = items
                    .iter()
                    .filter(|i| i.plan == Some(p) && i.finding.rule == rule.id);
                let (mut active, mut waived) = (false, false);
                for i in mine {
                    if i.finding.waived.is_some() {
                        waived = true;
                    } else {
                        active = true;
                    }
                }
                let accepted = baselined
                    .iter()
                    .any(|f| f.rule == rule.id && f.source.name == plan.name);
                match (active, waived, plan.decided.contains(&rule.id)) {
                    (true, _, _) => Mark::Failed,
                    (false, true, _) => Mark::Waived,
                    (false, false, _) if accepted => Mark::Baselined,
                    (false, false, true) => Mark::Held,
                    (false, false, false) => Mark::NotApplied,
                }
            })
            .collect();
        if !marks.contains(&Mark::Held) {
            if marks.iter().all(|m| *m == Mark::NotApplied) {
                not_applied += 1;
            }
            continue;
        }
        out.push(Control {
            rule: rule.id.clone(),
            severity: rule.severity,
            title: rule.title.clone(),
            basis: bi(
                rule.basis
                    .iter()
                    .map(|b| set.law.cite(b, Lang::Zh))
                    .collect::<Vec<_>>()
                    .join("；"),
                rule.basis
                    .iter()
                    .map(|b| set.law.cite(b, Lang::En))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            marks,
        });
    }
    (out, not_applied)
}

/// SHA-256 over the rule set in force: every loaded file (name and text, in load order), then
/// every rule kept after selection with its severity and parameter values in force.
fn ruleset_hash(engine: &Engine) -> String {
    let set = engine.rules();
    let mut h = Sha256::new();
    for source in &set.sources {
        h.update(source.name.as_bytes());
        h.update([0]);
        h.update(source.text.as_bytes());
        h.update([0]);
    }
    for rule in &set.rules {
        h.update(format!("rule {} {}\n", rule.id, rule.severity.as_str()).as_bytes());
        for p in &rule.params {
            h.update(format!("  {} = {}\n", p.name, canonical(&p.value)).as_bytes());
        }
    }
    hex(&h.finalize())
}

/// A CEL value written with map keys sorted, so equal values hash equally.
pub(crate) fn canonical(value: &cel::Value) -> String {
    use cel::Value;
    match value {
        Value::Map(m) => {
            let mut entries: Vec<(String, String)> = m
                .map
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        cel::objects::Key::String(s) => format!("{:?}", s.as_str()),
                        cel::objects::Key::Int(i) => i.to_string(),
                        cel::objects::Key::Uint(u) => format!("{u}u"),
                        cel::objects::Key::Bool(b) => b.to_string(),
                    };
                    (key, canonical(v))
                })
                .collect();
            entries.sort();
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(canonical).collect::<Vec<_>>().join(", ")
        ),
        Value::String(s) => format!("{s:?}"),
        other => crate::cel::convert::display_value(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_values_sort_map_keys() {
        let a = crate::functions::date_value(chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap());
        assert_eq!(canonical(&a), "2026-01-02");
        let map = |pairs: &[(&str, i64)]| {
            let m: HashMap<cel::objects::Key, cel::Value> = pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned().into(), cel::Value::Int(*v)))
                .collect();
            cel::Value::Map(cel::objects::Map {
                map: std::sync::Arc::new(m),
            })
        };
        let one = map(&[("work", 30), ("service", 15), ("subscription", 7)]);
        let two = map(&[("subscription", 7), ("work", 30), ("service", 15)]);
        assert_eq!(canonical(&one), canonical(&two));
        assert_eq!(
            canonical(&one),
            r#"{"service": 15, "subscription": 7, "work": 30}"#
        );
    }
}
