//! Rules, families and the rule set: the model a rule pack loads into (the loader is
//! `crate::load::rules`). The format is documented in `docs/rule-format.md`.

use std::collections::BTreeSet;

use crate::Severity;
use crate::calendar::Calendar;
use crate::law::{Basis, LawTable};
pub use crate::model::builtin::BuiltinCheck;
use crate::reader::{Problem, Text};
use crate::shape::Shape;
use crate::source::Source;
use crate::tree::Span;

/// A compiled CEL expression and where its text stands in the rule file.
#[derive(Debug, Clone)]
pub struct Expr {
    /// The compiled program (built-in packs: compiled on first use).
    pub program: crate::lazy::LazyProgram,
    /// The expression's text.
    pub text: String,
    /// Where the text starts in the rule file (byte offset).
    pub start: usize,
}

/// A text with `{expression}` holes.
#[derive(Debug, Clone, Default)]
pub struct Template {
    /// The pieces, literal or expression.
    pub pieces: Vec<Piece>,
}

/// A piece of a template.
#[derive(Debug, Clone)]
pub enum Piece {
    /// Literal text.
    Text(String),
    /// An expression whose value is written in.
    Expr(Expr),
}

/// A template in both languages.
#[derive(Debug, Clone, Default)]
pub struct BiTemplate {
    /// Chinese.
    pub zh: Template,
    /// English.
    pub en: Template,
}

impl BiTemplate {
    /// The template for a language.
    pub fn get(&self, lang: crate::Lang) -> &Template {
        match lang {
            crate::Lang::Zh => &self.zh,
            crate::Lang::En => &self.en,
        }
    }
}

/// What a check runs over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Once per file; `item` is the whole document.
    File,
    /// Once per entry (or once for a plain table) of these top-level tables, in document order.
    Tables(Vec<String>),
    /// Once per user-facing string at these `table.key` places (a `file` key contributes the
    /// file's text); `text` is the string.
    Texts(Vec<(String, String)>),
}

/// A secondary label.
#[derive(Debug, Clone)]
pub struct Also {
    /// Where, relative to the item (templated).
    pub at: Template,
    /// Only when this holds.
    pub when: Option<Expr>,
    /// Its text.
    pub label: Option<BiTemplate>,
}

/// One check of a rule: a scope, a condition, an assertion and where a failure points.
#[derive(Debug, Clone)]
pub struct Check {
    /// What it runs over.
    pub scope: Scope,
    /// Run only when this holds.
    pub when: Option<Expr>,
    /// Named values, in dependency order.
    pub lets: Vec<(String, Expr)>,
    /// Run once per element of this list (`each`, `each_index`).
    pub for_each: Option<Expr>,
    /// What must hold; a failure is a finding.
    pub assert: Option<Expr>,
    /// For text checks: a list of regular expressions; every match is a finding.
    pub patterns: Option<Expr>,
    /// Where a finding points: the first path that exists.
    pub at: Vec<Template>,
    /// Secondary labels.
    pub also: Vec<Also>,
    /// Message override for this check.
    pub message: Option<BiTemplate>,
    /// Help override for this check.
    pub help: Option<BiTemplate>,
    /// Fix override for this check (alternatives, tried in order).
    pub fixes: Vec<crate::model::fix_decl::FixDecl>,
    /// Primary label override for this check.
    pub label: Option<BiTemplate>,
}

/// A rule parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Name.
    pub name: String,
    /// Value in force (the default unless configuration overrides it).
    pub value: cel::Value,
    /// The default as written in the rule file.
    pub default_text: String,
    /// Where the default stands in the rule file.
    pub default_span: Span,
    /// What it means.
    pub doc: Text,
    /// `same_as = "RULE.param"`: this parameter is that one (its value, default and any
    /// override), so two rules that must agree cannot drift apart.
    pub same_as: Option<(String, String)>,
    /// The window it defines on a report's timeline (`timeline = { from = … }`).
    pub timeline: Option<crate::model::marks::ParamWindow>,
}

/// How a rule finds problems.
#[derive(Debug, Clone)]
pub enum RuleKind {
    /// An engine check bound by name.
    Builtin(BuiltinCheck),
    /// CEL checks.
    Checks(Vec<Check>),
}

/// A validated, compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Stable id, e.g. `NTC001`.
    pub id: String,
    /// Family id, e.g. `NTC`.
    pub family: String,
    /// Severity unless a `severity_if` condition holds.
    pub severity: Severity,
    /// Conditional severities; the first that holds wins.
    pub severity_if: Vec<(Expr, Severity)>,
    /// Title.
    pub title: Text,
    /// What it checks and why (for `explain`).
    pub rationale: Text,
    /// Message template.
    pub message: BiTemplate,
    /// Help template.
    pub help: Option<BiTemplate>,
    /// The fix: alternatives, tried in order (see `docs/fix.md`).
    pub fixes: Vec<crate::model::fix_decl::FixDecl>,
    /// Primary label template.
    pub label: Option<BiTemplate>,
    /// Legal basis.
    pub basis: Vec<Basis>,
    /// Conditional bases: a finding for which a condition holds cites that entry's bases
    /// instead of `basis` (the first that holds wins); `basis` lists every basis the rule
    /// can cite, for `explain` and the reports.
    pub basis_if: Vec<(Expr, Vec<Basis>)>,
    /// Parameters, by name order.
    pub params: Vec<Param>,
    /// Checks.
    pub kind: RuleKind,
    /// The rule file.
    pub source: Source,
    /// The `[[rule]]` header.
    pub span: Span,
}

/// A rule family.
#[derive(Debug, Clone)]
pub struct Family {
    /// Id prefix, e.g. `ACC`.
    pub id: String,
    /// Title.
    pub title: Text,
    /// The file it came from.
    pub source: Source,
}

/// Every rule and the data they use.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// Rules in id order.
    pub rules: Vec<Rule>,
    /// Families in id order.
    pub families: Vec<Family>,
    /// The manifest vocabulary, if any pack declares one.
    pub shape: Option<Shape>,
    /// Statutes and practice sources.
    pub law: LawTable,
    /// The working-day calendar.
    pub calendar: Calendar,
    /// Every file loaded, in load order.
    pub sources: Vec<Source>,
    /// Every rule id loaded, also those later left out by `retain` (waivers may name them).
    pub known_ids: BTreeSet<String>,
    /// The id of the rule bound to the parse-error check (`builtin = "parse-error"`), also
    /// when `retain` left it out: a file that cannot be parsed is reported under it.
    pub parse_error_id: Option<String>,
}

/// The problems of one rule file.
#[derive(Debug, Clone)]
pub struct FileProblems {
    /// The file.
    pub source: Source,
    /// Its problems, in file order.
    pub problems: Vec<Problem>,
}

/// Whether a source is one of the packs embedded in the binary (compiled lazily).
pub(crate) fn is_builtin(source: &Source) -> bool {
    source.name.starts_with("<builtin>/")
}
