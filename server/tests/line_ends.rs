//! Positions on the command line, in every format, for every kind of line end (`\n`,
//! `\r\n`, a lone `\r`, as the LSP specification and editors count them) and for a
//! file that starts with a UTF-8 byte order mark (not a column).

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn fineprint(dir: &Path, format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_fineprint"))
        .args(["check", ".", "--format", format])
        .current_dir(dir)
        .env("FINEPRINT_NO_EVIDENCE", "1")
        .env("NO_COLOR", "1")
        .env("FINEPRINT_TODAY", "2026-11-23")
        .output()
        .expect("run fineprint");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn parse(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

const MODEL: &str = "model = \"meta-llama/Llama-3.1-8B\"";

#[test]
fn every_format_counts_lines_and_columns_alike() {
    // (file text, expected 1-based line and column of the id)
    let cases: Vec<(String, usize, usize)> = vec![
        (format!("a = 1\n{MODEL}\n"), 2, 10),
        (format!("a = 1\r\n{MODEL}\r\n"), 2, 10),
        (format!("a = 1\r{MODEL}\r"), 2, 10),
        (format!("a = 1\r\r\n\n{MODEL}"), 4, 10),
        (format!("\r{MODEL}"), 2, 10),
        (format!("\u{feff}{MODEL}\n"), 1, 10),
        (format!("\u{feff}a = 1\r{MODEL}\r"), 2, 10),
        (format!("\u{feff}\u{feff}{MODEL}"), 1, 11),
    ];
    for (text, line, column) in cases {
        let d = tempfile::tempdir().expect("tmp");
        std::fs::write(d.path().join("a.py"), &text).expect("write");

        let json = parse(&fineprint(d.path(), "json"));
        let r = &json["references"][0];
        assert_eq!(
            (&r["line"], &r["column"], &r["end_line"], &r["end_column"]),
            (
                &Value::from(line),
                &Value::from(column),
                &Value::from(line),
                &Value::from(column + 23)
            ),
            "json, {text:?}"
        );

        let sarif = parse(&fineprint(d.path(), "sarif"));
        let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (
                &region["startLine"],
                &region["startColumn"],
                &region["endColumn"]
            ),
            (
                &Value::from(line),
                &Value::from(column),
                &Value::from(column + 23)
            ),
            "sarif, {text:?}"
        );
        assert_eq!(
            region["snippet"]["text"], "meta-llama/Llama-3.1-8B",
            "sarif, {text:?}"
        );

        let bom = parse(&fineprint(d.path(), "cyclonedx"));
        let occ = &bom["components"][0]["evidence"]["occurrences"][0];
        assert_eq!(
            (&occ["line"], &occ["offset"]),
            (&Value::from(line), &Value::from(column)),
            "cyclonedx, {text:?}"
        );
        assert!(
            !occ["additionalContext"]
                .as_str()
                .unwrap_or("")
                .contains(['\r', '\n']),
            "cyclonedx, {text:?}: {occ}"
        );

        let human = fineprint(d.path(), "human");
        let at = format!("--> a.py:{line}:{column}");
        assert!(
            human
                .match_indices(&at)
                .any(|(i, _)| { !human[i + at.len()..].starts_with(|c: char| c.is_ascii_digit()) }),
            "human, {text:?}:\n{human}"
        );
    }
}
