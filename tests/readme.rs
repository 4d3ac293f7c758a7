//! The README's first example is what `hegui check` prints by default (Chinese, no colour).

use assert_cmd::Command;

#[test]
fn the_readme_example_is_the_default_output() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let (_, rest) = readme.split_once("```\n$ hegui check ").unwrap();
    let (block, _) = rest.split_once("```\n").unwrap();
    let (args, shown) = block.split_once('\n').unwrap();
    let out = Command::cargo_bin("hegui")
        .unwrap()
        .arg("check")
        .args(args.split_whitespace())
        .env_remove("LANG")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), shown);
}
