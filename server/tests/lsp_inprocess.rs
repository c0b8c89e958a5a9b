//! In-process language-server tests: the service runs on an in-memory duplex pipe with
//! real JSON-RPC framing (no process), and the hover card and diagnostics of each case
//! are compared with snapshots in `tests/golden/lsp/`. Re-bless after reviewing a
//! change: `FINEPRINT_BLESS=1 cargo test --test lsp_inprocess`.

use std::path::PathBuf;

use serde_json::{Value, json};
use tokio::io::{
    AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf,
};
use tower_lsp_server::Server;

struct Harness {
    write: WriteHalf<DuplexStream>,
    read: BufReader<ReadHalf<DuplexStream>>,
    next: i64,
}

impl Harness {
    fn start() -> Self {
        let (service, socket) = fineprint::lsp::service().expect("service");
        let (client, server) = tokio::io::duplex(1 << 22);
        let (server_read, server_write) = tokio::io::split(server);
        tokio::spawn(Server::new(server_read, server_write, socket).serve(service));
        let (read, write) = tokio::io::split(client);
        Self {
            write,
            read: BufReader::new(read),
            next: 0,
        }
    }

    async fn send(&mut self, v: Value) {
        let body = v.to_string();
        let msg = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.write.write_all(msg.as_bytes()).await.expect("write");
    }

    async fn recv(&mut self) -> Value {
        let mut len = 0;
        loop {
            let mut line = String::new();
            self.read.read_line(&mut line).await.expect("read header");
            let t = line.trim();
            if t.is_empty() {
                break;
            }
            if let Some(v) = t.strip_prefix("Content-Length: ") {
                len = v.parse().expect("length");
            }
        }
        let mut body = vec![0; len];
        self.read.read_exact(&mut body).await.expect("read body");
        serde_json::from_slice(&body).expect("json")
    }

    /// Receives until `pred`, answering server requests.
    async fn until(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let wait = async {
            loop {
                let m = self.recv().await;
                if m.get("method").is_some() && m.get("id").is_some() {
                    let id = m["id"].clone();
                    self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}))
                        .await;
                    continue;
                }
                if pred(&m) {
                    return m;
                }
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(20), wait)
            .await
            .expect("answer within 20 s")
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        self.until(|m| m["id"] == id).await
    }
}

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/golden/lsp")
        .join(name);
    if std::env::var_os("FINEPRINT_BLESS").is_some() {
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{name} differs from tests/golden/lsp/{name}; review, then FINEPRINT_BLESS=1 cargo test --test lsp_inprocess\n--- actual ---\n{actual}"
    );
}

/// (snapshot name, file name, text, line and character to hover)
const CASES: &[(&str, &str, &str, u32, u32)] = &[
    (
        "flux-dev",
        "gen.py",
        "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\")\n",
        0,
        45,
    ),
    (
        "llama-3.2-vision",
        "train.yaml",
        "base_model: meta-llama/Llama-3.2-11B-Vision-Instruct\n",
        0,
        20,
    ),
    (
        "qwen2.5-72b-ollama",
        "Modelfile",
        "FROM qwen2.5:72b\n",
        0,
        8,
    ),
    (
        "gpt-4o-mini",
        "client.ts",
        "const r = await openai.chat.completions.create({ model: \"gpt-4o-mini\" });\n",
        0,
        60,
    ),
    (
        "unknown",
        ".env",
        "MODEL_ID=acme-ai/support-bot-7b\n",
        0,
        15,
    ),
    (
        "gguf-reupload",
        "download.sh",
        "hf download bartowski/Meta-Llama-3.1-8B-Instruct-GGUF Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf\n",
        0,
        20,
    ),
];

#[tokio::test]
async fn hover_and_diagnostic_snapshots() {
    let mut h = Harness::start();
    let init = h.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {"general": {"positionEncodings": ["utf-16"]}}})).await;
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    h.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        .await;
    for (name, file, text, line, ch) in CASES {
        let uri = format!("file:///ws/{file}");
        h.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "x", "version": 1, "text": text}}})).await;
        let u = uri.clone();
        let diags = h
            .until(|m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u.as_str()
            })
            .await;
        let pretty = serde_json::to_string_pretty(&diags["params"]).expect("json");
        golden(&format!("{name}.diagnostics.json"), &format!("{pretty}\n"));
        let hover = h
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": ch}}),
            )
            .await;
        let md = hover["result"]["contents"]["value"]
            .as_str()
            .unwrap_or("(no hover)");
        golden(&format!("{name}.hover.md"), &format!("{md}\n"));
    }
}

/// The first diagnostic's start (line, character) in a `publishDiagnostics` message.
fn first_start(diags: &Value) -> (u64, u64) {
    let start = &diags["params"]["diagnostics"][0]["range"]["start"];
    (
        start["line"].as_u64().unwrap_or(u64::MAX),
        start["character"].as_u64().unwrap_or(u64::MAX),
    )
}

/// An edit: start line and character, end line and character, new text.
type Edit = (u32, u32, u32, u32, &'static str);

/// A lone `\r` ends a line, as `\n` and `\r\n` do (LSP 3.17), when a document is
/// opened and after edits that make or break `\r\n` pairs; hovers find the reference
/// where the diagnostic says it is.
#[tokio::test]
async fn lone_carriage_returns_end_lines() {
    const MODEL: &str = "model = \"meta-llama/Llama-3.1-8B\"";
    // (text opened, edits as (start line, character, end line, character, new text),
    // expected start of the diagnostic afterwards)
    let cases: Vec<(String, Vec<Edit>, (u64, u64))> = vec![
        (format!("a = 1\r{MODEL}\r"), vec![], (1, 9)),
        (format!("a = 1\r\n{MODEL}\r\n"), vec![], (1, 9)),
        (format!("a = 1\r\r\n{MODEL}"), vec![], (2, 9)),
        // A `\n` after a lone `\r` makes one line end of the two.
        (format!("a = 1\r{MODEL}"), vec![(1, 0, 1, 0, "\n")], (1, 9)),
        // A `\r` after a `\n` is a line end of its own.
        (format!("a = 1\n{MODEL}"), vec![(1, 0, 1, 0, "\r")], (2, 9)),
        // An empty line deleted, and a `\r\n` written as two line ends.
        (
            format!("a = 1\r\n\r\n{MODEL}"),
            vec![(1, 0, 2, 0, "")],
            (1, 9),
        ),
        (
            format!("a = 1\n{MODEL}"),
            vec![(0, 5, 1, 0, "\r\r\n")],
            (2, 9),
        ),
        (
            format!("a = 1\r{MODEL}"),
            vec![(0, 0, 0, 0, "b\r\r\n"), (0, 1, 0, 1, "\n")],
            (4, 9),
        ),
    ];
    let mut h = Harness::start();
    h.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {"general": {"positionEncodings": ["utf-16"]}}})).await;
    h.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        .await;
    for (i, (text, edits, want)) in cases.iter().enumerate() {
        let uri = format!("file:///ws/cr{i}.py");
        h.send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}})).await;
        let u = uri.clone();
        let mut diags = h
            .until(|m| {
                m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u.as_str()
            })
            .await;
        for (v, (l0, c0, l1, c1, new)) in edits.iter().enumerate() {
            let change = json!({"range": {"start": {"line": l0, "character": c0}, "end": {"line": l1, "character": c1}}, "text": new});
            h.send(json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": v + 2}, "contentChanges": [change]}})).await;
            let version = v + 2;
            diags = h
                .until(|m| {
                    m["method"] == "textDocument/publishDiagnostics"
                        && m["params"]["uri"] == u.as_str()
                        && m["params"]["version"] == version
                })
                .await;
        }
        assert_eq!(first_start(&diags), *want, "{text:?} after {edits:?}");
        let hover = h
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": {"line": want.0, "character": want.1 + 3}}),
            )
            .await;
        assert!(
            hover["result"]["contents"]["value"]
                .as_str()
                .is_some_and(|md| md.contains("Llama")),
            "{text:?} after {edits:?}: {hover}"
        );
    }
}
