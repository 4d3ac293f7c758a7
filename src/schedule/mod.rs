//! `hegui schedule`: every date's compliant window, a proposed schedule, the critical path and,
//! for an infeasible plan, the conflicting rules.
//!
//! There is no second copy of rule logic. The checker is an oracle: a milestone's window is the
//! set of days on which, with the other dates as they are, no finding of a date rule points at
//! it or labels it. The bounds are found by re-checking the plan in memory with the day changed
//! — a binary search from a day inside the window towards each end (the window is taken to be
//! one interval; both ends are probed), after a scan in steps of a week (then of a day) when the
//! current day is outside. A user rule pack's date rules take part like the built-in ones.
//!
//! Schedules are fixpoints of such windows:
//! - the **proposal** fixes the closures first: at `--close-on`, or at the earliest day the
//!   facts allow (each closure moved to its earliest day, the milestones that bind it moved to
//!   theirs, until nothing moves); every other milestone then stays where it is when it lies in
//!   its window and moves to the nearest end of it otherwise;
//! - the **repair** (`--write`) moves only the dates outside their window, to the nearest end,
//!   until nothing moves; the dates inside their window stay where they are.
//!
//! Dates before `today` are facts and never move.

mod oracle;
mod output;
mod run;
mod write;

use chrono::NaiveDate;

pub use oracle::Milestone;
pub use output::{render_human, render_ics, render_json, render_moves};

use crate::eval::engine::{Engine, Options, PatternError};
use crate::rules::RuleSet;
use crate::source::Source;
use crate::syntax::tree::Node;
use run::Run;

/// How far from today (and from a milestone's own day) windows are searched, in days.
pub const HORIZON_DAYS: i64 = 730;
/// The most rounds a fixpoint takes before it stops.
pub const MAX_ROUNDS: usize = 8;
/// The step of the scan for a day inside the window, in days.
const STRIDE: i64 = 7;
/// How far from its own day a window narrower than [`STRIDE`] is looked for, in days.
pub const FINE_SCAN_DAYS: i64 = 60;

/// What the user fixed.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Every closure (and with it what a rule ties to it) on this day; schedule backwards.
    pub close_on: Option<NaiveDate>,
    /// Milestones fixed on a day: (path as the JSON format names it, day).
    pub pins: Vec<(String, NaiveDate)>,
}

/// Why no schedule could be computed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[diagnostic(code(hegui::schedule))]
pub enum ScheduleError {
    /// The plan is not valid TOML.
    #[error("{file} is not valid TOML: {message}")]
    NotParsed {
        /// The plan.
        file: String,
        /// The parser's message.
        message: String,
    },
    /// A `--pin` names no date of the plan.
    #[error("--pin {path}: the plan has no date or date-time at this path (its dates: {known})")]
    UnknownPin {
        /// The path given.
        path: String,
        /// The plan's date paths.
        known: String,
    },
    /// A `--pin` or `--close-on` would move a date before `--today`.
    #[error(
        "{what}: {path} is {day}, before --today {today}; dates before today are facts and never move"
    )]
    MovesFact {
        /// The option.
        what: String,
        /// The milestone.
        path: String,
        /// Its day.
        day: NaiveDate,
        /// `--today`.
        today: NaiveDate,
    },
    /// A `--pin` or `--close-on` day lies before `--today`.
    #[error("{what}: {day} is before --today {today}")]
    PastDay {
        /// The option.
        what: String,
        /// The day given.
        day: NaiveDate,
        /// `--today`.
        today: NaiveDate,
    },
    /// `--write` could not edit a date in place.
    #[error("--write: the date at {path} cannot be edited in place")]
    NotWritable {
        /// The milestone.
        path: String,
    },
    /// A rule pack's pattern does not compile.
    #[error("rule {}: {}", .0.rule, .0.message)]
    Pattern(PatternError),
}

/// A milestone's window: the days on which no date-rule finding involves it.
#[derive(Debug, Clone)]
pub struct Window {
    /// The first day (`None`: no bound within the horizon).
    pub earliest: Option<NaiveDate>,
    /// The last day (`None`: no bound within the horizon).
    pub latest: Option<NaiveDate>,
    /// The rules that fire on the day before `earliest`.
    pub earliest_rules: Vec<String>,
    /// The rules that fire on the day after `latest`.
    pub latest_rules: Vec<String>,
    /// The findings on the day before `earliest`: rule and the other milestones they involve.
    binders: Vec<(String, Vec<usize>)>,
}

impl Window {
    /// The rules that bound the window, sorted, once each.
    pub fn rules(&self) -> Vec<String> {
        let mut rules: Vec<String> = self
            .earliest_rules
            .iter()
            .chain(&self.latest_rules)
            .cloned()
            .collect();
        rules.sort();
        rules.dedup();
        rules
    }

    /// Whether `day` lies in the window.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.earliest.is_none_or(|e| e <= day) && self.latest.is_none_or(|l| day <= l)
    }

    /// The day of the window nearest to `day`.
    pub fn nearest(&self, day: NaiveDate) -> NaiveDate {
        match (self.earliest, self.latest) {
            (Some(e), _) if day < e => e,
            (_, Some(l)) if day > l => l,
            _ => day,
        }
    }
}

/// Why a milestone has no window: the rules that conflict on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoDay {
    /// The rules that fire on it on its own day and at both ends of the days searched (every
    /// day searched has a finding of one of them or another), sorted, once each.
    pub rules: Vec<String>,
}

/// A milestone with its window, or the rules that leave it no day.
pub type Explained = (Milestone, Result<Window, NoDay>);

/// One row of the schedule.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The date value.
    pub milestone: Milestone,
    /// Its window given the other proposed dates; `None`: no day satisfies the date rules.
    pub window: Option<Window>,
    /// The proposed day.
    pub proposed: NaiveDate,
    /// It lies on the critical path.
    pub critical: bool,
}

/// A date-rule finding the proposed schedule cannot avoid.
#[derive(Debug, Clone)]
pub struct Conflict {
    /// The rule.
    pub rule: String,
    /// Its message.
    pub message: String,
    /// The milestones involved, with their proposed days.
    pub dates: Vec<(String, NaiveDate)>,
}

/// A link of the critical path: `rule` keeps `milestone` from an earlier day because of `by`.
#[derive(Debug, Clone)]
pub struct Link {
    /// The milestone held (index into [`Schedule::milestones`]).
    pub milestone: usize,
    /// The rule that holds it.
    pub rule: String,
    /// The milestone it is held by, one that cannot move earlier; `None`: moving the dates the
    /// rule involves earlier would not free it.
    pub by: Option<usize>,
}

/// A computed schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The plan's display name.
    pub file: String,
    /// `--today`.
    pub today: NaiveDate,
    /// `--close-on`, if given.
    pub close_on: Option<NaiveDate>,
    /// Every milestone, in document order.
    pub milestones: Vec<Planned>,
    /// The date-rule findings left at the proposed days (empty when feasible).
    pub conflicts: Vec<Conflict>,
    /// The chain of rules that fixes the closure days, closure first.
    pub critical_path: Vec<Link>,
    /// The date rules in force.
    pub date_rules: Vec<String>,
    /// How many times the plan was re-checked.
    pub checks: usize,
}

impl Schedule {
    /// No date rule fires at the proposed days.
    pub fn feasible(&self) -> bool {
        self.conflicts.is_empty()
    }
}

/// A date `--write` moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// The milestone's path.
    pub path: String,
    /// The day it held.
    pub from: NaiveDate,
    /// The day it gets.
    pub to: NaiveDate,
}

/// The result of a repair: what moves, the new text, and the schedule of the repaired plan.
#[derive(Debug, Clone)]
pub struct Repair {
    /// The dates moved, in document order.
    pub moves: Vec<Move>,
    /// The manifest with the dates moved, edited by `toml_edit` through the fix machinery:
    /// everything but the digits of the moved days byte for byte as it was.
    pub text: String,
    /// Date-rule findings the repair could not remove.
    pub conflicts: Vec<Conflict>,
    /// How many times the plan was re-checked.
    pub checks: usize,
}

/// Computes the schedule of a plan.
pub fn plan(
    set: &RuleSet,
    options: &Options,
    source: &Source,
    manifest: &std::path::Path,
    request: &Request,
) -> Result<Schedule, ScheduleError> {
    let mut run = Run::new(set, options, source, manifest, request)?;
    if request.close_on.is_none() {
        run.earliest_closures();
    }
    for i in 0..run.oracle.milestones.len() {
        if run.oracle.milestones[i].closure {
            run.oracle.milestones[i].held = true;
        }
    }
    run.repair_fixpoint();
    Ok(run.finish(options.today, request.close_on))
}

/// Moves only the dates outside their window (with the other dates as they are), each to the
/// nearest end of its window, to a fixpoint; pins and `--close-on` are applied first. A date
/// inside its window never moves, so a repair that would need to move one reports conflicts.
pub fn repair(
    set: &RuleSet,
    options: &Options,
    source: &Source,
    manifest: &std::path::Path,
    request: &Request,
) -> Result<Repair, ScheduleError> {
    let mut run = Run::new(set, options, source, manifest, request)?;
    // Only the dates outside their window (with the others as they are) may move.
    let inside: Vec<usize> = (0..run.days.len())
        .filter(|&i| run.oracle.milestones[i].movable())
        .filter(|&i| run.window(i).is_some_and(|w| w.contains(run.days[i])))
        .collect();
    for i in inside {
        run.oracle.milestones[i].held = true;
    }
    run.repair_fixpoint();
    let oracle = &run.oracle;
    let moves: Vec<Move> = oracle
        .milestones
        .iter()
        .zip(&run.days)
        .filter(|(m, d)| m.current != **d)
        .map(|(m, d)| Move {
            path: m.path.clone(),
            from: m.current,
            to: *d,
        })
        .collect();
    let conflicts = run.conflicts();
    Ok(Repair {
        text: write::write_moves(&source.text, &moves)?,
        moves,
        conflicts,
        checks: oracle.checks(),
    })
}

/// Every milestone with its window given the other dates as they are (pins and `--close-on`
/// applied), in document order.
pub fn windows(
    set: &RuleSet,
    options: &Options,
    source: &Source,
    manifest: &std::path::Path,
    request: &Request,
) -> Result<Vec<(Milestone, Option<Window>)>, ScheduleError> {
    Ok(windows_explained(set, options, source, manifest, request)?
        .into_iter()
        .map(|(m, w)| (m, w.ok()))
        .collect())
}

/// Like [`windows`], and for a milestone without a window, the rules that conflict on it.
pub fn windows_explained(
    set: &RuleSet,
    options: &Options,
    source: &Source,
    manifest: &std::path::Path,
    request: &Request,
) -> Result<Vec<Explained>, ScheduleError> {
    let run = Run::new(set, options, source, manifest, request)?;
    Ok(run.all_windows())
}

/// The windows of a plan already parsed, for the HTML report's timeline: every milestone with
/// its window given the other dates as they are (no pins), under the engine's rules and
/// `today`, in document order. `None`: no day satisfies the date rules.
pub fn plan_windows(
    engine: &Engine,
    source: &Source,
    doc: &Node,
    manifest: &std::path::Path,
) -> Result<Vec<(Milestone, Option<Window>)>, ScheduleError> {
    Ok(plan_windows_explained(engine, source, doc, manifest)?
        .into_iter()
        .map(|(m, w)| (m, w.ok()))
        .collect())
}

/// Like [`plan_windows`], and for a milestone without a window, the rules that conflict on it
/// (what the report's windows table names instead of just "no day").
pub fn plan_windows_explained(
    engine: &Engine,
    source: &Source,
    doc: &Node,
    manifest: &std::path::Path,
) -> Result<Vec<Explained>, ScheduleError> {
    let run = Run::with_doc(
        engine.rules(),
        engine.options(),
        source,
        doc,
        manifest,
        &Request::default(),
    )?;
    Ok(run.all_windows())
}
