//! The `hegui` command: parses arguments, renders, sets the exit status. All checking is in
//! the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use hegui::Lang;
use hegui::render::human;
use miette::{IntoDiagnostic, Result, WrapErr};

mod check;
mod fix;
mod info;
mod load;
mod report;
mod schedule_cmd;
mod test_rules;

use check::*;
use fix::*;
use info::*;
use load::*;
use report::*;
use test_rules::*;

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

fn stderr_style() -> human::Style {
    human::Style {
        color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        width: 100,
    }
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

fn stdout_style() -> human::Style {
    human::Style {
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        width: 100,
    }
}
