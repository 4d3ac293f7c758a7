//! Evaluation: a file is parsed with spans, checked against the vocabulary, turned into CEL
//! values once, and every rule's checks run over their scope. Checks say only *whether* and
//! *where* (a data path); this module adds rule id, severity, span, message and basis.

use std::collections::HashMap;

use std::sync::Arc;

use cel::Context;
use cel::common::value::Val;
use chrono::NaiveDate;
use regex::Regex;

use crate::cel::lazy::cel_env;
use crate::celval::{FileVals, Shared};
use crate::eval::data::*;
use crate::eval::patterns::*;
use crate::eval::resolve::FileResolver;
use crate::eval::run::*;
use crate::finding::Finding;
use crate::functions::{self};
use crate::rules::{BuiltinCheck, Rule, RuleKind, RuleSet};
use crate::source::Source;
use crate::tree::{self, DocPath, Span};
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
    pub(crate) set: RuleSet,
    pub(crate) options: Options,
    pub(crate) calendar: Arc<crate::calendar::Calendar>,
    /// Regular expressions of text checks, by (rule index, check index), each compiled once.
    pub(crate) patterns: HashMap<(usize, usize), Vec<Pattern>>,
    /// Expression identifiers per rule (to keep invalid values out of rules that read them).
    pub(crate) tokens: Vec<std::collections::BTreeSet<String>>,
    /// Each rule's `params`, converted once.
    pub(crate) params: Vec<Box<dyn Val>>,
    /// The ids of the rules in force (waivers of other rules are "unused" only if known).
    pub(crate) rule_ids: std::collections::BTreeSet<String>,
    /// Per rule, per check, per `let`: how far its value reaches (item, rule or file).
    pub(crate) let_reach: Vec<Vec<Vec<LetReach>>>,
    /// Per rule: its `basis` cited in the run's language, then each `basis_if`'s; every
    /// finding carries one, so each is worded once.
    pub(crate) citations: Vec<Vec<String>>,
}

/// An engine could not be built from a rule set (a text check's pattern is not a valid regex).
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("rule {rule}: {message}")]
#[diagnostic(code(hegui::pattern))]
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
                let builtin = crate::model::rules::is_builtin(&rule.source);
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
        let citations = (set.rules.iter())
            .map(|r| {
                std::iter::once(&r.basis)
                    .chain(r.basis_if.iter().map(|(_, bases)| bases))
                    .map(|bases| cite_bases(&set, bases, options.lang))
                    .collect()
            })
            .collect();
        let let_reach = set
            .rules
            .iter()
            .map(|r| match &r.kind {
                RuleKind::Checks(checks) => checks.iter().map(let_reach).collect(),
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
            let_reach,
            citations,
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

    /// The keys that name an entry in a finding's data path (the vocabulary's `identity`).
    pub(crate) fn identity_keys(&self) -> &[String] {
        self.set
            .shape
            .as_ref()
            .map_or(&[], |s| s.identity.as_slice())
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    pub(crate) fn builtin_rule(&self, check: BuiltinCheck) -> Option<&Rule> {
        self.set
            .rules
            .iter()
            .find(|r| matches!(r.kind, RuleKind::Builtin(c) if c == check))
    }

    /// Checks one manifest held in memory; the files its `file` values name are read through
    /// `files` (the core reads nothing itself).
    pub fn check_text(&self, source: &Source, files: &dyn FileResolver) -> Vec<Finding> {
        self.check_traced(source, files, None)
    }

    /// Checks one manifest like [`Engine::check_text`], and also returns the ids of the rules
    /// that decided something for it (an assertion evaluated, a text scanned, an engine check
    /// run on a parsed file): the controls a report lists as applied.
    pub fn check_text_traced(
        &self,
        source: &Source,
        files: &dyn FileResolver,
    ) -> (Vec<Finding>, std::collections::BTreeSet<String>) {
        let mut decided = std::collections::BTreeSet::new();
        let out = self.check_traced(source, files, Some(&mut decided));
        (out, decided)
    }

    pub(crate) fn check_traced(
        &self,
        source: &Source,
        files: &dyn FileResolver,
        mut decided: Option<&mut std::collections::BTreeSet<String>>,
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
                    None,
                ) {
                    out.push(f);
                }
                return out;
            }
        };
        let mut invalid = Vec::new();
        let mut texts: HashMap<DocPath, Source> = HashMap::new();
        let fix_work = crate::eval::fixes::FixWork::default();
        if let Some(shape) = &self.set.shape {
            let report = shape.check(&doc);
            for issue in &report.issues {
                if let Some(f) = self.builtin_finding(
                    issue.check,
                    source,
                    issue.span.clone(),
                    &issue.path,
                    &issue.args,
                    Some((&doc, &fix_work)),
                ) {
                    out.push(f);
                }
            }
            if report.stop {
                return out;
            }
            invalid = report.invalid;
            for (path, value, span) in report.files {
                match files.read(&value) {
                    Ok(text) => {
                        texts.insert(path, text);
                    }
                    Err(reason) => {
                        let args = vec![("path", value.clone()), ("reason", reason)];
                        if let Some(f) = self.builtin_finding(
                            BuiltinCheck::File,
                            source,
                            span,
                            &path,
                            &args,
                            Some((&doc, &fix_work)),
                        ) {
                            out.push(f);
                        }
                        invalid.push(path);
                    }
                }
            }
        }
        let vals = FileVals::new(&doc, &invalid);
        let file = FileData::new(&doc, &invalid, texts, source.clone(), &vals, &fix_work);
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
            if let Some(f) = self.builtin_finding(
                check,
                source,
                span,
                &DocPath::default(),
                &args,
                Some((&doc, &fix_work)),
            ) {
                out.push(f);
            }
        }
        out
    }

    pub(crate) fn run_rules(
        &self,
        file: &FileData<'_>,
        root: &Context<'_, '_>,
        out: &mut Vec<Finding>,
        mut decided: Option<&mut std::collections::BTreeSet<String>>,
    ) {
        let file_lets = FileLets::default();
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
                file_lets: &file_lets,
                decided: std::cell::Cell::new(false),
                work: std::cell::Cell::new(0),
                stopped: std::cell::Cell::new(false),
            };
            if run.reads_invalid_elsewhere() {
                continue;
            }
            for (ci, check) in checks.iter().enumerate() {
                let patterns = self.patterns.get(&(ri, ci)).map(Vec::as_slice);
                run.check(check, &self.let_reach[ri][ci], patterns, out);
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

    /// A parse error reported without its rule's message (the rule was left out by a
    /// selection, or the file could not even be read as text): under the id of the rule the
    /// packs bind to the parse-error check, or the check's own name when none does.
    pub(crate) fn unbound_parse_error(&self, source: Source, span: Span, message: &str) -> Finding {
        let id = self
            .set
            .parse_error_id
            .as_deref()
            .unwrap_or(BuiltinCheck::ParseError.name());
        Finding::new(
            id,
            Severity::Error,
            source,
            span,
            format!("not valid TOML: {message}"),
            String::new(),
        )
    }

    /// A finding of an engine check. `parsed` is the file's tree and its fix budget, for the
    /// rule's fix (`None` when the file did not parse).
    pub(crate) fn builtin_finding(
        &self,
        check: BuiltinCheck,
        source: &Source,
        span: Span,
        path: &DocPath,
        args: &[(&'static str, String)],
        parsed: Option<(&crate::syntax::tree::Node, &crate::eval::fixes::FixWork)>,
    ) -> Option<Finding> {
        let lang = self.options.lang;
        let Some(rule) = self.builtin_rule(check) else {
            // Without a rule bound to it, a parse error is still reported: a file that cannot
            // be read must never pass silently.
            if check != BuiltinCheck::ParseError {
                return None;
            }
            let message = args.first().map(|a| a.1.as_str()).unwrap_or_default();
            return Some(self.unbound_parse_error(source.clone(), span, message));
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
        // The tree the check parsed, not a new parse per finding (linear in the findings).
        if !rule.fixes.is_empty()
            && let Some((doc, work)) = parsed
        {
            let target = crate::eval::fixes::Target {
                text: &source.text,
                doc,
                item: path,
                today: self.options.today,
                lang,
                work,
            };
            finding.fix = crate::eval::fixes::evaluate(&rule.fixes, &ctx, &target);
        }
        Some(finding)
    }

    /// The basis of a rule as one line in the run's language.
    pub fn cite(&self, rule: &Rule) -> String {
        self.cite_variant(rule, None)
    }

    /// The rule's `basis` (`variant` `None`) or its `variant`th `basis_if`, cited: worded
    /// when the engine was built, for a rule of its set.
    pub(crate) fn cite_variant(&self, rule: &Rule, variant: Option<usize>) -> String {
        let index = variant.map_or(0, |v| v + 1);
        let cached = (self.set.rules.iter())
            .position(|r| std::ptr::eq(r, rule))
            .and_then(|ri| self.citations.get(ri)?.get(index));
        if let Some(citation) = cached {
            return citation.clone();
        }
        let bases = match variant {
            None => &rule.basis,
            Some(v) => rule.basis_if.get(v).map_or(&rule.basis, |(_, bases)| bases),
        };
        cite_bases(&self.set, bases, self.options.lang)
    }
}

/// Bases as one line in `lang`.
fn cite_bases(set: &RuleSet, bases: &[crate::law::Basis], lang: Lang) -> String {
    bases
        .iter()
        .map(|b| set.law.cite(b, lang))
        .collect::<Vec<_>>()
        .join(match lang {
            Lang::Zh => "；",
            Lang::En => "; ",
        })
}

/// The help of a "could not decide" finding (a year the working-day calendar lacks), zh and en.
pub(crate) const MISSING_YEAR_HELP: [&str; 2] = [
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
