//! The built-in rules' fixtures, embedded for `hegui explain`.

/// (rule id, `fail` or `pass`, text).
pub const FIXTURES: &[(&str, &str, &str)] =
    &include!(concat!(env!("OUT_DIR"), "/builtin_fixtures.rs"));

/// Lines of `text` marked `# expect: ID` (1-based).
fn marked_lines(text: &str, id: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            l.split_once("# expect:")
                .is_some_and(|(_, ids)| ids.split(',').any(|i| i.trim() == id))
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// An excerpt of a rule's fixture: around the lines marked for it (fail), or around the lines
/// that differ from the failing one (pass); a short fixture is shown whole.
pub fn example(id: &str, kind: &str) -> Option<String> {
    let text = FIXTURES.iter().find(|(i, k, _)| *i == id && *k == kind)?.2;
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= 24 {
        return Some(text.trim_end().to_owned());
    }
    let centres = if kind == "fail" {
        marked_lines(text, id)
    } else {
        let fail = FIXTURES
            .iter()
            .find(|(i, k, _)| *i == id && *k == "fail")
            .map_or("", |f| f.2);
        let fail_lines: std::collections::HashSet<&str> = fail.lines().collect();
        lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !fail_lines.contains(*l) && !l.trim().is_empty())
            .map(|(i, _)| i + 1)
            .collect()
    };
    if centres.is_empty() {
        return Some(lines[..24].join("\n") + "\n…");
    }
    let mut keep = vec![false; lines.len()];
    for c in centres.iter().take(6) {
        let lo = c.saturating_sub(4);
        for k in keep.iter_mut().take((*c + 2).min(lines.len())).skip(lo) {
            *k = true;
        }
    }
    let mut out = String::new();
    let mut gap = false;
    for (i, line) in lines.iter().enumerate() {
        if keep[i] {
            if gap {
                out.push_str("…\n");
            }
            gap = false;
            out.push_str(&format!("{:>4} | {line}\n", i + 1));
        } else {
            gap = true;
        }
    }
    Some(out.trim_end().to_owned())
}
