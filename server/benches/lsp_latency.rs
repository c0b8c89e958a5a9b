//! Latency of the language server measured from a client process over stdio:
//! `initialize`, open → first diagnostics, hover, and a one-character edit →
//! published diagnostics (debounce included) on 1 MB and 10 MB files.
//!
//! Also the server's resident memory with 100 open documents of 100 KB each (VmRSS and
//! VmHWM from /proc).
//!
//! Run: `cargo bench -p fineprint --bench lsp_latency` (builds the release binary);
//! `cargo bench -p fineprint --bench lsp_latency -- memory` for the memory figure alone,
//! `-- dense` for the edit latency on the dense 1 MB file alone, `-- longline` for
//! edits beside a 500 KB line and inside it, `-- burst` for 10,000 `didChange` written at once
//! beside a 500 KB line, then a hover (publishes per burst, hover and last publish),
//! `-- large` for edits in a 50 MB document (one at a time, and 1,000 written at once).
//! `FINEPRINT_BENCH_BIN=PATH` measures that binary instead of building this tree's.
//! Prints medians and 95th percentiles; figures are recorded in docs/performance.md.

#[path = "../tests/common/mod.rs"]
mod common;
use common::read_message;

use std::io::{BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

struct Server {
    stdin: std::process::ChildStdin,
    rx: Receiver<Value>,
    child: std::process::Child,
    id: i64,
}

impl Server {
    fn start(bin: &str) -> Self {
        let mut child = Command::new(bin)
            .args(["lsp", "--log-level", "error"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start server");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(v) = read_message(&mut r) {
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        Self {
            stdin,
            rx,
            child,
            id: 0,
        }
    }

    fn send(&mut self, v: &Value) {
        let body = v.to_string();
        let _ = write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len());
        let _ = self.stdin.flush();
    }

    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let m = self
                .rx
                .recv_timeout(Duration::from_secs(60))
                .expect("server answered");
            if m.get("method").is_some() && m.get("id").is_some() {
                let id = m["id"].clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                continue;
            }
            if pred(&m) {
                return m;
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.id += 1;
        let id = self.id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m["id"] == id)
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

/// A Python-like file of about `bytes` bytes with a model reference every `every` lines.
fn big_file(bytes: usize, every: usize) -> String {
    let ids = [
        "meta-llama/Llama-3.1-8B-Instruct",
        "Qwen/Qwen2.5-7B-Instruct",
        "black-forest-labs/FLUX.1-dev",
        "gpt-4o-mini",
        "acme-ai/bot-7b",
    ];
    let mut s = String::with_capacity(bytes + 200);
    let mut i = 0;
    while s.len() < bytes {
        if i % every == 0 {
            s.push_str(&format!(
                "model_{i} = AutoModel.from_pretrained(\"{}\")\n",
                ids[(i / every) % ids.len()]
            ));
        } else {
            s.push_str(&format!(
                "    result_{i} = compute(values[{i}], scale=0.5)  # step {i}\n"
            ));
        }
        i += 1;
    }
    s
}

fn edit_latency(bin: &str, bytes: usize, every: usize, edits: usize) -> (f64, f64, f64) {
    let dir = std::env::temp_dir().join(format!("fineprint-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let mut s = Server::start(bin);
    s.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {"general": {"positionEncodings": ["utf-16"]}}}));
    s.notify("initialized", json!({}));
    let uri = format!("file://{}/big.py", dir.display());
    let text = big_file(bytes, every);
    let lines = text.lines().count();
    let t = Instant::now();
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
    );
    s.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 1);
    let open_ms = t.elapsed().as_secs_f64() * 1000.0;
    let mut lat = Vec::new();
    for k in 0..edits {
        let line = (k * 7919) % lines;
        let line = if line.is_multiple_of(every) {
            line + 1
        } else {
            line
        };
        let version = (k + 2) as i64;
        // Insert one character, then (next edit) the next line gets one: the text grows by one byte each time.
        let t = Instant::now();
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"range": {"start": {"line": line, "character": 4}, "end": {"line": line, "character": 4}}, "text": "x"}]}),
        );
        s.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version
        });
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let _ = std::fs::remove_dir_all(&dir);
    (open_ms, pct(&mut lat.clone(), 0.5), pct(&mut lat, 0.95))
}

/// One-character edits at `(line, character)` of a text with a 500 KB line of base64
/// (a data blob in a test) on line 1: on the line after it (2, 4), or inside it
/// (1, 250000); and a hover after them: (median, p95 and max edit -> diagnostics,
/// hover), ms.
fn long_line_latency(bin: &str, edits: usize, at: (u32, u32)) -> (f64, f64, f64, f64) {
    let mut s = Server::start(bin);
    s.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {"general": {"positionEncodings": ["utf-16"]}}}));
    s.notify("initialized", json!({}));
    let uri = "file:///bench/long/blob.py";
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": long_line_text()}}),
    );
    s.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 1);
    let mut lat = Vec::new();
    for k in 0..edits {
        let version = (k + 2) as i64;
        let t = Instant::now();
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"range": {"start": {"line": at.0, "character": at.1}, "end": {"line": at.0, "character": at.1 + 1}}, "text": format!("{}", k % 10)}]}),
        );
        s.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version
        });
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let t = Instant::now();
    s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 12}}),
    );
    let hover = t.elapsed().as_secs_f64() * 1000.0;
    let max = lat.iter().copied().fold(0.0, f64::max);
    (pct(&mut lat.clone(), 0.5), pct(&mut lat, 0.95), max, hover)
}

/// A text with a model on line 0, a 500 KB line of base64 on line 1 and `y = 1` on
/// line 2.
fn long_line_text() -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let blob: String = (0..500_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(alphabet[(x % 64) as usize])
        })
        .collect();
    format!("model = \"meta-llama/Llama-3.1-8B\"\nblob = \"{blob}\"\ny = 1\n")
}

/// `edits` one-character `didChange` on the line after a 500 KB line, written at once,
/// then a hover: (publishes for the document after the burst, hover answered and last
/// version published, ms after the burst began to be written).
fn burst(bin: &str, edits: usize) -> (usize, f64, f64) {
    let mut s = Server::start(bin);
    s.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {"general": {"positionEncodings": ["utf-16"]}}}));
    s.notify("initialized", json!({}));
    let uri = "file:///bench/burst/blob.py";
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": long_line_text()}}),
    );
    s.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 1);
    let mut bytes = Vec::new();
    for k in 0..edits {
        let body = json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": uri, "version": k + 2},
                       "contentChanges": [{"range": {"start": {"line": 2, "character": 4}, "end": {"line": 2, "character": 5}}, "text": format!("{}", k % 10)}]}})
        .to_string();
        bytes.extend(format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes());
    }
    s.id += 1;
    let hover_id = s.id;
    let body = json!({"jsonrpc": "2.0", "id": hover_id, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 12}}})
    .to_string();
    bytes.extend(format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes());
    let t = Instant::now();
    s.stdin.write_all(&bytes).expect("write the burst");
    s.stdin.flush().expect("flush");
    let last = (edits + 1) as i64;
    let (mut publishes, mut hover, mut done) = (0, None, None);
    while hover.is_none() || done.is_none() {
        let m =
            s.rx.recv_timeout(Duration::from_secs(600))
                .expect("server answered");
        if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
            publishes += 1;
            if m["params"]["version"] == last {
                done = Some(t.elapsed().as_secs_f64() * 1000.0);
            }
        } else if m["id"] == hover_id && m.get("method").is_none() {
            hover = Some(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    (publishes, hover.unwrap_or(0.0), done.unwrap_or(0.0))
}

/// A 50 MB Python document with 20 references: one-character edits one at a time
/// (edit -> diagnostics, median and p95 of `edits`), then `burst` edits written at
/// once on one line (ms from the write to the last version's publish).
fn large_document(bin: &str, edits: usize, burst: usize) -> (f64, f64, f64, f64) {
    let bytes = 50 << 20;
    let (open, p50, p95) = edit_latency(bin, bytes, bytes / 52 / 20, edits);
    let mut s = Server::start(bin);
    s.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {"general": {"positionEncodings": ["utf-16"]}}}));
    s.notify("initialized", json!({}));
    let uri = "file:///bench/large/big.py";
    let text = big_file(bytes, bytes / 52 / 20);
    let line = text.lines().count() / 2 + 1;
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
    );
    s.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 1);
    let mut out = Vec::new();
    for k in 0..burst {
        let body = json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": uri, "version": k + 2},
                       "contentChanges": [{"range": {"start": {"line": line, "character": 4 + k}, "end": {"line": line, "character": 4 + k}}, "text": "x"}]}})
        .to_string();
        out.extend(format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes());
    }
    let t = Instant::now();
    s.stdin.write_all(&out).expect("write the burst");
    s.stdin.flush().expect("flush");
    let last = (burst + 1) as i64;
    s.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == last);
    (open, p50, p95, t.elapsed().as_secs_f64() * 1000.0)
}

/// `VmRSS` and `VmHWM` of a process, in KiB (Linux).
fn rss_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse::<u64>()
            .ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Resident memory of the server with `docs` open documents of about `bytes` each
/// (Python with a model reference every 100 lines, each document different), once
/// every document's diagnostics are published.
fn memory_with_open_documents(bin: &str, docs: usize, bytes: usize) {
    let mut s = Server::start(bin);
    let pid = s.child.id();
    s.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    s.notify("initialized", json!({}));
    let idle = rss_kib(pid);
    let t = Instant::now();
    for d in 0..docs {
        // Different text in each document: the index in every line.
        let text = big_file(bytes, 100).replace("compute(", &format!("compute_{d}("));
        s.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": format!("file:///bench/mem/doc{d}.py"), "languageId": "python", "version": 1, "text": text}}),
        );
    }
    let mut published = std::collections::HashSet::new();
    while published.len() < docs {
        let m = s.wait(|m| m["method"] == "textDocument/publishDiagnostics");
        if let Some(uri) = m["params"]["uri"].as_str() {
            published.insert(uri.to_string());
        }
    }
    let open_s = t.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_millis(300));
    let mib = |k: u64| k as f64 / 1024.0;
    match (idle, rss_kib(pid)) {
        (Some((idle_rss, _)), Some((rss, hwm))) => println!(
            "memory: {docs} open documents of {} KB: VmRSS {:.1} MiB, VmHWM {:.1} MiB (after initialize: {:.1} MiB); opened and published in {open_s:.2} s",
            bytes / 1000,
            mib(rss),
            mib(hwm),
            mib(idle_rss)
        ),
        _ => println!("memory: /proc/{pid}/status unreadable (not Linux?)"),
    }
}

fn main() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    // `FINEPRINT_BENCH_BIN=/path/to/fineprint` measures another build (an older one,
    // for before-and-after figures) instead of building this one.
    let bin = match std::env::var_os("FINEPRINT_BENCH_BIN") {
        Some(b) => std::path::PathBuf::from(b),
        None => {
            let status = Command::new("cargo")
                .args(["build", "--release", "-p", "fineprint"])
                .current_dir(&root)
                .status()
                .expect("cargo build");
            assert!(status.success());
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map_or_else(|| root.join("target"), std::path::PathBuf::from);
            target.join("release/fineprint")
        }
    };
    let bin = bin.to_str().expect("utf-8 path");
    if std::env::args().any(|a| a == "memory") {
        memory_with_open_documents(bin, 100, 100_000);
        return;
    }

    if std::env::args().any(|a| a == "longline") {
        for (what, at) in [("beside", (2, 4)), ("inside", (1, 250_000))] {
            let (p50, p95, max, hover) = long_line_latency(bin, 50, at);
            println!(
                "edits {what} a 500 KB line: one-character edit -> diagnostics: median {p50:.2} ms, p95 {p95:.2} ms, max {max:.2} ms (n=50); hover after them {hover:.2} ms"
            );
        }
        return;
    }

    if std::env::args().any(|a| a == "burst") {
        for edits in [2_000, 10_000] {
            let (publishes, hover, done) = burst(bin, edits);
            println!(
                "{edits} didChange written at once beside a 500 KB line, then a hover: {publishes} publishes; hover answered after {hover:.1} ms, last version published after {done:.1} ms"
            );
        }
        return;
    }

    if std::env::args().any(|a| a == "large") {
        let (open, p50, p95, burst) = large_document(bin, 50, 1_000);
        println!(
            "50 MB, 20 refs: open -> diagnostics {open:.0} ms; one-character edit -> diagnostics: median {p50:.2} ms, p95 {p95:.2} ms (n=50); 1,000 edits written at once -> last version published {burst:.0} ms"
        );
        return;
    }

    if std::env::args().any(|a| a == "dense") {
        let (open, p50, p95) = edit_latency(bin, 1 << 20, 40, 200);
        println!(
            "1 MB, dense (1 ref / 40 lines): open -> diagnostics {open:.1} ms; one-character edit -> diagnostics: median {p50:.2} ms, p95 {p95:.2} ms (n=200)"
        );
        return;
    }

    // initialize and first diagnostics, 20 fresh servers.
    let mut init = Vec::new();
    let mut first = Vec::new();
    let mut hover = Vec::new();
    for round in 0..20 {
        let t = Instant::now();
        let mut s = Server::start(bin);
        s.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        );
        init.push(t.elapsed().as_secs_f64() * 1000.0);
        s.notify("initialized", json!({}));
        let uri = format!("file:///bench/{round}/app.py");
        s.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n"}}),
        );
        s.wait(|m| m["method"] == "textDocument/publishDiagnostics");
        first.push(t.elapsed().as_secs_f64() * 1000.0);
        for _ in 0..25 {
            let t = Instant::now();
            s.request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 45}}),
            );
            hover.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    println!(
        "process start + initialize:        median {:.2} ms, p95 {:.2} ms",
        pct(&mut init.clone(), 0.5),
        pct(&mut init, 0.95)
    );
    println!(
        "start to first diagnostics:        median {:.2} ms, p95 {:.2} ms",
        pct(&mut first.clone(), 0.5),
        pct(&mut first, 0.95)
    );
    println!(
        "hover:                             median {:.3} ms, p95 {:.3} ms (n={})",
        pct(&mut hover.clone(), 0.5),
        pct(&mut hover, 0.95),
        hover.len()
    );
    // (label, bytes, a reference every N lines): 20 references whatever the size, and
    // a dense file with one every 40 lines.
    for (label, bytes, every) in [
        ("1 MB, 20 refs", 1 << 20, (1 << 20) / 52 / 20),
        ("10 MB, 20 refs", 10 << 20, (10 << 20) / 52 / 20),
        ("1 MB, dense (1 ref / 40 lines)", 1 << 20, 40),
    ] {
        let (open, p50, p95) = edit_latency(bin, bytes, every.max(1), 200);
        println!(
            "{label}: open -> diagnostics {open:.1} ms; one-character edit -> diagnostics: median {p50:.2} ms, p95 {p95:.2} ms (n=200)"
        );
    }
    memory_with_open_documents(bin, 100, 100_000);
}
