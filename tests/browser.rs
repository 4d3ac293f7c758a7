//! The HTML report in a real browser: headless Chromium renders the report of
//! `fixtures/examples/` to a PNG and a DOM dump; the rendered DOM holds every section and a
//! timeline per plan, and the page made no network request.
//!
//! Needs Chromium, so it is ignored by plain `cargo test`; `.ci/run` installs Debian's
//! `chromium` and runs it with `cargo test --test browser -- --ignored`. Set `CHROMIUM` to use
//! another binary. The PNGs and the DOM dump are left in `target/tmp/report-browser/`.
//!
//! How "no network request" is established: Chromium writes every request of its network
//! stack to a NetLog (`--log-net-log`). Requests a page makes carry the page's origin as
//! initiator (`null` for a `file://` page) and `file://` as site for cookies; the browser's
//! own background requests (which the flags reduce but cannot all switch off) carry
//! `not an origin`. A control page with an external image proves the check sees page
//! requests; the report must have none. Loads the network stack never sees (`file://`
//! subresources) are ruled out by the report's Content-Security-Policy (`default-src 'none'`)
//! and by checking that no element of the rendered DOM points at anything outside the page.

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return PathBuf::from(path);
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "no Chromium found: install Debian's `chromium` (apt-get install -y chromium), or set \
         CHROMIUM to a Chromium binary; plain `cargo test` skips this test"
    );
}

/// Runs headless Chromium on a file with a fresh profile; returns stdout and the NetLog.
fn run(out: &Path, name: &str, page: &Path, action: &[&str]) -> (String, serde_json::Value) {
    let profile = out.join(format!("profile-{}", name.replace('.', "-")));
    let _ = std::fs::remove_dir_all(&profile);
    let netlog = out.join(format!("{name}.netlog.json"));
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .args(action)
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let log = std::fs::read_to_string(&netlog).expect("chromium wrote a NetLog");
    let log = serde_json::from_str(&log).unwrap_or_else(|e| panic!("NetLog is not JSON: {e}"));
    (String::from_utf8_lossy(&output.stdout).into_owned(), log)
}

/// The URLs of requests a page initiated, from a NetLog.
fn page_requests(log: &serde_json::Value) -> Vec<String> {
    let types = log["constants"]["logEventTypes"].as_object().unwrap();
    let start = types["URL_REQUEST_START_JOB"].as_u64().unwrap();
    log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_u64() == Some(start))
        .filter_map(|e| {
            let p = &e["params"];
            let url = p["url"].as_str()?;
            let browser_own = p["initiator"].as_str() == Some("not an origin")
                && !p["site_for_cookies"]
                    .as_str()
                    .is_some_and(|s| s.contains("file://"));
            (!browser_own).then(|| url.to_owned())
        })
        .collect()
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_report(out: &Path, name: &str, lang: &str) -> PathBuf {
    let path = out.join(name);
    let status = assert_cmd::Command::cargo_bin("hegui")
        .unwrap()
        .env("NO_COLOR", "1")
        .args([
            "report",
            "fixtures/examples",
            "--today",
            "2026-11-22",
            "--lang",
            lang,
            "-o",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(1), "exit status as check");
    path
}

#[test]
#[ignore = "needs Chromium: run by .ci/run with `cargo test --test browser -- --ignored`"]
fn the_report_renders_in_chromium_without_network() {
    let out = out_dir();

    // Control: a page that loads an external image is seen making a request.
    let control = out.join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><title>control</title><img src=\"http://example.invalid/pixel.png\">",
    )
    .unwrap();
    let (_, log) = run(&out, "control", &control, &["--dump-dom"]);
    assert!(
        page_requests(&log)
            .iter()
            .any(|u| u.contains("example.invalid")),
        "the NetLog check does not see page requests: {:?}",
        page_requests(&log)
    );

    let report = write_report(&out, "report.html", "zh");
    let (dom, log) = run(&out, "report", &report, &["--dump-dom"]);
    std::fs::write(out.join("report.dom.html"), &dom).unwrap();
    assert_eq!(
        page_requests(&log),
        Vec::<String>::new(),
        "the report made requests"
    );

    // The rendered DOM: every section, every finding, a timeline per plan with its marks.
    for id in [
        "summary",
        "findings",
        "waivers",
        "controls",
        "timeline",
        "reproducibility",
    ] {
        assert!(
            dom.contains(&format!("<section id=\"{id}\">")),
            "no section {id} in the DOM"
        );
    }
    assert_eq!(dom.matches("<svg class=\"timeline\"").count(), 5);
    assert!(
        dom.matches("<rect class=\"bar\"").count() >= 20,
        "timeline windows drawn"
    );
    assert!(
        dom.contains("class=\"t-closure blamed\""),
        "a blamed closure day"
    );
    assert!(dom.matches("<article class=\"finding").count() >= 20);
    // Each date's schedule window: strips under the rows and a table per plan.
    assert!(
        dom.matches("<rect class=\"allowed").count() >= 40,
        "schedule windows drawn"
    );
    assert!(dom.contains("<rect class=\"allowed missed\""));
    assert_eq!(dom.matches("<table class=\"windows\">").count(), 5);
    assert!(dom.contains("<blockquote class=\"law\""));
    // Nothing in the DOM points outside the page; no script ran or exists.
    for needle in [
        " src=", "<script", "<link", "<iframe", "<object", "url(", "@import",
    ] {
        assert!(!dom.contains(needle), "the DOM holds {needle}");
    }
    for href in dom.split(" href=\"").skip(1) {
        assert!(
            href.starts_with('#'),
            "a link leaves the page: {}",
            &href[..href.len().min(60)]
        );
    }

    // Screenshots, for people: the first screen and the whole report.
    for (name, size) in [
        ("report.png", "1280,1800"),
        ("report-full.png", "1280,17000"),
    ] {
        let png = out.join(name);
        let _ = std::fs::remove_file(&png);
        let (_, log) = run(
            &out,
            name,
            &report,
            &[
                &format!("--screenshot={}", png.display()),
                &format!("--window-size={size}"),
            ],
        );
        assert_eq!(page_requests(&log), Vec::<String>::new());
        let bytes = std::fs::read(&png).expect("a screenshot");
        assert!(
            bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 50_000,
            "{name}"
        );
    }
    // The windows are visible: the timeline section rendered with its strips differs from the
    // same page with the strips hidden, while a change that hides nothing renders identically.
    let html = std::fs::read_to_string(&report).unwrap();
    let head = &html[..html.find("</style>").unwrap()];
    let start = html.find("<section id=\"timeline\">").unwrap();
    let end = start + html[start..].find("</section>").unwrap() + "</section>".len();
    let page = |extra_css: &str| {
        format!(
            "{head}{extra_css}</style></head><body>{}</body></html>",
            &html[start..end]
        )
    };
    let shot = |name: &str, text: String| {
        let page = out.join(format!("{name}.html"));
        std::fs::write(&page, text).unwrap();
        let png = out.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&png);
        let (_, log) = run(
            &out,
            name,
            &page,
            &[
                &format!("--screenshot={}", png.display()),
                "--window-size=1100,2400",
            ],
        );
        assert_eq!(page_requests(&log), Vec::<String>::new());
        std::fs::read(&png).expect("a screenshot")
    };
    let with = shot("windows", page(""));
    let same = shot("windows-noop", page(".no-such-class { display: none; }"));
    let without = shot(
        "windows-hidden",
        page("svg .allowed { visibility: hidden; }"),
    );
    assert_eq!(with, same, "rendering is deterministic");
    assert_ne!(with, without, "the schedule windows are not visible");
    // The bilingual report renders too.
    let both = write_report(&out, "report-both.html", "both");
    let (dom, log) = run(&out, "both", &both, &["--dump-dom"]);
    assert_eq!(page_requests(&log), Vec::<String>::new());
    assert!(dom.contains("<div class=\"bi\">") && dom.contains("Findings by authority"));
    for entry in std::fs::read_dir(&out).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("profile-") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    println!("screenshots and DOM dump in {}", out.display());
}
