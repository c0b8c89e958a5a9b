//! The language server over stdio, as an editor sees it.

mod common;

use common::{Client, file_uri, neovim_capabilities, vscode_capabilities, workspace};
use serde_json::{Value, json};

fn codes(diags: &Value) -> Vec<String> {
    diags
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| format!("{} {}", d["severity"], d["code"].as_str().unwrap_or("")))
                .collect()
        })
        .unwrap_or_default()
}

const FLUX: &str = "from diffusers import FluxPipeline\npipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n";

/// The issue's acceptance path: error at the exact string, hover card, code action,
/// and the error clears when the user types `schnell`.
#[test]
fn flux_dev_error_hover_action_then_fixed() {
    let ws = workspace(&[]);
    let mut c = Client::start(ws.path());
    let init = c.initialize(ws.path(), vscode_capabilities(), json!({}));
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(
        init["result"]["serverInfo"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    let uri = file_uri(&ws.path().join("gen.py"));
    c.open(&uri, "python", FLUX);
    let d = c.diagnostics(&uri, Some(1));
    let err = d
        .as_array()
        .and_then(|a| a.iter().find(|x| x["code"] == "non-commercial"))
        .cloned()
        .expect("non-commercial diagnostic");
    assert_eq!(err["severity"], 1);
    assert_eq!(
        err["range"],
        json!({"start": {"line": 1, "character": 37}, "end": {"line": 1, "character": 65}})
    );
    assert!(
        err["message"]
            .as_str()
            .unwrap_or("")
            .contains("FLUX.1 [dev] Non-Commercial License"),
        "{err}"
    );
    assert!(
        err["codeDescription"]["href"]
            .as_str()
            .unwrap_or("")
            .starts_with("https://"),
        "{err}"
    );

    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 50}}),
    );
    let md = hover["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(
        md.contains("FLUX.1 [dev] Non-Commercial License")
            && md.contains("| Commercial use | ⛔ prohibited |")
            && md.contains("⛔ `non-commercial`"),
        "{md}"
    );
    assert_eq!(hover["result"]["range"], err["range"]);

    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": err["range"], "context": {"diagnostics": [err]}}),
    );
    let titles: Vec<&str> = actions["result"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["title"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Add a policy exception for FLUX.1-dev")),
        "{titles:?}"
    );
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Ignore non-commercial")),
        "{titles:?}"
    );
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Open the FLUX.1 [dev] Non-Commercial License")),
        "{titles:?}"
    );

    // Type over `dev` with `schnell`: an incremental edit.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 1, "character": 62}, "end": {"line": 1, "character": 65}}, "text": "schnell"}]}),
    );
    let d = c.diagnostics(&uri, Some(2));
    assert_eq!(
        codes(&d),
        Vec::<String>::new(),
        "FLUX.1-schnell is Apache-2.0: {d}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

/// Positions after emoji, CJK and CRLF, in each encoding a client may negotiate.
#[test]
fn positions_in_every_encoding() {
    // (encodings the client offers, negotiated, text, expected start and end character of the reference on line 1)
    let cases: &[(Value, &str, &str, u32, u32)] = &[
        (
            json!(["utf-16"]),
            "utf-16",
            "x = 1\r\n# 😀 日本 meta-llama/Llama-3.1-8B\r\n",
            8,
            31,
        ),
        (
            json!(["utf-8", "utf-16"]),
            "utf-16",
            "x = 1\r\n# 😀 日本 meta-llama/Llama-3.1-8B\r\n",
            8,
            31,
        ),
        (
            json!(["utf-8"]),
            "utf-8",
            "x = 1\r\n# 😀 日本 meta-llama/Llama-3.1-8B\r\n",
            14,
            37,
        ),
        (
            json!(["utf-32"]),
            "utf-32",
            "x = 1\r\n# 😀 日本 meta-llama/Llama-3.1-8B\r\n",
            7,
            30,
        ),
        (
            json!(null),
            "utf-16",
            "x = 1\n# é\u{301} meta-llama/Llama-3.1-8B",
            5,
            28,
        ),
    ];
    for (offered, negotiated, text, start, end) in cases {
        let ws = workspace(&[]);
        let mut c = Client::start(ws.path());
        let caps = if offered.is_null() {
            json!({})
        } else {
            json!({"general": {"positionEncodings": offered}})
        };
        let init = c.initialize(ws.path(), caps, json!({}));
        assert_eq!(
            init["result"]["capabilities"]["positionEncoding"], *negotiated,
            "{offered}"
        );
        let uri = file_uri(&ws.path().join("a.py"));
        c.open(&uri, "python", text);
        let d = c.diagnostics(&uri, Some(1));
        let r = &d[0]["range"];
        assert_eq!(
            (
                r["start"]["line"].as_u64(),
                r["start"]["character"].as_u64(),
                r["end"]["character"].as_u64()
            ),
            (Some(1), Some(u64::from(*start)), Some(u64::from(*end))),
            "{offered} {text:?}: {d}"
        );
        // A hover at the reported start finds the reference.
        let h = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": r["start"]}),
        );
        assert!(
            h["result"]["contents"]["value"]
                .as_str()
                .unwrap_or("")
                .contains("Llama 3.1"),
            "{h}"
        );
    }
}

/// Editing the policy on disk re-evaluates open documents; a broken policy is shown in
/// its file and the last good one stays in force.
#[test]
fn policy_changes_on_disk_and_in_the_editor() {
    let ws = workspace(&[("fineprint.toml", "use = \"commercial\"\n")]);
    let mut c = Client::start(ws.path());
    c.initialize(ws.path(), vscode_capabilities(), json!({}));
    let uri = file_uri(&ws.path().join("gen.py"));
    c.open(&uri, "python", FLUX);
    assert!(codes(&c.diagnostics(&uri, Some(1))).contains(&"1 non-commercial".to_string()));
    assert!(
        c.server_requests
            .iter()
            .any(|r| r["method"] == "client/registerCapability"),
        "watcher registered"
    );

    // On disk: research use.
    std::fs::write(ws.path().join("fineprint.toml"), "use = \"research\"\n").expect("write");
    c.drain();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&ws.path().join("fineprint.toml")), "type": 2}]}),
    );
    c.diagnostics_until(&uri, |d| codes(d).contains(&"3 non-commercial".to_string()));

    // In the editor: a half-typed key. The file gets a diagnostic on line 2; the last
    // good policy (research) stays.
    let policy_uri = file_uri(&ws.path().join("fineprint.toml"));
    c.drain();
    c.open(&policy_uri, "toml", "use = \"research\"\nmonthly_act = 5\n");
    let pd = c.diagnostics_until(&policy_uri, |d| d.as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(pd[0]["range"]["start"]["line"], 1, "{pd}");
    assert!(
        pd[0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("monthly_act"),
        "{pd}"
    );
    c.diagnostics_until(&uri, |d| codes(d).contains(&"3 non-commercial".to_string()));

    // Fixed in the editor: back to commercial.
    c.drain();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": policy_uri, "version": 2}, "contentChanges": [{"text": "use = \"commercial\"\n"}]}),
    );
    c.diagnostics_until(&policy_uri, |d| d == &json!([]));
    c.diagnostics_until(&uri, |d| codes(d).contains(&"1 non-commercial".to_string()));
    assert_eq!(c.shutdown(), Some(0));
}

fn apply_first_edit(edit: &Value, uri: &str, text: &str) -> String {
    // Either `changes` or `documentChanges` with one text edit per document.
    let edits: Vec<Value> = if let Some(ch) = edit["changes"][uri].as_array() {
        ch.clone()
    } else {
        edit["documentChanges"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["textDocument"]["uri"] == uri)
            .flat_map(|d| d["edits"].as_array().cloned().unwrap_or_default())
            .collect()
    };
    let mut out = text.to_string();
    // Apply from the last edit to the first (offsets of earlier text stay valid).
    let mut edits = edits;
    edits.sort_by_key(|e| {
        std::cmp::Reverse((
            e["range"]["start"]["line"].as_u64(),
            e["range"]["start"]["character"].as_u64(),
        ))
    });
    for e in edits {
        let off = |p: &Value| {
            let line = p["line"].as_u64().unwrap_or(0) as usize;
            let ch = p["character"].as_u64().unwrap_or(0) as usize;
            let start: usize = out.split_inclusive('\n').take(line).map(str::len).sum();
            let line_text = out[start..].split('\n').next().unwrap_or("");
            let mut units = 0;
            let mut at = line_text.len();
            for (i, c) in line_text.char_indices() {
                if units >= ch {
                    at = i;
                    break;
                }
                units += c.len_utf16();
            }
            start + at.min(line_text.len())
        };
        let (a, b) = (off(&e["range"]["start"]), off(&e["range"]["end"]));
        out.replace_range(a..b, e["newText"].as_str().unwrap_or(""));
    }
    out
}

/// Code actions round-trip: applying the edit gives files that raise no finding.
#[test]
fn code_actions_round_trip() {
    // (action title prefix, policy file before, expected codes afterwards)
    let cases: &[(&str, Option<&str>, &[&str])] = &[
        (
            "Add a policy exception",
            Some("# our policy\nuse = \"commercial\"  # keep this comment\n"),
            &["4 excepted"],
        ),
        ("Add a policy exception", None, &["4 excepted"]),
        ("Ignore non-commercial", None, &[]),
        ("Replace with", None, &[]),
    ];
    for (prefix, policy, expected) in cases {
        let mut files = vec![];
        if let Some(p) = policy {
            files.push(("fineprint.toml", *p));
        }
        let ws = workspace(&files);
        let mut c = Client::start(ws.path());
        c.initialize(ws.path(), vscode_capabilities(), json!({}));
        let uri = file_uri(&ws.path().join("code.py"));
        let text = "llm = AutoModelForCausalLM.from_pretrained(\"mistralai/Codestral-22B-v0.1\")\n";
        c.open(&uri, "python", text);
        let d = c.diagnostics(&uri, Some(1));
        let actions = c.request("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": d[0]["range"], "context": {"diagnostics": d}}));
        let action = actions["result"]
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|x| x["title"].as_str().unwrap_or("").starts_with(prefix))
            })
            .cloned()
            .unwrap_or_else(|| panic!("no action {prefix}: {actions}"));
        let edit = &action["edit"];
        let policy_path = ws.path().join("fineprint.toml");
        let policy_uri = file_uri(&policy_path);
        if prefix.starts_with("Add") {
            let before = policy.unwrap_or("");
            let after = apply_first_edit(edit, &policy_uri, before);
            if let Some(p) = policy {
                assert!(
                    after.starts_with(p),
                    "comments and formatting kept:\n{after}"
                );
            } else {
                assert!(edit["documentChanges"][0]["kind"] == "create", "{edit}");
            }
            assert!(
                after.contains("[[exceptions]]") && after.contains("mistralai/Codestral-22B-v0.1"),
                "{after}"
            );
            std::fs::write(&policy_path, &after).expect("write");
            c.drain();
            c.notify(
                "workspace/didChangeWatchedFiles",
                json!({"changes": [{"uri": policy_uri, "type": 1}]}),
            );
            let want: Vec<String> = expected.iter().map(|s| (*s).to_string()).collect();
            c.diagnostics_until(&uri, |d| codes(d) == want);
        } else {
            let after = apply_first_edit(edit, &uri, text);
            c.drain();
            c.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": after}]}));
            let d = c.diagnostics(&uri, Some(2));
            let errors: Vec<String> = codes(&d)
                .into_iter()
                .filter(|c| c.starts_with('1') || c.starts_with('2'))
                .collect();
            assert_eq!(
                errors,
                expected
                    .iter()
                    .map(|s| (*s).to_string())
                    .collect::<Vec<_>>(),
                "{prefix}: {after}\n{d}"
            );
        }
    }
}

/// Inlay hints: on by default, off through the settings, back on.
#[test]
fn inlay_hints_follow_the_setting() {
    let ws = workspace(&[]);
    let mut c = Client::start(ws.path());
    c.initialize(
        ws.path(),
        vscode_capabilities(),
        json!({"inlayHints": true}),
    );
    let uri = file_uri(&ws.path().join("a.py"));
    c.open(
        &uri,
        "python",
        "m = \"meta-llama/Llama-3.1-8B-Instruct\"\nn = \"gpt-4o\"\n",
    );
    c.diagnostics(&uri, Some(1));
    let range = json!({"start": {"line": 0, "character": 0}, "end": {"line": 2, "character": 0}});
    let hints = c.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": range}),
    );
    let labels: Vec<&str> = hints["result"]
        .as_array()
        .map(|a| a.iter().filter_map(|h| h["label"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        labels,
        vec!["Llama 3.1 License · ≤700M MAU", "OpenAI terms"],
        "{hints}"
    );
    assert_eq!(
        hints["result"][0]["position"],
        json!({"line": 0, "character": 38}),
        "after the closing quote"
    );
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"fineprint": {"inlayHints": false}}}),
    );
    let hints = c.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": range}),
    );
    assert!(hints["result"].is_null(), "{hints}");
    assert!(
        c.wait_server_request("workspace/inlayHint/refresh"),
        "{:?}",
        c.server_requests
    );
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"fineprint": {"inlayHints": true}}}),
    );
    let hints = c.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": range}),
    );
    assert_eq!(hints["result"].as_array().map(Vec::len), Some(2));
    assert_eq!(c.shutdown(), Some(0));
}

/// Inlay hints sit after the closing quote of the string holding the reference, or at
/// the end of the line when it is not in a quoted literal; never inside the string.
#[test]
fn inlay_hints_sit_after_the_string_or_at_the_line_end() {
    // (file, text, the text of the hint's line before the hint)
    let cases: &[(&str, &str, &str)] = &[
        (
            "a.py",
            "m = pipeline(\"meta-llama/Llama-3.1-8B-Instruct\", device=0)\n",
            "m = pipeline(\"meta-llama/Llama-3.1-8B-Instruct\"",
        ),
        (
            "b.py",
            "m = 'meta-llama/Llama-3.1-8B-Instruct'  # 😀 chat model\n",
            "m = 'meta-llama/Llama-3.1-8B-Instruct'",
        ),
        (
            "c.py",
            "# we use meta-llama/Llama-3.1-8B-Instruct for chat\nx = 1\n",
            "# we use meta-llama/Llama-3.1-8B-Instruct for chat",
        ),
        (
            "d.yaml",
            "model: meta-llama/Llama-3.1-8B-Instruct\r\nport: 80\r\n",
            "model: meta-llama/Llama-3.1-8B-Instruct",
        ),
        (
            "e.md",
            "Run `ollama run llama3.1:8b` to start.\n",
            "Run `ollama run llama3.1:8b`",
        ),
    ];
    let ws = workspace(&[]);
    let mut c = Client::start(ws.path());
    c.initialize(ws.path(), vscode_capabilities(), json!({}));
    for (name, text, before) in cases {
        let uri = file_uri(&ws.path().join(name));
        let lang = name.rsplit('.').next().unwrap_or("");
        c.open(&uri, lang, text);
        c.diagnostics(&uri, Some(1));
        let hints = c.request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}}}),
        );
        let pos = &hints["result"][0]["position"];
        assert_eq!(pos["line"], 0, "{name}: {hints}");
        let line = text.lines().next().unwrap_or("");
        let units = before.encode_utf16().count();
        assert_eq!(
            pos["character"].as_u64(),
            Some(units as u64),
            "{name}: the hint should follow {before:?} in {line:?}: {hints}"
        );
    }
    assert_eq!(c.shutdown(), Some(0));
}

/// Files that are not open get diagnostics from the workspace scan, with progress.
#[test]
fn workspace_scan_covers_unopened_files() {
    let ws = workspace(&[
        (
            "src/train.py",
            "base = from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n",
        ),
        ("configs/a.yaml", "base_model: Qwen/Qwen2.5-72B-Instruct\n"),
        ("ignored/x.py", "m = \"gpt-4o\"\n"),
        (".gitignore", "ignored/\n"),
    ]);
    let mut c = Client::start(ws.path());
    c.initialize(ws.path(), neovim_capabilities(), json!({}));
    let train = c.diagnostics(&file_uri(&ws.path().join("src/train.py")), None);
    assert!(
        codes(&train).contains(&"1 non-commercial".to_string()),
        "{train}"
    );
    let yaml = c.diagnostics(&file_uri(&ws.path().join("configs/a.yaml")), None);
    assert!(
        codes(&yaml).contains(&"2 commercial-threshold".to_string()),
        "Qwen License 100M MAU: {yaml}"
    );
    assert!(
        c.server_requests
            .iter()
            .any(|r| r["method"] == "window/workDoneProgress/create")
    );
    assert!(
        c.wait(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
            .is_some()
    );
    assert!(!c.backlog.iter().chain(c.server_requests.iter()).any(|m| {
        m["params"]["uri"]
            .as_str()
            .unwrap_or("")
            .contains("ignored")
    }));
    assert_eq!(c.shutdown(), Some(0));
}

/// Files read from disk (the start-up scan, pull diagnostics of unopened files) are
/// positioned as an editor shows them: a byte order mark is not a character, and a
/// lone `\r` ends a line.
#[test]
fn files_on_disk_are_positioned_as_editors_show_them() {
    const MODEL: &str = "model = \"meta-llama/Llama-3.1-8B\"";
    // (file, text, expected start of its first diagnostic)
    let cases = [
        ("bom.py", format!("\u{feff}{MODEL}\n"), (0, 9)),
        ("bom_cr.py", format!("\u{feff}a = 1\r{MODEL}\r"), (1, 9)),
        ("cr.py", format!("a = 1\r\r\n{MODEL}"), (2, 9)),
    ];
    let files: Vec<(&str, &str)> = cases.iter().map(|(f, t, _)| (*f, t.as_str())).collect();
    let ws = workspace(&files);
    let mut c = Client::start(ws.path());
    c.initialize(ws.path(), neovim_capabilities(), json!({}));
    let pulled = c.request("workspace/diagnostic", json!({"previousResultIds": []}));
    for (file, text, (line, ch)) in &cases {
        let uri = file_uri(&ws.path().join(file));
        let pushed = c.diagnostics(&uri, None);
        let pulled = pulled["result"]["items"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["uri"] == uri.as_str()))
            .map_or(Value::Null, |i| i["items"].clone());
        for diags in [&pushed, &pulled] {
            let start = &diags[0]["range"]["start"];
            assert_eq!(
                (start["line"].as_u64(), start["character"].as_u64()),
                (Some(*line), Some(*ch)),
                "{text:?}: {diags}"
            );
        }
    }
    assert_eq!(c.shutdown(), Some(0));
}

/// Hover, completion and links in the policy file.
#[test]
fn policy_file_hover_completion_links() {
    let ws = workspace(&[(
        "fineprint.toml",
        "use = \"commercial\"\nallow = [\"apache-2.0\", \"\"]\n",
    )]);
    let mut c = Client::start(ws.path());
    c.initialize(ws.path(), vscode_capabilities(), json!({}));
    let uri = file_uri(&ws.path().join("fineprint.toml"));
    c.open(
        &uri,
        "toml",
        "use = \"commercial\"\nallow = [\"apache-2.0\", \"\"]\n",
    );
    // (position, text the hover must contain)
    let hovers: &[((u32, u32), &str)] = &[
        ((0, 1), "How the project uses models"),
        ((1, 13), "Apache License 2.0"),
    ];
    for ((line, ch), needle) in hovers {
        let h = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": ch}}),
        );
        assert!(
            h["result"]["contents"]["value"]
                .as_str()
                .unwrap_or("")
                .contains(needle),
            "{h}"
        );
    }
    let comp = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 24}}),
    );
    let labels: Vec<&str> = comp["result"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["label"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        labels.contains(&"llama3.1") && labels.contains(&"mnpl") && labels.len() >= 40,
        "{labels:?}"
    );
    let links = c.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(
        links["result"].as_array().is_some_and(|a| a
            .iter()
            .any(|l| l["target"].as_str().unwrap_or("").contains("apache.org"))),
        "{links}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

/// Whatever a client sends, the server answers or ignores, and keeps running.
#[test]
fn survives_protocol_abuse() {
    let ws = workspace(&[]);
    let mut c = Client::start(ws.path());
    // A request before `initialize` gets an error, not a crash.
    let early = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///x.py"}, "position": {"line": 0, "character": 0}}),
    );
    assert!(early.get("error").is_some(), "{early}");
    c.initialize(
        ws.path(),
        vscode_capabilities(),
        json!({"unknownSetting": 1, "logLevel": "debug"}),
    );
    let uri = file_uri(&ws.path().join("a.py"));
    // Malformed JSON, then a body that is not a message.
    c.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    c.send_raw(b"Content-Length: 2\r\n\r\n[]");
    // Notifications for a document never opened; an unknown notification.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 5}, "contentChanges": [{"text": "x"}]}),
    );
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": "file:///nowhere/b.py"}}),
    );
    c.notify("$/someExtension", json!({}));
    // An unknown request gets MethodNotFound.
    let unknown = c.request("fineprint/doesNotExist", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    // Ranges past the end, and positions on a document that is not open.
    c.open(&uri, "python", "m = \"gpt-4o\"");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": {"start": {"line": 99, "character": 99}, "end": {"line": 120, "character": 0}}, "text": "\nn = \"claude-3-5-sonnet-20241022\""}]}),
    );
    let d = c.diagnostics(&uri, Some(2));
    let lines: std::collections::BTreeSet<u64> = d
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x["range"]["start"]["line"].as_u64())
        .collect();
    assert_eq!(
        lines,
        [0, 1].into_iter().collect(),
        "the text past the end was appended: {d}"
    );
    for (line, ch) in [(0u32, 1000u32), (500, 0), (u32::MAX, u32::MAX)] {
        let h = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": ch}}),
        );
        assert!(h.get("error").is_none(), "{h}");
    }
    let h = c.request("textDocument/hover", json!({"textDocument": {"uri": "file:///nowhere/c.py"}, "position": {"line": 0, "character": 0}}));
    assert!(h["result"].is_null(), "{h}");
    let explained = c.request(
        "workspace/executeCommand",
        json!({"command": "fineprint.explain", "arguments": [uri, {"line": 0, "character": 6}]}),
    );
    assert!(
        explained["result"]
            .as_str()
            .unwrap_or("")
            .contains("OpenAI"),
        "{explained}"
    );
    let bad = c.request(
        "workspace/executeCommand",
        json!({"command": "fineprint.openLicense", "arguments": []}),
    );
    assert!(bad.get("error").is_some(), "{bad}");
    // Cancelling a request that already finished is harmless.
    c.notify("$/cancelRequest", json!({"id": 1}));
    assert!(c.alive());
    assert_eq!(c.shutdown(), Some(0));
}

/// The process ends with the session: 0 after shutdown+exit (tested above), 1 after
/// `exit` alone, and it does not linger when the client closes the pipe.
#[test]
fn lifecycle_ends_the_process() {
    let ws = workspace(&[]);
    let mut c = Client::start(ws.path());
    c.initialize(ws.path(), vscode_capabilities(), json!({}));
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), Some(1), "exit without shutdown");

    let mut c = Client::start(ws.path());
    c.initialize(ws.path(), vscode_capabilities(), json!({}));
    c.close_stdin();
    assert!(
        c.wait_exit().is_some(),
        "the server must exit when its client disappears"
    );
}

/// Clients that support pull diagnostics ask; the server pushes nothing to them.
#[test]
fn pull_diagnostics_for_open_and_unopened_files() {
    let ws = workspace(&[
        (
            "src/train.py",
            "base = from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n",
        ),
        ("notes.md", "No models here.\n"),
    ]);
    let mut c = Client::start(ws.path());
    let mut caps = vscode_capabilities();
    caps["textDocument"]["diagnostic"] =
        json!({"dynamicRegistration": false, "relatedDocumentSupport": false});
    caps["workspace"]["diagnostics"] = json!({"refreshSupport": true});
    let init = c.initialize(ws.path(), caps, json!({}));
    assert_eq!(
        init["result"]["capabilities"]["diagnosticProvider"]["workspaceDiagnostics"], true,
        "{init}"
    );
    let uri = file_uri(&ws.path().join("app.py"));
    c.open(
        &uri,
        "python",
        "m = AutoModel.from_pretrained(\"mistralai/Codestral-22B-v0.1\")\n",
    );
    let doc = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(doc["result"]["kind"], "full", "{doc}");
    assert_eq!(doc["result"]["resultId"], "1");
    assert!(
        codes(&doc["result"]["items"]).contains(&"1 non-commercial".to_string()),
        "{doc}"
    );
    let ws_diag = c.request("workspace/diagnostic", json!({"previousResultIds": []}));
    let files: Vec<&str> = ws_diag["result"]["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["uri"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        files,
        vec![file_uri(&ws.path().join("src/train.py")).as_str()],
        "{ws_diag}"
    );
    assert!(
        codes(&ws_diag["result"]["items"][0]["items"]).contains(&"1 non-commercial".to_string())
    );
    // Nothing was pushed.
    c.drain();
    assert!(
        !c.backlog
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics")
    );
    // A policy change asks the client to pull again.
    std::fs::write(ws.path().join("fineprint.toml"), "use = \"research\"\n").expect("write");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&ws.path().join("fineprint.toml")), "type": 1}]}),
    );
    assert!(c.wait_server_request("workspace/diagnostic/refresh"));
    let doc = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(
        codes(&doc["result"]["items"]).contains(&"3 non-commercial".to_string()),
        "{doc}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

/// A client that cannot create files through an edit gets a command; running it
/// writes the exception into fineprint.toml and re-judges the open documents.
#[test]
fn add_exception_command_writes_the_policy() {
    let ws = workspace(&[]);
    let mut c = Client::start(ws.path());
    let caps = json!({"workspace": {"workspaceEdit": {"documentChanges": true}}});
    c.initialize(ws.path(), caps, json!({}));
    let uri = file_uri(&ws.path().join("gen.py"));
    c.open(&uri, "python", FLUX);
    let d = c.diagnostics(&uri, Some(1));
    let actions = c.request("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": d[0]["range"], "context": {"diagnostics": d}}));
    let cmd = actions["result"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["command"] == "fineprint.addException"))
        .cloned()
        .unwrap_or_else(|| panic!("no addException command: {actions}"));
    let r = c.request(
        "workspace/executeCommand",
        json!({"command": cmd["command"], "arguments": cmd["arguments"]}),
    );
    assert!(r.get("error").is_none(), "{r}");
    let written =
        std::fs::read_to_string(ws.path().join("fineprint.toml")).expect("policy written");
    assert!(
        written.contains("[[exceptions]]")
            && written.contains("black-forest-labs/FLUX.1-dev")
            && written.contains("\nexpires = 20"),
        "{written}"
    );
    c.diagnostics_until(&uri, |d| codes(d) == vec!["4 excepted".to_string()]);
    assert_eq!(c.shutdown(), Some(0));
}

/// A fine-tune in the local Hugging Face cache whose card says Apache-2.0 but whose
/// `base_model` is Llama 3.1: the editor shows `license-mismatch`, applies the Llama
/// license, and the hover says what the machine holds.
#[test]
fn evidence_from_the_hugging_face_cache() {
    let ws = tempfile::tempdir().expect("tmp");
    let hub = ws.path().join("hub");
    let snap = hub.join("models--acme--llama-ft/snapshots/abc123");
    std::fs::create_dir_all(&snap).expect("mkdir");
    std::fs::create_dir_all(hub.join("models--acme--llama-ft/refs")).expect("mkdir");
    std::fs::write(hub.join("models--acme--llama-ft/refs/main"), "abc123").expect("write");
    std::fs::write(
        snap.join("README.md"),
        "---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-3.1-8B\n---\n",
    )
    .expect("write");
    let mut c = Client::start_with_env(
        ws.path(),
        &[
            ("HF_HUB_CACHE", hub.as_os_str()),
            ("OLLAMA_MODELS", ws.path().join("none").as_os_str()),
        ],
    );
    c.initialize(ws.path(), vscode_capabilities(), json!({}));
    let uri = file_uri(&ws.path().join("train.py"));
    c.open(
        &uri,
        "python",
        "from transformers import AutoModel\nm = AutoModel.from_pretrained(\"acme/llama-ft\")\n",
    );
    let d = c.diagnostics(&uri, Some(1));
    let codes: Vec<&str> = d
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["code"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        codes.contains(&"license-mismatch") && codes.contains(&"commercial-threshold"),
        "{d}"
    );
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 35}}),
    );
    let md = hover["result"]["contents"]["value"].as_str().unwrap_or("");
    assert!(
        md.contains("Llama 3.1")
            && md.contains("**On this machine:**")
            && md.contains("apache-2.0"),
        "{md}"
    );
    assert_eq!(c.shutdown(), Some(0));
}

/// A policy file on disk that is not a regular file (a FIFO, which must not be opened,
/// then a folder) is shown as an error in that file, and the last good policy stays.
#[test]
fn policy_file_that_is_not_a_regular_file_keeps_the_last_good_policy() {
    let ws = workspace(&[("fineprint.toml", "use = \"research\"\n")]);
    let mut c = Client::start(ws.path());
    c.initialize(ws.path(), vscode_capabilities(), json!({}));
    let uri = file_uri(&ws.path().join("gen.py"));
    c.open(&uri, "python", FLUX);
    // Research use (information) once the policy on disk is read.
    c.diagnostics_until(&uri, |d| codes(d).contains(&"3 non-commercial".to_string()));
    let policy = ws.path().join("fineprint.toml");
    let policy_uri = file_uri(&policy);
    type Replace = fn(&std::path::Path);
    let cases: &[(Replace, &str)] = &[
        (
            |p| {
                let ok = std::process::Command::new("mkfifo")
                    .arg(p)
                    .status()
                    .is_ok_and(|s| s.success());
                assert!(ok, "mkfifo");
            },
            "not a regular file (FIFO)",
        ),
        (
            |p| std::fs::create_dir(p).expect("mkdir"),
            "not a regular file (directory)",
        ),
    ];
    for (version, (replace, needle)) in (2..).zip(cases) {
        if policy.is_dir() {
            std::fs::remove_dir(&policy).expect("rmdir");
        } else {
            std::fs::remove_file(&policy).expect("rm");
        }
        replace(&policy);
        c.drain();
        c.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": policy_uri, "type": 2}]}),
        );
        let pd = c.diagnostics_until(&policy_uri, |d| {
            d.as_array().is_some_and(|a| {
                a.iter()
                    .any(|x| x["message"].as_str().unwrap_or("").contains(needle))
            })
        });
        assert_eq!(pd[0]["code"], "invalid-policy", "{pd}");
        // The server still answers, under the last good policy (research).
        c.drain();
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": FLUX}]}),
        );
        c.diagnostics_until(&uri, |d| codes(d).contains(&"3 non-commercial".to_string()));
    }
    assert_eq!(c.shutdown(), Some(0));
}

/// The first code action whose title starts with `prefix`.
fn find_action(actions: &Value, prefix: &str) -> Option<Value> {
    actions["result"].as_array().and_then(|a| {
        a.iter()
            .find(|x| x["title"].as_str().unwrap_or("").starts_with(prefix))
            .cloned()
    })
}

/// The text a range of `text` covers (UTF-16 positions, `\n` line ends).
fn covered(text: &str, range: &Value) -> String {
    let off = |p: &Value| {
        let line = p["line"].as_u64().unwrap_or(0) as usize;
        let ch = p["character"].as_u64().unwrap_or(0) as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= ch {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    text[off(&range["start"])..off(&range["end"])].to_string()
}

/// Diagnostic messages lead with the restriction, in under 100 characters; the clause
/// they rest on is in the hover.
#[test]
fn diagnostic_messages_lead_with_the_restriction() {
    const LLAMA: &str =
        "m = pipeline(\"text-generation\", model=\"meta-llama/Llama-3.1-8B-Instruct\")\n";
    // (policy, code, finding, short message, text of the clause in the hover)
    let cases: &[(Option<&str>, &str, &str, &str, &str)] = &[
        (
            None,
            FLUX,
            "non-commercial",
            "non-commercial only: FLUX.1 [dev] Non-Commercial License",
            "The license covers non-commercial purposes only;",
        ),
        (
            None,
            LLAMA,
            "commercial-threshold",
            "commercial use up to 700M monthly users (declare monthly_active_users): Llama 3.1 License",
            "Declare `monthly_active_users` in the policy to check it.",
        ),
        (
            None,
            LLAMA,
            "naming-duty",
            "naming duty: \"Built with\" notice; name prefix on derivatives; +1 more: Llama 3.1 License",
            "Built with Llama",
        ),
        (
            Some("use = \"commercial\"\nmonthly_active_users = 800000000\n"),
            LLAMA,
            "commercial-threshold",
            "monthly_active_users = 800M is over 700M monthly users: Llama 3.1 Community License Agreement",
            "The policy declares monthly_active_users = 800000000, above the limit of 700000000.",
        ),
    ];
    for (policy, text, code, short, clause) in cases {
        let mut files = vec![];
        if let Some(p) = policy {
            files.push(("fineprint.toml", *p));
        }
        let ws = workspace(&files);
        let mut c = Client::start(ws.path());
        c.initialize(ws.path(), vscode_capabilities(), json!({}));
        let uri = file_uri(&ws.path().join("gen.py"));
        c.open(&uri, "python", text);
        // The policy file is read after `initialized`: a first publish may predate it.
        let d = c.diagnostics_until(&uri, |d| {
            d.as_array().is_some_and(|a| {
                a.iter()
                    .any(|x| x["code"] == *code && x["message"] == *short)
            })
        });
        for x in d.as_array().into_iter().flatten() {
            let m = x["message"].as_str().unwrap_or("");
            assert!(m.chars().count() < 100, "{} chars: {m}", m.chars().count());
        }
        let found = d
            .as_array()
            .and_then(|a| a.iter().find(|x| x["code"] == *code))
            .cloned()
            .unwrap_or_else(|| panic!("no {code}: {d}"));
        assert_eq!(found["message"], *short, "{d}");
        let hover = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": found["range"]["start"]}),
        );
        let md = hover["result"]["contents"]["value"].as_str().unwrap_or("");
        assert!(
            md.contains(&format!("**`{code}`**: ")) && md.contains(clause),
            "the hover holds the clause {clause:?}:\n{md}"
        );
        assert_eq!(c.shutdown(), Some(0));
    }
}

/// "Add a policy exception" writes an expiry 90 days ahead and a placeholder reason
/// that the editor selects for the user to type over (with `window/showDocument`);
/// without it, the placeholder stays in the text.
#[test]
fn exception_action_expires_and_selects_the_reason() {
    // (client capabilities, whether the action selects the reason)
    let cases = [
        (vscode_capabilities(), true),
        (neovim_capabilities(), true),
        (
            json!({"workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]}}}),
            false,
        ),
    ];
    for (caps, selects) in cases {
        let ws = workspace(&[("fineprint.toml", "# ours\nuse = \"commercial\"\n")]);
        let mut c = Client::start_with_env(
            ws.path(),
            &[
                ("FINEPRINT_NO_EVIDENCE", std::ffi::OsStr::new("1")),
                ("FINEPRINT_TODAY", std::ffi::OsStr::new("2026-12-06")),
            ],
        );
        c.initialize(ws.path(), caps.clone(), json!({}));
        let uri = file_uri(&ws.path().join("gen.py"));
        c.open(&uri, "python", FLUX);
        let d = c.diagnostics(&uri, Some(1));
        let actions = c.request("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": d[0]["range"], "context": {"diagnostics": d}}));
        let action = find_action(&actions, "Add a policy exception for FLUX.1-dev")
            .unwrap_or_else(|| panic!("{caps}: {actions}"));
        let policy_uri = file_uri(&ws.path().join("fineprint.toml"));
        let after = apply_first_edit(
            &action["edit"],
            &policy_uri,
            "# ours\nuse = \"commercial\"\n",
        );
        assert!(
            after.starts_with("# ours\nuse = \"commercial\"\n")
                && after.contains("model = \"black-forest-labs/FLUX.1-dev\"")
                && after.contains("reason = \"TODO: why this model is acceptable here\"")
                && after.contains("expires = 2027-03-06"),
            "{after}"
        );
        assert_eq!(action["command"].is_object(), selects, "{caps}: {action}");
        if !selects {
            continue;
        }
        assert_eq!(action["command"]["command"], "fineprint.select");
        assert_eq!(
            covered(&after, &action["command"]["arguments"][1]),
            "TODO: why this model is acceptable here"
        );
        let r = c.request(
            "workspace/executeCommand",
            json!({"command": "fineprint.select", "arguments": action["command"]["arguments"]}),
        );
        assert!(r.get("error").is_none(), "{r}");
        assert!(c.wait_server_request("window/showDocument"));
        let shown = c
            .server_requests
            .iter()
            .find(|m| m["method"] == "window/showDocument")
            .cloned()
            .unwrap_or_default();
        assert_eq!(shown["params"]["uri"], policy_uri.as_str());
        assert_eq!(
            shown["params"]["selection"],
            action["command"]["arguments"][1]
        );
        assert_eq!(c.shutdown(), Some(0));
    }
}

/// "Replace with an alternative" replaces every occurrence of the model in the file
/// and is never preferred; no action is.
#[test]
fn replace_action_covers_every_occurrence() {
    let ws = workspace(&[]);
    let mut c = Client::start(ws.path());
    c.initialize(ws.path(), vscode_capabilities(), json!({}));
    let uri = file_uri(&ws.path().join("code.py"));
    let text = "a = load(\"mistralai/Codestral-22B-v0.1\")\n# then\nb = load(\"mistralai/Codestral-22B-v0.1\")  # again\n";
    c.open(&uri, "python", text);
    let d = c.diagnostics(&uri, Some(1));
    let actions = c.request("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": d[0]["range"], "context": {"diagnostics": d}}));
    for a in actions["result"].as_array().into_iter().flatten() {
        assert!(a.get("isPreferred").is_none_or(|p| p == false), "{a}");
    }
    let action = find_action(&actions, "Replace with").unwrap_or_else(|| panic!("{actions}"));
    assert!(
        action["title"]
            .as_str()
            .unwrap_or("")
            .ends_with("(2 places)"),
        "{action}"
    );
    let after = apply_first_edit(&action["edit"], &uri, text);
    assert!(!after.contains("Codestral"), "{after}");
    assert_eq!(after.lines().count(), 3, "{after}");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": after}]}),
    );
    let d = c.diagnostics(&uri, Some(2));
    let errors: Vec<String> = codes(&d)
        .into_iter()
        .filter(|c| c.starts_with('1') || c.starts_with('2'))
        .collect();
    assert_eq!(errors, Vec::<String>::new(), "{after}\n{d}");
    assert_eq!(c.shutdown(), Some(0));
}

/// A threshold finding whose fact the policy does not declare offers to declare it:
/// the key goes into the policy with a placeholder value the editor selects.
#[test]
fn declare_action_adds_the_missing_fact() {
    // (policy file before, the file the title names, the finding before)
    let cases: &[(Option<&str>, &str, &str)] = &[
        (
            Some("# ours\nuse = \"commercial\"\n"),
            "fineprint.toml",
            "2 commercial-threshold",
        ),
        // Information under internal use: still offered.
        (
            Some("use = \"internal\"\n"),
            "fineprint.toml",
            "3 commercial-threshold",
        ),
        (None, "fineprint.toml", "2 commercial-threshold"),
        (
            Some("[project]\nname = \"x\"\n\n[tool.fineprint]\nuse = \"commercial\"\n"),
            "pyproject.toml",
            "2 commercial-threshold",
        ),
    ];
    for (policy, file, finding) in cases {
        let mut files = vec![];
        if let Some(p) = policy {
            files.push((*file, *p));
        }
        let ws = workspace(&files);
        let mut c = Client::start(ws.path());
        c.initialize(ws.path(), vscode_capabilities(), json!({}));
        let uri = file_uri(&ws.path().join("chat.py"));
        c.open(&uri, "python", "m = \"meta-llama/Llama-3.1-8B-Instruct\"\n");
        // The policy file is read after `initialized`: a first publish may predate it.
        let d = c.diagnostics_until(&uri, |d| codes(d).contains(&(*finding).to_string()));
        let actions = c.request("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": d[0]["range"], "context": {"diagnostics": d}}));
        let title = format!("Declare monthly_active_users in {file}");
        let action = find_action(&actions, &title).unwrap_or_else(|| panic!("{title}: {actions}"));
        let path = ws.path().join(file);
        let after = apply_first_edit(&action["edit"], &file_uri(&path), policy.unwrap_or(""));
        if let Some(p) = policy {
            assert!(after.starts_with(p.lines().next().unwrap_or("")), "{after}");
        }
        assert!(
            after.contains("\nmonthly_active_users = 0  # TODO: your real monthly_active_users\n"),
            "{after}"
        );
        assert_eq!(covered(&after, &action["command"]["arguments"][1]), "0");
        // Applied, the policy parses and the fact is checked: 0 is under the limit.
        std::fs::write(&path, &after).expect("write");
        c.drain();
        c.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": file_uri(&path), "type": 1}]}),
        );
        c.diagnostics_until(&uri, |d| {
            !codes(d).iter().any(|x| x.ends_with("commercial-threshold"))
        });
        // Declared now: no longer offered.
        let actions = c.request("textDocument/codeAction", json!({"textDocument": {"uri": uri}, "range": d[0]["range"], "context": {"diagnostics": []}}));
        assert!(find_action(&actions, "Declare").is_none(), "{actions}");
        assert_eq!(c.shutdown(), Some(0));
    }
}

/// An exception whose reason is a placeholder (as the "add an exception" quick fix
/// writes it) is an `exception-reason` warning on its line of the open policy file,
/// pushed (Neovim) or pulled (VS Code with pull diagnostics), until a reason is written.
#[test]
fn a_placeholder_exception_reason_is_a_warning_in_the_policy_file() {
    const TODO: &str = "use = \"commercial\"\n\n[[exceptions]]\nmodel = \"black-forest-labs/FLUX.1-dev\"\nreason = \"TODO: why this model is acceptable here\"\n";
    const DONE: &str = "use = \"commercial\"\n\n[[exceptions]]\nmodel = \"black-forest-labs/FLUX.1-dev\"\nreason = \"Commercial license signed, contract 2026-114\"\n";
    // (client, whether it pulls)
    let mut pulling = vscode_capabilities();
    pulling["textDocument"]["diagnostic"] =
        json!({"dynamicRegistration": false, "relatedDocumentSupport": false});
    let cases = [(neovim_capabilities(), false), (pulling, true)];
    for (caps, pull) in cases {
        let ws = workspace(&[("fineprint.toml", TODO)]);
        let mut c = Client::start(ws.path());
        c.initialize(ws.path(), caps, json!({}));
        let uri = file_uri(&ws.path().join("fineprint.toml"));
        let diagnostics = |c: &mut Client, want_reason: bool| -> Value {
            if pull {
                // The policy buffer is applied as it changes: pull until it has been.
                let mut items = Value::Null;
                for _ in 0..100 {
                    let r = c.request(
                        "textDocument/diagnostic",
                        json!({"textDocument": {"uri": uri}}),
                    );
                    items = r["result"]["items"].clone();
                    if codes(&items).contains(&"2 exception-reason".to_string()) == want_reason {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                items
            } else {
                c.diagnostics_until(&uri, |d| {
                    codes(d).contains(&"2 exception-reason".to_string()) == want_reason
                })
            }
        };
        c.open(&uri, "toml", TODO);
        let d = diagnostics(&mut c, true);
        assert_eq!(codes(&d), ["2 exception-reason"], "pull {pull}: {d}");
        assert_eq!(
            d[0]["range"]["start"]["line"], 3,
            "the exception's line: {d}"
        );
        assert!(
            d[0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("has no reason yet"),
            "{d}"
        );
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": DONE}]}),
        );
        let d = diagnostics(&mut c, false);
        assert_eq!(codes(&d), Vec::<String>::new(), "pull {pull}: {d}");
        assert_eq!(c.shutdown(), Some(0));
    }
}
