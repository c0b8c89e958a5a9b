//! `textDocument/didChange`: apply incremental edits in order, re-scan only what
//! changed, publish with the new version.

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
        let kb = s.kb.clone();
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
                    let span = convert::span(&open.doc.text, &open.doc.index, r, enc);
                    open.doc.edit(span, &change.text, &kb);
                }
                None => open.doc.replace_all(change.text, &kb),
            }
        }
        open.version = version;
        let policy_text = is_policy_file(&uri).then(|| open.doc.text.clone());
        s.attach_evidence(&uri);
        Some(policy_text)
    });
    let Some(Some(policy_text)) = applied else {
        return;
    };
    if let (Some(t), Some(path)) = (policy_text, uri.to_file_path()) {
        b.apply_policy(path.into_owned(), Some(t)).await;
    }
    b.publish(&uri).await;
}
