//! A finding's repair: an [`Edit`] replaces a byte range of the manifest with new text, a
//! [`Fix`] is the edits of one repair with its [`Applicability`]; applying edits to a text.

use std::ops::Range;

/// Whether a fix may be applied without the author's review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Shown, never applied (the repair needs a decision hegui cannot make).
    DisplayOnly,
    /// Changes what the plan commits to (a moved date, a changed number, an added key):
    /// applied only with `--unsafe-fixes`.
    Unsafe,
    /// Repairs what the author evidently meant and commits to nothing new: applied by
    /// `hegui fix`.
    Safe,
}

impl Applicability {
    /// `safe`, `unsafe` or `display-only`, as rule files and JSON write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }

    /// Parses the rule-file spelling.
    pub(crate) fn parse(text: &str) -> Option<Applicability> {
        match text {
            "safe" => Some(Applicability::Safe),
            "unsafe" => Some(Applicability::Unsafe),
            "display-only" => Some(Applicability::DisplayOnly),
            _ => None,
        }
    }
}

/// One text edit: replace `range` (bytes of the manifest) with `content`. An insertion has an
/// empty range.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    /// The bytes replaced.
    pub range: Range<usize>,
    /// The new text.
    pub content: String,
}

/// The repair of one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// When it may be applied.
    pub applicability: Applicability,
    /// What it does, in the run's language.
    pub message: String,
    /// Its edits, sorted by position, not overlapping.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// Whether `hegui fix` applies it (`unsafe_fixes`: with `--unsafe-fixes`).
    pub fn applies(&self, unsafe_fixes: bool) -> bool {
        match self.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => unsafe_fixes,
            Applicability::DisplayOnly => false,
        }
    }
}

impl Fix {
    /// One line for people: what the fix does and how to apply it, e.g. "fix: move
    /// `closure_effective_on` to 2026-12-20 (fixable with `hegui fix --unsafe-fixes`)".
    pub fn hint(&self, lang: crate::Lang) -> String {
        let how = match (self.applicability, lang) {
            (Applicability::Safe, crate::Lang::Zh) => "（可用 `hegui fix` 修复）",
            (Applicability::Unsafe, crate::Lang::Zh) => "（可用 `hegui fix --unsafe-fixes` 修复）",
            (Applicability::DisplayOnly, crate::Lang::Zh) => "（仅供参考，须手工修改）",
            (Applicability::Safe, crate::Lang::En) => " (fixable with `hegui fix`)",
            (Applicability::Unsafe, crate::Lang::En) => {
                " (fixable with `hegui fix --unsafe-fixes`)"
            }
            (Applicability::DisplayOnly, crate::Lang::En) => " (shown only; edit by hand)",
        };
        let label = match lang {
            crate::Lang::Zh => "修复：",
            crate::Lang::En => "fix: ",
        };
        format!("{label}{}{how}", self.message)
    }
}

/// A fix shown as the manifest lines it changes: (before, after), whole lines, each ending in a
/// line break.
pub fn before_after(text: &str, fix: &Fix) -> (String, String) {
    let (fixed, _) = apply_fixes(text, &[fix]);
    let diff = similar::TextDiff::from_lines(text, &fixed);
    let (mut before, mut after) = (String::new(), String::new());
    for change in diff.iter_all_changes() {
        let line = change.value();
        let target = match change.tag() {
            similar::ChangeTag::Delete => &mut before,
            similar::ChangeTag::Insert => &mut after,
            similar::ChangeTag::Equal => continue,
        };
        target.push_str(line);
        if !line.ends_with('\n') {
            target.push('\n');
        }
    }
    (before, after)
}

/// Applies fixes to a text, in order of their first edit; a fix one of whose edits overlaps
/// (or touches the same insertion point as) an edit already applied is skipped whole, as ruff
/// does: the next round, on the re-checked text, picks it up. Returns the new text and the
/// indices of the fixes applied.
pub fn apply_fixes(text: &str, fixes: &[&Fix]) -> (String, Vec<usize>) {
    let mut order: Vec<usize> = (0..fixes.len()).collect();
    order.sort_by_key(|&i| {
        let first = fixes[i].edits.first();
        (
            first.map_or(usize::MAX, |e| e.range.start),
            first.map_or(usize::MAX, |e| e.range.end),
            i,
        )
    });
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = Vec::new();
    for i in order {
        let fix = fixes[i];
        if fix.edits.is_empty() {
            continue;
        }
        let clashes = fix.edits.iter().any(|e| {
            e.range.end > text.len()
                || !text.is_char_boundary(e.range.start)
                || !text.is_char_boundary(e.range.end)
                || taken.iter().any(|t| overlaps(&t.range, &e.range))
        });
        if clashes {
            continue;
        }
        taken.extend(fix.edits.iter());
        applied.push(i);
    }
    taken.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in taken {
        out.push_str(&text[at..edit.range.start]);
        out.push_str(&edit.content);
        at = edit.range.end;
    }
    out.push_str(&text[at..]);
    applied.sort_unstable();
    (out, applied)
}

/// Two ranges share a byte, or are the same insertion point (their order would be ambiguous).
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    (a.start < b.end && b.start < a.end) || a.start == b.start
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(edits: &[(usize, usize, &str)]) -> Fix {
        Fix {
            applicability: Applicability::Safe,
            message: String::new(),
            edits: edits
                .iter()
                .map(|&(s, e, c)| Edit {
                    range: s..e,
                    content: c.to_owned(),
                })
                .collect(),
        }
    }

    #[test]
    fn edits_apply_in_position_order_and_overlaps_are_skipped() {
        let text = "a = 1\nb = 2\n";
        let late = fix(&[(10, 11, "3")]);
        let early = fix(&[(4, 5, "9")]);
        let clash = fix(&[(4, 5, "7")]);
        let (out, applied) = apply_fixes(text, &[&late, &early, &clash]);
        assert_eq!(out, "a = 9\nb = 3\n");
        assert_eq!(applied, vec![0, 1]);
    }

    #[test]
    fn a_fix_with_one_clashing_edit_is_skipped_whole() {
        let text = "abcdef";
        let first = fix(&[(0, 2, "X")]);
        let second = fix(&[(1, 3, "Y"), (5, 6, "Z")]);
        let (out, applied) = apply_fixes(text, &[&first, &second]);
        assert_eq!(out, "Xcdef");
        assert_eq!(applied, vec![0]);
    }

    #[test]
    fn before_and_after_are_the_changed_lines() {
        let text = "a = 1\nb = 2 # keep\nc = 3\n";
        let f = fix(&[(10, 11, "5")]);
        let (before, after) = before_after(text, &f);
        assert_eq!(before, "b = 2 # keep\n");
        assert_eq!(after, "b = 5 # keep\n");
    }

    #[test]
    fn applicability_decides_what_runs() {
        let mut f = fix(&[]);
        f.applicability = Applicability::Unsafe;
        assert!(!f.applies(false) && f.applies(true));
        f.applicability = Applicability::DisplayOnly;
        assert!(!f.applies(true));
    }
}
