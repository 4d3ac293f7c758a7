//! One rule run: a rule's checks evaluated over its scope, and the findings they build.

use std::sync::Arc;

use cel::common::value::Val;
use cel::{Context, ExecutionError, Value};

use crate::cel::convert::display_value;
use crate::celval::{Counted, Shared};
use crate::eval::data::*;
use crate::eval::engine::*;
use crate::eval::patterns::*;
use crate::finding::{Finding, Label};
use crate::functions::MISSING_YEAR;
use crate::rules::{Check, Piece, Rule, RuleKind, Scope, Template};
use crate::source::{Source, SourceFile};
use crate::tree::{self, DocPath, Node, NodeValue, Segment, Span};
use crate::{Lang, Severity};

/// Why an evaluation gave no answer.
pub(crate) enum Undecided {
    /// A value the rule needs is absent: the rule does not fire.
    Absent,
    /// The calendar lacks a year.
    MissingYear(String),
    /// The rule itself is wrong for this input.
    Failed(String),
}

/// How far a `let`'s value reaches, i.e. what it can differ between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LetReach {
    /// It names `item`, or an earlier `let` that does: evaluated for every item.
    Item,
    /// It names `params` or an earlier `let`: one value per rule and file.
    Rule,
    /// It names neither (only `plan`, `entries`, `today`, `file` and functions): one value per
    /// file, shared by every rule whose `let` has the same text (seven rules index the notices
    /// by what they cover with the same expression).
    File,
}

/// For each `let` of a check, how far its value reaches. Names are read from the text (a
/// superset of what the expression references), so a doubt counts as the narrower reach.
pub(crate) fn let_reach(check: &Check) -> Vec<LetReach> {
    let mut dependent: Vec<&str> = vec!["item"];
    check
        .lets
        .iter()
        .map(|(name, expr)| {
            let names = crate::lazy::variables(&expr.text);
            if names.iter().any(|v| dependent.contains(v)) {
                dependent.push(name);
                LetReach::Item
            } else if names
                .iter()
                .any(|v| *v == "params" || check.lets.iter().any(|(n, _)| n == v))
            {
                LetReach::Rule
            } else {
                LetReach::File
            }
        })
        .collect()
}

/// A `let`'s value in `ctx`, within the budget's size limits.
fn let_value<'v>(
    expr: &crate::rules::Expr,
    ctx: &Context<'_, 'v>,
) -> Result<Box<dyn Val + 'v>, ExecutionError> {
    let value = expr.program.execute_val(ctx).map(|v| v.into_owned())?;
    crate::budget::check(value.as_ref()).map_err(|why| why.into_error())?;
    Ok(value)
}

pub(crate) fn classify(error: ExecutionError) -> Undecided {
    match error {
        ExecutionError::NoSuchKey(_) => Undecided::Absent,
        ExecutionError::FunctionError { message, .. } if message.starts_with(MISSING_YEAR) => {
            Undecided::MissingYear(message.trim_start_matches(MISSING_YEAR).to_owned())
        }
        other => Undecided::Failed(other.to_string()),
    }
}

pub(crate) struct RuleRun<'e, 'f, 'c, 'p, 'v> {
    pub(crate) engine: &'e Engine,
    pub(crate) rule: &'e Rule,
    pub(crate) tokens: &'e std::collections::BTreeSet<String>,
    pub(crate) file: &'e FileData<'f>,
    pub(crate) ctx: &'c Context<'p, 'v>,
    /// The file-wide `let` values computed so far (shared by the file's rules).
    pub(crate) file_lets: &'c FileLets<'e, 'v>,
    /// Set once an assertion of the rule is evaluated or a text scanned (for reports).
    pub(crate) decided: std::cell::Cell<bool>,
    /// Expressions evaluated so far on this file, against [`crate::budget::MAX_EVALUATIONS`].
    pub(crate) work: std::cell::Cell<u64>,
    /// Set when the rule went over its budget on this file: it stops.
    pub(crate) stopped: std::cell::Cell<bool>,
}

/// The file-wide `let` values of one file, by expression text ([`LetReach::File`]).
pub(crate) type FileLets<'e, 'v> =
    std::cell::RefCell<std::collections::HashMap<&'e str, Result<Counted<'v>, ExecutionError>>>;

impl<'e, 'v> RuleRun<'e, '_, '_, '_, 'v> {
    pub(crate) fn reads(&self, path: &DocPath) -> bool {
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
    pub(crate) fn reads_invalid_elsewhere(&self) -> bool {
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

    pub(crate) fn is_scope_table(&self, table: &str) -> bool {
        let RuleKind::Checks(checks) = &self.rule.kind else {
            return false;
        };
        checks.iter().any(|c| match &c.scope {
            Scope::Tables(t) => t.iter().any(|x| x == table),
            Scope::Texts(p) => p.iter().any(|(t, _)| t == table),
            Scope::File => false,
        })
    }

    pub(crate) fn item_reads_invalid(&self, item_path: &DocPath, scope: &Scope) -> bool {
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

    pub(crate) fn mentions_entries(&self) -> bool {
        self.tokens.contains("entries") || self.tokens.contains("plan")
    }

    /// A file-wide `let` value: computed by the first rule that needs it, a counted reference
    /// for every later one. Over-budget errors are not kept (they belong to the rule that
    /// spent the budget: the next rule computes the value with its own).
    pub(crate) fn file_let(
        &self,
        text: &'e str,
        compute: impl FnOnce() -> Result<Counted<'v>, ExecutionError>,
    ) -> Result<Counted<'v>, ExecutionError> {
        if let Some(known) = self.file_lets.borrow().get(text) {
            return known.clone();
        }
        let result = compute();
        let over = matches!(&result, Err(e) if crate::budget::Exceeded::of_error(e).is_some());
        if !over {
            self.file_lets.borrow_mut().insert(text, result.clone());
        }
        result
    }

    pub(crate) fn report_undecided(
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
    pub(crate) fn spend(
        &self,
        n: u64,
        node: &Node,
        path: &DocPath,
        out: &mut Vec<Finding>,
    ) -> bool {
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
    pub(crate) fn over_budget(
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

    pub(crate) fn check(
        &self,
        check: &'e Check,
        reach: &[LetReach],
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
            for (index, (name, expr)) in check.lets.iter().enumerate() {
                // Each binding sees the previous ones, bound in the item's scope as they are
                // made. Values stay CEL values (no round trip through `Value`); copies of
                // values from the file are views, not deep copies.
                let result = match reach[index] {
                    LetReach::Item => let_value(expr, &ctx),
                    // Computed for the first item that needs it; later items get a counted
                    // reference, not a copy. A file-wide value may come from an earlier rule;
                    // it reads none of the item's names, so it is evaluated in the rule's
                    // scope and can outlive the item.
                    wider => {
                        let known = shared[index].get_or_insert_with(|| match wider {
                            LetReach::File => self.file_let(&expr.text, || {
                                let_value(expr, self.ctx).map(Counted::from)
                            }),
                            _ => let_value(expr, &ctx).map(Counted::from),
                        });
                        known.clone().map(|v| Box::new(v) as Box<dyn Val>)
                    }
                };
                if let Err(e) = &result
                    && let Some(why) = crate::budget::Exceeded::of_error(e)
                {
                    self.over_budget(why, &format!("let.{name}"), node, path, out);
                    return;
                }
                match result {
                    Ok(v) => ctx.add_variable_as_val(name.as_str(), v),
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

    pub(crate) fn assert_one(
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
    pub(crate) fn eval(
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
    pub(crate) fn match_texts(
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
    pub(crate) fn locate(
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

    pub(crate) fn finding(
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
            stable_path(self.file.doc, blamed, self.engine.identity_keys()),
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
        let variant = (rule.basis_if.iter())
            .position(|(cond, _)| matches!(cond.program.execute(ctx), Ok(Value::Bool(true))));
        f.basis = self.engine.cite_variant(rule, variant);
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
            let target = crate::eval::fixes::Target {
                text: &self.file.source.text,
                doc: self.file.doc,
                item,
                today: self.engine.options.today,
                lang,
                work: self.file.fix_work,
            };
            f.fix = crate::eval::fixes::evaluate(fixes, ctx, &target);
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

/// A data path that survives edits: entries are named by the first of the vocabulary's
/// identity keys they have, e.g. `account[id=acme-service].closure_effective_on`.
pub(crate) fn stable_path(doc: &Node, path: &DocPath, identity: &[String]) -> String {
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
                    .and_then(|c| identity.iter().find_map(|key| c.get(key)))
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
pub(crate) fn literal_content_start(source: &SourceFile, span: &Span) -> Option<usize> {
    let (start, exact) = tree::string_content_start(&source.text, span);
    exact.then_some(start)
}

pub(crate) fn find_in(source: &SourceFile, span: &Span, words: &str) -> Option<Span> {
    let raw = source.text.get(span.clone())?;
    raw.find(words)
        .map(|i| span.start + i..span.start + i + words.len())
}
