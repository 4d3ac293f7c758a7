//! Every quotation in the law table is the article's own words: checked against the official
//! texts shipped in `rules/law-sources/` (one file per statute, article by article). Each
//! fragment between "……" appears in the article, in order, and every omission — at the start,
//! in the middle, at the end — is marked. Gists are never shown as quotations.

use std::collections::BTreeMap;
use std::path::Path;

use hegui::law::{Article, chinese_number};
use hegui::{Lang, RuleSet};

const ELLIPSIS: &str = "……";

/// Statute code → source file, from the table in `rules/law-sources/README.md`
/// (`| file | statute | short |`).
fn source_files() -> BTreeMap<String, String> {
    let readme = std::fs::read_to_string("rules/law-sources/README.md").unwrap();
    readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let [_, file, _, short, ..] = cells.as_slice() else {
                return None;
            };
            let short = short.split_whitespace().next()?;
            file.ends_with(".md")
                .then(|| (short.to_owned(), (*file).to_owned()))
        })
        .collect()
}

/// The articles of a statute file: `第X条` → its text, paragraphs joined without whitespace.
fn articles(text: &str) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with("<!--") {
            current = None;
            continue;
        }
        if let Some((head, rest)) = line.split_once(char::is_whitespace)
            && head.starts_with('第')
            && head.ends_with('条')
            && head.chars().count() > 2
        {
            current = Some(head.to_owned());
            out.insert(head.to_owned(), normalise(rest));
            continue;
        }
        if let Some(key) = &current {
            out.get_mut(key).unwrap().push_str(&normalise(line));
        }
    }
    out
}

fn normalise(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Checks a quotation against the article's text; `Err` says what is wrong.
fn check_quotation(quote: &str, article: &str) -> Result<(), String> {
    let quote = normalise(quote);
    let opens_with_omission = quote.starts_with(ELLIPSIS);
    let ends_with_omission = quote.ends_with(ELLIPSIS);
    let fragments: Vec<&str> = quote.split(ELLIPSIS).filter(|f| !f.is_empty()).collect();
    if fragments.is_empty() {
        return Err("the quotation has no words".into());
    }
    let mut at = 0;
    for (i, fragment) in fragments.iter().enumerate() {
        let Some(found) = article[at..].find(fragment) else {
            return Err(if article.contains(fragment) {
                format!("fragment {} is out of order: 「{fragment}」", i + 1)
            } else {
                format!("fragment {} is not in the article: 「{fragment}」", i + 1)
            });
        };
        let start = at + found;
        if i == 0 && start > 0 && !opens_with_omission {
            return Err(format!(
                "the quotation starts inside the article without 「……」 (omitted: 「{}」)",
                &article[..start]
            ));
        }
        at = start + fragment.len();
    }
    if at < article.len() && !ends_with_omission {
        return Err(format!(
            "the quotation stops before the article ends without 「……」 (omitted: 「{}」)",
            &article[at..]
        ));
    }
    Ok(())
}

fn law() -> hegui::law::LawTable {
    RuleSet::load(hegui::builtin_sources())
        .unwrap_or_else(|f| panic!("built-in rules load: {f:?}"))
        .law
}

#[test]
fn every_quotation_is_the_articles_own_words() {
    let files = source_files();
    assert!(files.len() >= 6, "the README lists the statutes: {files:?}");
    let mut problems = Vec::new();
    let mut checked = 0;
    for (code, statute) in &law().statutes {
        let verified: Vec<(&String, &Article)> = statute
            .articles
            .iter()
            .filter(|(_, a)| a.verified)
            .collect();
        if verified.is_empty() {
            continue;
        }
        let Some(file) = files.get(code) else {
            problems.push(format!(
                "{code}: {} quotation(s) but no official text in rules/law-sources/",
                verified.len()
            ));
            continue;
        };
        let text = std::fs::read_to_string(Path::new("rules/law-sources").join(file)).unwrap();
        let official = articles(&text);
        for (number, article) in verified {
            let key = format!("第{}条", chinese_number(number));
            let Some(words) = official.get(&key) else {
                problems.push(format!("{code} {number}: {file} has no {key}"));
                continue;
            };
            if let Err(e) = check_quotation(&article.text.zh, words) {
                problems.push(format!("{code} {number}: {e}"));
            }
            checked += 1;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 20, "only {checked} quotations checked");
}

#[test]
fn gists_say_so_in_both_languages() {
    for (code, statute) in &law().statutes {
        for (number, a) in &statute.articles {
            if a.verified {
                assert!(
                    !a.text.zh.starts_with("（要旨）") && !a.text.en.starts_with("(Gist)"),
                    "{code} {number}: a quotation marked as a gist"
                );
            } else {
                assert!(
                    a.text.zh.starts_with("（要旨）") && a.text.en.starts_with("(Gist)"),
                    "{code} {number}: a gist must say so: {:?}",
                    a.text
                );
            }
        }
    }
}

#[test]
fn the_checker_catches_what_the_review_found() {
    let pipl19 = normalise(
        "除法律、行政法规另有规定外，个人信息的保存期限应当为实现处理目的所必要的最短时间。",
    );
    // The opening exception dropped.
    assert!(
        check_quotation(
            "个人信息的保存期限应当为实现处理目的所必要的最短时间。",
            &pipl19
        )
        .is_err()
    );
    assert!(
        check_quotation(
            "……个人信息的保存期限应当为实现处理目的所必要的最短时间。",
            &pipl19
        )
        .is_ok()
    );
    let pipl47 = normalise(
        "有下列情形之一的，个人信息处理者应当主动删除个人信息；个人信息处理者未删除的，个人有权请求删除：\n\
         （一）处理目的已实现、无法实现或者为实现处理目的不再必要；\n\
         （二）个人信息处理者停止提供产品或者服务，或者保存期限已届满；",
    );
    // Item (二) spliced before the chapeau.
    let spliced = check_quotation(
        "……个人信息处理者停止提供产品或者服务……应当主动删除个人信息",
        &pipl47,
    );
    assert!(spliced.is_err_and(|e| e.contains("out of order")));
    // A quotation that ends early without saying so.
    let cpl53 = normalise(
        "未按照约定提供的，应当按照消费者的要求履行约定或者退回预付款；并应当承担预付款的利息。",
    );
    assert!(
        check_quotation(
            "未按照约定提供的，应当按照消费者的要求履行约定或者退回预付款。",
            &cpl53
        )
        .is_err()
    );
    assert!(
        check_quotation(
            "未按照约定提供的，应当按照消费者的要求履行约定或者退回预付款……",
            &cpl53
        )
        .is_ok()
    );
    // A gist that says something else.
    let price = normalise("（七）通过积分、礼券、兑换券、代金券等折抵价款时，拒不按约定折抵价款；");
    assert!(
        check_quotation(
            "不按照约定兑付积分、礼券、兑换券、代金券等的，属于价格欺诈。",
            &price
        )
        .is_err()
    );
}

#[test]
fn explain_never_puts_a_gist_in_quotation_marks() {
    let set = RuleSet::load(hegui::builtin_sources()).unwrap();
    let mut gists_seen = 0;
    for rule in &set.rules {
        for lang in [Lang::Zh, Lang::En] {
            let text = hegui::explain::explain(&set, &rule.id, lang).unwrap();
            for basis in &rule.basis {
                let Some(article) = set.law.article(basis) else {
                    continue;
                };
                let words = article.text.get(lang);
                let quoted = format!("「{words}」");
                if article.verified {
                    assert!(text.contains(&quoted), "{}: quotation not shown", rule.id);
                } else {
                    gists_seen += 1;
                    assert!(text.contains(words), "{}: gist not shown", rule.id);
                    assert!(
                        !text.contains(&quoted),
                        "{}: gist shown as a quotation",
                        rule.id
                    );
                }
            }
        }
    }
    assert!(gists_seen > 0, "some rule cites a gist (REG 22)");
}

#[test]
fn practice_sources_are_named_never_by_an_internal_label() {
    let set = RuleSet::load(hegui::builtin_sources()).unwrap();
    let mut practice_seen = 0;
    for rule in &set.rules {
        for lang in [Lang::Zh, Lang::En] {
            let text = hegui::explain::explain(&set, &rule.id, lang).unwrap();
            for label in ["seed-0", "seed 0", "种子"] {
                assert!(
                    !text.contains(label),
                    "{}: `{label}` in explain:\n{text}",
                    rule.id
                );
            }
            for basis in &rule.basis {
                let hegui::law::Basis::Practice { source, .. } = basis else {
                    continue;
                };
                let cite = set.law.cite(basis, lang);
                // Keys like `seed-000` are internal (`platform` is also an English word).
                if source.contains('-') {
                    assert!(!cite.contains(source.as_str()), "{}: {cite}", rule.id);
                }
                let p = &set.law.practice[source];
                assert!(cite.contains(p.title.get(lang)), "{}: {cite}", rule.id);
                if !p.publisher.zh.is_empty() {
                    practice_seen += 1;
                    assert!(cite.contains(p.publisher.get(lang)), "{}: {cite}", rule.id);
                    assert!(cite.contains(&p.published), "{}: {cite}", rule.id);
                    let caveat = if lang == Lang::Zh {
                        "未经核实"
                    } else {
                        "unverified"
                    };
                    assert!(cite.contains(caveat), "{}: {cite}", rule.id);
                }
            }
        }
    }
    assert!(
        practice_seen > 10,
        "web-article sources cited: {practice_seen}"
    );
}
