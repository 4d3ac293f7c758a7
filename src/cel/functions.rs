//! hegui's extensions to CEL. Each function is pure and total over its documented types;
//! anything else is an evaluation error, which the engine reports against the rule.
//!
//! | function | meaning |
//! |---|---|
//! | `add_days(t, n)` | `t` plus `n` calendar days (dates and date-times; UTC+8) |
//! | `days_between(a, b)` | calendar days from the date of `a` to the date of `b` (negative if `b` is earlier) |
//! | `date(t)` | the date of `t` (midnight UTC+8) |
//! | `add_workdays(t, n)` | the `n`th China working day after the date of `t`; day 1 is the first working day after it |
//! | `workdays_between(a, b)` | China working days in `(a, b]` |
//! | `add_workdays_earliest(t, n)`, `add_workdays_latest(t, n)` | the earliest / latest date `add_workdays(t, n)` can be over every schedule a year not yet published could have (bounded by the calendar's pattern, docs/calendar.md); equal to it where the years are published |
//! | `workdays_between_fewest(a, b)`, `workdays_between_most(a, b)` | likewise the fewest / most `workdays_between(a, b)` can be |
//! | `difference(xs, ys)` | the elements of `xs` not in `ys`, in order |
//! | `max_by(xs, "field")`, `min_by(xs, "field")` | the map in `xs` with the largest / smallest `field` (maps lacking it are skipped) |
//! | `first_by(xs, "field")` | a map from each value of `field` (a string, integer or boolean) to the first map in `xs` having it |
//! | `group_by(xs, "field")` | a map from each value of `field` (each element, when it is a list) to the maps in `xs` having it, in order: an index a rule builds once per file instead of searching `xs` for every item |
//! | `sum(xs)` | the sum of a list of numbers |
//!
//! A working-day function that needs a year the calendar lacks fails with a message starting
//! with [`MISSING_YEAR`]; the engine turns that into a "could not decide" warning. The bounding
//! functions fail so only for a year with neither a schedule nor festival dates.

use std::cmp::Ordering;
use std::sync::Arc;

use cel::common::types::{CelMap, CelMapKey, CelString};
use cel::common::value::CowVal;
use cel::extractors::This;
use cel::objects::Key;
use cel::{Context, ExecutionError, Value};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};

use crate::calendar::Calendar;

/// Message prefix of the error a working-day function raises for a year the calendar lacks.
pub const MISSING_YEAR: &str = "no working-day schedule for ";

/// China Standard Time.
pub(crate) fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// A local date-time as a CEL timestamp in UTC+8.
pub(crate) fn datetime_value(dt: NaiveDateTime) -> Value {
    match cst().from_local_datetime(&dt).single() {
        Some(t) => Value::Timestamp(t),
        None => Value::Null,
    }
}

/// A date as a CEL timestamp at midnight UTC+8.
pub(crate) fn date_value(d: NaiveDate) -> Value {
    datetime_value(d.and_time(chrono::NaiveTime::MIN))
}

fn timestamp(function: &str, v: &Value) -> Result<DateTime<FixedOffset>, ExecutionError> {
    match v {
        Value::Timestamp(t) => Ok(*t),
        other => Err(ExecutionError::function_error(
            function,
            format!(
                "expected a date, found {}",
                crate::cel::convert::display_value(other)
            ),
        )),
    }
}

fn day(function: &str, v: &Value) -> Result<NaiveDate, ExecutionError> {
    Ok(timestamp(function, v)?.with_timezone(&cst()).date_naive())
}

fn missing_year(function: &str, year: i32) -> ExecutionError {
    ExecutionError::function_error(function, format!("{MISSING_YEAR}{year}"))
}

fn field_of<'a>(v: &'a Value, field: &str) -> Option<&'a Value> {
    match v {
        Value::Map(m) => m.map.get(&Key::String(Arc::new(field.to_owned()))),
        _ => None,
    }
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Timestamp(x), Value::Timestamp(y)) => x.cmp(y),
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.total_cmp(y),
        (Value::Int(x), Value::Float(y)) => (*x as f64).total_cmp(y),
        (Value::Float(x), Value::Int(y)) => x.total_cmp(&(*y as f64)),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

fn extreme_by(
    function: &str,
    list: Value,
    field: Arc<String>,
    want: Ordering,
) -> Result<Value, ExecutionError> {
    let Value::List(items) = list else {
        return Err(ExecutionError::function_error(function, "expected a list"));
    };
    let mut best: Option<(&Value, &Value)> = None;
    for item in items.iter() {
        let Some(value) = field_of(item, &field) else {
            continue;
        };
        // Ties keep the first in document order.
        if best.is_none_or(|(_, b)| compare(value, b) == want) {
            best = Some((item, value));
        }
    }
    best.map(|(item, _)| item.clone()).ok_or_else(|| {
        ExecutionError::no_such_key(&format!("{function}: no element has `{field}`"))
    })
}

/// A function over CEL values as they are, without converting its arguments to [`Value`] (a
/// deep copy) and its result back.
type RawFunction = Box<
    dyn for<'c, 'v> Fn(&mut cel::FunctionContext<'c, 'v>) -> Result<CowVal<'c, 'v>, ExecutionError>
        + Send
        + Sync,
>;

/// The arguments of `name(xs, "field")` (or `xs.name("field")`): the list's iterable and the
/// field name; the function fails with `name`'s error otherwise.
macro_rules! list_and_field {
    ($ftx:expr, $name:literal) => {{
        let fail = |why: &str| ExecutionError::function_error($name, why);
        let (list, field) = match (&$ftx.this, $ftx.args.as_slice()) {
            (None, [list, field]) => (list, field),
            (Some(list), [field]) => (list, field),
            _ => return Err(fail("expected a list and a field name")),
        };
        let Some(field) = field.downcast_ref::<CelString>() else {
            return Err(fail("the field name must be a string"));
        };
        let Some(items) = list.as_iterable() else {
            return Err(fail("expected a list"));
        };
        (items, field)
    }};
}

/// `first_by(xs, "field")`: a map from each value of `field` in `xs` to the first map that
/// has it. Looking an entry up in it is one step, where `xs.filter(e, e.field == x)` visits
/// every element (rules that find duplicates would otherwise be quadratic). Values that cannot
/// be map keys (floats, lists, maps, dates) are skipped, as are maps lacking the field. The
/// map's values are the elements themselves (views of the manifest's values, not copies).
fn first_by() -> RawFunction {
    Box::new(|ftx| {
        let (items, field) = list_and_field!(ftx, "first_by");
        let mut first = std::collections::HashMap::new();
        let mut items = items.iter();
        while let Some(item) = items.next() {
            let Some(value) = item.as_indexer().and_then(|m| m.get(field).ok()) else {
                continue;
            };
            let Ok(key) = CelMapKey::try_from(value) else {
                continue;
            };
            first.entry(key).or_insert_with(|| item.clone_as_boxed());
        }
        Ok(CowVal::Owned(Box::new(CelMap::from(first))))
    })
}

/// `group_by(xs, field)`: every map of `xs` under each value of its `field` (each element of
/// a list value), in the order of `xs`.
fn group_by() -> RawFunction {
    Box::new(|ftx| {
        let (items, field) = list_and_field!(ftx, "group_by");
        let mut groups: std::collections::HashMap<_, Vec<Box<dyn cel::common::value::Val>>> =
            std::collections::HashMap::new();
        let mut items = items.iter();
        while let Some(item) = items.next() {
            let Some(value) = item.as_indexer().and_then(|m| m.get(field).ok()) else {
                continue;
            };
            let mut keys = Vec::new();
            match value.as_iterable() {
                Some(elements) if value.downcast_ref::<CelString>().is_none() => {
                    let mut elements = elements.iter();
                    while let Some(e) = elements.next() {
                        keys.extend(CelMapKey::try_from(e.clone_as_boxed()).ok());
                    }
                }
                _ => keys.extend(CelMapKey::try_from(value).ok()),
            }
            keys.dedup();
            // An element under many keys is copied under each: charged to the rule's budget.
            let copies = keys.len() as u64;
            crate::cel::meter::charge(copies, copies * crate::cel::meter::weight(item))?;
            for key in keys {
                groups.entry(key).or_default().push(item.clone_as_boxed());
            }
        }
        let map: std::collections::HashMap<_, Box<dyn cel::common::value::Val>> = groups
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    Box::new(cel::common::types::CelList::from(v))
                        as Box<dyn cel::common::value::Val>,
                )
            })
            .collect();
        Ok(CowVal::Owned(Box::new(CelMap::from(map))))
    })
}

/// The longest pattern `matches` keeps compiled (4 KiB).
const MAX_CACHED_PATTERN: usize = 4096;

/// `text.matches(pattern)` with the pattern compiled once per thread.
fn matches(text: &str, pattern: &str) -> Result<bool, ExecutionError> {
    thread_local! {
        static COMPILED: std::cell::RefCell<std::collections::HashMap<String, Result<regex::Regex, String>>> =
            std::cell::RefCell::default();
    }
    COMPILED.with(|compiled| {
        let mut compiled = compiled.borrow_mut();
        // Patterns come from rules; bound the cache should a rule build them from data (in
        // number, and in size: a long pattern built by a rule is compiled but not kept).
        if compiled.len() > 256 {
            compiled.clear();
        }
        let uncached;
        let re = if pattern.len() > MAX_CACHED_PATTERN {
            uncached = regex::Regex::new(pattern).map_err(|e| e.to_string());
            &uncached
        } else {
            compiled
                .entry(pattern.to_owned())
                .or_insert_with(|| regex::Regex::new(pattern).map_err(|e| e.to_string()))
        };
        match re {
            Ok(re) => Ok(re.is_match(text)),
            Err(e) => Err(ExecutionError::function_error(
                "matches",
                format!("'{pattern}' not a valid regex:\n{e}"),
            )),
        }
    })
}

/// Registers every extension function on a root context.
pub(crate) fn register(ctx: &mut Context<'_, '_>, calendar: Arc<Calendar>) {
    let add = |ctx: &mut Context<'_, '_>, result: Result<(), cel::DeclarationError>| {
        // Names are fixed here and distinct from CEL's standard library.
        let _ = ctx;
        result.expect("extension function names do not clash with the standard library");
    };
    // CEL's standard `matches`, except that a pattern is compiled once per thread rather than
    // on every call (the `cel` crate's `regex` feature is off for this).
    let r = ctx.add_function(
        "matches",
        |This(text): This<Arc<String>>, pattern: Arc<String>| -> Result<bool, ExecutionError> {
            matches(&text, &pattern)
        },
    );
    add(ctx, r);
    let r = ctx.add_function(
        "add_days",
        |t: Value, n: i64| -> Result<Value, ExecutionError> {
            let t = timestamp("add_days", &t)?;
            // `Duration::days` panics past ±2^63 ms; both steps are checked.
            chrono::Duration::try_days(n)
                .and_then(|d| t.checked_add_signed(d))
                .map(Value::Timestamp)
                .ok_or_else(|| ExecutionError::function_error("add_days", "date out of range"))
        },
    );
    add(ctx, r);
    let r = ctx.add_function(
        "days_between",
        |a: Value, b: Value| -> Result<i64, ExecutionError> {
            Ok((day("days_between", &b)? - day("days_between", &a)?).num_days())
        },
    );
    add(ctx, r);
    let r = ctx.add_function("date", |t: Value| -> Result<Value, ExecutionError> {
        Ok(date_value(day("date", &t)?))
    });
    add(ctx, r);
    let cal = Arc::clone(&calendar);
    let r = ctx.add_function(
        "add_workdays",
        move |t: Value, n: i64| -> Result<Value, ExecutionError> {
            let d = day("add_workdays", &t)?;
            cal.add_workdays(d, n)
                .map(date_value)
                .map_err(|m| missing_year("add_workdays", m.0))
        },
    );
    add(ctx, r);
    for (name, latest) in [
        ("add_workdays_earliest", false),
        ("add_workdays_latest", true),
    ] {
        let cal = Arc::clone(&calendar);
        let r = ctx.add_function(
            name,
            move |t: Value, n: i64| -> Result<Value, ExecutionError> {
                let d = day(name, &t)?;
                cal.add_workdays_bound(d, n, latest)
                    .map(date_value)
                    .map_err(|m| missing_year(name, m.0))
            },
        );
        add(ctx, r);
    }
    for (name, most) in [
        ("workdays_between_fewest", false),
        ("workdays_between_most", true),
    ] {
        let cal = Arc::clone(&calendar);
        let r = ctx.add_function(
            name,
            move |a: Value, b: Value| -> Result<i64, ExecutionError> {
                let (a, b) = (day(name, &a)?, day(name, &b)?);
                cal.workdays_between_bound(a, b, most)
                    .map_err(|m| missing_year(name, m.0))
            },
        );
        add(ctx, r);
    }
    let cal = calendar;
    let r = ctx.add_function(
        "workdays_between",
        move |a: Value, b: Value| -> Result<i64, ExecutionError> {
            let (a, b) = (day("workdays_between", &a)?, day("workdays_between", &b)?);
            cal.workdays_between(a, b)
                .map_err(|m| missing_year("workdays_between", m.0))
        },
    );
    add(ctx, r);
    let r = ctx.add_function(
        "difference",
        |a: Value, b: Value| -> Result<Value, ExecutionError> {
            match (a, b) {
                (Value::List(a), Value::List(b)) => {
                    // Every element of `a` is compared with every element of `b`.
                    let pairs = (a.len() as u64).saturating_mul(b.len() as u64);
                    crate::cel::meter::charge(pairs, 0)?;
                    Ok(Value::List(Arc::new(
                        a.iter().filter(|x| !b.contains(x)).cloned().collect(),
                    )))
                }
                _ => Err(ExecutionError::function_error(
                    "difference",
                    "expected two lists",
                )),
            }
        },
    );
    add(ctx, r);
    let r = ctx.add_function("max_by", |list: Value, field: Arc<String>| {
        extreme_by("max_by", list, field, Ordering::Greater)
    });
    add(ctx, r);
    let r = ctx.add_function("min_by", |list: Value, field: Arc<String>| {
        extreme_by("min_by", list, field, Ordering::Less)
    });
    add(ctx, r);
    let r = ctx.add_function("first_by", first_by());
    add(ctx, r);
    let r = ctx.add_function("group_by", group_by());
    add(ctx, r);
    let r = ctx.add_function("sum", |list: Value| -> Result<Value, ExecutionError> {
        let Value::List(items) = list else {
            return Err(ExecutionError::function_error("sum", "expected a list"));
        };
        let (mut int, mut float, mut is_float) = (0i64, 0f64, false);
        for item in items.iter() {
            match item {
                Value::Int(i) => {
                    int = int.saturating_add(*i);
                    float += *i as f64;
                }
                Value::Float(f) => {
                    is_float = true;
                    float += f;
                }
                _ => return Err(ExecutionError::function_error("sum", "expected numbers")),
            }
        }
        Ok(if is_float {
            Value::Float(float)
        } else {
            Value::Int(int)
        })
    });
    add(ctx, r);
}
