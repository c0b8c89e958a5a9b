//! A language-server client for tests: starts `fineprint lsp` as an editor would,
//! speaks JSON-RPC with `Content-Length` framing over its stdin/stdout, answers the
//! server's own requests, and never waits forever (every wait has a deadline).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long any wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// A running server and the client end of its pipes.
pub struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Messages from the server not consumed yet.
    pub backlog: Vec<Value>,
    /// Requests the server sent to the client (registerCapability, ...).
    pub server_requests: Vec<Value>,
}

/// Reads one `Content-Length` framed JSON-RPC message; `None` at the end of input.
pub fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.parse::<usize>().ok();
        }
    }
    let mut buf = vec![0; len?];
    r.read_exact(&mut buf).ok()?;
    serde_json::from_slice(&buf).ok()
}

impl Client {
    /// Starts the server binary in `cwd`, with the readers of evidence on disk off (so
    /// a developer's own model caches cannot change the results).
    pub fn start(cwd: &std::path::Path) -> Self {
        Self::start_with_env(cwd, &[("FINEPRINT_NO_EVIDENCE", std::ffi::OsStr::new("1"))])
    }

    /// Starts the server binary in `cwd` with extra environment variables.
    pub fn start_with_env(cwd: &std::path::Path, env: &[(&str, &std::ffi::OsStr)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fineprint"))
            .args(["lsp", "--log-level", "warn"])
            .current_dir(cwd)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start fineprint lsp");
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
            next_id: 1,
            backlog: Vec::new(),
            server_requests: Vec::new(),
        }
    }

    /// Writes raw bytes (for malformed-input tests).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let _ = self.stdin.write_all(bytes);
        let _ = self.stdin.flush();
    }

    fn send(&mut self, v: &Value) {
        let body = v.to_string();
        let msg = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.send_raw(msg.as_bytes());
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its id.
    pub fn request_async(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Sends a request and waits for its response (the whole response object).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.request_async(method, params);
        self.wait(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
            .unwrap_or_else(|| panic!("no response to {method}"))
    }

    /// Receives the next message, answering server requests on the way.
    fn recv(&mut self, until: Instant) -> Option<Value> {
        loop {
            let left = until.checked_duration_since(Instant::now())?;
            match self.rx.recv_timeout(left) {
                Ok(m) => {
                    if m.get("method").is_some() && m.get("id").is_some() {
                        // A request from the server: accept it.
                        let id = m["id"].clone();
                        self.server_requests.push(m);
                        self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                        continue;
                    }
                    return Some(m);
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Waits for the first message (backlog first) matching `pred`.
    pub fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return Some(self.backlog.remove(i));
        }
        let until = Instant::now() + DEADLINE;
        while let Some(m) = self.recv(until) {
            if pred(&m) {
                return Some(m);
            }
            self.backlog.push(m);
        }
        None
    }

    /// Waits for `publishDiagnostics` for `uri` (optionally of a version).
    pub fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Value {
        let uri = uri.to_string();
        self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && version.is_none_or(|v| m["params"]["version"] == v)
        })
        .unwrap_or_else(|| panic!("no diagnostics for {uri} version {version:?}"))["params"]["diagnostics"]
            .clone()
    }

    /// Waits until the diagnostics published for `uri` satisfy `pred` (pushes are
    /// eventually consistent: an earlier publish may still be in flight); returns them.
    pub fn diagnostics_until(&mut self, uri: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let uri = uri.to_string();
        let found = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && pred(&m["params"]["diagnostics"])
        });
        found.unwrap_or_else(|| panic!("diagnostics for {uri} never reached the expected state"))["params"]["diagnostics"].clone()
    }

    /// Waits until the server has sent a request with `method`.
    pub fn wait_server_request(&mut self, method: &str) -> bool {
        let until = Instant::now() + DEADLINE;
        loop {
            if self.server_requests.iter().any(|r| r["method"] == method) {
                return true;
            }
            match self.recv(until) {
                Some(m) => self.backlog.push(m),
                None => return self.server_requests.iter().any(|r| r["method"] == method),
            }
        }
    }

    /// Every message received so far and until none arrives for `quiet` (server
    /// requests answered on the way), the backlog first; empties the backlog.
    pub fn collect(&mut self, quiet: Duration) -> Vec<Value> {
        let mut out = std::mem::take(&mut self.backlog);
        let until = Instant::now() + DEADLINE;
        while Instant::now() < until {
            match self.rx.recv_timeout(quiet) {
                Ok(m) if m.get("method").is_some() && m.get("id").is_some() => {
                    let id = m["id"].clone();
                    self.server_requests.push(m);
                    self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                }
                Ok(m) => out.push(m),
                Err(_) => break,
            }
        }
        out
    }

    /// Drops every message received so far.
    pub fn drain(&mut self) {
        self.backlog.clear();
        while let Ok(m) = self.rx.recv_timeout(Duration::from_millis(150)) {
            if m.get("method").is_some() && m.get("id").is_some() {
                let id = m["id"].clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
            }
        }
    }

    /// `initialize` + `initialized` with the given capabilities and options.
    pub fn initialize(
        &mut self,
        root: &std::path::Path,
        capabilities: Value,
        options: Value,
    ) -> Value {
        let uri = file_uri(root);
        let res = self.request(
            "initialize",
            json!({"processId": null, "rootUri": uri, "capabilities": capabilities, "initializationOptions": options,
                   "workspaceFolders": [{"uri": uri, "name": "ws"}]}),
        );
        self.notify("initialized", json!({}));
        res
    }

    /// Opens a document.
    pub fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}));
    }

    /// `shutdown` then `exit`; returns the exit code.
    pub fn shutdown(mut self) -> Option<i32> {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        let until = Instant::now() + DEADLINE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Closes the server's stdin, as a crashing client would.
    pub fn close_stdin(&mut self) {
        let (_, dummy) = std::io::pipe().expect("pipe");
        let old = std::mem::replace(
            &mut self.stdin,
            ChildStdin::from(std::os::fd::OwnedFd::from(dummy)),
        );
        drop(old);
    }

    /// Waits for the process to end; its exit code.
    pub fn wait_exit(&mut self) -> Option<i32> {
        let until = Instant::now() + DEADLINE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            if Instant::now() > until {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the server process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary repository (a `.git` folder) holding `files` (path, text).
pub fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(d.path().join(".git")).expect("mkdir");
    for (name, text) in files {
        let p = d.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }
    d
}

/// `file://` URI of a path.
pub fn file_uri(p: &std::path::Path) -> String {
    format!("file://{}", p.display())
}

/// The capabilities VS Code 1.9x sends (the parts fineprint reads).
pub fn vscode_capabilities() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-16"]},
        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}, "inlayHint": {"refreshSupport": true},
                      "workspaceEdit": {"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]},
                      "configuration": true},
        "window": {"workDoneProgress": true, "showDocument": {"support": true}},
        "textDocument": {"publishDiagnostics": {"relatedInformation": true, "versionSupport": true, "codeDescriptionSupport": true, "dataSupport": true},
                         "hover": {"contentFormat": ["markdown", "plaintext"]}, "inlayHint": {"dynamicRegistration": true},
                         "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix"]}}}}
    })
}

/// The capabilities Neovim 0.11 sends (the parts fineprint reads): UTF-8 preferred,
/// then UTF-16; no dynamic watcher registration by default on Linux.
pub fn neovim_capabilities() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-8", "utf-16", "utf-32"]},
        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": false}, "workspaceEdit": {"resourceOperations": ["rename", "create", "delete"]}},
        "window": {"workDoneProgress": true, "showDocument": {"support": true}},
        "textDocument": {"publishDiagnostics": {"relatedInformation": true, "dataSupport": true}, "hover": {"contentFormat": ["markdown", "plaintext"]}}
    })
}
