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
mod write;

use chrono::NaiveDate;

pub use oracle::Milestone;
pub use output::{render_human, render_ics, render_json, render_moves};

use crate::eval::engine::{Engine, Options, PatternError};
use crate::rules::RuleSet;
use crate::source::Source;
use crate::syntax::tree::{DocPath, Node};
use oracle::{Oracle, Touch};

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

/// One computation: the oracle and the days as they stand.
struct Run {
    oracle: Oracle,
    days: Vec<NaiveDate>,
    today: NaiveDate,
}

impl Run {
    fn new(
        set: &RuleSet,
        options: &Options,
        source: &Source,
        manifest: &std::path::Path,
        request: &Request,
    ) -> Result<Run, ScheduleError> {
        let doc = crate::tree::parse(&source.text).map_err(|e| ScheduleError::NotParsed {
            file: source.name.clone(),
            message: e.message,
        })?;
        Run::with_doc(set, options, source, &doc, manifest, request)
    }

    fn with_doc(
        set: &RuleSet,
        options: &Options,
        source: &Source,
        doc: &Node,
        manifest: &std::path::Path,
        request: &Request,
    ) -> Result<Run, ScheduleError> {
        let mut oracle = Oracle::new(set, options, source, doc, manifest).map_err(|e| {
            ScheduleError::Pattern(e.into_iter().next().unwrap_or(PatternError {
                rule: String::new(),
                message: "a pattern does not compile".into(),
            }))
        })?;
        let today = options.today;
        let mut days: Vec<NaiveDate> = oracle.milestones.iter().map(|m| m.current).collect();
        if let Some(day) = request.close_on {
            if day < today {
                return Err(ScheduleError::PastDay {
                    what: "--close-on".into(),
                    day,
                    today,
                });
            }
            for (m, d) in oracle.milestones.iter_mut().zip(days.iter_mut()) {
                if m.closure && !m.fact {
                    m.pinned = true;
                    *d = day;
                }
            }
        }
        for (path, day) in &request.pins {
            let wanted = DocPath::parse(path).map(|p| p.to_string());
            let Some(i) = oracle
                .milestones
                .iter()
                .position(|m| Some(&m.path) == wanted.as_ref())
            else {
                return Err(ScheduleError::UnknownPin {
                    path: path.clone(),
                    known: oracle
                        .milestones
                        .iter()
                        .map(|m| m.path.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            let m = &mut oracle.milestones[i];
            if *day < today {
                return Err(ScheduleError::PastDay {
                    what: format!("--pin {path}"),
                    day: *day,
                    today,
                });
            }
            if m.fact && *day != m.current {
                return Err(ScheduleError::MovesFact {
                    what: format!("--pin {path}"),
                    path: m.path.clone(),
                    day: m.current,
                    today,
                });
            }
            m.pinned = true;
            days[i] = *day;
        }
        Ok(Run {
            oracle,
            days,
            today,
        })
    }

    /// Every milestone with its window given the other days.
    fn all_windows(&self) -> Vec<(Milestone, Option<Window>)> {
        (0..self.days.len())
            .map(|i| (self.oracle.milestones[i].clone(), self.window(i)))
            .collect()
    }

    /// The days searched for milestone `i`.
    fn domain(&self, i: usize) -> (NaiveDate, NaiveDate) {
        let m = &self.oracle.milestones[i];
        let horizon = chrono::Duration::days(HORIZON_DAYS);
        let top = m.current.max(self.today).max(self.days[i]) + horizon;
        if m.fact {
            (m.current - horizon, top)
        } else {
            (self.today, top)
        }
    }

    /// The findings involving milestone `i` when it holds `day` and the others hold `days`.
    fn touching(&self, i: usize, day: NaiveDate) -> Vec<Touch> {
        let mut days = self.days.clone();
        days[i] = day;
        self.oracle
            .touches(&days)
            .iter()
            .filter(|t| t.milestones.contains(&i))
            .cloned()
            .collect()
    }

    fn ok(&self, i: usize, day: NaiveDate) -> bool {
        self.touching(i, day).is_empty()
    }

    /// The window of milestone `i` given the other days; `None` when no day of the domain is
    /// free of date-rule findings involving it.
    fn window(&self, i: usize) -> Option<Window> {
        let (lo, hi) = self.domain(i);
        let start = self.inside_day(i, lo, hi)?;
        let step = chrono::Duration::days(1);
        // Each end: gallop outwards from `start` (1, 2, 4, … days) to the first day with a
        // finding or the end of the domain, then bisect between the last free day and it.
        let earliest = match self.gallop(i, start, lo, -1) {
            None => (!self.oracle.milestones[i].fact).then_some(lo),
            Some((good, bad)) => Some(self.bisect(i, good, bad)),
        };
        let latest = self
            .gallop(i, start, hi, 1)
            .map(|(good, bad)| self.bisect(i, good, bad));
        let below = earliest
            .filter(|e| *e > lo)
            .map(|e| self.touching(i, e - step));
        let above = latest.map(|l| self.touching(i, l + step));
        let ids = |ts: &Option<Vec<Touch>>| -> Vec<String> {
            let mut ids: Vec<String> = ts.iter().flatten().map(|t| t.rule.clone()).collect();
            ids.sort();
            ids.dedup();
            ids
        };
        Some(Window {
            earliest_rules: ids(&below),
            latest_rules: ids(&above),
            binders: below
                .unwrap_or_default()
                .into_iter()
                .map(|t| {
                    let others = t.milestones.into_iter().filter(|m| *m != i).collect();
                    (t.rule, others)
                })
                .collect(),
            earliest,
            latest,
        })
    }

    /// From the free day `start` towards `end` (`dir` is -1 or 1): a free day and a day with a
    /// finding beyond it, or `None` when no probe up to `end` has a finding.
    fn gallop(
        &self,
        i: usize,
        start: NaiveDate,
        end: NaiveDate,
        dir: i64,
    ) -> Option<(NaiveDate, NaiveDate)> {
        let mut good = start;
        let mut jump = 1;
        while good != end {
            let next = good + chrono::Duration::days(dir * jump);
            let next = if dir < 0 {
                next.max(end)
            } else {
                next.min(end)
            };
            if !self.ok(i, next) {
                return Some((good, next));
            }
            good = next;
            jump *= 2;
        }
        None
    }

    /// The last free day from `good` towards `bad` (free at `good`, a finding at `bad`).
    fn bisect(&self, i: usize, mut good: NaiveDate, mut bad: NaiveDate) -> NaiveDate {
        while (bad - good).num_days().abs() > 1 {
            let mid = good + chrono::Duration::days((bad - good).num_days() / 2);
            if self.ok(i, mid) {
                good = mid;
            } else {
                bad = mid;
            }
        }
        good
    }

    /// A free day of milestone `i`: its own day if free, else the nearest free day found by
    /// probing the ends of the domain, a scan outwards in steps of a week, then a scan day by
    /// day within [`FINE_SCAN_DAYS`] of its own day. `None` when all of them have findings.
    fn inside_day(&self, i: usize, lo: NaiveDate, hi: NaiveDate) -> Option<NaiveDate> {
        let own = self.days[i].clamp(lo, hi);
        if self.ok(i, own) {
            return Some(own);
        }
        let reach = (own - lo).num_days().max((hi - own).num_days());
        let mut found: Vec<NaiveDate> = [lo, hi].into_iter().filter(|d| self.ok(i, *d)).collect();
        for (stride, limit) in [(STRIDE, reach), (1, FINE_SCAN_DAYS.min(reach))] {
            let mut k = stride;
            while k <= limit {
                let offset = chrono::Duration::days(k);
                for day in [own - offset, own + offset] {
                    if day >= lo && day <= hi && self.ok(i, day) {
                        found.push(day);
                    }
                }
                if !found.is_empty() {
                    break;
                }
                k += stride;
            }
            if !found.is_empty() {
                break;
            }
        }
        found
            .into_iter()
            .min_by_key(|d| ((*d - own).num_days().abs(), *d))
    }

    /// Closures to the earliest day the facts allow: each closure to the start of its window,
    /// and every movable milestone that binds that start to the start of its own, until nothing
    /// moves.
    fn earliest_closures(&mut self) {
        for _ in 0..MAX_ROUNDS {
            let mut moved = false;
            for c in 0..self.days.len() {
                let m = &self.oracle.milestones[c];
                if !m.closure || !m.movable() {
                    continue;
                }
                let Some(w) = self.window(c) else {
                    continue;
                };
                if let Some(e) = w.earliest
                    && e != self.days[c]
                {
                    self.days[c] = e;
                    moved = true;
                }
                let binders: Vec<usize> = w.binders.iter().flat_map(|(_, b)| b.clone()).collect();
                for b in binders {
                    let mb = &self.oracle.milestones[b];
                    if mb.closure || !mb.movable() {
                        continue;
                    }
                    if let Some(e) = self.window(b).and_then(|w| w.earliest)
                        && e < self.days[b]
                    {
                        self.days[b] = e;
                        moved = true;
                    }
                }
            }
            if !moved {
                break;
            }
        }
        // Only the closures' days are kept; the other milestones start again from their own.
        for (i, m) in self.oracle.milestones.iter().enumerate() {
            if !m.closure {
                self.days[i] = if m.pinned { self.days[i] } else { m.current };
            }
        }
    }

    /// Every movable milestone outside its window to the nearest end of it, until nothing
    /// moves.
    fn repair_fixpoint(&mut self) {
        for _ in 0..MAX_ROUNDS {
            let mut moved = false;
            // Closures last: a closure moves only when moving the other dates does not help.
            let order: Vec<usize> = (0..self.days.len())
                .filter(|&i| !self.oracle.milestones[i].closure)
                .chain((0..self.days.len()).filter(|&i| self.oracle.milestones[i].closure))
                .collect();
            for i in order {
                if !self.oracle.milestones[i].movable() {
                    continue;
                }
                let Some(w) = self.window(i) else {
                    continue;
                };
                let to = w.nearest(self.days[i]);
                if to != self.days[i] {
                    self.days[i] = to;
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
    }

    fn conflicts(&self) -> Vec<Conflict> {
        self.oracle
            .touches(&self.days)
            .iter()
            .map(|t| Conflict {
                rule: t.rule.clone(),
                message: t.message.clone(),
                dates: t
                    .milestones
                    .iter()
                    .map(|i| (self.oracle.milestones[*i].path.clone(), self.days[*i]))
                    .collect(),
            })
            .collect()
    }

    fn finish(self, today: NaiveDate, close_on: Option<NaiveDate>) -> Schedule {
        let n = self.days.len();
        let windows: Vec<Option<Window>> = (0..n).map(|i| self.window(i)).collect();
        // The critical path: from each closure held at the start of its window, the rules that
        // keep it from the day before, and the milestones they are held by, as long as those
        // cannot move earlier either.
        let mut critical = vec![false; n];
        let mut path = Vec::new();
        let mut queue: Vec<usize> = (0..n)
            .filter(|&i| self.oracle.milestones[i].closure)
            .filter(|&i| {
                windows[i]
                    .as_ref()
                    .is_some_and(|w| w.earliest == Some(self.days[i]))
            })
            .collect();
        for &c in &queue {
            critical[c] = true;
        }
        while let Some(i) = (!queue.is_empty()).then(|| queue.remove(0)) {
            let Some(w) = &windows[i] else {
                continue;
            };
            let tight = |b: usize| {
                !self.oracle.milestones[b].movable()
                    || windows[b]
                        .as_ref()
                        .is_some_and(|wb| wb.earliest == Some(self.days[b]))
            };
            // The rules that hold `i`: those still firing on the day before with every date
            // they involve that could move earlier moved to its earliest day.
            let mut trial = self.days.clone();
            trial[i] = self.days[i] - chrono::Duration::days(1);
            for &b in w.binders.iter().flat_map(|(_, by)| by) {
                if !tight(b)
                    && let Some(e) = windows[b].as_ref().and_then(|wb| wb.earliest)
                {
                    trial[b] = e;
                }
            }
            let still = self.oracle.touches(&trial);
            let mut seen = std::collections::BTreeSet::new();
            for t in still.iter().filter(|t| t.milestones.contains(&i)) {
                let by: Vec<usize> = t.milestones.iter().copied().filter(|&b| b != i).collect();
                let rule = &t.rule;
                if !seen.insert((rule.clone(), by.clone())) {
                    continue;
                }
                let held_by: Vec<usize> = by.iter().copied().filter(|&b| tight(b)).collect();
                if held_by.is_empty() {
                    path.push(Link {
                        milestone: i,
                        rule: rule.clone(),
                        by: None,
                    });
                }
                for b in held_by {
                    path.push(Link {
                        milestone: i,
                        rule: rule.clone(),
                        by: Some(b),
                    });
                    if !critical[b] {
                        critical[b] = true;
                        queue.push(b);
                    }
                }
            }
        }
        let conflicts = self.conflicts();
        let checks = self.oracle.checks();
        let date_rules = self.oracle.date_rules();
        let Run { oracle, days, .. } = self;
        let milestones = oracle
            .milestones
            .iter()
            .zip(days)
            .zip(windows)
            .zip(critical)
            .map(|(((m, proposed), window), critical)| Planned {
                milestone: m.clone(),
                window,
                proposed,
                critical,
            })
            .collect();
        Schedule {
            file: oracle.name().to_owned(),
            today,
            close_on,
            milestones,
            conflicts,
            critical_path: path,
            date_rules,
            checks,
        }
    }
}
