//! One schedule computation: windows from the oracle, the earliest closures, repairs and
//! the conflicts, over the days as they stand.

use crate::eval::engine::{Options, PatternError};
use crate::rules::RuleSet;
use crate::source::Source;
use crate::syntax::tree::{DocPath, Node};
use chrono::NaiveDate;
use oracle::{Oracle, Touch};

use super::*;

/// One computation: the oracle and the days as they stand.
pub(super) struct Run {
    pub(super) oracle: Oracle,
    pub(super) days: Vec<NaiveDate>,
    pub(super) today: NaiveDate,
}

impl Run {
    pub(super) fn new(
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

    pub(super) fn with_doc(
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

    /// Every milestone with its window given the other days, or the rules that leave it none.
    pub(super) fn all_windows(&self) -> Vec<Explained> {
        (0..self.days.len())
            .map(|i| {
                let window = self.window(i).ok_or_else(|| self.no_day(i));
                (self.oracle.milestones[i].clone(), window)
            })
            .collect()
    }

    /// The rules that fire on milestone `i` on its own day and at both ends of its domain:
    /// when it has no window, those that conflict on it (days [`Run::inside_day`] probed).
    pub(super) fn no_day(&self, i: usize) -> NoDay {
        let (lo, hi) = self.domain(i);
        let own = self.days[i].clamp(lo, hi);
        let mut rules: Vec<String> = [lo, own, hi]
            .into_iter()
            .flat_map(|day| self.touching(i, day))
            .map(|t| t.rule)
            .collect();
        rules.sort();
        rules.dedup();
        NoDay { rules }
    }

    /// The days searched for milestone `i`.
    pub(super) fn domain(&self, i: usize) -> (NaiveDate, NaiveDate) {
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
    pub(super) fn touching(&self, i: usize, day: NaiveDate) -> Vec<Touch> {
        let mut days = self.days.clone();
        days[i] = day;
        self.oracle
            .touches_of(i, &days)
            .iter()
            .filter(|t| t.milestones.contains(&i))
            .cloned()
            .collect()
    }

    pub(super) fn ok(&self, i: usize, day: NaiveDate) -> bool {
        self.touching(i, day).is_empty()
    }

    /// The window of milestone `i` given the other days; `None` when no day of the domain is
    /// free of date-rule findings involving it.
    pub(super) fn window(&self, i: usize) -> Option<Window> {
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
    pub(super) fn gallop(
        &self,
        i: usize,
        start: NaiveDate,
        end: NaiveDate,
        dir: i64,
    ) -> Option<(NaiveDate, NaiveDate)> {
        // The end first: a window is one run of days, so when `end` is free as well as
        // `start`, so is every day between them and the gallop would find no finding.
        if start != end && self.ok(i, end) {
            return None;
        }
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
    pub(super) fn bisect(&self, i: usize, mut good: NaiveDate, mut bad: NaiveDate) -> NaiveDate {
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
    pub(super) fn inside_day(&self, i: usize, lo: NaiveDate, hi: NaiveDate) -> Option<NaiveDate> {
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
    pub(super) fn earliest_closures(&mut self) {
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
    pub(super) fn repair_fixpoint(&mut self) {
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

    pub(super) fn conflicts(&self) -> Vec<Conflict> {
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

    pub(super) fn finish(self, today: NaiveDate, close_on: Option<NaiveDate>) -> Schedule {
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
            let still = self.oracle.touches_of(i, &trial);
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
