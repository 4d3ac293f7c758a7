//! The evaluation budget of a rule: a rule file from a pull request (`hegui.toml`'s
//! `[check] rules`) can compute values that double with every `let`. A value over the budget,
//! or a rule that evaluates too many expressions on one file, stops that rule on that file
//! with an error finding under the rule's id; the other rules run as usual.

use cel::ExecutionError;
use cel::common::types::{CelString, Kind};
use cel::common::value::Val;

use crate::Lang;

/// The longest string a `let` or `for_each` may compute, in bytes (16 MiB). Text read from the
/// file is not counted: it is a view of the file, whose size is capped where it is read.
pub const MAX_STRING_BYTES: usize = 16 * 1024 * 1024;

/// The most items a computed list or map may hold (1,000,000).
pub const MAX_ITEMS: i64 = 1_000_000;

/// The most expressions one rule evaluates on one file (10,000,000): one per `when`, `let`,
/// `for_each` and `assert`, per item and per `for_each` element.
pub const MAX_EVALUATIONS: u64 = 10_000_000;

/// The most work one rule does inside its expressions on one file (100,000,000 units): one
/// unit per comprehension iteration and per metered operation, plus one per item of a list or
/// map and per 64 bytes of a string it reads or builds (`crate::cel::meter`).
pub const MAX_STEPS: u64 = 100_000_000;

/// The most bytes one rule's expressions build or copy on one file (256 MiB): strings by
/// length, 32 bytes per list item, 64 per map entry (`crate::cel::meter`).
pub const MAX_BUILT_BYTES: u64 = 256 * 1024 * 1024;

/// What went over the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exceeded {
    /// A string longer than [`MAX_STRING_BYTES`].
    String,
    /// A list or map with more than [`MAX_ITEMS`] items.
    Items,
    /// More than [`MAX_EVALUATIONS`] evaluations.
    Work,
    /// More than [`MAX_STEPS`] units of work inside expressions.
    Steps,
    /// More than [`MAX_BUILT_BYTES`] built inside expressions.
    Memory,
}

impl Exceeded {
    /// The finding's message.
    pub(crate) fn message(self, what: &str, lang: Lang) -> String {
        let mib = MAX_STRING_BYTES / 1024 / 1024;
        match (self, lang) {
            (Exceeded::String, Lang::Zh) => {
                format!(
                    "规则超出求值预算：`{what}` 算出的字符串超过 {mib} MiB，本文件不再执行该规则"
                )
            }
            (Exceeded::String, Lang::En) => format!(
                "the rule is over its evaluation budget: `{what}` computed a string over {mib} MiB; the rule stops on this file"
            ),
            (Exceeded::Items, Lang::Zh) => format!(
                "规则超出求值预算：`{what}` 算出的列表或表超过 {MAX_ITEMS} 项，本文件不再执行该规则"
            ),
            (Exceeded::Items, Lang::En) => format!(
                "the rule is over its evaluation budget: `{what}` computed a list or map of over {MAX_ITEMS} items; the rule stops on this file"
            ),
            (Exceeded::Work, Lang::Zh) => format!(
                "规则超出求值预算：在本文件上求值超过 {MAX_EVALUATIONS} 次，本文件不再执行该规则"
            ),
            (Exceeded::Work, Lang::En) => format!(
                "the rule is over its evaluation budget: over {MAX_EVALUATIONS} evaluations on this file; the rule stops on this file"
            ),
            (Exceeded::Steps, Lang::Zh) => format!(
                "规则超出求值预算：`{what}` 在本文件上的运算超过 {MAX_STEPS} 步，本文件不再执行该规则"
            ),
            (Exceeded::Steps, Lang::En) => format!(
                "the rule is over its evaluation budget: `{what}` took over {MAX_STEPS} steps on this file; the rule stops on this file"
            ),
            (Exceeded::Memory, Lang::Zh) => format!(
                "规则超出求值预算：`{what}` 在本文件上构造的值超过 {} MiB，本文件不再执行该规则",
                MAX_BUILT_BYTES / 1024 / 1024
            ),
            (Exceeded::Memory, Lang::En) => format!(
                "the rule is over its evaluation budget: `{what}` built values of over {} MiB on this file; the rule stops on this file",
                MAX_BUILT_BYTES / 1024 / 1024
            ),
        }
    }

    /// The finding's help.
    pub(crate) fn help(lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => "规则的表达式不应随输入成倍增长；限额见 docs/robustness.md",
            Lang::En => {
                "a rule's expressions should not grow values without bound; docs/robustness.md gives the limits"
            }
        }
    }
}

/// Whether a computed value is over the budget. Strings are measured in bytes, lists and maps
/// in items; views of the file's own values are not strings of the `cel` crate and pass.
pub(crate) fn check(value: &dyn Val) -> Result<(), Exceeded> {
    if let Some(s) = value.downcast_ref::<CelString>() {
        return match s.inner().len() > MAX_STRING_BYTES {
            true => Err(Exceeded::String),
            false => Ok(()),
        };
    }
    if matches!(value.get_type().kind(), Kind::List | Kind::Map)
        && value
            .as_sizer()
            .is_some_and(|s| i64::from(s.size()) > MAX_ITEMS)
    {
        return Err(Exceeded::Items);
    }
    Ok(())
}

/// The function name that marks a budget error carried through CEL's error type.
const MARK: &str = "<hegui evaluation budget>";

impl Exceeded {
    /// As an [`ExecutionError`], to travel where only those go (a shared `let`'s cache).
    pub(crate) fn into_error(self) -> ExecutionError {
        ExecutionError::function_error(MARK, format!("{self:?}"))
    }

    /// The budget error an [`ExecutionError`] carries, if it is one.
    pub(crate) fn of_error(error: &ExecutionError) -> Option<Exceeded> {
        match error {
            ExecutionError::FunctionError { function, message } if function == MARK => [
                Exceeded::String,
                Exceeded::Items,
                Exceeded::Work,
                Exceeded::Steps,
                Exceeded::Memory,
            ]
            .into_iter()
            .find(|e| format!("{e:?}") == *message),
            _ => None,
        }
    }
}
