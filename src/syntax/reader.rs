//! Reading our own TOML data files (rule packs, the manifest vocabulary, the law table, the
//! calendar) from a spanned tree, collecting every problem instead of stopping at the first.

use std::cell::RefCell;

use crate::syntax::tree::zh_type_name;
use crate::text::finding::Finding;
use crate::text::severity::Severity;
use crate::tree::{Node, NodeValue, Span};

/// A problem found while loading a data file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the file.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Problem {
    /// The problem as a finding (the one diagnostic type every output draws): an error in
    /// `source` whose rule is `code`, the kind of file it is in (`rule-file`, `config`).
    pub fn to_finding(&self, source: &crate::text::source::Source, code: &str) -> Finding {
        let mut finding = Finding::new(
            code,
            Severity::Error,
            source.clone(),
            self.span.clone(),
            self.message.clone(),
            String::new(),
        );
        finding.help = self.help.clone();
        finding
    }
}

/// How the problem of a data file that is not TOML at all begins. Such a file is not quoted
/// when the problem is shown (only its name, line and column): it may be any file, such as a
/// credentials file a configuration points at.
pub(crate) const NOT_TOML: &str = "not valid TOML";

/// How the problem of a data file that is not TOML at all begins, in Chinese.
pub(crate) const NOT_TOML_ZH: &str = "不是有效的 TOML";

/// Whether a problem says its file is not TOML at all (either language).
pub(crate) fn is_not_toml(message: &str) -> bool {
    message.starts_with(NOT_TOML) || message.starts_with(NOT_TOML_ZH)
}

/// Collects problems while a file is read. The reader's own messages are in English unless
/// made with [`Problems::in_lang`] (rule files are English; `hegui.toml` follows `--lang`).
#[derive(Debug, Default)]
pub(crate) struct Problems(RefCell<Vec<Problem>>, Option<crate::Lang>);

impl Problems {
    /// Problems whose reader messages are in `lang`.
    pub(crate) fn in_lang(lang: crate::Lang) -> Problems {
        Problems(RefCell::default(), Some(lang))
    }

    /// The language of the reader's messages.
    pub(crate) fn lang(&self) -> crate::Lang {
        self.1.unwrap_or(crate::Lang::En)
    }

    /// `zh` or `en`, whichever the problems are in.
    pub(crate) fn say(&self, zh: String, en: String) -> String {
        match self.lang() {
            crate::Lang::Zh => zh,
            crate::Lang::En => en,
        }
    }

    pub(crate) fn push(&self, span: Span, message: impl Into<String>) {
        self.push_help(span, message, None::<String>);
    }

    pub(crate) fn push_help(
        &self,
        span: Span,
        message: impl Into<String>,
        help: Option<impl Into<String>>,
    ) {
        self.0.borrow_mut().push(Problem {
            span,
            message: message.into(),
            help: help.map(Into::into),
        });
    }

    pub(crate) fn into_vec(self) -> Vec<Problem> {
        self.0.into_inner()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }
}

/// The closest candidate to `word`, when it is close enough to be a useful suggestion.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// Whether [`suggest`]'s answer is the one clear closest candidate: no other candidate is
/// close enough to be suggested and within 0.05 of its score (a fix may then apply it safely).
pub fn suggestion_is_unambiguous<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> bool {
    let mut scores: Vec<f64> = candidates
        .into_iter()
        .map(|c| strsim::jaro_winkler(word, c))
        .filter(|score| *score >= 0.8)
        .collect();
    scores.sort_by(|a, b| b.total_cmp(a));
    match scores.as_slice() {
        [] => false,
        [_] => true,
        [best, second, ..] => best - second >= 0.05,
    }
}

/// A bilingual text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl Text {
    /// The text in a language.
    pub fn get(&self, lang: crate::Lang) -> &str {
        match lang {
            crate::Lang::Zh => &self.zh,
            crate::Lang::En => &self.en,
        }
    }
}

/// Reads the keys of one table, remembering which were read so unknown ones can be reported.
pub(crate) struct TableReader<'a> {
    node: &'a Node,
    what: String,
    read: RefCell<Vec<&'static str>>,
    pub(crate) problems: &'a Problems,
}

impl<'a> TableReader<'a> {
    /// Starts reading `node`, which must be a table (else a problem is pushed and nothing read).
    pub(crate) fn new(node: &'a Node, what: impl Into<String>, problems: &'a Problems) -> Self {
        let what = what.into();
        if !matches!(node.value, NodeValue::Table(_)) {
            problems.push(
                node.span.clone(),
                problems.say(
                    format!("{what} 必须是表，实际为{}", zh_type_name(&node.value)),
                    format!("{what} must be a table, found a {}", node.value.type_name()),
                ),
            );
        }
        TableReader {
            node,
            what,
            read: RefCell::new(Vec::new()),
            problems,
        }
    }

    /// The table being read.
    pub(crate) fn node(&self) -> &'a Node {
        self.node
    }

    /// The raw value of a key (marks it read).
    pub(crate) fn get(&self, key: &'static str) -> Option<&'a Node> {
        self.read.borrow_mut().push(key);
        self.node.get(key)
    }

    fn type_problem(&self, key: &str, node: &Node, expected: &str) {
        let zh_expected = match expected {
            "a string" => "字符串",
            "a boolean" => "布尔值",
            "a table" => "表",
            "an array" => "数组",
            _ => "字符串或字符串数组",
        };
        self.problems.push(
            node.span.clone(),
            self.problems.say(
                format!(
                    "{} 中的 `{key}` 必须是{zh_expected}，实际为{}",
                    self.what,
                    zh_type_name(&node.value)
                ),
                format!(
                    "`{key}` in {} must be {expected}, found a {}",
                    self.what,
                    node.value.type_name()
                ),
            ),
        );
    }

    /// A required key's value (a problem when absent).
    pub(crate) fn required(&self, key: &'static str) -> Option<&'a Node> {
        let node = self.get(key);
        if node.is_none() && matches!(self.node.value, NodeValue::Table(_)) {
            self.problems.push(
                self.node.span.clone(),
                self.problems.say(
                    format!("{} 缺少必填键 `{key}`", self.what),
                    format!("{} lacks the required key `{key}`", self.what),
                ),
            );
        }
        node
    }

    /// A string value.
    pub(crate) fn string(&self, key: &'static str) -> Option<(String, Span)> {
        let node = self.get(key)?;
        match &node.value {
            NodeValue::String(s) => Some((s.clone(), node.span.clone())),
            _ => {
                self.type_problem(key, node, "a string");
                None
            }
        }
    }

    /// A required string value.
    pub(crate) fn required_string(&self, key: &'static str) -> Option<(String, Span)> {
        self.required(key)?;
        self.string(key)
    }

    /// A boolean value.
    pub(crate) fn bool(&self, key: &'static str) -> Option<bool> {
        let node = self.get(key)?;
        match node.value {
            NodeValue::Bool(b) => Some(b),
            _ => {
                self.type_problem(key, node, "a boolean");
                None
            }
        }
    }

    /// A table value.
    pub(crate) fn table(&self, key: &'static str) -> Option<&'a Node> {
        let node = self.get(key)?;
        match node.value {
            NodeValue::Table(_) => Some(node),
            _ => {
                self.type_problem(key, node, "a table");
                None
            }
        }
    }

    /// An array value.
    pub(crate) fn array(&self, key: &'static str) -> Option<&'a [Node]> {
        let node = self.get(key)?;
        match &node.value {
            NodeValue::Array(items) => Some(items),
            _ => {
                self.type_problem(key, node, "an array");
                None
            }
        }
    }

    /// A string or an array of strings.
    pub(crate) fn strings(&self, key: &'static str) -> Option<Vec<(String, Span)>> {
        let node = self.get(key)?;
        match &node.value {
            NodeValue::String(s) => Some(vec![(s.clone(), node.span.clone())]),
            NodeValue::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|item| match &item.value {
                        NodeValue::String(s) => Some((s.clone(), item.span.clone())),
                        _ => {
                            self.type_problem(key, item, "a string");
                            None
                        }
                    })
                    .collect(),
            ),
            _ => {
                self.type_problem(key, node, "a string or an array of strings");
                None
            }
        }
    }

    /// A bilingual text: `{ zh = "…", en = "…" }`, both required.
    pub(crate) fn text(&self, key: &'static str) -> Option<Text> {
        let node = self.table(key)?;
        let reader = TableReader::new(node, format!("`{key}`"), self.problems);
        let zh = reader.required_string("zh");
        let en = reader.required_string("en");
        reader.finish();
        Some(Text {
            zh: zh?.0,
            en: en?.0,
        })
    }

    /// A required bilingual text.
    pub(crate) fn required_text(&self, key: &'static str) -> Option<Text> {
        self.required(key)?;
        self.text(key)
    }

    /// Reports every key that was not read as unknown, with the closest known key.
    pub(crate) fn finish(self) {
        let read = self.read.into_inner();
        for entry in self.node.entries() {
            if read.contains(&entry.key.as_str()) {
                continue;
            }
            let help =
                suggest(&entry.key, read.iter().copied()).map(|s| did_you_mean(self.problems, s));
            let known = {
                let mut k = read.clone();
                k.sort_unstable();
                k.dedup();
                k.join(match self.problems.lang() {
                    crate::Lang::Zh => "`、`",
                    crate::Lang::En => "`, `",
                })
            };
            let problems = self.problems;
            problems.push_help(
                entry.key_span.clone(),
                problems.say(
                    format!("{} 中没有键 `{}`", self.what, entry.key),
                    format!("unknown key `{}` in {}", entry.key, self.what),
                ),
                help.or_else(|| {
                    Some(problems.say(
                        format!("可用的键：`{known}`"),
                        format!("known keys: `{known}`"),
                    ))
                }),
            );
        }
    }
}

/// "did you mean `s`?" in the problems' language.
pub(crate) fn did_you_mean(problems: &Problems, s: &str) -> String {
    problems.say(format!("是否想写 `{s}`？"), format!("did you mean `{s}`?"))
}
