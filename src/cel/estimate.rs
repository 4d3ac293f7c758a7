//! Bounds on the working days of a year whose schedule is not yet published.
//!
//! The State Council publishes each year's holidays in the autumn before; until then a plan
//! that reaches into the year cannot know its working days exactly. What it can know comes
//! from the pattern of the published years: every holiday break falls in a window around its
//! festival (New Year's Day, the Spring Festival, Qingming, Labour Day, the Dragon Boat
//! Festival, Mid-Autumn, National Day), the statutory days themselves are always off, and the
//! make-up working days (调休) are weekends near a break. The calendar data holds that pattern
//! (`[[calendar.pattern]]`: day offsets from the festival) and the festival dates of coming
//! years (`[[calendar.festivals]]`, astronomical facts); from them every day of an unpublished
//! year is *certainly* a working day, *possibly* one, or certainly not. Counting only the
//! certain ones gives the fewest working days any schedule could give; counting the possible
//! ones, the most (docs/calendar.md). The unit tests check that the pattern holds every
//! published year it has festival dates for.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::reader::{Problems, TableReader};
use crate::tree::NodeValue;

/// Where one festival's days fall, as day offsets from the festival's date (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    /// The statutory holidays: off in every schedule.
    pub(crate) holiday: (i64, i64),
    /// Every day the break can take off.
    pub(crate) off: (i64, i64),
    /// Where its make-up working days (weekends) can fall.
    pub(crate) work: (i64, i64),
}

/// The festival dates of one year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Festivals {
    /// Where the dates come from.
    pub(crate) source: String,
    /// Festival name (as in the pattern) to its date.
    pub(crate) dates: BTreeMap<String, NaiveDate>,
}

/// The pattern and the festival dates: what is known of years not yet published.
#[derive(Debug, Clone, Default)]
pub(crate) struct Estimate {
    pub(crate) pattern: BTreeMap<String, Window>,
    pub(crate) festivals: BTreeMap<i32, Festivals>,
}

/// What is known of one day of a year without a published schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DayBound {
    /// A working day in every schedule the pattern allows.
    pub(crate) certain: bool,
    /// A working day in some schedule the pattern allows.
    pub(crate) possible: bool,
}

fn shift(day: NaiveDate, offset: i64) -> Option<NaiveDate> {
    day.checked_add_signed(chrono::Duration::try_days(offset)?)
}

fn within(day: NaiveDate, festival: NaiveDate, (first, last): (i64, i64)) -> bool {
    let offset = (day - festival).num_days();
    (first..=last).contains(&offset)
}

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Estimate {
    /// Whether the year has festival dates (so its working days can be bounded).
    pub(crate) fn knows(&self, year: i32) -> bool {
        self.festivals.contains_key(&year)
    }

    /// The festivals whose windows can reach `day`: those of its year and the years around.
    fn near(&self, day: NaiveDate) -> impl Iterator<Item = (Window, NaiveDate)> + '_ {
        (day.year() - 1..=day.year() + 1)
            .filter_map(|y| self.festivals.get(&y))
            .flat_map(|f| f.dates.iter())
            .filter_map(|(name, date)| self.pattern.get(name).map(|w| (*w, *date)))
    }

    /// What the pattern says of `day`, or `None` when its year has no festival dates.
    pub(crate) fn day(&self, day: NaiveDate) -> Option<DayBound> {
        if !self.knows(day.year()) {
            return None;
        }
        let (mut holiday, mut may_be_off, mut may_work) = (false, false, false);
        for (window, festival) in self.near(day) {
            holiday |= within(day, festival, window.holiday);
            may_be_off |= within(day, festival, window.off);
            may_work |= within(day, festival, window.work);
        }
        let weekend = is_weekend(day);
        Some(DayBound {
            certain: !weekend && !holiday && !may_be_off,
            possible: !holiday && (!weekend || may_work),
        })
    }

    /// Adds a calendar file's `[[calendar.pattern]]` and `[[calendar.festivals]]`.
    pub(crate) fn load(&mut self, reader: &TableReader<'_>, problems: &Problems) {
        for node in reader.array("pattern").unwrap_or_default() {
            let r = TableReader::new(node, "a `[[calendar.pattern]]`", problems);
            let name = r.required_string("festival");
            let holiday = offsets(&r, "holiday");
            let off = offsets(&r, "off");
            let work = offsets(&r, "work");
            r.finish();
            let (Some((name, _)), Some(holiday), Some(off), Some(work)) =
                (name, holiday, off, work)
            else {
                continue;
            };
            if holiday.0 < off.0 || holiday.1 > off.1 {
                problems.push(node.span.clone(), "`holiday` must lie inside `off`");
                continue;
            }
            let window = Window { holiday, off, work };
            if self.pattern.get(&name).is_some_and(|w| *w != window) {
                problems.push(
                    node.span.clone(),
                    format!("a different pattern for `{name}` is already loaded"),
                );
                continue;
            }
            self.pattern.insert(name, window);
        }
        for node in reader.array("festivals").unwrap_or_default() {
            let r = TableReader::new(node, "a `[[calendar.festivals]]`", problems);
            let year = crate::calendar::read_year(&r);
            let source = r.required_string("source").map(|s| s.0).unwrap_or_default();
            let mut dates = BTreeMap::new();
            if let Some(table) = r.table("dates")
                && let NodeValue::Table(entries) = &table.value
            {
                for e in entries {
                    match e.node.value {
                        _ if !self.pattern.contains_key(&e.key) => problems.push(
                            e.node.span.clone(),
                            format!(
                                "no `[[calendar.pattern]]` describes the festival `{}`",
                                e.key
                            ),
                        ),
                        NodeValue::Date(d) if Some(d.year()) == year => {
                            dates.insert(e.key.clone(), d);
                        }
                        _ => problems.push(
                            e.node.span.clone(),
                            "a festival's date is a date in the entry's `year`",
                        ),
                    }
                }
            } else {
                let _ = r.required("dates");
            }
            r.finish();
            let Some(year) = year else { continue };
            let festivals = Festivals { source, dates };
            if self.festivals.get(&year).is_some_and(|f| *f != festivals) {
                problems.push(
                    node.span.clone(),
                    format!("different festival dates for {year} are already loaded"),
                );
                continue;
            }
            self.festivals.insert(year, festivals);
        }
    }

    /// The days of `year` the pattern gets wrong for a schedule published for it (`off` and
    /// `work` are the published days): an off day outside every window, a statutory day not
    /// off, a make-up day outside every window. Empty when the pattern holds the year.
    #[cfg(test)]
    pub(crate) fn misses(
        &self,
        year: i32,
        off: &std::collections::BTreeSet<NaiveDate>,
        work: &std::collections::BTreeSet<NaiveDate>,
    ) -> Vec<String> {
        let mut out = Vec::new();
        let Some(first) = NaiveDate::from_ymd_opt(year, 1, 1) else {
            return out;
        };
        for day in first.iter_days().take_while(|d| d.year() == year) {
            let Some(bound) = self.day(day) else {
                return out;
            };
            let working = work.contains(&day) || (!off.contains(&day) && !is_weekend(day));
            if working && !bound.possible {
                out.push(format!("{day} is a working day the pattern rules out"));
            }
            if !working && bound.certain {
                out.push(format!("{day} is off where the pattern says it works"));
            }
        }
        out
    }
}

/// Reads `[first, last]` day offsets.
fn offsets(reader: &TableReader<'_>, key: &'static str) -> Option<(i64, i64)> {
    let node = reader.required(key)?;
    if let NodeValue::Array(pair) = &node.value
        && let [a, b] = pair.as_slice()
        && let (NodeValue::Integer(a), NodeValue::Integer(b)) = (&a.value, &b.value)
        && a <= b
        && a.abs() <= 60
        && b.abs() <= 60
    {
        return Some((*a, *b));
    }
    reader.problems.push(
        node.span.clone(),
        format!("`{key}` is `[first, last]`: two day offsets from the festival, in order, within 60 days"),
    );
    None
}

/// The `n`th day after `day` (before it when `n` is negative) that `counts`; day 1 is the
/// first counted day after `day`. `counts` fails for a day it knows nothing of.
pub(crate) fn nth_day<E>(
    day: NaiveDate,
    n: i64,
    counts: impl Fn(NaiveDate) -> Result<bool, E>,
    out_of_range: impl Fn(NaiveDate) -> E,
) -> Result<NaiveDate, E> {
    let step = if n >= 0 { 1 } else { -1 };
    let mut left = n.unsigned_abs();
    let mut current = day;
    while left > 0 {
        current = shift(current, step).ok_or_else(|| out_of_range(current))?;
        if counts(current)? {
            left -= 1;
        }
    }
    Ok(current)
}

/// The days in `(from, to]` that `counts`, negative when `to` is before `from`.
pub(crate) fn count_days<E>(
    from: NaiveDate,
    to: NaiveDate,
    counts: impl Fn(NaiveDate) -> Result<bool, E>,
    out_of_range: impl Fn(NaiveDate) -> E,
) -> Result<i64, E> {
    let (start, end, sign) = if to >= from {
        (from, to, 1)
    } else {
        (to, from, -1)
    };
    let mut count = 0;
    let mut day = start;
    while day < end {
        day = day.succ_opt().ok_or_else(|| out_of_range(day))?;
        if counts(day)? {
            count += 1;
        }
    }
    Ok(sign * count)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn calendar() -> crate::calendar::Calendar {
        crate::RuleSet::load(crate::builtin_sources())
            .unwrap()
            .calendar
    }

    #[test]
    fn the_pattern_holds_every_published_year() {
        let cal = calendar();
        let mut checked = 0;
        for (year, schedule) in cal.years() {
            let (off, work) = schedule.days();
            assert!(cal.estimate().knows(*year), "festival dates for {year}");
            let misses = cal.estimate().misses(*year, off, work);
            assert!(misses.is_empty(), "{year}: {misses:?}");
            checked += 1;
        }
        assert!(checked >= 3, "the published years 2024–2026");
    }

    #[test]
    fn a_pattern_that_misses_a_published_day_is_caught() {
        let cal = calendar();
        let (off, work) = cal.years().find(|(y, _)| **y == 2026).unwrap().1.days();
        let mut narrow = cal.estimate().clone();
        // A Spring Festival window that ends two days too early leaves Feb 22–23 2026 out.
        narrow.pattern.get_mut("spring").unwrap().off.1 = 4;
        let misses = narrow.misses(2026, off, work);
        assert_eq!(
            misses,
            vec!["2026-02-23 is off where the pattern says it works".to_owned()],
            "Feb 22 is a Sunday anyway"
        );
    }

    #[test]
    fn days_of_an_unpublished_year_are_bounded() {
        let cal = calendar();
        let est = cal.estimate();
        // 2027-02-08, a Monday two days after the Spring Festival: a statutory day.
        let b = est.day(d("2027-02-08")).unwrap();
        assert!(!b.certain && !b.possible);
        // 2027-02-11, a Thursday in the break's window: off in some schedules.
        let b = est.day(d("2027-02-11")).unwrap();
        assert!(!b.certain && b.possible);
        // 2027-02-20, a Saturday: a possible make-up day.
        let b = est.day(d("2027-02-20")).unwrap();
        assert!(!b.certain && b.possible);
        // 2027-03-10, a Wednesday far from any festival: a working day whatever the schedule.
        let b = est.day(d("2027-03-10")).unwrap();
        assert!(b.certain && b.possible);
        // 2027-03-13, a Saturday far from any festival: off whatever the schedule.
        let b = est.day(d("2027-03-13")).unwrap();
        assert!(!b.certain && !b.possible);
        assert_eq!(est.day(d("2031-03-10")), None, "no festival dates for 2031");
    }
}
