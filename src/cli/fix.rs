//! `hegui fix`: apply the findings' fixes (or print their diff).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hegui::render::human;
use miette::{IntoDiagnostic, Result, WrapErr};

use super::*;

pub(super) fn fix(args: FixArgs) -> Result<ExitCode> {
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
