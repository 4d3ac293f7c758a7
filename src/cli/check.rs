//! `hegui check`: lint, baseline, render, exit status.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hegui::baseline::{Baseline, BaselineError, Note};
use hegui::config::Config;
use hegui::render::{github, human, json, junit, sarif};
use hegui::{Engine, Lang, Severity};
use miette::Result;

use super::*;

/// A finished lint run, ready to render.
pub(super) struct Linted {
    pub(super) engine: Engine,
    pub(super) run: hegui::Run,
    pub(super) lang: Lang,
    /// The least severity that fails the run; `None` never fails.
    pub(super) threshold: Option<Severity>,
}

impl Linted {
    /// The exit status: 1 when an active finding reaches the threshold.
    pub(super) fn exit_code(&self) -> ExitCode {
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
pub(super) fn lint(
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
pub(super) fn threshold(fail_on: Option<FailOn>, config: Option<&Config>) -> Option<Severity> {
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

pub(super) fn check(args: CheckArgs) -> Result<ExitCode> {
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
