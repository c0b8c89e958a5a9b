//! `textDocument/didClose`: the only way a document leaves the state. Its diagnostics
//! go back to what the file on disk says (or are cleared).

use tower_lsp_server::ls_types::*;

use crate::lsp::Backend;
use crate::lsp::state::is_policy_file;

/// Handles `didClose`.
pub async fn run(b: &Backend, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    b.with_state(|s| s.docs.remove(&uri));
    // The editor's unsaved policy text no longer counts: back to the file on disk.
    if is_policy_file(&uri)
        && let Some(path) = uri.to_file_path()
    {
        b.apply_policy(path.into_owned(), None).await;
    }
    if b.with_state(|s| s.caps.pull).unwrap_or(false) {
        return; // The client pulls; nothing to push.
    }
    let diags = match uri.to_file_path() {
        Some(path) => b
            .with_state(|s| crate::lsp::diagnostics::of_disk(s, &path))
            .unwrap_or_default(),
        None => Vec::new(),
    };
    b.push_diagnostics(uri, diags, None).await;
}
