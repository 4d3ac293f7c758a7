//! The `hegui` command: parses arguments, renders, sets the exit status. All checking is in
//! the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use hegui::baseline::{Baseline, BaselineError, Note};
use hegui::config::Config;
use hegui::render::{github, human, json, junit, sarif};
use hegui::rules::FileProblems;
use hegui::{Engine, Lang, Options, RuleSet, Severity};
use miette::{IntoDiagnostic, Result, WrapErr, miette};

mod schedule_cmd;

/// A run allocates and frees millions of small values (trees, CEL values, findings); mimalloc
/// does that in about a third of the instructions glibc's allocator takes (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Run a rule pack's fixtures: every `*.plan.toml` below DIR must fire exactly where its
    /// `# expect: ID` markers say. Rule files in DIR are added to the rules in force.
    TestRules {
        /// The pack's folder: rule files (`*.toml`) and fixture manifests (`*.plan.toml`).
        dir: PathBuf,
        #[command(flatten)]
        rules: RuleArgs,
        /// Test only these rules (ids or prefixes); default: the rules defined in DIR, or all
        /// rules in force when DIR defines none.
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
        /// The date waivers are judged against (default: today in China Standard Time).
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<chrono::NaiveDate>,
        /// Skip fixtures matching this glob (relative to DIR, e.g. `malformed/**`); repeatable.
        #[arg(long, value_name = "GLOB")]
        exclude: Vec<String>,
    },
    /// Write a commented starter manifest that passes `hegui check`.
    Init {
        /// Where to write it (`-` for standard output).
        #[arg(default_value = "plan.plan.toml")]
        file: PathBuf,
        /// Overwrite the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Print the JSON Schema of the manifest (for editors: taplo, Even Better TOML), or with
    /// `--format markdown` the manifest reference (`docs/manifest.md`).
    Schema {
        #[command(flatten)]
        rules: RuleArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = SchemaFormat::Json)]
        format: SchemaFormat,
    },
    /// Write a report for reviewers: `-o report.html` (self-contained) or `-o report.md`.
    Report(ReportArgs),
    /// Every date's compliant window, a proposed schedule and its critical path; `--write`
    /// moves only the dates outside their window.
    Schedule(schedule_cmd::ScheduleArgs),
    /// Language server over stdio: diagnostics, hover, code actions, completion
    /// (docs/editors.md sets it up in VS Code, Neovim and Helix).
    Lsp {
        #[command(flatten)]
        rules: RuleArgs,
        /// The date waivers are judged against (default: today in China Standard Time).
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<chrono::NaiveDate>,
        /// How long a changed buffer waits for more changes before it is checked.
        #[arg(long, value_name = "MS", default_value_t = 50)]
        debounce_ms: u64,
    },
    /// Apply the findings' fixes, keeping comments and layout: safe fixes (a misspelt value
    /// or key, a date written as a string); `--unsafe-fixes` adds those that change what the
    /// plan commits to (moved dates, changed numbers, added keys). Re-checks and applies again
    /// until nothing fixable remains (at most 10 rounds), prints what changed per file, and
    /// exits like `check` on the findings that remain. Dates before `--today` are never moved,
    /// nor moved to. A file that does not parse is not changed.
    Fix(FixArgs),
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
    /// Message language (default from LANG, else zh); `hegui report` also takes `both`.
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
    /// The configuration file (default: the nearest `hegui.toml` from the first path up to
    /// the repository root).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Report only findings the baseline file does not record.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
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
    /// Record the current findings in this baseline file (they count as baselined from now on).
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
}

#[derive(clap::Args)]
struct FixArgs {
    #[command(flatten)]
    lint: LintArgs,
    /// Also apply unsafe fixes: those that move dates, change numbers or add keys.
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print a unified diff of the changes and write nothing.
    #[arg(long)]
    diff: bool,
}

#[derive(clap::Args)]
struct ReportArgs {
    #[command(flatten)]
    lint: LintArgs,
    /// The report file: `.html` or `.md` (the extension chooses the format).
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,
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
    /// The rule catalogue in Chinese and English (`docs/rules.md`).
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemaFormat {
    /// JSON Schema (draft 07).
    Json,
    /// The manifest reference in Chinese and English (`docs/manifest.md`).
    Markdown,
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
    /// Chinese and English side by side (`report` only, so not listed for the other commands).
    #[value(hide = true)]
    Both,
}

fn lang(arg: Option<LangArg>) -> Lang {
    match arg {
        // `both` is for reports, whose primary language is Chinese; `main` refuses it elsewhere.
        Some(LangArg::Zh | LangArg::Both) => Lang::Zh,
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
    load_rules_with(args, &[], None)
}

/// Loads the rule set with extra rule folders (`extra`, named on the command line) and the rule
/// folders and calendar files of `hegui.toml`, which must stay inside its repository.
fn load_rules_with(
    args: &RuleArgs,
    extra: &[PathBuf],
    config: Option<&Config>,
) -> std::result::Result<RuleSet, ExitCode> {
    let mut sources: Vec<_> = hegui::builtin_sources()
        .into_iter()
        .filter(|s| {
            !args.no_builtin || s.name.ends_with("/law.toml") || s.name.contains("/calendar/")
        })
        .collect();
    let confined = config.iter().flat_map(|c| {
        c.rule_dirs
            .iter()
            .chain(&c.calendar_files)
            .map(|d| (d, Some(&c.root)))
    });
    let given = args.rule_dirs.iter().chain(extra).map(|d| (d, None));
    for (dir, root) in given.chain(confined) {
        let read = match root {
            Some(root) => hegui::read_rule_dir_inside(dir, root),
            None => hegui::read_rule_dir(dir),
        };
        match read {
            Ok(more) => sources.extend(more),
            Err(e) => {
                print_load_error(&e, lang(args.lang));
                return Err(ExitCode::from(2));
            }
        }
    }
    RuleSet::load_in(sources, lang(args.lang)).map_err(|failures| {
        eprint!("{}", human::render_rule_problems(&failures, stderr_style()));
        let count: usize = failures.iter().map(|f| f.problems.len()).sum();
        eprintln!("error: {count} problem(s) in rule files; nothing was checked");
        ExitCode::from(2)
    })
}

/// A rule folder that cannot be read, on stderr in the run's language.
fn print_load_error(e: &hegui::LoadError, lang: Lang) {
    match lang {
        Lang::Zh => eprintln!("错误：{}", e.say(lang)),
        Lang::En => eprintln!("error: {}", e.say(lang)),
    }
}

fn stderr_style() -> human::Style {
    human::Style {
        color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        width: 100,
    }
}

/// The configuration in force: `--config`, else the nearest `hegui.toml`. Problems are printed
/// (pointing into the file) and exit 2.
fn load_config(args: &LintArgs) -> std::result::Result<Option<Config>, ExitCode> {
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

fn config_problems(problems: &FileProblems, lang: Lang) {
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

/// The rule set with the configuration in force applied (extra folders, calendars,
/// severities, parameters), and the configuration.
fn configured_rules(args: &LintArgs) -> std::result::Result<(RuleSet, Option<Config>), ExitCode> {
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
fn prepare(args: &LintArgs) -> std::result::Result<(Engine, Option<Config>), ExitCode> {
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

/// Loads rules and checks the paths; `Err` carries exit status 2 after printing why.
fn lint(
    args: LintArgs,
    write_baseline: Option<&Path>,
    trace: bool,
) -> std::result::Result<Linted, ExitCode> {
    let lang = lang(args.rules.lang);
    let (engine, config) = prepare(&args)?;
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    // A report needs each file's bytes and the rules that decided something: traced once here.
    let mut run = if trace {
        hegui::check_traced(&engine, &paths, config.as_ref())
    } else {
        hegui::check_configured(&engine, &paths, config.as_ref())
    };
    // A gate pointed at the wrong folder must not pass by checking nothing.
    if run.files == 0
        && let Some(dir) = paths.iter().find(|p| p.is_dir())
    {
        let shown = dir.display();
        let looks_like_a_manifest = dir.to_string_lossy().ends_with(".plan.toml");
        match (lang, looks_like_a_manifest) {
            (Lang::Zh, true) => eprintln!(
                "错误：{shown} 是文件夹，不是计划清单；请指定其中的 `*.plan.toml` 文件或其所在文件夹"
            ),
            (Lang::Zh, false) => eprintln!(
                "错误：{shown} 中没有找到计划清单（`*.plan.toml`），未检查任何文件；请确认路径，或用 `hegui init` 创建清单"
            ),
            (Lang::En, true) => eprintln!(
                "error: {shown} is a folder, not a plan manifest; name the `*.plan.toml` files in it, or their folder"
            ),
            (Lang::En, false) => eprintln!(
                "error: no plan manifest (`*.plan.toml`) found in {shown}, so nothing was checked; check the path, or create one with `hegui init`"
            ),
        }
        return Err(ExitCode::from(2));
    }
    let baseline = match (write_baseline, &args.baseline) {
        (Some(path), _) => {
            let baseline = Baseline::of(&run.findings);
            let shown = path.display().to_string();
            if let Err(e) = std::fs::write(path, baseline.to_json()) {
                eprintln!("{}", Note::CannotWrite(&shown, &e).message(lang));
                return Err(ExitCode::from(2));
            }
            let recorded = Note::Recorded(baseline.findings.len(), &shown);
            eprintln!("{}", recorded.message(lang));
            Some(baseline)
        }
        (None, Some(path)) => {
            let read = std::fs::read_to_string(path)
                .map_err(|e| BaselineError::unreadable(&e))
                .and_then(|text| Baseline::parse(&text));
            match read {
                Ok(b) => Some(b),
                Err(e) => {
                    let shown = path.display().to_string();
                    eprintln!("{}", Note::CannotUse(&shown, &e).message(lang));
                    return Err(ExitCode::from(2));
                }
            }
        }
        (None, None) => None,
    };
    run.baselined = baseline.map_or_else(Vec::new, |b| b.filter(&mut run.findings));
    if !run.baselined.is_empty() {
        eprintln!("{}", Note::Hidden(run.baselined.len()).message(lang));
    }
    Ok(Linted {
        engine,
        run,
        lang,
        threshold: threshold(args.fail_on, config.as_ref()),
    })
}

/// The least severity that fails a run: `--fail-on`, else the configuration's, else `error`.
fn threshold(fail_on: Option<FailOn>, config: Option<&Config>) -> Option<Severity> {
    let fail_on = match fail_on {
        Some(FailOn::Error) => hegui::config::FailOn::Error,
        Some(FailOn::Warning) => hegui::config::FailOn::Warning,
        Some(FailOn::Info) => hegui::config::FailOn::Info,
        Some(FailOn::Never) => hegui::config::FailOn::Never,
        None => config
            .and_then(|c| c.fail_on)
            .unwrap_or(hegui::config::FailOn::Error),
    };
    fail_on.threshold()
}

/// Compiles the rule set's patterns; problems are printed and exit 2.
fn build_engine(set: RuleSet, options: Options) -> std::result::Result<Engine, ExitCode> {
    Engine::new(set, options).map_err(|errors| {
        for e in errors {
            eprintln!("error: rule {}: {}", e.rule, e.message);
        }
        ExitCode::from(2)
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
    let linted = match lint(args.lint, args.write_baseline.as_deref(), false) {
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
        Format::Junit => junit::render(&run.findings, &run.checked(), engine.rules(), *lang),
    };
    emit(args.output.as_ref(), &text)?;
    Ok(linted.exit_code())
}

fn fix(args: FixArgs) -> Result<ExitCode> {
    if args.lint.baseline.is_some() {
        // A baseline accepts findings as they are; fixing around it would be a guess.
        eprintln!("error: `hegui fix` does not take --baseline (fix, then record a new baseline)");
        return Ok(ExitCode::from(2));
    }
    let lang = lang(args.lint.rules.lang);
    let (engine, config) = match prepare(&args.lint) {
        Ok(prepared) => prepared,
        Err(code) => return Ok(code),
    };
    let paths = if args.lint.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.lint.paths.clone()
    };
    let results = hegui::fix::run::fix_paths(&engine, &paths, config.as_ref(), args.unsafe_fixes);
    let mut summary = String::new();
    let mut diff = String::new();
    for result in &results {
        if args.diff {
            diff.push_str(&result.diff());
        } else if result.changed() {
            let path = Path::new(&result.name);
            std::fs::write(path, &result.fixed)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot write {}", result.name))?;
        }
        summary.push_str(&hegui::fix::run::describe(result, args.diff, lang));
    }
    let mut remaining: Vec<hegui::Finding> =
        results.iter().flat_map(|r| r.remaining.clone()).collect();
    remaining.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let rendered = human::render(
        &remaining,
        results.len(),
        lang,
        human::Style { color, width: 100 },
    );
    if args.diff {
        // The diff alone on standard output (it can be piped to `patch` or `git apply`).
        emit(None, &diff)?;
        eprint!("{summary}{rendered}");
    } else {
        emit(None, &format!("{summary}{rendered}"))?;
    }
    let threshold = threshold(args.lint.fail_on, config.as_ref());
    let failing = threshold.is_some_and(|t| {
        remaining
            .iter()
            .any(|f| f.waived.is_none() && f.severity >= t)
    });
    Ok(ExitCode::from(u8::from(failing)))
}

fn report(args: ReportArgs) -> Result<ExitCode> {
    let kind = args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let markdown = match kind.as_deref() {
        Some("html" | "htm") => false,
        Some("md" | "markdown") => true,
        _ => {
            eprintln!(
                "error: the report file must end in .html or .md: {}",
                args.output.display()
            );
            return Ok(ExitCode::from(2));
        }
    };
    let languages = match args.lint.rules.lang {
        Some(LangArg::Both) => hegui::report::Languages::Both,
        other => match lang(other) {
            Lang::Zh => hegui::report::Languages::Zh,
            Lang::En => hegui::report::Languages::En,
        },
    };
    let linted = match lint(args.lint, None, true) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    // What the report shows beyond the run: the English words (`--lang both`) and every date's
    // schedule window; `gather` itself only arranges what it is given.
    let extra = hegui::report::Extra::compute(&linted.engine, &linted.run, languages)
        .map_err(|e| miette!("{e}"))?;
    let report = hegui::report::gather(
        &linted.engine,
        &linted.run,
        &extra,
        languages,
        linted.threshold,
    );
    let text = if markdown {
        report.markdown()
    } else {
        report.html()
    };
    emit(Some(&args.output), &text)?;
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
    let both_elsewhere = match &cli.command {
        Command::Check(a) => matches!(a.lint.rules.lang, Some(LangArg::Both)),
        Command::Rules { rules, .. }
        | Command::Explain { rules, .. }
        | Command::Schema { rules, .. }
        | Command::Lsp { rules, .. }
        | Command::TestRules { rules, .. } => matches!(rules.lang, Some(LangArg::Both)),
        Command::Schedule(a) => matches!(a.rules.lang, Some(LangArg::Both)),
        Command::Fix(a) => matches!(a.lint.rules.lang, Some(LangArg::Both)),
        Command::Report(_) | Command::Init { .. } => false,
    };
    if both_elsewhere {
        // Asked for both languages: said in both, one line each.
        eprintln!("错误：`--lang both` 只用于 `hegui report`");
        eprintln!("error: `--lang both` is only for `hegui report`");
        return ExitCode::from(2);
    }
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Report(args) => report(args),
        Command::Schedule(args) => schedule_cmd::run(args),
        Command::Fix(args) => fix(args),
        Command::Rules { rules, format } => list_rules(&rules, format),
        Command::Explain { id, rules } => explain(&id, &rules),
        Command::Schema { rules, format } => schema(&rules, format),
        Command::Init { file, force } => init(&file, force),
        Command::Lsp {
            rules,
            today,
            debounce_ms,
        } => lsp(&rules, today, debounce_ms),
        Command::TestRules {
            dir,
            rules,
            select,
            today,
            exclude,
        } => test_rules(&dir, &rules, &select, today, &exclude),
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
        ListFormat::Markdown => hegui::docs::rules_markdown(engine.rules()),
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
        let close = hegui::reader::suggest(id, set.known_ids.iter().map(String::as_str));
        match (lang, close) {
            (Lang::Zh, Some(s)) => eprintln!("错误：没有规则 `{id}`；是否想查 `{s}`？"),
            (Lang::Zh, None) => eprintln!("错误：没有规则 `{id}`（`hegui rules` 列出所有规则）"),
            (Lang::En, Some(s)) => eprintln!("error: no rule `{id}`; did you mean `{s}`?"),
            (Lang::En, None) => {
                eprintln!("error: no rule `{id}` (`hegui rules` lists them)")
            }
        }
        return Ok(ExitCode::from(2));
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

fn lsp(args: &RuleArgs, today: Option<chrono::NaiveDate>, debounce_ms: u64) -> Result<ExitCode> {
    let settings = hegui::lsp::Settings {
        lang: lang(args.lang),
        today,
        rule_dirs: args.rule_dirs.clone(),
        no_builtin: args.no_builtin,
    };
    let (connection, io_threads) = lsp_server::Connection::stdio();
    hegui::lsp::serve(
        &connection,
        settings,
        std::time::Duration::from_millis(debounce_ms),
    )
    .map_err(|e| miette!("{e}"))?;
    drop(connection);
    io_threads.join().into_diagnostic()?;
    Ok(ExitCode::SUCCESS)
}

fn schema(args: &RuleArgs, format: SchemaFormat) -> Result<ExitCode> {
    let set = match load_rules(args) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let Some(shape) = &set.shape else {
        eprintln!("error: no manifest vocabulary (`[shape]`) is loaded");
        return Ok(ExitCode::from(2));
    };
    if let SchemaFormat::Markdown = format {
        // The starter manifest is written for the built-in vocabulary only.
        let example = (!args.no_builtin).then_some(hegui::STARTER_MANIFEST);
        print!("{}", hegui::docs::manifest_markdown(shape, example));
        return Ok(ExitCode::SUCCESS);
    }
    let schema = hegui::schema::json_schema(shape);
    println!(
        "{}",
        serde_json::to_string_pretty(&schema).into_diagnostic()?
    );
    Ok(ExitCode::SUCCESS)
}

fn test_rules(
    dir: &Path,
    args: &RuleArgs,
    select: &[String],
    today: Option<chrono::NaiveDate>,
    exclude: &[String],
) -> Result<ExitCode> {
    let lang = lang(args.lang);
    let mut skip = globset::GlobSetBuilder::new();
    for pattern in exclude {
        match globset::Glob::new(pattern) {
            Ok(glob) => {
                skip.add(glob);
            }
            Err(e) => {
                eprintln!("error: --exclude {pattern}: {e}");
                return Ok(ExitCode::from(2));
            }
        }
    }
    let skip = skip.build().into_diagnostic()?;
    let pack = match hegui::read_rule_dir(dir) {
        Ok(sources) => sources,
        Err(e) => {
            print_load_error(&e, lang);
            return Ok(ExitCode::from(2));
        }
    };
    let pack_files: Vec<String> = pack.iter().map(|s| s.name.clone()).collect();
    let set = match load_rules_with(args, &[dir.to_path_buf()], None) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let pack_rules: Vec<String> = set
        .rules
        .iter()
        .filter(|r| pack_files.contains(&r.source.name))
        .map(|r| r.id.clone())
        .collect();
    let tested = |id: &str| {
        if select.is_empty() {
            pack_rules.is_empty() || pack_rules.iter().any(|r| r == id)
        } else {
            matches_any(id, select)
        }
    };
    let options = Options {
        lang,
        today: today.unwrap_or_else(today_in_china),
    };
    let engine = match build_engine(set, options) {
        Ok(e) => e,
        Err(code) => return Ok(code),
    };
    let suffix = engine
        .rules()
        .shape
        .as_ref()
        .map_or(".plan.toml", |s| s.file_suffix.as_str())
        .to_owned();
    let mut outcomes = Vec::new();
    for found in hegui::walk::discover(&[dir.to_path_buf()], &suffix) {
        let hegui::walk::Discovered::File(path) = found else {
            continue;
        };
        if skip.is_match(path.strip_prefix(dir).unwrap_or(&path)) {
            continue;
        }
        let findings = hegui::check_file(&engine, &path);
        let text = std::fs::read(&path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let source = hegui::SourceFile::new(hegui::engine::display_path(&path), text);
        outcomes.push(hegui::rule_tests::compare(&source, findings, &tested));
    }
    let mut failures = Vec::new();
    for o in outcomes.iter().filter(|o| !o.passed()) {
        let mut problems: Vec<hegui::reader::Problem> = o
            .missing
            .iter()
            .map(|m| hegui::reader::Problem {
                span: if m.line <= o.source.line_count() {
                    o.source.line_range(m.line)
                } else {
                    m.marker.clone()
                },
                message: match lang {
                    _ if m.line == hegui::rule_tests::UNREADABLE => match lang {
                        Lang::Zh => format!(
                            "无法读取的 expect-line 标记：`{}`（应为 `N ID[,ID…]`）",
                            m.rule
                        ),
                        Lang::En => format!(
                            "an expect-line marker that cannot be read: `{}` (write `N ID[,ID…]`)",
                            m.rule
                        ),
                    },
                    Lang::Zh => format!("{} 应在第 {} 行报告，但没有", m.rule, m.line),
                    Lang::En => format!(
                        "{} was expected to fire on line {} but did not",
                        m.rule, m.line
                    ),
                },
                help: None,
            })
            .chain(o.unexpected.iter().map(|f| hegui::reader::Problem {
                span: f.span.clone(),
                message: match lang {
                    Lang::Zh => format!("意外的 {}：{}", f.rule, f.message),
                    Lang::En => format!("unexpected {}: {}", f.rule, f.message),
                },
                help: Some(match lang {
                    Lang::Zh => format!("若应报告，在该行末尾加 `# expect: {}`", f.rule),
                    Lang::En => format!(
                        "if it should fire, end the line with `# expect: {}`",
                        f.rule
                    ),
                }),
            }))
            .collect();
        problems.sort_by_key(|p| (p.span.start, p.span.end));
        failures.push(FileProblems {
            source: o.source.clone(),
            problems,
        });
    }
    print!(
        "{}",
        human::render_file_problems(&failures, "test-rules", stdout_style())
    );
    let matched: usize = outcomes.iter().map(|o| o.matched).sum();
    let missing: usize = outcomes.iter().map(|o| o.missing.len()).sum();
    let unexpected: usize = outcomes.iter().map(|o| o.unexpected.len()).sum();
    let tested_count = engine
        .rules()
        .rules
        .iter()
        .filter(|r| tested(&r.id))
        .count();
    println!(
        "{}",
        match lang {
            Lang::Zh => format!(
                "test-rules：{} 个规则，{} 个样例，{} 处预期命中，{} 处缺失，{} 处意外",
                tested_count,
                outcomes.len(),
                matched,
                missing,
                unexpected
            ),
            Lang::En => format!(
                "test-rules: {} rules, {} fixtures, {} expectations met, {} missing, {} unexpected",
                tested_count,
                outcomes.len(),
                matched,
                missing,
                unexpected
            ),
        }
    );
    if outcomes.is_empty() {
        eprintln!("error: no fixture (`*{suffix}`) below {}", dir.display());
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::from(u8::from(missing + unexpected > 0)))
}

fn stdout_style() -> human::Style {
    human::Style {
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        width: 100,
    }
}

fn init(file: &Path, force: bool) -> Result<ExitCode> {
    if file == Path::new("-") {
        print!("{}", hegui::STARTER_MANIFEST);
        return Ok(ExitCode::SUCCESS);
    }
    // A symbolic link (dangling or not) is never written through: it may point anywhere.
    let existing = std::fs::symlink_metadata(file).ok();
    if existing
        .as_ref()
        .is_some_and(|m| m.file_type().is_symlink())
    {
        eprintln!(
            "error: {} is a symbolic link; hegui init does not write through one",
            file.display()
        );
        return Ok(ExitCode::from(2));
    }
    if existing.is_some() && !force {
        eprintln!(
            "error: {} exists; pass --force to overwrite it",
            file.display()
        );
        return Ok(ExitCode::from(2));
    }
    // `create_new` refuses a link made since the check (O_EXCL does not follow links).
    let written = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .create_new(existing.is_none())
        .create(existing.is_some())
        .open(file)
        .and_then(|mut f| f.write_all(hegui::STARTER_MANIFEST.as_bytes()));
    written
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write {}", file.display()))?;
    eprintln!(
        "wrote {}; next: edit it, then `hegui check {}`",
        file.display(),
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}
