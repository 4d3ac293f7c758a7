//! What a report shows beyond the run's own findings, computed by the caller before
//! [`super::gather`]: the English words of every finding for `--lang both` (a second evaluation
//! in English of the texts the run read), and every date value's schedule window through
//! `hegui schedule`'s own computation ([`crate::schedule::plan_windows`]; no second copy of
//! rule logic).

use rayon::prelude::*;

use super::timeline::Allowed;
use super::{Languages, ReportError, bi};
use crate::disk::files::display_path;
use crate::engine::Engine;
use crate::finding::Finding;
use crate::reader::Text;
use crate::source::{Source, SourceFile};
use crate::{Lang, Run};

/// The English findings and the schedule windows of a run's inputs, in the order of
/// [`Run::traces`].
#[derive(Debug, Default)]
pub struct Extra {
    /// Each input's findings in English (empty unless the report is bilingual).
    pub(crate) english: Vec<Vec<Finding>>,
    /// Each input's date values with their windows, or why there are none.
    pub(crate) windows: Vec<Result<Vec<Allowed>, Text>>,
}

/// A traced input's text, when it was read and is UTF-8.
fn source_of(trace: &crate::Trace) -> Option<Source> {
    let text = std::str::from_utf8(trace.bytes.as_ref()?).ok()?;
    Some(SourceFile::new(display_path(&trace.path), text.to_owned()))
}

impl Extra {
    /// Computes both for a traced run ([`crate::check_traced`]).
    pub fn compute(engine: &Engine, run: &Run, languages: Languages) -> Result<Extra, ReportError> {
        let english = if languages == Languages::Both {
            let options = crate::Options {
                lang: Lang::En,
                ..engine.options().clone()
            };
            let english = Engine::new(engine.rules().clone(), options).map_err(|e| {
                ReportError::SecondLanguage(
                    e.iter()
                        .map(|e| format!("{}: {}", e.rule, e.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            })?;
            run.traces
                .par_iter()
                .map(|trace| {
                    let Some(source) = source_of(trace) else {
                        return Vec::new();
                    };
                    let root = crate::walk::repo_root(&trace.path);
                    english.check_source(&source, &trace.path, &root)
                })
                .collect()
        } else {
            Vec::new()
        };
        let windows = run
            .traces
            .par_iter()
            .map(|trace| windows(engine, trace))
            .collect();
        Ok(Extra { english, windows })
    }
}

/// One input's date values and their schedule windows, the other dates as they are.
fn windows(engine: &Engine, trace: &crate::Trace) -> Result<Vec<Allowed>, Text> {
    let Some(source) = source_of(trace) else {
        return Ok(Vec::new());
    };
    // Not TOML: the run reports it (SCH001) and there is no timeline to annotate.
    let Ok(doc) = crate::tree::parse(&source.text) else {
        return Ok(Vec::new());
    };
    match crate::schedule::plan_windows(engine, &source, &doc, &trace.path) {
        Ok(found) => Ok(found
            .into_iter()
            .map(|(m, w)| Allowed {
                path: m.path,
                span: m.span,
                current: m.current,
                rules: w.as_ref().map(|w| w.rules()).unwrap_or_default(),
                window: w.map(|w| (w.earliest, w.latest)),
            })
            .collect()),
        Err(e) => Err(bi(
            format!("无法计算合规窗口：{e}"),
            format!("no schedule windows: {e}"),
        )),
    }
}
