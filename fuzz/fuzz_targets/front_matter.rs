//! The model-card front-matter reader (`evidence::front_matter::parse`) on arbitrary
//! text.
//!
//! Checks, besides "no panic":
//! * values are trimmed and non-empty; `license` and `license_name` are lower case;
//!   `license_line` is the line of a top-level `license:` key;
//! * nothing after the closing `---` is read: appending lines to a text whose front
//!   matter is complete changes nothing;
//! * an opened front matter without a closing line gives nothing, and gives a result
//!   once a closing line is appended.
#![no_main]

use fineprint::evidence::front_matter::{CardMeta, parse};
use libfuzzer_sys::fuzz_target;

fn check_values(text: &str, m: &CardMeta) {
    let values = [&m.license, &m.license_name, &m.license_link];
    for v in values.into_iter().flatten().chain(&m.base_model) {
        assert!(!v.is_empty(), "empty value in {m:?}");
        assert_eq!(v.trim(), v, "untrimmed value in {m:?}");
    }
    for v in [&m.license, &m.license_name].into_iter().flatten() {
        assert!(!v.bytes().any(|b| b.is_ascii_uppercase()), "{v:?}");
    }
    if m.license.is_some() {
        assert!(m.license_line.is_some(), "{m:?}");
    }
    if let Some(n) = m.license_line {
        let line = text
            .lines()
            .nth(n - 1)
            .expect("license_line is a line of the text");
        let key = line.split_once(':').map(|(k, _)| k.trim());
        assert_eq!(key, Some("license"), "line {n}: {line:?}");
        assert!(
            !line.starts_with([' ', '\t']),
            "line {n} is indented: {line:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let mut text = String::from_utf8_lossy(data).into_owned();
    let _ = parse(&text);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let opened = body.lines().next().is_some_and(|l| l.trim_end() == "---");
    match parse(&text) {
        Some(m) => {
            assert!(opened, "front matter without an opening line: {m:?}");
            check_values(&text, &m);
            let more = format!("{text}license: gpl-3.0\nbase_model: x/y\n---\n");
            assert_eq!(
                parse(&more),
                Some(m),
                "lines after the closing line were read"
            );
        }
        None if opened => {
            let closed = format!("{text}---\n");
            let m = parse(&closed).expect("a closing line completes the front matter");
            check_values(&closed, &m);
        }
        None => {}
    }
});
