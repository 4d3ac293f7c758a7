//! The describing commands: `rules`, `explain`, `schema`, `init`, and `lsp`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use hegui::{Engine, Lang, Options};
use miette::{IntoDiagnostic, Result, WrapErr, miette};

use super::*;

pub(super) fn list_rules(args: &RuleArgs, format: ListFormat) -> Result<ExitCode> {
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

pub(super) fn explain(id: &str, args: &RuleArgs) -> Result<ExitCode> {
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

pub(super) fn lsp(
    args: &RuleArgs,
    today: Option<chrono::NaiveDate>,
    debounce_ms: u64,
) -> Result<ExitCode> {
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

pub(super) fn schema(args: &RuleArgs, format: SchemaFormat) -> Result<ExitCode> {
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

pub(super) fn init(file: &Path, force: bool) -> Result<ExitCode> {
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
