//! The analysis worker: publishes the diagnostics of open documents (push mode), one
//! document at a time, outside the request path.
//!
//! `didOpen` and `didChange` only apply text and ask for a publish
//! ([`Backend::schedule`]); they never analyse nor wait for the client. The worker
//! takes every document asked for since its last round, brings each one's references
//! up to date with all its pending edits at once ([`State::refresh`], one window
//! scan), and turns them into diagnostics outside the lock, on a snapshot, so that a
//! hover or a code action never waits behind it. A burst of edits therefore costs a
//! few analyses and publishes, not one per edit.
//!
//! Invariants:
//! * A publish carries the version it was computed from and is dropped when the
//!   document moved on (or was closed) meanwhile; the newer version was asked for too,
//!   so the last publish of a document is always for its latest version.
//! * The staleness check and the send happen under [`Worker::gate`], which every other
//!   push of diagnostics also takes: no older result is sent after a newer one.
//! * A round after which more requests are already waiting (edits still coming in) is
//!   followed by a pause of [`COALESCE`], so that a burst is gathered into few rounds;
//!   an edit arriving when the worker is idle is analysed at once.
//! * The worker ends when the server is dropped (its queue's sender with it).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Diagnostic, Uri};

use super::state::{Context, State, file_name, is_policy_file};
use super::{Backend, diagnostics, guard, locked};
use crate::resolve::Reference;
use crate::text::LineIndex;

/// The pause after a round during which more documents were asked for.
pub const COALESCE: Duration = Duration::from_millis(20);

/// The queue of documents to publish, and the gate of every push.
#[derive(Debug)]
pub struct Worker {
    tx: UnboundedSender<Uri>,
    /// Taken by the first [`Backend::schedule`], which starts the worker.
    rx: Mutex<Option<UnboundedReceiver<Uri>>>,
    /// Held from a push's staleness check to the end of its send.
    pub gate: Arc<tokio::sync::Mutex<()>>,
}

impl Worker {
    /// A queue with no worker running yet.
    pub fn new() -> Self {
        let (tx, rx) = unbounded_channel();
        Self {
            tx,
            rx: Mutex::new(Some(rx)),
            gate: Arc::default(),
        }
    }
}

impl Worker {
    /// A sender into the queue (documents sent are published once the worker runs).
    pub fn sender(&self) -> UnboundedSender<Uri> {
        self.tx.clone()
    }
}

impl Default for Worker {
    fn default() -> Self {
        Self::new()
    }
}

/// The work of one publish, taken under the lock.
enum Job {
    /// Diagnostics computed already (a policy file's own).
    Ready(Vec<Diagnostic>, i32),
    /// References to judge outside the lock.
    Judge {
        cx: Context,
        text: Arc<String>,
        index: Arc<LineIndex>,
        refs: Vec<Reference>,
        version: i32,
        /// Where the document is on disk, for the policy's `[[paths]]` rules.
        path: Option<std::path::PathBuf>,
    },
}

impl Backend {
    /// Asks for the diagnostics of an open document to be published (push mode), by
    /// the worker, soon; starts the worker on first use.
    pub fn schedule(&self, uri: Uri) {
        let rx = self
            .worker
            .rx
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(rx) = rx {
            match tokio::runtime::Handle::try_current() {
                Ok(rt) => {
                    rt.spawn(run(
                        self.client.clone(),
                        self.state.clone(),
                        self.worker.gate.clone(),
                        rx,
                    ));
                }
                Err(_) => {
                    tracing::error!("no runtime to run the analysis worker on");
                    return;
                }
            }
        }
        if self.worker.tx.send(uri).is_err() {
            tracing::error!("the analysis worker has stopped");
        }
    }

    /// Re-publishes every open document (after a policy or rules change); in pull
    /// mode, asks the client to pull again.
    pub async fn publish_all(&self) {
        let (pull, refresh) = self
            .with_state(|s| (s.caps.pull, s.caps.pull_refresh))
            .unwrap_or((false, false));
        if pull {
            if refresh {
                let _ = self.client.workspace_diagnostic_refresh().await;
            }
            // Cells are pushed in any mode (see `publish`).
            let cells: Vec<Uri> = self
                .with_state(|s| s.cell_of.keys().cloned().collect())
                .unwrap_or_default();
            for cell in cells {
                self.schedule(cell);
            }
            return;
        }
        let uris: Vec<Uri> = self
            .with_state(|s| s.docs.keys().cloned().collect())
            .unwrap_or_default();
        for uri in uris {
            self.schedule(uri);
        }
    }
}

/// The worker's loop.
async fn run(
    client: Client,
    state: Arc<Mutex<State>>,
    gate: Arc<tokio::sync::Mutex<()>>,
    mut rx: UnboundedReceiver<Uri>,
) {
    while let Some(first) = rx.recv().await {
        let mut seen = HashSet::from([first.clone()]);
        let mut due = vec![first];
        while let Ok(uri) = rx.try_recv() {
            if seen.insert(uri.clone()) {
                due.push(uri);
            }
        }
        for uri in due {
            publish(&client, &state, &gate, uri).await;
        }
        if !rx.is_empty() {
            tokio::time::sleep(COALESCE).await;
        }
    }
}

/// Analyses one open document's pending edits and publishes its diagnostics, unless
/// it moved on meanwhile.
async fn publish(client: &Client, state: &Mutex<State>, gate: &tokio::sync::Mutex<()>, uri: Uri) {
    let job = locked(state, |s| {
        // Notebook cells are pushed even to a client that pulls: VS Code's client pulls
        // only for documents it opened with `textDocument/didOpen`, never for cells.
        if s.caps.pull && !s.cell_of.contains_key(&uri) {
            return None;
        }
        s.refresh(&uri);
        let open = s.docs.get(&uri)?;
        if is_policy_file(&uri) && open.doc.kind.is_none() {
            let name = std::ffi::OsStr::new(file_name(&uri));
            return Some(Job::Ready(
                diagnostics::for_policy_file(s, name),
                open.version,
            ));
        }
        Some(Job::Judge {
            cx: s.context(),
            text: open.doc.text.clone(),
            index: open.doc.index.clone(),
            refs: open.doc.refs.clone(),
            version: open.version,
            path: s.disk_path(&uri),
        })
    })
    .flatten();
    let (diags, version) = match job {
        None => return,
        Some(Job::Ready(d, v)) => (d, v),
        Some(Job::Judge {
            cx,
            text,
            index,
            refs,
            version,
            path,
        }) => {
            let judged = tokio::task::spawn_blocking(move || {
                guard("diagnostics", || {
                    diagnostics::for_refs(&cx, &text, &index, &refs, path.as_deref())
                })
            })
            .await;
            match judged {
                Ok(Some(d)) => (d, version),
                _ => {
                    tracing::error!(uri = uri.as_str(), "diagnostics failed");
                    return;
                }
            }
        }
    };
    let _sending = gate.lock().await;
    let current = locked(state, |s| s.docs.get(&uri).map(|o| o.version)).flatten();
    if current != Some(version) {
        tracing::debug!(uri = uri.as_str(), version, "dropping stale diagnostics");
        return;
    }
    client.publish_diagnostics(uri, diags, Some(version)).await;
}
