//! Evaluation: a file is parsed with spans, checked against the vocabulary, turned into CEL
//! values once, and every rule's checks run over their scope. Checks say only *whether* and
//! *where* (a data path); this module adds rule id, severity, span, message and basis.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cel::common::value::Val;
use cel::objects::{Key, Map};
use cel::{Context, ExecutionError, Value};
use chrono::NaiveDate;
use regex::Regex;

use crate::celval::{Counted, FileVals, Shared};
use crate::finding::{Finding, Label};
use crate::functions::{self, MISSING_YEAR};
use crate::rules::{BuiltinCheck, Check, Piece, Rule, RuleKind, RuleSet, Scope, Template, cel_env};
use crate::source::{Source, SourceFile};
use crate::tree::{self, DocPath, Node, NodeValue, Segment, Span};
use crate::{Lang, Severity};

/// Options of a run that change what rules see.
#[derive(Debug, Clone)]
pub struct Options {
    /// Message language.
    pub lang: Lang,
    /// The date waivers (and `today` in rules) are judged against.
    pub today: NaiveDate,
}

/// A compiled rule set ready to check files.
pub struct Engine {
    set: RuleSet,
    options: Options,
    calendar: Arc<crate::calendar::Calendar>,
    /// Regular expressions of text checks, by (rule index, check index), each compiled once.
    patterns: HashMap<(usize, usize), Vec<Pattern>>,
    /// Expression identifiers per rule (to keep invalid values out of rules that read them).
    tokens: Vec<std::collections::BTreeSet<String>>,
    /// Each rule's `params`, converted once.
    params: Vec<Box<dyn Val>>,
    /// The ids of the rules in force (waivers of other rules are "unused" only if known).
    rule_ids: std::collections::BTreeSet<String>,
    /// Per rule, per check, per `let`: whether its value can differ between items.
    per_item_lets: Vec<Vec<Vec<bool>>>,
}

/// An engine could not be built from a rule set (a text check's pattern is not a valid regex).
#[derive(Debug, Clone)]
pub struct PatternError {
    /// The rule.
    pub rule: String,
    /// Why.
    pub message: String,
}

impl Engine {
    /// Prepares a rule set for checking (compiles the patterns of text checks).
    pub fn new(set: RuleSet, options: Options) -> Result<Engine, Vec<PatternError>> {
        let calendar = Arc::new(set.calendar.clone());
        let mut patterns = HashMap::new();
        let mut errors = Vec::new();
        let mut tokens = Vec::new();
        for (ri, rule) in set.rules.iter().enumerate() {
            tokens.push(rule_tokens(rule));
            let RuleKind::Checks(checks) = &rule.kind else {
                continue;
            };
            for (ci, check) in checks.iter().enumerate() {
                let Some(expr) = &check.patterns else {
                    continue;
                };
                // Built-in patterns are compiled on first use (they are known to be valid);
                // a user's are compiled now, so a bad one stops the run before it starts.
                let texts = match pattern_texts(rule, expr) {
                    Ok(texts) => texts,
                    Err(mut e) => {
                        errors.append(&mut e);
                        continue;
                    }
                };
                let builtin = crate::rules::is_builtin(&rule.source);
                let mut list = Vec::new();
                for text in texts {
                    let compiled = std::sync::OnceLock::new();
                    if !builtin {
                        match Regex::new(&text) {
                            Ok(regex) => compiled.get_or_init(|| Some(regex)),
                            Err(e) => {
                                errors.push(PatternError {
                                    rule: rule.id.clone(),
                                    message: format!("invalid pattern `{text}`: {e}"),
                                });
                                continue;
                            }
                        };
                    }
                    list.push(Pattern { text, compiled });
                }
                patterns.insert((ri, ci), list);
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let params = set
            .rules
            .iter()
            .map(|r| FileVals::value(params_value(r)))
            .collect();
        let rule_ids = set.rules.iter().map(|r| r.id.clone()).collect();
        let per_item_lets = set
            .rules
            .iter()
            .map(|r| match &r.kind {
                RuleKind::Checks(checks) => checks.iter().map(item_dependent_lets).collect(),
                RuleKind::Builtin(_) => Vec::new(),
            })
            .collect();
        Ok(Engine {
            set,
            options,
            calendar,
            patterns,
            tokens,
            params,
            rule_ids,
            per_item_lets,
        })
    }

    /// Compiles every text check's patterns now, each pattern on its own task. Compiling the
    /// wording rules' Unicode patterns costs about as much as checking a plan, so a run starts
    /// this beside its first files instead of waiting for the first text to need them. (A
    /// pattern is compiled inside its cell without further parallelism: a task waiting for a
    /// cell must never be the one that has to finish it.)
    pub fn compile_patterns(&self) {
        use rayon::prelude::*;
        let all: Vec<&Pattern> = self.patterns.values().flatten().collect();
        all.par_iter().for_each(|p| {
            p.regex();
        });
    }

    /// The rule set in force.
    pub fn rules(&self) -> &RuleSet {
        &self.set
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    fn builtin_rule(&self, check: BuiltinCheck) -> Option<&Rule> {
        self.set
            .rules
            .iter()
            .find(|r| matches!(r.kind, RuleKind::Builtin(c) if c == check))
    }

    /// Checks one manifest. `repo_root` bounds where `file` values may point.
    pub fn check_source(
        &self,
        source: &Source,
        manifest_path: &Path,
        repo_root: &Path,
    ) -> Vec<Finding> {
        self.check_traced(source, manifest_path, repo_root, None, &|_| None)
    }

    /// Checks one manifest like [`Engine::check_source`], reading a `file` value from `open`
    /// first (an editor's unsaved buffer, by the file's canonical path) and from the disk only
    /// when `open` has no text for it.
    pub fn check_source_with(
        &self,
        source: &Source,
        manifest_path: &Path,
        repo_root: &Path,
        open: &dyn Fn(&Path) -> Option<String>,
    ) -> Vec<Finding> {
        self.check_traced(source, manifest_path, repo_root, None, open)
    }

    /// Checks one manifest like [`Engine::check_source`], and also returns the ids of the
    /// rules that decided something for it (an assertion evaluated, a text scanned, an engine
    /// check run on a parsed file): the controls a report lists as applied.
    pub fn check_source_traced(
        &self,
        source: &Source,
        manifest_path: &Path,
        repo_root: &Path,
    ) -> (Vec<Finding>, std::collections::BTreeSet<String>) {
        let mut decided = std::collections::BTreeSet::new();
        let out = self.check_traced(
            source,
            manifest_path,
            repo_root,
            Some(&mut decided),
            &|_| None,
        );
        (out, decided)
    }

    fn check_traced(
        &self,
        source: &Source,
        manifest_path: &Path,
        repo_root: &Path,
        mut decided: Option<&mut std::collections::BTreeSet<String>>,
        open: &dyn Fn(&Path) -> Option<String>,
    ) -> Vec<Finding> {
        let mut out = Vec::new();
        let doc = match tree::parse(&source.text) {
            Ok(doc) => doc,
            Err(failure) => {
                let span = failure.span.start..failure.span.end.max(failure.span.start);
                let args = vec![("message", failure.message)];
                if let Some(f) = self.builtin_finding(
                    BuiltinCheck::ParseError,
                    source,
                    span,
                    &DocPath::default(),
                    &args,
                ) {
                    out.push(f);
                }
                return out;
            }
        };
        let mut invalid = Vec::new();
        let mut texts: HashMap<DocPath, Source> = HashMap::new();
        if let Some(shape) = &self.set.shape {
            let report = shape.check(&doc);
            for issue in &report.issues {
                if let Some(f) = self.builtin_finding(
                    issue.check,
                    source,
                    issue.span.clone(),
                    &issue.path,
                    &issue.args,
                ) {
                    out.push(f);
                }
            }
            if report.stop {
                return out;
            }
            invalid = report.invalid;
            for (path, value, span) in report.files {
                match read_text_file(manifest_path, &value, repo_root, open) {
                    Ok(text) => {
                        texts.insert(path, text);
                    }
                    Err(refused) => {
                        let reason = refused.say(self.options.lang);
                        let args = vec![("path", value.clone()), ("reason", reason)];
                        if let Some(f) =
                            self.builtin_finding(BuiltinCheck::File, source, span, &path, &args)
                        {
                            out.push(f);
                        }
                        invalid.push(path);
                    }
                }
            }
        }
        let vals = FileVals::new(&doc, &invalid);
        let file = FileData::new(&doc, &invalid, texts, source.clone(), &vals);
        let mut root = Context::with_env(cel_env());
        functions::register(&mut root, Arc::clone(&self.calendar));
        root.add_variable_as_val("plan", Box::new(Shared(&*file.plan)));
        root.add_variable_as_val("entries", Box::new(Shared(&*file.entries)));
        root.add_variable_from_value("today", functions::date_value(self.options.today));
        root.add_variable_from_value("file", source.name.clone());
        self.run_rules(&file, &root, &mut out, decided.as_deref_mut());
        let waivers = crate::waivers::parse(source, &doc);
        // Engine checks ran on the parsed file; the waiver checks only decide something when
        // the file has waivers.
        if let Some(decided) = decided {
            decided.extend(
                self.set
                    .rules
                    .iter()
                    .filter(|r| match r.kind {
                        RuleKind::Builtin(c) => {
                            !c.name().starts_with("waiver") || !waivers.is_empty()
                        }
                        RuleKind::Checks(_) => false,
                    })
                    .map(|r| r.id.clone()),
            );
        }
        let issues = crate::waivers::apply(
            &waivers,
            source,
            &mut out,
            &self.set.known_ids,
            &self.rule_ids,
            self.options.today,
        );
        for (check, span, args) in issues {
            if let Some(f) = self.builtin_finding(check, source, span, &DocPath::default(), &args) {
                out.push(f);
            }
        }
        out
    }

    fn run_rules(
        &self,
        file: &FileData<'_>,
        root: &Context<'_, '_>,
        out: &mut Vec<Finding>,
        mut decided: Option<&mut std::collections::BTreeSet<String>>,
    ) {
        for (ri, rule) in self.set.rules.iter().enumerate() {
            let RuleKind::Checks(checks) = &rule.kind else {
                continue;
            };
            let mut rule_ctx = root.new_inner_scope();
            rule_ctx.add_variable_as_val("params", Box::new(Shared(&*self.params[ri])));
            crate::cel::meter::reset();
            let run = RuleRun {
                engine: self,
                rule,
                tokens: &self.tokens[ri],
                file,
                ctx: &rule_ctx,
                decided: std::cell::Cell::new(false),
                work: std::cell::Cell::new(0),
                stopped: std::cell::Cell::new(false),
            };
            if run.reads_invalid_elsewhere() {
                continue;
            }
            for (ci, check) in checks.iter().enumerate() {
                let patterns = self.patterns.get(&(ri, ci)).map(Vec::as_slice);
                run.check(check, &self.per_item_lets[ri][ci], patterns, out);
            }
            // Over the budget in an expression whose error is not reported (a message template).
            if let Some(why) = crate::cel::meter::over() {
                run.over_budget(why, "", file.doc, &DocPath::default(), out);
            }
            if let Some(decided) = decided.as_deref_mut()
                && run.decided.get()
            {
                decided.insert(rule.id.clone());
            }
        }
        crate::cel::meter::reset();
    }

    fn builtin_finding(
        &self,
        check: BuiltinCheck,
        source: &Source,
        span: Span,
        path: &DocPath,
        args: &[(&'static str, String)],
    ) -> Option<Finding> {
        let lang = self.options.lang;
        let Some(rule) = self.builtin_rule(check) else {
            // Without a rule bound to it, a parse error is still reported: a file that cannot
            // be read must never pass silently.
            if check != BuiltinCheck::ParseError {
                return None;
            }
            let message = args.first().map(|a| a.1.clone()).unwrap_or_default();
            return Some(Finding::new(
                "SCH001",
                Severity::Error,
                source.clone(),
                span,
                format!("not valid TOML: {message}"),
                String::new(),
            ));
        };
        let mut ctx = Context::with_env(cel_env());
        for (name, value) in args {
            ctx.add_variable_from_value(*name, value.clone());
        }
        ctx.add_variable_from_value("params", params_value(rule));
        let mut finding = Finding::new(
            &rule.id,
            rule.severity,
            source.clone(),
            span,
            render(rule.message.get(lang), &ctx),
            path.to_string(),
        );
        finding.help = rule
            .help
            .as_ref()
            .map(|h| render(h.get(lang), &ctx))
            .filter(|h| !h.is_empty());
        finding.label = rule
            .label
            .as_ref()
            .map(|l| render(l.get(lang), &ctx))
            .filter(|l| !l.is_empty());
        finding.basis = self.cite(rule);
        if !rule.fixes.is_empty()
            && let Ok(doc) = tree::parse(&source.text)
        {
            let target = crate::fix::compute::Target {
                text: &source.text,
                doc: &doc,
                item: path,
                today: self.options.today,
                lang,
            };
            finding.fix = crate::fix::compute::evaluate(&rule.fixes, &ctx, &target);
        }
        Some(finding)
    }

    /// The basis of a rule as one line in the run's language.
    pub fn cite(&self, rule: &Rule) -> String {
        self.cite_bases(&rule.basis)
    }

    /// Bases as one line in the run's language.
    pub(crate) fn cite_bases(&self, bases: &[crate::law::Basis]) -> String {
        bases
            .iter()
            .map(|b| self.set.law.cite(b, self.options.lang))
            .collect::<Vec<_>>()
            .join(match self.options.lang {
                Lang::Zh => "；",
                Lang::En => "; ",
            })
    }
}

/// A text check's regular expression, compiled on first use.
struct Pattern {
    text: String,
    compiled: std::sync::OnceLock<Option<Regex>>,
}

impl Pattern {
    /// The compiled expression (`None` only for an invalid built-in one, which a test rules out;
    /// a user's invalid pattern stops the run in [`Engine::new`]).
    fn regex(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| Regex::new(&self.text).ok())
            .as_ref()
    }
}

/// Evaluates a text check's `match` expression to its list of patterns.
fn pattern_texts(rule: &Rule, expr: &crate::rules::Expr) -> Result<Vec<String>, Vec<PatternError>> {
    let mut ctx = Context::with_env(cel_env());
    ctx.add_variable_from_value("params", params_value(rule));
    let list = match expr.program.execute(&ctx) {
        Ok(Value::List(list)) => list,
        Ok(other) => {
            return Err(vec![PatternError {
                rule: rule.id.clone(),
                message: format!(
                    "`match` must give a list of strings, gave {}",
                    display_value(&other)
                ),
            }]);
        }
        Err(e) => {
            return Err(vec![PatternError {
                rule: rule.id.clone(),
                message: format!("`match` could not be evaluated: {e}"),
            }]);
        }
    };
    let mut texts = Vec::new();
    let mut errors = Vec::new();
    for item in list.iter() {
        match item {
            Value::String(p) => texts.push(p.to_string()),
            _ => errors.push(PatternError {
                rule: rule.id.clone(),
                message: "`match` must give strings".into(),
            }),
        }
    }
    if errors.is_empty() {
        Ok(texts)
    } else {
        Err(errors)
    }
}

/// Every identifier in a rule's expressions.
pub(crate) fn rule_tokens(rule: &Rule) -> std::collections::BTreeSet<String> {
    let mut texts: Vec<&str> = rule
        .severity_if
        .iter()
        .map(|(e, _)| e.text.as_str())
        .chain(rule.basis_if.iter().map(|(e, _)| e.text.as_str()))
        .collect();
    let mut templates: Vec<&Template> = Vec::new();
    for t in [Some(&rule.message), rule.help.as_ref(), rule.label.as_ref()]
        .into_iter()
        .flatten()
    {
        templates.extend([&t.zh, &t.en]);
    }
    if let RuleKind::Checks(checks) = &rule.kind {
        for c in checks {
            texts.extend(
                [&c.when, &c.for_each, &c.assert, &c.patterns]
                    .into_iter()
                    .flatten()
                    .map(|e| e.text.as_str()),
            );
            texts.extend(c.lets.iter().map(|(_, e)| e.text.as_str()));
            templates.extend(c.at.iter());
            for a in &c.also {
                templates.push(&a.at);
                texts.extend(a.when.iter().map(|e| e.text.as_str()));
            }
        }
    }
    let mut tokens = std::collections::BTreeSet::new();
    for template in templates {
        for piece in &template.pieces {
            match piece {
                Piece::Expr(e) => texts.push(&e.text),
                // A literal path in `at` reads the key it names.
                Piece::Text(t) => texts.push(t),
            }
        }
    }
    for text in texts {
        let mut current = String::new();
        for c in text.chars().chain([' ']) {
            if c.is_ascii_alphanumeric() || c == '_' {
                current.push(c);
            } else if !current.is_empty() {
                tokens.insert(std::mem::take(&mut current));
            }
        }
    }
    tokens
}

/// The help of a "could not decide" finding (a year the working-day calendar lacks), zh and en.
const MISSING_YEAR_HELP: [&str; 2] = [
    "在 hegui.toml 的 `[calendar] files` 中补充该年的工作日安排（格式见 templates/calendar-2027.toml）",
    "add the year's schedule with `[calendar] files` in hegui.toml (format: templates/calendar-2027.toml)",
];

/// Whether a finding says its rule could not decide because the working-day calendar lacks a
/// year (it points at the item, not at the dates it could not judge).
pub(crate) fn is_missing_year(f: &Finding) -> bool {
    f.help
        .as_deref()
        .is_some_and(|h| MISSING_YEAR_HELP.contains(&h))
}

/// A manifest turned into CEL values once, with the paths of its entries. `plan`, `entries`
/// and the items are views of [`FileVals`]: rules bind them without copying.
struct FileData<'a> {
    doc: &'a Node,
    source: Source,
    vals: &'a FileVals<'a>,
    plan: Box<dyn Val + 'a>,
    entries: Box<dyn Val + 'a>,
    invalid: &'a [DocPath],
    texts: HashMap<DocPath, Source>,
    /// Each scope's items, listed once per file (most scopes are shared by many rules).
    scoped: std::cell::RefCell<HashMap<Vec<String>, ScopeItems<'a>>>,
}

/// The items of a scope: (path, node, CEL value), in document order.
type ScopeItems<'a> = std::rc::Rc<[(DocPath, &'a Node, &'a (dyn Val + 'a))]>;

impl<'a> FileData<'a> {
    fn new(
        doc: &'a Node,
        invalid: &'a [DocPath],
        texts: HashMap<DocPath, Source>,
        source: Source,
        vals: &'a FileVals<'a>,
    ) -> Self {
        FileData {
            doc,
            source,
            vals,
            plan: vals.plan(),
            entries: vals.entries(doc, invalid),
            invalid,
            texts,
            scoped: std::cell::RefCell::default(),
        }
    }

    /// The items a scope runs over: (path, node, CEL value), in document order.
    fn items<'s>(&'s self, scope: &Scope) -> std::rc::Rc<[(DocPath, &'s Node, &'s (dyn Val + 's))]>
    where
        'a: 's,
    {
        match scope {
            Scope::File => std::rc::Rc::new([(DocPath::default(), self.doc, &*self.plan)]),
            Scope::Tables(tables) => self.table_items(tables),
            Scope::Texts(places) => {
                let mut tables: Vec<String> = places.iter().map(|(t, _)| t.clone()).collect();
                tables.dedup();
                self.table_items(&tables)
            }
        }
    }

    /// The entries of these top-level tables, in document order, listed once per file.
    fn table_items(&self, tables: &[String]) -> ScopeItems<'a> {
        if let Some(known) = self.scoped.borrow().get(tables) {
            return std::rc::Rc::clone(known);
        }
        let mut items = Vec::new();
        for table in tables {
            items.extend(self.vals.table_items(self.doc, self.invalid, table));
        }
        items.sort_by_key(|(_, node, _)| node.span.start);
        let items: ScopeItems<'a> = items.into();
        self.scoped
            .borrow_mut()
            .insert(tables.to_vec(), std::rc::Rc::clone(&items));
        items
    }
}

/// Converts a node to a CEL value; tables get a `_path` key (`/account[0]`) so rules can point
/// at other entries and an `_order` key (document position), and invalid values are left out.
pub(crate) fn to_cel(node: &Node, invalid: Option<&[DocPath]>) -> Value {
    to_cel_at(node, invalid.unwrap_or(&[]), &DocPath::default())
}

fn to_cel_at(node: &Node, invalid: &[DocPath], path: &DocPath) -> Value {
    match &node.value {
        NodeValue::String(s) => Value::String(Arc::new(s.clone())),
        NodeValue::Integer(i) => Value::Int(*i),
        NodeValue::Float(f) => Value::Float(*f),
        NodeValue::Bool(b) => Value::Bool(*b),
        NodeValue::Date(d) => functions::date_value(*d),
        NodeValue::DateTime(dt) => functions::datetime_value(*dt),
        NodeValue::OffsetDateTime(s) => Value::String(Arc::new(s.clone())),
        NodeValue::Time(t) => Value::String(Arc::new(t.to_string())),
        NodeValue::Array(items) => Value::List(Arc::new(
            items
                .iter()
                .enumerate()
                .filter(|(i, _)| !invalid.contains(&path.index(*i)))
                .map(|(i, n)| to_cel_at(n, invalid, &path.index(i)))
                .collect(),
        )),
        NodeValue::Table(entries) => {
            let mut map: HashMap<Key, Value> = HashMap::with_capacity(entries.len() + 1);
            for entry in entries {
                let child = path.key(&entry.key);
                if invalid.contains(&child) {
                    continue;
                }
                map.insert(
                    Key::String(Arc::new(entry.key.clone())),
                    to_cel_at(&entry.node, invalid, &child),
                );
            }
            map.insert(
                Key::String(Arc::new("_path".into())),
                Value::String(Arc::new(format!("/{path}"))),
            );
            // Document order, for rules that compare an entry with the ones before it.
            map.insert(
                Key::String(Arc::new("_order".into())),
                Value::Int(node.span.start as i64),
            );
            Value::Map(Map { map: Arc::new(map) })
        }
    }
}

fn params_value(rule: &Rule) -> Value {
    let map: HashMap<Key, Value> = rule
        .params
        .iter()
        .map(|p| (Key::String(Arc::new(p.name.clone())), p.value.clone()))
        .collect();
    Value::Map(Map { map: Arc::new(map) })
}

/// Writes a CEL value for people: dates as `2026-12-20`, lists comma-separated.
pub fn display_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{f:.0}")
            } else {
                format!("{f}")
            }
        }
        Value::Bool(b) => b.to_string(),
        Value::Timestamp(t) => {
            let local = t.with_timezone(&functions::cst());
            if local.time() == chrono::NaiveTime::MIN {
                local.format("%Y-%m-%d").to_string()
            } else {
                local.format("%Y-%m-%dT%H:%M:%S").to_string()
            }
        }
        Value::Duration(d) => format!("{}d", d.num_days()),
        Value::List(items) => items
            .iter()
            .map(display_value)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Map(m) => m
            .map
            .get(&Key::String(Arc::new("_path".into())))
            .map_or_else(|| "{…}".to_owned(), display_value),
        Value::Null => "null".into(),
        other => format!("{other:?}"),
    }
}

/// Renders a template; a hole that cannot be evaluated is written as its source text.
pub(crate) fn render(template: &Template, ctx: &Context<'_, '_>) -> String {
    let mut out = String::new();
    for piece in &template.pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Expr(e) => match e.program.execute(ctx) {
                Ok(v) => out.push_str(&display_value(&v)),
                Err(_) => {
                    out.push('{');
                    out.push_str(&e.text);
                    out.push('}');
                }
            },
        }
    }
    out
}

/// Why an evaluation gave no answer.
enum Undecided {
    /// A value the rule needs is absent: the rule does not fire.
    Absent,
    /// The calendar lacks a year.
    MissingYear(String),
    /// The rule itself is wrong for this input.
    Failed(String),
}

/// For each `let` of a check, whether its value can differ from one item to the next: it
/// names `item`, or an earlier `let` that does. Names are read from the text (a superset of
/// what the expression references), so a doubt counts as "per item".
fn item_dependent_lets(check: &Check) -> Vec<bool> {
    let mut dependent: Vec<&str> = vec!["item"];
    check
        .lets
        .iter()
        .map(|(name, expr)| {
            let per_item = crate::lazy::variables(&expr.text)
                .iter()
                .any(|v| dependent.contains(v));
            if per_item {
                dependent.push(name);
            }
            per_item
        })
        .collect()
}

fn classify(error: ExecutionError) -> Undecided {
    match error {
        ExecutionError::NoSuchKey(_) => Undecided::Absent,
        ExecutionError::FunctionError { message, .. } if message.starts_with(MISSING_YEAR) => {
            Undecided::MissingYear(message.trim_start_matches(MISSING_YEAR).to_owned())
        }
        other => Undecided::Failed(other.to_string()),
    }
}

struct RuleRun<'e, 'f, 'c, 'p, 'v> {
    engine: &'e Engine,
    rule: &'e Rule,
    tokens: &'e std::collections::BTreeSet<String>,
    file: &'e FileData<'f>,
    ctx: &'c Context<'p, 'v>,
    /// Set once an assertion of the rule is evaluated or a text scanned (for reports).
    decided: std::cell::Cell<bool>,
    /// Expressions evaluated so far on this file, against [`crate::budget::MAX_EVALUATIONS`].
    work: std::cell::Cell<u64>,
    /// Set when the rule went over its budget on this file: it stops.
    stopped: std::cell::Cell<bool>,
}

impl RuleRun<'_, '_, '_, '_, '_> {
    fn reads(&self, path: &DocPath) -> bool {
        path.0
            .iter()
            .rev()
            .find_map(|s| match s {
                Segment::Key(k) => Some(k),
                Segment::Index(_) => None,
            })
            .is_some_and(|k| self.tokens.contains(k))
    }

    /// An invalid value that the rule reads, in a table the rule names, but outside the item
    /// being checked: the whole rule cannot be decided for this file.
    fn reads_invalid_elsewhere(&self) -> bool {
        self.file.invalid.iter().any(|p| {
            let table = match p.0.first() {
                Some(Segment::Key(t)) => t,
                _ => return false,
            };
            self.reads(p)
                && self.tokens.contains(table)
                && p.0.len() > 1
                && !self.is_scope_table(table)
        })
    }

    fn is_scope_table(&self, table: &str) -> bool {
        let RuleKind::Checks(checks) = &self.rule.kind else {
            return false;
        };
        checks.iter().any(|c| match &c.scope {
            Scope::Tables(t) => t.iter().any(|x| x == table),
            Scope::Texts(p) => p.iter().any(|(t, _)| t == table),
            Scope::File => false,
        })
    }

    fn item_reads_invalid(&self, item_path: &DocPath, scope: &Scope) -> bool {
        self.file.invalid.iter().any(|p| {
            let inside = p.starts_with(item_path);
            let same_table =
                matches!((p.0.first(), item_path.0.first()), (Some(a), Some(b)) if a == b);
            // Invalid values of other entries of the scope's own table affect the rules that
            // compare entries (duplicates, references); be conservative for file scope too.
            (inside || (same_table && matches!(scope, Scope::Tables(_))) && self.mentions_entries())
                && self.reads(p)
                || (matches!(scope, Scope::File) && self.reads(p))
        })
    }

    fn mentions_entries(&self) -> bool {
        self.tokens.contains("entries") || self.tokens.contains("plan")
    }

    fn report_undecided(
        &self,
        why: Undecided,
        node: &Node,
        path: &DocPath,
        out: &mut Vec<Finding>,
    ) {
        let lang = self.engine.options.lang;
        let (severity, message, help) = match why {
            Undecided::Absent => return,
            Undecided::MissingYear(year) => (
                Severity::Warning,
                match lang {
                    Lang::Zh => format!("无法判断：工作日日历缺少 {year} 年的安排"),
                    Lang::En => format!(
                        "could not decide: the working-day calendar has no schedule for {year}"
                    ),
                },
                match lang {
                    Lang::Zh => MISSING_YEAR_HELP[0],
                    Lang::En => MISSING_YEAR_HELP[1],
                },
            ),
            Undecided::Failed(e) => (
                Severity::Error,
                match lang {
                    Lang::Zh => format!("规则无法求值：{e}"),
                    Lang::En => format!("the rule could not be evaluated: {e}"),
                },
                match lang {
                    Lang::Zh => "规则文件有误：请检查该规则的表达式",
                    Lang::En => {
                        "the rule file is wrong for this input: check the rule's expressions"
                    }
                },
            ),
        };
        let mut f = Finding::new(
            &self.rule.id,
            severity,
            self.file.source.clone(),
            node.span.clone(),
            message,
            path.to_string(),
        );
        f.help = Some(help.to_owned());
        f.basis = self.engine.cite(self.rule);
        out.push(f);
    }

    /// Counts `n` evaluations; over the budget the rule stops on this file with a finding.
    fn spend(&self, n: u64, node: &Node, path: &DocPath, out: &mut Vec<Finding>) -> bool {
        if self.stopped.get() {
            return false;
        }
        self.work.set(self.work.get().saturating_add(n));
        if self.work.get() <= crate::budget::MAX_EVALUATIONS {
            return true;
        }
        self.over_budget(crate::budget::Exceeded::Work, "", node, path, out);
        false
    }

    /// Reports that the rule went over its evaluation budget, and stops it on this file.
    fn over_budget(
        &self,
        why: crate::budget::Exceeded,
        what: &str,
        node: &Node,
        path: &DocPath,
        out: &mut Vec<Finding>,
    ) {
        if self.stopped.replace(true) {
            return;
        }
        let lang = self.engine.options.lang;
        let mut f = Finding::new(
            &self.rule.id,
            Severity::Error,
            self.file.source.clone(),
            node.span.clone(),
            why.message(what, lang),
            path.to_string(),
        );
        f.help = Some(crate::budget::Exceeded::help(lang).to_owned());
        f.basis = self.engine.cite(self.rule);
        out.push(f);
    }

    fn check(
        &self,
        check: &Check,
        per_item: &[bool],
        patterns: Option<&[Pattern]>,
        out: &mut Vec<Finding>,
    ) {
        // A `let` that reads neither `item` nor an earlier `let` that does has the same value
        // for every item of the file (CEL is pure): it is evaluated once, on first need.
        let mut shared: Vec<Option<Result<Counted, ExecutionError>>> =
            check.lets.iter().map(|_| None).collect();
        let items = self.file.items(&check.scope);
        for (path, node, value) in items.iter() {
            let (node, value) = (*node, *value);
            if self.item_reads_invalid(path, &check.scope) {
                continue;
            }
            let cost = 2 + check.lets.len() as u64 + u64::from(check.for_each.is_some());
            if !self.spend(cost, node, path, out) {
                return;
            }
            let mut ctx = self.ctx.new_inner_scope();
            ctx.add_variable_as_val("item", Box::new(Shared(value)));
            if let Some(when) = &check.when {
                let Some(Value::Bool(true)) =
                    self.eval(when, "when", "a boolean", &ctx, node, path, out)
                else {
                    continue;
                };
            }
            let mut failed = None;
            let mut bound: Vec<(&str, Box<dyn Val>)> = Vec::new();
            for (index, (name, expr)) in check.lets.iter().enumerate() {
                // Each binding sees the previous ones. Values stay CEL values (no round trip
                // through `Value`); copies of values from the file are views, not deep copies.
                let evaluate = |bound: &[(&str, Box<dyn Val>)]| {
                    let mut scope = ctx.new_inner_scope();
                    for (n, v) in bound {
                        scope.add_variable_as_val(*n, v.clone_as_boxed());
                    }
                    let value = expr.program.execute_val(&scope).map(|v| v.into_owned())?;
                    crate::budget::check(value.as_ref()).map_err(|why| why.into_error())?;
                    Ok(value)
                };
                let result = if per_item[index] {
                    evaluate(&bound)
                } else {
                    // Computed for the first item that needs it; later items get a counted
                    // reference, not a copy.
                    let known = shared[index].get_or_insert_with(|| {
                        evaluate(&bound).map(|v| Counted(std::sync::Arc::from(v)))
                    });
                    match known {
                        Ok(v) => Ok(Box::new(v.share()) as Box<dyn Val>),
                        Err(e) => Err(e.clone()),
                    }
                };
                if let Err(e) = &result
                    && let Some(why) = crate::budget::Exceeded::of_error(e)
                {
                    self.over_budget(why, &format!("let.{name}"), node, path, out);
                    return;
                }
                match result {
                    Ok(v) => bound.push((name.as_str(), v)),
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            if let Some(e) = failed {
                self.report_undecided(classify(e), node, path, out);
                continue;
            }
            for (n, v) in bound {
                ctx.add_variable_as_val(n, v);
            }
            if let Scope::Texts(places) = &check.scope {
                self.match_texts(
                    check,
                    places,
                    patterns.unwrap_or_default(),
                    path,
                    node,
                    &ctx,
                    out,
                );
                continue;
            }
            let elements = match &check.for_each {
                None => None,
                Some(expr) => match self.eval(expr, "for_each", "a list", &ctx, node, path, out) {
                    Some(Value::List(list)) if list.len() as i64 > crate::budget::MAX_ITEMS => {
                        let why = crate::budget::Exceeded::Items;
                        self.over_budget(why, "for_each", node, path, out);
                        return;
                    }
                    Some(Value::List(list)) => Some(list),
                    _ => continue,
                },
            };
            match elements {
                None => self.assert_one(check, path, node, &ctx, out),
                Some(list) => {
                    if !self.spend(list.len() as u64, node, path, out) {
                        return;
                    }
                    for (i, element) in list.iter().enumerate() {
                        let mut each = ctx.new_inner_scope();
                        each.add_variable_from_value("each", element.clone());
                        each.add_variable_from_value("each_index", i as i64);
                        self.assert_one(check, path, node, &each, out);
                    }
                }
            }
        }
    }

    fn assert_one(
        &self,
        check: &Check,
        path: &DocPath,
        node: &Node,
        ctx: &Context<'_, '_>,
        out: &mut Vec<Finding>,
    ) {
        let Some(assert) = &check.assert else { return };
        let verdict = self.eval(assert, "assert", "a boolean", ctx, node, path, out);
        if verdict.is_some() {
            self.decided.set(true);
        }
        if let Some(Value::Bool(false)) = verdict {
            let (span, blamed) = self.locate(check, path, node, ctx);
            let finding = self.finding(check, ctx, self.file.source.clone(), span, &blamed, path);
            out.push(finding);
        }
    }

    /// Evaluates one of a check's expressions. A value of the wrong kind or an evaluation error
    /// is reported against the rule (an absent value silently) and gives `None`.
    #[allow(clippy::too_many_arguments)]
    fn eval(
        &self,
        expr: &crate::rules::Expr,
        what: &str,
        kind: &str,
        ctx: &Context<'_, '_>,
        node: &Node,
        path: &DocPath,
        out: &mut Vec<Finding>,
    ) -> Option<Value> {
        let wanted = |v: &Value| match kind {
            "a boolean" => matches!(v, Value::Bool(_)),
            _ => matches!(v, Value::List(_)),
        };
        match expr.program.execute(ctx) {
            Ok(v) if wanted(&v) => Some(v),
            Ok(other) => {
                let why = format!("`{what}` gave {} instead of {kind}", display_value(&other));
                self.report_undecided(Undecided::Failed(why), node, path, out);
                None
            }
            Err(e) => {
                match crate::budget::Exceeded::of_error(&e) {
                    Some(why) => self.over_budget(why, what, node, path, out),
                    None => self.report_undecided(classify(e), node, path, out),
                }
                None
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn match_texts(
        &self,
        check: &Check,
        places: &[(String, String)],
        patterns: &[Pattern],
        path: &DocPath,
        node: &Node,
        ctx: &Context<'_, '_>,
        out: &mut Vec<Finding>,
    ) {
        let Some(Segment::Key(table)) = path.0.first() else {
            return;
        };
        for (place_table, key) in places {
            if place_table != table {
                continue;
            }
            let key_path = path.key(key);
            let Some(value_node) = node.get(key) else {
                continue;
            };
            let NodeValue::String(value) = &value_node.value else {
                continue;
            };
            if self.file.invalid.contains(&key_path) {
                continue;
            }
            self.decided.set(true);
            // A `file` value contributes the file's text, and findings point into that file.
            let (source, text, base): (Source, &str, Option<usize>) =
                match self.file.texts.get(&key_path) {
                    Some(text_source) => (text_source.clone(), text_source.text.as_str(), Some(0)),
                    None => (
                        self.file.source.clone(),
                        value.as_str(),
                        literal_content_start(&self.file.source, &value_node.span),
                    ),
                };
            let mut matches: Vec<(usize, usize)> = patterns
                .iter()
                .filter_map(Pattern::regex)
                .flat_map(|re| re.find_iter(text).map(|m| (m.start(), m.end())))
                .collect();
            matches.sort_unstable();
            matches.dedup();
            // Made once and shared by reference count: binding a copy of the text for every
            // match was quadratic in the number of matches.
            let text_value = crate::celval::Counted(std::sync::Arc::new(
                cel::common::types::CelString::from(text.to_owned()),
            ));
            // In a string with escapes the words are looked for in the raw source, each after
            // the one before, so the search is linear in the text.
            let mut raw_from = value_node.span.start;
            for (start, end) in matches {
                let words = &text[start..end];
                let span = match base {
                    Some(offset) => offset + start..offset + end,
                    // Not found in the raw source: blame the whole string.
                    None => {
                        let rest = raw_from.min(value_node.span.end)..value_node.span.end;
                        match find_in(&self.file.source, &rest, words) {
                            Some(found) => {
                                // Matches of different patterns may overlap: the next search
                                // starts one character in.
                                let first = words.chars().next().map_or(1, char::len_utf8);
                                raw_from = found.start + first;
                                found
                            }
                            None => value_node.span.clone(),
                        }
                    }
                };
                let mut scope = ctx.new_inner_scope();
                scope.add_variable_as_val("text", Box::new(text_value.share()));
                scope.add_variable_from_value("match", words.to_owned());
                let blamed = key_path.clone();
                out.push(self.finding(check, &scope, source.clone(), span, &blamed, path));
            }
        }
    }

    /// The span and path a finding points at: the first `at` path that exists, else the item.
    fn locate(
        &self,
        check: &Check,
        item_path: &DocPath,
        item: &Node,
        ctx: &Context<'_, '_>,
    ) -> (Span, DocPath) {
        for at in &check.at {
            let Some(path) = resolve_path(at, item_path, ctx) else {
                continue;
            };
            if let Some(node) = self.file.doc.at(&path.0) {
                return (node.span.clone(), path);
            }
        }
        (item.span.clone(), item_path.clone())
    }

    fn finding(
        &self,
        check: &Check,
        ctx: &Context<'_, '_>,
        source: Source,
        span: Span,
        blamed: &DocPath,
        item: &DocPath,
    ) -> Finding {
        let rule = self.rule;
        let lang = self.engine.options.lang;
        let severity = rule
            .severity_if
            .iter()
            .find(|(cond, _)| matches!(cond.program.execute(ctx), Ok(Value::Bool(true))))
            .map_or(rule.severity, |(_, s)| *s);
        let message = check.message.as_ref().unwrap_or(&rule.message);
        let help = check.help.as_ref().or(rule.help.as_ref());
        let mut f = Finding::new(
            &rule.id,
            severity,
            source,
            span,
            render(message.get(lang), ctx),
            stable_path(self.file.doc, blamed),
        );
        f.help = help
            .map(|h| render(h.get(lang), ctx))
            .filter(|h| !h.is_empty());
        f.label = check
            .label
            .as_ref()
            .or(rule.label.as_ref())
            .map(|l| render(l.get(lang), ctx))
            .filter(|l| !l.is_empty());
        f.basis = match rule
            .basis_if
            .iter()
            .find(|(cond, _)| matches!(cond.program.execute(ctx), Ok(Value::Bool(true))))
        {
            Some((_, bases)) => self.engine.cite_bases(bases),
            None => self.engine.cite(rule),
        };
        f.value = f.source.text.get(f.span.clone()).unwrap_or("").to_owned();
        let item_path = blamed.0.iter().take(2).cloned().collect::<Vec<_>>();
        for also in &check.also {
            if let Some(when) = &also.when
                && !matches!(when.program.execute(ctx), Ok(Value::Bool(true)))
            {
                continue;
            }
            let Some(path) = resolve_path(&also.at, &DocPath(item_path.clone()), ctx) else {
                continue;
            };
            let Some(node) = self.file.doc.at(&path.0) else {
                continue;
            };
            let text = also
                .label
                .as_ref()
                .map(|l| render(l.get(lang), ctx))
                .unwrap_or_default();
            if f.labels.iter().all(|l| l.span != node.span) {
                f.labels.push(Label {
                    span: node.span.clone(),
                    text,
                });
            }
        }
        let fixes = if check.fixes.is_empty() {
            &rule.fixes
        } else {
            &check.fixes
        };
        // A finding inside a `text_file` points into that file; fixes edit the manifest only.
        if !fixes.is_empty() && Arc::ptr_eq(&f.source, &self.file.source) {
            let target = crate::fix::compute::Target {
                text: &self.file.source.text,
                doc: self.file.doc,
                item,
                today: self.engine.options.today,
                lang,
            };
            f.fix = crate::fix::compute::evaluate(fixes, ctx, &target);
        }
        f
    }
}

/// A path template rendered and made absolute: `/x` is from the root, anything else from the item.
pub(crate) fn resolve_path(
    template: &Template,
    item_path: &DocPath,
    ctx: &Context<'_, '_>,
) -> Option<DocPath> {
    let mut text = String::new();
    for piece in &template.pieces {
        match piece {
            Piece::Text(t) => text.push_str(t),
            Piece::Expr(e) => text.push_str(&display_value(&e.program.execute(ctx).ok()?)),
        }
    }
    let relative = DocPath::parse(&text)?;
    if text.trim_start().starts_with('/') {
        Some(relative)
    } else {
        let mut path = item_path.clone();
        path.0.extend(relative.0);
        Some(path)
    }
}

/// A data path that survives edits: entries are named by their `id` (or `card_id`), e.g.
/// `account[id=acme-service].closure_effective_on`.
pub(crate) fn stable_path(doc: &Node, path: &DocPath) -> String {
    let mut out = String::new();
    let mut node = Some(doc);
    for segment in &path.0 {
        match segment {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
                node = node.and_then(|n| n.get(k));
            }
            Segment::Index(i) => {
                let child = node.and_then(|n| n.at(&[Segment::Index(*i)]));
                let id = child
                    .and_then(|c| c.get("id").or_else(|| c.get("card_id")))
                    .and_then(Node::as_str);
                match id {
                    Some(id) => out.push_str(&format!("[id={id}]")),
                    None => out.push_str(&format!("[{i}]")),
                }
                node = child;
            }
        }
    }
    out
}

/// Where a string's characters start in the source, when they map one to one (no escapes).
fn literal_content_start(source: &SourceFile, span: &Span) -> Option<usize> {
    let (start, exact) = tree::string_content_start(&source.text, span);
    exact.then_some(start)
}

fn find_in(source: &SourceFile, span: &Span, words: &str) -> Option<Span> {
    let raw = source.text.get(span.clone())?;
    raw.find(words)
        .map(|i| span.start + i..span.start + i + words.len())
}

/// Reads a `file` value: relative to the manifest, inside the repository (not its `.git`
/// folder), a regular file of at most [`crate::confine::MAX_FILE_BYTES`], UTF-8; `open` may
/// hold its text (keyed by the canonical path) in place of the file's bytes on disk.
fn read_text_file(
    manifest: &Path,
    value: &str,
    repo_root: &Path,
    open: &dyn Fn(&Path) -> Option<String>,
) -> Result<Source, crate::confine::Refused> {
    let base = manifest.parent().unwrap_or(Path::new("."));
    let joined = base.join(value);
    let resolved = crate::confine::resolve_inside(&joined, repo_root)?;
    if let Some(text) = open(&resolved) {
        return Ok(SourceFile::new(display_path(&joined), text));
    }
    let bytes = crate::confine::read_regular(&resolved)?;
    let text = String::from_utf8(bytes).map_err(|_| crate::confine::Refused::NotUtf8)?;
    Ok(SourceFile::new(display_path(&joined), text))
}

/// An I/O error in a few words.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// A path as shown to users: relative to the working directory when below it, `/`-separated.
pub fn display_path(path: &Path) -> String {
    // Relative paths (the usual case) are shown as given: no need to ask for the folder.
    let cwd = if path.is_absolute() {
        std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
    } else {
        PathBuf::new()
    };
    let shown = path.strip_prefix(&cwd).unwrap_or(path);
    let text = shown.to_string_lossy().replace('\\', "/");
    let text = text.strip_prefix("./").unwrap_or(&text).to_owned();
    // Collapse `a/./b` that joining relative paths produces.
    text.replace("/./", "/")
}
