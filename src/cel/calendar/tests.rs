//! China working days from the built-in calendar data.

use chrono::NaiveDate;

fn calendar() -> crate::calendar::Calendar {
    crate::RuleSet::load(crate::builtin_sources())
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
        Err(crate::calendar::MissingYear(2027))
    );
    assert_eq!(
        cal.add_workdays(d("2026-12-28"), 10),
        Err(crate::calendar::MissingYear(2027))
    );
}

#[test]
fn an_unpublished_year_is_bounded_by_the_pattern_of_the_published_ones() {
    let cal = calendar();
    // 15 working days from 2027-01-20 across the 2027 Spring Festival (2027-02-06): the most
    // working days any schedule could give reach 2027-02-09, the fewest 2027-02-22.
    assert_eq!(
        cal.add_workdays_bound(d("2027-01-20"), 15, false),
        Ok(d("2027-02-09"))
    );
    assert_eq!(
        cal.add_workdays_bound(d("2027-01-20"), 15, true),
        Ok(d("2027-02-22"))
    );
    // Backwards, the fewest working days reach furthest back.
    assert!(
        cal.add_workdays_bound(d("2027-02-22"), -15, false).unwrap()
            <= cal.add_workdays_bound(d("2027-02-22"), -15, true).unwrap()
    );
    let fewest = cal.workdays_between_bound(d("2027-01-20"), d("2027-02-22"), false);
    let most = cal.workdays_between_bound(d("2027-01-20"), d("2027-02-22"), true);
    assert_eq!(fewest, Ok(15));
    assert!(most.unwrap() > 15);
    assert_eq!(
        cal.workdays_between_bound(d("2027-02-22"), d("2027-01-20"), false),
        Ok(-most.unwrap())
    );
    // Far from every festival, every schedule agrees.
    assert_eq!(
        cal.add_workdays_bound(d("2027-03-01"), 10, false),
        cal.add_workdays_bound(d("2027-03-01"), 10, true)
    );
    assert!(cal.is_estimated(2027) && !cal.is_estimated(2026));
}

#[test]
fn bounds_in_published_years_are_exact() {
    let cal = calendar();
    for (day, n) in [("2026-09-24", 15), ("2026-02-10", 10), ("2025-01-20", -12)] {
        let exact = cal.add_workdays(d(day), n);
        assert_eq!(cal.add_workdays_bound(d(day), n, false), exact, "{day} {n}");
        assert_eq!(cal.add_workdays_bound(d(day), n, true), exact, "{day} {n}");
    }
    let exact = cal.workdays_between(d("2026-09-24"), d("2026-10-22"));
    assert_eq!(
        cal.workdays_between_bound(d("2026-09-24"), d("2026-10-22"), false),
        exact
    );
    assert_eq!(
        cal.workdays_between_bound(d("2026-09-24"), d("2026-10-22"), true),
        exact
    );
}

#[test]
fn a_year_with_neither_schedule_nor_festival_dates_is_still_never_guessed() {
    let cal = calendar();
    assert_eq!(
        cal.add_workdays_bound(d("2031-03-03"), 5, false),
        Err(crate::calendar::MissingYear(2031))
    );
}
