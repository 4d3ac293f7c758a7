//! The `hegui` command: parses arguments, renders, sets the exit status. All checking is in
//! the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use hegui::render::{github, human, json, junit, sarif};
use hegui::{Engine, Lang, Options, RuleSet, Severity};
use miette::{IntoDiagnostic, Result, WrapErr, miette};

#[derive(Parser)]
#[command(
    name = "hegui",
    version,
    about = "合规 — compliance linter for WeChat wind-down and card-coupon withdrawal plans"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint manifests (files and folders; default `.`).
    Check(CheckArgs),
    /// List every rule: id, severity, title, basis.
    Rules {
        #[command(flatten)]
        rules: RuleArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Explain a rule: what it checks and why, its basis, parameters and examples.
    Explain {
        /// Rule id, e.g. NTC001.
        id: String,
        #[command(flatten)]
        rules: RuleArgs,
    },
}

#[derive(clap::Args, Clone)]
struct RuleArgs {
    /// Add a folder (or file) of rule files; repeatable.
    #[arg(long = "rules", value_name = "DIR")]
    rule_dirs: Vec<PathBuf>,
    /// Use only the rule files given with --rules (the law table and calendar stay).
    #[arg(long)]
    no_builtin: bool,
    /// Message language (default from LANG, else zh).
    #[arg(long, value_enum)]
    lang: Option<LangArg>,
}

/// What `check` and `report` share: which files, which rules, which date, when to fail.
#[derive(clap::Args)]
struct LintArgs {
    /// Files and folders to lint.
    paths: Vec<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    /// The least severity that makes the exit status 1 (default `error`).
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Only these rules (ids or prefixes, e.g. CPN, DAT00); repeatable or comma-separated.
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Not these rules (ids or prefixes); repeatable or comma-separated.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// The date waivers are judged against (default: today in China Standard Time).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<chrono::NaiveDate>,
}

#[derive(clap::Args)]
struct CheckArgs {
    #[command(flatten)]
    lint: LintArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the output to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// JUnit XML: one test case per file and rule.
    Junit,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

fn lang(arg: Option<LangArg>) -> Lang {
    match arg {
        Some(LangArg::Zh) => Lang::Zh,
        Some(LangArg::En) => Lang::En,
        None => match std::env::var("LANG") {
            Ok(l) if l.starts_with("en") => Lang::En,
            _ => Lang::Zh,
        },
    }
}

fn today_in_china() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// Loads the rule set; rule-file problems are printed (pointing into the files) and exit 2.
fn load_rules(args: &RuleArgs) -> std::result::Result<RuleSet, ExitCode> {
    let mut sources: Vec<_> = hegui::builtin_sources()
        .into_iter()
        .filter(|s| {
            !args.no_builtin || s.name.ends_with("/law.toml") || s.name.contains("/calendar/")
        })
        .collect();
    for dir in &args.rule_dirs {
        match hegui::read_rule_dir(dir) {
            Ok(more) => sources.extend(more),
            Err(e) => {
                eprintln!("error: {e}");
                return Err(ExitCode::from(2));
            }
        }
    }
    RuleSet::load(sources).map_err(|failures| {
        let style = human::Style {
            color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            width: 100,
        };
        eprint!("{}", human::render_rule_problems(&failures, style));
        let count: usize = failures.iter().map(|f| f.problems.len()).sum();
        eprintln!("error: {count} problem(s) in rule files; nothing was checked");
        ExitCode::from(2)
    })
}

fn matches_any(id: &str, patterns: &[String]) -> bool {
    patterns.iter().any(|p| id.starts_with(p.trim()))
}

/// A finished lint run, ready to render.
struct Linted {
    engine: Engine,
    run: hegui::Run,
    lang: Lang,
    /// The least severity that fails the run; `None` never fails.
    threshold: Option<Severity>,
}

impl Linted {
    /// The exit status: 1 when an active finding reaches the threshold.
    fn exit_code(&self) -> ExitCode {
        let failing = self.threshold.is_some_and(|t| {
            self.run
                .findings
                .iter()
                .any(|f| f.waived.is_none() && f.severity >= t)
        });
        ExitCode::from(u8::from(failing))
    }
}

/// Loads rules and checks the paths; `Err` carries exit status 2 after printing why.
fn lint(args: LintArgs) -> std::result::Result<Linted, ExitCode> {
    let lang = lang(args.rules.lang);
    let mut set = load_rules(&args.rules)?;
    set.retain(|r| {
        (args.select.is_empty() || matches_any(&r.id, &args.select))
            && !matches_any(&r.id, &args.ignore)
    });
    let options = Options {
        lang,
        today: args.today.unwrap_or_else(today_in_china),
    };
    let engine = match Engine::new(set, options) {
        Ok(e) => e,
        Err(errors) => {
            for e in errors {
                eprintln!("error: rule {}: {}", e.rule, e.message);
            }
            return Err(ExitCode::from(2));
        }
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let run = hegui::check_paths(&engine, &paths);
    let threshold = match args.fail_on.unwrap_or(FailOn::Error) {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    Ok(Linted {
        engine,
        run,
        lang,
        threshold,
    })
}

/// Writes `text` to `output`, or to standard output.
fn emit(output: Option<&PathBuf>, text: &str) -> Result<()> {
    match output {
        Some(path) => std::fs::write(path, text)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot write {}", path.display())),
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .into_diagnostic(),
    }
}

fn check(args: CheckArgs) -> Result<ExitCode> {
    let linted = match lint(args.lint) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let Linted {
        engine, run, lang, ..
    } = &linted;
    let color = args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let text = match args.format {
        Format::Human => human::render(
            &run.findings,
            run.files,
            *lang,
            human::Style { color, width: 100 },
        ),
        Format::Json => json::render(&run.findings, run.files),
        Format::Sarif => sarif::render(&run.findings, engine.rules(), *lang),
        Format::Github => github::render(&run.findings, run.files, *lang),
        Format::Junit => junit::render(&run.findings, &run.checked, engine.rules(), *lang),
    };
    emit(args.output.as_ref(), &text)?;
    Ok(linted.exit_code())
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Rules { rules, format } => list_rules(&rules, format),
        Command::Explain { id, rules } => explain(&id, &rules),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e:?}");
            ExitCode::from(2)
        }
    }
}

fn list_rules(args: &RuleArgs, format: ListFormat) -> Result<ExitCode> {
    let lang = lang(args.lang);
    let set = match load_rules(args) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let engine = Engine::new(
        set,
        Options {
            lang,
            today: today_in_china(),
        },
    )
    .map_err(|_| miette!("rule patterns are invalid"))?;
    let rules = &engine.rules().rules;
    let text = match format {
        ListFormat::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| serde_json::json!({ "id": r.id, "severity": r.severity.as_str(), "title": r.title.get(lang), "basis": engine.cite(r) }))
                .collect();
            serde_json::to_string_pretty(&list).into_diagnostic()? + "\n"
        }
        ListFormat::Text => rules
            .iter()
            .map(|r| {
                format!(
                    "{:<7} {:<8} {}  [{}]\n",
                    r.id,
                    r.severity.as_str(),
                    r.title.get(lang),
                    engine.cite(r)
                )
            })
            .collect(),
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

fn explain(id: &str, args: &RuleArgs) -> Result<ExitCode> {
    let lang = lang(args.lang);
    let set = match load_rules(args) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let Some(text) = hegui::explain::explain(&set, id, lang) else {
        eprintln!("error: no rule `{id}`");
        return Ok(ExitCode::from(2));
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}
