//! Type inference over one parsed CEL expression, collecting what cannot work.

use std::ops::Range;

use cel::common::ast::{EntryExpr, Expr, LiteralValue, SourceInfo};
use cel::parser::Expression;

use super::msg::Msg;
use super::types::{Class, Ty};
use crate::reader::suggest;

mod calls;

/// What the checker found, with where in the expression's text (byte offsets).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Diag {
    /// Bytes of the expression's text.
    pub(crate) span: Range<usize>,
    /// What is wrong.
    pub(crate) msg: Msg,
}

/// The names an expression can read, innermost last.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    vars: Vec<(String, Ty)>,
}

impl Scope {
    /// Binds a name (shadowing an outer one).
    pub(crate) fn bind(&mut self, name: &str, ty: Ty) {
        self.vars.push((name.to_owned(), ty));
    }

    fn lookup(&self, name: &str) -> Option<&Ty> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t)
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        self.vars
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| !n.starts_with('@'))
    }
}

/// hegui's functions (`src/functions.rs`) and the kinds of their arguments.
const HEGUI: &[(&str, &[Class])] = &[
    ("add_days", &[Class::Time, Class::Num]),
    ("add_workdays", &[Class::Time, Class::Num]),
    ("days_between", &[Class::Time, Class::Time]),
    ("workdays_between", &[Class::Time, Class::Time]),
    ("add_workdays_earliest", &[Class::Time, Class::Num]),
    ("add_workdays_latest", &[Class::Time, Class::Num]),
    ("workdays_between_fewest", &[Class::Time, Class::Time]),
    ("workdays_between_most", &[Class::Time, Class::Time]),
    ("date", &[Class::Time]),
    ("difference", &[Class::List, Class::List]),
    ("max_by", &[Class::List, Class::Str]),
    ("min_by", &[Class::List, Class::Str]),
    ("first_by", &[Class::List, Class::Str]),
    ("group_by", &[Class::List, Class::Str]),
    ("sum", &[Class::List]),
];

/// CEL's conversions (also the names of types, as identifiers).
const CONVERSIONS: &[&str] = &[
    "int",
    "uint",
    "double",
    "string",
    "bytes",
    "bool",
    "timestamp",
    "duration",
    "dyn",
    "type",
];

/// CEL's other standard functions that the checker knows by name (the result of those it does
/// not type further is `dyn`).
#[rustfmt::skip]
const STANDARD: &[&str] = &[
    "size", "contains", "startsWith", "endsWith", "matches", "getFullYear", "getMonth",
    "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getHours", "getMinutes",
    "getSeconds", "getMilliseconds", "max", "min", "orValue", "hasValue", "value", "or",
    "optional.of", "optional.none", "optional.ofNonZeroValue", "indexOf", "lastIndexOf",
    "replace", "split", "substring", "lowerAscii", "upperAscii", "trim", "join", "charAt",
    "lists.range", "math.abs", "math.ceil", "math.floor", "math.round", "math.sign",
    "math.sqrt", "math.trunc", "math.isFinite", "math.isInf", "math.isNaN", "base64.encode",
    "base64.decode", "strings.quote",
];

/// Infers the type of one expression, collecting problems.
pub(crate) struct Checker<'a> {
    text: &'a str,
    info: Option<&'a SourceInfo>,
    pub(crate) diags: Vec<Diag>,
}

impl<'a> Checker<'a> {
    /// A checker for an expression's text; `info` gives positions (without it every problem
    /// points at the whole expression).
    pub(crate) fn new(text: &'a str, info: Option<&'a SourceInfo>) -> Checker<'a> {
        Checker {
            text,
            info,
            diags: Vec::new(),
        }
    }

    /// The length of the expression's text.
    pub(crate) fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Where a node's text starts (byte offset), if known.
    fn start(&self, id: u64) -> Option<usize> {
        let (start, _) = self.info?.offset_for(id)?;
        // Offsets count characters.
        Some(
            self.text
                .char_indices()
                .nth(start as usize)
                .map_or(self.text.len(), |(b, _)| b),
        )
    }

    /// The span of `word` at or after a node's start (the node's own start if absent).
    fn span_of(&self, id: u64, word: &str) -> Range<usize> {
        let Some(start) = self.start(id) else {
            return 0..self.text.len();
        };
        if word.is_empty() {
            return start..start;
        }
        let found = self.text[start..]
            .find(word)
            .map(|i| start + i)
            .or_else(|| self.text[..start].rfind(word));
        match found {
            Some(at) => at..at + word.len(),
            None => start..start,
        }
    }

    /// The span of a whole subexpression, as far as its leftmost and rightmost nodes go.
    fn span_node(&self, e: &Expression) -> Range<usize> {
        let mut lo = usize::MAX;
        let mut hi = 0;
        self.extent(e, &mut lo, &mut hi);
        if lo == usize::MAX {
            return 0..self.text.len();
        }
        lo..hi.max(lo)
    }

    fn extent(&self, e: &Expression, lo: &mut usize, hi: &mut usize) {
        if let Some(start) = self.start(e.id) {
            *lo = (*lo).min(start);
            let end = start + token_len(&self.text[start..]);
            *hi = (*hi).max(end);
        }
        match &e.expr {
            Expr::Call(c) => {
                for a in c.target.iter().map(|t| &**t).chain(&c.args) {
                    self.extent(a, lo, hi);
                }
            }
            Expr::Select(s) => self.extent(&s.operand, lo, hi),
            Expr::List(l) => l.elements.iter().for_each(|x| self.extent(x, lo, hi)),
            _ => {}
        }
    }

    fn push(&mut self, span: Range<usize>, msg: Msg) {
        let d = Diag { span, msg };
        if !self.diags.contains(&d) {
            self.diags.push(d);
        }
    }

    /// Infers the type of `e` in `scope`.
    pub(crate) fn infer(&mut self, e: &Expression, scope: &mut Scope) -> Ty {
        match &e.expr {
            Expr::Unspecified => Ty::Dyn,
            Expr::Literal(l) => literal_type(l),
            Expr::Ident(name) => match scope.lookup(name) {
                Some(t) => t.clone(),
                None if CONVERSIONS.contains(&name.as_str())
                    || ["list", "map", "null_type"].contains(&name.as_str()) =>
                {
                    Ty::Type
                }
                None => {
                    let suggestion = suggest(name, scope.names()).map(str::to_owned);
                    self.push(
                        self.span_of(e.id, name),
                        Msg::UnknownName {
                            name: name.clone(),
                            suggestion,
                        },
                    );
                    Ty::Dyn
                }
            },
            Expr::Select(s) => {
                let operand = self.infer(&s.operand, scope);
                let t = self.select(&operand, &s.field, e.id);
                if s.test { Ty::Bool } else { t }
            }
            Expr::List(l) => {
                let mut ty = Ty::Never;
                for (i, x) in l.elements.iter().enumerate() {
                    let mut t = self.infer(x, scope);
                    if l.optional_indices.contains(&i)
                        && let Ty::Optional(inner) = t
                    {
                        t = *inner;
                    }
                    ty = Ty::join(&ty, &t);
                }
                Ty::List(Box::new(ty))
            }
            Expr::Map(m) => {
                let (mut k, mut v) = (Ty::Never, Ty::Never);
                for entry in &m.entries {
                    if let EntryExpr::MapEntry(me) = &entry.expr {
                        let kt = self.infer(&me.key, scope);
                        let vt = self.infer(&me.value, scope);
                        k = Ty::join(&k, &kt);
                        v = Ty::join(&v, &vt);
                    }
                }
                Ty::Map(Box::new(k), Box::new(v))
            }
            Expr::Struct(s) => {
                for entry in &s.entries {
                    if let EntryExpr::StructField(f) = &entry.expr {
                        self.infer(&f.value, scope);
                    }
                }
                Ty::Dyn
            }
            Expr::Comprehension(c) => {
                let range = self.infer(&c.iter_range, scope);
                let element = match range.element() {
                    Some(t) => t,
                    None => {
                        self.push(
                            self.span_node(&c.iter_range),
                            Msg::NotIterable {
                                found: range.clone(),
                            },
                        );
                        Ty::Dyn
                    }
                };
                let depth = scope.vars.len();
                match &c.iter_var2 {
                    Some(second) => {
                        let (first, value) = match &range {
                            Ty::List(t) => (Ty::Int, (**t).clone()),
                            Ty::Map(k, v) => ((**k).clone(), (**v).clone()),
                            _ => (Ty::Dyn, Ty::Dyn),
                        };
                        scope.bind(&c.iter_var, first);
                        scope.bind(second, value);
                    }
                    None => scope.bind(&c.iter_var, element),
                }
                let init = self.infer(&c.accu_init, scope);
                scope.bind(&c.accu_var, init.clone());
                self.infer(&c.loop_cond, scope);
                let step = self.infer(&c.loop_step, scope);
                scope.bind(&c.accu_var, Ty::join(&init, &step));
                let result = self.infer(&c.result, scope);
                scope.vars.truncate(depth);
                result
            }
            Expr::Call(call) => {
                let name = call.func_name.as_str();
                if let Some(t) = self.operator(e, name, &call.args, scope) {
                    return t;
                }
                self.call(e, name, call.target.as_deref(), &call.args, scope)
            }
        }
    }

    /// `operand.field`.
    fn select(&mut self, operand: &Ty, field: &str, id: u64) -> Ty {
        match operand {
            Ty::Record(r) => match r.field(field) {
                Some(t) => t.clone(),
                None => {
                    let suggestion = suggest(
                        field,
                        r.fields
                            .iter()
                            .map(|(n, _)| n.as_str())
                            .filter(|n| !n.starts_with('_')),
                    )
                    .map(str::to_owned);
                    let msg = if r.name == "params" {
                        Msg::UnknownParam {
                            name: field.to_owned(),
                            suggestion,
                        }
                    } else {
                        Msg::UnknownKey {
                            key: field.to_owned(),
                            table: r.name.clone(),
                            suggestion,
                        }
                    };
                    self.push(self.span_of(id, field), msg);
                    Ty::Dyn
                }
            },
            Ty::Map(_, v) => (**v).clone(),
            Ty::Optional(inner) => Ty::Optional(Box::new(self.select(inner, field, id))),
            t if t.class().is_none() => Ty::Dyn,
            t => {
                self.push(
                    self.span_of(id, field),
                    Msg::NoKeys {
                        key: field.to_owned(),
                        found: t.clone(),
                    },
                );
                Ty::Dyn
            }
        }
    }
}

/// The one-line reason a pattern does not compile (the regex crate's own words, without its
/// drawing of the pattern).
pub(crate) fn regex_detail(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or(text.lines().last().unwrap_or(""))
        .trim()
        .to_owned()
}

fn literal_type(l: &LiteralValue) -> Ty {
    match l {
        LiteralValue::Boolean(_) => Ty::Bool,
        LiteralValue::Bytes(_) => Ty::Bytes,
        LiteralValue::Double(_) => Ty::Double,
        LiteralValue::Int(_) => Ty::Int,
        LiteralValue::Null => Ty::Null,
        LiteralValue::String(_) => Ty::String,
        LiteralValue::UInt(_) => Ty::Uint,
    }
}

/// The length of the token at the start of `text` (an identifier, a number, a quoted string or
/// one operator character).
fn token_len(text: &str) -> usize {
    let mut chars = text.char_indices();
    let Some((_, first)) = chars.next() else {
        return 0;
    };
    if first == '"' || first == '\'' {
        return text[1..].find(first).map_or(text.len(), |i| i + 2);
    }
    if first.is_alphanumeric() || first == '_' {
        return text
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map_or(text.len(), |(i, _)| i);
    }
    first.len_utf8()
}
