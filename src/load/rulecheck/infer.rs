//! Type inference over one parsed CEL expression, collecting what cannot work.

use std::ops::Range;
use std::sync::Arc;

use cel::common::ast::{EntryExpr, Expr, LiteralValue, SourceInfo, operators};
use cel::parser::Expression;

use super::msg::Msg;
use super::types::{Class, Ty};
use crate::reader::suggest;

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

    fn operator(
        &mut self,
        e: &Expression,
        name: &str,
        args: &[Expression],
        scope: &mut Scope,
    ) -> Option<Ty> {
        let symbol = match name {
            operators::LOGICAL_AND => "&&",
            operators::LOGICAL_OR => "||",
            operators::LOGICAL_NOT => "!",
            operators::CONDITIONAL => "?:",
            operators::ADD => "+",
            operators::SUBSTRACT => "-",
            operators::MULTIPLY => "*",
            operators::DIVIDE => "/",
            operators::MODULO => "%",
            operators::NEGATE => "-",
            operators::EQUALS => "==",
            operators::NOT_EQUALS => "!=",
            operators::LESS => "<",
            operators::LESS_EQUALS => "<=",
            operators::GREATER => ">",
            operators::GREATER_EQUALS => ">=",
            operators::IN => "in",
            operators::INDEX | operators::OPT_INDEX => "[",
            operators::OPT_SELECT => ".?",
            operators::NOT_STRICTLY_FALSE => "",
            _ => return None,
        };
        let types: Vec<Ty> = args.iter().map(|a| self.infer(a, scope)).collect();
        let at = self.span_of(e.id, symbol);
        let bad = |this: &mut Self, types: &[Ty]| {
            this.push(
                at.clone(),
                Msg::Operator {
                    op: symbol.to_owned(),
                    operands: types.to_vec(),
                },
            );
            Ty::Dyn
        };
        let classes: Vec<Option<Class>> = types.iter().map(Ty::class).collect();
        Some(match (name, types.as_slice()) {
            (operators::NOT_STRICTLY_FALSE, _) => Ty::Bool,
            (operators::LOGICAL_AND | operators::LOGICAL_OR | operators::LOGICAL_NOT, _) => {
                if types.iter().any(|t| !t.may_be(Class::Bool)) {
                    bad(self, &types);
                }
                Ty::Bool
            }
            (operators::CONDITIONAL, [c, a, b]) => {
                if !c.may_be(Class::Bool) {
                    bad(self, &types);
                }
                Ty::join(a, b)
            }
            (operators::NEGATE, [t]) => {
                if !(t.may_be(Class::Num) || t.may_be(Class::Dur)) {
                    return Some(bad(self, &types));
                }
                t.clone()
            }
            (
                operators::ADD
                | operators::SUBSTRACT
                | operators::MULTIPLY
                | operators::DIVIDE
                | operators::MODULO,
                [a, b],
            ) => {
                let (Some(x), Some(y)) = (classes[0], classes[1]) else {
                    return Some(match (name, classes[0].or(classes[1])) {
                        (operators::ADD, Some(Class::Str)) => Ty::String,
                        (_, Some(Class::Num)) => Ty::Number,
                        _ => Ty::Dyn,
                    });
                };
                let arithmetic = [
                    operators::ADD,
                    operators::SUBSTRACT,
                    operators::MULTIPLY,
                    operators::DIVIDE,
                    operators::MODULO,
                ]
                .contains(&name);
                match (name, x, y) {
                    (_, Class::Num, Class::Num) if arithmetic => Ty::join(a, b),
                    (operators::ADD, Class::Str, Class::Str) => Ty::String,
                    (operators::ADD, Class::Bytes, Class::Bytes) => Ty::Bytes,
                    (operators::ADD, Class::List, Class::List) => Ty::join(a, b),
                    (operators::ADD, Class::Time, Class::Dur)
                    | (operators::ADD, Class::Dur, Class::Time)
                    | (operators::SUBSTRACT, Class::Time, Class::Dur) => Ty::Timestamp,
                    (operators::ADD | operators::SUBSTRACT, Class::Dur, Class::Dur)
                    | (operators::SUBSTRACT, Class::Time, Class::Time) => Ty::Duration,
                    _ => bad(self, &types),
                }
            }
            (operators::EQUALS | operators::NOT_EQUALS, [a, b]) => {
                if let (Some(x), Some(y)) = (classes[0], classes[1])
                    && x != y
                {
                    bad(self, &types);
                } else {
                    self.enum_literal(a, &args[1]);
                    self.enum_literal(b, &args[0]);
                }
                Ty::Bool
            }
            (
                operators::LESS
                | operators::LESS_EQUALS
                | operators::GREATER
                | operators::GREATER_EQUALS,
                [_, _],
            ) => {
                let ordered = |c: Option<Class>| {
                    c.is_none_or(|c| {
                        matches!(
                            c,
                            Class::Bool
                                | Class::Num
                                | Class::Str
                                | Class::Bytes
                                | Class::Time
                                | Class::Dur
                        )
                    })
                };
                let same = match (classes[0], classes[1]) {
                    (Some(x), Some(y)) => x == y,
                    _ => true,
                };
                if !same || !ordered(classes[0]) || !ordered(classes[1]) {
                    bad(self, &types);
                }
                Ty::Bool
            }
            (operators::IN, [elem, coll]) => {
                match coll {
                    Ty::List(t) => {
                        if let (Some(x), Some(y)) = (elem.class(), t.class())
                            && x != y
                        {
                            bad(self, &types);
                        } else {
                            self.enum_literal(t, &args[0]);
                            if let Expr::List(list) = &args[1].expr {
                                for x in &list.elements {
                                    self.enum_literal(elem, x);
                                }
                            }
                        }
                    }
                    Ty::Map(k, _) => {
                        if let (Some(x), Some(y)) = (elem.class(), k.class())
                            && x != y
                        {
                            bad(self, &types);
                        }
                    }
                    Ty::Record(_) if !elem.may_be(Class::Str) => {
                        bad(self, &types);
                    }
                    Ty::Record(_) => {}
                    t if t.class().is_some() => {
                        bad(self, &types);
                    }
                    _ => {}
                }
                Ty::Bool
            }
            (operators::INDEX | operators::OPT_INDEX, [coll, index]) => {
                let inner = match coll {
                    Ty::Optional(t) => (**t).clone(),
                    t => t.clone(),
                };
                let t = match &inner {
                    Ty::List(t) if index.may_be(Class::Num) => (**t).clone(),
                    Ty::Map(_, v) => (**v).clone(),
                    Ty::Record(_) => match &args[1].expr {
                        Expr::Literal(LiteralValue::String(s)) => {
                            self.select(&inner, s.inner(), args[1].id)
                        }
                        _ if index.may_be(Class::Str) => Ty::Dyn,
                        _ => bad(self, &types),
                    },
                    t if t.class().is_none() => Ty::Dyn,
                    _ => bad(self, &types),
                };
                if name == operators::OPT_INDEX || matches!(coll, Ty::Optional(_)) {
                    Ty::Optional(Box::new(t))
                } else {
                    t
                }
            }
            (operators::OPT_SELECT, [operand, _]) => {
                let Expr::Literal(LiteralValue::String(field)) = &args[1].expr else {
                    return Some(Ty::Dyn);
                };
                let inner = match operand {
                    Ty::Optional(t) => (**t).clone(),
                    t => t.clone(),
                };
                Ty::Optional(Box::new(self.select(&inner, field.inner(), e.id)))
            }
            _ => Ty::Dyn,
        })
    }

    /// A string literal compared with an enum must be one of its values.
    fn enum_literal(&mut self, ty: &Ty, other: &Expression) {
        let (Ty::Enum(values), Expr::Literal(LiteralValue::String(s))) = (ty, &other.expr) else {
            return;
        };
        let value = s.inner();
        if values.iter().any(|v| v == value) {
            return;
        }
        self.push(
            self.span_of(other.id, value),
            Msg::EnumValue {
                value: value.to_owned(),
                values: Arc::clone(values),
                suggestion: suggest(value, values.iter().map(String::as_str)).map(str::to_owned),
            },
        );
    }

    fn call(
        &mut self,
        e: &Expression,
        name: &str,
        target: Option<&Expression>,
        args: &[Expression],
        scope: &mut Scope,
    ) -> Ty {
        // `math.abs(x)`, `optional.of(x)`: a namespace, not a variable.
        let (name, target) = match target.map(|t| &t.expr) {
            Some(Expr::Ident(ns))
                if scope.lookup(ns).is_none()
                    && STANDARD.contains(&format!("{ns}.{name}").as_str()) =>
            {
                (format!("{ns}.{name}"), None)
            }
            _ => (name.to_owned(), target),
        };
        let receiver = target.map(|t| self.infer(t, scope));
        let types: Vec<Ty> = args.iter().map(|a| self.infer(a, scope)).collect();
        let at = self.span_of(e.id, name.rsplit('.').next().unwrap_or(&name));
        if let Some((_, kinds)) = HEGUI.iter().find(|(n, _)| *n == name) {
            let method_ok = name == "first_by";
            if receiver.is_some() && !method_ok {
                self.push(
                    at.clone(),
                    Msg::NotAMethod {
                        function: name.clone(),
                    },
                );
            }
            let all: Vec<Ty> = receiver
                .iter()
                .cloned()
                .chain(types.iter().cloned())
                .collect();
            let nodes: Vec<&Expression> = target.into_iter().chain(args).collect();
            if all.len() != kinds.len() {
                self.push(
                    at,
                    Msg::Arity {
                        function: name.clone(),
                        expected: kinds.len(),
                        found: all.len(),
                    },
                );
                return Ty::Dyn;
            }
            for (i, (t, kind)) in all.iter().zip(kinds.iter()).enumerate() {
                if !t.may_be(*kind) {
                    self.push(
                        self.span_node(nodes[i]),
                        Msg::Argument {
                            function: name.clone(),
                            position: i + 1,
                            expected: *kind,
                            found: t.clone(),
                        },
                    );
                }
            }
            let element = all[0].element().unwrap_or(Ty::Dyn);
            return match name.as_str() {
                "add_days"
                | "add_workdays"
                | "add_workdays_earliest"
                | "add_workdays_latest"
                | "date" => Ty::Timestamp,
                "days_between"
                | "workdays_between"
                | "workdays_between_fewest"
                | "workdays_between_most" => Ty::Int,
                "difference" => all[0].clone(),
                "max_by" | "min_by" | "first_by" | "group_by" => {
                    if let Expr::Literal(LiteralValue::String(field)) = &nodes[1].expr {
                        self.select(&element, field.inner(), nodes[1].id);
                    }
                    if name == "first_by" {
                        Ty::Map(Box::new(Ty::Dyn), Box::new(element))
                    } else if name == "group_by" {
                        Ty::Map(Box::new(Ty::Dyn), Box::new(Ty::List(Box::new(element))))
                    } else {
                        element
                    }
                }
                "sum" => match element {
                    Ty::Int => Ty::Int,
                    Ty::Double => Ty::Double,
                    _ => Ty::Number,
                },
                _ => Ty::Dyn,
            };
        }
        let n = types.len();
        let arity = |this: &mut Self, expected: usize| {
            if n != expected {
                this.push(
                    at.clone(),
                    Msg::Arity {
                        function: name.clone(),
                        expected,
                        found: n,
                    },
                );
            }
        };
        match name.as_str() {
            "size" => {
                let subject = receiver.clone().or_else(|| types.first().cloned());
                arity(self, usize::from(receiver.is_none()));
                let kinds = [Class::List, Class::Str, Class::Map, Class::Bytes];
                self.subject(&at, &name, subject.as_ref(), &kinds);
                Ty::Int
            }
            "contains" | "startsWith" | "endsWith" => {
                arity(self, 1);
                self.subject(&at, &name, receiver.as_ref(), &[Class::Str]);
                Ty::Bool
            }
            "matches" => {
                let (subject, pattern) = match (&receiver, args) {
                    (Some(_), [p]) => (receiver.clone(), Some(p)),
                    (None, [_, p]) => (types.first().cloned(), Some(p)),
                    _ => {
                        arity(self, if receiver.is_some() { 1 } else { 2 });
                        (None, None)
                    }
                };
                self.subject(&at, &name, subject.as_ref(), &[Class::Str]);
                if let Some(p) = pattern
                    && let Expr::Literal(LiteralValue::String(s)) = &p.expr
                {
                    self.regex(s.inner(), self.span_node(p));
                }
                Ty::Bool
            }
            n if CONVERSIONS.contains(&n) => {
                arity(self, 1);
                match name.as_str() {
                    "int" => Ty::Int,
                    "uint" => Ty::Uint,
                    "double" => Ty::Double,
                    "string" => Ty::String,
                    "bytes" => Ty::Bytes,
                    "bool" => Ty::Bool,
                    "timestamp" => Ty::Timestamp,
                    "duration" => Ty::Duration,
                    "type" => Ty::Type,
                    _ => Ty::Dyn,
                }
            }
            n if n.starts_with("get") && STANDARD.contains(&n) => {
                self.subject(&at, &name, receiver.as_ref(), &[Class::Time, Class::Dur]);
                Ty::Int
            }
            "orValue" | "hasValue" | "value" | "or" => {
                let inner = match &receiver {
                    Some(Ty::Optional(t)) => (**t).clone(),
                    Some(t) if t.class().is_some() => {
                        self.subject(&at, &name, Some(t), &[Class::Opt]);
                        Ty::Dyn
                    }
                    _ => Ty::Dyn,
                };
                match name.as_str() {
                    "orValue" => {
                        arity(self, 1);
                        types.first().map_or(inner.clone(), |t| Ty::join(&inner, t))
                    }
                    "hasValue" => Ty::Bool,
                    "value" => inner,
                    _ => Ty::Optional(Box::new(inner)),
                }
            }
            "optional.of" | "optional.ofNonZeroValue" => {
                Ty::Optional(Box::new(types.first().cloned().unwrap_or(Ty::Dyn)))
            }
            "optional.none" => Ty::Optional(Box::new(Ty::Dyn)),
            "max" | "min" => {
                let all = types.iter().fold(Ty::Never, |a, t| Ty::join(&a, t));
                match (n, &all) {
                    (1, t) => t.element().unwrap_or(Ty::Dyn),
                    _ => all,
                }
            }
            n if STANDARD.contains(&n) => Ty::Dyn,
            _ => {
                let suggestion = suggest(
                    &name,
                    HEGUI
                        .iter()
                        .map(|(n, _)| *n)
                        .chain(STANDARD.iter().chain(CONVERSIONS).copied()),
                )
                .map(str::to_owned);
                self.push(
                    at,
                    Msg::UnknownFunction {
                        function: name.clone(),
                        suggestion,
                    },
                );
                Ty::Dyn
            }
        }
    }

    /// The value a standard function works on must be of one of these kinds.
    fn subject(
        &mut self,
        at: &Range<usize>,
        function: &str,
        subject: Option<&Ty>,
        kinds: &[Class],
    ) {
        let Some(t) = subject else { return };
        if kinds.iter().any(|k| t.may_be(*k)) {
            return;
        }
        self.push(
            at.clone(),
            Msg::Argument {
                function: function.to_owned(),
                position: 1,
                expected: kinds[0],
                found: t.clone(),
            },
        );
    }

    /// A regular expression written in the expression must compile.
    pub(crate) fn regex(&mut self, pattern: &str, span: Range<usize>) {
        if let Err(e) = regex::Regex::new(pattern) {
            self.push(
                span,
                Msg::Regex {
                    pattern: pattern.to_owned(),
                    error: regex_detail(&e),
                },
            );
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
