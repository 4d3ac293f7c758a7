//! The static checker of rule files: every CEL expression of a rule is type-checked when its
//! pack loads, against the manifest vocabulary (tables, keys, types, enums), the rule's
//! `params` and `let`s, the scope's variables and hegui's function signatures. Unknown names,
//! keys and parameters ("did you mean"), wrong arity or argument kinds, operators and
//! comparisons that cannot work, enum values outside the enum and regular expressions that do
//! not compile are reported, each pointing at its line and column in the rule file.
//!
//! Expressions are parsed with the fast parser (no positions); only an expression with a
//! problem is parsed again with the reference parser, whose tree carries offsets, to point at
//! the column inside the expression. The built-in packs are not checked when they load (they
//! stay compiled lazily); a test checks that they pass.
//!
//! To check a further expression-bearing field, call [`check_expr`] with the expression, its
//! [`Scope`] (see [`RuleEnv`]) and what it must give.

mod infer;
mod msg;
mod types;

use cel::parser::Expression;

pub(crate) use infer::Scope;
use infer::{Checker, Diag};
use msg::Msg;
use types::{Ty, Vocabulary};

use crate::Lang;
use crate::reader::Problem;
use crate::rules::{
    BiTemplate, Check, Expr, FileProblems, Piece, Rule, RuleKind, RuleSet, Scope as RuleScope,
    Template,
};
use crate::tree::{self, Node, NodeValue};

/// What an expression must give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// Anything.
    Any,
    /// A boolean (a condition), named by the rule key.
    Bool(&'static str),
    /// A list (`for_each`).
    List(&'static str),
    /// A list of strings (`match`).
    Strings(&'static str),
}

/// Checks the rules of a loaded set; built-in packs only when `builtin` is set. Returns the
/// problems per rule file, in `lang`.
pub fn check_set(set: &RuleSet, lang: Lang, builtin: bool) -> Vec<FileProblems> {
    // Built only when a rule is checked: a run of the built-in packs alone pays nothing.
    let vocabulary = std::cell::OnceCell::new();
    let mut out: Vec<FileProblems> = Vec::new();
    for rule in &set.rules {
        if !builtin && crate::model::rules::is_builtin(&rule.source) {
            continue;
        }
        let vocabulary = vocabulary.get_or_init(|| Vocabulary::new(set.shape.as_ref()));
        let problems = check_rule(rule, vocabulary, lang);
        if problems.is_empty() {
            continue;
        }
        match out
            .iter_mut()
            .find(|f| std::sync::Arc::ptr_eq(&f.source, &rule.source))
        {
            Some(f) => f.problems.extend(problems),
            None => out.push(FileProblems {
                source: rule.source.clone(),
                problems,
            }),
        }
    }
    for f in &mut out {
        f.problems.sort_by_key(|p| (p.span.start, p.span.end));
        f.problems.dedup();
    }
    out
}

/// The variables of a rule's expressions.
pub(crate) struct RuleEnv {
    base: Scope,
}

impl RuleEnv {
    fn new(rule: &Rule, vocabulary: &Vocabulary) -> RuleEnv {
        let mut base = Scope::default();
        base.bind("plan", vocabulary.root.clone());
        base.bind("entries", vocabulary.entries.clone());
        base.bind("params", types::params_record(&rule.params));
        base.bind("today", Ty::Timestamp);
        base.bind("file", Ty::String);
        RuleEnv { base }
    }

    /// The scope of a check's `when`: the base variables and `item`.
    fn item_scope(&self, check: &Check, vocabulary: &Vocabulary) -> Scope {
        let mut scope = self.base.clone();
        let item = match &check.scope {
            RuleScope::File => vocabulary.root.clone(),
            RuleScope::Tables(tables) => vocabulary.item_of(tables),
            RuleScope::Texts(places) => {
                let tables: Vec<String> = places.iter().map(|(t, _)| t.clone()).collect();
                vocabulary.item_of(&tables)
            }
        };
        scope.bind("item", item);
        scope
    }
}

fn check_rule(rule: &Rule, vocabulary: &Vocabulary, lang: Lang) -> Vec<Problem> {
    let env = RuleEnv::new(rule, vocabulary);
    let mut out = Vec::new();
    let checks = match &rule.kind {
        RuleKind::Checks(checks) => checks,
        RuleKind::Builtin(check) => {
            let mut scope = Scope::default();
            scope.bind("params", types::params_record(&rule.params));
            for name in check.variables() {
                scope.bind(name, Ty::String);
            }
            for t in [Some(&rule.message), rule.help.as_ref(), rule.label.as_ref()]
                .into_iter()
                .flatten()
            {
                check_bi(t, &scope, rule, lang, &mut out);
            }
            check_fixes(&rule.fixes, &scope, rule, lang, &mut out);
            return out;
        }
    };
    for check in checks {
        let mut scope = env.item_scope(check, vocabulary);
        if let Some(e) = &check.when {
            check_expr(e, &scope, Want::Bool("when"), rule, lang, &mut out);
        }
        for (name, e) in &check.lets {
            let ty = check_expr(e, &scope, Want::Any, rule, lang, &mut out);
            scope.bind(name, ty);
        }
        if let Some(e) = &check.for_each {
            let ty = check_expr(e, &scope, Want::List("for_each"), rule, lang, &mut out);
            scope.bind("each", ty.element().unwrap_or(Ty::Dyn));
            scope.bind("each_index", Ty::Int);
        }
        if let Some(e) = &check.assert {
            check_expr(e, &scope, Want::Bool("assert"), rule, lang, &mut out);
        }
        if let Some(e) = &check.patterns {
            // `match` sees only the parameters (its patterns are compiled once).
            let mut params = Scope::default();
            params.bind("params", types::params_record(&rule.params));
            check_expr(e, &params, Want::Strings("match"), rule, lang, &mut out);
            check_patterns(e, rule, lang, &mut out);
            scope.bind("text", Ty::String);
            scope.bind("match", Ty::String);
        }
        for at in &check.at {
            check_template(at, &scope, rule, lang, &mut out);
        }
        for also in &check.also {
            check_template(&also.at, &scope, rule, lang, &mut out);
            if let Some(e) = &also.when {
                check_expr(e, &scope, Want::Bool("when"), rule, lang, &mut out);
            }
            if let Some(l) = &also.label {
                check_bi(l, &scope, rule, lang, &mut out);
            }
        }
        for (e, _) in &rule.severity_if {
            check_expr(e, &scope, Want::Bool("when"), rule, lang, &mut out);
        }
        let texts = [
            check.message.as_ref().or(Some(&rule.message)),
            check.help.as_ref().or(rule.help.as_ref()),
            check.label.as_ref().or(rule.label.as_ref()),
        ];
        for t in texts.into_iter().flatten() {
            check_bi(t, &scope, rule, lang, &mut out);
        }
        let fixes = if check.fixes.is_empty() {
            &rule.fixes
        } else {
            &check.fixes
        };
        check_fixes(fixes, &scope, rule, lang, &mut out);
    }
    out
}

/// A fix's expressions see what the finding's message sees (docs/fix.md).
fn check_fixes(
    fixes: &[crate::model::fix_decl::FixDecl],
    scope: &Scope,
    rule: &Rule,
    lang: Lang,
    out: &mut Vec<Problem>,
) {
    for fix in fixes {
        if let Some(e) = &fix.when {
            check_expr(e, scope, Want::Bool("when"), rule, lang, out);
        }
        check_bi(&fix.message, scope, rule, lang, out);
        for edit in &fix.edits {
            check_template(&edit.path, scope, rule, lang, out);
            check_expr(&edit.value, scope, Want::Any, rule, lang, out);
        }
    }
}

fn check_bi(t: &BiTemplate, scope: &Scope, rule: &Rule, lang: Lang, out: &mut Vec<Problem>) {
    check_template(&t.zh, scope, rule, lang, out);
    check_template(&t.en, scope, rule, lang, out);
}

fn check_template(t: &Template, scope: &Scope, rule: &Rule, lang: Lang, out: &mut Vec<Problem>) {
    for piece in &t.pieces {
        if let Piece::Expr(e) = piece {
            check_expr(e, scope, Want::Any, rule, lang, out);
        }
    }
}

/// Checks one expression of `rule` in `scope`; its problems go to `out`, pointing into the
/// rule file. Returns the expression's type (for the names bound to it).
pub(crate) fn check_expr(
    e: &Expr,
    scope: &Scope,
    want: Want,
    rule: &Rule,
    lang: Lang,
    out: &mut Vec<Problem>,
) -> Ty {
    let (ty, diags) = check_text(&e.text, e.program.expression(), scope, want);
    if diags.is_empty() {
        return ty;
    }
    // Positions: the reference parser's tree has them (the two parsers build the same tree).
    let diags = match cel::parser::Parser::new()
        .enable_optional_syntax(true)
        .parse_with_source_info(&e.text)
    {
        Ok((expression, info)) => {
            let mut checker = Checker::new(&e.text, Some(&info));
            run(&mut checker, &expression, scope, want);
            checker.diags
        }
        Err(_) => diags,
    };
    for d in diags {
        out.push(problem(&d, e.start, rule, lang));
    }
    ty
}

/// Checks an expression's tree without positions.
fn check_text(text: &str, expression: &Expression, scope: &Scope, want: Want) -> (Ty, Vec<Diag>) {
    let mut checker = Checker::new(text, None);
    let ty = run(&mut checker, expression, scope, want);
    (ty, checker.diags)
}

fn run(checker: &mut Checker<'_>, expression: &Expression, scope: &Scope, want: Want) -> Ty {
    let mut scope = scope.clone();
    let ty = checker.infer(expression, &mut scope);
    let ok = match want {
        Want::Any => true,
        Want::Bool(_) => ty.may_be(types::Class::Bool),
        Want::List(_) => ty.may_be(types::Class::List),
        Want::Strings(_) => match &ty {
            Ty::List(t) => t.may_be(types::Class::Str),
            t => t.may_be(types::Class::List),
        },
    };
    if !ok {
        let (key, expected) = match want {
            Want::Bool(k) => (k, "bool"),
            Want::List(k) => (k, "list"),
            Want::Strings(k) => (k, "strings"),
            Want::Any => ("", ""),
        };
        checker.diags.push(Diag {
            span: 0..checker.text_len(),
            msg: Msg::Expected {
                key,
                expected,
                found: ty.clone(),
            },
        });
    }
    ty
}

fn problem(d: &Diag, start: usize, rule: &Rule, lang: Lang) -> Problem {
    let (message, help) = d.msg.render(lang);
    let from = rule.source.clamp(start + d.span.start);
    let to = rule.source.clamp(start + d.span.end);
    Problem {
        span: from..to.max(from),
        message,
        help,
    }
}

/// A text check's patterns compile: when `match` names a parameter, each string of its default
/// is compiled and a bad one is reported where it stands in the rule file.
fn check_patterns(e: &Expr, rule: &Rule, lang: Lang, out: &mut Vec<Problem>) {
    let name = match &e.program.expression().expr {
        cel::common::ast::Expr::Select(s) if !s.test => match &s.operand.expr {
            cel::common::ast::Expr::Ident(p) if p == "params" => s.field.clone(),
            _ => return,
        },
        _ => return,
    };
    let Some(param) = rule.params.iter().find(|p| p.name == name) else {
        return;
    };
    // The default's own text, parsed again for the spans of its strings.
    let prefix = "v = ";
    let Ok(doc) = tree::parse(&format!("{prefix}{}", param.default_text)) else {
        return;
    };
    let Some(Node {
        value: NodeValue::Array(items),
        ..
    }) = doc.get("v")
    else {
        return;
    };
    for item in items {
        let NodeValue::String(pattern) = &item.value else {
            continue;
        };
        if let Err(err) = regex::Regex::new(pattern) {
            let msg = Msg::Regex {
                pattern: pattern.clone(),
                error: infer::regex_detail(&err),
            };
            let (message, help) = msg.render(lang);
            let start = param.default_span.start + item.span.start - prefix.len();
            let end = param.default_span.start + item.span.end - prefix.len();
            out.push(Problem {
                span: rule.source.clamp(start)..rule.source.clamp(end),
                message,
                help,
            });
        }
    }
}
