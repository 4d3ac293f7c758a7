//! The checker as an oracle: the plan's date values, and in-memory re-checks of the plan with
//! some of them changed. Only the date rules run, compiled once; every answer is cached.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use chrono::{NaiveDate, NaiveTime};

use crate::engine::{Engine, Options, PatternError};
use crate::fix::{Applicability, Edit, Fix};
use crate::rules::{RuleKind, RuleSet};
use crate::shape::{KeySpec, KeyType};
use crate::source::{Source, SourceFile};
use crate::tree::{DocPath, Node, NodeValue, Segment};

/// A date or date-time value of the plan: a milestone of the schedule.
#[derive(Debug, Clone)]
pub struct Milestone {
    /// The value's data path, as the JSON format names values (`account[0].closure_effective_on`).
    pub path: String,
    /// The bytes of the value in the manifest.
    pub span: Range<usize>,
    /// The day it holds now.
    pub current: NaiveDate,
    /// The time of day, for a date-time (kept when the day moves).
    pub time: Option<NaiveTime>,
    /// The vocabulary marks it `schedule = "closure"`.
    pub closure: bool,
    /// It lies before `--today`: a fact that never moves.
    pub fact: bool,
    /// `--pin` or `--close-on` fixed it.
    pub pinned: bool,
    /// The proposal fixed it (a closure on its earliest day) before placing the others.
    pub(crate) held: bool,
}

impl Milestone {
    /// Whether the schedule may move it.
    pub fn movable(&self) -> bool {
        !self.fact && !self.pinned && !self.held
    }

    /// The value as TOML writes it, on day `day`.
    pub fn literal(&self, day: NaiveDate) -> String {
        match self.time {
            Some(t) => format!("{}T{}", day.format("%Y-%m-%d"), t.format("%H:%M:%S")),
            None => day.format("%Y-%m-%d").to_string(),
        }
    }
}

/// A finding of a date rule that involves milestones (points at them or labels them).
#[derive(Debug, Clone)]
pub(crate) struct Touch {
    /// The rule.
    pub rule: String,
    /// Its message.
    pub message: String,
    /// The milestones it points at or labels (indices, ascending).
    pub milestones: Vec<usize>,
}

/// The plan, its milestones and the date rules, ready for re-checks.
pub(crate) struct Oracle {
    engine: Engine,
    text: String,
    name: String,
    manifest: PathBuf,
    root: PathBuf,
    pub milestones: Vec<Milestone>,
    /// The milestones' data paths, parsed.
    paths: Vec<DocPath>,
    /// Per date rule, the identifiers its expressions and paths name.
    tokens: HashMap<String, BTreeSet<String>>,
    by_span: HashMap<(usize, usize), usize>,
    cache: RefCell<HashMap<Vec<NaiveDate>, Rc<Vec<Touch>>>>,
    checks: Cell<usize>,
}

impl Oracle {
    /// Reads the plan's milestones and prepares the date rules of `set`. A date rule is a rule
    /// of CEL checks whose expressions or paths name a key that holds a date: typed `date` or
    /// `datetime` in the vocabulary, or holding a date in this plan (for packs without one).
    pub(crate) fn new(
        set: &RuleSet,
        options: &Options,
        source: &Source,
        doc: &Node,
        manifest: &Path,
    ) -> Result<Oracle, Vec<PatternError>> {
        let mut found = Vec::new();
        collect(doc, &DocPath::default(), &mut found);
        let mut date_keys = BTreeSet::new();
        for (path, _, _, _) in &found {
            if let Some(Segment::Key(k)) = path.0.last() {
                date_keys.insert(k.clone());
            }
        }
        let mut probe_set = set.clone();
        if let Some(shape) = &mut probe_set.shape {
            vocabulary_dates(&shape.root, &mut date_keys);
            // Probes never read text files: a `file` value is an ordinary string to them, and
            // no date rule reads the text of a file.
            files_as_strings(&mut shape.root);
        }
        probe_set.retain(|r| {
            matches!(r.kind, RuleKind::Checks(_))
                && crate::eval::patterns::rule_tokens(r)
                    .iter()
                    .any(|t| date_keys.contains(t))
        });
        let paths: Vec<DocPath> = found.iter().map(|f| f.0.clone()).collect();
        let tokens = probe_set
            .rules
            .iter()
            .map(|r| (r.id.clone(), crate::eval::patterns::rule_tokens(r)))
            .collect();
        let milestones: Vec<Milestone> = found
            .into_iter()
            .map(|(path, span, current, time)| Milestone {
                closure: set
                    .shape
                    .as_ref()
                    .and_then(|s| spec_at(&s.root, &path))
                    .is_some_and(|s| s.closure),
                path: path.to_string(),
                span,
                current,
                time,
                fact: current < options.today,
                pinned: false,
                held: false,
            })
            .collect();
        let by_span = milestones
            .iter()
            .enumerate()
            .map(|(i, m)| ((m.span.start, m.span.end), i))
            .collect();
        let engine = Engine::new(probe_set, options.clone())?;
        Ok(Oracle {
            engine,
            text: source.text.clone(),
            name: source.name.clone(),
            manifest: manifest.to_path_buf(),
            root: manifest.parent().unwrap_or(Path::new(".")).to_path_buf(),
            milestones,
            paths,
            tokens,
            by_span,
            cache: RefCell::new(HashMap::new()),
            checks: Cell::new(0),
        })
    }

    /// The ids of the date rules in force.
    pub(crate) fn date_rules(&self) -> Vec<String> {
        self.engine
            .rules()
            .rules
            .iter()
            .map(|r| r.id.clone())
            .collect()
    }

    /// The plan's display name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// How many times the plan was checked (cache misses).
    pub(crate) fn checks(&self) -> usize {
        self.checks.get()
    }

    /// The plan's text with every milestone on the day `days` gives it, for a probe: each day's
    /// ten characters replaced, applied like any fix (same length, so every span stays where
    /// it was).
    fn text_with(&self, days: &[NaiveDate]) -> String {
        let edits = self
            .milestones
            .iter()
            .zip(days)
            .filter(|(m, day)| **day != m.current)
            .map(|(m, day)| Edit {
                range: m.span.start..m.span.start + 10,
                content: day.format("%Y-%m-%d").to_string(),
            })
            .collect();
        let probe = Fix {
            applicability: Applicability::Safe,
            message: String::new(),
            edits,
        };
        crate::fix::apply_fixes(&self.text, &[&probe]).0
    }

    /// The date-rule findings that involve milestones when they hold `days`, in output order.
    pub(crate) fn touches(&self, days: &[NaiveDate]) -> Rc<Vec<Touch>> {
        if let Some(hit) = self.cache.borrow().get(days) {
            return Rc::clone(hit);
        }
        self.checks.set(self.checks.get() + 1);
        let source = SourceFile::new(self.name.clone(), self.text_with(days));
        let mut findings = self
            .engine
            .check_source(&source, &self.manifest, &self.root);
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let touches: Vec<Touch> = findings
            .into_iter()
            .filter(|f| f.waived.is_none())
            .filter_map(|f| {
                let mut milestones: Vec<usize> = std::iter::once(&f.span)
                    .chain(f.labels.iter().map(|l| &l.span))
                    .filter_map(|s| self.by_span.get(&(s.start, s.end)).copied())
                    .collect();
                // A rule that could not decide (a year the calendar lacks) points at the entry:
                // it involves the entry's dates that the rule reads.
                if milestones.is_empty()
                    && crate::engine::is_missing_year(&f)
                    && let Some(item) = DocPath::parse(&f.path)
                {
                    let reads = self.tokens.get(&f.rule);
                    milestones = (0..self.paths.len())
                        .filter(|&i| self.paths[i].starts_with(&item))
                        .filter(|&i| {
                            matches!(self.paths[i].0.last(), Some(Segment::Key(k))
                                if reads.is_some_and(|t| t.contains(k)))
                        })
                        .collect();
                }
                milestones.sort_unstable();
                milestones.dedup();
                (!milestones.is_empty()).then_some(Touch {
                    rule: f.rule,
                    message: f.message,
                    milestones,
                })
            })
            .collect();
        let touches = Rc::new(touches);
        self.cache
            .borrow_mut()
            .insert(days.to_vec(), Rc::clone(&touches));
        touches
    }
}

/// Every date and date-time value below `node`, in document order.
fn collect(
    node: &Node,
    path: &DocPath,
    out: &mut Vec<(DocPath, Range<usize>, NaiveDate, Option<NaiveTime>)>,
) {
    match &node.value {
        NodeValue::Date(d) => out.push((path.clone(), node.span.clone(), *d, None)),
        NodeValue::DateTime(dt) => {
            out.push((path.clone(), node.span.clone(), dt.date(), Some(dt.time())));
        }
        NodeValue::Table(entries) => {
            for e in entries {
                collect(&e.node, &path.key(&e.key), out);
            }
        }
        NodeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(item, &path.index(i), out);
            }
        }
        _ => {}
    }
}

/// The keys the vocabulary types `date` or `datetime`.
fn vocabulary_dates(spec: &KeySpec, out: &mut BTreeSet<String>) {
    match &spec.ty {
        KeyType::Table(keys) | KeyType::Entries(keys) => {
            for (name, spec) in keys {
                if matches!(spec.ty, KeyType::Date | KeyType::DateTime) {
                    out.insert(name.clone());
                }
                vocabulary_dates(spec, out);
            }
        }
        KeyType::Array(items) => vocabulary_dates(items, out),
        _ => {}
    }
}

fn files_as_strings(spec: &mut KeySpec) {
    match &mut spec.ty {
        KeyType::File => spec.ty = KeyType::String(None),
        KeyType::Table(keys) | KeyType::Entries(keys) => {
            for (_, spec) in keys {
                files_as_strings(spec);
            }
        }
        KeyType::Array(items) => files_as_strings(items),
        _ => {}
    }
}

/// What the vocabulary says of the value at `path`.
fn spec_at<'s>(root: &'s KeySpec, path: &DocPath) -> Option<&'s KeySpec> {
    let mut spec = root;
    for segment in &path.0 {
        spec = match segment {
            Segment::Key(k) => &spec.keys().iter().find(|(name, _)| name == k)?.1,
            Segment::Index(_) => match &spec.ty {
                KeyType::Entries(_) => spec,
                KeyType::Array(items) => items,
                _ => return None,
            },
        };
    }
    Some(spec)
}
