//! The server's state: open documents, the policy in force, settings.
//!
//! Invariants:
//! * `didOpen` is the only way into `docs` and `didClose` the only way out; an edit to
//!   a document that is not open is ignored (and logged).
//! * Every mutation happens under one mutex, in the first, synchronous part of a
//!   handler, before any `.await`; the lock is never held across an `.await`. Since
//!   handlers are first polled in arrival order, edits apply in order.
//! * `didChange` applies edits to a document's text only; its references are brought
//!   up to date by [`State::refresh`], which every reader of references calls first
//!   (the analysis worker, hover, inlay hints, code actions, links, completion, pulled
//!   diagnostics). So a burst of edits costs one analysis, not one per edit.
//! * `policy` is always a policy that parsed: a broken policy file leaves the last good
//!   one in force and shows its error in `policy_error`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;
use tower_lsp_server::ls_types::Uri;

use crate::detect::FileKind;
use crate::document::Document;
use crate::evidence::weigh::attach;
use crate::evidence::{Place, Roots, Store};
use crate::kb::KnowledgeBase;
use crate::policy::{Policy, PolicyError};
use crate::text::Encoding;

/// An open document and its version.
#[derive(Debug)]
pub struct Open {
    /// Text, line index, references (brought up to date by [`State::refresh`]).
    pub doc: Document,
    /// Version from the client (of the text; the references may be older until the
    /// next refresh).
    pub version: i32,
}

/// What turning references into findings needs, shareable outside the lock.
#[derive(Debug, Clone)]
pub struct Context {
    /// The knowledge base.
    pub kb: Arc<KnowledgeBase>,
    /// The policy in force.
    pub policy: Arc<Policy>,
    /// Negotiated position encoding.
    pub encoding: Encoding,
    /// The workspace folder, if any: the base of the policy's path rules when there is
    /// no policy file.
    pub root: Option<std::path::PathBuf>,
}

/// Client settings (`initializationOptions`, `workspace/didChangeConfiguration`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Show inlay hints after references.
    pub inlay_hints: bool,
    /// Log level: error, warn, info, debug, trace.
    pub log_level: Option<String>,
    /// Extra rules folder.
    pub rules: Option<PathBuf>,
    /// Scan the files of the workspace that are not open (`scan.workspace`).
    pub scan_workspace: bool,
    /// Globs the workspace scan leaves out, on top of the policy's `exclude`
    /// (`scan.exclude`; relative to the workspace folder).
    pub scan_exclude: Vec<String>,
    /// Ask the Hugging Face Hub about unknown Hub ids ([`crate::online`]), in the
    /// background.
    pub online: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            inlay_hints: true,
            log_level: None,
            rules: None,
            scan_workspace: true,
            scan_exclude: Vec::new(),
            online: false,
        }
    }
}

/// An open notebook (`notebookDocument/didOpen`): its file and its cells, in order.
/// Each cell is also an [`Open`] document in [`State::docs`], under its own URI.
#[derive(Debug, Clone)]
pub struct Notebook {
    /// The notebook's file on disk, when its URI is a `file:` URI.
    pub path: Option<PathBuf>,
    /// The cells' URIs in notebook order.
    pub cells: Vec<Uri>,
}

/// What the client can do.
#[derive(Debug, Clone, Copy, Default)]
pub struct Caps {
    /// Dynamic registration of file watchers.
    pub watch_files: bool,
    /// `window/workDoneProgress`.
    pub progress: bool,
    /// `workspace/inlayHint/refresh`.
    pub inlay_refresh: bool,
    /// Resource operations (create files) in workspace edits.
    pub create_files: bool,
    /// `window/showDocument`.
    pub show_document: bool,
    /// Pull diagnostics (`textDocument/diagnostic`): the client asks, the server does
    /// not push.
    pub pull: bool,
    /// `workspace/diagnostic/refresh`.
    pub pull_refresh: bool,
}

/// Everything the handlers share.
#[derive(Debug)]
pub struct State {
    /// The knowledge base.
    pub kb: Arc<KnowledgeBase>,
    /// Open documents.
    pub docs: HashMap<Uri, Open>,
    /// Workspace root.
    pub root: Option<PathBuf>,
    /// The policy in force (last good).
    pub policy: Arc<Policy>,
    /// The error of the policy file, when its last version did not parse.
    pub policy_error: Option<PolicyError>,
    /// Settings.
    pub settings: Settings,
    /// Negotiated position encoding.
    pub encoding: Encoding,
    /// Client capabilities.
    pub caps: Caps,
    /// Files outside the editor that have published diagnostics (workspace scan).
    pub disk_published: std::collections::HashSet<Uri>,
    /// Set by `initialize`.
    pub initialized: bool,
    /// Evidence on disk (cached for a few seconds, so a download shows up soon).
    pub evidence: Arc<Store>,
    /// Open notebooks, by notebook URI.
    pub notebooks: HashMap<Uri, Notebook>,
    /// The notebook of each open cell, by cell URI.
    pub cell_of: HashMap<Uri, Uri>,
    /// The last workspace scan (push or pull) and the folder it scanned: what
    /// `fineprint/models` answers from for files that are not open.
    pub last_scan: Option<(PathBuf, Arc<crate::check::Report>)>,
}

/// How long evidence read from disk is trusted before it is read again.
pub const EVIDENCE_TTL: std::time::Duration = std::time::Duration::from_secs(5);

impl State {
    /// A state with the built-in base and the default policy.
    pub fn new(kb: Arc<KnowledgeBase>) -> Self {
        Self {
            kb,
            docs: HashMap::new(),
            root: None,
            policy: Arc::new(Policy::default()),
            policy_error: None,
            settings: Settings::default(),
            encoding: Encoding::Utf16,
            caps: Caps::default(),
            disk_published: std::collections::HashSet::new(),
            initialized: false,
            evidence: Arc::new(Store::new(Roots::from_env(), Some(EVIDENCE_TTL))),
            notebooks: HashMap::new(),
            cell_of: HashMap::new(),
            last_scan: None,
        }
    }

    /// The knowledge base, policy and encoding in force.
    pub fn context(&self) -> Context {
        Context {
            kb: self.kb.clone(),
            policy: self.policy.clone(),
            encoding: self.encoding,
            root: self.root.clone(),
        }
    }

    /// Brings the references of an open document up to date with the edits applied
    /// to its text since its last analysis (one window scan for all of them) and
    /// weighs the evidence of new references. Cheap when nothing is pending.
    pub fn refresh(&mut self, uri: &Uri) {
        let kb = self.kb.clone();
        let Some(open) = self.docs.get_mut(uri) else {
            return;
        };
        if open.doc.is_analysed() {
            return;
        }
        open.doc.analyse(&kb);
        self.attach_evidence(uri);
    }

    /// The file on disk a document stands for: its own path, or for a notebook cell
    /// the notebook's (so the policy's `[[paths]]` rules and the evidence readers see
    /// the notebook's place).
    pub fn disk_path(&self, uri: &Uri) -> Option<PathBuf> {
        match self.cell_of.get(uri) {
            Some(nb) => self.notebooks.get(nb).and_then(|n| n.path.clone()),
            None => uri.to_file_path().map(std::borrow::Cow::into_owned),
        }
    }

    /// Whether the file at `path` is open in the editor as a notebook (its cells are
    /// documents; the file's own JSON is not).
    pub fn notebook_open(&self, path: &std::path::Path) -> bool {
        self.notebooks
            .values()
            .any(|n| n.path.as_deref() == Some(path))
    }

    /// The policy the workspace scan runs under: the policy in force with the
    /// `scan.exclude` globs added to its `exclude`.
    pub fn scan_policy(&self) -> Arc<Policy> {
        if self.settings.scan_exclude.is_empty() {
            return self.policy.clone();
        }
        let base = self
            .policy
            .file
            .as_ref()
            .and_then(|f| f.parent().map(std::path::Path::to_path_buf))
            .or_else(|| self.root.clone());
        let mut exclude = self.policy.scope.exclude().to_vec();
        exclude.extend(self.settings.scan_exclude.iter().cloned());
        let rules = self.policy.scope.rules().to_vec();
        match crate::scope::Scope::new(exclude, rules, false, base.as_deref()) {
            Ok(scope) => {
                let mut p = (*self.policy).clone();
                p.scope = scope;
                Arc::new(p)
            }
            Err((_, i, e)) => {
                tracing::warn!(error = %e, index = i, "a scan.exclude glob does not compile; scanning without scan.exclude");
                self.policy.clone()
            }
        }
    }

    /// Applies a client's changes to an open document's text, in order, and sets its
    /// version; `false` (and a log line) when the document is not open.
    pub fn apply_changes(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<tower_lsp_server::ls_types::TextDocumentContentChangeEvent>,
    ) -> bool {
        let enc = self.encoding;
        let Some(open) = self.docs.get_mut(uri) else {
            tracing::warn!(
                uri = uri.as_str(),
                "change for a document that is not open; ignored"
            );
            return false;
        };
        for change in changes {
            match change.range {
                Some(r) => {
                    let span = super::convert::span_in(&open.doc, r, enc);
                    open.doc.apply(span, &change.text);
                }
                None => open.doc.replace_all(change.text),
            }
        }
        open.version = version;
        true
    }

    /// Turns online resolution on or off as the settings and the policy say. Returns
    /// the new [`crate::online::Online`] when it was just turned on.
    pub fn set_online(&mut self) -> Option<Arc<crate::online::Online>> {
        let on = self.settings.online || self.policy.online;
        if on == self.evidence.online.is_some() {
            return None;
        }
        let online = on.then(|| {
            crate::online::Online::new(
                crate::online::Settings::from_env(self.policy.online_max_age_days),
                crate::online::Mode::Background,
            )
        });
        tracing::info!(online = on, "online resolution");
        self.evidence =
            Arc::new(Store::new(Roots::from_env(), Some(EVIDENCE_TTL)).with_online(online.clone()));
        online
    }

    /// Weighs again the references of every open document that have no evidence yet
    /// (after online answers arrived); returns the documents' URIs.
    pub fn reweigh_all(&mut self) -> Vec<Uri> {
        let uris: Vec<Uri> = self.docs.keys().cloned().collect();
        for uri in &uris {
            self.attach_evidence(uri);
        }
        uris
    }

    /// Where a document sits on disk, for the evidence readers.
    pub fn place(&self, uri: &Uri) -> Place {
        let dir = self
            .disk_path(uri)
            .and_then(|p| p.parent().map(std::path::Path::to_path_buf));
        Place {
            root: self.root.clone().or_else(|| dir.clone()),
            dir,
        }
    }

    /// Weighs evidence on disk for the references of an open document that have not
    /// been weighed yet (a Modelfile is weighed whole: its `LICENSE` concerns its
    /// `FROM`). Lookups are cached, so this is cheap on every edit.
    pub fn attach_evidence(&mut self, uri: &Uri) {
        let place = self.place(uri);
        let Some(open) = self.docs.get_mut(uri) else {
            return;
        };
        let Some(kind) = open.doc.kind else { return };
        let (kb, store) = (&self.kb, &self.evidence);
        if kind == FileKind::Modelfile {
            let mut refs = crate::detect::detect(&open.doc.text, kind, kb);
            attach(&mut refs, &open.doc.text, kind, kb, store, &place);
            open.doc.refs = refs;
            return;
        }
        for i in 0..open.doc.refs.len() {
            if open.doc.refs[i].evidence.is_none() {
                attach(
                    &mut open.doc.refs[i..=i],
                    &open.doc.text,
                    kind,
                    kb,
                    store,
                    &place,
                );
            }
        }
    }
}

/// Whether a URI names a policy file.
pub fn is_policy_file(uri: &Uri) -> bool {
    let s = uri.as_str();
    s.ends_with("/fineprint.toml") || s.ends_with("/pyproject.toml")
}

/// The file name at the end of a URI.
pub fn file_name(uri: &Uri) -> &str {
    let s = uri.as_str();
    let s = s.split(['?', '#']).next().unwrap_or(s);
    s.rsplit('/').next().unwrap_or(s)
}
