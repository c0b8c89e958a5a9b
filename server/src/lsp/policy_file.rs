//! The policy, live: parsed from the editor's buffer while `fineprint.toml` is open,
//! from disk when a watched file changes. A policy that does not parse leaves the last
//! good one in force and becomes a diagnostic in its file. So does a policy file on
//! disk that cannot be read (a folder, a FIFO, a link to nothing, too large): it is
//! read through [`crate::policy::read_file`], which never opens a FIFO.

use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types::Uri;

use super::Backend;
use crate::kb::KnowledgeBase;
use crate::policy::{Policy, PolicyError, present};

/// The outcome of reading a policy text.
pub enum Loaded {
    /// A valid policy.
    Policy(Box<Policy>),
    /// A `pyproject.toml` without `[tool.fineprint]`: no policy from this file.
    Nothing,
    /// An invalid policy.
    Error(PolicyError),
}

/// Parses a policy text for the file at `path`.
pub fn parse(text: &str, path: &Path, kb: &KnowledgeBase) -> Loaded {
    let res = if path.file_name().is_some_and(|n| n == "pyproject.toml") {
        Policy::parse_pyproject(text, path, kb)
    } else {
        Policy::parse(text, path, kb).map(Some)
    };
    match res {
        Ok(Some(p)) => Loaded::Policy(Box::new(p)),
        Ok(None) => Loaded::Nothing,
        Err(e) => Loaded::Error(e),
    }
}

/// The text of the policy file at `path` on disk: `Ok(None)` when nothing is there.
pub fn read_existing(path: &Path) -> Result<Option<String>, PolicyError> {
    if crate::policy::present(path) {
        crate::policy::read_file(path).map(Some)
    } else {
        Ok(None)
    }
}

/// The policy file that governs the workspace: `fineprint.toml` if anything is there
/// under that name, else `pyproject.toml`.
pub fn policy_path(root: &Path) -> PathBuf {
    let fp = root.join("fineprint.toml");
    if present(&fp) || !present(&root.join("pyproject.toml")) {
        fp
    } else {
        root.join("pyproject.toml")
    }
}

impl Backend {
    /// Applies a policy text (or the file on disk when `text` is `None`); on success
    /// re-publishes every open document.
    pub async fn apply_policy(&self, path: PathBuf, text: Option<String>) {
        let text = match text {
            Some(t) => Ok(Some(t)),
            None => read_existing(&path),
        };
        let changed = self.with_state(|s| {
            // A pyproject.toml only counts when there is no fineprint.toml.
            if path.file_name().is_some_and(|n| n == "pyproject.toml") && present(&path.with_file_name("fineprint.toml")) {
                return false;
            }
            match text.as_ref().map(Option::as_deref) {
                Err(e) => {
                    tracing::warn!(error = %e, "policy file cannot be read; keeping the last good policy");
                    s.policy_error = Some(e.clone());
                }
                Ok(None) => {
                    // The file was deleted: back to the default policy.
                    s.policy = std::sync::Arc::new(Policy::default());
                    s.policy_error = None;
                }
                Ok(Some(t)) => match parse(t, &path, &s.kb) {
                    Loaded::Policy(p) => {
                        s.policy = std::sync::Arc::new(*p);
                        s.policy_error = None;
                    }
                    Loaded::Nothing => {
                        s.policy = std::sync::Arc::new(Policy::default());
                        s.policy_error = None;
                    }
                    Loaded::Error(e) => {
                        tracing::warn!(error = %e, "policy file does not parse; keeping the last good policy");
                        s.policy_error = Some(e);
                    }
                },
            }
            true
        });
        if changed != Some(true) {
            return;
        }
        // The policy file's own diagnostics (pushed only in push mode).
        let pull = self.with_state(|s| s.caps.pull).unwrap_or(false);
        if let Some(uri) = Uri::from_file_path(&path).filter(|_| !pull) {
            let name = path.file_name().map(std::ffi::OsStr::to_os_string);
            let diag = self
                .with_state(|s| {
                    name.as_deref()
                        .map(|n| super::diagnostics::for_policy_file(s, n))
                        .unwrap_or_default()
                })
                .unwrap_or_default();
            let version = self
                .with_state(|s| s.docs.get(&uri).map(|o| o.version))
                .flatten();
            self.push_diagnostics(uri, diag, version).await;
        }
        self.apply_online().await;
        self.publish_all().await;
        self.rescan_workspace().await;
    }
}
