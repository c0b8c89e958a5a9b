//! Protocol abuse that `lsp.rs` does not cover: cancelling requests in flight, a
//! client that disappears in the middle of a request, a burst of 1000 `didChange`
//! notifications then a hover, very large (or lying) messages, and header lines too
//! long or too many.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Client, DEADLINE, file_uri, vscode_capabilities};
use serde_json::{Value, json};

const MODEL: &str = "meta-llama/Llama-3.1-8B";

fn workspace() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

fn frame(v: &Value) -> Vec<u8> {
    let body = v.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn hover_contents(c: &mut Client, uri: &str, line: u32, character: u32) -> Value {
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
    );
    assert!(r.get("error").is_none(), "{r}");
    r["result"].clone()
}

/// A session over the server's stdio that answers the server's requests only when
/// told to, so that a test can keep a request waiting for the client.
struct Session {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    rx: std::sync::mpsc::Receiver<Value>,
}

impl Session {
    fn start(cwd: &std::path::Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fineprint"))
            .args(["lsp", "--log-level", "warn"])
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = std::io::BufReader::new(stdout);
            while let Some(m) = common::read_message(&mut r) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        Self { child, stdin, rx }
    }

    /// Writes the messages in one write: the server reads them back to back.
    fn send(&mut self, messages: &[Value]) {
        let bytes: Vec<u8> = messages.iter().flat_map(frame).collect();
        self.stdin.write_all(&bytes).expect("write");
        self.stdin.flush().expect("flush");
    }

    /// Writes raw bytes.
    fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write");
        self.stdin.flush().expect("flush");
    }

    /// The server's peak resident memory so far (`VmHWM`, KiB).
    fn peak_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM")
    }

    /// The next message from the server, within the deadline.
    fn next(&mut self, until: Instant) -> Option<Value> {
        let left = until.checked_duration_since(Instant::now())?;
        self.rx.recv_timeout(left).ok()
    }

    /// `initialize`, `initialized`, then answers the start-up requests
    /// (`registerCapability`, `workDoneProgress/create`) until the start-up scan ends.
    fn start_up(&mut self, root: &std::path::Path) {
        let uri = file_uri(root);
        self.send(&[json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"processId": null, "rootUri": uri, "capabilities": vscode_capabilities(),
                       "workspaceFolders": [{"uri": uri, "name": "ws"}]}})]);
        let until = Instant::now() + DEADLINE;
        let init = self.next(until).expect("initialize");
        assert!(init["result"]["capabilities"].is_object(), "{init}");
        self.send(&[json!({"jsonrpc": "2.0", "method": "initialized", "params": {}})]);
        let mut answered = Vec::new();
        loop {
            let m = self.next(until).expect("start-up");
            if m.get("method").is_some() && m.get("id").is_some() {
                answered.push(m["method"].clone());
                self.send(&[json!({"jsonrpc": "2.0", "id": m["id"], "result": null})]);
            }
            if m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end" {
                break;
            }
        }
        assert_eq!(
            answered,
            [
                json!("client/registerCapability"),
                json!("window/workDoneProgress/create")
            ]
        );
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// When the client answers the server's `window/showDocument`, relative to its
/// `$/cancelRequest`.
#[derive(Debug, Clone, Copy)]
enum Answer {
    /// In the same write as the cancellation: the server reads both back to back.
    WithTheCancel,
    /// Only after the cancelled request has been answered.
    Late,
}

/// Requests that cannot finish alone, cancelled in flight: `fineprint.openLicense`
/// asks the client to show the page (`window/showDocument`) and waits for its answer.
/// The start-up requests have been answered (cancellation used to be lost then), and
/// every `showDocument` has reached the client before the cancellation is sent, so each
/// request is really waiting. Each is answered exactly once, with `RequestCancelled`
/// (-32800); the server goes on.
#[test]
fn cancelling_requests_in_flight() {
    // (requests sent, of which wait for showDocument, when the client answers it)
    let cases: &[(usize, usize, Answer)] = &[
        (1, 1, Answer::WithTheCancel),
        (1, 1, Answer::Late),
        // The library runs four requests at once: all four wait for the client.
        (4, 4, Answer::WithTheCancel),
        (4, 4, Answer::Late),
        // Two more wait in the library's queue: cancelled before they start.
        (6, 4, Answer::Late),
    ];
    for &(n, waiting, answer) in cases {
        let case = format!("{n} request(s), showDocument answered {answer:?}");
        let ws = workspace();
        let mut s = Session::start(ws.path());
        s.start_up(ws.path());
        let ids: Vec<i64> = (100..100 + n as i64).collect();
        let requests: Vec<Value> = ids
            .iter()
            .map(|id| json!({"jsonrpc": "2.0", "id": id, "method": "workspace/executeCommand",
                "params": {"command": "fineprint.openLicense", "arguments": ["https://www.apache.org/licenses/LICENSE-2.0"]}}))
            .collect();
        s.send(&requests);
        let until = Instant::now() + DEADLINE;
        let mut shows = Vec::new();
        while shows.len() < waiting {
            let m = s
                .next(until)
                .unwrap_or_else(|| panic!("{case}: {} showDocument", shows.len()));
            assert!(
                m.get("result").is_none() && m.get("error").is_none(),
                "{case}: {m}"
            );
            if m["method"] == "window/showDocument" {
                shows.push(m["id"].clone());
            }
        }
        let cancels = ids
            .iter()
            .map(|id| json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": id}}));
        let answers: Vec<Value> = shows
            .iter()
            .map(|id| json!({"jsonrpc": "2.0", "id": id, "result": {"success": true}}))
            .collect();
        match answer {
            Answer::WithTheCancel => s.send(&cancels.chain(answers.clone()).collect::<Vec<_>>()),
            Answer::Late => s.send(&cancels.collect::<Vec<_>>()),
        }
        let mut left: Vec<i64> = ids.clone();
        let until = Instant::now() + DEADLINE;
        while !left.is_empty() {
            let m = s
                .next(until)
                .unwrap_or_else(|| panic!("{case}: no response to {left:?}"));
            if m.get("method").is_some() {
                continue;
            }
            let id = m["id"].as_i64().unwrap_or_default();
            assert!(left.contains(&id), "{case}: a second response {m}");
            assert_eq!(m["error"]["code"], -32800, "{case}: {m}");
            left.retain(|x| *x != id);
        }
        // Late answers, repeated and unknown cancellations: no second response, and
        // the server still answers.
        let uri = file_uri(&ws.path().join("a.py"));
        let mut after = if matches!(answer, Answer::Late) {
            answers
        } else {
            Vec::new()
        };
        after.extend([
            json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": ids[0]}}),
            json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 999_999}}),
            json!({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": "not-a-number"}}),
            json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
                {"uri": uri, "languageId": "python", "version": 1, "text": format!("m = \"{MODEL}\"\n")}}}),
            json!({"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params":
                {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 8}}}),
        ]);
        s.send(&after);
        let until = Instant::now() + DEADLINE;
        let hover = loop {
            let m = s.next(until).unwrap_or_else(|| panic!("{case}: no hover"));
            if m.get("method").is_none() {
                assert_eq!(m["id"], 7, "{case}: a second response {m}");
                break m;
            }
            // Requests the server sends on its own (showDocument of a request that
            // got a slot only now) are answered.
            if m.get("id").is_some() {
                s.send(&[json!({"jsonrpc": "2.0", "id": m["id"], "result": {"success": true}})]);
            }
        };
        assert!(
            hover["result"].to_string().contains("Llama"),
            "{case}: {hover}"
        );
        s.send(&[
            json!({"jsonrpc": "2.0", "id": 8, "method": "shutdown"}),
            json!({"jsonrpc": "2.0", "method": "exit"}),
        ]);
        let until = Instant::now() + DEADLINE;
        while let Some(m) = s.next(until) {
            assert!(
                m.get("method").is_some() || m["id"] == 8,
                "{case}: a second response {m}"
            );
        }
        let status = s.child.wait().expect("wait");
        assert_eq!(status.code(), Some(0), "{case}");
    }
}

/// Header lines that are too long or too many: the filter holds at most 8 KiB of a
/// header line (the end of a longer one, where a header glued to garbage may be) and
/// at most 32 header lines per message. Each case writes its bytes, then a hover (id
/// 2). The server answers the hover; it answers a hover inside the bytes (id 1) only
/// when that frame is valid (an over-long line among its headers is skipped, the
/// message kept); and its peak memory does not grow by the size of the bytes.
#[test]
fn oversized_and_too_many_header_lines() {
    use fineprint::lsp::transport::MAX_HEADER_LINES;
    const JUNK: usize = 64 * 1024 * 1024;
    let hover = |id: i64| {
        json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
               "params": {"textDocument": {"uri": "file:///nowhere.py"}, "position": {"line": 0, "character": 0}}})
    };
    let hidden = hover(1).to_string();
    let framed =
        |headers: &str| format!("{headers}Content-Length: {}\r\n\r\n{hidden}", hidden.len());
    let padded = |prefix: String, suffix: String| {
        let mut b = prefix.into_bytes();
        b.resize(JUNK, b'a');
        b.extend_from_slice(suffix.as_bytes());
        b
    };
    // (case, bytes written before the hover with id 2, ids answered)
    let cases: Vec<(&str, Vec<u8>, &[i64])> = vec![
        ("64 MiB without a line end", vec![b'a'; JUNK], &[2]),
        (
            "64 MiB without a line end, then a message",
            padded(String::new(), framed("")),
            &[1, 2],
        ),
        (
            "a 64 MiB header line alone",
            padded("X-Junk: ".into(), "\r\n".into()),
            &[2],
        ),
        (
            "a 64 MiB header line among a message's headers",
            padded("X-Junk: ".into(), format!("\r\n{}", framed(""))),
            &[1, 2],
        ),
        (
            "as many header lines as allowed",
            framed(&"X-Header: v\r\n".repeat(MAX_HEADER_LINES - 1)).into_bytes(),
            &[1, 2],
        ),
        (
            "one header line too many",
            framed(&"X-Header: v\r\n".repeat(MAX_HEADER_LINES)).into_bytes(),
            &[2],
        ),
        (
            "100,000 header lines",
            framed(&"X-Header: v\r\n".repeat(100_000)).into_bytes(),
            &[2],
        ),
        (
            "a body longer than its Content-Length",
            format!("Content-Length: 10\r\n\r\n{hidden}").into_bytes(),
            &[2],
        ),
    ];
    for (case, junk, expected) in cases {
        let ws = workspace();
        let mut s = Session::start(ws.path());
        s.start_up(ws.path());
        let before = s.peak_kib();
        s.send_raw(&junk);
        drop(junk);
        s.send(&[hover(2)]);
        let until = Instant::now() + DEADLINE;
        let mut answered = Vec::new();
        while answered.last() != Some(&2) {
            let m = s
                .next(until)
                .unwrap_or_else(|| panic!("{case}: no answer to 2"));
            if m.get("method").is_none() {
                assert!(m.get("error").is_none(), "{case}: {m}");
                answered.push(m["id"].as_i64().unwrap_or_default());
            }
        }
        assert_eq!(answered, expected, "{case}");
        let grown = s.peak_kib().saturating_sub(before);
        assert!(grown < 16 * 1024, "{case}: peak memory grew by {grown} KiB");
        s.send(&[
            json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}),
            json!({"jsonrpc": "2.0", "method": "exit"}),
        ]);
        let until = Instant::now() + DEADLINE;
        while let Some(m) = s.next(until) {
            assert!(m.get("method").is_some() || m["id"] == 3, "{case}: {m}");
        }
        assert_eq!(s.child.wait().expect("wait").code(), Some(0), "{case}");
    }
}

/// The client closes its end of stdin while a request waits for it: the server ends.
#[test]
fn client_disappears_while_a_request_waits_for_it() {
    let ws = workspace();
    let mut c = Client::start(ws.path());
    c.initialize(ws.path(), vscode_capabilities(), json!({}));
    c.drain();
    c.request_async(
        "workspace/executeCommand",
        json!({"command": "fineprint.openLicense", "arguments": ["https://www.apache.org/licenses/LICENSE-2.0"]}),
    );
    std::thread::sleep(Duration::from_millis(100));
    c.close_stdin();
    assert!(
        c.wait_exit().is_some(),
        "the server must exit when its client disappears mid-request"
    );
}

/// The client process vanishes entirely (both pipes closed) in the middle of a
/// workspace scan and of a burst of requests: the server ends, without writing
/// into the closed pipe forever.
#[test]
fn client_vanishes_mid_scan() {
    let ws = workspace();
    for i in 0..400 {
        std::fs::write(
            ws.path().join(format!("f{i}.py")),
            format!(
                "m = AutoModel.from_pretrained(\"{MODEL}\")\n# {}\n",
                "x".repeat(2000)
            ),
        )
        .expect("write");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_fineprint"))
        .args(["lsp", "--log-level", "error"])
        .current_dir(ws.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = child.stdout.take().expect("stdout");
    let uri = file_uri(ws.path());
    let mut burst = frame(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": uri, "capabilities": {}}}));
    burst.extend(frame(
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    ));
    for id in 2..50 {
        burst.extend(frame(
            &json!({"jsonrpc": "2.0", "id": id, "method": "workspace/executeCommand",
            "params": {"command": "fineprint.scanWorkspace", "arguments": []}}),
        ));
    }
    stdin.write_all(&burst).expect("write");
    stdin.flush().expect("flush");
    // Read a little (the server has started answering), then vanish.
    let mut first = [0u8; 64];
    let _ = stdout.read(&mut first);
    drop(stdin);
    drop(stdout);
    let until = Instant::now() + DEADLINE;
    let status = loop {
        if let Ok(Some(s)) = child.try_wait() {
            break Some(s);
        }
        if Instant::now() > until {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        status.is_some(),
        "the server must exit when its client vanishes mid-scan"
    );
}

/// 1000 `didChange` notifications written at once (typing a model id, then a line of
/// other text), then a hover: the hover sees the final text, and the last publish is
/// for the last version, with the reference where the final text has it.
#[test]
fn burst_of_1000_changes_then_hover() {
    let ws = workspace();
    let mut c = Client::start(ws.path());
    c.initialize(ws.path(), vscode_capabilities(), json!({}));
    c.drain();
    let uri = file_uri(&ws.path().join("typing.py"));
    c.open(&uri, "python", "m = \"\"\n# \n");
    let _ = c.diagnostics(&uri, Some(1));
    let mut burst = Vec::new();
    let mut expected = String::from("m = \"\"\n# \n");
    for k in 0..1000usize {
        let (line, character, text) = if k < MODEL.len() {
            (0, 5 + k, MODEL[k..=k].to_string())
        } else {
            // Type on the comment line; every 50th edit deletes the character before.
            let col = expected.lines().nth(1).map_or(0, str::len);
            if k % 50 == 0 {
                let s = expected.find("\n# ").expect("line 1") + 1 + col;
                expected.replace_range(s - 1..s, "");
                burst.extend(frame(&json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
                    "params": {"textDocument": {"uri": uri, "version": k + 2},
                               "contentChanges": [{"range": {"start": {"line": 1, "character": col - 1}, "end": {"line": 1, "character": col}}, "text": ""}]}})));
                continue;
            }
            (1, col, "a".to_string())
        };
        let line_start = if line == 0 {
            0
        } else {
            expected.find('\n').expect("newline") + 1
        };
        expected.insert_str(line_start + character, &text);
        burst.extend(frame(&json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": uri, "version": k + 2},
                       "contentChanges": [{"range": {"start": {"line": line, "character": character}, "end": {"line": line, "character": character}}, "text": text}]}})));
    }
    c.send_raw(&burst);
    // The hover right after the burst sees the final text.
    let h = hover_contents(&mut c, &uri, 0, 10);
    assert!(h.to_string().contains("Llama"), "{h}");
    // The last publish is for version 1001, on the model's exact span.
    let d = c.diagnostics(&uri, Some(1001));
    let arr = d.as_array().expect("diagnostics");
    assert!(!arr.is_empty(), "{d}");
    for x in arr {
        assert_eq!(
            x["range"]["start"],
            json!({"line": 0, "character": 5}),
            "{x}"
        );
        assert_eq!(
            x["range"]["end"],
            json!({"line": 0, "character": 5 + MODEL.len()}),
            "{x}"
        );
    }
    assert!(expected.starts_with(&format!("m = \"{MODEL}\"\n# a")));
    // The server's text is the expected one: an edit at the very end of line 1 and a
    // hover past it still work, and the code action list answers.
    let col = expected.lines().nth(1).map_or(0, str::len) as u32;
    let h = hover_contents(&mut c, &uri, 1, col);
    assert!(h.is_null(), "{h}");
    assert_eq!(c.shutdown(), Some(0));
}

/// Very large and lying messages: a 30 MB document is served; a body over the
/// 64 MiB limit is skipped without being held; a `Content-Length` that does not
/// parse, a message nested 100,000 levels deep, and a header line of 8 MB are
/// dropped; the session goes on after each.
#[test]
fn very_large_messages() {
    let ws = workspace();
    let mut c = Client::start(ws.path());
    c.initialize(ws.path(), vscode_capabilities(), json!({}));
    c.drain();

    // A 30 MB document (a model on its last line).
    let big_uri = file_uri(&ws.path().join("big.py"));
    let mut text = "x = 1  # filler line for a large file\n".repeat(30 * 1024 * 1024 / 38);
    let last_line = text.lines().count() as u32;
    text.push_str(&format!("m = \"{MODEL}\"\n"));
    c.open(&big_uri, "python", &text);
    drop(text);
    let d = c.diagnostics(&big_uri, Some(1));
    assert!(
        d.as_array().is_some_and(
            |a| !a.is_empty() && a.iter().all(|x| x["range"]["start"]["line"] == last_line)
        ),
        "{d}"
    );
    let h = hover_contents(&mut c, &big_uri, last_line, 8);
    assert!(h.to_string().contains("Llama"), "{h}");

    // A body over the limit (64 MiB + 1): skipped.
    let over_uri = file_uri(&ws.path().join("over.py"));
    let pad = 64 * 1024 * 1024 + 1;
    let prefix = json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": over_uri, "languageId": "python", "version": 1, "text": ""}}})
    .to_string();
    let (head, tail) = prefix.split_at(prefix.len() - 4); // before `""}}}`'s closing quote
    let mut body = Vec::with_capacity(pad + 16);
    body.extend_from_slice(head.as_bytes());
    body.extend_from_slice(&format!("m = \"{MODEL}\" ").into_bytes());
    body.resize(pad - tail.len(), b'x');
    body.extend_from_slice(tail.as_bytes());
    assert_eq!(body.len(), pad);
    let mut msg = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    msg.extend_from_slice(&body);
    drop(body);
    c.send_raw(&msg);
    drop(msg);
    assert!(
        hover_contents(&mut c, &over_uri, 0, 8).is_null(),
        "a message over the limit is not opened"
    );

    // A length that does not parse; then a message nested 100,000 levels deep.
    c.send_raw(b"Content-Length: 99999999999999999999999999\r\n\r\n");
    let deep = format!(
        "{{\"jsonrpc\":\"2.0\",\"method\":\"$/x\",\"params\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    c.send_raw(format!("Content-Length: {}\r\n\r\n{deep}", deep.len()).as_bytes());
    // A header line of 8 MB, then a valid message.
    let mut long = b"X-Padding: ".to_vec();
    long.resize(8 * 1024 * 1024, b'a');
    long.extend_from_slice(b"\r\n");
    let ping = json!({"jsonrpc": "2.0", "id": 424_242, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": big_uri}, "position": {"line": last_line, "character": 8}}});
    long.extend(frame(&ping));
    c.send_raw(&long);
    let r = c
        .wait(|m| m["id"] == 424_242)
        .expect("the session goes on after the oversized messages");
    assert!(r.get("error").is_none(), "{r}");
    assert!(c.alive());
    assert_eq!(c.shutdown(), Some(0));
}

/// A `Content-Length` larger than anything ever sent, then the client goes away: the
/// server neither waits forever nor allocates the announced size.
#[test]
fn lying_length_then_end_of_input() {
    let ws = workspace();
    let mut c = Client::start(ws.path());
    c.initialize(ws.path(), vscode_capabilities(), json!({}));
    c.send_raw(b"Content-Length: 1000000000000\r\n\r\n{\"jsonrpc\":\"2.0\"");
    std::thread::sleep(Duration::from_millis(100));
    assert!(c.alive());
    c.close_stdin();
    assert!(c.wait_exit().is_some(), "end of input ends the server");
}
