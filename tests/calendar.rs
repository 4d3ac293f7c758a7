//! China working days from the built-in calendar data.

use chrono::NaiveDate;

fn calendar() -> hegui::calendar::Calendar {
    hegui::RuleSet::load(hegui::builtin_sources())
        .unwrap()
        .calendar
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn fifteen_working_days_across_national_day_2026() {
    let cal = calendar();
    // Day 1 is the first working day after the request; Sep 25–27 and Oct 1–7 are off,
    // Saturday Oct 10 is a make-up working day.
    assert_eq!(cal.add_workdays(d("2026-09-24"), 15), Ok(d("2026-10-22")));
    // Counting plain weekdays would give Oct 15: a week early.
    assert_eq!(
        cal.workdays_between(d("2026-09-24"), d("2026-10-22")),
        Ok(15)
    );
    assert_eq!(
        cal.workdays_between(d("2026-10-22"), d("2026-09-24")),
        Ok(-15)
    );
}

#[test]
fn make_up_days_work_and_holidays_rest() {
    let cal = calendar();
    assert_eq!(
        cal.is_workday(d("2026-09-20")),
        Ok(true),
        "Sunday make-up day"
    );
    assert_eq!(
        cal.is_workday(d("2026-10-10")),
        Ok(true),
        "Saturday make-up day"
    );
    assert_eq!(
        cal.is_workday(d("2026-02-16")),
        Ok(false),
        "Spring Festival"
    );
    assert_eq!(cal.is_workday(d("2025-01-26")), Ok(true));
    assert_eq!(cal.is_workday(d("2024-05-03")), Ok(false));
    assert_eq!(
        cal.is_workday(d("2026-11-23")),
        Ok(true),
        "an ordinary Monday"
    );
    assert_eq!(
        cal.is_workday(d("2026-11-22")),
        Ok(false),
        "an ordinary Sunday"
    );
}

#[test]
fn a_year_the_calendar_lacks_is_never_guessed() {
    let cal = calendar();
    assert_eq!(
        cal.is_workday(d("2027-01-04")),
        Err(hegui::calendar::MissingYear(2027))
    );
    assert_eq!(
        cal.add_workdays(d("2026-12-28"), 10),
        Err(hegui::calendar::MissingYear(2027))
    );
}
