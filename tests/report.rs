//! `hegui report`: the HTML and Markdown reports of the example plans hold every section,
//! every finding and the timeline; they exit like `check`; nothing from a manifest reaches the
//! HTML as markup; the waiver register and the controls agree with the findings.

use std::path::Path;

use assert_cmd::Command;
use sha2::{Digest, Sha256};

const TODAY: &str = "2026-11-22";
const CSS: &str = include_str!("../src/output/report/report.css");

fn hegui() -> Command {
    let mut cmd = Command::cargo_bin("hegui").unwrap();
    cmd.env("NO_COLOR", "1").env_remove("LANG");
    cmd
}

/// Runs `hegui report ARGS -o DIR/NAME`; returns the file's text and the exit status.
fn report(dir: &Path, name: &str, args: &[&str]) -> (String, i32) {
    let out = dir.join(name);
    let status = hegui()
        .arg("report")
        .args(args)
        .args(["--today", TODAY, "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let code = status.status.code().unwrap();
    assert!(
        code != 2,
        "report failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    (std::fs::read_to_string(&out).unwrap(), code)
}

fn check_json(args: &[&str]) -> serde_json::Value {
    let out = hegui()
        .args(["check", "--format", "json", "--today", TODAY])
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every tag the HTML renderer writes; anything else is markup that came from somewhere else.
const TAGS: &[&str] = &[
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "nav",
    "ol",
    "ul",
    "li",
    "a",
    "section",
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "div",
    "span",
    "strong",
    "code",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "blockquote",
    "article",
    "pre",
    "mark",
    "svg",
    "g",
    "rect",
    "line",
    "path",
    "text",
];
const ATTRIBUTES: &[&str] = &[
    "class",
    "id",
    "href",
    "lang",
    "title",
    "charset",
    "http-equiv",
    "content",
    "name",
    "xmlns",
    "viewBox",
    "role",
    "aria-label",
    "x",
    "y",
    "x1",
    "x2",
    "y1",
    "y2",
    "width",
    "height",
    "rx",
    "d",
    "text-anchor",
];

/// Scans every tag of a document: each must be one the renderer writes, with attributes it
/// writes, values double-quoted. Returns the tag names seen.
fn scan_tags(html: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        if let Some(doctype) = rest.strip_prefix("!DOCTYPE html>") {
            rest = doctype;
            continue;
        }
        let gt = rest.find('>').expect("unclosed tag");
        let tag = &rest[..gt];
        rest = &rest[gt + 1..];
        let tag = tag.trim_end_matches('/');
        let closing = tag.starts_with('/');
        let tag = tag.trim_start_matches('/');
        let name_end = tag.find(' ').unwrap_or(tag.len());
        let name = &tag[..name_end];
        assert!(TAGS.contains(&name), "unexpected tag <{name}> in `<{tag}>`");
        seen.push(name.to_owned());
        let mut attrs = &tag[name_end..];
        assert!(
            !closing || attrs.is_empty(),
            "attributes on a closing tag: {tag}"
        );
        while !attrs.trim().is_empty() {
            attrs = attrs.trim_start();
            let eq = attrs
                .find("=\"")
                .unwrap_or_else(|| panic!("bad attribute in <{tag}>"));
            let attr = &attrs[..eq];
            assert!(
                ATTRIBUTES.contains(&attr),
                "unexpected attribute {attr} in <{tag}>"
            );
            let value_end = attrs[eq + 2..].find('"').expect("unclosed attribute") + eq + 2;
            let value = &attrs[eq + 2..value_end];
            assert!(!value.contains('<'), "raw < in attribute value of <{tag}>");
            if attr == "href" {
                assert!(
                    value.starts_with('#'),
                    "a link that leaves the page: {value}"
                );
            }
            attrs = &attrs[value_end + 1..];
        }
    }
    seen
}

/// A manifest with hostile strings in ids, titles, notice texts and waivers, based on a rule
/// fixture (so it has findings, a timeline and waivers of every status).
fn hostile(dir: &Path) -> std::path::PathBuf {
    let base = std::fs::read_to_string("fixtures/ACC001/fail.plan.toml").unwrap();
    let script = "<script>alert(1)</script>";
    let img = r#"\"><img src=x onerror=alert(1)>"#;
    let text = base
        .replace(
            r#"title = "华信生活微信公众号停运与注销计划""#,
            &format!(r#"title = "{script} {img} </style> 计划""#),
        )
        .replace(r#"organization = "上海华信生活服务有限公司""#, r#"organization = "</style><style>body{display:none}</style>""#)
        .replace(r#"id = "sub-news""#, &format!(r#"id = "{script}""#))
        .replace(r#"covers = ["sub-news"]"#, &format!(r#"covers = ["{script}"]"#))
        .replace(r#"id = "ntc-sub-change""#, &format!(r#"id = "{img}""#))
        .replace(
            "欢迎通过菜单栏入口关注。",
            "欢迎通过菜单栏入口关注。</style><script>alert(2)</script>本活动最终解释权归本店所有。",
        )
        .replace(
            "closure_effective_on = 2026-12-15  # expect: ACC001",
            "# hegui:allow ACC001 reason=\"<script>alert(3)</script>\" approver=\"</style><img src=x onerror=alert(4)>\" until=2027-01-31\nclosure_effective_on = 2026-12-15",
        )
        .replace(
            "closure_effective_on = 2026-12-18",
            "# hegui:allow NTC001 reason=\"old\" approver=\"li.wei\" until=2026-01-31\n# hegui:allow XYZ999 reason=\"typo\" approver=\"li.wei\"\nclosure_effective_on = 2026-12-18",
        )
        .replace(
            "export_by = 2026-12-01\ncopyright_registered = true",
            "# hegui:allow DAT010 reason=\"<b>no approver</b>\"\nexport_by = 2026-12-01\ncopyright_registered = true",
        );
    assert_ne!(text, base);
    let path = dir.join("hostile.plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn no_manifest_string_reaches_the_html_as_markup() {
    let dir = tempfile::tempdir().unwrap();
    let plan = hostile(dir.path());
    let plan = plan.to_str().unwrap();
    for lang in ["zh", "en", "both"] {
        let (html, code) = report(dir.path(), "r.html", &[plan, "--lang", lang]);
        assert_eq!(code, 1, "the hostile plan has active errors");
        let tags = scan_tags(&html);
        assert_eq!(
            tags.iter().filter(|t| *t == "style").count(),
            2,
            "one <style> and its end"
        );
        let lower = html.to_lowercase();
        assert!(!lower.contains("<script") && !lower.contains("<img"));
        // The stylesheet is exactly ours: `</style>` in the data did not end it.
        let start = html.find("<style>").unwrap() + "<style>\n".len();
        let end = html.find("</style>").unwrap();
        assert_eq!(&html[start..end], CSS);
        // The strings did reach the report, as text: title, ids (timeline), waiver fields,
        // notice text (excerpt).
        for shown in [
            "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt; &lt;/style&gt; 计划",
            "&lt;/style&gt;&lt;style&gt;body{display:none}&lt;/style&gt;",
            "&lt;script&gt;alert(3)&lt;/script&gt;",
            "&lt;/style&gt;&lt;img src=x onerror=alert(4)&gt;",
            "&lt;/style&gt;&lt;script&gt;alert(2)&lt;/script&gt;",
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
        ] {
            assert!(html.contains(shown), "{lang}: missing escaped text {shown}");
        }
    }
}

#[test]
fn no_manifest_string_reaches_the_markdown_as_markup() {
    let dir = tempfile::tempdir().unwrap();
    let plan = hostile(dir.path());
    let (md, code) = report(
        dir.path(),
        "r.md",
        &[plan.to_str().unwrap(), "--lang", "both"],
    );
    assert_eq!(code, 1);
    // Outside code fences no `<` at all: no HTML reaches a pull-request comment.
    let mut fence: Option<String> = None;
    for line in md.lines() {
        let ticks: String = line.chars().take_while(|c| *c == '`').collect();
        match &fence {
            Some(open) if ticks.len() >= open.len() && line.trim_end() == ticks => fence = None,
            Some(_) => {}
            None if ticks.len() >= 3 => fence = Some(ticks),
            None => assert!(!line.contains('<'), "markup outside a code block: {line}"),
        }
    }
    assert!(fence.is_none(), "a code fence is left open");
    assert!(md.contains("&lt;script&gt;alert(3)&lt;/script&gt;"));
}

#[test]
fn the_waiver_register_has_every_status() {
    let dir = tempfile::tempdir().unwrap();
    let plan = hostile(dir.path());
    let (md, _) = report(
        dir.path(),
        "r.md",
        &[plan.to_str().unwrap(), "--lang", "en"],
    );
    let register = section(&md, "## 3.", "## 4.");
    let rows: Vec<&str> = register
        .lines()
        .filter(|l| l.starts_with("| "))
        .skip(1)
        .collect();
    assert_eq!(rows.len(), 4, "{register}");
    let row = |rule: &str| {
        rows.iter()
            .find(|r| r.starts_with(&format!("| {rule} |")))
            .unwrap_or_else(|| panic!("no row for {rule}: {register}"))
    };
    // The valid waiver names the finding it waives, which is listed as waived.
    assert!(row("ACC001").contains("| valid |"), "{}", row("ACC001"));
    let waived = row("ACC001")
        .trim_end_matches('|')
        .rsplit("| ")
        .next()
        .unwrap()
        .trim()
        .to_owned();
    assert!(waived.contains("ACC001"), "{waived}");
    let tag = waived.split(' ').next().unwrap();
    assert!(md.contains(&format!("**{tag}** · error · `ACC001`")));
    assert!(
        md.contains("Waiver: &lt;script&gt;alert\\(3\\)")
            || md.contains("Waiver: &lt;script&gt;alert(3)")
    );
    // Expired, unknown rule, incomplete: each linked to the WVR finding that reports it.
    assert!(row("NTC001").contains("| expired |") && row("NTC001").contains("WVR003"));
    assert!(row("XYZ999").contains("invalid (unknown rule)") && row("XYZ999").contains("WVR002"));
    assert!(row("DAT010").contains("invalid (incomplete: approver missing)"));
    assert!(row("DAT010").contains("WVR001"));
    // And the JSON of `check` agrees: one waived finding, WVR001-003 each once.
    let json = check_json(&[plan.to_str().unwrap()]);
    let diags = json["diagnostics"].as_array().unwrap();
    assert_eq!(json["summary"]["waived"], 1);
    for id in ["WVR001", "WVR002", "WVR003"] {
        assert_eq!(diags.iter().filter(|d| d["rule"] == id).count(), 1, "{id}");
    }
}

fn section<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let start = text.find(from).unwrap_or_else(|| panic!("no {from}"));
    let end = text[start..].find(to).map_or(text.len(), |e| start + e);
    &text[start..end]
}

#[test]
fn html_report_of_the_examples() {
    let dir = tempfile::tempdir().unwrap();
    let (html, code) = report(dir.path(), "report.html", &["fixtures/examples"]);
    assert_eq!(code, 1, "exit status as check: the examples hold errors");
    scan_tags(&html);
    for id in [
        "summary",
        "findings",
        "waivers",
        "controls",
        "timeline",
        "reproducibility",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "section {id}"
        );
    }
    assert!(
        html.contains("content=\"default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;")
    );
    assert!(html.contains("@media print") && html.contains("size: A4"));
    // Every finding of `check`, once, numbered.
    let json = check_json(&["fixtures/examples"]);
    let diags = json["diagnostics"].as_array().unwrap();
    assert_eq!(
        html.matches("<article class=\"finding").count(),
        diags.len()
    );
    for (i, d) in diags.iter().enumerate() {
        let tag = format!("id=\"F{}\"", i + 1);
        let at = html.find(&tag).unwrap_or_else(|| panic!("no {tag}"));
        let card = &html[at..at + html[at..].find("</article>").unwrap()];
        assert!(card.contains(&format!(
            "<code class=\"rule\">{}</code>",
            d["rule"].as_str().unwrap()
        )));
    }
    // By authority: EC 16 with the article's own words, its NTC001 findings under it.
    let ec16 = html.find("第十六条").expect("EC 16");
    assert!(html[ec16..].contains(
        "「电子商务经营者自行终止从事电子商务的，应当提前三十日在首页显著位置持续公示有关信息。」"
    ));
    assert!(html.contains("<span class=\"code practice\">惯例</span>"));
    // The summary: five plans, the counts, the verdict.
    assert!(html.contains("<p class=\"verdict fail\">"));
    assert_eq!(html.matches("<td class=\"tag\">P").count(), 5);
    let s = &json["summary"];
    assert!(html.contains(&format!(
        "<div class=\"card error\"><span class=\"n\">{}</span>",
        s["error"]
    )));
    // A timeline per plan; the windows the findings blame are marked with their rule.
    assert_eq!(html.matches("<svg class=\"timeline\"").count(), 5);
    assert!(html.contains("⚠ F") && html.contains("NTC001</text>"));
    assert!(
        html.matches("class=\"t-cooling blamed\"").count() >= 2,
        "ACC001 blames the cooling period"
    );
    assert!(
        html.contains("申请注销 + 冷却期 15 日"),
        "cooling days come from ACC001's parameters"
    );
    assert!(
        html.contains("平台保留数据 60 日"),
        "retention comes from DAT009's parameters"
    );
    // Controls: the compliant account plan holds ACC001.
    let acc001 = html.find("<code>ACC001</code>").unwrap();
    let row = &html[acc001..acc001 + html[acc001..].find("</tr>").unwrap()];
    assert_eq!(row.matches("mark failed").count(), 2, "{row}");
    assert_eq!(row.matches("mark held").count(), 1, "{row}");
    // The footer: version, today, the SHA-256 of every input.
    assert!(html.contains(&format!("<td class=\"hash\">{TODAY}</td>")));
    assert!(html.contains(env!("CARGO_PKG_VERSION")));
    for entry in std::fs::read_dir("fixtures/examples").unwrap().flatten() {
        let digest = Sha256::digest(std::fs::read(entry.path()).unwrap());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert!(html.contains(&hex), "no hash of {}", entry.path().display());
    }
}

#[test]
fn markdown_report_of_the_examples() {
    let dir = tempfile::tempdir().unwrap();
    let (md, code) = report(
        dir.path(),
        "report.md",
        &["fixtures/examples", "--lang", "en"],
    );
    assert_eq!(code, 1);
    for heading in [
        "## 1. Summary",
        "## 2. Findings by authority",
        "## 3. Waiver register",
        "## 4. Controls that passed",
        "## 5. Timeline",
        "## 6. Reproducibility",
    ] {
        assert!(md.contains(heading), "{heading}");
    }
    let json = check_json(&["fixtures/examples", "--lang", "en"]);
    let n = json["diagnostics"].as_array().unwrap().len();
    assert!(md.contains(&format!("**F{n}**")) && !md.contains(&format!("**F{}**", n + 1)));
    assert!(md.contains("Gate: **FAIL**"));
    // The timeline as a table, sorted by date, blamed rows marked.
    let timeline = section(&md, "## 5.", "## 6.");
    assert_eq!(
        timeline
            .matches("| Date | Item | Event | Findings |")
            .count(),
        5
    );
    assert!(timeline.contains("| 2026-12-15 | svc-order | closure | ⚠ F"));
}

#[test]
fn timeline_table_of_the_combined_plan() {
    let dir = tempfile::tempdir().unwrap();
    let (md, _) = report(
        dir.path(),
        "c.md",
        &["fixtures/examples/combined.plan.toml", "--lang", "en"],
    );
    insta::assert_snapshot!(section(&md, "## 5.", "## 6."));
}

#[test]
fn exit_status_and_languages() {
    let dir = tempfile::tempdir().unwrap();
    let (_, code) = report(
        dir.path(),
        "a.html",
        &["fixtures/examples/compliant-account.plan.toml"],
    );
    assert_eq!(code, 0);
    let (_, code) = report(
        dir.path(),
        "b.html",
        &["fixtures/examples", "--fail-on", "never"],
    );
    assert_eq!(code, 0);
    let (html, code) = report(
        dir.path(),
        "c.html",
        &["fixtures/examples", "--select", "NTC"],
    );
    assert_eq!(code, 1);
    assert!(!html.contains("<code class=\"rule\">ACC001</code>"));
    // Both languages side by side, the English from a second evaluation.
    let (both, _) = report(
        dir.path(),
        "d.html",
        &[
            "fixtures/examples/account-winddown.plan.toml",
            "--lang",
            "both",
        ],
    );
    assert!(both.contains("内，早于") || both.contains("冷却期届满"));
    assert!(both.contains("inside its 7-day cooling period"));
    assert!(both.contains("<div class=\"bi\">"));
    // Deterministic: the same bytes twice.
    let (again, _) = report(
        dir.path(),
        "e.html",
        &[
            "fixtures/examples/account-winddown.plan.toml",
            "--lang",
            "both",
        ],
    );
    assert_eq!(both, again);
    // A report file must say what it is; `--lang both` is for reports only.
    let out = hegui()
        .args(["report", "fixtures/examples", "-o"])
        .arg(dir.path().join("r.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = hegui()
        .args(["check", "fixtures/examples", "--lang", "both"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_engine_reports_which_rules_decided_something() {
    let set = hegui::RuleSet::load(hegui::builtin_sources()).unwrap();
    let options = hegui::Options {
        lang: hegui::Lang::En,
        today: TODAY.parse().unwrap(),
    };
    let engine = hegui::Engine::new(set, options).unwrap();
    let decided = |path: &str| {
        let text = std::fs::read_to_string(path).unwrap();
        let source = hegui::SourceFile::new(path, text);
        let (findings, decided) =
            engine.check_source_traced(&source, Path::new(path), Path::new("."));
        assert_eq!(
            findings.len(),
            engine
                .check_source(&source, Path::new(path), Path::new("."))
                .len()
        );
        decided
    };
    // An account plan: account rules decided (also the failing ACC001), coupon rules not;
    // schema checks always, waiver checks only with waivers.
    let account = decided("fixtures/ACC001/fail.plan.toml");
    assert!(account.contains("ACC001") && account.contains("ACC002") && account.contains("SCH002"));
    assert!(
        !account
            .iter()
            .any(|r| r.starts_with("CPN") || r.starts_with("WVR"))
    );
    let coupon = decided("fixtures/examples/compliant-coupon.plan.toml");
    assert!(coupon.contains("CPN001") && !coupon.contains("ACC001"));
    assert!(decided("fixtures/WVR003/fail.plan.toml").contains("WVR003"));
}
