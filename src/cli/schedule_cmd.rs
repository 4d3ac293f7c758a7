//! `hegui schedule`: arguments, output and exit status (the computation is
//! `hegui::schedule`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use hegui::schedule::{self, Request};
use hegui::{Lang, Options, SourceFile};
use miette::Result;

use super::{LintArgs, RuleArgs, configured_rules, emit, lang, today_in_china};

#[derive(clap::Args)]
pub(super) struct ScheduleArgs {
    /// The plan manifest.
    plan: PathBuf,
    #[command(flatten)]
    pub(super) rules: RuleArgs,
    /// Dates before this day are facts and never move (default: today in China Standard Time).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<chrono::NaiveDate>,
    /// Pin every closure on this day and schedule backwards (each window's last day is the
    /// deadline).
    #[arg(long, value_name = "YYYY-MM-DD")]
    close_on: Option<chrono::NaiveDate>,
    /// Pin one milestone, e.g. `--pin notice[0].published_on=2026-12-01`; repeatable.
    #[arg(long, value_name = "PATH=DATE")]
    pin: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScheduleFormat::Human)]
    format: ScheduleFormat,
    /// Move the dates outside their window to its nearest end, in the file (comments and
    /// layout kept).
    #[arg(long)]
    write: bool,
    /// Write the output to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// The configuration file (default: the nearest `hegui.toml` from the plan up).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ScheduleFormat {
    Human,
    Json,
    /// iCalendar (RFC 5545): one all-day event per deadline.
    Ics,
}

fn parse_pin(text: &str) -> Option<(String, chrono::NaiveDate)> {
    let (path, date) = text.rsplit_once('=')?;
    let date = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    Some((path.trim().to_owned(), date))
}

/// Runs `hegui schedule`: exit 0 feasible, 1 infeasible, 2 the run failed.
pub(super) fn run(args: ScheduleArgs) -> Result<ExitCode> {
    let lang = lang(args.rules.lang);
    let lint = LintArgs {
        paths: vec![args.plan.clone()],
        rules: args.rules.clone(),
        fail_on: None,
        select: Vec::new(),
        ignore: Vec::new(),
        today: args.today,
        config: args.config.clone(),
        baseline: None,
    };
    let set = match configured_rules(&lint) {
        Ok((set, _)) => set,
        Err(code) => return Ok(code),
    };
    let mut pins = Vec::new();
    for text in &args.pin {
        let Some(pin) = parse_pin(text) else {
            eprintln!("error: --pin {text}: expected PATH=YYYY-MM-DD");
            return Ok(ExitCode::from(2));
        };
        pins.push(pin);
    }
    let text = match std::fs::read_to_string(&args.plan) {
        Ok(t) => t,
        Err(e) => {
            let (plan, reason) = (args.plan.display(), hegui::Reason::of_io(&e).say(lang));
            match lang {
                Lang::Zh => eprintln!("错误：无法读取 {plan}：{reason}"),
                Lang::En => eprintln!("error: cannot read {plan}: {reason}"),
            }
            return Ok(ExitCode::from(2));
        }
    };
    let source = SourceFile::new(hegui::display_path(&args.plan), text);
    let options = Options {
        lang,
        today: args.today.unwrap_or_else(today_in_china),
    };
    let request = Request {
        close_on: args.close_on,
        pins,
    };
    if args.write {
        let repair = match schedule::repair(&set, &options, &source, &args.plan, &request) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(2));
            }
        };
        if !repair.moves.is_empty()
            && let Err(e) = std::fs::write(&args.plan, &repair.text)
        {
            eprintln!("error: cannot write {}: {e}", args.plan.display());
            return Ok(ExitCode::from(2));
        }
        let report = schedule::render_moves(&source.name, &repair, lang);
        emit(args.output.as_ref(), &report)?;
        return Ok(ExitCode::from(u8::from(!repair.conflicts.is_empty())));
    }
    let planned = match schedule::plan(&set, &options, &source, &args.plan, &request) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let text = match args.format {
        ScheduleFormat::Human => schedule::render_human(&planned, lang),
        ScheduleFormat::Json => schedule::render_json(&planned),
        ScheduleFormat::Ics => schedule::render_ics(&planned, lang),
    };
    emit(args.output.as_ref(), &text)?;
    Ok(ExitCode::from(u8::from(!planned.feasible())))
}
