//! What the checker reports, worded in each language (never mixed within one message).

use std::sync::Arc;

use super::types::{Class, Ty};
use crate::Lang;

/// A problem of an expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Msg {
    /// A variable that is not in scope.
    UnknownName {
        name: String,
        suggestion: Option<String>,
    },
    /// A key the vocabulary does not have.
    UnknownKey {
        key: String,
        table: String,
        suggestion: Option<String>,
    },
    /// A parameter the rule does not declare.
    UnknownParam {
        name: String,
        suggestion: Option<String>,
    },
    /// A field of a value that has none.
    NoKeys { key: String, found: Ty },
    /// A function neither hegui nor CEL has.
    UnknownFunction {
        function: String,
        suggestion: Option<String>,
    },
    /// A hegui function called as a method.
    NotAMethod { function: String },
    /// A function given the wrong number of arguments.
    Arity {
        function: String,
        expected: usize,
        found: usize,
    },
    /// An argument of the wrong kind.
    Argument {
        function: String,
        position: usize,
        expected: Class,
        found: Ty,
    },
    /// An operator over operands it cannot take.
    Operator { op: String, operands: Vec<Ty> },
    /// A comprehension over a value that is not a list or map.
    NotIterable { found: Ty },
    /// A string compared with an enum that is none of its values.
    EnumValue {
        value: String,
        values: Arc<[String]>,
        suggestion: Option<String>,
    },
    /// A rule key whose expression must give a value of some kind.
    Expected {
        key: &'static str,
        expected: &'static str,
        found: Ty,
    },
    /// A regular expression that does not compile.
    Regex { pattern: String, error: String },
}

fn did_you_mean(suggestion: &Option<String>, lang: Lang) -> Option<String> {
    suggestion.as_ref().map(|s| match lang {
        Lang::Zh => format!("是否想写 `{s}`？"),
        Lang::En => format!("did you mean `{s}`?"),
    })
}

/// What an expected kind is called (`Expected::expected` keys).
fn kind_name(kind: &str, lang: Lang) -> &'static str {
    match (kind, lang) {
        ("bool", Lang::En) => "a boolean",
        ("bool", Lang::Zh) => "布尔值",
        ("list", Lang::En) => "a list",
        ("list", Lang::Zh) => "列表",
        ("strings", Lang::En) => "a list of strings",
        ("strings", Lang::Zh) => "字符串列表",
        (_, Lang::En) => "a value",
        (_, Lang::Zh) => "值",
    }
}

impl Msg {
    /// The message and its help, in `lang`.
    pub(crate) fn render(&self, lang: Lang) -> (String, Option<String>) {
        let zh = lang == Lang::Zh;
        match self {
            Msg::UnknownName { name, suggestion } => (
                if zh {
                    format!("未知的名称 `{name}`")
                } else {
                    format!("unknown name `{name}`")
                },
                did_you_mean(suggestion, lang).or_else(|| {
                    Some(if zh {
                        "可用的名称：`item`、`plan`、`entries`、`params`、`today`、`file`，规则的 `let` 名称，以及适用时的 `each`、`each_index`、`text`、`match`".into()
                    } else {
                        "names in scope: `item`, `plan`, `entries`, `params`, `today`, `file`, the rule's `let` names, and `each`, `each_index`, `text`, `match` where they apply".into()
                    })
                }),
            ),
            Msg::UnknownKey { key, table, suggestion } => (
                if zh {
                    format!("清单词汇中 `{table}` 没有键 `{key}`")
                } else {
                    format!("`{table}` has no key `{key}` in the manifest vocabulary")
                },
                did_you_mean(suggestion, lang),
            ),
            Msg::UnknownParam { name, suggestion } => (
                if zh {
                    format!("规则没有参数 `{name}`")
                } else {
                    format!("the rule has no parameter `{name}`")
                },
                did_you_mean(suggestion, lang).or_else(|| {
                    Some(if zh {
                        format!("在 `params.{name}` 中声明它（`default`、`doc`）")
                    } else {
                        format!("declare it as `params.{name}` (`default`, `doc`)")
                    })
                }),
            ),
            Msg::NoKeys { key, found } => (
                if zh {
                    format!("{}没有键（读取 `{key}`）", found.describe(lang))
                } else {
                    format!("{} has no keys (reading `{key}`)", found.describe(lang))
                },
                None,
            ),
            Msg::UnknownFunction { function, suggestion } => (
                if zh {
                    format!("未知的函数 `{function}`")
                } else {
                    format!("unknown function `{function}`")
                },
                did_you_mean(suggestion, lang),
            ),
            Msg::NotAMethod { function } => (
                if zh {
                    format!("`{function}` 是函数，不是方法")
                } else {
                    format!("`{function}` is a function, not a method")
                },
                Some(if zh {
                    format!("写作 `{function}(…)`，第一个参数放在括号内")
                } else {
                    format!("write `{function}(…)` with the first argument inside the parentheses")
                }),
            ),
            Msg::Arity { function, expected, found } => (
                if zh {
                    format!("`{function}` 需要 {expected} 个参数，这里有 {found} 个")
                } else {
                    format!("`{function}` takes {expected} argument(s), given {found}")
                },
                None,
            ),
            Msg::Argument { function, position, expected, found } => (
                if zh {
                    format!(
                        "`{function}` 的第 {position} 个参数应为{}，这里是{}",
                        expected.describe(lang),
                        found.describe(lang)
                    )
                } else {
                    format!(
                        "argument {position} of `{function}` must be {}, this is {}",
                        expected.describe(lang),
                        found.describe(lang)
                    )
                },
                None,
            ),
            Msg::Operator { op, operands } => {
                let list: Vec<String> = operands.iter().map(|t| t.describe(lang)).collect();
                (
                    if zh {
                        format!("运算符 `{op}` 不能用于{}", list.join("和"))
                    } else {
                        format!("operator `{op}` cannot take {}", list.join(" and "))
                    },
                    None,
                )
            }
            Msg::NotIterable { found } => (
                if zh {
                    format!("只能遍历列表或映射，这里是{}", found.describe(lang))
                } else {
                    format!("only a list or a map can be iterated, this is {}", found.describe(lang))
                },
                None,
            ),
            Msg::EnumValue { value, values, suggestion } => (
                if zh {
                    format!("`{value}` 不是该枚举的值（`{}`），比较永远不成立", values.join("`、`"))
                } else {
                    format!(
                        "`{value}` is not a value of the enum (`{}`): the comparison never holds",
                        values.join("`, `")
                    )
                },
                did_you_mean(suggestion, lang),
            ),
            Msg::Expected { key, expected, found } => (
                if zh {
                    format!("`{key}` 应得到{}，这里是{}", kind_name(expected, lang), found.describe(lang))
                } else {
                    format!("`{key}` must give {}, this gives {}", kind_name(expected, lang), found.describe(lang))
                },
                None,
            ),
            Msg::Regex { pattern, error } => (
                if zh {
                    match regex_reason_zh(error) {
                        Some(reason) => format!("正则表达式 `{pattern}` 无法编译：{reason}"),
                        None => format!("正则表达式 `{pattern}` 无法编译"),
                    }
                } else {
                    format!("the regular expression `{pattern}` does not compile: {error}")
                },
                None,
            ),
        }
    }
}

/// The regex crate's reason in Chinese, for the common ones (the others are left out rather
/// than quoted in English).
fn regex_reason_zh(error: &str) -> Option<&'static str> {
    const REASONS: [(&str, &str); 8] = [
        ("unclosed group", "括号未闭合"),
        ("unopened group", "右括号没有对应的左括号"),
        ("unclosed character class", "字符类（`[…]`）未闭合"),
        ("invalid character class range", "字符类的范围无效"),
        (
            "repetition operator missing expression",
            "重复符号前缺少表达式",
        ),
        ("unrecognized escape sequence", "无法识别的转义序列"),
        ("incomplete escape sequence", "转义序列不完整"),
        ("decimal literal empty", "重复次数为空"),
    ];
    REASONS
        .iter()
        .find(|(en, _)| error.starts_with(en))
        .map(|(_, zh)| *zh)
}
