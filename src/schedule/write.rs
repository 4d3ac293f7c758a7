//! `--write`: each moved date is a fix of the manifest, its edit made by `toml_edit` (the value
//! replaced in place, its decor kept) and applied by the fix machinery
//! ([`crate::fix::apply_fixes`]), so comments, layout, a date-time's time of day and its
//! separator stay as written; only the digits of the day change.

use chrono::{Datelike, NaiveDate};

use super::{Move, ScheduleError};
use crate::fix::{Applicability, Fix};
use crate::syntax::tree::DocPath;

/// The fix that moves the date at `m.path` from `m.from` to `m.to`. `None` when the path holds
/// no date or date-time with that day, or `toml_edit` cannot edit the document.
fn move_fix(text: &str, m: &Move) -> Option<Fix> {
    let path = DocPath::parse(&m.path)?;
    let edit = crate::eval::fixes::edit_value(text, &path, |value| {
        let toml_edit::Value::Datetime(formatted) = &*value else {
            return None;
        };
        if formatted.value().date != Some(toml_date(m.from)?) {
            return None;
        }
        // The written value with its first ten characters, the day, replaced: the time of day,
        // its precision and the separator stay as written.
        let written = formatted.display_repr();
        let rest = written.get(10..)?;
        let mut new: toml_edit::Value =
            format!("{}{rest}", m.to.format("%Y-%m-%d")).parse().ok()?;
        let toml_edit::Value::Datetime(moved) = &new else {
            return None;
        };
        if moved.value().date != Some(toml_date(m.to)?) {
            return None;
        }
        *new.decor_mut() = formatted.decor().clone();
        *value = new;
        Some(())
    })?;
    Some(Fix {
        applicability: Applicability::Unsafe,
        message: format!("{}: {} → {}", m.path, m.from, m.to),
        edits: vec![edit],
    })
}

fn toml_date(day: NaiveDate) -> Option<toml_edit::Date> {
    Some(toml_edit::Date {
        year: u16::try_from(day.year()).ok()?,
        month: u8::try_from(day.month()).ok()?,
        day: u8::try_from(day.day()).ok()?,
    })
}

/// The manifest `text` with every move written, through the fix machinery.
pub(crate) fn write_moves(text: &str, moves: &[Move]) -> Result<String, ScheduleError> {
    let fixes = moves
        .iter()
        .map(|m| {
            move_fix(text, m).ok_or_else(|| ScheduleError::NotWritable {
                path: m.path.clone(),
            })
        })
        .collect::<Result<Vec<Fix>, ScheduleError>>()?;
    let refs: Vec<&Fix> = fixes.iter().collect();
    let (written, applied) = crate::fix::apply_fixes(text, &refs);
    if let Some(skipped) = (0..moves.len()).find(|i| !applied.contains(i)) {
        return Err(ScheduleError::NotWritable {
            path: moves[skipped].path.clone(),
        });
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mv(path: &str, from: &str, to: &str) -> Move {
        Move {
            path: path.to_owned(),
            from: from.parse().unwrap(),
            to: to.parse().unwrap(),
        }
    }

    #[test]
    fn only_the_days_change_comments_times_and_layout_stay() {
        let text = "# head\n[a]\nx = 2026-11-25   # keep me\ny = { at = 2026-12-01 10:30, n = 1 }\nz = [2026-01-01, 2026-12-31T08:00:00.5]\n";
        let moves = [
            mv("a.x", "2026-11-25", "2026-11-15"),
            mv("a.y.at", "2026-12-01", "2027-01-09"),
            mv("a.z[1]", "2026-12-31", "2026-12-30"),
        ];
        let out = write_moves(text, &moves).unwrap();
        assert_eq!(
            out,
            "# head\n[a]\nx = 2026-11-15   # keep me\ny = { at = 2027-01-09 10:30, n = 1 }\nz = [2026-01-01, 2026-12-30T08:00:00.5]\n"
        );
    }

    #[test]
    fn a_path_without_that_date_is_not_written() {
        let text = "[a]\nx = 2026-11-25\ns = \"2026-11-25\"\n";
        for m in [
            mv("a.s", "2026-11-25", "2026-11-15"),
            mv("a.x", "2026-11-24", "2026-11-15"),
            mv("a.w", "2026-11-25", "2026-11-15"),
        ] {
            let err = write_moves(text, std::slice::from_ref(&m)).unwrap_err();
            assert!(err.to_string().contains(&m.path), "{err}");
        }
    }
}
