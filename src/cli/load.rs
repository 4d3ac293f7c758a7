//! Loading the rules and `hegui.toml` a command runs with; problems are printed and exit 2.

use std::path::PathBuf;
use std::process::ExitCode;

use hegui::config::Config;
use hegui::render::human;
use hegui::rules::FileProblems;
use hegui::{Engine, Lang, Options, RuleSet};

use super::*;

/// Loads the rule set; rule-file problems are printed (pointing into the files) and exit 2.
pub(super) fn load_rules(args: &RuleArgs) -> std::result::Result<RuleSet, ExitCode> {
    load_rules_with(args, &[], None)
}

/// Loads the rule set with extra rule folders (`extra`, named on the command line) and the rule
/// folders and calendar files of `hegui.toml`, which must stay inside its repository.
pub(super) fn load_rules_with(
    args: &RuleArgs,
    extra: &[PathBuf],
    config: Option<&Config>,
) -> std::result::Result<RuleSet, ExitCode> {
    let dirs: Vec<PathBuf> = args.rule_dirs.iter().chain(extra).cloned().collect();
    let sources = hegui::configured_sources(args.no_builtin, &dirs, config).map_err(|e| {
        print_load_error(&e, lang(args.lang));
        ExitCode::from(2)
    })?;
    RuleSet::load_in(sources, lang(args.lang)).map_err(|failures| {
        eprint!("{}", human::render_rule_problems(&failures, stderr_style()));
        let count: usize = failures.iter().map(|f| f.problems.len()).sum();
        eprintln!("error: {count} problem(s) in rule files; nothing was checked");
        ExitCode::from(2)
    })
}

/// A rule folder that cannot be read, on stderr in the run's language.
pub(super) fn print_load_error(e: &hegui::LoadError, lang: Lang) {
    match lang {
        Lang::Zh => eprintln!("错误：{}", e.say(lang)),
        Lang::En => eprintln!("error: {}", e.say(lang)),
    }
}

/// The configuration in force: `--config`, else the nearest `hegui.toml`. Problems are printed
/// (pointing into the file) and exit 2.
pub(super) fn load_config(args: &LintArgs) -> std::result::Result<Option<Config>, ExitCode> {
    let path = match &args.config {
        Some(path) => path.clone(),
        None => {
            let start = args
                .paths
                .first()
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            match hegui::config::discover(&start) {
                Some(path) => path,
                None => return Ok(None),
            }
        }
    };
    let lang = lang(args.rules.lang);
    Config::load_in(&path, lang).map(Some).map_err(|e| {
        match lang {
            Lang::Zh => eprintln!("错误：{}", e.message(lang)),
            Lang::En => eprintln!("error: {}", e.message(lang)),
        }
        ExitCode::from(2)
    })
}

pub(super) fn config_problems(problems: &FileProblems, lang: Lang) {
    eprint!(
        "{}",
        human::render_file_problems(std::slice::from_ref(problems), "config", stderr_style())
    );
    let (n, name) = (problems.problems.len(), &problems.source.name);
    match lang {
        Lang::Zh => eprintln!("错误：{name} 中有 {n} 个问题；未检查任何文件"),
        Lang::En => eprintln!("error: {n} problem(s) in {name}; nothing was checked"),
    }
}

pub(super) fn matches_any(id: &str, patterns: &[String]) -> bool {
    patterns.iter().any(|p| id.starts_with(p.trim()))
}

/// The rule set with the configuration in force applied (extra folders, calendars,
/// severities, parameters), and the configuration.
pub(super) fn configured_rules(
    args: &LintArgs,
) -> std::result::Result<(RuleSet, Option<Config>), ExitCode> {
    let config = load_config(args)?;
    let mut set = load_rules_with(&args.rules, &[], config.as_ref())?;
    if let Some(config) = &config {
        config.apply(&mut set).map_err(|problems| {
            config_problems(&problems, lang(args.rules.lang));
            ExitCode::from(2)
        })?;
    }
    Ok((set, config))
}

/// The engine and configuration a lint run uses; `Err` carries exit status 2 after printing why.
pub(super) fn prepare(args: &LintArgs) -> std::result::Result<(Engine, Option<Config>), ExitCode> {
    let lang = lang(args.rules.lang);
    let (mut set, config) = configured_rules(args)?;
    set.retain(|r| {
        (args.select.is_empty() || matches_any(&r.id, &args.select))
            && !matches_any(&r.id, &args.ignore)
    });
    let options = Options {
        lang,
        today: args.today.unwrap_or_else(today_in_china),
    };
    let engine = build_engine(set, options)?;
    Ok((engine, config))
}

/// Compiles the rule set's patterns; problems are printed and exit 2.
pub(super) fn build_engine(
    set: RuleSet,
    options: Options,
) -> std::result::Result<Engine, ExitCode> {
    Engine::new(set, options).map_err(|errors| {
        for e in errors {
            eprintln!("error: rule {}: {}", e.rule, e.message);
        }
        ExitCode::from(2)
    })
}
