//! Human output through miette: primary label on the blamed value, secondary labels, help
//! with the computed fix, the rule id as code and the basis on its own line.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents,
};

use crate::escape::{Escaped, visible};
use crate::finding::Finding;
use crate::rules::FileProblems;
use crate::source::Source;
use crate::{Lang, Severity};

/// Lines of context around each label.
const CONTEXT_LINES: usize = 1;

/// Rendering settings.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Colours and styled glyphs.
    pub color: bool,
    /// Line width.
    pub width: usize,
}

impl Style {
    /// Stable rendering: no colour, fixed width (tests, pipes, `NO_COLOR`).
    pub fn plain() -> Style {
        Style {
            color: false,
            width: 100,
        }
    }

    fn handler(self) -> GraphicalReportHandler {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
            .with_context_lines(CONTEXT_LINES)
    }
}

/// A source file as miette source code, without copying its text. A file holding control
/// characters is shown escaped (see [`crate::escape`]); `original` then keeps the file as
/// read, for the line and column of the header, and the offsets' way back to it.
#[derive(Debug, Clone)]
struct Text(Source, Option<Arc<(Escaped, Source)>>);

impl Text {
    /// A file as shown: escaped when it holds a hazard.
    fn of(source: &Source) -> Text {
        if !crate::escape::needs_escape(&source.text) {
            return Text(source.clone(), None);
        }
        let escaped = Escaped::new(&source.text);
        let shown = crate::SourceFile::new(source.name.clone(), escaped.text.clone());
        Text(shown, Some(Arc::new((escaped, source.clone()))))
    }

    /// A span of the original file in the shown text.
    fn span(&self, range: &std::ops::Range<usize>) -> SourceSpan {
        match &self.1 {
            None => span(range),
            Some(e) => span(&(e.0.forward(range.start)..e.0.forward(range.end))),
        }
    }

    /// The 0-based column (in characters of the original file) of a shown offset.
    fn column(&self, offset: usize) -> usize {
        match &self.1 {
            None => self.0.line_col(offset).1 - 1,
            Some(e) => e.1.line_col(e.0.back(offset)).1 - 1,
        }
    }
}

impl SourceCode for Text {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        if let Some(excerpt) = self.excerpt(span, before + after > 0) {
            return Ok(Box::new(excerpt));
        }
        // miette scans from the start of the text it is given: hand it only the lines from
        // `before` lines above the span, or a file with many findings renders in quadratic time.
        let first_line = self.0.line_of(span.offset()).saturating_sub(1);
        let skipped = first_line.saturating_sub(before);
        let window = self.0.line_range(skipped + 1).start;
        let local = SourceSpan::new(span.offset().saturating_sub(window).into(), span.len());
        let inner = self.0.text[window..].read_span(&local, before, after)?;
        let offset = inner.span().offset() + window;
        // miette counts columns in bytes; ours count Unicode scalar values, as in JSON and SARIF.
        let column = self.column(offset);
        Ok(Box::new(MietteSpanContents::new(
            inner.data(),
            SourceSpan::new(offset.into(), inner.span().len()),
            inner.line() + skipped,
            column,
            inner.line_count() + skipped,
        )))
    }
}

/// Lines longer than this (in bytes) are not shown whole: a 40 MB string would be printed
/// once per finding near it.
const LONG_LINE: usize = 4_096;

/// Bytes shown on either side of a span inside a long line.
const EXCERPT: usize = 160;

impl Text {
    /// For a span on or next to a long line: a piece of the span's line around it, without
    /// context lines (a span longer than the excerpt is cut, the underline runs to its end).
    fn excerpt(&self, span: &SourceSpan, context: bool) -> Option<MietteSpanContents<'_>> {
        let source = &self.0;
        let text = source.text.as_str();
        let start = source.clamp(span.offset());
        let end = source.clamp(span.offset() + span.len()).max(start);
        let line = source.line_of(start);
        let end_line = source.line_of(end);
        let lines = line.saturating_sub(1).max(1)..=(end_line + 1).min(source.line_count());
        if lines
            .clone()
            .all(|l| source.line_range(l).len() <= LONG_LINE)
        {
            return None;
        }
        let line_range = source.line_range(line);
        // Without context miette reads the location shown in the header: start at the span.
        let lead = if context { EXCERPT } else { 0 };
        let from = source.clamp(start.saturating_sub(lead).max(line_range.start));
        let to_line = source.line_range(end_line).end;
        let to = source.clamp((end.min(start + EXCERPT) + EXCERPT).min(to_line).max(start));
        Some(MietteSpanContents::new(
            &text.as_bytes()[from..to],
            SourceSpan::new(from.into(), to - from),
            line - 1,
            self.column(from),
            line,
        ))
    }
}

struct Rendered {
    code: String,
    severity: Severity,
    message: String,
    help: Option<String>,
    labels: Vec<LabeledSpan>,
    source: NamedSource<Text>,
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn render_one(handler: &GraphicalReportHandler, diagnostic: &Rendered, out: &mut String) {
    // Rendering into a String cannot fail.
    let _ = handler.render_report(out, diagnostic);
}

/// Renders findings followed by a summary line.
pub fn render(findings: &[Finding], files: usize, lang: Lang, style: Style) -> String {
    let handler = style.handler();
    let mut out = String::new();
    let mut texts: HashMap<*const crate::SourceFile, Text> = HashMap::new();
    for f in findings {
        let text = texts
            .entry(Arc::as_ptr(&f.source))
            .or_insert_with(|| Text::of(&f.source))
            .clone();
        out.push_str(&render_finding(&handler, f, text, lang));
    }
    out.push_str(&super::Summary::of(findings).line(files, lang));
    out.push('\n');
    out
}

/// One finding as miette draws it: the primary location first, then any earlier snippets.
fn render_finding(handler: &GraphicalReportHandler, f: &Finding, text: Text, lang: Lang) -> String {
    let mut message = f.message.clone();
    if let Some(w) = &f.waived {
        message.insert_str(0, &super::waiver_note(w, lang));
    }
    let mut help = f.help.clone().unwrap_or_default();
    if let Some(fix) = &f.fix {
        if !help.is_empty() {
            help.push('\n');
        }
        help.push_str(&fix.hint(lang));
    }
    if !f.basis.is_empty() {
        if !help.is_empty() {
            help.push('\n');
        }
        help.push_str(match lang {
            Lang::Zh => "依据：",
            Lang::En => "basis: ",
        });
        help.push_str(&f.basis);
    }
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        f.label.as_deref().map(|l| visible(l).into_owned()),
        text.span(&f.span),
    )];
    labels.extend(f.labels.iter().map(|l| {
        LabeledSpan::new_with_span(
            Some(visible(&l.text).into_owned()).filter(|t| !t.is_empty()),
            text.span(&l.span),
        )
    }));
    // The primary location leads: earlier snippets are drawn after it (super::lead).
    let (labels, earlier) = super::lead::split(labels, &text, CONTEXT_LINES);
    let named = |text: Text| NamedSource::new(visible(&f.source.name), text).with_language("toml");
    let diagnostic = Rendered {
        code: visible(&f.rule).into_owned(),
        severity: f.severity,
        message: visible(&message).into_owned(),
        help: Some(visible(&help).into_owned()).filter(|h| !h.is_empty()),
        labels,
        source: named(text.clone()),
    };
    let mut one = String::new();
    render_one(handler, &diagnostic, &mut one);
    if !earlier.is_empty() {
        let before = Rendered {
            labels: earlier,
            help: None,
            source: named(text),
            ..diagnostic
        };
        let mut drawn = String::new();
        render_one(handler, &before, &mut drawn);
        one = super::lead::splice(&one, &drawn);
    }
    one
}

fn span(range: &std::ops::Range<usize>) -> SourceSpan {
    SourceSpan::new(range.start.into(), range.end - range.start)
}

/// Renders the problems of rule files, each pointing into its file.
pub fn render_rule_problems(failures: &[FileProblems], style: Style) -> String {
    render_file_problems(failures, "rule-file", style)
}

/// Renders the problems of any of our own data files (rule files, `hegui.toml`), each pointing
/// into its file, under `code`.
pub fn render_file_problems(failures: &[FileProblems], code: &str, style: Style) -> String {
    let handler = style.handler();
    let mut out = String::new();
    for failure in failures {
        let text = Text::of(&failure.source);
        for problem in &failure.problems {
            if crate::reader::is_not_toml(&problem.message) {
                render_one(
                    &handler,
                    &unquoted(&failure.source, problem, code),
                    &mut out,
                );
                continue;
            }
            // A problem is a finding without a rule: `code` names what kind of file it is in.
            let finding = problem.to_finding(&failure.source, code);
            out.push_str(&render_finding(&handler, &finding, text.clone(), Lang::En));
        }
    }
    out
}

/// A problem of a file that is not TOML, shown by its location only: the file is not quoted.
fn unquoted(source: &Source, problem: &crate::reader::Problem, code: &str) -> Rendered {
    let (line, col) = source.line_col(problem.span.start);
    let name = crate::escape::visible(&source.name);
    Rendered {
        code: code.into(),
        severity: Severity::Error,
        message: format!(
            "{} ({name}:{line}:{col})",
            crate::escape::visible(&problem.message)
        ),
        help: problem.help.as_deref().map(|h| visible(h).into_owned()),
        labels: Vec::new(),
        source: NamedSource::new(name, Text(crate::SourceFile::new("", ""), None)),
    }
}
