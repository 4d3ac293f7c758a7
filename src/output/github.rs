//! `--format github`: GitHub Actions workflow commands, one annotation per finding, e.g.
//! `::error file=plans/a.plan.toml,line=12,col=24,endLine=12,endColumn=34,title=NTC001::…`.
//!
//! Errors are `::error`, warnings `::warning`, infos `::notice`. A waived finding is a
//! `::notice` whatever its severity, its message led by the waiver, so the annotation stays
//! visible without reading as a problem. The message carries the help, the fix and the basis
//! on further lines. A summary line for the log follows the annotations.

use crate::finding::Finding;
use crate::{Lang, Severity};

/// The workflow command for a finding: `error`, `warning` or `notice`.
pub(crate) fn command(f: &Finding) -> &'static str {
    if f.waived.is_some() {
        return "notice";
    }
    match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Escapes a command's message, as the Actions runner decodes it.
pub(crate) fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            // Terminal and bidi controls would act on the log viewer: shown as `\u{…}`.
            c if crate::escape::is_hazard(c) => crate::escape::push_escape(c, &mut out),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value: the message's escapes plus `:` and `,`, which end a value.
pub(crate) fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The annotation's text: the waiver (if any), the message, the help, the fix (what it does and
/// how to apply it) and the basis.
fn message(f: &Finding, lang: Lang) -> String {
    let mut text = f
        .waived
        .as_ref()
        .map(|w| super::waiver_note(w, lang))
        .unwrap_or_default();
    text.push_str(&f.message);
    if let Some(help) = f.help.as_deref().filter(|h| !h.is_empty()) {
        text.push('\n');
        text.push_str(help);
    }
    if let Some(fix) = &f.fix {
        text.push('\n');
        text.push_str(&fix.hint(lang));
    }
    if !f.basis.is_empty() {
        text.push('\n');
        text.push_str(match lang {
            Lang::Zh => "依据：",
            Lang::En => "basis: ",
        });
        text.push_str(&f.basis);
    }
    text
}

/// Renders findings as workflow commands, in the order given, then the summary line.
pub fn render(findings: &[Finding], files: usize, lang: Lang) -> String {
    let mut out = String::new();
    for f in findings {
        let (line, col) = f.start();
        let (end_line, end_col) = f.end();
        out.push_str(&format!(
            "::{} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}\n",
            command(f),
            escape_property(&f.source.name),
            escape_property(&f.rule),
            escape_data(&message(f, lang)),
        ));
    }
    out.push_str(&super::Summary::of(findings).line(files, lang));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
