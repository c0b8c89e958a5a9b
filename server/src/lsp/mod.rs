//! `fineprint lsp`: the language server. The only module that speaks the protocol;
//! everything it shows comes from the engine (`detect`, `resolve`, `findings`, `card`).
//!
//! Architecture invariants:
//! * One file per protocol method in [`handlers`]; this file only routes.
//! * State lives in one mutex ([`state::State`]), mutated before the first `.await` of
//!   a handler and never held across one (see `state.rs`).
//! * Every handler body runs inside [`Backend::with_state`] or [`guard`], which turn a
//!   panic into a log line and an error response (or nothing, for notifications): a
//!   panic never takes the server down, and a poisoned lock is recovered.
//! * Positions cross the boundary only through [`convert`].
//! * Notifications that change documents apply text and return; analysis and
//!   publishing happen in the analysis worker ([`analysis`]), so requests are never
//!   queued behind them.

mod analysis;
mod convert;
mod diagnostics;
mod handlers;
mod online;
mod policy_edit;
mod policy_file;
mod short;
mod state;
pub mod transport;

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::reload;

use crate::kb::KnowledgeBase;
pub use state::Settings;
use state::State;

/// Runs `f` on the state under its lock, guarded against panics.
fn locked<T>(state: &Mutex<State>, f: impl FnOnce(&mut State) -> T) -> Option<T> {
    guard("state", || {
        let mut s = state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut s)
    })
}

/// Changes the log level at run time.
type LogHandle = reload::Handle<EnvFilter, tracing_subscriber::Registry>;

/// The server.
pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    log: Option<LogHandle>,
    worker: analysis::Worker,
}

/// Runs `f`, turning a panic into `None` and a log line.
pub fn guard<T>(what: &str, f: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            tracing::error!(handler = what, panic = %msg, "handler panicked; the server keeps running");
            None
        }
    }
}

fn internal(what: &str) -> Error {
    let mut e = Error::internal_error();
    e.message = format!("fineprint: internal error in {what} (see the server log)").into();
    e
}

impl Backend {
    fn new(client: Client, kb: Arc<KnowledgeBase>, log: Option<LogHandle>) -> Self {
        Self {
            client,
            state: Arc::new(Mutex::new(State::new(kb))),
            log,
            worker: analysis::Worker::new(),
        }
    }

    /// Runs `f` on the state under the lock, guarded against panics.
    pub fn with_state<T>(&self, f: impl FnOnce(&mut State) -> T) -> Option<T> {
        locked(&self.state, f)
    }

    /// Pushes diagnostics that are not an open document's analysis (a closed
    /// document's, a policy file's), in order with the worker's pushes.
    pub async fn push_diagnostics(&self, uri: Uri, diags: Vec<Diagnostic>, version: Option<i32>) {
        let _sending = self.worker.gate.lock().await;
        self.client.publish_diagnostics(uri, diags, version).await;
    }

    /// Sets the log level (`error`, `warn`, `info`, `debug`, `trace` or a filter).
    pub fn set_log_level(&self, level: &str) {
        if let Some(h) = &self.log {
            match EnvFilter::try_new(level) {
                Ok(f) => {
                    let _ = h.reload(f);
                }
                Err(e) => tracing::warn!(level, error = %e, "ignoring invalid log level"),
            }
        }
    }

    /// Scans the workspace on disk and publishes diagnostics for files not open in
    /// the editor (nor open as notebooks), with `$/progress` when the client supports
    /// it. Honours the `scan` settings: `scan.workspace = false` clears what an earlier
    /// scan published and scans nothing; `scan.exclude` globs are left out.
    pub async fn rescan_workspace(&self) {
        if self.with_state(|s| s.caps.pull).unwrap_or(false) {
            return; // The client pulls `workspace/diagnostic` itself.
        }
        if !self
            .with_state(|s| s.settings.scan_workspace)
            .unwrap_or(true)
        {
            let old = self
                .with_state(|s| {
                    s.last_scan = None;
                    std::mem::take(&mut s.disk_published)
                })
                .unwrap_or_default();
            for uri in old {
                if !self
                    .with_state(|s| s.docs.contains_key(&uri))
                    .unwrap_or(false)
                {
                    self.push_diagnostics(uri, Vec::new(), None).await;
                }
            }
            return;
        }
        let Some((root, kb, policy, progress, open)) = self
            .with_state(|s| {
                let open: std::collections::HashSet<Uri> =
                    s.docs.keys().chain(s.notebooks.keys()).cloned().collect();
                s.root
                    .clone()
                    .map(|r| (r, s.kb.clone(), s.scan_policy(), s.caps.progress, open))
            })
            .flatten()
        else {
            return;
        };
        let token = NumberOrString::String(format!("fineprint-scan-{}", std::process::id()));
        let mut bar = None;
        if progress
            && self
                .client
                .create_work_done_progress(token.clone())
                .await
                .is_ok()
        {
            bar = Some(
                self.client
                    .progress(token, "fineprint: scanning the workspace")
                    .with_message(root.display().to_string())
                    .begin()
                    .await,
            );
        }
        let scan_root = root.clone();
        let report =
            tokio::task::spawn_blocking(move || crate::check::run(&[scan_root], &kb, &policy))
                .await;
        let Ok(report) = report else {
            tracing::error!("workspace scan failed");
            return;
        };
        let report = Arc::new(report);
        self.with_state(|s| s.last_scan = Some((root.clone(), report.clone())));
        let mut published = std::collections::HashSet::new();
        let mut count = 0;
        for f in &report.files {
            let Some(uri) = Uri::from_file_path(root.join(&f.path)) else {
                continue;
            };
            if open.contains(&uri) || f.found.is_empty() {
                continue;
            }
            // Re-read the text to convert positions in the negotiated encoding.
            let text =
                crate::regular_file::read_text(&root.join(&f.path), crate::check::MAX_FILE_SIZE);
            let Some(text) = text else {
                continue;
            };
            // The report's spans are offsets in the text without its byte order mark.
            let text = crate::check::without_bom(&text);
            let Some(diags) = self.with_state(|s| {
                let index = crate::text::LineIndex::new(text);
                let refs: Vec<_> = f.found.iter().map(|x| x.reference.clone()).collect();
                diagnostics::for_refs(&s.context(), text, &index, &refs, Some(&root.join(&f.path)))
            }) else {
                continue;
            };
            count += f.found.len();
            self.client
                .publish_diagnostics(uri.clone(), diags, None)
                .await;
            published.insert(uri);
        }
        // Files that had diagnostics and no longer do.
        let stale: Vec<Uri> = self
            .with_state(|s| {
                let old = std::mem::replace(&mut s.disk_published, published.clone());
                old.into_iter()
                    .filter(|u| !published.contains(u) && !s.docs.contains_key(u))
                    .collect()
            })
            .unwrap_or_default();
        for uri in stale {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
        if let Some(bar) = bar {
            bar.finish_with_message(format!(
                "{count} model reference(s) in {} file(s)",
                report.files.len()
            ))
            .await;
        }
    }
}

impl Backend {
    /// `fineprint/models`: every model of the workspace with its license and verdict.
    async fn models(&self) -> Result<serde_json::Value> {
        handlers::models::run(self).await
    }
}

/// The service: the protocol's methods and fineprint's own requests.
fn build(
    kb: Arc<KnowledgeBase>,
    log: Option<LogHandle>,
) -> (LspService<Backend>, tower_lsp_server::ClientSocket) {
    LspService::build(|client| Backend::new(client, kb, log))
        .custom_method("fineprint/models", Backend::models)
        .finish()
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        handlers::initialize::run(self, params).ok_or_else(|| internal("initialize"))
    }

    async fn initialized(&self, params: InitializedParams) {
        handlers::initialized::run(self, params).await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        handlers::did_open::run(self, params).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        handlers::did_change::run(self, params).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        handlers::did_close::run(self, params).await;
    }

    async fn notebook_did_open(&self, params: DidOpenNotebookDocumentParams) {
        handlers::notebook::did_open(self, params).await;
    }

    async fn notebook_did_change(&self, params: DidChangeNotebookDocumentParams) {
        handlers::notebook::did_change(self, params).await;
    }

    async fn notebook_did_close(&self, params: DidCloseNotebookDocumentParams) {
        handlers::notebook::did_close(self, params).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        handlers::did_change_watched_files::run(self, params).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        handlers::did_change_configuration::run(self, params).await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        handlers::hover::run(self, params, false).ok_or_else(|| internal("hover"))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        handlers::inlay_hint::run(self, params).ok_or_else(|| internal("inlayHint"))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        handlers::code_action::run(self, params).ok_or_else(|| internal("codeAction"))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        handlers::execute_command::run(self, params).await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        handlers::document_link::run(self, params).ok_or_else(|| internal("documentLink"))
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        handlers::diagnostic::run(self, params).ok_or_else(|| internal("textDocument/diagnostic"))
    }

    async fn workspace_diagnostic(
        &self,
        params: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        handlers::workspace_diagnostic::run(self, params)
            .await
            .ok_or_else(|| internal("workspace/diagnostic"))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        handlers::completion::run(self, params).ok_or_else(|| internal("completion"))
    }
}

/// Serves the protocol on stdin/stdout until `exit` or the end of input. Logs go to
/// stderr, at `log_level` (or `FINEPRINT_LOG`), changeable by the client's `logLevel`
/// setting. Returns whether the session ended cleanly (`shutdown` before `exit`, or
/// the end of input).
pub async fn serve_stdio(log_level: Option<String>) -> std::result::Result<bool, String> {
    use tracing_subscriber::prelude::*;
    let level = log_level
        .or_else(|| std::env::var("FINEPRINT_LOG").ok())
        .unwrap_or_else(|| "info".into());
    let filter = EnvFilter::try_new(&level).unwrap_or_else(|_| EnvFilter::new("info"));
    let (layer, handle) = reload::Layer::new(filter);
    let _ = tracing_subscriber::registry()
        .with(layer)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(false),
        )
        .try_init();
    let kb = Arc::new(load_kb(None)?);
    let (service, socket) = build(kb, Some(handle));
    let pipes = transport::filtered(tokio::io::stdin(), tokio::io::stdout());
    let serve = Server::new(pipes.input, pipes.output, socket).serve(service);
    let mut exit = pipes.exit;
    tokio::select! {
        () = serve => {
            // End of input, or `exit` (the library stops on it; the filter set the
            // signal before forwarding it): let what the server wrote reach the client.
            let _ = tokio::time::timeout(std::time::Duration::from_secs(1), pipes.written).await;
            Ok(exit.try_recv().unwrap_or(true))
        }
        clean = &mut exit => {
            // `exit`: give in-flight responses a moment, then stop even if a handler
            // still waits for a reply the client will never send.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            Ok(clean.unwrap_or(false))
        }
    }
}

/// Builds the service for in-process tests (no logging set up).
pub fn service()
-> std::result::Result<(LspService<Backend>, tower_lsp_server::ClientSocket), String> {
    let kb = Arc::new(KnowledgeBase::builtin().map_err(|e| e.to_string())?);
    Ok(build(kb, None))
}

/// Loads the knowledge in force (the built-in base, or a newer installed knowledge
/// pack) with a rules folder on top; a pack that cannot be used is logged.
fn load_kb(rules: Option<&PathBuf>) -> std::result::Result<KnowledgeBase, String> {
    let f = crate::update::in_force(rules.map(PathBuf::as_path)).map_err(|e| e.to_string())?;
    if let Some(note) = f.note {
        tracing::warn!("{note}");
    }
    Ok(f.kb)
}
