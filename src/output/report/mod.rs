//! Reports for the people who sign a plan off: one self-contained HTML file or Markdown, with
//! the findings grouped by the statute and article they rest on, a waiver register, the
//! controls that held, a timeline per plan and a reproducibility footer.
//!
//! [`gather`] arranges a finished traced run ([`crate::check_traced`]: each input's bytes and
//! the rules that decided something for it) and what [`Extra`] computed for it (the English
//! words of `--lang both`, every date's schedule window); it reads and checks nothing itself.
//! The renderers are pure functions of the gathered [`Report`]. Output is deterministic: it
//! depends on the inputs, the rule set and `today`, never on the clock or the thread count.

mod content;
mod extra;
pub(crate) mod html;
pub(crate) mod markdown;
pub(crate) mod timeline;

pub use extra::Extra;

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use sha2::{Digest, Sha256};

use crate::disk::files::display_path;
use crate::engine::Engine;
use crate::finding::Finding;
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
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[diagnostic(code(hegui::report))]
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
        /// What the source is instead of practice (e.g. the manifest format), when it says.
        kind: Option<Text>,
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

/// One manifest as the run read it.
struct Input {
    source: Option<Source>,
    sha256: Option<String>,
    doc: Option<Node>,
    decided: BTreeSet<String>,
}

/// A traced manifest's bytes as the report uses them: hashed, and parsed when UTF-8 (a file
/// that is not is reported by the run itself, SCH001).
fn input_of(trace: &crate::Trace) -> Input {
    let Some(bytes) = &trace.bytes else {
        return Input {
            source: None,
            sha256: None,
            doc: None,
            decided: trace.decided.clone(),
        };
    };
    let sha256 = Some(hex(&Sha256::digest(bytes)));
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Input {
            source: None,
            sha256,
            doc: None,
            decided: trace.decided.clone(),
        };
    };
    let source = SourceFile::new(display_path(&trace.path), text.to_owned());
    Input {
        doc: crate::tree::parse(&source.text).ok(),
        source: Some(source),
        sha256,
        decided: trace.decided.clone(),
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
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

/// Gathers a report from a finished traced run ([`crate::check_traced`]) and what [`Extra`]
/// computed for it. Pure: nothing is read or checked again. `engine` must be the engine that
/// produced `run`; `threshold` is the least severity that fails the gate (`None`: never).
pub fn gather(
    engine: &Engine,
    run: &Run,
    extra: &Extra,
    languages: Languages,
    threshold: Option<Severity>,
) -> Report {
    let set = engine.rules();
    let inputs: Vec<Input> = run.traces.iter().map(input_of).collect();

    // Which plan each finding belongs to, and its words in the second language.
    let plan_of = |f: &Finding| {
        run.inputs
            .iter()
            .position(|p| display_path(p) == f.source.name)
    };
    let mut seen: HashMap<FindingKey, Vec<Finding>> = HashMap::new();
    for f in extra.english.iter().flatten() {
        seen.entry(key(f)).or_default().push(f.clone());
    }
    let mut taken: HashMap<FindingKey, usize> = HashMap::new();
    let mut items = Vec::new();
    for (i, f) in run.findings.iter().enumerate() {
        let k = key(f);
        let nth = taken.entry(k.clone()).or_insert(0);
        let other = seen.get(&k).and_then(|v| v.get(*nth)).cloned();
        *nth += 1;
        items.push(item(
            engine,
            languages,
            i + 1,
            f,
            plan_of(f),
            other.as_ref(),
        ));
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
                    .map(timeline::node_text)
            };
            let mut timeline = match (&input.doc, &input.source) {
                (Some(doc), Some(source)) => timeline::build(set, doc, source, &items, index),
                _ => timeline::Timeline::default(),
            };
            if let Some(windows) = extra.windows.get(index) {
                match windows {
                    Ok(allowed) => timeline.allowed = allowed.clone(),
                    Err(why) => timeline.schedule_note = Some(why.clone()),
                }
            }
            Plan {
                name: display_path(path),
                sha256: input.sha256.clone(),
                id: plan_value("id"),
                title: plan_value("title"),
                organization: plan_value("organization"),
                decided_on: plan_value("decided_on"),
                decided: input.decided.clone(),
                counts,
                timeline,
            }
        })
        .collect();

    let sources: Vec<(Option<&Source>, Option<&Node>)> = inputs
        .iter()
        .map(|i| (i.source.as_ref(), i.doc.as_ref()))
        .collect();
    let waivers = content::waiver_register(engine, &sources, &items);
    let (controls, not_applied) = content::controls(engine, &plans, &items, &run.baselined);
    let summary = Summary::of(&run.findings);
    let failing = threshold.is_some_and(|t| {
        run.findings
            .iter()
            .any(|f| f.waived.is_none() && f.severity >= t)
    });
    Report {
        languages,
        today: engine.options().today.to_string(),
        version: env!("CARGO_PKG_VERSION"),
        ruleset_hash: ruleset_hash(engine),
        rules_in_force: set.rules.len(),
        threshold,
        failing,
        summary,
        baselined: run.baselined.len(),
        groups: content::authorities(engine, &items),
        plans,
        items,
        waivers,
        controls,
        not_applied,
    }
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
            h.update(
                format!(
                    "  {} = {}\n",
                    p.name,
                    crate::cel::celval::canonical_text(&p.value)
                )
                .as_bytes(),
            );
        }
    }
    hex(&h.finalize())
}
