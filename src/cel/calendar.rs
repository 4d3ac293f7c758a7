//! China's working-day calendar: weekends off, the State Council's holidays off, make-up
//! working days (调休) on. Schedules are data (`rules/calendar/*.toml`); a year the data does
//! not hold is an error, never a guess.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};

use crate::cel::estimate::{DayBound, Estimate, count_days, nth_day};
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
    /// The pattern and festival dates that bound years not yet published.
    estimate: Estimate,
}

impl YearSchedule {
    /// The published days off and make-up working days.
    #[cfg(test)]
    pub(crate) fn days(&self) -> (&BTreeSet<NaiveDate>, &BTreeSet<NaiveDate>) {
        (&self.off, &self.work)
    }
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
        nth_day(day, n, |d| self.is_workday(d), |d| past(d, n))
    }

    /// Working days in `(from, to]`, negative when `to` is before `from`.
    pub fn workdays_between(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, MissingYear> {
        count_days(from, to, |d| self.is_workday(d), |d| past(d, 1))
    }

    /// What is known of a day: exact in a published year, bounded by the pattern in a year
    /// with festival dates (crate::cel::estimate), else nothing.
    fn bound(&self, day: NaiveDate) -> Result<DayBound, MissingYear> {
        if self.years.contains_key(&day.year()) {
            let working = self.is_workday(day)?;
            return Ok(DayBound {
                certain: working,
                possible: working,
            });
        }
        self.estimate.day(day).ok_or(MissingYear(day.year()))
    }

    /// The earliest (`latest` false) or latest date the `n`th working day after `day` can be,
    /// over every schedule the published years and the pattern allow; exact in published years.
    pub fn add_workdays_bound(
        &self,
        day: NaiveDate,
        n: i64,
        latest: bool,
    ) -> Result<NaiveDate, MissingYear> {
        // Forward, more working days come sooner; backward, fewer reach further back.
        let certain = latest == (n >= 0);
        nth_day(
            day,
            n,
            |d| self.bound(d).map(|b| pick(b, certain)),
            |d| past(d, n),
        )
    }

    /// The fewest (`most` false) or most working days `(from, to]` can hold over every
    /// schedule allowed (negative when `to` is before `from`); exact in published years.
    pub fn workdays_between_bound(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        most: bool,
    ) -> Result<i64, MissingYear> {
        let certain = most != (to >= from);
        count_days(
            from,
            to,
            |d| self.bound(d).map(|b| pick(b, certain)),
            |d| past(d, 1),
        )
    }

    /// Whether a year's working days can be bounded without its schedule (it has festival
    /// dates and is not published).
    pub fn is_estimated(&self, year: i32) -> bool {
        !self.years.contains_key(&year) && self.estimate.knows(year)
    }

    /// The pattern and festival dates that bound unpublished years.
    #[cfg(test)]
    pub(crate) fn estimate(&self) -> &Estimate {
        &self.estimate
    }

    /// The years the calendar holds.
    #[cfg(test)]
    pub(crate) fn years(&self) -> impl Iterator<Item = (&i32, &YearSchedule)> {
        self.years.iter()
    }

    /// Adds the years of a calendar file's `[calendar]` table; a year given twice is a problem.
    pub(crate) fn load(&mut self, calendar: &Node, problems: &Problems) {
        let reader = TableReader::new(calendar, "`[calendar]`", problems);
        let _ = reader.string("region");
        for year_node in reader.array("year").unwrap_or_default() {
            let year_reader = TableReader::new(year_node, "a `[[calendar.year]]`", problems);
            let year = read_year(&year_reader);
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
        self.estimate.load(&reader, problems);
        reader.finish();
    }
}

/// A table's required `year`, an integer between 1900 and 2200.
pub(crate) fn read_year(reader: &TableReader<'_>) -> Option<i32> {
    reader.required("year").and_then(|n| match n.value {
        NodeValue::Integer(y) if (1900..=2200).contains(&y) => Some(y as i32),
        _ => {
            reader.problems.push(
                n.span.clone(),
                "`year` must be an integer between 1900 and 2200",
            );
            None
        }
    })
}

/// The year a walk left the supported range in (stepping by the sign of `n`).
fn past(day: NaiveDate, n: i64) -> MissingYear {
    MissingYear(day.year() + if n >= 0 { 1 } else { -1 })
}

fn pick(bound: DayBound, certain: bool) -> bool {
    if certain {
        bound.certain
    } else {
        bound.possible
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
