//! The GitHub Action's script (`scripts/github_action.sh`, called by `action.yml`), run
//! with a fake `GITHUB_*` environment and the binary this build made.
//!
//! * `install`: a fake release (a `file://` folder laid out as GitHub's
//!   `releases/download/TAG/` and `releases/latest/download/`) holds the archive of this
//!   binary and its `.sha256`; the script must pick the tag, verify the checksum, unpack
//!   and put the binary's folder on `$GITHUB_PATH`, and refuse a wrong checksum, a
//!   missing asset and an unknown platform without touching `$GITHUB_PATH`.
//! * `check`: annotations (or SARIF), the job summary and the step outputs, per workspace.
//! * `gate`: the step's exit code for each result.
//!
//! Needs bash, tar, curl, jq and sha256sum (all on GitHub's runners and on this project's
//! CI machine).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("server/ has a parent")
        .to_path_buf()
}

fn script() -> PathBuf {
    repo().join("scripts/github_action.sh")
}

const BIN: &str = env!("CARGO_BIN_EXE_fineprint");
const TARGET: &str = "x86_64-unknown-linux-musl";

/// Runs the script with only PATH from this process, plus `env`.
fn run(cmd: &str, cwd: &Path, env: &[(&str, String)]) -> Output {
    let mut c = Command::new("bash");
    c.arg(script()).arg(cmd).current_dir(cwd).env_clear();
    c.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run bash")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

/// The step outputs written to `$GITHUB_OUTPUT`, as `key=value` lines.
fn outputs(p: &Path) -> Vec<(String, String)> {
    read(p)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn output_of(p: &Path, key: &str) -> Option<String> {
    outputs(p)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// Packs `bin` for `target` with `scripts/package_release.sh` (as the release workflow
/// does) into `out`; returns the archive's path.
fn package(target: &str, bin: &str, out: &Path) -> PathBuf {
    let o = Command::new("bash")
        .arg(repo().join("scripts/package_release.sh"))
        .args([target, bin])
        .arg(out)
        .env("FINEPRINT_GZIP_LEVEL", "1")
        .output()
        .expect("run package_release.sh");
    assert!(
        o.status.success(),
        "package_release.sh: {}",
        text(&o.stderr)
    );
    PathBuf::from(text(&o.stdout).trim())
}

/// A release folder laid out as GitHub serves it: `download/v9.9.9/` and
/// `latest/download/` hold the archive of this binary and its checksum;
/// `download/v6.6.6/` holds the same archive with a wrong checksum. Made once (the
/// debug binary is large).
fn fake_release(root: &Path) -> PathBuf {
    let archive = package(TARGET, BIN, &root.join("dist"));
    let name = archive
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let sum = read(&archive.with_file_name(format!("{name}.sha256")));
    let releases = root.join("releases");
    for (dir, good) in [
        ("download/v9.9.9", true),
        ("latest/download", true),
        ("download/v6.6.6", false),
    ] {
        let d = releases.join(dir);
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::hard_link(&archive, d.join(&name)).expect("link archive");
        let line = if good {
            sum.clone()
        } else {
            format!("{}  {name}\n", "0".repeat(64))
        };
        std::fs::write(d.join(format!("{name}.sha256")), line).expect("write sha256");
    }
    releases
}

/// `[package.metadata.binstall]`'s templates, filled in as cargo-binstall does, name
/// the archive `package_release.sh` makes and the binary's path inside it.
#[test]
fn binstall_metadata_matches_the_release_archives() {
    let manifest: toml::Table = read(&repo().join("server/Cargo.toml"))
        .parse()
        .expect("server/Cargo.toml");
    let workspace: toml::Table = read(&repo().join("Cargo.toml"))
        .parse()
        .expect("Cargo.toml");
    let meta = &manifest["package"]["metadata"]["binstall"];
    let repo_url = workspace["workspace"]["package"]["repository"]
        .as_str()
        .expect("repository");
    let version = manifest["package"]["version"].as_str().expect("version");
    let tmp = tempfile::tempdir().expect("tempdir");
    // A small stand-in binary: this test is about names and layout.
    let stub = tmp.path().join("stub");
    std::fs::write(&stub, "#!/bin/sh\n").expect("write stub");
    // (target, archive suffix, binary extension)
    for (target, suffix, ext) in [
        ("x86_64-unknown-linux-musl", ".tgz", ""),
        ("aarch64-apple-darwin", ".tgz", ""),
        ("x86_64-pc-windows-msvc", ".zip", ".exe"),
    ] {
        let fmt = meta
            .get("overrides")
            .and_then(|o| o.get(target))
            .and_then(|o| o.get("pkg-fmt"))
            .or(meta.get("pkg-fmt"))
            .and_then(|f| f.as_str())
            .expect("pkg-fmt");
        assert_eq!(fmt, &suffix[1..], "{target}: pkg-fmt");
        // binstall's `{ archive-suffix }` for tgz is `.tgz`; the release files end in
        // `.tar.gz`, which binstall also tries for tgz (it tries every suffix of the format).
        let fill = |t: &str, archive_suffix: &str| {
            t.replace("{ repo }", repo_url)
                .replace("{ version }", version)
                .replace("{ name }", "fineprint")
                .replace("{ target }", target)
                .replace("{ archive-suffix }", archive_suffix)
                .replace("{ bin }", "fineprint")
                .replace("{ binary-ext }", ext)
        };
        let archive = package(
            target,
            &stub.display().to_string(),
            &tmp.path().join("dist"),
        );
        let file = archive
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let real_suffix = if ext.is_empty() { ".tar.gz" } else { ".zip" };
        let url = fill(meta["pkg-url"].as_str().expect("pkg-url"), real_suffix);
        assert_eq!(
            url,
            format!("{repo_url}/releases/download/v{version}/{file}"),
            "{target}: pkg-url"
        );
        let listing = if ext.is_empty() {
            Command::new("tar").arg("-tzf").arg(&archive).output()
        } else {
            Command::new("unzip").arg("-Z1").arg(&archive).output()
        }
        .expect("list archive");
        let listing = text(&listing.stdout);
        let bin_dir = fill(meta["bin-dir"].as_str().expect("bin-dir"), real_suffix);
        for member in [
            bin_dir.as_str(),
            &format!("fineprint-{target}/LICENSE-MIT"),
            &format!("fineprint-{target}/NOTICE"),
        ] {
            assert!(
                listing.lines().any(|l| l == member),
                "{target}: {member} not in {file}:\n{listing}"
            );
        }
    }
}

#[test]
fn install_verifies_the_checksum_and_puts_the_binary_on_the_path() {
    let version = text(
        &Command::new(BIN)
            .arg("--version")
            .output()
            .expect("--version")
            .stdout,
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let releases = fake_release(tmp.path());
    // (FINEPRINT_VERSION, FINEPRINT_ACTION_REF, RUNNER_OS, expected error or None)
    let cases: &[(&str, &str, &str, Option<&str>)] = &[
        ("", "v9.9.9", "Linux", None),       // the action's own tag
        ("9.9.9", "main", "Linux", None),    // a bare version gets its v
        ("latest", "v9.9.9", "Linux", None), // latest/download
        ("", "main", "Linux", None),         // a branch ref: latest
        ("v6.6.6", "", "Linux", Some("checksum mismatch")),
        ("v1.0.0", "", "Linux", Some("could not download")),
        (
            "",
            "v9.9.9",
            "Plan9",
            Some("no fineprint release for Plan9/X64"),
        ),
        ("../../etc", "", "Linux", Some("version must be a tag")),
    ];
    for (i, &(version_in, action_ref, os, error)) in cases.iter().enumerate() {
        let gh_path = tmp.path().join(format!("github_path{i}"));
        let runner_temp = tmp.path().join(format!("runner{i}"));
        let out = run(
            "install",
            tmp.path(),
            &[
                ("FINEPRINT_VERSION", version_in.to_string()),
                ("FINEPRINT_ACTION_REF", action_ref.to_string()),
                (
                    "FINEPRINT_RELEASE_BASE",
                    format!("file://{}", releases.display()),
                ),
                ("RUNNER_OS", os.to_string()),
                ("RUNNER_ARCH", "X64".to_string()),
                ("RUNNER_TEMP", runner_temp.display().to_string()),
                ("GITHUB_PATH", gh_path.display().to_string()),
            ],
        );
        let case = format!("version {version_in:?}, ref {action_ref:?}, {os}");
        let stdout = text(&out.stdout);
        match error {
            None => {
                assert!(
                    out.status.success(),
                    "{case}: {stdout}{}",
                    text(&out.stderr)
                );
                assert!(stdout.contains("verified"), "{case}: {stdout}");
                let dir = read(&gh_path);
                let installed = Path::new(dir.trim()).join("fineprint");
                let v = Command::new(&installed)
                    .arg("--version")
                    .output()
                    .expect("run installed");
                assert_eq!(text(&v.stdout), version, "{case}");
            }
            Some(msg) => {
                assert_eq!(out.status.code(), Some(2), "{case}: {stdout}");
                assert!(
                    stdout.contains("::error title=fineprint::") && stdout.contains(msg),
                    "{case}: {stdout}"
                );
                assert!(
                    read(&gh_path).is_empty(),
                    "{case}: GITHUB_PATH written on failure"
                );
            }
        }
        // The debug binary is large: keep one installed copy at a time.
        let _ = std::fs::remove_dir_all(&runner_temp);
    }
}

struct Check {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    path: &'static str,
    args: &'static str,
    sarif: bool,
    exit_code: &'static str,
    /// Lines that must be in stdout (the workflow commands).
    stdout: &'static [&'static str],
    /// Text that must not be in stdout.
    not_stdout: &'static [&'static str],
    /// Text that must be in the job summary.
    summary: &'static [&'static str],
    /// When set, `fineprint baseline` runs on `files` first, then these files are
    /// written (the changes since the baseline).
    after_baseline: Option<&'static [(&'static str, &'static str)]>,
}

const POLICY: &str = "use = \"commercial\"\n\n[[exceptions]]\nmodel = \"meta-llama/Llama-3.1-8B\"\nreason = \"signed\"\n\n[[exceptions]]\nmodel = \"mistralai/Codestral-*\"\nreason = \"old\"\n";

const CHECKS: &[Check] = &[
    Check {
        name: "findings become annotations and an inventory",
        files: &[
            ("fineprint.toml", POLICY),
            (
                "app/gen.py",
                "pipe = load(\"black-forest-labs/FLUX.1-dev\")\n",
            ),
            (
                "app/chat.py",
                "m = from_pretrained(\"meta-llama/Llama-3.1-8B\")\n",
            ),
            (
                "app/ok.py",
                "m = from_pretrained(\"mistralai/Mistral-7B-v0.1\")\n",
            ),
        ],
        path: ".",
        args: "",
        sarif: false,
        exit_code: "1",
        stdout: &[
            "::error file=app/gen.py,line=1,col=14,endLine=1,endColumn=42,title=fineprint%3A non-commercial::FLUX.1-dev is under",
            "::warning file=fineprint.toml,line=8,title=fineprint%3A exception-unused::The exception for `mistralai/Codestral-*`",
        ],
        not_stdout: &["file=app/ok.py", "excepted"],
        summary: &[
            "**1 error(s)**",
            "policy: `fineprint.toml`",
            "| `black-forest-labs/FLUX.1-dev` | FLUX.1 [dev] Non-Commercial License | 1 (first: `app/gen.py:1`) | ❌ `non-commercial`",
            "| `meta-llama/Llama-3.1-8B` | Llama 3.1 Community License Agreement | 1 (first: `app/chat.py:1`) | excepted |",
            "| `mistralai/Mistral-7B-v0.1` | Apache License 2.0 | 1 (first: `app/ok.py:1`) | — |",
            "* 1 model(s) covered by an exception",
            "* 1 exception(s) that match nothing any more",
        ],
        after_baseline: None,
    },
    Check {
        name: "SARIF instead of annotations",
        files: &[("gen.py", "pipe = load(\"black-forest-labs/FLUX.1-dev\")\n")],
        path: ".",
        args: "",
        sarif: true,
        exit_code: "1",
        stdout: &["fineprint: 1 error(s)"],
        not_stdout: &["::error", "::warning"],
        summary: &[
            "| `black-forest-labs/FLUX.1-dev` |",
            "policy: `none (commercial use assumed)`",
        ],
        after_baseline: None,
    },
    Check {
        name: "a subfolder: paths relative to the workspace, escaped",
        files: &[(
            "sub/a,b.py",
            "pipe = load(\"black-forest-labs/FLUX.1-dev\")\n",
        )],
        path: "sub",
        args: "",
        sarif: false,
        exit_code: "1",
        stdout: &["::error file=sub/a%2Cb.py,line=1,"],
        not_stdout: &[],
        summary: &["(first: `sub/a,b.py:1`)"],
        after_baseline: None,
    },
    Check {
        name: "nothing found",
        files: &[("main.py", "print('hello')\n")],
        path: ".",
        args: "",
        sarif: false,
        exit_code: "0",
        stdout: &["fineprint: 0 error(s), 0 warning(s), 0 reference(s)"],
        not_stdout: &["::error", "::warning"],
        summary: &["No model references found."],
        after_baseline: None,
    },
    Check {
        name: "args reach fineprint: --deny warnings",
        files: &[(
            "chat.py",
            "m = from_pretrained(\"meta-llama/Llama-3.1-8B\")\n",
        )],
        path: ".",
        args: "--deny warnings",
        sarif: false,
        exit_code: "1",
        stdout: &["::warning file=chat.py,line=1,"],
        not_stdout: &["::error"],
        summary: &["**0 error(s)**"],
        after_baseline: None,
    },
    Check {
        name: "an invalid policy stops the check with exit code 2",
        files: &[
            ("fineprint.toml", "use = \"sometimes\"\n"),
            ("main.py", "x = 1\n"),
        ],
        path: ".",
        args: "",
        sarif: false,
        exit_code: "2",
        stdout: &[
            "::error title=fineprint could not check::",
            "fineprint.toml",
        ],
        not_stdout: &[],
        summary: &["stopped with exit code 2"],
        after_baseline: None,
    },
    Check {
        name: "with a baseline: only what is new, and the drift in the summary",
        files: &[
            ("fineprint.toml", "use = \"commercial\"\n"),
            (
                "app/gen.py",
                "pipe = load(\"black-forest-labs/FLUX.1-dev\")\n",
            ),
            (
                "app/chat.py",
                "m = from_pretrained(\"meta-llama/Llama-3.1-8B\")\n",
            ),
        ],
        path: ".",
        args: "",
        sarif: false,
        exit_code: "1",
        stdout: &["::error file=app/chat.py,line=1,", "fineprint: 1 error(s)"],
        not_stdout: &["file=app/gen.py"],
        summary: &[
            "### Since the baseline (`fineprint-baseline.json`)",
            "3 finding(s) in the baseline are not repeated above; 0 changed since. Models: 1 added, 1 removed, 0 whose license changed.",
            "| added | `mistralai/Codestral-22B-v0.1` | mnpl |",
            "| removed | `meta-llama/Llama-3.1-8B` | llama3.1 |",
        ],
        after_baseline: Some(&[(
            "app/chat.py",
            "m = from_pretrained(\"mistralai/Codestral-22B-v0.1\")\n",
        )]),
    },
];

#[test]
fn check_writes_annotations_or_sarif_and_a_summary() {
    for c in CHECKS {
        let tmp = tempfile::tempdir().expect("tempdir");
        let ws = tmp.path().join("ws");
        for (rel, body) in c.files {
            let p = ws.join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, body).expect("write");
        }
        if let Some(changes) = c.after_baseline {
            let o = Command::new(BIN)
                .arg("baseline")
                .current_dir(&ws)
                .env("FINEPRINT_NO_EVIDENCE", "1")
                .output()
                .expect("run fineprint baseline");
            assert!(o.status.success(), "{}: {}", c.name, text(&o.stderr));
            for (rel, body) in changes {
                std::fs::write(ws.join(rel), body).expect("write");
            }
        }
        let out_file = tmp.path().join("output");
        let summary_file = tmp.path().join("summary.md");
        let out = run(
            "check",
            &ws,
            &[
                ("FINEPRINT_BIN", BIN.to_string()),
                ("FINEPRINT_PATH", c.path.to_string()),
                ("FINEPRINT_ARGS", c.args.to_string()),
                ("FINEPRINT_SARIF", c.sarif.to_string()),
                ("FINEPRINT_NO_EVIDENCE", "1".to_string()),
                ("GITHUB_WORKSPACE", ws.display().to_string()),
                ("GITHUB_OUTPUT", out_file.display().to_string()),
                ("GITHUB_STEP_SUMMARY", summary_file.display().to_string()),
                (
                    "RUNNER_TEMP",
                    tmp.path().join("runner").display().to_string(),
                ),
            ],
        );
        let stdout = text(&out.stdout);
        let name = c.name;
        assert!(
            out.status.success(),
            "{name}: the check step failed by itself: {stdout}{}",
            text(&out.stderr)
        );
        assert_eq!(
            output_of(&out_file, "exit-code").as_deref(),
            Some(c.exit_code),
            "{name}: {stdout}"
        );
        for want in c.stdout {
            assert!(
                stdout.contains(want),
                "{name}: stdout lacks {want:?}:\n{stdout}"
            );
        }
        for unwanted in c.not_stdout {
            assert!(
                !stdout.contains(unwanted),
                "{name}: stdout has {unwanted:?}:\n{stdout}"
            );
        }
        let summary = read(&summary_file);
        for want in c.summary {
            assert!(
                summary.contains(want),
                "{name}: summary lacks {want:?}:\n{summary}"
            );
        }
        let sarif_file = output_of(&out_file, "sarif-file");
        assert_eq!(sarif_file.is_some(), c.sarif, "{name}: sarif-file output");
        if let Some(f) = sarif_file {
            let log: serde_json::Value =
                serde_json::from_str(&read(Path::new(&f))).expect("SARIF is JSON");
            assert_eq!(log["version"], "2.1.0", "{name}");
            let errors = log["runs"][0]["results"]
                .as_array()
                .expect("results")
                .iter()
                .filter(|r| r["level"] == "error")
                .count();
            assert_eq!(
                Some(errors.to_string()),
                output_of(&out_file, "errors"),
                "{name}"
            );
        }
    }
}

#[test]
fn gate_fails_the_job_as_configured() {
    // (exit code of the check, fail-on-findings, the gate's exit code)
    let cases: &[(&str, &str, i32)] = &[
        ("0", "true", 0),
        ("1", "true", 1),
        ("1", "false", 0),
        ("2", "false", 2),
        ("", "true", 2),
    ];
    let tmp = tempfile::tempdir().expect("tempdir");
    for &(code, fail_on, want) in cases {
        let out = run(
            "gate",
            tmp.path(),
            &[
                ("FINEPRINT_EXIT_CODE", code.to_string()),
                ("FINEPRINT_FAIL_ON_FINDINGS", fail_on.to_string()),
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(want),
            "code {code:?}, fail-on-findings {fail_on}"
        );
    }
}

#[test]
fn action_yml_runs_the_script_steps() {
    let action = read(&repo().join("action.yml"));
    for step in ["install", "check", "gate"] {
        assert!(
            action.contains(&format!("scripts/github_action.sh\" {step}")),
            "action.yml does not run the {step} step"
        );
    }
    // Every input reaches the script through an environment variable it reads.
    let script = read(&script());
    for var in [
        "FINEPRINT_VERSION",
        "FINEPRINT_PATH",
        "FINEPRINT_ARGS",
        "FINEPRINT_SARIF",
        "FINEPRINT_FAIL_ON_FINDINGS",
        "FINEPRINT_EXIT_CODE",
        "FINEPRINT_ACTION_REF",
        "FINEPRINT_ACTION_REPOSITORY",
    ] {
        assert!(
            action.contains(&format!("{var}:")),
            "action.yml does not set {var}"
        );
        assert!(
            script.contains(&format!("${{{var}")),
            "the script does not read {var}"
        );
    }
}
