//! `hegui test-rules`: run a rule pack's fixtures against their `# expect:` markers.

use std::path::Path;
use std::process::ExitCode;

use hegui::render::human;
use hegui::rules::FileProblems;
use hegui::{Lang, Options};
use miette::{IntoDiagnostic, Result};

use super::*;

pub(super) fn test_rules(
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
        let source = hegui::SourceFile::new(hegui::display_path(&path), text);
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
