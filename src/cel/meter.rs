//! The budget inside one CEL expression. [`crate::budget`] bounds what a rule computes between
//! expressions (a `let`'s value, the number of evaluations); this module bounds what happens
//! during one: a comprehension that iterates a million times, nested comprehensions that
//! multiply, `s + s + s …` over a large `let`, `[s, s, s …]`, or a comparison repeated over a
//! large list in a loop.
//!
//! `cel` 0.15 offers no hook inside an evaluation, so every program is compiled twice: the tree
//! as parsed (which the static checker reads) and a metered copy that the engine runs, where
//! the places that cost are wrapped in calls of two functions declared in hegui's environment:
//!
//! - `__hegui_built(v)` around a value that is about to be copied or was just made: a
//!   comprehension's appended element, an element or entry of a list or map literal, the
//!   result of `+`. It charges the value's size to the rule's memory and work on this file.
//! - `__hegui_used(v)` around an operand whose cost grows with its size (comparisons, `in`,
//!   function arguments and receivers) and around the condition or step of every comprehension
//!   iteration. It charges the value's size to the rule's work. A comparison with a literal
//!   (`x == 'a'`, `n > 0`, `x in ['a', 'b']`) is not metered: values of different kinds compare
//!   at once and strings stop at the shorter one, so it costs at most the literal's length, as
//!   building the literal does (each metering call costs about a thousand instructions, and
//!   these were a quarter of them).
//!
//! Both return their argument unchanged (no copy). The counters are per thread, reset when a
//! rule starts on a file (a rule runs on one file on one thread, its expressions one after the
//! other). Once over, every later call fails, so an error that `||` or `&&` would absorb still
//! stops the rule: [`Program`](crate::lazy::Program) reports the budget error after the
//! evaluation even when the expression produced a value.

use std::cell::Cell;

use cel::common::ast::{CallExpr, EntryExpr, Expr, IdedExpr, ListExpr, operators};
use cel::common::types::{CelBytes, CelList, CelMap, CelString};
use cel::common::value::{CowVal, Val};
use cel::{Env, ExecutionError};

use crate::budget::{Exceeded, MAX_BUILT_BYTES, MAX_STEPS};

/// The function that meters a value about to be copied or just made.
const BUILT: &str = "__hegui_built";
/// The function that meters a value an operation reads whole.
const USED: &str = "__hegui_used";
/// The function that meters one step: a comprehension's iteration, `size()`.
const STEP: &str = "__hegui_step";
/// The function that meters a comprehension's range (its elements are copied, one by one).
const RANGE: &str = "__hegui_range";
/// The function that meters what `in` searches: a list is read whole, a map only looked up.
const SEARCHED: &str = "__hegui_searched";

/// What the current rule has spent on the current file.
#[derive(Clone, Copy)]
struct Spent {
    /// Work units: one per metered call, plus the size of the value (items, or 64 bytes).
    steps: u64,
    /// Bytes of values built or copied (strings and bytes by length, 32 per list item and 64
    /// per map entry, counted shallowly).
    bytes: u64,
    /// Set once over the budget; sticky until [`reset`].
    over: Option<Exceeded>,
}

thread_local! {
    static SPENT: Cell<Spent> = const { Cell::new(Spent { steps: 0, bytes: 0, over: None }) };
}

/// Starts a rule on a file (or leaves the engine clean after one): nothing spent.
pub(crate) fn reset() {
    SPENT.with(|s| {
        s.set(Spent {
            steps: 0,
            bytes: 0,
            over: None,
        })
    });
}

/// What went over the budget since [`reset`], if anything.
pub(crate) fn over() -> Option<Exceeded> {
    SPENT.with(|s| s.get().over)
}

/// Charges `steps` work units and `bytes` built; fails (from then on) when over.
pub(crate) fn charge(steps: u64, bytes: u64) -> Result<(), ExecutionError> {
    SPENT.with(|s| {
        let mut spent = s.get();
        if spent.over.is_none() {
            spent.steps = spent.steps.saturating_add(steps);
            spent.bytes = spent.bytes.saturating_add(bytes);
            if spent.steps > MAX_STEPS {
                spent.over = Some(Exceeded::Steps);
            } else if spent.bytes > MAX_BUILT_BYTES {
                spent.over = Some(Exceeded::Memory);
            }
            s.set(spent);
        }
        match spent.over {
            Some(why) => Err(why.into_error()),
            None => Ok(()),
        }
    })
}

/// What metering a value charges.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cost {
    /// Copying it: every value inside, strings by length; views of the file's values and text
    /// borrowed from it cost one unit and no bytes (copying them copies a pointer).
    Copy,
    /// Reading it whole (a comparison, a function's argument): every value inside, views too.
    Read,
    /// Reading its top only (`size()`, one iteration): one unit, a string by length.
    Top,
}

/// Units and bytes a value costs; the walk stops once over `limit` units (so metering a value
/// never costs more than the budget left).
struct Tally {
    cost: Cost,
    units: u64,
    bytes: u64,
    limit: u64,
}

impl Tally {
    fn new(cost: Cost) -> Tally {
        let left = SPENT.with(|s| MAX_STEPS.saturating_sub(s.get().steps));
        Tally {
            cost,
            units: 0,
            bytes: 0,
            limit: left,
        }
    }

    fn visit(&mut self, value: &dyn Val, depth: usize) {
        if self.units > self.limit {
            return;
        }
        self.units += 1;
        let copy = self.cost == Cost::Copy;
        if copy && is_view(value) {
            return;
        }
        if let Some(s) = value.downcast_ref::<CelString>() {
            let n = s.inner().len() as u64;
            self.units += n / 64;
            if !(copy && s.as_borrowed().is_some()) {
                self.bytes += n;
            }
            return;
        }
        if let Some(b) = value.downcast_ref::<CelBytes>() {
            let n = b.inner().len() as u64;
            self.units += n / 64;
            if !(copy && b.as_borrowed().is_some()) {
                self.bytes += n;
            }
            return;
        }
        if self.cost == Cost::Top && depth > 0 {
            return;
        }
        if let Some(list) = value.downcast_ref::<CelList>() {
            self.bytes += 32 * list.inner().len() as u64;
            match self.cost {
                Cost::Top => self.units += 0,
                _ => list
                    .inner()
                    .iter()
                    .for_each(|e| self.visit(e.as_ref(), depth + 1)),
            }
        } else if let Some(map) = value.downcast_ref::<CelMap>() {
            self.bytes += 64 * map.inner().len() as u64;
            if self.cost != Cost::Top {
                map.inner()
                    .values()
                    .for_each(|e| self.visit(e.as_ref(), depth + 1));
            }
        }
    }
}

/// Whether `value` is a view of another value (the engine's `Shared` and `Counted`, which
/// delegate every method to what they point to): a downcast then finds a value at another
/// address than the view's own.
fn is_view(value: &dyn Val) -> bool {
    let own = value as *const dyn Val as *const ();
    let found = if let Some(l) = value.downcast_ref::<CelList>() {
        l as *const CelList as *const ()
    } else if let Some(m) = value.downcast_ref::<CelMap>() {
        m as *const CelMap as *const ()
    } else if let Some(s) = value.downcast_ref::<CelString>() {
        s as *const CelString as *const ()
    } else if let Some(b) = value.downcast_ref::<CelBytes>() {
        b as *const CelBytes as *const ()
    } else {
        return false;
    };
    own != found
}

/// Charges what `value` costs.
fn charge_for(value: &dyn Val, cost: Cost) -> Result<(), ExecutionError> {
    let mut tally = Tally::new(cost);
    tally.visit(value, 0);
    let bytes = match cost {
        Cost::Copy => tally.bytes,
        Cost::Read | Cost::Top => 0,
    };
    charge(tally.units, bytes)
}

/// Bytes that copying `value` takes (views of the file's values and text borrowed from it are
/// free).
pub(crate) fn weight(value: &dyn Val) -> u64 {
    let mut tally = Tally::new(Cost::Copy);
    tally.visit(value, 0);
    tally.bytes
}

fn only<'b, 'v>(
    name: &str,
    mut args: Vec<CowVal<'b, 'v>>,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    match (args.pop(), args.is_empty()) {
        (Some(value), true) => Ok(value),
        _ => Err(ExecutionError::function_error(name, "expected one value")),
    }
}

fn built<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let value = only(BUILT, args)?;
    charge_for(value.as_ref(), Cost::Copy)?;
    crate::budget::check(value.as_ref()).map_err(Exceeded::into_error)?;
    Ok(value)
}

fn used<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let value = only(USED, args)?;
    charge_for(value.as_ref(), Cost::Read)?;
    Ok(value)
}

/// `x in m` looks a key up in a map (one step), but compares `x` with every element of a list:
/// charging a map whole made a rule that looks each item up in a per-file index cost the
/// index's size per item (quadratic, and over the budget at 4,000 accounts with a notice each).
fn searched<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let value = only(SEARCHED, args)?;
    let cost = match value.as_ref().downcast_ref::<CelMap>() {
        Some(_) => Cost::Top,
        None => Cost::Read,
    };
    charge_for(value.as_ref(), cost)?;
    Ok(value)
}

fn step<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let value = only(STEP, args)?;
    charge_for(value.as_ref(), Cost::Top)?;
    Ok(value)
}

/// A comprehension's range: each element is copied into the loop variable once.
fn range<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let value = only(RANGE, args)?;
    let mut tally = Tally::new(Cost::Copy);
    if let Some(items) = value.as_iterable() {
        let mut items = items.iter();
        while let Some(item) = items.next() {
            tally.visit(item, 1);
            if tally.units > tally.limit {
                break;
            }
        }
    }
    charge(tally.units, tally.bytes)?;
    Ok(value)
}

/// Declares the metering functions in an environment.
pub(crate) fn declare(env: &mut Env) {
    for (name, op) in [
        (BUILT, built as cel::common::functions::Function),
        (USED, used),
        (STEP, step),
        (RANGE, range),
        (SEARCHED, searched),
    ] {
        env.add_overload(name, name, vec![cel::common::types::DYN_TYPE], op)
            .expect("the metering functions are declared once, under names of their own");
    }
}

/// The metered copy of a parsed expression.
pub(crate) fn instrument(expr: &IdedExpr) -> IdedExpr {
    let mut copy = expr.clone();
    let mut ids = Ids(max_id(expr));
    meter(&mut copy, &mut ids);
    copy
}

/// Fresh expression ids, above every id of the parsed tree.
struct Ids(u64);

impl Ids {
    fn wrap(&mut self, function: &str, inner: IdedExpr) -> IdedExpr {
        self.0 += 1;
        IdedExpr {
            id: self.0,
            expr: Expr::Call(CallExpr {
                func_name: function.to_owned(),
                target: None,
                args: vec![inner],
            }),
        }
    }
}

fn max_id(e: &IdedExpr) -> u64 {
    let mut max = e.id;
    children(e, &mut |c| max = max.max(max_id(c)));
    max
}

fn children(e: &IdedExpr, f: &mut dyn FnMut(&IdedExpr)) {
    match &e.expr {
        Expr::Call(call) => {
            if let Some(t) = &call.target {
                f(t);
            }
            call.args.iter().for_each(&mut *f);
        }
        Expr::Comprehension(c) => {
            for part in [
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ] {
                f(part);
            }
        }
        Expr::List(list) => list.elements.iter().for_each(&mut *f),
        Expr::Map(map) => map.entries.iter().for_each(|entry| match &entry.expr {
            EntryExpr::MapEntry(m) => {
                f(&m.key);
                f(&m.value);
            }
            EntryExpr::StructField(s) => f(&s.value),
        }),
        Expr::Struct(s) => s.entries.iter().for_each(|entry| match &entry.expr {
            EntryExpr::MapEntry(m) => {
                f(&m.key);
                f(&m.value);
            }
            EntryExpr::StructField(s) => f(&s.value),
        }),
        Expr::Select(s) => f(&s.operand),
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

/// Whether metering `e` could matter: literals (an empty list or map too) cost nothing and are
/// never copied deeply.
fn costs(e: &IdedExpr) -> bool {
    match &e.expr {
        Expr::Literal(_) => false,
        Expr::List(list) => !list.elements.is_empty(),
        Expr::Map(map) => !map.entries.is_empty(),
        _ => true,
    }
}

/// Functions that take constant time whatever their arguments are: `-x` negates a number and
/// rejects anything else by its type, `opt.hasValue()` looks at the optional only. (Not
/// `orValue`: a receiver bound to a variable is copied out.)
const CONSTANT_TIME: [&str; 2] = [operators::NEGATE, "hasValue"];

/// Whether `e` is a list literal of literals (`['a', 'b']`).
fn is_literal_list(e: &IdedExpr) -> bool {
    matches!(&e.expr, Expr::List(list) if list.elements.iter().all(|x| !costs(x)))
}

/// Wraps `e` in `function` (in place) unless it is a literal.
fn wrap(e: &mut IdedExpr, function: &str, ids: &mut Ids) {
    if costs(e) {
        always_wrap(e, function, ids);
    }
}

/// Wraps `e` in `function` (in place), a literal too: where an iteration is charged.
fn always_wrap(e: &mut IdedExpr, function: &str, ids: &mut Ids) {
    let inner = std::mem::take(e);
    *e = ids.wrap(function, inner);
}

/// Operators whose cost grows with their operands' size.
const READING: [&str; 7] = [
    operators::EQUALS,
    operators::NOT_EQUALS,
    operators::IN,
    operators::LESS,
    operators::LESS_EQUALS,
    operators::GREATER,
    operators::GREATER_EQUALS,
];

/// Operators the interpreter evaluates itself, lazily or on their operands' shape: their
/// operands are left as they are (`has()`, `a.?b`, `a[i]`, `!a`, `-a`, `&&`, `||`, `?:`);
/// also the metering functions themselves (`__hegui_…`).
fn is_operator(name: &str) -> bool {
    name.starts_with('_') || name.starts_with('!') || name.starts_with('@')
}

/// Namespaces of qualified functions (`optional.of(x)`): a receiver spelling one is a name,
/// not a value, and must stay as written.
const NAMESPACES: [&str; 1] = ["optional"];

fn meter(e: &mut IdedExpr, ids: &mut Ids) {
    match &mut e.expr {
        Expr::Comprehension(c) => {
            meter(&mut c.iter_range, ids);
            wrap(&mut c.iter_range, RANGE, ids);
            meter(&mut c.accu_init, ids);
            meter(&mut c.result, ids);
            meter_step(&mut c.loop_step, &c.accu_var, ids);
        }
        Expr::Call(call) => {
            let name = call.func_name.clone();
            if let Some(t) = &mut call.target {
                meter(t, ids);
            }
            call.args.iter_mut().for_each(|a| meter(a, ids));
            if name == operators::ADD {
                // `a + b` makes a new string, list or bytes value.
                wrap(e, BUILT, ids);
            } else if name == operators::IN && call.args.len() == 2 {
                // `x in ['a', 'b']` compares `x` with literals: bounded by the expression.
                if !is_literal_list(&call.args[1]) {
                    wrap(&mut call.args[0], USED, ids);
                    wrap(&mut call.args[1], SEARCHED, ids);
                }
            } else if READING.contains(&name.as_str()) {
                // A comparison with a literal costs at most the literal's length (values of
                // different kinds compare at once, strings stop at the shorter one).
                if call.args.iter().all(costs) {
                    call.args.iter_mut().for_each(|a| wrap(a, USED, ids));
                }
            } else if !is_operator(&name) && !CONSTANT_TIME.contains(&name.as_str()) {
                // `size()` reads the top of its value only; other functions may read it whole.
                let how = if name == "size" { STEP } else { USED };
                call.args.iter_mut().for_each(|a| wrap(a, how, ids));
                if let Some(t) = &mut call.target {
                    let named =
                        matches!(&t.expr, Expr::Ident(n) if NAMESPACES.contains(&n.as_str()));
                    if !named {
                        wrap(t, how, ids);
                    }
                }
            }
        }
        Expr::List(list) => meter_list(list, false, ids),
        Expr::Map(map) => {
            for entry in &mut map.entries {
                if let EntryExpr::MapEntry(m) = &mut entry.expr {
                    meter(&mut m.key, ids);
                    meter(&mut m.value, ids);
                    wrap(&mut m.key, BUILT, ids);
                    wrap(&mut m.value, BUILT, ids);
                }
            }
        }
        Expr::Select(s) => meter(&mut s.operand, ids),
        Expr::Struct(_) | Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => {}
    }
}

/// Meters a list literal's elements; `per_iteration` charges literal ones too (the list a
/// comprehension appends on every iteration).
fn meter_list(list: &mut ListExpr, per_iteration: bool, ids: &mut Ids) {
    for element in &mut list.elements {
        meter(element, ids);
        match per_iteration {
            true => always_wrap(element, BUILT, ids),
            false => wrap(element, BUILT, ids),
        }
    }
}

/// Meters a comprehension's step so that every iteration is charged, keeping the shapes the
/// interpreter recognises: `@result + [e]` (map, filter: appended in place), `c ? s : @result`
/// (a guarded step), `@result && p` / `@result || p` (all, exists).
fn meter_step(step: &mut IdedExpr, accu: &str, ids: &mut Ids) {
    let is_accu = |e: &IdedExpr| matches!(&e.expr, Expr::Ident(n) if n == accu);
    let Expr::Call(call) = &mut step.expr else {
        meter(step, ids);
        always_wrap(step, STEP, ids);
        return;
    };
    let name = call.func_name.as_str();
    match call.args.as_mut_slice() {
        [guard, then, otherwise] if name == operators::CONDITIONAL && call.target.is_none() => {
            meter(guard, ids);
            always_wrap(guard, STEP, ids);
            meter_step_body(then, accu, ids);
            meter_step_body(otherwise, accu, ids);
        }
        [first, _] if is_accu(first) && call.target.is_none() => meter_step_body(step, accu, ids),
        _ => {
            meter(step, ids);
            always_wrap(step, STEP, ids);
        }
    }
}

/// The body of a step whose iteration is already charged (or that charges it itself):
/// `@result + [e]` meters `e` as built, `@result op x` charges a step on `x`, `@result` is
/// free.
fn meter_step_body(body: &mut IdedExpr, accu: &str, ids: &mut Ids) {
    let is_accu = |e: &IdedExpr| matches!(&e.expr, Expr::Ident(n) if n == accu);
    if is_accu(body) {
        return;
    }
    if let Expr::Call(call) = &mut body.expr
        && call.target.is_none()
        && let [first, second] = call.args.as_mut_slice()
        && is_accu(first)
    {
        match &mut second.expr {
            Expr::List(list) if call.func_name == operators::ADD => meter_list(list, true, ids),
            _ => {
                meter(second, ids);
                always_wrap(second, STEP, ids);
            }
        }
        return;
    }
    meter(body, ids);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(e: &IdedExpr, name: &str) -> usize {
        let own = matches!(&e.expr, Expr::Call(c) if c.func_name == name) as usize;
        let mut n = own;
        children(e, &mut |c| n += calls(c, name));
        n
    }

    fn metered(text: &str) -> IdedExpr {
        instrument(&crate::lazy::pratt_parse(text).expect("parses"))
    }

    #[test]
    fn literals_stay_bare_and_costly_places_are_wrapped() {
        assert_eq!(calls(&metered("1 == 1"), USED), 0);
        assert_eq!(calls(&metered("'a' + 'b'"), BUILT), 1);
        assert_eq!(calls(&metered("[x, 1, y]"), BUILT), 2);
        assert_eq!(calls(&metered("x.size() > 3"), STEP), 1);
        // Compared with a literal: bounded by the literal, nothing to meter.
        assert_eq!(calls(&metered("x.size() > 3"), USED), 0);
        assert_eq!(calls(&metered("x == 'a'"), USED), 0);
        assert_eq!(calls(&metered("x == y"), USED), 2);
        assert_eq!(calls(&metered("x in ['a', 'b']"), USED), 0);
        assert_eq!(calls(&metered("x in ['a', 'b']"), SEARCHED), 0);
        assert_eq!(calls(&metered("x in ['a', y]"), SEARCHED), 1);
        // Constant time whatever the argument; an empty literal costs nothing.
        assert_eq!(calls(&metered("-x"), USED), 0);
        assert_eq!(calls(&metered("o.hasValue()"), USED), 0);
        assert_eq!(calls(&metered("o.orValue([])"), USED), 1);
        assert_eq!(calls(&metered("o.orValue([x])"), USED), 2);
        assert_eq!(calls(&metered("x.startsWith(y)"), USED), 2);
        assert_eq!(calls(&metered("optional.of(x)"), USED), 1);
        assert_eq!(calls(&metered("x in m"), USED), 1);
        assert_eq!(calls(&metered("x in m"), SEARCHED), 1);
    }

    #[test]
    fn every_comprehension_iteration_is_charged() {
        // map appends `[e]`: e is built; filter guards: the guard is used; all folds with &&.
        assert_eq!(calls(&metered("xs.map(x, x)"), BUILT), 1);
        assert_eq!(calls(&metered("xs.map(x, 1)"), BUILT), 1);
        assert_eq!(calls(&metered("xs.map(x, 1)"), RANGE), 1);
        assert_eq!(calls(&metered("xs.filter(x, false)"), STEP), 1);
        assert_eq!(calls(&metered("xs.filter(x, false)"), BUILT), 1);
        assert_eq!(calls(&metered("xs.all(x, true)"), STEP), 1);
        assert_eq!(calls(&metered("xs.exists(x, true)"), STEP), 1);
        // exists_one: the guard and the count `@result + 1` are steps; `@result == 1`
        // compares with a literal.
        assert_eq!(calls(&metered("xs.exists_one(x, true)"), STEP), 2);
        assert_eq!(calls(&metered("xs.exists_one(x, true)"), USED), 0);
    }

    #[test]
    fn ids_are_fresh() {
        let parsed = crate::lazy::pratt_parse("[a + b, c]").unwrap();
        let top = max_id(&parsed);
        let m = instrument(&parsed);
        let mut seen = std::collections::BTreeSet::new();
        fn collect(e: &IdedExpr, seen: &mut std::collections::BTreeSet<u64>) {
            assert!(seen.insert(e.id), "id {} twice", e.id);
            children(e, &mut |c| collect(c, seen));
        }
        collect(&m, &mut seen);
        assert!(seen.iter().max().copied().unwrap() > top);
    }
}
