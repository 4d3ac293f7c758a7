//! CEL programs, compiled on first use.
//!
//! Expressions are parsed with the `cel` crate's Pratt parser (feature `parser_pratt`), which
//! costs a few thousand instructions per expression where its default ANTLR parser costs about
//! a million. The ANTLR parser stays the reference: an expression the Pratt parser rejects is
//! parsed again by it, so syntax errors read exactly as before, and a test checks that both
//! parsers build the same tree for every expression hegui ships and every rule-file fixture.
//!
//! A check of one file uses a fraction of the built-in catalogue's expressions (messages are
//! rendered in one language and only for rules that fire), so the built-in packs are still
//! compiled lazily; their expressions are known to compile (a test compiles every one). User
//! rule files are compiled when loaded, so that their syntax errors point into the file before
//! anything is checked.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use cel::parser::{Expression, ExpressionReferences, ParseErrors, PrattParser};
use cel::{Context, ResolveResult, Value};

use cel::Env;

/// The CEL environment every expression is compiled in: the standard library with optional
/// syntax (`item.?key.orValue(x)`).
pub(crate) fn cel_env() -> Arc<Env> {
    static ENV: std::sync::OnceLock<Arc<Env>> = std::sync::OnceLock::new();
    Arc::clone(ENV.get_or_init(|| {
        let mut env = Env::stdlib().with_optional_support(true);
        crate::cel::meter::declare(&mut env);
        Arc::new(env)
    }))
}

/// A parsed CEL expression, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Program {
    expression: Expression,
    /// The expression with the evaluation budget's meters in it (`crate::cel::meter`): what
    /// runs.
    metered: Expression,
}

impl Program {
    fn new(expression: Expression) -> Program {
        let metered = crate::cel::meter::instrument(&expression);
        Program {
            expression,
            metered,
        }
    }

    /// Evaluates the expression against `ctx`. Over the rule's budget (even where `||` or
    /// `&&` absorbed the error) it fails with the budget's error.
    pub fn execute(&self, ctx: &Context<'_, '_>) -> ResolveResult {
        let result = Value::resolve(&self.metered, ctx);
        match crate::cel::meter::over() {
            Some(why) => Err(why.into_error()),
            None => result,
        }
    }

    /// Evaluates the expression against `ctx` to a CEL value, without converting it (as
    /// [`Program::execute`] does to a [`Value`]).
    pub(crate) fn execute_val<'e, 'p, 'v>(
        &'e self,
        ctx: &'e Context<'p, 'v>,
    ) -> Result<cel::common::value::CowVal<'e, 'v>, cel::ExecutionError> {
        let result = Value::resolve_val(&self.metered, ctx);
        match crate::cel::meter::over() {
            Some(why) => Err(why.into_error()),
            None => result,
        }
    }

    /// The variables and functions the expression references.
    pub fn references(&self) -> ExpressionReferences<'_> {
        self.expression.references()
    }

    /// The parsed tree.
    pub fn expression(&self) -> &Expression {
        &self.expression
    }
}

/// Compiles `text` in hegui's environment (the standard macros, optional syntax).
pub fn compile(text: &str) -> Result<Program, ParseErrors> {
    match pratt_parse(text) {
        Ok(expression) => Ok(Program::new(expression)),
        // The reference parser words the errors users see (and accepts whatever it accepts).
        Err(_) => reference_parse(text).map(Program::new),
    }
}

/// The fast parser alone (public for the test that compares the two parsers).
pub fn pratt_parse(text: &str) -> Result<Expression, ParseErrors> {
    PrattParser::new().enable_optional_syntax(true).parse(text)
}

/// The `cel` crate's reference (ANTLR) parser, in the same environment.
pub fn reference_parse(text: &str) -> Result<Expression, ParseErrors> {
    cel_env().parser().parse(text)
}

/// A compiled CEL program, or the text to compile on first use.
#[derive(Clone)]
pub struct LazyProgram(Arc<Inner>);

struct Inner {
    text: String,
    program: OnceLock<Program>,
}

impl LazyProgram {
    /// A program compiled already.
    pub(crate) fn compiled(program: Program) -> LazyProgram {
        LazyProgram(Arc::new(Inner {
            text: String::new(),
            program: OnceLock::from(program),
        }))
    }

    /// A program compiled from `text` when first used.
    pub(crate) fn deferred(text: &str) -> LazyProgram {
        LazyProgram(Arc::new(Inner {
            text: text.to_owned(),
            program: OnceLock::new(),
        }))
    }

    /// Whether it has been compiled (for tests).
    pub fn is_compiled(&self) -> bool {
        self.0.program.get().is_some()
    }
}

impl Deref for LazyProgram {
    type Target = Program;

    fn deref(&self) -> &Program {
        self.0.program.get_or_init(|| {
            compile(&self.0.text).unwrap_or_else(|_| {
                // Built-in expressions compile (tested); should one not, it evaluates to an
                // error that the engine reports against its rule instead of failing the run.
                // (An undeclared variable: a lone identifier always compiles.)
                compile("__hegui_expression_does_not_compile__").expect("an identifier compiles")
            })
        })
    }
}

impl fmt::Debug for LazyProgram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.program.get() {
            Some(p) => fmt::Debug::fmt(p, f),
            None => write!(f, "LazyProgram({:?})", self.0.text),
        }
    }
}

/// The identifiers an expression's text may reference as variables: names not preceded by
/// `.` and outside string literals. A superset of what the compiled program references, used
/// to order `let` bindings without compiling them.
pub(crate) fn variables(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' || c == b'\'' {
            // Skip a string literal (escapes included; raw and triple-quoted strings end at the
            // same quote as far as identifiers are concerned).
            i += 1;
            while i < bytes.len() && bytes[i] != c {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let member = text[..start].trim_end().ends_with('.');
            if !member {
                out.push(&text[start..i]);
            }
            continue;
        }
        i += 1;
    }
    out
}
