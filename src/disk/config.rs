//! `hegui.toml`: a team's settings for a repository — which files, when to fail, extra rule
//! folders, severity and parameter overrides, extra calendar years.
//!
//! Loaded in two steps like rule files: [`Config::load`] reads the file and reports every
//! problem of its own shape at once; [`Config::apply`] then checks the rule ids and
//! parameters it names against the loaded rule set and changes the set.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cel::Value;
use cel::objects::{Key, Map};
use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::reader::{Problem, Problems, TableReader, did_you_mean, suggest};
use crate::rules::{FileProblems, RuleSet};
use crate::source::{Source, SourceFile};
use crate::text::reason::Reason;
use crate::tree::{self, Node, NodeValue, Span};
use crate::{Lang, Severity};

/// The name of the configuration file.
pub const FILE_NAME: &str = "hegui.toml";

/// The least severity that fails a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Errors fail.
    Error,
    /// Warnings and errors fail.
    Warning,
    /// Any finding fails.
    Info,
    /// Nothing fails.
    Never,
}

impl FailOn {
    /// The severity threshold; `None` never fails.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }

    fn parse(text: &str) -> Option<FailOn> {
        Some(match text {
            "error" => FailOn::Error,
            "warning" => FailOn::Warning,
            "info" => FailOn::Info,
            "never" => FailOn::Never,
            _ => return None,
        })
    }
}

/// A `[rules]` entry: a rule's severity changed, or the rule turned off (`None`).
#[derive(Debug, Clone)]
struct SeverityOverride {
    rule: String,
    rule_span: Span,
    severity: Option<Severity>,
}

/// A `[params]` entry: `RULE.name = value`.
#[derive(Debug, Clone)]
struct ParamOverride {
    rule: String,
    rule_span: Span,
    name: String,
    name_span: Span,
    value: Node,
}

/// A loaded `hegui.toml`.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file, as read.
    pub source: Source,
    /// The folder the file is in; relative paths in it are relative to this folder.
    pub dir: PathBuf,
    /// `[check] fail_on`.
    pub fail_on: Option<FailOn>,
    /// `[check] rules`: extra rule folders, resolved against [`Config::dir`].
    pub rule_dirs: Vec<PathBuf>,
    /// `[calendar] files`: extra working-day schedules, resolved against [`Config::dir`].
    pub calendar_files: Vec<PathBuf>,
    /// The repository the file belongs to (the nearest folder above it holding `.git`): the
    /// paths it names must stay inside, and files read from them too.
    pub root: PathBuf,
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
    severities: Vec<SeverityOverride>,
    params: Vec<ParamOverride>,
    /// Problems of the file's own shape, reported by [`Config::apply`] together with the
    /// problems only the rule set reveals, so a user sees all of them at once.
    pending: Vec<Problem>,
    /// The language of the problems.
    lang: Lang,
}

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[diagnostic(code(hegui::config))]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read {path}: {reason}")]
    Unreadable {
        /// The path.
        path: String,
        /// Why.
        reason: Reason,
    },
}

impl ConfigError {
    /// The message in `lang` (the `Display` text is the English one).
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ConfigError::Unreadable { path, reason }, Lang::Zh) => {
                format!("无法读取配置文件 {path}：{}", reason.say(lang))
            }
            (e, Lang::En) => e.to_string(),
        }
    }
}

/// The `hegui.toml` that governs `start`: the nearest one in `start`'s folder or above it, up
/// to the repository root (the nearest folder holding `.git`), which is the last one looked at.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(start).ok()?;
    let mut dir = if absolute.is_dir() {
        Some(absolute.as_path())
    } else {
        absolute.parent()
    };
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

impl Config {
    /// Reads a configuration file and validates its own shape, collecting every problem; the
    /// problems are reported by [`Config::apply`], which checks the rest. Problems in English.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::load_in(path, Lang::En)
    }

    /// [`Config::load`], with the problems in `lang`.
    pub fn load_in(path: &Path, lang: Lang) -> Result<Config, ConfigError> {
        let name = crate::disk::files::display_path(path);
        let unreadable = |reason: Reason| ConfigError::Unreadable {
            path: name.clone(),
            reason,
        };
        let bytes = std::fs::read(path).map_err(|e| unreadable(Reason::of_io(&e)))?;
        let text = String::from_utf8(bytes).map_err(|_| unreadable(Reason::NotUtf8))?;
        let dir = std::path::absolute(path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("."));
        Config::parse_in(SourceFile::new(name, text), dir, lang)
    }

    /// Validates a configuration text; `dir` resolves its relative paths. Problems in English.
    pub fn parse(source: Source, dir: PathBuf) -> Result<Config, ConfigError> {
        Config::parse_in(source, dir, Lang::En)
    }

    /// [`Config::parse`], with the problems in `lang`.
    pub fn parse_in(source: Source, dir: PathBuf, lang: Lang) -> Result<Config, ConfigError> {
        Ok(Config::read_source(source, dir, lang))
    }

    fn read_source(source: Source, dir: PathBuf, lang: Lang) -> Config {
        let problems = Problems::in_lang(lang);
        let root = crate::walk::repo_root(&dir.join(FILE_NAME));
        let mut config = Config {
            source: source.clone(),
            root,
            dir,
            fail_on: None,
            rule_dirs: Vec::new(),
            calendar_files: Vec::new(),
            include: None,
            exclude: None,
            severities: Vec::new(),
            params: Vec::new(),
            pending: Vec::new(),
            lang,
        };
        match tree::parse(&source.text) {
            Ok(doc) => config.read(&doc, &problems),
            Err(e) => problems.push(
                e.span,
                problems.say(
                    format!("{}：{}", crate::reader::NOT_TOML_ZH, e.message),
                    format!("{}: {}", crate::reader::NOT_TOML, e.message),
                ),
            ),
        }
        config.pending = problems.into_vec();
        config
    }

    fn read(&mut self, doc: &Node, problems: &Problems) {
        let root = TableReader::new(doc, FILE_NAME, problems);
        if let Some(check) = root.table("check") {
            let reader = TableReader::new(check, "`[check]`", problems);
            self.include = reader
                .strings("include")
                .and_then(|g| globs(&g, "include", problems));
            self.exclude = reader
                .strings("exclude")
                .and_then(|g| globs(&g, "exclude", problems));
            if let Some((text, span)) = reader.string("fail_on") {
                self.fail_on = FailOn::parse(&text);
                if self.fail_on.is_none() {
                    problems.push_help(
                        span,
                        problems.say(
                            format!("`fail_on` 必须是 `error`、`warning`、`info` 或 `never`，实际为 `{text}`"),
                            format!("`fail_on` must be `error`, `warning`, `info` or `never`, found `{text}`"),
                        ),
                        suggest(&text, ["error", "warning", "info", "never"]).map(|s| did_you_mean(problems, s)),
                    );
                }
            }
            self.rule_dirs = self.paths(reader.strings("rules"), problems);
            reader.finish();
        }
        if let Some(rules) = root.table("rules") {
            for entry in rules.entries() {
                let severity = match &entry.node.value {
                    NodeValue::String(s) => match s.as_str() {
                        "error" => Some(Some(Severity::Error)),
                        "warning" => Some(Some(Severity::Warning)),
                        "info" => Some(Some(Severity::Info)),
                        "off" => Some(None),
                        _ => None,
                    },
                    _ => None,
                };
                let Some(severity) = severity else {
                    problems.push(
                        entry.node.span.clone(),
                        problems.say(
                            format!("`{}` 必须是 `error`、`warning`、`info` 或 `off`", entry.key),
                            format!(
                                "`{}` must be `error`, `warning`, `info` or `off`",
                                entry.key
                            ),
                        ),
                    );
                    continue;
                };
                self.severities.push(SeverityOverride {
                    rule: entry.key.clone(),
                    rule_span: entry.key_span.clone(),
                    severity,
                });
            }
        }
        if let Some(params) = root.table("params") {
            for rule in params.entries() {
                let NodeValue::Table(names) = &rule.node.value else {
                    problems.push_help(
                        rule.node.span.clone(),
                        problems.say(
                            format!("`[params]` 下的 `{}` 必须写明参数名", rule.key),
                            format!("`{}` under `[params]` must name parameters", rule.key),
                        ),
                        Some(problems.say(
                            format!("写作 `{}.<参数> = <值>`", rule.key),
                            format!("write `{}.<parameter> = <value>`", rule.key),
                        )),
                    );
                    continue;
                };
                for name in names {
                    self.params.push(ParamOverride {
                        rule: rule.key.clone(),
                        rule_span: rule.key_span.clone(),
                        name: name.key.clone(),
                        name_span: name.key_span.clone(),
                        value: name.node.clone(),
                    });
                }
            }
        }
        if let Some(calendar) = root.table("calendar") {
            let reader = TableReader::new(calendar, "`[calendar]`", problems);
            self.calendar_files = self.paths(reader.strings("files"), problems);
            reader.finish();
        }
        root.finish();
    }

    /// The paths named, joined to [`Config::dir`]; one that is absolute or resolves outside
    /// the repository (or into its `.git` folder) is a problem and left out. A path that does
    /// not exist is kept: reading it reports that.
    fn paths(&self, values: Option<Vec<(String, Span)>>, problems: &Problems) -> Vec<PathBuf> {
        let mut kept = Vec::new();
        for (p, span) in values.unwrap_or_default() {
            let joined = self.dir.join(&p);
            let refused = if Path::new(&p).is_absolute() {
                Some(crate::confine::Refused::Outside)
            } else {
                match crate::confine::resolve_inside(&joined, &self.root) {
                    Err(
                        e @ (crate::confine::Refused::Outside | crate::confine::Refused::GitFolder),
                    ) => Some(e),
                    _ => None,
                }
            };
            match refused {
                Some(e) => {
                    let shown = crate::escape::shorten(&p);
                    let zh = match e {
                        crate::confine::Refused::GitFolder => {
                            format!("`{shown}` 位于仓库的 .git 文件夹内")
                        }
                        _ => format!("`{shown}` 不在仓库内"),
                    };
                    problems.push_help(
                        span,
                        problems.say(zh, format!("`{shown}` {e}")),
                        Some(problems.say(
                            "请写仓库内的路径（相对于本文件）".to_owned(),
                            "name a path inside the repository, relative to this file".to_owned(),
                        )),
                    )
                }
                None => kept.push(joined),
            }
        }
        kept
    }

    /// Whether a manifest found by walking a folder is linted: it matches an `include` glob
    /// (when any is given) and no `exclude` glob. Paths are matched relative to the
    /// configuration's folder.
    pub fn selects(&self, path: &Path) -> bool {
        let relative = self.relative(path);
        self.include.as_ref().is_none_or(|g| g.is_match(&relative)) && !self.excludes(path)
    }

    /// Whether a manifest is excluded — also when it is named on the command line, so a
    /// pre-commit hook that passes file names honours `exclude`.
    pub fn excludes(&self, path: &Path) -> bool {
        let relative = self.relative(path);
        self.exclude.as_ref().is_some_and(|g| g.is_match(&relative))
    }

    fn relative(&self, path: &Path) -> PathBuf {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        absolute
            .strip_prefix(&self.dir)
            .map_or(absolute.clone(), Path::to_path_buf)
    }

    /// Applies `[rules]` and `[params]` to a loaded rule set. Every problem of the file — its
    /// own shape, unknown rule ids, unknown parameters, values of the wrong type — is returned
    /// at once, each pointing into the file; nothing is changed unless there are none.
    pub fn apply(&self, set: &mut RuleSet) -> Result<(), FileProblems> {
        let problems = Problems::in_lang(self.lang);
        for p in &self.pending {
            problems.push_help(p.span.clone(), p.message.clone(), p.help.clone());
        }
        let unknown_rule = |id: &str, span: &Span| {
            problems.push_help(
                span.clone(),
                problems.say(
                    format!("没有加载规则 `{id}`"),
                    format!("no rule `{id}` is loaded"),
                ),
                Some(
                    match suggest(id, set.known_ids.iter().map(String::as_str)) {
                        Some(s) => problems.say(
                            format!("是否想写 `{s}`？（`hegui rules` 列出所有规则）"),
                            format!("did you mean `{s}`? (`hegui rules` lists them)"),
                        ),
                        None => problems.say(
                            "`hegui rules` 列出生效的规则".to_owned(),
                            "`hegui rules` lists the rules in force".to_owned(),
                        ),
                    },
                ),
            );
        };
        let mut changes: Vec<(usize, usize, Value)> = Vec::new();
        for o in &self.params {
            let Some(rule_index) = set.rules.iter().position(|r| r.id == o.rule) else {
                unknown_rule(&o.rule, &o.rule_span);
                continue;
            };
            let rule = &set.rules[rule_index];
            let Some(param_index) = rule.params.iter().position(|p| p.name == o.name) else {
                let names: Vec<&str> = rule.params.iter().map(|p| p.name.as_str()).collect();
                problems.push_help(
                    o.name_span.clone(),
                    problems.say(
                        format!("规则 {} 没有参数 `{}`", rule.id, o.name),
                        format!("rule {} has no parameter `{}`", rule.id, o.name),
                    ),
                    Some(
                        match (suggest(&o.name, names.iter().copied()), names.is_empty()) {
                            (Some(s), _) => did_you_mean(&problems, s),
                            (None, true) => problems.say(
                                format!("{} 没有参数", rule.id),
                                format!("{} takes no parameters", rule.id),
                            ),
                            (None, false) => problems.say(
                                format!("它的参数：`{}`", names.join("`、`")),
                                format!("its parameters: `{}`", names.join("`, `")),
                            ),
                        },
                    ),
                );
                continue;
            };
            if let Some((shared_rule, shared)) = &rule.params[param_index].same_as {
                problems.push_help(
                    o.name_span.clone(),
                    problems.say(
                        format!(
                            "`{}.{}` 与 `{shared_rule}.{shared}` 是同一个参数",
                            rule.id, o.name
                        ),
                        format!(
                            "`{}.{}` is the same parameter as `{shared_rule}.{shared}`",
                            rule.id, o.name
                        ),
                    ),
                    Some(problems.say(
                        format!("请设置 `{shared_rule}.{shared}`：两条规则共用它"),
                        format!("set `{shared_rule}.{shared}`: both rules use it"),
                    )),
                );
                continue;
            }
            let default = &rule.params[param_index].value;
            match overridden(default, &o.value, &problems) {
                Some(value) => changes.push((rule_index, param_index, value)),
                None => continue,
            }
        }
        let mut severities = Vec::new();
        for o in &self.severities {
            if set.known_ids.contains(&o.rule) {
                severities.push(o);
            } else {
                unknown_rule(&o.rule, &o.rule_span);
            }
        }
        if !problems.is_empty() {
            let mut problems = problems.into_vec();
            problems.sort_by_key(|p| (p.span.start, p.span.end));
            return Err(FileProblems {
                source: self.source.clone(),
                problems,
            });
        }
        for (rule, param, value) in changes {
            set.rules[rule].params[param].value = value;
        }
        // Shared parameters follow the one they name (never broken here: loading checked).
        let _ = set.link_shared_params();
        for o in severities {
            match o.severity {
                Some(severity) => {
                    if let Some(rule) = set.rules.iter_mut().find(|r| r.id == o.rule) {
                        // A team's fixed choice wins over the rule's own conditional levels.
                        rule.severity = severity;
                        rule.severity_if.clear();
                    }
                }
                None => set.retain(|r| r.id != o.rule),
            }
        }
        Ok(())
    }
}

fn globs(patterns: &[(String, Span)], key: &str, problems: &Problems) -> Option<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for (pattern, span) in patterns {
        match Glob::new(pattern) {
            Ok(glob) => {
                builder.add(glob);
            }
            Err(e) => problems.push(
                span.clone(),
                problems.say(
                    format!("`{key}`：无效的 glob 模式（{}）", glob_reason_zh(e.kind())),
                    format!("`{key}`: invalid glob: {}", e.kind()),
                ),
            ),
        }
    }
    builder.build().ok()
}

/// The value a parameter takes when `node` overrides `default`: the same type (an integer
/// is accepted for a float); a table overrides the keys it names and keeps the others.
fn overridden(default: &Value, node: &Node, problems: &Problems) -> Option<Value> {
    let value = crate::cel::convert::to_cel(node);
    let zh = problems.lang() == Lang::Zh;
    let kind = |v: &Value| {
        let (en, zh_name) = match v {
            Value::Int(_) => ("an integer", "整数"),
            Value::UInt(_) => ("an unsigned integer", "无符号整数"),
            Value::Float(_) => ("a float", "浮点数"),
            Value::String(_) => ("a string", "字符串"),
            Value::Bool(_) => ("a boolean", "布尔值"),
            Value::List(_) => ("an array", "数组"),
            Value::Map(_) => ("a table", "表"),
            _ => ("a date or time", "日期或时间"),
        };
        if zh { zh_name } else { en }
    };
    let mismatch = |default: &Value, value: &Value| {
        problems.push(
            node.span.clone(),
            problems.say(
                format!(
                    "必须与规则的默认值一样是{}，实际为{}",
                    kind(default),
                    kind(value)
                ),
                format!(
                    "must be {}, like the rule's default, found {}",
                    kind(default),
                    kind(value)
                ),
            ),
        );
        None
    };
    match (default, &value) {
        (Value::Float(_), Value::Int(i)) => Some(Value::Float(*i as f64)),
        (Value::List(items), Value::List(new)) => {
            let same = match items.first() {
                Some(first) => new.iter().all(|n| kind(n) == kind(first)),
                None => true,
            };
            if same {
                Some(value)
            } else {
                let first = items.first().map_or("", kind);
                problems.push(
                    node.span.clone(),
                    problems.say(
                        format!("每一项都必须与默认值一样是{first}"),
                        format!("every item must be {first}, like the default"),
                    ),
                );
                None
            }
        }
        (Value::Map(defaults), Value::Map(_)) => {
            let mut merged: HashMap<Key, Value> = (*defaults.map).clone();
            let mut ok = true;
            for entry in node.entries() {
                let key = Key::String(Arc::new(entry.key.clone()));
                let Some(old) = defaults.map.get(&key) else {
                    let known: Vec<&str> = node_keys(defaults);
                    problems.push_help(
                        entry.key_span.clone(),
                        problems.say(
                            format!("该参数没有键 `{}`", entry.key),
                            format!("unknown key `{}` in this parameter", entry.key),
                        ),
                        Some(match suggest(&entry.key, known.iter().copied()) {
                            Some(s) => did_you_mean(problems, s),
                            None => problems.say(
                                format!("它的键：`{}`", known.join("`、`")),
                                format!("its keys: `{}`", known.join("`, `")),
                            ),
                        }),
                    );
                    ok = false;
                    continue;
                };
                match overridden(old, &entry.node, problems) {
                    Some(v) => {
                        merged.insert(key, v);
                    }
                    None => ok = false,
                }
            }
            ok.then(|| {
                Value::Map(Map {
                    map: Arc::new(merged),
                })
            })
        }
        (Value::List(_) | Value::Map(_), _) | (_, Value::List(_) | Value::Map(_)) => {
            mismatch(default, &value)
        }
        (a, b) if std::mem::discriminant(a) == std::mem::discriminant(b) => Some(value),
        _ => mismatch(default, &value),
    }
}

/// The user-visible keys of a parameter table (not the engine's `_path`/`_order`).
fn node_keys(map: &Map) -> Vec<&str> {
    let mut keys: Vec<&str> = map
        .map
        .keys()
        .filter_map(|k| match k {
            Key::String(s) if !s.starts_with('_') => Some(s.as_str()),
            _ => None,
        })
        .collect();
    keys.sort_unstable();
    keys
}

/// A glob syntax error in Chinese.
fn glob_reason_zh(kind: &globset::ErrorKind) -> &'static str {
    use globset::ErrorKind as K;
    match kind {
        K::InvalidRecursive => "`**` 只能单独作为路径的一段",
        K::UnclosedClass => "字符类 `[` 没有闭合",
        K::InvalidRange(..) => "字符范围无效",
        K::UnopenedAlternates => "`}` 前没有 `{`",
        K::UnclosedAlternates => "`{` 没有闭合",
        K::NestedAlternates => "`{…}` 不能嵌套",
        K::DanglingEscape => "末尾的 `\\` 没有转义任何字符",
        _ => "语法错误",
    }
}
