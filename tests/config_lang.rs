//! `hegui.toml` and baseline errors speak the run's language: Chinese by default, English with
//! `--lang en`, never a mix (src/load/config.rs, src/eval/baseline.rs).

use assert_cmd::Command;
use hegui::Lang;
use hegui::baseline::{Baseline, BaselineError, Note};
use hegui::config::Config;
use hegui::{RuleSet, SourceFile};

/// Every kind of problem `hegui.toml` can have, one per line.
const BROKEN: &str = r#"[check]
fail_on = "warnnig"
rules = "/etc"
include = ["a[b"]
bogus = 1
[rules]
NTC07 = "warning"
ACC001 = "loud"
[params]
NTC001.min_dayz = 45
NTC002.min_days = 3
ACC001.cooling_days = { subscription = "x", servce = 3 }
ACC002 = 3
FIN003.workdays = [1]
TXT001.patterns = [1]
[calendar]
files = 3
"#;

/// English words left in a Chinese message once code (`…`), rule ids, file names and the
/// names of formats are taken out.
fn english_words(message: &str) -> Vec<String> {
    let mut text = String::new();
    let mut in_code = false;
    for c in message.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code {
            text.push(c);
        }
    }
    let allowed = ["TOML", "JSON", "UTF", "glob", "hegui", "toml", "json"];
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3 && !allowed.contains(w))
        .filter(|w| !(w.len() == 3 && w.chars().all(|c| c.is_ascii_uppercase())))
        .map(str::to_owned)
        .collect()
}

fn problems(lang: Lang) -> Vec<(String, Option<String>)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let config = Config::parse_in(
        SourceFile::new("hegui.toml", BROKEN),
        dir.path().to_path_buf(),
        lang,
    )
    .unwrap();
    let mut set = RuleSet::load(hegui::builtin_sources()).unwrap();
    let failure = config.apply(&mut set).unwrap_err();
    failure
        .problems
        .into_iter()
        .map(|p| (p.message, p.help))
        .collect()
}

#[test]
fn every_problem_of_a_configuration_is_in_chinese_by_default_and_english_on_request() {
    let zh = problems(Lang::Zh);
    let en = problems(Lang::En);
    assert_eq!(zh.len(), en.len(), "{zh:?}\n{en:?}");
    assert!(zh.len() >= 12, "{zh:?}");
    for (message, help) in &zh {
        let words = english_words(message);
        assert!(words.is_empty(), "English in {message:?}: {words:?}");
        if let Some(help) = help {
            let words = english_words(help);
            assert!(words.is_empty(), "English in {help:?}: {words:?}");
        }
    }
    let zh_text = format!("{zh:?}");
    for expected in [
        "`fail_on` 必须是",
        "是否想写 `warning`？",
        "`/etc` 不在仓库内",
        "无效的 glob 模式",
        "`[check]` 中没有键 `bogus`",
        "没有加载规则 `NTC07`",
        "规则 NTC001 没有参数 `min_dayz`",
        "与 `NTC001.min_days` 是同一个参数",
        "实际为字符串",
        "该参数没有键 `servce`",
        "必须写明参数名",
        "每一项都必须",
        "必须是字符串或字符串数组，实际为整数",
    ] {
        assert!(zh_text.contains(expected), "{expected}: {zh_text}");
    }
    let en_text = format!("{en:?}");
    for expected in [
        "`fail_on` must be",
        "did you mean `warning`?",
        "unknown key `bogus` in `[check]`",
        "no rule `NTC07` is loaded",
        "rule NTC001 has no parameter `min_dayz`",
        "must be an integer, like the rule's default, found a string",
    ] {
        assert!(en_text.contains(expected), "{expected}: {en_text}");
    }
    // English stays English.
    assert!(
        en.iter()
            .all(|(m, _)| !m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
    );
}

#[test]
fn a_configuration_that_is_not_toml_says_so_in_either_language() {
    let zh = Config::parse_in(
        SourceFile::new("hegui.toml", "[check\n"),
        ".".into(),
        Lang::Zh,
    )
    .unwrap();
    let mut set = RuleSet::load(hegui::builtin_sources()).unwrap();
    let failure = zh.apply(&mut set).unwrap_err();
    assert!(
        failure.problems[0].message.starts_with("不是有效的 TOML："),
        "{:?}",
        failure.problems
    );
    // Not quoted when shown (it may be any file): only its name, line and column.
    let shown = hegui::render::human::render_file_problems(
        &[failure],
        "config",
        hegui::render::human::Style::plain(),
    );
    assert!(!shown.contains("[check\n"), "{shown}");
}

#[test]
fn baseline_errors_in_both_languages() {
    let invalid = Baseline::parse("{\"findings\": 3}").unwrap_err();
    assert_eq!(
        invalid.message(Lang::Zh),
        "不是 hegui 基线文件：内容不符合基线格式（第 1 行第 14 列）"
    );
    assert!(
        invalid
            .message(Lang::En)
            .starts_with("not a hegui baseline: invalid type")
    );
    let syntax = Baseline::parse("{").unwrap_err();
    assert!(
        syntax.message(Lang::Zh).contains("文件不完整"),
        "{}",
        syntax.message(Lang::Zh)
    );
    let version = Baseline::parse("{\"version\": 2, \"findings\": []}").unwrap_err();
    assert_eq!(
        version.message(Lang::Zh),
        "不支持基线格式版本 2（此版本的 hegui 读取版本 1）"
    );
    assert_eq!(
        version.message(Lang::En),
        "baseline format version 2 is not supported (this build reads version 1)"
    );
    let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
    let unreadable = BaselineError::unreadable(&missing);
    assert_eq!(unreadable.message(Lang::Zh), "无法读取基线文件：文件不存在");
    assert_eq!(
        unreadable.message(Lang::En),
        "cannot read the baseline: no such file"
    );
    for note in [
        Note::Recorded(3, "b.json"),
        Note::Hidden(2),
        Note::CannotWrite("b.json", &missing),
        Note::CannotUse("b.json", &version),
    ] {
        let zh = note.message(Lang::Zh);
        assert!(english_words(&zh).is_empty(), "{zh}");
        let en = note.message(Lang::En);
        assert!(
            !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{en}"
        );
    }
}

fn hegui(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::cargo_bin("hegui")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("LANG")
        .args(["check", "--today", "2026-11-22"])
        .args(args)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn the_cli_says_it_in_chinese_by_default_and_in_english_with_lang_en() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::copy(
        "fixtures/ACC001/pass.plan.toml",
        dir.path().join("a.plan.toml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("hegui.toml"),
        "[check]\nfail_on = \"warnnig\"\n",
    )
    .unwrap();
    let (code, err) = hegui(dir.path(), &["a.plan.toml"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("错误：hegui.toml 中有 1 个问题；未检查任何文件"),
        "{err}"
    );
    assert!(err.contains("是否想写 `warning`？"), "{err}");
    let (code, err) = hegui(dir.path(), &["a.plan.toml", "--lang", "en"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("error: 1 problem(s) in hegui.toml; nothing was checked"),
        "{err}"
    );

    std::fs::remove_file(dir.path().join("hegui.toml")).unwrap();
    std::fs::write(dir.path().join("bad.json"), "{\"findings\": 3}").unwrap();
    let (code, err) = hegui(dir.path(), &["a.plan.toml", "--baseline", "bad.json"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("错误：基线 bad.json：不是 hegui 基线文件"),
        "{err}"
    );
    let (_, err) = hegui(dir.path(), &["a.plan.toml", "--baseline", "nope.json"]);
    assert!(err.contains("无法读取基线文件：文件不存在"), "{err}");
    let (_, err) = hegui(
        dir.path(),
        &["a.plan.toml", "--baseline", "nope.json", "--lang", "en"],
    );
    assert!(
        err.contains("error: baseline nope.json: cannot read the baseline: no such file"),
        "{err}"
    );
    let (code, err) = hegui(dir.path(), &["a.plan.toml", "--write-baseline", "b.json"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("已在 b.json 中记录 0 条诊断"), "{err}");
    let (_, err) = hegui(dir.path(), &["a.plan.toml", "--config", "missing.toml"]);
    assert!(
        err.contains("错误：无法读取配置文件 missing.toml：文件不存在"),
        "{err}"
    );
    // Every reason has its own words, the same as for any file hegui reads.
    std::fs::create_dir(dir.path().join("conf.d")).unwrap();
    let (code, err) = hegui(dir.path(), &["a.plan.toml", "--config", "conf.d"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("错误：无法读取配置文件 conf.d：是文件夹，不是文件"),
        "{err}"
    );
    let (_, err) = hegui(dir.path(), &["a.plan.toml", "--baseline", "conf.d"]);
    assert!(
        err.contains("无法读取基线文件：是文件夹，不是文件"),
        "{err}"
    );
}
