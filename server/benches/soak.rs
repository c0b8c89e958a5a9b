//! Soak test of the language server, as a client process over stdio: 50 documents,
//! 20,000 edits in bursts with hovers in between, for a bounded time. Samples the
//! server's resident memory (`VmRSS`), reports latency percentiles per phase, and at
//! the end compares the diagnostics of every document with a fresh scan of its final
//! text by the library.
//!
//! Run: `bash scripts/soak.sh` (builds the release binary), or
//! `cargo bench -p fineprint --bench soak` with `SOAK_SECONDS` (default 240) and
//! `SOAK_EDITS` (default 20000). Stops by itself at whichever limit comes first.
//! `SOAK_ROUNDS` (default 1) repeats the whole run in the same server (documents
//! closed between rounds, the same edits replayed): memory held per edit grows again
//! in every round, memory the allocator or caches reuse does not.
//! Exit code 1 when a document's diagnostics differ from a fresh scan, or the server
//! died.
#![cfg_attr(test, allow(dead_code))]

#[path = "../tests/common/mod.rs"]
mod common;
use common::read_message;

use std::collections::BTreeMap;
use std::io::{BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use fineprint::detect::FileKind;
use fineprint::kb::KnowledgeBase;
use fineprint::policy::Policy;
use serde_json::{Value, json};

const DOCS: usize = 50;
const BURST: usize = 40;
const WAIT: Duration = Duration::from_secs(60);

/// Snippets the edits insert: model references of every shape, and noise.
const SNIPPETS: &[&str] = &[
    "m = AutoModel.from_pretrained(\"meta-llama/Llama-3.1-8B\")\n",
    "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n",
    "model: qwen2.5:7b\n",
    "x = \"gpt-4o\"  # 😀 emoji\n",
    "base_model: mistralai/Mistral-7B-Instruct-v0.3\n",
    "path = \"./models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf\"\n",
    "value = compute(1, 2)\n",
    "日本語のコメント\n",
    "tok = AutoTokenizer.from_pretrained(\"acme-ai/bot-7b\")\n",
    "z",
    "\"",
    "-",
    "/",
    " ",
];

const NAMES: &[&str] = &[
    "py",
    "yaml",
    "md",
    "json",
    "toml",
    "sh",
    "js",
    "env",
    "Dockerfile",
    "Modelfile",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

struct Server {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    rx: Receiver<Value>,
    id: i64,
    /// Last diagnostics published per URI, with their version.
    published: BTreeMap<String, (i64, Value)>,
}

impl Server {
    fn start(bin: &str, cwd: &std::path::Path) -> Self {
        let mut child = Command::new(bin)
            .args(["lsp", "--log-level", "error"])
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server");
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
            child,
            stdin,
            rx,
            id: 0,
            published: BTreeMap::new(),
        }
    }

    fn send_raw(&mut self, b: &[u8]) {
        self.stdin.write_all(b).expect("write to the server");
        self.stdin.flush().expect("flush");
    }

    fn frame(v: &Value) -> Vec<u8> {
        let body = v.to_string();
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    fn notify(&mut self, method: &str, params: Value) {
        let f = Self::frame(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
        self.send_raw(&f);
    }

    /// Handles one message; returns it unless it was a publish or a server request.
    fn handle(&mut self, m: Value) -> Option<Value> {
        if m.get("method").is_some() && m.get("id").is_some() {
            let f = Self::frame(&json!({"jsonrpc": "2.0", "id": m["id"], "result": null}));
            self.send_raw(&f);
            return None;
        }
        if m["method"] == "textDocument/publishDiagnostics" {
            let uri = m["params"]["uri"].as_str().unwrap_or("").to_string();
            let v = m["params"]["version"].as_i64().unwrap_or(-1);
            self.published
                .insert(uri, (v, m["params"]["diagnostics"].clone()));
            return None;
        }
        Some(m)
    }

    fn pump_until(&mut self, deadline: Instant, done: impl Fn(&Self, &Value) -> bool) -> bool {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.rx.recv_timeout(left) {
                Ok(m) => {
                    let other = self.handle(m.clone());
                    if done(self, other.as_ref().unwrap_or(&m)) {
                        return true;
                    }
                }
                Err(_) => return false,
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.id += 1;
        let id = self.id;
        let f =
            Self::frame(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.send_raw(&f);
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(m) = self.rx.recv_timeout(left) else {
                panic!("no response to {method}");
            };
            if m["id"] == id && m.get("method").is_none() {
                return m;
            }
            self.handle(m);
        }
    }

    fn wait_version(&mut self, uri: &str, version: i64) -> bool {
        let uri = uri.to_string();
        if self.published.get(&uri).is_some_and(|(v, _)| *v >= version) {
            return true;
        }
        self.pump_until(Instant::now() + WAIT, |s, _| {
            s.published.get(&uri).is_some_and(|(v, _)| *v >= version)
        })
    }

    fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse().ok())
            })
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Byte offset of a (line, column in Unicode scalar values) position; clamped.
fn offset(text: &str, line: usize, col: usize) -> usize {
    let mut start = 0;
    for _ in 0..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    text[start..end]
        .char_indices()
        .nth(col)
        .map_or(end, |(i, _)| start + i)
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn line_of(v: &mut [f64]) -> String {
    let n = v.len();
    format!(
        "n={n:>6}  p50={:>7.2} ms  p95={:>7.2} ms  p99={:>7.2} ms  max={:>7.2} ms",
        pct(v, 0.5),
        pct(v, 0.95),
        pct(v, 0.99),
        pct(v, 1.0)
    )
}

/// (line, column, code) of every diagnostic, sorted: what the comparison looks at.
fn keys_of_lsp(diags: &Value) -> Vec<(u64, u64, String)> {
    let mut k: Vec<_> = diags
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
                d["range"]["start"]["character"].as_u64().unwrap_or(0),
                d["code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    k.sort();
    k
}

fn main() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let bin = std::env::var("FINEPRINT_BIN").unwrap_or_else(|_| {
        let b = root.join("target/release/fineprint");
        b.to_string_lossy().into_owned()
    });
    let seconds: u64 = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(240);
    let total_edits: usize = std::env::var("SOAK_EDITS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let kb = KnowledgeBase::builtin().expect("rules");
    let policy = Policy::default();
    let today = fineprint::policy::today();

    let dir = std::env::temp_dir().join(format!("fineprint-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("workspace");
    let mut s = Server::start(&bin, &dir);
    let uri_root = format!("file://{}", dir.display());
    s.request(
        "initialize",
        json!({"processId": std::process::id(), "rootUri": uri_root,
               "capabilities": {"general": {"positionEncodings": ["utf-32"]},
                                "textDocument": {"publishDiagnostics": {"versionSupport": true}}}}),
    );
    s.notify("initialized", json!({}));

    let rounds: usize = std::env::var("SOAK_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut failed = false;
    let mut round_rss = Vec::new();
    // Each round opens the same documents and replays the same edits (same seed),
    // then closes them: memory that grows again in a later round is held per
    // edit (a leak); memory that does not is reused (allocator, caches).
    for round in 1..=rounds {
        println!("round {round} of {rounds}");
        let mut rng = Rng(0x5eed_f00d_dead_beef);
        let mut docs: Vec<(String, String, FileKind, i64)> = Vec::new();
        let mut lat_open = Vec::new();
        for i in 0..DOCS {
            let ext = NAMES[i % NAMES.len()];
            let name = if ext.chars().next().is_some_and(char::is_uppercase) {
                format!("{ext}.d{i}")
            } else if ext == "env" {
                format!(".env.d{i}")
            } else {
                format!("d{i}.{ext}")
            };
            let kind = FileKind::from_file_name(&name).expect("a kind fineprint reads");
            let mut text = String::new();
            for _ in 0..200 {
                text.push_str(SNIPPETS[rng.below(SNIPPETS.len())]);
                text.push('\n');
            }
            let uri = format!("{uri_root}/{name}");
            let t = Instant::now();
            s.notify(
                "textDocument/didOpen",
                json!({"textDocument": {"uri": uri, "languageId": ext, "version": 1, "text": text}}),
            );
            assert!(s.wait_version(&uri, 1), "no diagnostics for {uri}");
            lat_open.push(t.elapsed().as_secs_f64() * 1e3);
            docs.push((uri, text, kind, 1));
        }

        let start = Instant::now();
        let mut lat_burst = Vec::new();
        let mut lat_hover = Vec::new();
        let mut rss: Vec<(f64, u64)> = vec![(0.0, s.rss_kib())];
        let mut edits = 0;
        while edits < total_edits && start.elapsed() < Duration::from_secs(seconds) {
            // A burst: BURST edits over a few documents, written at once.
            let mut bytes = Vec::new();
            let mut touched = BTreeMap::new();
            for _ in 0..BURST {
                let spread = 4 + rng.below(DOCS);
                let d = rng.below(DOCS.min(spread));
                let (uri, text, _, version) = &mut docs[d];
                let lines = text.split('\n').count();
                let l0 = rng.below(lines);
                let c0 = rng.below(30);
                let (l1, c1) = match rng.below(4) {
                    0 => (l0 + rng.below(3), rng.below(30)),
                    1 => (l0, c0 + rng.below(8)),
                    _ => (l0, c0),
                };
                let ins = if rng.below(3) == 0 {
                    ""
                } else {
                    SNIPPETS[rng.below(SNIPPETS.len())]
                };
                let a = offset(text, l0, c0);
                let b = offset(text, l1, c1).max(a);
                // The position the server sees for `b` after clamping: recompute from `b`.
                let (bl, bc) = {
                    let before = &text[..b];
                    let bl = before.matches('\n').count();
                    let bc = before.rsplit('\n').next().map_or(0, |x| x.chars().count());
                    (bl, bc)
                };
                let (al, ac) = {
                    let before = &text[..a];
                    let al = before.matches('\n').count();
                    let ac = before.rsplit('\n').next().map_or(0, |x| x.chars().count());
                    (al, ac)
                };
                text.replace_range(a..b, ins);
                *version += 1;
                bytes.extend(Server::frame(&json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
                    "params": {"textDocument": {"uri": uri, "version": *version},
                               "contentChanges": [{"range": {"start": {"line": al, "character": ac}, "end": {"line": bl, "character": bc}}, "text": ins}]}})));
                touched.insert(d, *version);
                edits += 1;
            }
            let t = Instant::now();
            s.send_raw(&bytes);
            for (&d, &v) in &touched {
                let uri = docs[d].0.clone();
                assert!(s.wait_version(&uri, v), "no publish of {uri} v{v}");
            }
            lat_burst.push(t.elapsed().as_secs_f64() * 1e3);
            // Hovers between bursts.
            for _ in 0..3 {
                let d = rng.below(DOCS);
                let lines = docs[d].1.split('\n').count();
                let t = Instant::now();
                let h = s.request(
                    "textDocument/hover",
                    json!({"textDocument": {"uri": docs[d].0}, "position": {"line": rng.below(lines), "character": rng.below(40)}}),
                );
                assert!(h.get("error").is_none(), "{h}");
                lat_hover.push(t.elapsed().as_secs_f64() * 1e3);
            }
            if lat_burst.len() % 25 == 0 {
                rss.push((start.elapsed().as_secs_f64(), s.rss_kib()));
            }
        }
        let elapsed = start.elapsed().as_secs_f64();
        rss.push((elapsed, s.rss_kib()));

        // Final check: every document's last publish equals a fresh scan of its text.
        let mut mismatches = 0;
        let mut refs_total = 0;
        for (uri, text, kind, version) in &docs {
            assert!(s.wait_version(uri, *version), "no final publish for {uri}");
            let got = keys_of_lsp(&s.published[uri].1);
            let found = fineprint::check::analyse(text, *kind, &kb, &policy, &today);
            refs_total += found.len();
            let mut want: Vec<(u64, u64, String)> = found
                .iter()
                .flat_map(|f| {
                    f.diagnostics.iter().map(|d| {
                        (
                            (f.line - 1) as u64,
                            (f.column - 1) as u64,
                            d.code.as_str().to_string(),
                        )
                    })
                })
                .collect();
            want.sort();
            if got != want {
                mismatches += 1;
                let extra: Vec<_> = got.iter().filter(|k| !want.contains(k)).take(3).collect();
                let missing: Vec<_> = want.iter().filter(|k| !got.contains(k)).take(3).collect();
                eprintln!("MISMATCH {uri} v{version}: extra {extra:?} missing {missing:?}");
            }
        }
        let alive = matches!(s.child.try_wait(), Ok(None));

        println!(
            "soak: {DOCS} documents, {edits} edits in {} bursts of {BURST}, {} hovers, {elapsed:.1} s ({:.0} edits/s)",
            lat_burst.len(),
            lat_hover.len(),
            edits as f64 / elapsed
        );
        println!(
            "open  (didOpen → publish):              {}",
            line_of(&mut lat_open)
        );
        println!(
            "burst ({BURST} edits → last publish):   {}",
            line_of(&mut lat_burst)
        );
        println!(
            "hover (request → response):             {}",
            line_of(&mut lat_hover)
        );
        let samples: Vec<String> = rss
            .iter()
            .map(|(t, k)| format!("{t:.0}s:{:.1}", *k as f64 / 1024.0))
            .collect();
        println!("rss MiB over time: {}", samples.join(" "));
        let max = rss.iter().map(|(_, k)| *k).max().unwrap_or(0);
        let after_open = rss.first().map_or(0, |(_, k)| *k);
        let last = rss.last().map_or(0, |(_, k)| *k);
        println!(
            "rss: after opening {:.1} MiB, max {:.1} MiB, final {:.1} MiB",
            after_open as f64 / 1024.0,
            max as f64 / 1024.0,
            last as f64 / 1024.0
        );
        let bytes_open: usize = docs.iter().map(|d| d.1.len()).sum();
        println!(
            "final diagnostics vs fresh scan: {} of {DOCS} documents equal ({refs_total} references in {:.2} MiB of text), server alive: {alive}",
            DOCS - mismatches,
            bytes_open as f64 / (1024.0 * 1024.0)
        );
        failed |= mismatches > 0 || !alive;
        round_rss.push(format!("{:.1}", s.rss_kib() as f64 / 1024.0));
        if round < rounds {
            for (uri, ..) in &docs {
                s.notify(
                    "textDocument/didClose",
                    json!({"textDocument": {"uri": uri}}),
                );
            }
            for (uri, ..) in &docs {
                let uri = uri.clone();
                let closed = s.pump_until(Instant::now() + WAIT, |s, _| {
                    s.published
                        .get(&uri)
                        .is_some_and(|(_, d)| d.as_array().is_some_and(Vec::is_empty))
                });
                assert!(closed, "no empty publish after closing {uri}");
            }
            s.published.clear();
        }
    }
    if rounds > 1 {
        println!("rss MiB at the end of each round: {}", round_rss.join(" "));
    }
    let _ = s.request("shutdown", Value::Null);
    s.notify("exit", Value::Null);
    let _ = std::fs::remove_dir_all(&dir);
    if failed {
        std::process::exit(1);
    }
}
