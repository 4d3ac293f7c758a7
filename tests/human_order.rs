//! Human output: a finding's primary location leads; secondary labels earlier in the file are
//! drawn after it, before the help (src/output/lead.rs).

mod common;

use common::*;
use hegui::Lang;
use hegui::render::human;

fn rendered(style: human::Style) -> String {
    let engine = engine(&["FIN003"], Lang::En);
    let path = std::path::PathBuf::from("fixtures/FIN003/fail.plan.toml");
    let run = hegui::check_paths(&engine, &[path]);
    human::render(&run.findings, run.files, Lang::En, style)
}

#[test]
fn the_primary_location_leads_and_earlier_labels_follow_before_the_help() {
    let text = rendered(human::Style::plain());
    let primary = text
        .find("fail.plan.toml:161:26]")
        .expect("the primary's snippet");
    let secondary = text
        .find("fail.plan.toml:27:24]")
        .expect("the first closure's snippet");
    let help = text.find("help:").expect("help");
    assert!(primary < secondary && secondary < help, "{text}");
    // Each snippet is drawn once, with its label.
    assert_eq!(text.matches("╭─[").count(), 2, "{text}");
    assert_eq!(text.matches("first closure\n").count(), 1, "{text}");
    insta::assert_snapshot!("FIN003_primary_leads", text);
}

#[test]
fn the_order_holds_in_colour_too() {
    let text = rendered(human::Style {
        color: true,
        width: 100,
    });
    let primary = text
        .find("fail.plan.toml:161:26")
        .expect("the primary's snippet");
    let secondary = text
        .find("fail.plan.toml:27:24")
        .expect("the first closure's snippet");
    let help = text.find("help:").expect("help");
    assert!(primary < secondary && secondary < help, "{text:?}");
}

#[test]
fn labels_in_one_snippet_stay_as_miette_draws_them() {
    // ACC001's two labels are on adjacent lines: one snippet, headed by the primary.
    let engine = engine(&["ACC001"], Lang::En);
    let path = std::path::PathBuf::from("fixtures/ACC001/fail.plan.toml");
    let text = render(&engine, &path);
    assert_eq!(text.matches("╭─[").count(), 1, "{text}");
    assert!(text.contains("fail.plan.toml:29:24]"), "{text}");
}
