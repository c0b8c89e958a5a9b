//! `textDocument/didChange`: apply the edits to the text, in order, and ask the
//! analysis worker for a publish. No scan here: a burst of changes is analysed once,
//! for its last version (see `lsp/analysis.rs`).

use tower_lsp_server::ls_types::*;

use crate::lsp::Backend;
use crate::lsp::state::is_policy_file;

/// Handles `didChange`.
pub async fn run(b: &Backend, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    // Apply every change before the first await: edits stay in arrival order.
    let applied = b.with_state(|s| {
        if !s.apply_changes(&uri, version, params.content_changes) {
            return None;
        }
        let open = s.docs.get(&uri)?;
        Some(is_policy_file(&uri).then(|| open.doc.current_text()))
    });
    let Some(Some(policy_text)) = applied else {
        return;
    };
    if let (Some(t), Some(path)) = (policy_text, uri.to_file_path()) {
        b.apply_policy(path.into_owned(), Some(t)).await;
    }
    b.schedule(uri);
}
