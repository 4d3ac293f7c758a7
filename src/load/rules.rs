//! Loading rule packs: TOML files of rules (and the vocabulary, law and calendar data they
//! use), loaded in two steps — raw spanned tree, then validated and compiled into the model
//! (`crate::model::rules`) — collecting every problem with its place in the rule file. The
//! format is documented in `docs/rule-format.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::Severity;
use crate::law::Basis;
use crate::model::rules::{
    Also, BiTemplate, BuiltinCheck, Check, Expr, Family, FileProblems, Param, Piece, Rule,
    RuleKind, RuleSet, Scope, Template, is_builtin,
};
use crate::reader::{Problems, TableReader, suggest};
use crate::shape::Shape;
use crate::source::Source;
use crate::tree::{self, Node, NodeValue, Span};

mod compile;
use compile::compile_rule;

/// Variables every check can read.
const BASE_VARIABLES: [&str; 6] = ["item", "plan", "params", "entries", "today", "file"];

impl RuleSet {
    /// Loads files (given as sources) into one rule set; returns every problem of every file,
    /// those of the static checker (`crate::rulecheck`) in English.
    pub fn load(sources: Vec<Source>) -> Result<RuleSet, Vec<FileProblems>> {
        RuleSet::load_in(sources, crate::Lang::En)
    }

    /// [`RuleSet::load`], with the static checker's messages in `lang`.
    pub fn load_in(sources: Vec<Source>, lang: crate::Lang) -> Result<RuleSet, Vec<FileProblems>> {
        let (set, mut failures) = RuleSet::load_parts(sources);
        for more in crate::rulecheck::check_set(&set, lang, false) {
            merge(&mut failures, more);
        }
        if failures.is_empty() {
            Ok(set)
        } else {
            failures.sort_by(|a: &FileProblems, b| a.source.name.cmp(&b.source.name));
            Err(failures)
        }
    }

    /// Loads what loads, and every problem of the files (the rules that have one are left out).
    fn load_parts(sources: Vec<Source>) -> (RuleSet, Vec<FileProblems>) {
        let mut set = RuleSet::default();
        let mut failures = Vec::new();
        let mut raw_rules = Vec::new();
        // Data first (law, vocabulary, calendar) so rules can be validated against it.
        let mut trees = Vec::new();
        // Parsing is most of loading; the packs are independent until validated together.
        let parsed: Vec<_> = {
            use rayon::prelude::*;
            sources.par_iter().map(|s| tree::parse(&s.text)).collect()
        };
        for (source, parsed) in sources.iter().zip(parsed) {
            let problems = Problems::default();
            match parsed {
                Ok(doc) => {
                    let reader = TableReader::new(&doc, "a rule file", &problems);
                    set.law.load(&reader, &problems);
                    if let Some(shape) = reader.table("shape") {
                        match (&set.shape, Shape::load(shape, &problems)) {
                            (Some(_), Some(_)) => problems.push(shape.span.clone(), "a second manifest vocabulary (`[shape]`): only one may be in force"),
                            (None, loaded) => set.shape = loaded,
                            _ => {}
                        }
                    }
                    if let Some(calendar) = reader.table("calendar") {
                        set.calendar.load(calendar, &problems);
                    }
                    let family = reader.table("family").cloned();
                    let rules = reader.array("rule").map(<[Node]>::to_vec);
                    reader.finish();
                    trees.push((source.clone(), problems, family, rules));
                }
                Err(e) => {
                    problems.push(
                        e.span,
                        format!("{}: {}", crate::reader::NOT_TOML, e.message),
                    );
                    trees.push((source.clone(), problems, None, None));
                }
            }
        }
        for (source, problems, family, rules) in trees {
            let family_id = family
                .as_ref()
                .and_then(|f| load_family(f, &source, &problems, &mut set));
            if family.is_none() && rules.is_some() {
                problems.push(0..0, "rules need a `[family]` table (`id`, `title`)");
            }
            for rule in rules.unwrap_or_default() {
                if let Some(family) = &family_id {
                    raw_rules.push((source.clone(), family.clone(), rule));
                }
            }
            collect(&source, problems, &mut failures);
        }
        let mut seen: BTreeMap<String, (Source, Span)> = BTreeMap::new();
        for (source, family, node) in raw_rules {
            let problems = Problems::default();
            if let Some(rule) = compile_rule(&node, &family, &source, &set, &problems) {
                if let Some((first_source, _)) = seen.get(&rule.id) {
                    problems.push(
                        node.get("id").map_or(node.span.clone(), |n| n.span.clone()),
                        format!(
                            "rule `{}` is already defined in {}",
                            rule.id, first_source.name
                        ),
                    );
                } else {
                    seen.insert(rule.id.clone(), (source.clone(), rule.span.clone()));
                    set.rules.push(rule);
                }
            }
            collect(&source, problems, &mut failures);
        }
        set.sources = sources;
        set.rules.sort_by(|a, b| a.id.cmp(&b.id));
        set.known_ids = set.rules.iter().map(|r| r.id.clone()).collect();
        set.parse_error_id = set
            .rules
            .iter()
            .find(|r| matches!(r.kind, RuleKind::Builtin(BuiltinCheck::ParseError)))
            .map(|r| r.id.clone());
        for (rule, name) in set.link_shared_params() {
            let problems = Problems::default();
            let r = &set.rules[rule];
            let (target_rule, target) = r.params[name].same_as.clone().unwrap_or_default();
            problems.push(
                r.span.clone(),
                format!(
                    "parameter `{}` of {} is `same_as = \"{target_rule}.{target}\"`, but no loaded rule has that parameter (or it is itself shared)",
                    r.params[name].name, r.id
                ),
            );
            collect(&r.source, problems, &mut failures);
        }
        set.families.sort_by(|a, b| a.id.cmp(&b.id));
        (set, failures)
    }

    /// Gives every `same_as` parameter the value and default of the parameter it names;
    /// returns the (rule, parameter) indices whose target is missing or itself shared.
    pub(crate) fn link_shared_params(&mut self) -> Vec<(usize, usize)> {
        let mut broken = Vec::new();
        for r in 0..self.rules.len() {
            for p in 0..self.rules[r].params.len() {
                let Some((rule, name)) = self.rules[r].params[p].same_as.clone() else {
                    continue;
                };
                let target = self
                    .rule(&rule)
                    .and_then(|t| t.params.iter().find(|q| q.name == name))
                    .filter(|q| q.same_as.is_none())
                    .map(|q| (q.value.clone(), q.default_text.clone()));
                let Some((value, default_text)) = target else {
                    broken.push((r, p));
                    continue;
                };
                let param = &mut self.rules[r].params[p];
                param.value = value;
                param.default_text = default_text;
            }
        }
        broken
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Keeps only the rules that `keep` accepts.
    pub fn retain(&mut self, keep: impl Fn(&Rule) -> bool) {
        self.rules.retain(keep);
    }
}

fn collect(source: &Source, problems: Problems, failures: &mut Vec<FileProblems>) {
    if problems.is_empty() {
        return;
    }
    let mut problems = problems.into_vec();
    problems.sort_by_key(|p| (p.span.start, p.span.end));
    problems.dedup();
    merge(
        failures,
        FileProblems {
            source: source.clone(),
            problems,
        },
    );
}

/// Adds a file's problems to the list; several batches may be about one file.
fn merge(failures: &mut Vec<FileProblems>, more: FileProblems) {
    if let Some(existing) = failures
        .iter_mut()
        .find(|f| Arc::ptr_eq(&f.source, &more.source))
    {
        existing.problems.extend(more.problems);
        existing
            .problems
            .sort_by_key(|p| (p.span.start, p.span.end));
    } else {
        failures.push(more);
    }
}

fn load_family(
    node: &Node,
    source: &Source,
    problems: &Problems,
    set: &mut RuleSet,
) -> Option<String> {
    let reader = TableReader::new(node, "`[family]`", problems);
    let id = reader.required_string("id");
    let title = reader.required_text("title");
    reader.finish();
    let (id, span) = id?;
    if !id.chars().all(|c| c.is_ascii_uppercase()) || id.is_empty() {
        problems.push(span, "a family id is upper-case letters, e.g. `NTC`");
        return None;
    }
    if set.families.iter().any(|f| f.id == id) {
        problems.push(span, format!("family `{id}` is already defined"));
        return None;
    }
    set.families.push(Family {
        id: id.clone(),
        title: title?,
        source: source.clone(),
    });
    Some(id)
}

/// Where the content of a string value starts, past its quotes.
fn content_start(source: &Source, span: &Span) -> usize {
    tree::string_content_start(&source.text, span).0
}

/// Compiles a CEL expression; syntax errors point at their line and column in the rule file.
/// Built-in packs' expressions are compiled on first use (see `crate::lazy`).
fn compile_expr(text: &str, at: usize, source: &Source, problems: &Problems) -> Option<Expr> {
    if is_builtin(source) {
        return Some(Expr {
            program: crate::lazy::LazyProgram::deferred(text),
            text: text.to_owned(),
            start: at,
        });
    }
    match crate::lazy::compile(text) {
        Ok(program) => Some(Expr {
            program: crate::lazy::LazyProgram::compiled(program),
            text: text.to_owned(),
            start: at,
        }),
        Err(errors) => {
            for error in errors.errors {
                let (line, col) = (error.pos.0.max(1) as usize, error.pos.1.max(1) as usize);
                let offset = offset_in(text, line, col);
                let start = source.clamp(at + offset);
                let end =
                    source.clamp(start + text[offset..].chars().next().map_or(0, char::len_utf8));
                let message = error.msg.trim_start_matches("Syntax error: ");
                problems.push(
                    start..end.max(start),
                    format!("CEL syntax error: {message}"),
                );
            }
            None
        }
    }
}

/// Byte offset in `text` of a 1-based line and 1-based character column.
fn offset_in(text: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(col - 1)
                    .map_or(l.trim_end_matches('\n').len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

pub(crate) fn expr_field(
    reader: &TableReader<'_>,
    key: &'static str,
    source: &Source,
) -> Option<Expr> {
    let (text, span) = reader.string(key)?;
    compile_expr(&text, content_start(source, &span), source, reader.problems)
}

/// Parses `text {expr} text`; `{{` and `}}` are literal braces.
pub(crate) fn compile_template(
    text: &str,
    span: &Span,
    source: &Source,
    problems: &Problems,
) -> Template {
    let start = content_start(source, span);
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' if chars.peek().is_some_and(|(_, n)| *n == '{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek().is_some_and(|(_, n)| *n == '}') => {
                chars.next();
                literal.push('}');
            }
            '{' => {
                let Some(close) = text[i + 1..].find('}').map(|j| i + 1 + j) else {
                    problems.push(
                        start + i..start + i + 1,
                        "unclosed `{` in a template (write `{{` for a literal brace)",
                    );
                    return Template { pieces };
                };
                if !literal.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut literal)));
                }
                let inner = &text[i + 1..close];
                if let Some(expr) = compile_expr(inner, start + i + 1, source, problems) {
                    pieces.push(Piece::Expr(expr));
                }
                while chars.peek().is_some_and(|(j, _)| *j <= close) {
                    chars.next();
                }
            }
            _ => literal.push(c),
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Text(literal));
    }
    Template { pieces }
}

pub(crate) fn bi_template(
    reader: &TableReader<'_>,
    key: &'static str,
    source: &Source,
) -> Option<BiTemplate> {
    let node = reader.table(key)?;
    let inner = TableReader::new(node, format!("`{key}`"), reader.problems);
    let zh = inner.required_string("zh");
    let en = inner.required_string("en");
    inner.finish();
    let (zh, en) = (zh?, en?);
    Some(BiTemplate {
        zh: compile_template(&zh.0, &zh.1, source, reader.problems),
        en: compile_template(&en.0, &en.1, source, reader.problems),
    })
}

fn severity(text: &str, span: Span, problems: &Problems) -> Option<Severity> {
    match text {
        "error" => Some(Severity::Error),
        "warning" => Some(Severity::Warning),
        "info" => Some(Severity::Info),
        other => {
            problems.push_help(
                span,
                format!("unknown severity `{other}`"),
                Some(
                    suggest(other, ["error", "warning", "info"])
                        .map_or("use `error`, `warning` or `info`".into(), |s| {
                            format!("did you mean `{s}`?")
                        }),
                ),
            );
            None
        }
    }
}

fn load_basis(reader: &TableReader<'_>, set: &RuleSet) -> Vec<Basis> {
    let mut out = Vec::new();
    for node in reader.array("basis").unwrap_or_default() {
        let b = TableReader::new(node, "a basis", reader.problems);
        let basis = match (b.string("statute"), b.string("practice")) {
            (Some((statute, _)), None) => {
                let article = b
                    .required_string("article")
                    .map(|s| s.0)
                    .unwrap_or_default();
                let item = b.string("item").map(|s| s.0);
                Basis::Statute {
                    statute,
                    article,
                    item,
                }
            }
            (None, Some((source, _))) => Basis::Practice {
                source,
                section: b.string("section").map(|s| s.0),
            },
            _ => {
                reader.problems.push(
                    node.span.clone(),
                    "a basis names either a `statute` (with `article`) or a `practice` source",
                );
                b.finish();
                continue;
            }
        };
        b.finish();
        set.law.validate(&basis, node.span.clone(), reader.problems);
        out.push(basis);
    }
    out
}

fn cel_of(node: &Node) -> cel::Value {
    crate::cel::convert::to_cel(node)
}

fn load_params(
    reader: &TableReader<'_>,
    source: &Source,
    marks: crate::model::marks::Known<'_>,
) -> Vec<Param> {
    let Some(params) = reader.table("params") else {
        return Vec::new();
    };
    params
        .entries()
        .iter()
        .filter_map(|entry| {
            let p = TableReader::new(
                &entry.node,
                format!("parameter `{}`", entry.key),
                reader.problems,
            );
            let doc = p.required_text("doc");
            if let Some((target, span)) = p.string("same_as") {
                p.finish();
                let Some((rule, name)) = target.split_once('.') else {
                    reader.problems.push(
                        span,
                        "`same_as` names another rule's parameter as `RULE.name`, e.g. `NTC001.min_days`",
                    );
                    return None;
                };
                return Some(Param {
                    name: entry.key.clone(),
                    value: cel::Value::Null,
                    default_text: String::new(),
                    // No default of its own: the `same_as` value stands for it.
                    default_span: span.clone(),
                    doc: doc?,
                    same_as: Some((rule.to_owned(), name.to_owned())),
                    timeline: None,
                });
            }
            let default = p.required("default");
            let timeline = p.table("timeline").and_then(|t| {
                crate::model::marks::load_param(t, &entry.key, reader.problems, marks)
            });
            p.finish();
            let default = default?;
            Some(Param {
                name: entry.key.clone(),
                value: cel_of(default),
                default_text: source.text[default.span.clone()].to_owned(),
                default_span: default.span.clone(),
                doc: doc?,
                same_as: None,
                timeline,
            })
        })
        .collect()
}
