//! `hegui report`: a reviewer's report in HTML or Markdown.

use std::process::ExitCode;

use hegui::Lang;
use miette::{Result, miette};

use super::*;

pub(super) fn report(args: ReportArgs) -> Result<ExitCode> {
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
