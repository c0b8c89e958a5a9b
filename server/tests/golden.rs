//! Golden tests: `fineprint check examples/` in both formats, compared with the files in
//! `tests/golden/`. A change in what fineprint says about the example project fails here
//! until a person reviews it against `examples/EXPECTED.md` and re-blesses with
//! `FINEPRINT_BLESS=1 cargo test --test golden`.

mod golden_file;

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_fineprint"))
        .env("FINEPRINT_NO_EVIDENCE", "1")
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("FINEPRINT_TODAY", "2026-11-23")
        .output()
        .expect("run fineprint");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn golden(name: &str, actual: &str) {
    golden_file::compare(
        &root(),
        name,
        actual,
        "Review against examples/EXPECTED.md, then FINEPRINT_BLESS=1 cargo test --test golden",
    );
}

#[test]
fn examples_json() {
    let (out, code) = run(&["check", "examples/", "--format", "json"]);
    assert_eq!(code, 1, "the example project has errors");
    golden("examples.json", &out);
}

#[test]
fn examples_human() {
    let (out, code) = run(&["check", "examples/", "--all"]);
    assert_eq!(code, 1);
    golden("examples.txt", &out);
}

/// The default output: one block per decision and a table of models.
#[test]
fn examples_grouped() {
    let (out, code) = run(&["check", "examples/"]);
    assert_eq!(code, 1);
    assert!(out.lines().count() <= 40, "{} lines", out.lines().count());
    golden("examples-grouped.txt", &out);
}
