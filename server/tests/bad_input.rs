//! Bad input with nothing lost: a workspace whose files are not UTF-8, contain NUL
//! bytes, are one 40 MB line, nest JSON 100,000 levels deep, cannot be read, or are
//! symbolic links (one a loop, one out of the root). `fineprint check` names every
//! file it skipped with its reason and still checks every other file; the language
//! server answers for such documents and keeps running; a broken `fineprint.toml`
//! stops the CLI with exit code 2 and its file, line and key.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use common::{Client, file_uri, vscode_capabilities};
use serde_json::{Value, json};

/// A reference the engine always finds (in a model call, known family).
const GOOD: &str = "from transformers import AutoModel\nm = AutoModel.from_pretrained(\"meta-llama/Llama-3.1-8B\")\n";

const FORTY_MB: usize = 40 * 1024 * 1024;
/// The long line the language server test opens: 8 MiB (the largest file `check`
/// reads), so that the test (a debug build decoding the JSON message and scanning
/// one long line) stays under 30 s on two busy cores. `check` gets the 40 MB file.
const LSP_LINE: usize = 8 * 1024 * 1024;
const DEPTH: usize = 100_000;

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(p, bytes).expect("write");
}

/// One line of `len` bytes (and a few) with a model id at its end.
fn long_line(len: usize) -> String {
    let mut s = String::with_capacity(len + 64);
    while s.len() < len {
        s.push_str("x = compute(value, 1); ");
    }
    s.push_str("m = \"meta-llama/Llama-3.1-8B\"");
    s
}

/// JSON nested `DEPTH` levels deep, with a model id at the bottom.
fn deep_json() -> String {
    let mut s = String::with_capacity(DEPTH * 2 + 64);
    s.push_str(&"[".repeat(DEPTH));
    s.push_str("{\"model\": \"meta-llama/Llama-3.1-8B\"}");
    s.push_str(&"]".repeat(DEPTH));
    s
}

/// A notebook whose cell metadata nests `DEPTH` levels deep, with a model in its source.
fn deep_notebook() -> String {
    format!(
        "{{\"cells\": [{{\"cell_type\": \"code\", \"metadata\": {}{}, \"source\": [\"m = AutoModel.from_pretrained(\\\"meta-llama/Llama-3.1-8B\\\")\"]}}]}}",
        "[".repeat(DEPTH),
        "]".repeat(DEPTH)
    )
}

/// Whether this process can read files whatever their permissions (root, or
/// CAP_DAC_OVERRIDE): then `chmod 000` does not make a file unreadable.
fn reads_anything(dir: &Path) -> bool {
    let probe = dir.join("probe");
    std::fs::write(&probe, b"x").expect("probe");
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let readable = std::fs::read(&probe).is_ok();
    std::fs::remove_file(&probe).expect("rm probe");
    readable
}

struct Workspace {
    dir: tempfile::TempDir,
    /// The files `check` must read, each with the model it must report.
    checked: Vec<&'static str>,
    /// The files it must skip, each with a word of its reason.
    skipped: Vec<(&'static str, &'static str)>,
    privileged: bool,
}

impl Drop for Workspace {
    fn drop(&mut self) {
        // Give the folder back its permissions so that it can be removed.
        let _ = std::fs::set_permissions(
            self.dir.path().join("closed"),
            std::fs::Permissions::from_mode(0o755),
        );
    }
}

fn bad_workspace() -> Workspace {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let privileged = reads_anything(d);
    // Normal files.
    write(d, "good.py", GOOD.as_bytes());
    write(
        d,
        "config/train.yaml",
        b"base_model: meta-llama/Llama-3.1-8B\n",
    );
    // Not UTF-8 (Latin-1 `é`), NUL bytes, one 40 MB line, deep JSON.
    write(
        d,
        "latin1.py",
        b"# caf\xe9\nm = AutoModel.from_pretrained(\"meta-llama/Llama-3.1-8B\")\n",
    );
    write(
        d,
        "nul.py",
        b"m = \"meta-llama/Llama-3.1-8B\"\x00\x00\x01binary\n",
    );
    write(d, "huge.py", long_line(FORTY_MB).as_bytes());
    write(d, "deep.json", deep_json().as_bytes());
    write(d, "deep.ipynb", deep_notebook().as_bytes());
    // chmod 000 on a file and on a folder.
    write(d, "locked.py", GOOD.as_bytes());
    write(d, "closed/inside.py", GOOD.as_bytes());
    std::fs::set_permissions(d.join("locked.py"), std::fs::Permissions::from_mode(0o000))
        .expect("chmod file");
    std::fs::set_permissions(d.join("closed"), std::fs::Permissions::from_mode(0o000))
        .expect("chmod dir");
    // Symbolic links: a loop of two, a folder linking to its parent, and a link out
    // of the root to a file with a model in it.
    std::os::unix::fs::symlink("loop_b.py", d.join("loop_a.py")).expect("symlink");
    std::os::unix::fs::symlink("loop_a.py", d.join("loop_b.py")).expect("symlink");
    std::os::unix::fs::symlink("..", d.join("config/up")).expect("symlink");
    let outside = tempfile::tempdir().expect("outside");
    write(outside.path(), "secret.py", GOOD.as_bytes());
    std::os::unix::fs::symlink(outside.path().join("secret.py"), d.join("escape.py"))
        .expect("symlink");
    // Keep the outside folder alive with the workspace.
    std::mem::forget(outside);

    let mut checked = vec!["good.py", "config/train.yaml", "deep.json", "deep.ipynb"];
    let mut skipped = vec![
        ("latin1.py", "not UTF-8"),
        ("nul.py", "binary"),
        ("huge.py", "larger than"),
        ("loop_a.py", "symbolic link"),
        ("loop_b.py", "symbolic link"),
        ("escape.py", "symbolic link"),
    ];
    if privileged {
        // Root reads a chmod 000 file and lists a chmod 000 folder: both are checked.
        checked.push("locked.py");
        checked.push("closed/inside.py");
    } else {
        skipped.push(("locked.py", "unreadable"));
    }
    Workspace {
        dir,
        checked,
        skipped,
        privileged,
    }
}

fn check_json(dir: &Path, extra: &[&str]) -> (Option<i32>, Value, String) {
    // Run in the folder, so that paths are printed relative to it.
    let out = Command::new(env!("CARGO_BIN_EXE_fineprint"))
        .current_dir(dir)
        .arg("check")
        .arg(".")
        .args(["--format", "json"])
        .args(extra)
        .env("FINEPRINT_TODAY", "2026-01-15")
        .output()
        .expect("run fineprint");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let v: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {stderr}"));
    (out.status.code(), v, stderr)
}

#[test]
fn check_reports_every_skipped_file_and_checks_the_rest() {
    let ws = bad_workspace();
    let (code, report, stderr) = check_json(ws.dir.path(), &[]);
    assert!(
        matches!(code, Some(0 | 1)),
        "exit {code:?}, stderr: {stderr}"
    );
    let skipped: Vec<(String, String)> = report["skipped"]
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
    for (path, why) in &ws.skipped {
        assert!(
            skipped.iter().any(|(p, r)| p == path && r.contains(why)),
            "{path} should be skipped ({why}); skipped: {skipped:?}"
        );
    }
    let refs = report["references"].as_array().expect("references");
    let paths_with_refs: std::collections::BTreeSet<&str> =
        refs.iter().filter_map(|r| r["path"].as_str()).collect();
    for path in &ws.checked {
        assert!(
            paths_with_refs.contains(path),
            "{path} should be checked and report its model; files with references: {paths_with_refs:?}, skipped: {skipped:?}"
        );
    }
    // Nothing skipped is reported as checked, and the link out of the root is not read.
    for (path, _) in &ws.skipped {
        assert!(
            !paths_with_refs.contains(path),
            "{path} was skipped and read"
        );
    }
    assert!(
        !paths_with_refs.iter().any(|p| p.contains("secret")),
        "a link out of the root was followed: {paths_with_refs:?}"
    );
    // The folder linked to its parent is not entered (nothing under `config/up/`).
    assert!(
        !paths_with_refs.iter().any(|p| p.starts_with("config/up")),
        "{paths_with_refs:?}"
    );
    // Each of the files checked is reported once.
    assert_eq!(
        refs.iter()
            .filter(|r| r["path"] == "good.py" && r["model"] == "meta-llama/Llama-3.1-8B")
            .count(),
        1,
        "{refs:?}"
    );
    assert_eq!(
        report["summary"]["skipped"].as_u64(),
        Some(skipped.len() as u64)
    );
    if !ws.privileged {
        // Without privileges, the folder that cannot be listed is reported by the walk.
        assert!(
            skipped.iter().any(|(_, r)| r.contains("walk error")
                || r.contains("ermission")
                || r.contains("unreadable")),
            "{skipped:?}"
        );
    }
}

/// The human report names each skipped file with its reason too.
#[test]
fn human_report_names_skipped_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "good.py", GOOD.as_bytes());
    write(dir.path(), "latin1.py", b"x = '\xff'\n");
    write(dir.path(), "nul.py", b"a\x00b\n");
    let out = Command::new(env!("CARGO_BIN_EXE_fineprint"))
        .current_dir(dir.path())
        .arg("check")
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("skipped latin1.py: not UTF-8 (invalid byte at offset 5)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("skipped nul.py: binary (contains NUL bytes)"),
        "{stdout}"
    );
    assert!(stdout.contains("2 file(s) skipped"), "{stdout}");
    assert!(stdout.contains("good.py"), "{stdout}");
}

/// A broken policy file: exit 2, and the message names the file, the line and the key
/// path (every kind of error, one row each, is in `server/tests/policy.rs`).
#[test]
fn broken_policy_exits_2_with_file_line_and_key() {
    // (policy text, line, key path)
    let cases: &[(&str, usize, &str)] = &[
        // Half-written: the file ends inside a value.
        (
            "use = \"commercial\"\nmonthly_active_users = ",
            2,
            "monthly_active_users",
        ),
        // Half-written table header.
        ("use = \"internal\"\n\n[[exceptions", 3, "exceptions"),
        // An array that is never closed.
        ("deny = [\"cc-by-nc-*\"\nuse = \"commercial\"\n", 2, "deny"),
        // Wrong type, unknown value, out-of-range value of a known key.
        ("use = \"commercial\"\nregions = \"EU\"\n", 2, "regions"),
        ("use = \"sometimes\"\n", 1, "use"),
        ("monthly_active_users = -5\n", 1, "monthly_active_users"),
        (
            "[severity]\nnon-commercial = \"loud\"\n",
            2,
            "severity.non-commercial",
        ),
        (
            "[[exceptions]]\nmodel = \"x\"\nreason = \"r\"\nexpires = 2027-13-45\n",
            4,
            "exceptions[0].expires",
        ),
        ("use = \"commercial\"\nuse = \"internal\"\n", 2, "use"),
        // An unknown key; an exception without its reason.
        (
            "use = \"commercial\"\nmonthly_users = 5\n",
            2,
            "monthly_users",
        ),
        (
            "[[exceptions]]\nmodel = \"black-forest-labs/FLUX.1-dev\"\n",
            1,
            "exceptions[0].reason",
        ),
    ];
    for (text, line, key) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "fineprint.toml", text.as_bytes());
        write(dir.path(), "good.py", GOOD.as_bytes());
        let out = Command::new(env!("CARGO_BIN_EXE_fineprint"))
            .arg("check")
            .arg(dir.path())
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text:?}: {stderr}");
        assert!(
            stderr.contains(&format!("fineprint.toml:{line}:"))
                && stderr.contains(&format!("`{key}`: ")),
            "{text:?}: the message should name fineprint.toml:{line} and `{key}`: {stderr}"
        );
    }
    // Bytes that are not UTF-8 in the policy file.
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "fineprint.toml", b"use = \"commer\xe7ial\"\n");
    let out = Command::new(env!("CARGO_BIN_EXE_fineprint"))
        .current_dir(dir.path())
        .arg("check")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("fineprint.toml:1:") && stderr.contains("`use`: "),
        "{stderr}"
    );
}

fn hover(c: &mut Client, uri: &str, line: u32, character: u32) -> Value {
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
    );
    assert!(r.get("error").is_none(), "hover on {uri}: {r}");
    r
}

/// The language server on the same workspace: the start-up scan skips what it must,
/// and documents with the same bad content, opened in the editor, get answers.
#[test]
fn language_server_answers_for_bad_documents() {
    let ws = bad_workspace();
    let root = ws.dir.path();
    let mut c = Client::start(root);
    c.initialize(root, vscode_capabilities(), json!({}));
    // The workspace scan still publishes for the good files.
    let good_uri = file_uri(&root.join("good.py"));
    let d = c.diagnostics(&good_uri, None);
    assert!(d.as_array().is_some_and(|a| !a.is_empty()), "{d}");

    // NUL bytes and control characters inside a document.
    let nul_uri = file_uri(&root.join("nul.py"));
    c.open(
        &nul_uri,
        "python",
        "m = \"meta-llama/Llama-3.1-8B\"\u{0}\u{0}\u{1}binary\n",
    );
    let d = c.diagnostics(&nul_uri, Some(1));
    assert!(d.as_array().is_some_and(|a| !a.is_empty()), "{d}");
    let h = hover(&mut c, &nul_uri, 0, 8);
    assert!(h["result"]["contents"].to_string().contains("Llama"), "{h}");

    // The text of a file that is not UTF-8, as an editor decodes it (Latin-1 → `é`),
    // and as a client that sends the raw bytes (not valid JSON: the message is dropped).
    let latin_uri = file_uri(&root.join("latin1.py"));
    c.open(
        &latin_uri,
        "python",
        "# caf\u{e9}\nm = AutoModel.from_pretrained(\"meta-llama/Llama-3.1-8B\")\n",
    );
    let d = c.diagnostics(&latin_uri, Some(1));
    assert!(d.as_array().is_some_and(|a| !a.is_empty()), "{d}");
    let raw_uri = file_uri(&root.join("raw.py"));
    let mut body = format!(
        "{{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{{\"textDocument\":{{\"uri\":\"{raw_uri}\",\"languageId\":\"python\",\"version\":1,\"text\":\"caf"
    )
    .into_bytes();
    body.extend_from_slice(b"\xe9\xff\"}}}");
    let mut msg = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    msg.extend_from_slice(&body);
    c.send_raw(&msg);
    let h = hover(&mut c, &raw_uri, 0, 0);
    assert!(
        h["result"].is_null(),
        "a dropped open leaves no document: {h}"
    );

    // Deep JSON (as a JSON document and as a notebook).
    for (name, text, col) in [
        ("deep.json", deep_json(), DEPTH + 12),
        ("deep.ipynb", deep_notebook(), 2 * DEPTH + 95),
    ] {
        let uri = file_uri(&root.join(name));
        c.open(&uri, "json", &text);
        let d = c.diagnostics(&uri, Some(1));
        assert!(d.as_array().is_some_and(|a| !a.is_empty()), "{name}: {d}");
        let h = hover(&mut c, &uri, 0, col as u32);
        assert!(
            h["result"]["contents"].to_string().contains("Llama"),
            "{name}: {h}"
        );
    }

    // One 8 MiB line: opened, diagnosed at its end, hovered, edited.
    let huge_uri = file_uri(&root.join("huge.py"));
    let text = long_line(LSP_LINE);
    let col = (text.len() - 10) as u32;
    c.open(&huge_uri, "python", &text);
    drop(text);
    let d = c.diagnostics(&huge_uri, Some(1));
    assert!(
        d.as_array().is_some_and(|a| !a.is_empty()
            && a.iter()
                .all(|x| x["range"]["start"]["character"] == col - 14)),
        "every diagnostic is on the model at the end of the line"
    );
    let h = hover(&mut c, &huge_uri, 0, col);
    assert!(h["result"]["contents"].to_string().contains("Llama"), "{h}");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": huge_uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "m0 = \"gpt-4o\"\n"}]}),
    );
    let d = c.diagnostics(&huge_uri, Some(2));
    assert!(d.as_array().is_some_and(|a| !a.is_empty()), "{d}");

    // The unreadable file and the links, opened by name (the editor sends the text;
    // the server never reads an open document from disk).
    for name in ["locked.py", "loop_a.py", "escape.py"] {
        let uri = file_uri(&root.join(name));
        c.open(&uri, "python", GOOD);
        let d = c.diagnostics(&uri, Some(1));
        assert!(d.as_array().is_some_and(|a| !a.is_empty()), "{name}: {d}");
    }
    assert!(c.alive());
    assert_eq!(c.shutdown(), Some(0));
}

/// Runs a command, killing it and failing the test if it has not ended in 60 s (a
/// FIFO that is opened blocks for ever).
fn run_bounded(cmd: &mut Command) -> std::process::Output {
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run fineprint");
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().ok();
            panic!("fineprint hung: {cmd:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

/// Where a policy file is looked for or named, only a regular file (or a link to one)
/// of at most 1 MiB is read; anything else is exit 2 naming the file and the reason,
/// never a silent default, and a FIFO is never opened (that would block).
#[test]
fn policy_files_that_are_not_regular_files_are_errors() {
    // (what is at fineprint.toml, --config, expected exit, text expected on stderr)
    type Setup = fn(&Path);
    let cases: &[(&str, Setup, Option<&str>, i32, &str)] = &[
        (
            "a folder",
            |d| std::fs::create_dir(d.join("fineprint.toml")).expect("mkdir"),
            None,
            2,
            "fineprint.toml: cannot read the policy file: not a regular file (directory)",
        ),
        (
            "a link to nothing",
            |d| {
                std::os::unix::fs::symlink(d.join("nowhere.toml"), d.join("fineprint.toml"))
                    .expect("ln")
            },
            None,
            2,
            "fineprint.toml: cannot read the policy file: a symbolic link to a file that does not exist",
        ),
        (
            "a FIFO",
            |d| mkfifo(&d.join("fineprint.toml")),
            None,
            2,
            "fineprint.toml: cannot read the policy file: not a regular file (FIFO)",
        ),
        (
            "a pyproject.toml folder",
            |d| std::fs::create_dir(d.join("pyproject.toml")).expect("mkdir"),
            None,
            2,
            "pyproject.toml: cannot read the policy file: not a regular file (directory)",
        ),
        (
            "--config FIFO",
            |d| mkfifo(&d.join("p.toml")),
            Some("p.toml"),
            2,
            "p.toml: cannot read the policy file: not a regular file (FIFO)",
        ),
        (
            "--config over 1 MiB",
            |d| write(d, "p.toml", "# padding\n".repeat(104_858).as_bytes()),
            Some("p.toml"),
            2,
            "p.toml: cannot read the policy file: larger than 1 MiB (1048580 bytes)",
        ),
        (
            "a link to a regular file",
            |d| {
                write(d, "policies/research.toml", b"use = \"research\"\n");
                std::os::unix::fs::symlink("policies/research.toml", d.join("fineprint.toml"))
                    .expect("ln");
            },
            None,
            0,
            "",
        ),
    ];
    let mut failures = Vec::new();
    for (what, setup, config, code, needle) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "good.py", GOOD.as_bytes());
        setup(dir.path());
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_fineprint"));
        cmd.arg("check").arg(dir.path().join("good.py"));
        if let Some(c) = config {
            cmd.arg("--config").arg(dir.path().join(c));
        } else {
            cmd.current_dir(dir.path());
        }
        let out = run_bounded(&mut cmd);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(*code) || !stderr.contains(needle) {
            failures.push(format!(
                "{what}: expected exit {code} and {needle:?}; got {:?}: {stderr}",
                out.status.code()
            ));
        }
    }
    // `--config /dev/zero`: refused before a byte is read.
    let out = run_bounded(Command::new(env!("CARGO_BIN_EXE_fineprint")).args([
        "check",
        "--config",
        "/dev/zero",
        ".",
    ]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(2)
        || !stderr.contains(
            "/dev/zero: cannot read the policy file: not a regular file (character device)",
        )
    {
        failures.push(format!("/dev/zero: {:?}: {stderr}", out.status.code()));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// In a checked folder, a FIFO or socket with a name fineprint reads is listed in
/// `skipped` (and never opened), and a file whose name is not UTF-8 is checked.
#[test]
fn walk_lists_special_files_and_reads_names_that_are_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "good.py", GOOD.as_bytes());
    mkfifo(&dir.path().join("fifo.py"));
    let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("sock.py")).expect("bind");
    mkfifo(&dir.path().join("not-read.rtf"));
    std::fs::write(
        dir.path().join(std::ffi::OsStr::from_bytes(b"caf\xe9.py")),
        GOOD,
    )
    .expect("write");
    let out = run_bounded(
        Command::new(env!("CARGO_BIN_EXE_fineprint"))
            .current_dir(dir.path())
            .arg("check")
            .args(["--format", "json"]),
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let skipped: Vec<(&str, &str)> = report["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap_or(""),
                s["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        [
            ("fifo.py", "not a regular file (FIFO)"),
            ("sock.py", "not a regular file (socket)"),
        ],
        "{report}"
    );
    let paths: std::collections::BTreeSet<&str> = report["references"]
        .as_array()
        .expect("references")
        .iter()
        .filter_map(|r| r["path"].as_str())
        .collect();
    assert_eq!(
        paths,
        ["caf\u{FFFD}.py", "good.py"].into_iter().collect(),
        "{report}"
    );
    // A FIFO named on the command line is listed too, not opened.
    let out = run_bounded(
        Command::new(env!("CARGO_BIN_EXE_fineprint"))
            .arg("check")
            .arg(dir.path().join("not-read.rtf"))
            .args(["--format", "json"]),
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        report["skipped"][0]["reason"], "not a regular file (FIFO)",
        "{report}"
    );
}
