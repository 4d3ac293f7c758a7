//! How the engine evaluates rules, beyond what the per-rule fixtures show: `let` values that
//! do not depend on the item are computed once per file (and must behave exactly as if they
//! were computed per item), and `entries` is in document order even when arrays interleave.

mod common;

use std::path::Path;

use hegui::rules::RuleSet;
use hegui::{Engine, Lang, Options, SourceFile};

fn check(engine: &Engine, text: &str) -> Vec<hegui::Finding> {
    let source = SourceFile::new("plans/t.plan.toml", text);
    engine.check_source(&source, Path::new("plans/t.plan.toml"), Path::new("."))
}

/// Arrays of tables may interleave; the first use of a duplicated id is the first in the
/// document, whichever array it is in.
#[test]
fn duplicate_ids_point_at_the_first_use_in_document_order() {
    let text = "\
[[account]]
id = \"a\"
[[data]]
id = \"x\"
[[account]]
id = \"x\"
[[data]]
id = \"x\"
";
    let engine = common::engine(&["SCH005"], Lang::En);
    let found = check(&engine, text);
    let dup: Vec<_> = found.iter().filter(|f| f.rule == "SCH005").collect();
    assert_eq!(dup.len(), 2, "{found:#?}");
    let first_x = text.find("id = \"x\"").unwrap() + 5;
    for f in dup {
        // Both later uses (lines 6 and 8) point back at line 4, the data entry.
        assert!(f.span.start > first_x);
        assert_eq!(f.labels.len(), 1, "{f:#?}");
        assert_eq!(f.labels[0].span, first_x..first_x + 3, "{f:#?}");
    }
}

/// A rule pack whose `let`s mix item-independent and item-dependent values.
const PACK: &str = r#"
[family]
id = "EVL"
title = { zh = "求值", en = "Evaluation" }

[[rule]]
id = "EVL001"
severity = "error"
title = { zh = "共享值", en = "Shared value" }
rationale = { zh = "测试", en = "test" }
basis = [{ practice = "hegui" }]
scope = "account"
let.ids = "plan.account.map(a, a.id)"
let.rank = "ids.filter(i, i < item.id).size()"
let.total = "ids.size()"
assert = "rank < total - 1"
at = "id"
message = { zh = "{item.id} 排在最后（共 {total} 个）", en = "{item.id} is last of {total}" }

[[rule]]
id = "EVL002"
severity = "error"
title = { zh = "失败", en = "Failing" }
rationale = { zh = "测试", en = "test" }
basis = [{ practice = "hegui" }]
scope = "account"
let.broken = "1 / (size(plan.account) - size(plan.account))"
assert = "broken > 0"
at = "id"
message = { zh = "不应出现", en = "never shown" }

# EVL003 and EVL004 share EVL001's `ids` (same text, reads only the file: one value per file),
# but their `skipped` lets have the same text and read `params`, and their `n` lets have the
# same text and read an earlier `let` that differs: neither may be shared between the rules.
[[rule]]
id = "EVL003"
severity = "error"
title = { zh = "参数", en = "Parameter" }
rationale = { zh = "测试", en = "test" }
basis = [{ practice = "hegui" }]
params.skip = { default = "a", doc = { zh = "跳过", en = "skipped" } }
scope = "file"
let.ids = "plan.account.map(a, a.id)"
let.skipped = "ids.filter(i, i != params.skip)"
let.base = "1"
let.n = "skipped.size() + base"
assert = "false"
message = { zh = "{skipped} {n}", en = "{skipped} {n}" }

[[rule]]
id = "EVL004"
severity = "error"
title = { zh = "参数", en = "Parameter" }
rationale = { zh = "测试", en = "test" }
basis = [{ practice = "hegui" }]
params.skip = { default = "b", doc = { zh = "跳过", en = "skipped" } }
scope = "file"
let.ids = "plan.account.map(a, a.id)"
let.skipped = "ids.filter(i, i != params.skip)"
let.base = "10"
let.n = "skipped.size() + base"
assert = "false"
message = { zh = "{skipped} {n}", en = "{skipped} {n}" }
"#;

fn pack_engine() -> Engine {
    let mut sources = hegui::builtin_sources();
    sources.retain(|s| {
        !s.name.ends_with(".toml") || s.name.contains("manifest") || s.name.contains("law")
    });
    sources.push(SourceFile::new("team/evl.toml", PACK));
    let mut set = RuleSet::load(sources).unwrap_or_else(|f| panic!("{f:?}"));
    set.retain(|r| r.id.starts_with("EVL"));
    let options = Options {
        lang: Lang::En,
        today: common::today(),
    };
    Engine::new(set, options).unwrap()
}

/// A shared `let` gives every item the same value, and a `let` that reads `item` is still
/// evaluated per item: only the last account (by id) fires.
#[test]
fn item_independent_lets_are_shared_and_item_dependent_ones_are_not() {
    let text = "[[account]]\nid = \"b\"\n[[account]]\nid = \"c\"\n[[account]]\nid = \"a\"\n";
    let found = check(&pack_engine(), text);
    let evl1: Vec<_> = found.iter().filter(|f| f.rule == "EVL001").collect();
    assert_eq!(evl1.len(), 1, "{found:#?}");
    assert_eq!(evl1[0].message, "c is last of 3");
    assert_eq!(&text[evl1[0].span.clone()], "\"c\"");
}

/// Rules share a `let` value only where it cannot differ between them: the same text reading
/// `params` or an earlier `let` is evaluated per rule.
#[test]
fn lets_are_shared_between_rules_only_when_they_read_the_file_alone() {
    let text = "[[account]]\nid = \"b\"\n[[account]]\nid = \"c\"\n[[account]]\nid = \"a\"\n";
    let found = check(&pack_engine(), text);
    let message = |id: &str| -> Vec<String> {
        found
            .iter()
            .filter(|f| f.rule == id)
            .map(|f| f.message.clone())
            .collect()
    };
    assert_eq!(message("EVL003"), ["b, c 3"], "{found:#?}");
    assert_eq!(message("EVL004"), ["c, a 12"], "{found:#?}");
    assert_eq!(message("EVL001"), ["c is last of 3"], "{found:#?}");
}

/// A shared `let` that fails fails for every item, each reported on its own item.
#[test]
fn a_failing_shared_let_is_reported_for_every_item() {
    let text = "[[account]]\nid = \"b\"\n[[account]]\nid = \"c\"\n";
    let found = check(&pack_engine(), text);
    let failed: Vec<_> = found.iter().filter(|f| f.rule == "EVL002").collect();
    assert_eq!(failed.len(), 2, "{found:#?}");
    for f in &failed {
        assert!(
            f.message.contains("could not be evaluated"),
            "{}",
            f.message
        );
    }
    assert_ne!(failed[0].span, failed[1].span);
}
