//! The checker's operators and calls: operand types, enum literals, the extension functions'
//! signatures, regular expressions.

use super::super::msg::Msg;
use super::super::types::{Class, Ty};
use super::*;
use crate::reader::suggest;
use cel::common::ast::{Expr, LiteralValue, operators};
use cel::parser::Expression;
use std::ops::Range;
use std::sync::Arc;

impl Checker<'_> {
    pub(super) fn operator(
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
    pub(super) fn enum_literal(&mut self, ty: &Ty, other: &Expression) {
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

    pub(super) fn call(
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
    pub(super) fn subject(
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
