//! `fineprint baseline`, `check` against a baseline (`--baseline`, `--no-baseline`,
//! `--baseline-diff`), placeholder exception reasons, and `completions`: the binary as a
//! user runs it, in a temporary project.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn fineprint(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fineprint"))
        .args(args)
        .current_dir(dir)
        .env("FINEPRINT_NO_EVIDENCE", "1")
        .env("NO_COLOR", "1")
        .env("FINEPRINT_TODAY", "2026-11-23")
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

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)))
}

const FLUX: &str = "pipe = from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n";
const LLAMA: &str = "llm = from_pretrained(\"meta-llama/Llama-3.1-8B-Instruct\")\n";
const CODESTRAL: &str = "coder = from_pretrained(\"mistralai/Codestral-22B-v0.1\")\n";

/// A project with a policy, a non-commercial model (an error) and Llama 3.1 (warnings).
fn project() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tmp");
    write(d.path(), "fineprint.toml", "use = \"commercial\"\n");
    write(d.path(), "src/app.py", &format!("{FLUX}{LLAMA}"));
    write(d.path(), "src/train.py", LLAMA);
    d
}

fn baseline(dir: &Path) {
    let out = fineprint(&["baseline"], dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(dir.join("fineprint-baseline.json").is_file());
}

/// One step of a project's life after its baseline.
struct Step {
    /// What the step does to the project.
    what: &'static str,
    edit: fn(&Path),
    args: &'static [&'static str],
    exit: i32,
    errors: u64,
    warnings: u64,
    /// `summary.baseline.baselined` and `.changed`; `None`: no baseline used.
    baseline: Option<(u64, u64)>,
}

#[test]
fn check_reports_only_what_is_new_or_changed() {
    let steps = [
        Step {
            what: "nothing changed",
            edit: |_| {},
            args: &[],
            exit: 0,
            errors: 0,
            warnings: 0,
            baseline: Some((9, 0)),
        },
        Step {
            what: "--no-baseline shows all",
            edit: |_| {},
            args: &["--no-baseline"],
            exit: 1,
            errors: 1,
            warnings: 5,
            baseline: None,
        },
        Step {
            what: "lines moved: fingerprints hold",
            edit: |d| write(d, "src/app.py", &format!("import os\n\n\n{LLAMA}\n{FLUX}")),
            args: &[],
            exit: 0,
            errors: 0,
            warnings: 0,
            baseline: Some((9, 0)),
        },
        Step {
            what: "a subfolder is checked: same fingerprints",
            edit: |_| {},
            args: &["src"],
            exit: 0,
            errors: 0,
            warnings: 0,
            baseline: Some((9, 0)),
        },
        Step {
            what: "a new non-commercial model",
            edit: |d| write(d, "src/code.py", CODESTRAL),
            args: &[],
            exit: 1,
            errors: 1,
            warnings: 0,
            baseline: Some((9, 0)),
        },
        Step {
            what: "a second use of a baselined model in the same file is new",
            edit: |d| write(d, "src/train.py", &format!("{LLAMA}{LLAMA}")),
            args: &[],
            exit: 1,
            errors: 1,
            warnings: 2,
            baseline: Some((9, 0)),
        },
        Step {
            what: "a declared user count makes a baselined warning an error: changed",
            edit: |d| {
                write(
                    d,
                    "fineprint.toml",
                    "use = \"commercial\"\nmonthly_active_users = 800_000_000\n",
                )
            },
            args: &[],
            exit: 1,
            errors: 4,
            warnings: 1,
            baseline: Some((7, 2)),
        },
        Step {
            what: "an explicit baseline file elsewhere",
            edit: |d| {
                std::fs::rename(
                    d.join("fineprint-baseline.json"),
                    d.join("ci/accepted.json"),
                )
                .expect("move the baseline")
            },
            args: &["--baseline", "ci/accepted.json"],
            exit: 1,
            errors: 4,
            warnings: 1,
            baseline: Some((7, 2)),
        },
    ];
    let d = project();
    baseline(d.path());
    std::fs::create_dir_all(d.path().join("ci")).expect("mkdir");
    for s in &steps {
        (s.edit)(d.path());
        let mut args = vec!["check", "--format", "json"];
        args.extend(s.args);
        let out = fineprint(&args, d.path());
        let v = json(&out);
        let got = (
            out.status.code().unwrap_or(-1),
            v["summary"]["errors"].as_u64().unwrap_or(99),
            v["summary"]["warnings"].as_u64().unwrap_or(99),
            v["summary"].get("baseline").map(|b| {
                (
                    b["baselined"].as_u64().unwrap_or(99),
                    b["changed"].as_u64().unwrap_or(99),
                )
            }),
        );
        assert_eq!(
            got,
            (s.exit, s.errors, s.warnings, s.baseline),
            "{}: (exit, errors, warnings, baseline)\n{}",
            s.what,
            text(&out.stderr)
        );
    }
}

/// The file is the same bytes whatever the working directory and however often it is
/// written; its lists are sorted; its paths are relative to its folder.
#[test]
fn the_baseline_file_is_stable() {
    let d = project();
    baseline(d.path());
    let first = std::fs::read_to_string(d.path().join("fineprint-baseline.json")).expect("read");
    let parent = d.path().parent().expect("parent");
    let name = d.path().file_name().and_then(|n| n.to_str()).expect("name");
    let cases: &[(&Path, &[&str])] = &[
        (d.path(), &["baseline"]),
        (d.path(), &["baseline", "."]),
        (parent, &["baseline", name]),
        (&d.path().join("src"), &["baseline", ".."]),
    ];
    for (cwd, args) in cases {
        let out = fineprint(args, cwd);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let again =
            std::fs::read_to_string(d.path().join("fineprint-baseline.json")).expect("read");
        assert_eq!(again, first, "{args:?} from {}", cwd.display());
        assert!(
            text(&out.stdout).contains("0 finding(s) added, 0 gone"),
            "{}",
            text(&out.stdout)
        );
    }
    let v: Value = serde_json::from_str(&first).expect("json");
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|e| e["path"].as_str().unwrap_or(""))
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert!(paths.iter().all(|p| p.starts_with("src/")), "{paths:?}");
    let models: Vec<(&str, &str)> = v["models"]
        .as_array()
        .expect("models")
        .iter()
        .map(|m| {
            (
                m["model"].as_str().unwrap_or(""),
                m["licenses"][0].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        models,
        [
            (
                "black-forest-labs/FLUX.1-dev",
                "flux-1-dev-non-commercial-license"
            ),
            ("meta-llama/Llama-3.1-8B-Instruct", "llama3.1"),
        ]
    );
    // Hints are recorded too (every severity).
    assert!(first.contains("\"severity\": \"hint\""), "{first}");
    assert!(!first.contains("\"line\""), "no line numbers: {first}");
}

/// (baseline file text, what the error must say): exit code 2, file, line and column.
#[test]
fn a_bad_baseline_is_a_usage_error_with_its_line() {
    let cases: &[(&str, &str)] = &[
        (
            "",
            "fineprint-baseline.json:1:0: not a fineprint baseline: EOF while parsing",
        ),
        (
            "{\"version\": 1,\n  \"findings\": [],\n  \"models\": [}\n",
            "fineprint-baseline.json:3:14:",
        ),
        (
            "{\"version\": 7, \"findings\": [], \"models\": []}",
            "baseline version 7 is not one this fineprint reads",
        ),
        (
            "{\"version\": 1,\n\"findings\": [{\"fingerprint\": \"0123456789abcdef\", \"path\": \"a.py\", \"code\": \"nope\", \"severity\": \"error\"}],\n\"models\": []}",
            "fineprint-baseline.json:2:",
        ),
    ];
    let d = project();
    for (bad, want) in cases {
        write(d.path(), "fineprint-baseline.json", bad);
        for args in [&["check"][..], &["check", "--baseline-diff"]] {
            let out = fineprint(args, d.path());
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{bad:?} {args:?}: {err}");
            assert!(
                err.starts_with("error: invalid baseline: ") && err.contains(want),
                "{bad:?}: {err}"
            );
        }
        // --no-baseline does not read it.
        assert_eq!(
            fineprint(&["check", "--no-baseline"], d.path())
                .status
                .code(),
            Some(1)
        );
    }
    let out = fineprint(&["check", "--baseline", "missing.json"], d.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("missing.json: cannot read the baseline file"));
    // --baseline-diff needs a baseline.
    std::fs::remove_file(d.path().join("fineprint-baseline.json")).expect("rm");
    let out = fineprint(&["check", "--baseline-diff"], d.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("fineprint baseline"),
        "{}",
        text(&out.stderr)
    );
}

/// (change to the project, models added, removed, changed) with --baseline-diff.
#[test]
fn baseline_diff_shows_models_added_removed_and_relicensed() {
    /// (what, the change, models added, removed, relicensed)
    type Case = (
        &'static str,
        fn(&Path),
        &'static [&'static str],
        &'static [&'static str],
        &'static [&'static str],
    );
    let cases: &[Case] = &[
        ("nothing", |_| {}, &[], &[], &[]),
        (
            "Codestral added, Llama removed",
            |d| {
                write(d, "src/app.py", &format!("{FLUX}{CODESTRAL}"));
                write(d, "src/train.py", "x = 1\n");
            },
            &["mistralai/Codestral-22B-v0.1"],
            &["meta-llama/Llama-3.1-8B-Instruct"],
            &[],
        ),
        (
            "the baseline recorded another license for FLUX.1-dev",
            |d| {
                let p = d.join("fineprint-baseline.json");
                let t = std::fs::read_to_string(&p).expect("read");
                // The last mention is the inventory's (findings come first).
                let old = "\"flux-1-dev-non-commercial-license\"";
                let at = t.rfind(old).expect("the inventory names the license");
                let t = format!("{}\"apache-2.0\"{}", &t[..at], &t[at + old.len()..]);
                std::fs::write(p, t).expect("write");
            },
            &[],
            &[],
            &["black-forest-labs/FLUX.1-dev"],
        ),
    ];
    for (what, edit, added, removed, changed) in cases {
        let d = project();
        baseline(d.path());
        edit(d.path());
        let out = fineprint(&["check", "--baseline-diff", "--format", "json"], d.path());
        assert_eq!(out.status.code(), Some(0), "{what}: {}", text(&out.stderr));
        let v = json(&out);
        let ids = |k: &str| -> Vec<String> {
            v[k].as_array()
                .expect(k)
                .iter()
                .map(|m| m["model"].as_str().unwrap_or("").to_string())
                .collect()
        };
        assert_eq!(ids("added"), *added, "{what}");
        assert_eq!(ids("removed"), *removed, "{what}");
        assert_eq!(ids("changed"), *changed, "{what}");
        // The same drift for a terminal and for GitHub.
        let human = text(&fineprint(&["check", "--baseline-diff"], d.path()).stdout);
        let summary = format!(
            "fineprint: since fineprint-baseline.json: {} model(s) added, {} removed, {} whose license changed",
            added.len(),
            removed.len(),
            changed.len()
        );
        assert_eq!(
            human.lines().last(),
            Some(summary.as_str()),
            "{what}: {human}"
        );
        for m in added.iter().chain(*removed).chain(*changed) {
            assert!(human.contains(m), "{what}: {human}");
        }
        let github = text(
            &fineprint(
                &["check", "--baseline-diff", "--format", "github"],
                d.path(),
            )
            .stdout,
        );
        assert_eq!(
            github.lines().filter(|l| l.starts_with("::")).count(),
            added.len() + removed.len() + changed.len(),
            "{what}: {github}"
        );
    }
}

/// (format, what its output must hold) with a baseline and one new finding.
#[test]
fn every_format_knows_the_baseline() {
    let d = project();
    baseline(d.path());
    write(d.path(), "src/code.py", CODESTRAL);
    let summary = "; 9 finding(s) baselined in fineprint-baseline.json, 0 changed since";
    // (arguments, what the output holds, whether it names the new finding's model)
    let cases: &[(&[&str], &str, bool)] = &[
        (&[], summary, true),
        (&["--format", "concise"], summary, true),
        (&["--format", "github"], summary, true),
        (&["-q"], summary, false),
        (&["--statistics"], summary, false),
        (&["--all"], summary, true),
        (&["--format", "sarif"], "\"baselineState\": \"new\"", true),
        (&["--format", "json"], "\"baselined\": 9", true),
    ];
    for (args, want, named) in cases {
        let mut all = vec!["check"];
        all.extend(*args);
        let out = fineprint(&all, d.path());
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let o = text(&out.stdout);
        assert!(o.contains(want), "{args:?}: {o}");
        assert_eq!(o.contains("Codestral"), *named, "{args:?}: {o}");
    }
    // SARIF: only the new finding is a result, and it is `new`.
    let v = json(&fineprint(&["check", "--format", "sarif"], d.path()));
    let results = v["runs"][0]["results"].as_array().expect("results");
    let states: Vec<&str> = results
        .iter()
        .map(|r| r["baselineState"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(states, ["new"], "{v}");
    assert_eq!(v["runs"][0]["properties"]["baseline"]["baselined"], 9);
    // The drift is not a SARIF or CycloneDX report.
    for f in ["sarif", "cyclonedx"] {
        let out = fineprint(&["check", "--baseline-diff", "--format", f], d.path());
        assert_eq!(out.status.code(), Some(2), "{f}");
    }
}

/// (exception reason, whether it is an `exception-reason` finding), in `check` of the
/// whole project and of a subfolder.
#[test]
fn placeholder_exception_reasons_are_findings() {
    let cases: &[(&str, bool)] = &[
        ("TODO: why this model is acceptable here", true),
        ("todo", true),
        ("FIXME: ask legal", true),
        ("TBD", true),
        ("xxx", true),
        ("...", true),
        (
            "Commercial license signed with Black Forest Labs, contract 2026-114",
            false,
        ),
        ("Todoist integration, approved by legal", false),
    ];
    for (reason, finding) in cases {
        let d = project();
        write(
            d.path(),
            "fineprint.toml",
            &format!(
                "use = \"commercial\"\n\n[[exceptions]]\nmodel = \"black-forest-labs/FLUX.1-dev\"\nreason = {reason:?}\n"
            ),
        );
        for path in [".", "src"] {
            let out = fineprint(&["check", path, "--format", "json"], d.path());
            let v = json(&out);
            let got: Vec<(String, u64)> = v["policy_findings"]
                .as_array()
                .expect("policy_findings")
                .iter()
                .filter(|p| p["code"] == "exception-reason")
                .map(|p| {
                    (
                        p["severity"].as_str().unwrap_or("").to_string(),
                        p["line"].as_u64().unwrap_or(0),
                    )
                })
                .collect();
            let want = if *finding {
                vec![("warning".to_string(), 4)]
            } else {
                vec![]
            };
            assert_eq!(got, want, "{reason:?} checking {path}");
        }
    }
}

/// (shell, a line its script must hold): each script completes the subcommands.
#[test]
fn completions_for_each_shell() {
    let cases: &[(&str, &str)] = &[
        ("bash", "complete -F _fineprint"),
        ("zsh", "#compdef fineprint"),
        ("fish", "complete -c fineprint"),
        ("powershell", "Register-ArgumentCompleter"),
    ];
    let d = tempfile::tempdir().expect("tmp");
    for (shell, want) in cases {
        let out = fineprint(&["completions", shell], d.path());
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let s = text(&out.stdout);
        assert!(s.contains(want), "{shell}: {s}");
        for sub in ["check", "baseline", "explain", "completions"] {
            assert!(s.contains(sub), "{shell} script lacks {sub}");
        }
    }
    let out = fineprint(&["completions", "tcsh"], d.path());
    assert_eq!(out.status.code(), Some(2));
}
