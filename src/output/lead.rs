//! The primary location leads a human diagnostic. miette draws a diagnostic's snippets in file
//! order, so a secondary label earlier in the file (FIN003's first closure, above `[finance]`)
//! would come before the value the finding is about. The labels are split where miette would
//! split them into snippets: the primary's snippet and everything after it are the diagnostic;
//! the snippets before it are drawn separately and placed after the diagnostic's own snippets,
//! before its help.

use miette::{LabeledSpan, SourceCode};

/// Splits labels into those drawn with the diagnostic (the primary's snippet and the ones
/// after it) and the earlier snippets' labels, grouping as miette does with `context_lines`.
pub(crate) fn split(
    labels: Vec<LabeledSpan>,
    source: &dyn SourceCode,
    context_lines: usize,
) -> (Vec<LabeledSpan>, Vec<LabeledSpan>) {
    let mut sorted = labels;
    sorted.sort_by_key(|l| l.offset());
    // The end line (exclusive) of the snippet drawn so far, and where each snippet starts.
    let mut starts = Vec::new();
    let mut covered: Option<(usize, usize, usize)> = None; // (first offset, end offset, end line)
    for (i, label) in sorted.iter().enumerate() {
        let Ok(contents) = source.read_span(label.inner(), context_lines, context_lines) else {
            return (sorted, Vec::new());
        };
        if let Some((first, end, end_line)) = covered
            && end_line >= contents.line()
        {
            // miette merges the two into one snippet spanning both.
            let new_end = end.max(label.offset() + label.len());
            let merged = miette::SourceSpan::new(first.into(), new_end - first);
            if let Ok(c) = source.read_span(&merged, context_lines, context_lines) {
                covered = Some((first, new_end, c.line() + c.line_count()));
                continue;
            }
        }
        starts.push(i);
        covered = Some((
            label.offset(),
            label.offset() + label.len(),
            contents.line() + contents.line_count(),
        ));
    }
    let Some(primary) = sorted.iter().position(LabeledSpan::primary) else {
        return (sorted, Vec::new());
    };
    let first_of_primary = starts
        .iter()
        .rev()
        .find(|&&s| s <= primary)
        .copied()
        .unwrap_or(0);
    let leading = sorted.split_off(first_of_primary);
    (leading, sorted)
}

/// `text` without ANSI escape sequences.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn opens(line: &str) -> bool {
    plain(line).trim_start().starts_with('╭')
}

fn closes(line: &str) -> bool {
    let line = plain(line);
    let t = line.trim();
    t.starts_with('╰') && t.chars().all(|c| c == '╰' || c == '─')
}

/// Puts the snippets of `earlier` (a rendering of the earlier labels alone) after the last
/// snippet of `main`.
pub(crate) fn splice(main: &str, earlier: &str) -> String {
    let lines: Vec<&str> = earlier.split_inclusive('\n').collect();
    let (Some(from), Some(to)) = (
        lines.iter().position(|l| opens(l)),
        lines.iter().rposition(|l| closes(l)),
    ) else {
        return main.to_owned();
    };
    let snippets: String = lines[from..=to].concat();
    let main_lines: Vec<&str> = main.split_inclusive('\n').collect();
    let Some(last) = main_lines.iter().rposition(|l| closes(l)) else {
        return main.to_owned();
    };
    let mut out = main_lines[..=last].concat();
    out.push_str(&snippets);
    out.push_str(&main_lines[last + 1..].concat());
    out
}
