//! Text checks' patterns: compiled on first use, and the identifiers a rule's expressions name.

use cel::{Context, Value};
use regex::Regex;

use crate::cel::convert::display_value;
use crate::cel::lazy::cel_env;
use crate::eval::data::params_value;
use crate::eval::engine::PatternError;
use crate::rules::{Piece, Rule, RuleKind, Template};

/// A text check's regular expression, compiled on first use.
pub(crate) struct Pattern {
    pub(crate) text: String,
    pub(crate) compiled: std::sync::OnceLock<Option<Regex>>,
}

impl Pattern {
    /// The compiled expression (`None` only for an invalid built-in one, which a test rules out;
    /// a user's invalid pattern stops the run in [`Engine::new`]).
    pub(crate) fn regex(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| Regex::new(&self.text).ok())
            .as_ref()
    }
}

/// Evaluates a text check's `match` expression to its list of patterns.
pub(crate) fn pattern_texts(
    rule: &Rule,
    expr: &crate::rules::Expr,
) -> Result<Vec<String>, Vec<PatternError>> {
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
