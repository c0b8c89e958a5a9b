//! The `fineprint` binary as a user runs it: exit codes, the walk (gitignore, dotfiles,
//! skipped files), the JSON contract, policy errors, `explain`.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn fineprint(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fineprint"))
        .env("FINEPRINT_NO_EVIDENCE", "1")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("FINEPRINT_TODAY", "2026-11-23")
        .output()
        .expect("run fineprint")
}

fn write(dir: &Path, rel: &str, text: &[u8]) {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(p, text).expect("write");
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn refs(v: &Value) -> Vec<(String, String)> {
    v["references"]
        .as_array()
        .expect("references")
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap_or("").to_string(),
                r["text"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// (files as (name, text), extra arguments, expected exit code)
type ExitCase<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], i32);

#[test]
fn exit_codes() {
    let d = tempfile::tempdir().expect("tmp");
    let cases: &[ExitCase] = &[
        (&[("a.py", "x = 1\n")], &[], 0),
        (
            &[(
                "a.py",
                "m = from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n",
            )],
            &[],
            1,
        ),
        (
            &[(
                "a.py",
                "m = from_pretrained(\"black-forest-labs/FLUX.1-schnell\")\n",
            )],
            &[],
            0,
        ),
        (
            &[("a.py", "m = from_pretrained(\"meta-llama/Llama-3.1-8B\")\n")],
            &[],
            0,
        ),
        (
            &[("a.py", "m = from_pretrained(\"meta-llama/Llama-3.1-8B\")\n")],
            &["--deny", "warnings"],
            1,
        ),
        (
            &[("a.py", "x = 1\n"), ("fineprint.toml", "usee = 1\n")],
            &[],
            2,
        ),
        (
            &[
                (
                    "a.py",
                    "m = from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n",
                ),
                ("fineprint.toml", "use = \"research\"\n"),
            ],
            &[],
            0,
        ),
    ];
    for (i, (files, args, code)) in cases.iter().enumerate() {
        let root = d.path().join(format!("case{i}"));
        for (name, text) in *files {
            write(&root, name, text.as_bytes());
        }
        let mut all = vec!["check", "."];
        all.extend_from_slice(args);
        let out = fineprint(&all, &root);
        assert_eq!(
            out.status.code(),
            Some(*code),
            "case {i} {files:?} {args:?}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn policy_error_names_file_line_and_key() {
    let d = tempfile::tempdir().expect("tmp");
    write(
        d.path(),
        "fineprint.toml",
        b"use = \"commercial\"\nallow = [\"apache-2.0\", \"apache-3.0\"]\n",
    );
    write(d.path(), "a.py", b"x = 1\n");
    let out = fineprint(&["check", "."], d.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("fineprint.toml:2:") && err.contains("`allow`") && err.contains("apache-3.0"),
        "{err}"
    );
}

#[test]
fn walk_honours_gitignore_reads_dotfiles_and_reports_skips() {
    let d = tempfile::tempdir().expect("tmp");
    let r = d.path();
    write(r, ".gitignore", b"ignored/\n");
    write(
        r,
        "ignored/a.py",
        b"m = from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n",
    );
    write(r, ".env", b"MODEL_ID=acme-ai/support-bot-7b\n");
    write(
        r,
        "src/b.py",
        b"m = from_pretrained(\"mistralai/Mistral-7B-v0.1\")\n",
    );
    write(r, "latin1.py", b"# caf\xe9\nm = \"gpt-4o\"\n");
    write(r, "bin.json", b"{\"a\": \0 }");
    write(r, "notes.rtf", b"meta-llama/Llama-3.1-8B\n");
    write(r, ".git/config", b"meta-llama/Llama-3.1-8B\n");
    let mut big = b"x = \"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 9 * 1024 * 1024));
    write(r, "big.py", &big);
    let out = fineprint(&["check", ".", "--format", "json"], r);
    let v = json(&out);
    assert_eq!(
        refs(&v),
        vec![
            (".env".to_string(), "acme-ai/support-bot-7b".to_string()),
            (
                "src/b.py".to_string(),
                "mistralai/Mistral-7B-v0.1".to_string()
            )
        ]
    );
    let skipped: Vec<(String, String)> = v["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap_or("").to_string(),
                s["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let paths: Vec<&str> = skipped.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        vec!["big.py", "bin.json", "latin1.py"],
        "{skipped:?}"
    );
    assert!(skipped[0].1.contains("larger than"), "{skipped:?}");
    assert!(skipped[1].1.contains("binary"), "{skipped:?}");
    assert!(skipped[2].1.contains("not UTF-8"), "{skipped:?}");
    assert_eq!(v["summary"]["files"], 2);
    assert_eq!(v["summary"]["skipped"], 3);
}

#[test]
fn json_positions_count_unicode_scalars() {
    let d = tempfile::tempdir().expect("tmp");
    // (line, expected column, expected end column) for the reference on that line
    write(
        d.path(),
        "a.py",
        "# 😀 日本 meta-llama/Llama-3.1-8B\r\nx = 1\nm = \"gpt-4o\"".as_bytes(),
    );
    let v = json(&fineprint(&["check", "a.py", "--format", "json"], d.path()));
    let got: Vec<(u64, u64, u64, u64, String)> = v["references"]
        .as_array()
        .expect("refs")
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap_or(0),
                r["column"].as_u64().unwrap_or(0),
                r["end_line"].as_u64().unwrap_or(0),
                r["end_column"].as_u64().unwrap_or(0),
                r["text"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (1, 8, 1, 31, "meta-llama/Llama-3.1-8B".to_string()),
            (3, 6, 3, 12, "gpt-4o".to_string())
        ]
    );
    assert_eq!(v["references"][0]["path"], "a.py");
    assert_eq!(v["references"][0]["license"], "llama3.1");
    assert_eq!(v["references"][0]["source"], "rules");
}

#[test]
fn suppression_comments_are_honoured() {
    let d = tempfile::tempdir().expect("tmp");
    write(
        d.path(),
        "a.py",
        b"a = from_pretrained(\"black-forest-labs/FLUX.1-dev\")  # fineprint: ignore[non-commercial]\n# fineprint: ignore\nb = from_pretrained(\"black-forest-labs/FLUX.1-dev\")\nc = from_pretrained(\"black-forest-labs/FLUX.1-dev\")  # fineprint: ignore[unknown-license]\n",
    );
    let v = json(&fineprint(&["check", ".", "--format", "json"], d.path()));
    let codes: Vec<Vec<String>> = v["references"]
        .as_array()
        .expect("refs")
        .iter()
        .map(|r| {
            r["diagnostics"]
                .as_array()
                .expect("diags")
                .iter()
                .map(|d| d["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .collect();
    assert!(
        !codes[0].contains(&"non-commercial".to_string())
            && codes[0].contains(&"output-restriction".to_string()),
        "{codes:?}"
    );
    assert!(codes[1].is_empty(), "{codes:?}");
    assert!(
        codes[2].contains(&"non-commercial".to_string()),
        "{codes:?}"
    );
}

#[test]
fn pyproject_policy_is_found_from_a_subfolder() {
    let d = tempfile::tempdir().expect("tmp");
    write(
        d.path(),
        "pyproject.toml",
        b"[project]\nname = \"x\"\n\n[tool.fineprint]\nuse = \"research\"\n",
    );
    write(
        d.path(),
        "pkg/a.py",
        b"m = from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n",
    );
    let out = fineprint(&["check", "pkg", "--format", "json"], d.path());
    let v = json(&out);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(v["policy"]["use"], "research");
}

#[test]
fn explain_prints_cards_and_refuses_unknowns() {
    let d = tempfile::tempdir().expect("tmp");
    // (subject, exit code, text the output must contain)
    let cases: &[(&str, i32, &str)] = &[
        ("black-forest-labs/FLUX.1-dev", 0, "Non-Commercial"),
        ("llama3.1:8b", 0, "700M"),
        ("gpt-4o", 0, "closed (API only)"),
        ("llama3.1", 0, "Llama 3.1"),
        ("apache-2.0", 0, "Apache"),
        (
            "acme-ai/nothing-here",
            2,
            "neither a model fineprint knows, a license id nor a finding code",
        ),
        // Finding codes, and what is close to a name that matches nothing.
        ("non-commercial", 0, "The license forbids commercial use."),
        ("lama3.1", 2, "did you mean: "),
        // A short family name: every family it starts, each with its license.
        ("flux", 0, "flux-1-dev"),
        ("flux", 0, "Their licenses differ"),
        (
            "flux",
            0,
            "flux-1-dev: FLUX.1 [dev] (incl. Fill, Depth, Canny, Redux, Kontext, Krea [dev]) by Black Forest Labs · FLUX.1-dev NC · non-commercial",
        ),
        (
            "flux",
            0,
            "flux-1-schnell: FLUX.1 [schnell] by Black Forest Labs · Apache-2.0",
        ),
        ("flux", 0, "(some variants: Apache-2.0)"),
        ("FLUX", 0, "flux-1-schnell"),
        ("llama", 0, "llama-3"),
        ("llamaz", 2, "did you mean: "),
    ];
    for (subject, code, needle) in cases {
        let out = fineprint(&["explain", subject], d.path());
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(*code), "{subject}: {text}");
        assert!(
            text.contains(needle),
            "{subject}: expected {needle:?} in\n{text}"
        );
    }
}

/// The progress line of `check` is for terminals: with stderr piped (CI logs, editors,
/// scripts) nothing is written there, in any format, even with the delay before the
/// line set to zero; and stdout holds the report alone. (On a terminal, the line is
/// checked by hand: see docs/performance.md.)
#[test]
fn no_progress_output_when_stderr_is_piped() {
    let d = tempfile::tempdir().expect("tmp");
    for i in 0..50 {
        write(
            d.path(),
            &format!("src/m{i}.py"),
            b"m = from_pretrained(\"meta-llama/Llama-3.1-8B\")\nx = [1, 2, 3]\n",
        );
    }
    for format in ["human", "json", "sarif", "cyclonedx"] {
        let out = Command::new(env!("CARGO_BIN_EXE_fineprint"))
            .env("FINEPRINT_NO_EVIDENCE", "1")
            .env("NO_COLOR", "1")
            .env("FINEPRINT_TODAY", "2026-11-23")
            .env("FINEPRINT_PROGRESS_DELAY_MS", "0")
            .args(["check", "--format", format, "."])
            .current_dir(d.path())
            .output()
            .expect("run fineprint");
        assert!(
            out.stderr.is_empty(),
            "{format}: stderr should be empty, got {:?}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            !stdout.contains('\r') && !stdout.contains("checking:"),
            "{format}: progress in stdout"
        );
        if format != "human" {
            let _: Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{format}: stdout is not one JSON document: {e}"));
        }
    }
}

/// A path that does not exist is a usage error (exit 2, the path named), in every
/// format, also next to paths that do exist.
#[test]
fn missing_paths_are_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.py", b"m = 'gpt-4o'\n");
    // (arguments, expected exit code)
    let cases: &[(&[&str], i32)] = &[
        (&["check", "nope"], 2),
        (&["check", "a.py", "nope"], 2),
        (&["check", "nope", "--format", "json"], 2),
        (&["check", "nope", "--format", "sarif"], 2),
        (&["check", "a.py"], 0),
    ];
    for (args, code) in cases {
        let out = fineprint(args, dir.path());
        assert_eq!(out.status.code(), Some(*code), "{args:?}");
        if *code == 2 {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("nope: no such file or folder"),
                "{args:?}: {err}"
            );
            assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
        }
    }
}

/// A reader that goes away (`fineprint ... | head -1`) ends the command quietly: no
/// panic, no message, and the exit code the command would have had (1 when `check`
/// found errors), so that a closed pipe never makes a failing check pass.
#[test]
fn broken_pipes_end_quietly() {
    use std::io::{BufRead as _, BufReader};
    use std::process::Stdio;
    // Outputs far larger than a pipe's buffer (64 KiB), so that writes meet the closed
    // pipe whatever the timing.
    let dir = tempfile::tempdir().expect("tempdir");
    let many: String = (0..20_000)
        .map(|i| format!("m{i} = AutoModel.from_pretrained(\"meta-llama/Llama-3.1-8B\")\n"))
        .collect();
    write(dir.path(), "big.py", many.as_bytes());
    // FLUX.1 [dev] is non-commercial: an error under the default (commercial) policy.
    let flux: String = std::iter::once("from diffusers import FluxPipeline\n".to_string())
        .chain((0..20_000).map(|i| {
            format!("p{i} = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n")
        }))
        .collect();
    write(dir.path(), "flux.py", flux.as_bytes());
    let cases: &[(&[&str], i32)] = &[
        (&["check", "--all", "big.py"], 0),
        (&["check", "--format", "json", "big.py"], 0),
        (&["check", "flux.py"], 1),
        (&["check", "--format", "json", "flux.py"], 1),
        (&["check", "--format", "sarif", "flux.py"], 1),
        (&["rules", "docs"], 0),
    ];
    for (args, code) in cases {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fineprint"))
            .args(*args)
            .current_dir(dir.path())
            .env("FINEPRINT_NO_EVIDENCE", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        BufReader::new(stdout).read_line(&mut first).expect("read");
        assert!(!first.is_empty(), "{args:?}");
        // The reader is dropped here: the rest of the output meets a closed pipe.
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {err}");
        assert!(err.trim().is_empty(), "{args:?}: nothing on stderr: {err}");
        assert_eq!(out.status.code(), Some(*code), "{args:?}");
    }
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap_or_else(|e| panic!("git is needed for this test: {e}"));
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository that ignores `*` and tracks files by force (git ignores only untracked
/// files): fineprint reads every tracked file, not the untracked ignored one, and a
/// `.fineprintignore` still excludes what it names.
#[test]
fn tracked_files_are_read_even_when_gitignored() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = dir.path();
    write(d, ".gitignore", b"*\n!.gitignore\n");
    write(
        d,
        "scripts/app.py",
        b"llm = ChatOpenAI(model_name=\"gpt-4o\")\n",
    );
    write(
        d,
        "notes/old.py",
        b"llm = ChatOpenAI(model_name=\"gpt-4-turbo\")\n",
    );
    write(
        d,
        "scratch.py",
        b"x = ChatOpenAI(model_name=\"gpt-4o-mini\")\n",
    );
    git(d, &["init", "-q"]);
    git(d, &["add", ".gitignore"]);
    git(d, &["add", "-f", "scripts/app.py", "notes/old.py"]);
    let found = |d: &Path| {
        let out = fineprint(&["check", ".", "--all", "--format", "json"], d);
        refs(&json(&out))
            .into_iter()
            .map(|(path, text)| format!("{path} {text}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        found(d),
        ["notes/old.py gpt-4-turbo", "scripts/app.py gpt-4o"],
        "tracked files read, the untracked ignored one not"
    );
    write(d, ".fineprintignore", b"notes/\n");
    assert_eq!(
        found(d),
        ["scripts/app.py gpt-4o"],
        ".fineprintignore still applies"
    );
}

/// Runs fineprint in `dir` with extra environment variables (NO_COLOR is not set).
fn fineprint_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fineprint"));
    c.env("FINEPRINT_NO_EVIDENCE", "1")
        .env("FINEPRINT_TODAY", "2026-11-23")
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .args(args)
        .current_dir(dir);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run fineprint")
}

/// A project with one model used at three places in two files (two findings each) and
/// a non-commercial one.
fn output_project() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tmp");
    write(
        d.path(),
        "a.py",
        b"m = from_pretrained(\"meta-llama/Llama-3.1-8B\")\nn = from_pretrained(\"meta-llama/Llama-3.1-8B\")\np = from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n",
    );
    write(
        d.path(),
        "b.py",
        b"m = from_pretrained(\"meta-llama/Llama-3.1-8B\")\n",
    );
    d
}

/// (arguments, exit code, lines that must appear, text that must not appear, line count)
type FormatCase<'a> = (
    &'a [&'a str],
    i32,
    &'a [&'a str],
    &'a [&'a str],
    Option<usize>,
);

#[test]
fn output_formats_and_flags() {
    let d = output_project();
    let summary = "fineprint: 4 model reference(s) in 2 file(s)";
    let cases: &[FormatCase] = &[
        // Grouped: the Llama decisions once each, their places listed once, a table.
        (
            &["check", "."],
            1,
            &[
                "error[non-commercial]: FLUX.1-dev is under",
                "  --> a.py:1:22  | m = from_pretrained(\"meta-llama/Llama-3.1-8B\")",
                "  --> b.py:1:22  | m = from_pretrained(\"meta-llama/Llama-3.1-8B\")",
                "  --> the same 3 place(s) as above",
                "Llama-3.1-8B  Llama 3.1 License · ≤700M MAU",
                "2 file(s), 3 place(s)",
                "FLUX.1-dev",
                summary,
            ],
            &["\x1b["],
            None,
        ),
        // --all: every finding at every place, with its source line.
        (
            &["check", ".", "--all"],
            1,
            &[" --> a.py:2:22", " --> b.py:1:22", summary],
            &["the same 3 place(s)"],
            None,
        ),
        (
            &["check", ".", "--format", "concise"],
            1,
            &[
                "a.py:1:22: warning[commercial-threshold] Llama-3.1-8B: If you or your affiliates",
                "a.py:3:22: error[non-commercial] FLUX.1-dev: ",
                "b.py:1:22: warning[naming-duty] Llama-3.1-8B: ",
                summary,
            ],
            &["clause:"],
            None,
        ),
        (
            &["check", ".", "--format", "github"],
            1,
            &[
                "::error file=a.py,line=3,col=22,endColumn=50,title=fineprint non-commercial%3A FLUX.1-dev::FLUX.1-dev is under",
                "::warning file=b.py,line=1,col=22,endColumn=45,title=fineprint commercial-threshold%3A Llama-3.1-8B::",
                summary,
            ],
            &[],
            None,
        ),
        (
            &["check", ".", "--statistics"],
            1,
            &[
                "1  error    non-commercial",
                "3  warning  commercial-threshold",
                "3  warning  naming-duty",
                summary,
            ],
            &["-->"],
            None,
        ),
        (&["check", ".", "-q"], 1, &[summary], &["-->"], Some(1)),
        (
            &["check", ".", "--quiet", "--format", "concise"],
            1,
            &[summary],
            &["a.py"],
            Some(1),
        ),
    ];
    for (args, code, want, never, lines) in cases {
        let out = fineprint(args, d.path());
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(*code), "{args:?}\n{text}");
        for w in *want {
            assert!(text.contains(w), "{args:?}: missing {w:?} in\n{text}");
        }
        for n in *never {
            assert!(!text.contains(n), "{args:?}: unexpected {n:?} in\n{text}");
        }
        if let Some(l) = lines {
            assert_eq!(text.lines().count(), *l, "{args:?}\n{text}");
        }
    }
}

/// (arguments, environment, coloured) with standard output a pipe.
type ColorCase<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], bool);

#[test]
fn color_flag_and_environment() {
    let d = output_project();
    let cases: &[ColorCase] = &[
        (&[], &[], false),
        (&[], &[("FORCE_COLOR", "1")], true),
        (&[], &[("CLICOLOR_FORCE", "1")], true),
        (&[], &[("FORCE_COLOR", "0")], false),
        (&[], &[("NO_COLOR", "1"), ("FORCE_COLOR", "1")], false),
        (&["--color", "always"], &[("NO_COLOR", "1")], true),
        (&["--color", "never"], &[("FORCE_COLOR", "1")], false),
        (&["--color", "auto"], &[("CLICOLOR_FORCE", "1")], true),
    ];
    for (flags, env, colored) in cases {
        let mut args = vec!["check", "."];
        args.extend_from_slice(flags);
        let out = fineprint_env(&args, d.path(), env);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            text.contains("\x1b["),
            *colored,
            "{flags:?} {env:?}\n{text}"
        );
    }
}

/// The github format escapes `%`, `:` and `,` in the file property and keeps each
/// annotation on one line.
#[test]
fn github_format_escapes_properties() {
    let d = tempfile::tempdir().expect("tmp");
    write(
        d.path(),
        "50%, a:b.py",
        b"p = from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n",
    );
    let out = fineprint(&["check", ".", "--format", "github"], d.path());
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or("");
    assert!(
        first.starts_with("::error file=50%25%2C a%3Ab.py,line=1,col=22,"),
        "{text}"
    );
    assert_eq!(
        text.lines().filter(|l| l.starts_with("::")).count(),
        2,
        "{text}"
    );
}

/// `check -` reads standard input as the file `--stdin-filename` names.
#[test]
fn standard_input_is_checked_as_the_file_named() {
    use std::io::Write as _;
    use std::process::Stdio;
    let d = tempfile::tempdir().expect("tmp");
    let flux = "m = from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n";
    // (arguments, input, exit code, text expected on stdout or stderr)
    let cases: &[(&[&str], &str, i32, &str)] = &[
        (
            &["-", "--stdin-filename", "src/app.py", "--format", "concise"],
            flux,
            1,
            "src/app.py:1:22: error[non-commercial]",
        ),
        // A test file's findings are information, as on disk.
        (
            &["-", "--stdin-filename", "tests/test_app.py"],
            flux,
            0,
            "0 error(s)",
        ),
        (&["-"], flux, 2, "give its file name with --stdin-filename"),
        (
            &["-", "--stdin-filename", "notes.xyz"],
            flux,
            2,
            "not a kind of file fineprint reads",
        ),
        (
            &["-", ".", "--stdin-filename", "a.py"],
            flux,
            2,
            "other paths",
        ),
        (
            &[".", "--stdin-filename", "a.py"],
            flux,
            2,
            "give `-` as the path",
        ),
        (
            &["-", "--stdin-filename", "a.py"],
            "x = '\u{0}\u{ff}'\n",
            0,
            "0 model reference(s)",
        ),
    ];
    for (args, input, code, expect) in cases {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fineprint"))
            .env("FINEPRINT_NO_EVIDENCE", "1")
            .env("NO_COLOR", "1")
            .arg("check")
            .args(*args)
            .current_dir(d.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run fineprint");
        if let Some(mut stdin) = child.stdin.take() {
            // A refused run may close its input before reading it.
            let _ = stdin.write_all(input.as_bytes());
        }
        let out = child.wait_with_output().expect("wait");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(*code), "{args:?}: {text}");
        assert!(text.contains(expect), "{args:?}: {text}");
    }
}
