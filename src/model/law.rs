//! The law table: statutes, the articles rules cite (with their words), and practice sources.

use std::collections::BTreeMap;

use crate::Lang;
use crate::reader::{Problems, TableReader, Text};
use crate::tree::{Node, Span};

/// An article of a statute.
#[derive(Debug, Clone, Default)]
pub struct Article {
    /// The article's words (when `verified`), else a paraphrase marked as such.
    pub text: Text,
    /// One line: what it requires.
    pub summary: Text,
    /// Whether `text` quotes the article's own words.
    pub verified: bool,
}

/// A statute.
#[derive(Debug, Clone, Default)]
pub struct Statute {
    /// Full name.
    pub name: Text,
    /// Short name used in basis lines.
    pub short: Text,
    /// Year of the version read.
    pub year: String,
    /// Articles by number.
    pub articles: BTreeMap<String, Article>,
}

/// A practice source (a published article, the platform's rules), named as a reviewer can
/// look it up: title, publisher, date — never by its internal key.
#[derive(Debug, Clone, Default)]
pub struct PracticeSource {
    /// Title.
    pub title: Text,
    /// Why it is practice and what it gets wrong.
    pub note: Text,
    /// Who published it (empty when not a publication, e.g. the platform's rules).
    pub publisher: Text,
    /// Publication date as written (`2025-06-07`), empty when unknown.
    pub published: String,
    /// What a reader must know before relying on its numbers ("unverified, configurable").
    pub caveat: Text,
    /// What the basis line calls it instead of "practice" (e.g. the manifest format).
    pub label: Option<Text>,
}

impl PracticeSource {
    /// The source named for a reader: `路由通《title》（2025-06-07）`,
    /// `"title" (publisher, 2025-06-07)`, or the title alone.
    pub fn name(&self, lang: Lang) -> String {
        let title = self.title.get(lang);
        let publisher = self.publisher.get(lang);
        match lang {
            Lang::Zh if publisher.is_empty() => title.to_owned(),
            Lang::Zh => format!("{publisher}《{title}》（{}）", self.published),
            Lang::En if publisher.is_empty() => title.to_owned(),
            Lang::En => format!("“{title}” ({publisher}, {})", self.published),
        }
    }
}

/// Every statute and practice source known.
#[derive(Debug, Clone, Default)]
pub struct LawTable {
    /// Statutes by short code (`EC`, `PIPL` …).
    pub statutes: BTreeMap<String, Statute>,
    /// Practice sources by key (`seed-000` …).
    pub practice: BTreeMap<String, PracticeSource>,
}

/// What a rule rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// A statute's article, optionally narrowed (`(二)`, `(1)(二)`).
    Statute {
        /// Statute code.
        statute: String,
        /// Article number.
        article: String,
        /// Paragraph/item suffix as written, e.g. `(三)`.
        item: Option<String>,
    },
    /// A practice source and the section within it.
    Practice {
        /// Source key.
        source: String,
        /// Section, e.g. `§1`.
        section: Option<String>,
    },
}

impl LawTable {
    /// Adds the `[statute]` and `[practice]` tables of a law file.
    pub(crate) fn load(&mut self, root: &TableReader<'_>, problems: &Problems) {
        if let Some(statutes) = root.table("statute") {
            for entry in statutes.entries() {
                let reader =
                    TableReader::new(&entry.node, format!("statute `{}`", entry.key), problems);
                let mut statute = Statute {
                    name: reader.required_text("name").unwrap_or_default(),
                    short: reader.required_text("short").unwrap_or_default(),
                    year: reader.string("year").map(|s| s.0).unwrap_or_default(),
                    articles: BTreeMap::new(),
                };
                for article in reader
                    .table("article")
                    .map(Node::entries)
                    .unwrap_or_default()
                {
                    let a = TableReader::new(
                        &article.node,
                        format!("article `{}`", article.key),
                        problems,
                    );
                    let zh = a.required_string("zh").map(|s| s.0).unwrap_or_default();
                    let en = a.required_string("en").map(|s| s.0).unwrap_or_default();
                    let summary = a.required_text("summary").unwrap_or_default();
                    let verified = a.bool("verified").unwrap_or(false);
                    a.finish();
                    statute.articles.insert(
                        article.key.clone(),
                        Article {
                            text: Text { zh, en },
                            summary,
                            verified,
                        },
                    );
                }
                reader.finish();
                self.statutes.insert(entry.key.clone(), statute);
            }
        }
        if let Some(practice) = root.table("practice") {
            for entry in practice.entries() {
                let reader = TableReader::new(
                    &entry.node,
                    format!("practice source `{}`", entry.key),
                    problems,
                );
                let source = PracticeSource {
                    title: reader.required_text("title").unwrap_or_default(),
                    note: reader.text("note").unwrap_or_default(),
                    publisher: reader.text("publisher").unwrap_or_default(),
                    published: reader.string("published").map(|s| s.0).unwrap_or_default(),
                    caveat: reader.text("caveat").unwrap_or_default(),
                    label: reader.text("label"),
                };
                for ignored in ["file", "sections"] {
                    let _ = reader.get(ignored);
                }
                reader.finish();
                self.practice.insert(entry.key.clone(), source);
            }
        }
    }

    /// Checks that a basis names a known statute and article or practice source.
    pub(crate) fn validate(&self, basis: &Basis, span: Span, problems: &Problems) {
        match basis {
            Basis::Statute {
                statute, article, ..
            } => match self.statutes.get(statute) {
                None => problems.push_help(
                    span,
                    format!("unknown statute `{statute}`"),
                    Some(format!(
                        "known: {}",
                        self.statutes.keys().cloned().collect::<Vec<_>>().join(", ")
                    )),
                ),
                Some(s) if !s.articles.contains_key(article) => problems.push_help(
                    span,
                    format!("the law table has no article {article} of {statute}"),
                    Some("add the article's words to a law file (`[statute.X.article.\"N\"]`)"),
                ),
                Some(_) => {}
            },
            Basis::Practice { source, .. } if !self.practice.contains_key(source) => problems
                .push_help(
                    span,
                    format!("unknown practice source `{source}`"),
                    Some(format!(
                        "known: {}",
                        self.practice.keys().cloned().collect::<Vec<_>>().join(", ")
                    )),
                ),
            Basis::Practice { .. } => {}
        }
    }

    /// The basis as a short line, e.g. `电子商务法 第十六条` or `E-Commerce Law Art. 16`.
    pub fn cite(&self, basis: &Basis, lang: Lang) -> String {
        match basis {
            Basis::Statute {
                statute,
                article,
                item,
            } => {
                let short = self
                    .statutes
                    .get(statute)
                    .map_or(statute.as_str(), |s| s.short.get(lang));
                let item = item.as_deref().unwrap_or("");
                match lang {
                    Lang::Zh => format!("{short} 第{}条{}", chinese_number(article), zh_item(item)),
                    Lang::En => format!("{short} Art. {article}{}", en_item(item)),
                }
            }
            Basis::Practice { source, section } => {
                // `§2` follows a Chinese title directly, an English one after a space.
                let section = section
                    .as_deref()
                    .map(|s| match lang {
                        Lang::Zh => s.to_owned(),
                        Lang::En => format!(" {s}"),
                    })
                    .unwrap_or_default();
                // Named by title, publisher and date; the key (`seed-000`) is internal.
                let Some(p) = self.practice.get(source) else {
                    return match lang {
                        Lang::Zh => format!("惯例{section}"),
                        Lang::En => format!("practice{section}"),
                    };
                };
                let label = p.label.as_ref().map_or(
                    match lang {
                        Lang::Zh => "惯例",
                        Lang::En => "practice",
                    },
                    |l| l.get(lang),
                );
                let name = p.name(lang);
                let caveat = p.caveat.get(lang);
                match (lang, caveat.is_empty()) {
                    (Lang::Zh, true) => format!("{label}：{name}{section}"),
                    (Lang::Zh, false) => format!("{label}：{name}{section}（{caveat}）"),
                    (Lang::En, true) => format!("{label}: {name}{section}"),
                    (Lang::En, false) => format!("{label}: {name}{section} ({caveat})"),
                }
            }
        }
    }

    /// The article a basis cites, if known.
    pub fn article(&self, basis: &Basis) -> Option<&Article> {
        match basis {
            Basis::Statute {
                statute, article, ..
            } => self.statutes.get(statute)?.articles.get(article),
            Basis::Practice { .. } => None,
        }
    }
}

/// `(1)(二)` → `第一款第（二）项`; `(三)` → `第（三）项`.
fn zh_item(item: &str) -> String {
    let parts: Vec<&str> = item.split(['(', ')']).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] if one.chars().all(|c| c.is_ascii_digit()) => format!("第{}款", chinese_number(one)),
        [one] => format!("第（{one}）项"),
        [paragraph, item, ..] => format!("第{}款第（{item}）项", chinese_number(paragraph)),
    }
}

/// `(三)` → `(iii)`, `(1)(二)` → `(1)(ii)`: an English basis line has no Chinese numerals.
fn en_item(item: &str) -> String {
    const ROMAN: [(&str, &str); 10] = [
        ("一", "i"),
        ("二", "ii"),
        ("三", "iii"),
        ("四", "iv"),
        ("五", "v"),
        ("六", "vi"),
        ("七", "vii"),
        ("八", "viii"),
        ("九", "ix"),
        ("十", "x"),
    ];
    item.split_inclusive(')')
        .map(|part| {
            let inner = part.trim_start_matches('(').trim_end_matches(')');
            match ROMAN.iter().find(|(zh, _)| *zh == inner) {
                Some((_, roman)) => format!("({roman})"),
                None => part.to_owned(),
            }
        })
        .collect()
}

/// Writes an article number (< 10000) in Chinese numerals; anything else is returned as is.
pub fn chinese_number(n: &str) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let Ok(value) = n.parse::<u32>() else {
        return n.to_owned();
    };
    if value == 0 || value >= 10_000 {
        return n.to_owned();
    }
    let units = [(1000, "千"), (100, "百"), (10, "十"), (1, "")];
    let mut out = String::new();
    let mut zero_pending = false;
    for (unit, name) in units {
        let digit = (value / unit % 10) as usize;
        if digit == 0 {
            zero_pending = !out.is_empty();
            continue;
        }
        if zero_pending {
            out.push_str(DIGITS[0]);
            zero_pending = false;
        }
        // 十六, not 一十六, when ten leads.
        if !(unit == 10 && digit == 1 && out.is_empty()) {
            out.push_str(DIGITS[digit]);
        }
        out.push_str(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_numbers_in_chinese() {
        assert_eq!(chinese_number("16"), "十六");
        assert_eq!(chinese_number("10"), "十");
        assert_eq!(chinese_number("577"), "五百七十七");
        assert_eq!(chinese_number("509"), "五百零九");
        assert_eq!(chinese_number("4"), "四");
        assert_eq!(zh_item("(1)(二)"), "第一款第（二）项");
        assert_eq!(zh_item("(三)"), "第（三）项");
        assert_eq!(en_item("(三)"), "(iii)");
        assert_eq!(en_item("(1)(二)"), "(1)(ii)");
        assert_eq!(en_item("(4)"), "(4)");
    }
}
