//! The report's arranged content: findings grouped by authority, the waiver register and the
//! controls matrix, all from the run's findings and the rule set (no re-checking).

use std::collections::{BTreeMap, BTreeSet};

use super::{
    ArticleGroup, Authority, Control, Item, Mark, Plan, WaiverRow, WaiverStatus, bi, same,
};
use crate::Lang;
use crate::Severity;
use crate::engine::Engine;
use crate::finding::Finding;
use crate::law::{Basis, chinese_number};
use crate::reader::Text;
use crate::source::Source;
use crate::tree::Node;

/// Findings placed under one authority: (shown in full, cross-referenced).
type Placed = (Vec<usize>, Vec<usize>);

/// Groups findings by authority: statutes (by code) → articles (by number); practice sources;
/// then findings no rule declares. A finding is shown in full under its rule's first statute
/// basis (else its first practice source) and cross-referenced under the others.
pub(super) fn authorities(engine: &Engine, items: &[Item]) -> Vec<Authority> {
    let set = engine.rules();
    let law = &set.law;
    // (code, article) → (full, refs); practice key → (full, refs).
    let mut articles: BTreeMap<String, BTreeMap<(u32, String), Placed>> = BTreeMap::new();
    let mut practice: BTreeMap<String, Placed> = BTreeMap::new();
    let mut other = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let Some(rule) = set.rule(&item.finding.rule).filter(|r| !r.basis.is_empty()) else {
            other.push(index);
            continue;
        };
        let primary = rule
            .basis
            .iter()
            .position(|b| matches!(b, Basis::Statute { .. }))
            .unwrap_or(0);
        let mut placed = BTreeSet::new();
        for (bi_, basis) in rule.basis.iter().enumerate() {
            let full = bi_ == primary;
            let slot = match basis {
                Basis::Statute {
                    statute, article, ..
                } => {
                    let order = article.parse().unwrap_or(u32::MAX);
                    if !placed.insert(format!("{statute}/{article}")) {
                        continue;
                    }
                    articles
                        .entry(statute.clone())
                        .or_default()
                        .entry((order, article.clone()))
                        .or_default()
                }
                Basis::Practice { source, .. } => {
                    if !placed.insert(format!("practice/{source}")) {
                        continue;
                    }
                    practice.entry(source.clone()).or_default()
                }
            };
            if full { &mut slot.0 } else { &mut slot.1 }.push(index);
        }
    }
    // Most serious first: active errors, then active findings, then the code.
    let weight = |indexes: &mut dyn Iterator<Item = &usize>| {
        let (mut errors, mut active) = (0usize, 0usize);
        for &i in indexes {
            if items[i].finding.waived.is_none() {
                active += 1;
                errors += usize::from(items[i].finding.severity == Severity::Error);
            }
        }
        (std::cmp::Reverse(errors), std::cmp::Reverse(active))
    };
    let mut articles: Vec<_> = articles.into_iter().collect();
    articles.sort_by_cached_key(|(code, list)| {
        (
            weight(&mut list.values().flat_map(|(full, _)| full)),
            code.clone(),
        )
    });
    let mut practice: Vec<_> = practice.into_iter().collect();
    practice.sort_by_cached_key(|(key, (full, _))| (weight(&mut full.iter()), key.clone()));
    let mut groups = Vec::new();
    for (code, list) in articles {
        let statute = law.statutes.get(&code);
        groups.push(Authority::Statute {
            name: statute
                .map(|s| s.name.clone())
                .unwrap_or_else(|| same(&code)),
            year: statute.map(|s| s.year.clone()).unwrap_or_default(),
            articles: list
                .into_iter()
                .map(|((_, number), (items, refs))| {
                    let article = statute.and_then(|s| s.articles.get(&number));
                    ArticleGroup {
                        heading: bi(
                            format!("第{}条", chinese_number(&number)),
                            format!("Art. {number}"),
                        ),
                        text: article.map(|a| a.text.clone()).unwrap_or_default(),
                        summary: article.map(|a| a.summary.clone()).unwrap_or_default(),
                        verified: article.is_some_and(|a| a.verified),
                        items,
                        refs,
                    }
                })
                .collect(),
            code,
        });
    }
    for (key, (items, refs)) in practice {
        let source = law.practice.get(&key);
        groups.push(Authority::Practice {
            // Named by title, publisher and date, with its caveat; the key is internal.
            title: source.map_or_else(
                || same(&key),
                |s| Text {
                    zh: s.name(Lang::Zh),
                    en: s.name(Lang::En),
                },
            ),
            kind: source.and_then(|s| s.label.clone()),
            note: source
                .map(|s| Text {
                    zh: [s.caveat.zh.as_str(), s.note.zh.as_str()]
                        .iter()
                        .filter(|t| !t.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join("。"),
                    en: [s.caveat.en.as_str(), s.note.en.as_str()]
                        .iter()
                        .filter(|t| !t.is_empty())
                        .map(|t| {
                            let mut c = t.chars();
                            c.next()
                                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                                .unwrap_or_default()
                        })
                        .collect::<Vec<_>>()
                        .join(". "),
                })
                .unwrap_or_default(),
            items,
            refs,
        });
    }
    if !other.is_empty() {
        groups.push(Authority::Other { items: other });
    }
    groups
}

/// The waiver register: every `hegui:allow` comment of every plan, parsed by the engine's own
/// parser, judged by the engine's criteria (complete, known rule, readable `until` not past
/// `today`), and linked to the findings it waives and the WVR findings about it.
pub(super) fn waiver_register(
    engine: &Engine,
    inputs: &[(Option<&Source>, Option<&Node>)],
    items: &[Item],
) -> Vec<WaiverRow> {
    let today = engine.options().today;
    let known = &engine.rules().known_ids;
    let mut rows = Vec::new();
    for (plan, input) in inputs.iter().enumerate() {
        let (Some(source), Some(doc)) = *input else {
            continue;
        };
        for w in crate::waivers::parse(source, doc) {
            let rule = w.rule.as_ref().map(|r| r.0.clone()).unwrap_or_default();
            let missing = w.missing();
            let status = if !missing.is_empty() {
                let m = missing.join(", ");
                WaiverStatus::Invalid(bi(
                    format!("不完整：缺少 {m}"),
                    format!("incomplete: {m} missing"),
                ))
            } else if !known.contains(&rule) {
                WaiverStatus::Invalid(bi("未知规则", "unknown rule"))
            } else {
                match &w.until {
                    Some((_, None, _)) => {
                        WaiverStatus::Invalid(bi("期限日期无法识别", "unreadable until date"))
                    }
                    Some((_, Some(d), _)) if *d < today => WaiverStatus::Expired,
                    _ => WaiverStatus::Valid,
                }
            };
            let in_plan = |i: &&Item| i.plan == Some(plan);
            let waives = items
                .iter()
                .enumerate()
                .filter(|(_, i)| in_plan(i))
                .filter(|(_, i)| {
                    status == WaiverStatus::Valid
                        && i.finding.rule == rule
                        && i.finding.waived.is_some()
                        && i.finding.source.name == source.name
                        && i.finding.source.line_of(i.finding.span.start) == w.target_line
                })
                .map(|(n, _)| n)
                .collect();
            let reported_by = items
                .iter()
                .enumerate()
                .filter(|(_, i)| in_plan(i))
                .filter(|(_, i)| {
                    i.finding.rule.starts_with("WVR")
                        && i.finding.source.name == source.name
                        && w.span.start <= i.finding.span.start
                        && i.finding.span.end <= w.span.end
                })
                .map(|(n, _)| n)
                .collect();
            rows.push(WaiverRow {
                plan,
                line: w.target_line,
                rule,
                reason: w.reason.clone().unwrap_or_default(),
                approver: w.approver.clone().unwrap_or_default(),
                until: w.until.as_ref().map(|u| u.0.clone()).unwrap_or_default(),
                status,
                waives,
                reported_by,
            });
        }
    }
    rows
}

/// Every rule that held in at least one plan, with its mark in each plan; and how many rules
/// were evaluated in no plan at all.
pub(super) fn controls(
    engine: &Engine,
    plans: &[Plan],
    items: &[Item],
    baselined: &[Finding],
) -> (Vec<Control>, usize) {
    let set = engine.rules();
    let mut out = Vec::new();
    let mut not_applied = 0;
    for rule in &set.rules {
        let marks: Vec<Mark> = plans
            .iter()
            .enumerate()
            .map(|(p, plan)| {
                let mine = items
                    .iter()
                    .filter(|i| i.plan == Some(p) && i.finding.rule == rule.id);
                let (mut active, mut waived) = (false, false);
                for i in mine {
                    if i.finding.waived.is_some() {
                        waived = true;
                    } else {
                        active = true;
                    }
                }
                let accepted = baselined
                    .iter()
                    .any(|f| f.rule == rule.id && f.source.name == plan.name);
                match (active, waived, plan.decided.contains(&rule.id)) {
                    (true, _, _) => Mark::Failed,
                    (false, true, _) => Mark::Waived,
                    (false, false, _) if accepted => Mark::Baselined,
                    (false, false, true) => Mark::Held,
                    (false, false, false) => Mark::NotApplied,
                }
            })
            .collect();
        if !marks.contains(&Mark::Held) {
            if marks.iter().all(|m| *m == Mark::NotApplied) {
                not_applied += 1;
            }
            continue;
        }
        // A control is what a reviewer signs off: a rule resting on a statute or on practice,
        // not one resting only on sources that say they are no such basis (the manifest
        // format: such rules make the facts readable).
        let signed_off = rule.basis.iter().any(|b| match b {
            Basis::Statute { .. } => true,
            Basis::Practice { source, .. } => set
                .law
                .practice
                .get(source)
                .is_none_or(|p| p.label.is_none()),
        });
        if !signed_off {
            continue;
        }
        out.push(Control {
            rule: rule.id.clone(),
            severity: rule.severity,
            title: rule.title.clone(),
            basis: bi(
                rule.basis
                    .iter()
                    .map(|b| set.law.cite(b, Lang::Zh))
                    .collect::<Vec<_>>()
                    .join("；"),
                rule.basis
                    .iter()
                    .map(|b| set.law.cite(b, Lang::En))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            marks,
        });
    }
    (out, not_applied)
}
