//! Scope as a user meets it on the command line: paths printed relative to the working
//! directory, `exclude`, `[[paths]]` severity caps and their defaults for tests,
//! `--no-config`, and `exception-unused` only when the whole project was checked.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const FLUX: &str = "m = from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n";

fn fineprint(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fineprint"))
        .env("FINEPRINT_NO_EVIDENCE", "1")
        .env("NO_COLOR", "1")
        .env("FINEPRINT_TODAY", "2026-11-23")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run fineprint")
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(p, text).expect("write");
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// (path, loudest severity of its findings or "none") of every reference.
fn loudest(v: &Value) -> Vec<(String, String)> {
    let rank = |s: &str| match s {
        "error" => 0,
        "warning" => 1,
        "information" => 2,
        "hint" => 3,
        _ => 4,
    };
    v["references"]
        .as_array()
        .expect("references")
        .iter()
        .map(|r| {
            let sev = r["diagnostics"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| d["severity"].as_str())
                .min_by_key(|s| rank(s))
                .unwrap_or("none");
            (
                r["path"].as_str().unwrap_or("").to_string(),
                sev.to_string(),
            )
        })
        .collect()
}

/// (files, policy file text or none, arguments, expected (path, loudest severity))
type Case<'a> = (
    &'a [&'a str],
    Option<&'a str>,
    &'a [&'a str],
    &'a [(&'a str, &'a str)],
);

#[test]
fn paths_exclusions_and_caps() {
    let cases: &[Case] = &[
        // Two folders with the same file name: each printed with its folder.
        (
            &["a/serve.py", "b/serve.py"],
            None,
            &["a", "b"],
            &[("a/serve.py", "error"), ("b/serve.py", "error")],
        ),
        // Tests and fixtures are information by default.
        (
            &[
                "src/app.py",
                "tests/test_app.py",
                "pkg/x_test.go",
                "web/chat.test.ts",
            ],
            None,
            &[],
            &[
                ("pkg/x_test.go", "information"),
                ("src/app.py", "error"),
                ("tests/test_app.py", "information"),
                ("web/chat.test.ts", "information"),
            ],
        ),
        // The policy's rule comes first; `off` hides findings; `exclude` drops files.
        (
            &["src/app.py", "tests/e2e/a.py", "bench/b.py", "vendor/v.py"],
            Some(
                "exclude = [\"vendor/**\"]\n\n[[paths]]\nglob = \"tests/e2e/**\"\nseverity = \"error\"\n\n[[paths]]\nglob = \"bench/**\"\nseverity = \"off\"\n",
            ),
            &[],
            &[
                ("bench/b.py", "none"),
                ("src/app.py", "error"),
                ("tests/e2e/a.py", "error"),
            ],
        ),
        // Without the defaults, tests are like the rest.
        (
            &["tests/a.py"],
            Some("path_defaults = false\n"),
            &[],
            &[("tests/a.py", "error")],
        ),
        // `--no-config` ignores a policy file that would make the model acceptable.
        (
            &["src/app.py"],
            Some("[[exceptions]]\nmodel = \"black-forest-labs/*\"\nreason = \"licensed\"\n"),
            &["--no-config"],
            &[("src/app.py", "error")],
        ),
        (
            &["src/app.py"],
            Some("[[exceptions]]\nmodel = \"black-forest-labs/*\"\nreason = \"licensed\"\n"),
            &[],
            &[("src/app.py", "hint")],
        ),
    ];
    for (files, policy, args, want) in cases {
        let d = tempfile::tempdir().expect("tmp");
        for f in *files {
            write(d.path(), f, FLUX);
        }
        if let Some(p) = policy {
            write(d.path(), "fineprint.toml", p);
        }
        let mut a = vec!["check", "--format", "json"];
        a.extend_from_slice(args);
        let out = fineprint(&a, d.path());
        let mut got = loudest(&json(&out));
        got.sort();
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(p, s)| ((*p).to_string(), (*s).to_string()))
            .collect();
        assert_eq!(got, want, "{files:?} {policy:?} {args:?}");
    }
}

#[test]
fn a_bad_path_glob_is_a_policy_error_with_its_line() {
    let d = tempfile::tempdir().expect("tmp");
    write(d.path(), "a.py", FLUX);
    write(
        d.path(),
        "fineprint.toml",
        "use = \"commercial\"\n\n[[paths]]\nglob = \"tests/[\"\nseverity = \"hint\"\n",
    );
    let out = fineprint(&["check", "."], d.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("fineprint.toml:4"), "{err}");
    assert!(err.contains("paths"), "{err}");
    // An unknown severity word is refused too.
    write(
        d.path(),
        "fineprint.toml",
        "[[paths]]\nglob = \"tests/**\"\nseverity = \"quiet\"\n",
    );
    let out = fineprint(&["check", "."], d.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn exception_unused_only_when_the_project_folder_is_checked() {
    let d = tempfile::tempdir().expect("tmp");
    write(d.path(), "src/app.py", "x = 1\n");
    write(d.path(), "other/b.py", FLUX);
    write(
        d.path(),
        "fineprint.toml",
        "[[exceptions]]\nmodel = \"black-forest-labs/*\"\nreason = \"licensed\"\n\n[[exceptions]]\nmodel = \"acme/gone\"\nreason = \"old\"\n",
    );
    // (arguments, unused exceptions reported)
    let cases: &[(&[&str], usize)] = &[(&["."], 1), (&["src"], 0), (&["src/app.py"], 0)];
    for (args, want) in cases {
        let mut a = vec!["check", "--format", "json"];
        a.extend_from_slice(args);
        let v = json(&fineprint(&a, d.path()));
        let unused = v["policy_findings"]
            .as_array()
            .expect("policy_findings")
            .iter()
            .filter(|p| p["code"] == "exception-unused")
            .count();
        assert_eq!(unused, *want, "{args:?}: {v}");
    }
}
