//! China's working-day calendar: weekends off, the State Council's holidays off, make-up
//! working days (调休) on. Schedules are data (`rules/calendar/*.toml`); a year the data does
//! not hold is an error, never a guess.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};

use crate::reader::{Problems, TableReader};
use crate::tree::{Node, NodeValue};

/// One year's published schedule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct YearSchedule {
    /// The notice the schedule comes from.
    pub source: String,
    off: BTreeSet<NaiveDate>,
    work: BTreeSet<NaiveDate>,
}

/// The working-day calendar, by year.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeMap<i32, YearSchedule>,
}

/// A computation needed a year the calendar does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingYear(pub i32);

impl Calendar {
    /// Whether a day is a working day.
    pub fn is_workday(&self, day: NaiveDate) -> Result<bool, MissingYear> {
        let schedule = self.years.get(&day.year()).ok_or(MissingYear(day.year()))?;
        if schedule.work.contains(&day) {
            return Ok(true);
        }
        if schedule.off.contains(&day) {
            return Ok(false);
        }
        Ok(!matches!(day.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// The `n`th working day after `day` (before it when `n` is negative); day 1 is the first
    /// working day after `day`.
    pub fn add_workdays(&self, day: NaiveDate, n: i64) -> Result<NaiveDate, MissingYear> {
        let step = if n >= 0 { 1 } else { -1 };
        let mut left = n.unsigned_abs();
        let mut current = day;
        while left > 0 {
            current = current
                .checked_add_signed(chrono::Duration::days(step))
                .ok_or(MissingYear(current.year() + step as i32))?;
            if self.is_workday(current)? {
                left -= 1;
            }
        }
        Ok(current)
    }

    /// Working days in `(from, to]`, negative when `to` is before `from`.
    pub fn workdays_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, MissingYear> {
        let (start, end, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut count = 0;
        let mut day = start;
        while day < end {
            day = day.succ_opt().ok_or(MissingYear(day.year() + 1))?;
            if self.is_workday(day)? {
                count += 1;
            }
        }
        Ok(sign * count)
    }

    /// The years the calendar holds.
    pub fn years(&self) -> impl Iterator<Item = (&i32, &YearSchedule)> {
        self.years.iter()
    }

    /// Adds the years of a calendar file's `[calendar]` table; a year given twice is a problem.
    pub(crate) fn load(&mut self, calendar: &Node, problems: &Problems) {
        let reader = TableReader::new(calendar, "`[calendar]`", problems);
        let _ = reader.string("region");
        for year_node in reader.array("year").unwrap_or_default() {
            let year_reader = TableReader::new(year_node, "a `[[calendar.year]]`", problems);
            let year = year_reader.required("year").and_then(|n| match n.value {
                NodeValue::Integer(y) if (1900..=2200).contains(&y) => Some(y as i32),
                _ => {
                    problems.push(
                        n.span.clone(),
                        "`year` must be an integer between 1900 and 2200",
                    );
                    None
                }
            });
            let source = year_reader
                .required_string("source")
                .map(|s| s.0)
                .unwrap_or_default();
            let off = read_days(&year_reader, "off", year);
            let work = read_days(&year_reader, "work", year);
            year_reader.finish();
            let Some(year) = year else { continue };
            let schedule = YearSchedule { source, off, work };
            // The same schedule loaded twice (a copy of the built-in folder) is harmless.
            match self.years.get(&year) {
                Some(existing) if *existing == schedule => continue,
                Some(_) => {
                    problems.push(
                        year_node.span.clone(),
                        format!("a different schedule for {year} is already loaded"),
                    );
                    continue;
                }
                None => {}
            }
            self.years.insert(year, schedule);
        }
        reader.finish();
    }
}

/// Reads days given as dates or `[first, last]` ranges.
fn read_days(
    reader: &TableReader<'_>,
    key: &'static str,
    year: Option<i32>,
) -> BTreeSet<NaiveDate> {
    let mut days = BTreeSet::new();
    for item in reader.array(key).unwrap_or_default() {
        let (first, last) = match &item.value {
            NodeValue::Date(d) => (*d, *d),
            NodeValue::Array(pair) => match pair.as_slice() {
                [
                    Node {
                        value: NodeValue::Date(a),
                        ..
                    },
                    Node {
                        value: NodeValue::Date(b),
                        ..
                    },
                ] if a <= b => (*a, *b),
                _ => {
                    reader.problems.push(
                        item.span.clone(),
                        "a range is `[first, last]`, two dates in order",
                    );
                    continue;
                }
            },
            _ => {
                reader.problems.push(
                    item.span.clone(),
                    format!("`{key}` holds dates or `[first, last]` ranges"),
                );
                continue;
            }
        };
        if year.is_some_and(|y| first.year() != y || last.year() != y) {
            reader
                .problems
                .push(item.span.clone(), "a day outside the schedule's year");
            continue;
        }
        days.extend(first.iter_days().take_while(|d| *d <= last));
    }
    days
}
