//! `fineprint init`: one command adopts fineprint in an existing project. It writes a
//! commented policy with a baseline of expiring exceptions for what is at error
//! severity, so `fineprint check` passes at once; it never overwrites a policy without
//! `--force`.

use std::path::Path;
use std::process::{Command, Output};

use fineprint::kb::KnowledgeBase;
use fineprint::policy::Policy;
use serde_json::Value;

const TODAY: &str = "2026-11-23";

fn fineprint(args: &[&str], dir: &Path, today: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fineprint"))
        .env("FINEPRINT_NO_EVIDENCE", "1")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("FINEPRINT_TODAY", today)
        .output()
        .expect("run fineprint")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// A copy of the example project in a fresh folder (with a `.git` so that no policy
/// above it is found).
fn examples_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples"),
        dir.path(),
    );
    std::fs::create_dir_all(dir.path().join(".git")).expect("mkdir .git");
    dir
}

fn kb() -> KnowledgeBase {
    KnowledgeBase::builtin().unwrap_or_else(|e| panic!("{e}"))
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(o)))
}

#[test]
fn init_writes_a_policy_with_which_check_passes_until_the_baseline_expires() {
    let dir = examples_copy();
    // Before: the example project fails.
    assert_eq!(
        fineprint(&["check"], dir.path(), TODAY).status.code(),
        Some(1)
    );

    let out = fineprint(&["init"], dir.path(), TODAY);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("2 exception(s)"), "{said}");
    assert!(said.contains("2027-02-21"), "{said}");

    let path = dir.path().join("fineprint.toml");
    let text = std::fs::read_to_string(&path).expect("fineprint.toml written");
    // Commented: every optional key is shown, commented out.
    for key in [
        "# monthly_active_users",
        "# regions",
        "# purposes",
        "# allow",
        "# deny",
        "# [severity]",
        "use = \"commercial\"",
        "docs/policy.md",
        "NOT\n# reviews",
    ] {
        assert!(text.contains(key), "missing {key:?} in:\n{text}");
    }
    // The findings are summarised for the reader.
    assert!(text.contains("meta-llama/Llama-3.1-8B-Instruct [llama3.1]"));
    let policy = Policy::from_file(&path, &kb()).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let models: Vec<(&str, Option<&str>)> = policy
        .exceptions()
        .iter()
        .map(|e| (e.model.as_str(), e.expires.as_deref()))
        .collect();
    assert_eq!(
        models,
        [
            ("black-forest-labs/FLUX.1-dev", Some("2027-02-21")),
            ("mistralai/Codestral-22B-v0.1", Some("2027-02-21")),
        ]
    );
    assert!(
        policy
            .exceptions()
            .iter()
            .all(|e| e.reason.contains("not reviewed") && e.reason.contains(TODAY))
    );

    // After: check passes, the two models are excepted, no exception is unused.
    let out = fineprint(&["check", "--format", "json"], dir.path(), TODAY);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["summary"]["errors"], 0);
    assert_eq!(v["policy_findings"], Value::Array(Vec::new()));
    let excepted = v["references"]
        .as_array()
        .expect("references")
        .iter()
        .filter(|r| r["diagnostics"][0]["code"] == "excepted")
        .count();
    assert_eq!(excepted, 2);

    // The day after the baseline expires, the errors are back.
    let out = fineprint(&["check", "--format", "json"], dir.path(), "2027-02-22");
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["summary"]["errors"], 2);
    let text = serde_json::to_string(&v).expect("json");
    assert!(text.contains("exception-expired"));
}

#[test]
fn init_refuses_to_overwrite_a_policy_unless_forced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("fineprint.toml");
    std::fs::write(&path, "use = \"research\"\n").expect("write");
    let out = fineprint(&["init"], dir.path(), TODAY);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "use = \"research\"\n",
        "untouched"
    );
    assert!(out.stdout.is_empty());

    let out = fineprint(&["init", "--force"], dir.path(), TODAY);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.starts_with("# fineprint policy, written by `fineprint init`"));

    // A pyproject.toml with a [tool.fineprint] table is a policy too.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"x\"\n\n[tool.fineprint]\nuse = \"internal\"\n",
    )
    .expect("write");
    let out = fineprint(&["init"], dir.path(), TODAY);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("[tool.fineprint]"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("fineprint.toml").exists());
    // ... but one without it is not.
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"x\"\n",
    )
    .expect("write");
    let out = fineprint(&["init"], dir.path(), TODAY);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Not a folder.
    let out = fineprint(&["init", "nowhere"], dir.path(), TODAY);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a folder"));
}

#[test]
fn init_on_a_project_without_errors_proposes_no_exception() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join(".git")).expect("mkdir");
    std::fs::write(
        dir.path().join("app.py"),
        "m = AutoModel.from_pretrained(\"mistralai/Mistral-7B-Instruct-v0.3\")\nl = AutoModel.from_pretrained(\"meta-llama/Llama-3.1-8B\")\n",
    )
    .expect("write");
    let out = fineprint(&["init", "."], dir.path(), TODAY);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = dir.path().join("fineprint.toml");
    let text = std::fs::read_to_string(&path).expect("read");
    let policy = Policy::from_file(&path, &kb()).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(policy.exceptions().is_empty());
    assert!(text.contains("No model is at error severity"), "{text}");
    assert!(text.contains("# [[exceptions]]"), "an example, commented");
    assert!(text.contains("warning commercial-threshold"), "{text}");
    assert!(
        text.contains("1 model(s) without errors or warnings"),
        "{text}"
    );
    assert_eq!(
        fineprint(&["check"], dir.path(), TODAY).status.code(),
        Some(0)
    );

    // An empty folder works too.
    let empty = tempfile::tempdir().expect("tempdir");
    let out = fineprint(&["init"], empty.path(), TODAY);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 model reference(s)"));
}

#[test]
fn baseline_dates() {
    for (date, days, want) in [
        ("2026-11-23", 90, Some("2027-02-21")),
        ("2024-02-28", 1, Some("2024-02-29")),
        ("2023-02-28", 1, Some("2023-03-01")),
        ("2023-12-31", 1, Some("2024-01-01")),
        ("2100-02-28", 1, Some("2100-03-01")),
        ("2026-13-01", 1, None),
        ("today", 1, None),
    ] {
        assert_eq!(
            fineprint::init::add_days(date, days).as_deref(),
            want,
            "{date} + {days}"
        );
    }
}
