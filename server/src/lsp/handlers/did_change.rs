//! `textDocument/didChange`: apply the edits to the text, in order, and ask the
//! analysis worker for a publish. No scan here: a burst of changes is analysed once,
//! for its last version (see `lsp/analysis.rs`).

use tower_lsp_server::ls_types::*;

use crate::lsp::state::is_policy_file;
use crate::lsp::{Backend, convert};

/// Handles `didChange`.
pub async fn run(b: &Backend, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    // Apply every change before the first await: edits stay in arrival order.
    let applied = b.with_state(|s| {
        let enc = s.encoding;
        let Some(open) = s.docs.get_mut(&uri) else {
            tracing::warn!(
                uri = uri.as_str(),
                "change for a document that is not open; ignored"
            );
            return None;
        };
        for change in params.content_changes {
            match change.range {
                Some(r) => {
                    let span = convert::span_in(&open.doc, r, enc);
                    open.doc.apply(span, &change.text);
                }
                None => open.doc.replace_all(change.text),
            }
        }
        open.version = version;
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
